"""Every write to the timeline: places, sources, events, corrections and bulk events."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tracebureau.audit.services import audit_bulk_created
from tracebureau.core import policy
from tracebureau.core.policy import CHANGE, RECORD_EVENT, VIEW, Can
from tracebureau.registry.models import Person
from tracebureau.timeline.choices import Correction, EventKind, Precision
from tracebureau.timeline.materialised import status_refresh
from tracebureau.timeline.models import BulkEvent, Event, Place, Source


def place_create(*, by: Any, **fields: Any) -> Place:
    policy.require(by, Can.MANAGE_REFERENCE)
    place = Place(**fields)
    place.full_clean()
    place.save()
    return place


@transaction.atomic
def place_update(*, place: Place, changes: dict[str, Any], by: Any) -> Place:
    """Correct a place (a better name, its coordinates, who controls it now); history keeps the old."""
    policy.require(by, Can.MANAGE_REFERENCE)
    return _reference_update(place, changes, by=by)


@transaction.atomic
def source_update(*, source: Source, changes: dict[str, Any], by: Any) -> Source:
    """Regrade or rename a source. Events keep the grade they were given when reported.

    Its kind cannot change once events cite it: whether captivity is ICRC-confirmed is read from
    the kind, and must not change for past reports behind the reader's back."""
    policy.require(by, Can.MANAGE_REFERENCE)
    if "kind" in changes and changes["kind"] != source.kind and source.events.exists():
        raise ValidationError({"kind": _("Events already cite this source; add a new source instead.")})
    return _reference_update(source, changes, by=by)


def _reference_update(instance: Any, changes: dict[str, Any], *, by: Any) -> Any:
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.full_clean()
    # Token-authenticated requests pass the history middleware anonymously: name the editor.
    instance._history_user = by
    instance.save()
    return instance


def source_create(*, by: Any, name: str, kind: str, reliability: str, description: str = "") -> Source:
    policy.require(by, Can.MANAGE_REFERENCE)
    source = Source(name=name, kind=kind, reliability=reliability, description=description, created_by=by)
    source.full_clean()
    source.save()
    return source


def period_start(day: dt.date, precision: str) -> dt.date:
    """A month or year is stored at its first day (STATUS.md rule 5)."""
    if precision == Precision.MONTH:
        return day.replace(day=1)
    if precision == Precision.YEAR:
        return day.replace(month=1, day=1)
    return day


def period_end(day: dt.date, precision: str) -> dt.date:
    if precision == Precision.MONTH:
        return day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if precision == Precision.YEAR:
        return day.replace(month=12, day=31)
    return day


def _birth_start(person: Person) -> dt.date | None:
    if person.birth_year is None:
        return None
    return dt.date(person.birth_year, person.birth_month or 1, person.birth_day or 1)


