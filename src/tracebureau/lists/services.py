"""Every write about incoming lists: create a list from an upload, start and cancel its
reconciliation, and the analyst's decisions on its rows (accept, reject, create a person, undo)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Container, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tracebureau.audit.services import audit_bulk_created
from tracebureau.core import jobs, policy
from tracebureau.core.policy import CHANGE, Can
from tracebureau.lists.choices import FINISHED, RECORD_FIELDS, DecisionAction, JobStatus
from tracebureau.lists.models import Decision, IncomingList, ListRow, Reconciliation
from tracebureau.lists.selectors import current_decision
from tracebureau.registry import services as registry
from tracebureau.registry.choices import Category, Sex
from tracebureau.registry.models import Person
from tracebureau.registry.selectors import person_get
from tracebureau.timeline import services as timeline
from tracebureau.timeline.choices import EventKind, Precision
from tracebureau.timeline.models import Event, Source

UNDO_REASON = "decision undone"
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_DOTTED_DATE = re.compile(r"^(?:(\d{1,2})[./])?(\d{1,2})[./](\d{4})$")
_SEX = {
    "m": Sex.MALE,
    "male": Sex.MALE,
    "м": Sex.MALE,
    "ч": Sex.MALE,
    "чол": Sex.MALE,
    "чоловіча": Sex.MALE,
    "муж": Sex.MALE,
    "мужской": Sex.MALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "ж": Sex.FEMALE,
    "жін": Sex.FEMALE,
    "жіноча": Sex.FEMALE,
    "жен": Sex.FEMALE,
    "женский": Sex.FEMALE,
}
# What a list reports happened before it was written: dated "before" the day it was received.
_BEFORE_KINDS = frozenset(
    {EventKind.CAPTURED, EventKind.KILLED, EventKind.DIED_IN_CUSTODY, EventKind.WOUNDED}
)
FIELD_LIMITS: dict[str, int] = {
    f.name: f.max_length for f in ListRow._meta.fields if f.max_length is not None
}


# --- upload -----------------------------------------------------------------------------------


def normalise_birth_date(text: str) -> str:
    """YYYY-MM-DD, YYYY-MM or YYYY from what lists write (12.03.1998, 03.1998, 1998-3-12).
    Raises ValueError with the reason for a date that cannot be."""
    text = text.strip()
    if not text:
        return ""
    if match := _ISO_DATE.match(text):
        year, month, day = match.groups()
    elif match := _DOTTED_DATE.match(text):
        day, month, year = match.groups()
    else:
        raise ValueError(_("not a date (write 1998-03-12, 12.03.1998, 1998-03 or 1998)"))
    y = int(year)
    if not 1900 <= y <= timezone.localdate().year:
        raise ValueError(_("the year %(year)s is impossible") % {"year": y})
    if month is None:
        return f"{y:04d}"
    m = int(month)
    if not 1 <= m <= 12:
        raise ValueError(_("there is no month %(month)s") % {"month": m})
    if day is None:
        return f"{y:04d}-{m:02d}"
    d = int(day)
    if not 1 <= d <= calendar.monthrange(y, m)[1]:
        raise ValueError(_("%(year)s-%(month)02d has no day %(day)s") % {"year": y, "month": m, "day": d})
    return f"{y:04d}-{m:02d}-{d:02d}"


def normalise_sex(text: str) -> str:
    """male or female from what lists write (m/f, ч/ж, м/ж, чоловіча, мужской...)."""
    value = _SEX.get(text.strip().lower().rstrip("."), "")
    if not value:
        raise ValueError(_("not a sex we know (male/female, ч/ж, м/ж)"))
    return value


def mapped_row(
    number: int, values: Mapping[str, str], mapping: Mapping[str, str], *, require_name: bool = True
) -> tuple[ListRow, list[str]]:
    """The row's values read onto a ListRow's fields, and what was wrong with them, each message
    naming the row (as a spreadsheet numbers it) and the column. Other lists (an exchange's
    arrivals) read their rows with it too."""
    row = ListRow(number=number, raw=dict(values))
    errors = []
    for field, header in mapping.items():
        value = " ".join(values.get(header, "").split())
        name = "record_id" if field == "id" else field
        try:
            if field == "birth_date":
                value = normalise_birth_date(value)
            elif field == "sex" and value:
                value = normalise_sex(value)
            if len(value) > FIELD_LIMITS[name]:
                raise ValueError(_("longer than %(max)s characters") % {"max": FIELD_LIMITS[name]})
        except ValueError as exc:
            errors.append(
                _("Row %(row)s, column “%(column)s”: %(error)s.")
                % {"row": number, "column": header, "error": exc}
            )
            continue
        setattr(row, name, value)
    if require_name and not errors and not (row.family_name or row.full_name):
        errors.append(_("Row %(row)s: no name.") % {"row": number})
    return row, errors


def check_mapping(
    headers: Sequence[str], mapping: Mapping[str, str], *, fields: Container[str], key: str = "column_mapping"
) -> dict[str, str]:
    """The columns chosen for each field of a list (unchosen ones dropped), or an error under
    `key` naming every unknown field or column, or saying the name's column is missing."""
    mapping = {f: h for f, h in mapping.items() if h}
    unknown = [f for f in mapping if f not in fields] + [h for h in mapping.values() if h not in headers]
    if unknown:
        names = ", ".join(unknown)
        raise ValidationError({key: _("Unknown fields or columns: %(names)s.") % {"names": names}})
    if "family_name" not in mapping and "full_name" not in mapping:
        raise ValidationError({key: _("Choose the column with the family name or the full name.")})
    return mapping


