"""The admin, through the policy like every other surface.

Django's own model permissions are not used: the admin shows a user the rows visible_to
returns, lets them change what the policy lets them change, and never deletes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tracebureau.core import policy
from tracebureau.core.choices import Role
from tracebureau.core.models import User
from tracebureau.core.policy import CHANGE, VIEW


class PolicyAdminMixin:
    """Rows and permissions from core.policy; nothing is ever deleted from the admin."""

    model: Any

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return policy.visible_to(super().get_queryset(request), request.user, VIEW)  # type: ignore[misc]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_staff) and policy.allows(request.user, self.model, VIEW)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj, VIEW)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj, CHANGE)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_staff) and policy.allows(request.user, self.model, CHANGE)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _allowed(self, request: HttpRequest, obj: Any, action: str) -> bool:
        if not request.user.is_staff:
            return False
        rows = policy.visible_to(self.model._default_manager.all(), request.user, action)
        return not rows.query.is_empty() if obj is None else rows.filter(pk=obj.pk).exists()


class ReadOnlyPolicyAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """Append-only rows, and rows only the services may write: the admin looks, never changes."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class StaffChangeForm(UserChangeForm):
    roles = forms.MultipleChoiceField(
        label=_("roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.instance.roles = cleaned.get("roles", [])
        return cleaned


@admin.register(User)
class StaffAdmin(PolicyAdminMixin, UserAdmin):
    form = StaffChangeForm
    list_display = ["username", "first_name", "last_name", "role_labels", "clearance", "agency", "is_active"]
    list_filter = ["is_active", "clearance", "agency"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Need to know"), {"fields": ("roles", "clearance", "agency")}),
    )


admin.site.site_header = "tracebureau"
