from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tracebureau.core.admin import PolicyAdminMixin, ReadOnlyPolicyAdmin
from tracebureau.registry.models import Agency, NameVariant, Person, PersonMerge


@admin.register(Agency)
class AgencyAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["code", "name", "name_uk"]


@admin.register(Person)
class PersonAdmin(ReadOnlyPolicyAdmin, SimpleHistoryAdmin):
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


@admin.register(NameVariant)
class NameVariantAdmin(ReadOnlyPolicyAdmin):
    list_display = ["person", "family_name", "given_names", "patronymic", "script", "transliteration"]
    search_fields = ["search_text"]


@admin.register(PersonMerge)
class PersonMergeAdmin(ReadOnlyPolicyAdmin):
    list_display = ["keep", "absorb", "action", "by", "at"]
