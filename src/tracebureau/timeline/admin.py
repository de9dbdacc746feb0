from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tracebureau.core.admin import PolicyAdminMixin, ReadOnlyPolicyAdmin
from tracebureau.timeline.models import BulkEvent, Event, Place, Source


@admin.register(Place)
class PlaceAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "control", "region"]
    list_filter = ["kind", "control"]
    search_fields = ["name", "name_uk"]


@admin.register(Source)
class SourceAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "reliability"]
    list_filter = ["kind", "reliability"]
    search_fields = ["name"]
    readonly_fields = ["created_by"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Event)
class EventAdmin(ReadOnlyPolicyAdmin):
    list_display = ["person", "kind", "occurred_on", "precision", "source", "reliability", "credibility"]
    list_filter = ["kind", "precision", "reliability", "credibility"]
    list_select_related = ["person", "source"]
    raw_id_fields = ["person", "corrects", "bulk"]


@admin.register(BulkEvent)
class BulkEventAdmin(ReadOnlyPolicyAdmin):
    list_display = ["label", "recorded_by", "recorded_at"]