@transaction.atomic
def list_create(
    *,
    by: Any,
    title: str,
    source: Source,
    received_on: dt.date,
    file_name: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    column_mapping: Mapping[str, str],
    event_kind: str = EventKind.PROOF_OF_LIFE,
    credibility: int = 3,
    classification: str = "restricted",
    reconcile: bool = True,
) -> IncomingList:
    """Store an uploaded list, every row as received, and queue its reconciliation.

    All or nothing: a row whose value cannot be read is refused with an error naming the row
    (as a spreadsheet numbers it: the header is row 1) and the column, and nothing is stored.
    """
    policy.require(by, Can.RECONCILE_LISTS)
    mapping = check_mapping(headers, column_mapping, fields=dict(RECORD_FIELDS))
    if errors := policy.classification_errors(by, classification):
        raise ValidationError(errors)
    if event_kind == EventKind.RETRACTION or event_kind not in EventKind.values:
        raise ValidationError({"event_kind": _("Choose what the list reports.")})
    incoming = IncomingList(
        title=title.strip(),
        source=source,
        received_on=received_on,
        event_kind=event_kind,
        credibility=credibility,
        classification=classification,
        file_name=file_name[:255],
        headers=list(headers),
        column_mapping=mapping,
        uploaded_by=by,
    )
    incoming.full_clean(exclude=["uploaded_by", "source"])
    list_rows: list[ListRow] = []
    row_errors: list[str] = []
    for number, cells in enumerate(rows, start=2):
        row, problems = mapped_row(number, dict(zip(headers, cells, strict=False)), mapping)
        list_rows.append(row)
        row_errors.extend(problems)
    if row_errors:
        raise ValidationError({"rows": row_errors})
    incoming.save()
    for row in list_rows:
        row.incoming_list = incoming
    ListRow.objects.bulk_create(list_rows)
    audit_bulk_created(list_rows, user=by)
    if reconcile:
        reconciliation_start(incoming_list=incoming, by=by)
    return incoming


# --- reconciliation -----------------------------------------------------------------------------


def reconciliation_start(*, incoming_list: IncomingList, by: Any) -> Reconciliation:
    """Queue a run of the engine over the list. A list has one run at a time: a run still queued
    or running is returned as it is, unless its worker has died: then it is run again ("Run
    again" on the list's page), as its next attempt."""
    policy.require(by, Can.RECONCILE_LISTS)
    policy.require_row(by, incoming_list, CHANGE)
    with transaction.atomic():
        IncomingList.objects.select_for_update().filter(pk=incoming_list.pk).exists()
        active = incoming_list.reconciliations.exclude(status__in=FINISHED).first()
        if active and active.abandoned:
            jobs.job_requeue(job=active)
            active.refresh_from_db()
        if active:
            return active
        job = Reconciliation.objects.create(
            incoming_list=incoming_list, requested_by=by, stage=gettext_noop("Queued")
        )
        transaction.on_commit(lambda: jobs.job_enqueue(job))
    return job


def reconciliation_cancel(*, reconciliation: Reconciliation, by: Any) -> Reconciliation:
    """Stop a queued or running job; the worker notices at its next progress report."""
    policy.require(by, Can.RECONCILE_LISTS)
    policy.require_row(by, reconciliation.incoming_list, CHANGE)
    updated = (
        Reconciliation.objects.filter(pk=reconciliation.pk)
        .exclude(status__in=FINISHED)
        .update(
            status=JobStatus.CANCELLED,
            stage=gettext_noop("Cancelled"),
            finished_at=timezone.now(),
        )
    )
    if not updated:
        raise ValidationError(_("This reconciliation has already finished."))
    reconciliation.refresh_from_db()
    return reconciliation


# --- decisions --------------------------------------------------------------------------------


def _lock_row(row: ListRow, by: Any) -> Decision | None:
    """Check the actor may work the row's list, and serialise decisions on it."""
    policy.require(by, Can.RECONCILE_LISTS)
    policy.require_row(by, row.incoming_list, CHANGE)
    IncomingList.objects.select_for_update().filter(pk=row.incoming_list_id).exists()
    return current_decision(row)


