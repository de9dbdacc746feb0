from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tracebureau.accounts.models import ApiToken
from tracebureau.accounts.services import token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators see every token and revoke them; nobody edits or deletes one, and keys
    are issued by their holders only (the API tokens page, POST /api/token/)."""

    list_display = ("prefix", "name", "user", "roles", "created_at", "expires_at", "revoked_at",
                    "last_used_at")
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "name", "prefix"]
    readonly_fields = list_display
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        for token in queryset:
            token_revoke(token=token, by=request.user)
