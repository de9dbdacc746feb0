"""Reads of the audit trail, through the policy (only auditors read it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from tracebureau.audit.models import AuditEntry
from tracebureau.core.policy import visible_to


def entries_visible(*, user: Any) -> QuerySet[AuditEntry]:
    return visible_to(AuditEntry.objects.select_related("user"), user)


def entries_search(
    *,
    user: Any,
    person_id: int | None = None,
    username: str = "",
    action: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEntry]:
    """The entries matching every filter given, newest first."""
    entries = entries_visible(user=user)
    if person_id is not None:
        entries = entries.filter(person_id=person_id)
    if username:
        entries = entries.filter(username=username)
    if action:
        entries = entries.filter(action=action)
    if since is not None:
        entries = entries.filter(at__gte=since)
    if until is not None:
        entries = entries.filter(at__lt=until)
    return entries.order_by("-seq")
