"""Writing the audit trail. Nothing else writes AuditEntry rows.

Callers rarely pass the actor: it comes from audit.context (the request being served, or the
account a command acts as). A service may pass `user=` where it knows better.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from tracebureau.audit import chain, context
from tracebureau.audit.choices import AuditAction
from tracebureau.audit.models import GENESIS, AuditEntry

Shown = TypeVar("Shown", bound=Model)

# Any constant shared by every writer of the chain; "TBAU" in ASCII.
ADVISORY_LOCK = 0x54424155


def audit_record(
    *,
    action: str,
    user: Any = None,
    obj: Model | None = None,
    person_id: int | None = None,
    surface: str | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
    request: Any = None,
    username: str = "",
) -> AuditEntry:
    """Append one entry to the chain, in the caller's transaction if there is one (an action
    rolled back leaves no entry) and in its own otherwise.

    `username` names someone who is not (or not yet) a user: the name tried at a failed sign-in.
    """
    actor = context.current()
    if request is not None:
        actor = context.Actor(surface=context.surface_of(request.path), request=request)
    if user is None or not getattr(user, "is_authenticated", False):
        user = actor.current_user()
    entry = AuditEntry(
        user=user,
        username=(user.get_username() if user is not None else username)[:150],
        action=action,
        person_id=person_id if person_id is not None else person_of(obj),
        surface=surface or actor.surface,
        # As the database will hold it (IPv6 compressed), so that the hash reads back the same.
        ip=AuditEntry._meta.get_field("ip").get_prep_value(actor.ip),
        user_agent=actor.user_agent,
        reason=reason,
        detail=detail or {},
    )
    if obj is not None:
        entry.object_type, entry.object_id = obj._meta.label, str(obj.pk)
    with transaction.atomic():
        _append(entry)
    return entry


def _append(entry: AuditEntry) -> None:
    """Link the entry to the head and save it, one writer at a time: two writers reading the
    same head would fork the chain (the unique seq would then refuse the second)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
    # SQLite: the settings open every transaction IMMEDIATE, so we already hold the write lock.
    head = AuditEntry.objects.order_by("-seq").values("seq", "hash").first()
    entry.seq = head["seq"] + 1 if head else 1
    entry.prev_hash = head["hash"] if head else GENESIS
    entry.at = timezone.now()
    entry.hash = chain.entry_hash(entry)
    entry.save(force_insert=True)


def person_of(obj: Model | None) -> int | None:
    """The person an object concerns: the person itself, or the one it points at."""
    if obj is None:
        return None
    if obj._meta.label == "registry.Person":
        return obj.pk
    for attribute in ("person_id", "keep_id"):
        value = getattr(obj, attribute, None)
        if isinstance(value, int):
            return value
    return None


def audit_read(request_or_user: Any, obj: Shown, *, surface: str | None = None) -> Shown:
    """Record that a protected record is being shown, and hand it on, so that a view needs
    no more than wrapping what it reads: `person = audit_read(request, person_get(...))`."""
    is_request = hasattr(request_or_user, "META")
    user = request_or_user.user if is_request else request_or_user
    audit_record(action=AuditAction.VIEW, user=user, obj=obj, surface=surface)
    return obj


def audit_export(*, user: Any, what: str, query: str = "", count: int | None = None) -> None:
    """Record an export: what was exported, the search that chose the rows and how many left."""
    detail: dict[str, Any] = {"what": what}
    if query:
        detail["query"] = query
    if count is not None:
        detail["rows"] = count
    audit_record(action=AuditAction.EXPORT, user=user, detail=detail)


def audit_bulk_created(objects: Iterable[Model], *, user: Any = None) -> None:
    """Record rows written by bulk_create, which sends no post_save signal."""
    for obj in objects:
        audit_record(action=AuditAction.CREATE, user=user, obj=obj)