def _refuse_unless_open(current: Decision | None) -> None:
    if current is not None and current.action != DecisionAction.REJECT:
        raise ValidationError(
            _("This row is already decided (%(action)s); undo that first.")
            % {"action": current.get_action_display()}
        )


def name_parts(row: ListRow) -> dict[str, str]:
    """The row's name as family name, given names and patronymic. A full name alone is read in
    the order lists of this region write it: family name, given name, patronymic."""
    if row.family_name:
        return {"family_name": row.family_name, "given_names": row.given_name, "patronymic": row.patronymic}
    words = row.full_name.split()
    return {
        "family_name": words[0] if words else "",
        "given_names": words[1] if len(words) > 1 else "",
        "patronymic": " ".join(words[2:]),
    }


def _record_row_event(row: ListRow, person: Person, by: Any) -> Event:
    incoming = row.incoming_list
    kind = incoming.event_kind
    return timeline.event_record(
        person=person,
        kind=kind,
        by=by,
        occurred_on=incoming.received_on,
        precision=Precision.BEFORE if kind in _BEFORE_KINDS else Precision.DAY,
        source=incoming.source,
        credibility=incoming.credibility,
        classification=incoming.classification,
        note=_("Row %(row)s of the list “%(title)s”: %(name)s")
        % {"row": row.number, "title": incoming.title, "name": row.name},
    )


@transaction.atomic
def row_accept(*, row: ListRow, person: Person, by: Any, reason: str = "") -> Decision:
    """The row is this person: it becomes an event on their timeline, with the list's source,
    and its spelling of the name becomes one of theirs."""
    current = _lock_row(row, by)
    _refuse_unless_open(current)
    person = person_get(user=by, pk=person.pk)
    candidate = row.candidates.filter(person=person).first()
    event = _record_row_event(row, person, by)
    registry.name_variant_add(person=person, by=by, source=row.incoming_list.source, **name_parts(row))
    return Decision.objects.create(
        row=row,
        action=DecisionAction.ACCEPT,
        person=person,
        event=event,
        by=by,
        reason=reason,
        probability=candidate.probability if candidate else None,
    )


@transaction.atomic
def row_reject(*, row: ListRow, by: Any, reason: str = "") -> Decision:
    """None of the candidates is the row's person."""
    current = _lock_row(row, by)
    if current is not None:
        raise ValidationError(
            _("This row is already decided (%(action)s); undo that first.")
            % {"action": current.get_action_display()}
        )
    return Decision.objects.create(row=row, action=DecisionAction.REJECT, by=by, reason=reason)


def birth_parts(text: str) -> dict[str, Any]:
    """{"birth_year": 1998, "birth_month": 3} from a normalised date ("1998-03")."""
    parts = [int(p) for p in text.split("-")] if text else []
    return dict(zip(("birth_year", "birth_month", "birth_day"), parts, strict=False))


@transaction.atomic
def row_create_person(
    *, row: ListRow, by: Any, category: str = Category.MISSING, reason: str = ""
) -> Decision:
    """The row names someone not yet registered: register them from the row (the list's spelling
    is their first name variant) and record the row's event on their new timeline."""
    current = _lock_row(row, by)
    _refuse_unless_open(current)
    incoming = row.incoming_list
    person = registry.person_create(
        by=by,
        category=category,
        classification=incoming.classification,
        sex=row.sex or Sex.UNKNOWN,
        service_number=row.service_number,
        call_sign=row.call_sign,
        **name_parts(row),
        **birth_parts(row.birth_date),
    )
    event = _record_row_event(row, person, by)
    return Decision.objects.create(
        row=row, action=DecisionAction.CREATE_PERSON, person=person, event=event, by=by, reason=reason
    )


@transaction.atomic
def decision_undo(*, row: ListRow, by: Any, reason: str = "") -> Decision:
    """Reverse the row's current decision; nothing is deleted. The event an accept or a new
    person recorded is retracted ("decision undone"); a person created from the row stays in
    the registry (others may have worked on them since), and the undo says so."""
    current = _lock_row(row, by)
    if current is None:
        raise ValidationError(_("This row has no decision to undo."))
    if current.event is not None:
        timeline.event_retract(event=current.event, by=by, reason=UNDO_REASON)
    note = reason or UNDO_REASON
    if current.action == DecisionAction.CREATE_PERSON:
        note = _("%(reason)s; the person #%(id)s created from this row stays in the registry") % {
            "reason": note,
            "id": current.person_id,
        }
    return Decision.objects.create(
        row=row, action=DecisionAction.UNDO, undoes=current, person=current.person, by=by, reason=note
    )
