"""The one place that decides who may see and do what.

Every surface (web pages, API, CLI, exports, admin) asks here through `visible_to`. For now the
rule is the foundation's: an active, signed-in member of staff sees the registry; nobody else
sees anything. Roles, agency scope, classification and field masks extend this module, and only
this module.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

VIEW = "view"
CHANGE = "change"


def is_staff_member(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def visible_to(queryset: QuerySet, user: Any, action: str = VIEW) -> QuerySet:
    """The rows of `queryset` that `user` may `action`. Unknown actions see nothing."""
    if action not in (VIEW, CHANGE) or not is_staff_member(user):
        return queryset.none()
    return queryset