def _check_time(
    person: Person, occurred_on: dt.date, occurred_time: dt.time | None, precision: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if precision == Precision.EXACT and occurred_time is None:
        errors["occurred_time"] = _("An exact event needs a time; otherwise choose the day precision.")
    if precision != Precision.EXACT and occurred_time is not None:
        errors["occurred_time"] = _("A time is given only with the exact precision.")
    now = timezone.localtime()
    if occurred_on > now.date() or (
        occurred_on == now.date() and occurred_time is not None and occurred_time > now.time()
    ):
        errors["occurred_on"] = _("The event time is in the future.")
    birth = _birth_start(person)
    if precision == Precision.AFTER and occurred_on >= now.date():
        errors["occurred_on"] = _("The event time is in the future.")
    # "before D" happened at the latest the day before D; a month or year by its last day.
    if precision == Precision.BEFORE:
        latest_possible = occurred_on - dt.timedelta(days=1)
    else:
        latest_possible = period_end(occurred_on, precision)
    if birth and precision != Precision.AFTER and latest_possible < birth:
        errors["occurred_on"] = _("The event is before the person's date of birth (%(birth)s).") % {
            "birth": person.birth_date_display
        }
    return errors


def _check_correction(person: Person, corrects: Event | None, correction: str, reason: str) -> dict[str, str]:
    if corrects is None:
        return {"corrects": _("A correction needs the event it corrects.")} if correction else {}
    errors: dict[str, str] = {}
    if not correction:
        errors["correction"] = _("Say whether this retracts or supersedes the earlier event.")
    if not reason.strip():
        errors["reason"] = _("A correction needs a reason.")
    if corrects.person_id != person.pk:
        errors["corrects"] = _("The corrected event belongs to another person.")
    return errors


def build_event(
    *,
    person: Person,
    kind: str,
    occurred_on: dt.date,
    precision: str,
    source: Source,
    credibility: int,
    by: Any,
    occurred_time: dt.time | None = None,
    place: Place | None = None,
    note: str = "",
    reliability: str | None = None,
    classification: str | None = None,
    corrects: Event | None = None,
    correction: str = "",
    reason: str = "",
    bulk: BulkEvent | None = None,
    detrimental_to_disclose: bool = False,
    access_checked: bool = False,
) -> Event:
    """A validated, unsaved event. Raises ValidationError naming each wrong field.
    `access_checked`: the caller has checked a narrower right (see missing_report_record)."""
    if not access_checked:
        policy.require_row(by, person, RECORD_EVENT)
    errors: dict[str, Any] = {}
    if person.merged_into_id and corrects is None:
        errors["person"] = _("This record is merged into #%(id)s; record events there.") % {
            "id": person.merged_into_id
        }
    occurred_on = period_start(occurred_on, precision) if precision in Precision.values else occurred_on
    errors.update(_check_time(person, occurred_on, occurred_time, precision))
    errors.update(_check_correction(person, corrects, correction, reason))
    event = Event(
        person=person,
        kind=kind,
        occurred_on=occurred_on,
        occurred_time=occurred_time,
        precision=precision,
        place=place,
        source=source,
        reliability=reliability or source.reliability,
        credibility=credibility,
        note=note,
        corrects=corrects,
        correction=correction,
        reason=reason,
        bulk=bulk,
        recorded_by=by,
        detrimental_to_disclose=detrimental_to_disclose,
    )
    if classification:
        event.classification = classification
    errors.update(policy.classification_errors(by, event.classification))
    try:
        event.full_clean(exclude=["person", "bulk", "recorded_by", "corrects"], validate_constraints=False)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages)
    if errors:
        raise ValidationError(errors)
    return event


@transaction.atomic
def event_record(*, person: Person, kind: str, by: Any, **fields: Any) -> Event:
    """Record that something happened to a person. See build_event for the fields."""
    if kind == EventKind.RETRACTION:
        raise ValidationError({"kind": _("Use event_retract to retract an event.")})
    event = build_event(person=person, kind=kind, by=by, **fields)
    event.save()
    status_refresh(person_ids=[event.person_id])
    return event


@transaction.atomic
def missing_report_record(*, person: Person, by: Any, **fields: Any) -> Event:
    """A family's report that the person is missing, taken by a family liaison: the one event
    they record (Can.REPORT_MISSING), about a person they may see."""
    if policy.can(by, Can.RECORD_EVENTS):
        policy.require_row(by, person, RECORD_EVENT)
    else:
        policy.require(by, Can.REPORT_MISSING)
        policy.require_row(by, person, VIEW)
    event = build_event(person=person, kind=EventKind.REPORTED_MISSING, by=by, access_checked=True, **fields)
    event.save()
    status_refresh(person_ids=[event.person_id])
    return event


@transaction.atomic
def event_retract(*, event: Event, by: Any, reason: str, source: Source | None = None) -> Event:
    """Withdraw an event: it stays on the timeline, struck through, and no longer counts.

    Retracting the retraction restores it.
    """
    policy.require_row(by, event, CHANGE)
    Event.objects.select_for_update().filter(pk=event.pk).exists()  # serialise two retractions
    if _live_correction(event, Correction.RETRACTS):
        raise ValidationError({"corrects": _("This event is already retracted.")})
    retraction = build_event(
        person=event.person,
        kind=EventKind.RETRACTION,
        occurred_on=timezone.localdate(),
        precision=Precision.DAY,
        source=source or event.source,
        credibility=event.credibility,
        reliability=event.reliability,
        classification=event.classification,
        by=by,
        corrects=event,
        correction=Correction.RETRACTS,
        reason=reason,
    )
    retraction.save()
    status_refresh(person_ids=[retraction.person_id])
    return retraction


