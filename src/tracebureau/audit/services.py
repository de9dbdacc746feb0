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
    entry = _entry(action=action, user=user, obj=obj, person_id=person_id, surface=surface, reason=reason,
                   detail=detail, request=request, username=username)  # fmt: skip
    with transaction.atomic():
        _append([entry])
    return entry


def _entry(
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
    """An entry, not yet linked into the chain."""
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
    return entry


def _append(entries: list[AuditEntry]) -> None:
    """Link the entries to the head, in order, and save them, one writer at a time: two writers
    reading the same head would fork the chain (the unique seq would then refuse the second).
    Everything is prepared before the lock is taken, and the entries go in one INSERT: every
    page waits for this lock to record its reading, so it is held as briefly as can be."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
    # SQLite: the settings open every transaction IMMEDIATE, so we already hold the write lock.
    head = AuditEntry.objects.order_by("-seq").values("seq", "hash").first()
    seq, previous = (head["seq"], head["hash"]) if head else (0, GENESIS)
    at = timezone.now()
    for entry in entries:
        seq += 1
        entry.seq, entry.prev_hash, entry.at = seq, previous, at
        entry.hash = previous = chain.entry_hash(entry)
    if len(entries) == 1:
        entries[0].save(force_insert=True)
    else:
        AuditEntry.objects.bulk_create(entries, batch_size=1000)


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
    """Record rows written by bulk_create, which sends no post_save signal: one entry each,
    linked and written together."""
    entries = [_entry(action=AuditAction.CREATE, user=user, obj=obj) for obj in objects]
    if entries:
        with transaction.atomic():
            _append(entries)
