from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tracebureau.registry.models import Agency, NameVariant, Person, PersonMerge


class ReadOnlyHistoryAdmin(admin.ModelAdmin):
    """Append-only rows: the admin may look, never change or delete."""

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["code", "name", "name_uk"]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    """Persons are registered and edited through the services (web, API), which keep name
    variants and versions in step; the admin shows them and their history."""

    list_display = [
        "id",
        "family_name",
        "given_names",
        "patronymic",
        "birth_year",
        "agency",
        "category",
        "side",
    ]
    list_filter = ["category", "side", "agency", "classification"]
    search_fields = ["family_name", "given_names", "service_number", "call_sign"]
    list_select_related = ["agency"]
    readonly_fields = [f.name for f in Person._meta.concrete_fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(NameVariant)
class NameVariantAdmin(ReadOnlyHistoryAdmin):
    list_display = ["person", "family_name", "given_names", "patronymic", "script", "transliteration"]
    search_fields = ["search_text"]


@admin.register(PersonMerge)
class PersonMergeAdmin(ReadOnlyHistoryAdmin):
    list_display = ["keep", "absorb", "action", "by", "at"]