@transaction.atomic
def event_supersede(*, event: Event, by: Any, reason: str, **fields: Any) -> Event:
    """Replace an event with a corrected one (a better date, the right place); the old one
    stays visible as superseded."""
    policy.require_row(by, event, CHANGE)
    if event.kind == EventKind.RETRACTION:
        raise ValidationError({"corrects": _("A retraction is undone by retracting it, not superseding it.")})
    if fields.get("kind") == EventKind.RETRACTION:
        raise ValidationError({"kind": _("Use event_retract to retract an event.")})
    Event.objects.select_for_update().filter(pk=event.pk).exists()  # serialise two corrections
    if _live_correction(event, Correction.SUPERSEDES) or _live_correction(event, Correction.RETRACTS):
        raise ValidationError({"corrects": _("This event is already corrected; correct the newer one.")})
    values = {
        "kind": event.kind,
        "occurred_on": event.occurred_on,
        "occurred_time": event.occurred_time,
        "precision": event.precision,
        "place": event.place,
        "source": event.source,
        "credibility": event.credibility,
        "note": event.note,
        "classification": event.classification,
        "detrimental_to_disclose": event.detrimental_to_disclose,
        # The grade given to this report stays unless the source changes with the correction.
        "reliability": None if "source" in fields else event.reliability,
        **fields,
    }
    replacement = build_event(
        person=event.person,
        by=by,
        corrects=event,
        correction=Correction.SUPERSEDES,
        reason=reason,
        **values,
    )
    replacement.save()
    status_refresh(person_ids=[replacement.person_id])
    return replacement


def _live_correction(event: Event, correction: str) -> bool:
    """Whether a correction of this kind stands against the event (not itself retracted)."""
    live = event.corrections.filter(correction=correction).exclude(
        corrections__correction=Correction.RETRACTS
    )
    return live.exists()


@transaction.atomic
def bulk_event_record(
    *,
    persons: Sequence[Person],
    label: str,
    kind: str,
    by: Any,
    row_names: Sequence[str] | None = None,
    **fields: Any,
) -> BulkEvent:
    """One report about many people, all or nothing: if any person's event is invalid, nothing
    is written and the error names each row and field. Rows are "row 1", "row 2" ... in the
    order given, or `row_names` (the web form and the CLI pass the user's line numbers)."""
    policy.require(by, Can.RECORD_EVENTS)
    if not label.strip():
        raise ValidationError({"label": _("Give the bulk event a label (what was reported).")})
    if not persons:
        raise ValidationError({"persons": _("The list of persons is empty.")})
    if kind == EventKind.RETRACTION:
        raise ValidationError({"kind": _("Retractions are recorded one by one, each with its reason.")})
    seen: set[int] = set()
    events, row_errors = [], []
    names = list(row_names or [_("row %(n)s") % {"n": n} for n in range(1, len(persons) + 1)])
    for row, person in zip(names, persons, strict=True):
        if person.pk in seen:
            row_errors.append(_("%(row)s (%(person)s): listed twice") % {"row": row, "person": person})
            continue
        seen.add(person.pk)
        try:
            events.append(build_event(person=person, kind=kind, by=by, **fields))
        except Http404:
            row_errors.append(
                _("%(row)s (#%(id)s): no such person, or you may not record events about them")
                % {"row": row, "id": person.pk}
            )
        except ValidationError as exc:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            row_errors.append(
                _("%(row)s (%(person)s, #%(id)s): %(details)s")
                % {"row": row, "person": person, "id": person.pk, "details": details}
            )
    if row_errors:
        raise ValidationError({"persons": row_errors})
    bulk = BulkEvent.objects.create(label=label, recorded_by=by)
    for event in events:
        event.bulk = bulk
    Event.objects.bulk_create(events)
    audit_bulk_created(events, user=by)
    status_refresh(person_ids=[e.person_id for e in events])
    return bulk
