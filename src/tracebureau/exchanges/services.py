"""Every write about exchanges: the exchange and its terms, the two lists, the steps of the
negotiation, the arrivals list, verification, and amendments after it.

Every write names the version of the exchange it was made on (`expected_version`) and is
refused if a colleague changed the exchange or its lists since: two coordinators working on
one list never overwrite each other. An executed exchange is changed only by a recorded
amendment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tracebureau.audit.services import audit_bulk_created
from tracebureau.core import policy
from tracebureau.core.errors import ConflictError
from tracebureau.core.policy import CHANGE, Can
from tracebureau.exchanges import arrivals, selectors
from tracebureau.exchanges.choices import (
    LISTS_OPEN,
    TERMS_OPEN,
    TRANSITIONS,
    Condition,
    EntryCategory,
    ExchangeKind,
    ExchangeState,
    Outcome,
    Side,
)
from tracebureau.exchanges.models import (
    Amendment,
    ArrivalList,
    ArrivalRow,
    Exchange,
    ExchangeEntry,
    ExchangeOutcome,
    Transition,
)
from tracebureau.exchanges.outcomes import Planned
from tracebureau.lists.tables import read_table
from tracebureau.registry.choices import Side as PersonSide
from tracebureau.registry.models import Person
from tracebureau.registry.selectors import person_get
from tracebureau.timeline import services as timeline
from tracebureau.timeline.choices import Credibility, EventKind, Precision, Reliability, SourceKind
from tracebureau.timeline.models import Event, Source
from tracebureau.timeline.selectors import statuses_for
from tracebureau.timeline.status import RELEASED

# The terms of an exchange, in the order the form shows them; `terms` (the counts per category)
# is set beside them.
TERM_FIELDS = (
    "title",
    "kind",
    "counterpart",
    "mediator",
    "ratio_ours",
    "ratio_theirs",
    "total_ours",
    "total_theirs",
    "unnamed_ours",
    "unnamed_theirs",
    "planned_on",
    "place",
    "note",
    "classification",
)


# --- the exchange -------------------------------------------------------------------------------


@transaction.atomic
def exchange_create(
    *, by: Any, reference: str, title: str, kind: str, counterpart: str, **fields: Any
) -> Exchange:
    """Draft an exchange. It is negotiation-sensitive unless classified lower on purpose."""
    policy.require(by, Can.MANAGE_EXCHANGES)
    unknown = set(fields) - {*TERM_FIELDS, "terms"}
    if unknown:
        raise ValidationError({name: _("Not a field of an exchange.") for name in sorted(unknown)})
    exchange = Exchange(
        reference=reference.strip(),
        title=title.strip(),
        kind=kind,
        counterpart=counterpart.strip(),
        created_by=by,
        updated_by=by,
        **fields,
    )
    _validate(exchange, by)
    exchange._history_user = by  # type: ignore[attr-defined]
    exchange.save()
    return exchange


def _validate(exchange: Exchange, by: Any) -> None:
    errors: dict[str, Any] = dict(policy.classification_errors(by, exchange.classification))
    errors.update(_terms_errors(exchange.terms))
    try:
        exchange.full_clean(exclude=["created_by", "updated_by", "source"])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages)
    if errors:
        raise ValidationError(errors)


def _terms_errors(terms: Any) -> dict[str, str]:
    """Terms are [{"category": ..., "ours": n, "theirs": n}], one per category."""
    if not isinstance(terms, list):
        return {"terms": _("The terms must be a list.")}
    seen: set[str] = set()
    for term in terms:
        category = term.get("category") if isinstance(term, dict) else None
        if category not in EntryCategory.values or category in seen:
            return {"terms": _("Each category may have one term, and only a known category.")}
        seen.add(category)
        if not all(isinstance(term.get(k), int) and term[k] >= 0 for k in ("ours", "theirs")):
            return {"terms": _("A term's numbers must be whole numbers, zero or more.")}
    return {}


@transaction.atomic
def exchange_update(
    *, exchange: Exchange, by: Any, expected_version: int, changes: Mapping[str, Any]
) -> Exchange:
    """Change the terms of an exchange that has not happened yet."""
    unknown = set(changes) - {*TERM_FIELDS, "terms"}
    if unknown:
        raise ValidationError({name: _("Not a field that can be edited.") for name in sorted(unknown)})
    current = _lock(exchange, by, expected_version, allowed=TERMS_OPEN)
    for name, value in changes.items():
        setattr(current, name, value)
    _validate(current, by)
    return _saved(current, by)


def _lock(
    exchange: Exchange, by: Any, expected_version: int | None, *, allowed: Collection[str] | None = None
) -> Exchange:
    """The exchange, locked for this write, after the checks every write makes: the actor's
    capability and clearance, the version the change was made on, and the state."""
    policy.require(by, Can.MANAGE_EXCHANGES)
    policy.require_row(by, exchange, CHANGE)
    # No join in the locking query: PostgreSQL rechecks a join against the row a concurrent
    # writer left, and the changed `updated_by` would make the exchange vanish from the result.
    current = Exchange.objects.select_for_update().get(pk=exchange.pk)
    if (
        expected_version is not None
        and current.version != expected_version
        and current.updated_by_id == by.pk
    ):
        raise ConflictError(
            _(
                "This page was out of date: you changed this exchange at %(when)s (in another tab, or "
                "before going back), so this change was not saved. The page now shows the exchange as "
                "it is; make the change again if it is still needed."
            )
            % {"when": timezone.localtime(current.updated_at).strftime("%H:%M:%S")}
        )
    if expected_version is not None and current.version != expected_version:
        raise ConflictError(
            _(
                "%(who)s changed this exchange at %(when)s, while you were working on it: your change "
                "was not saved. The page now shows their version; make your change again if it is "
                "still needed."
            )
            % {
                "who": _editor(current),
                "when": timezone.localtime(current.updated_at).strftime("%H:%M:%S"),
            }
        )
    if allowed is not None and current.state not in allowed:
        raise ValidationError(_refusal(current))
    return current


def _editor(exchange: Exchange) -> str:
    user = exchange.updated_by
    return user.get_full_name() or user.get_username()


def _refusal(exchange: Exchange) -> str:
    if exchange.state == ExchangeState.EXECUTED:
        return _("This exchange has been executed: its lists and terms cannot be edited any more.")
    if exchange.state == ExchangeState.VERIFIED:
        return _("This exchange is verified: it cannot be edited, only amended (with a reason).")
    if exchange.state == ExchangeState.CANCELLED:
        return _("This exchange was cancelled.")
    if exchange.state == ExchangeState.AGREED:
        return _("The lists are agreed: take the exchange back to “proposed” to change them.")
    return _("Not possible while the exchange is %(state)s.") % {"state": exchange.get_state_display()}


def _saved(exchange: Exchange, by: Any) -> Exchange:
    exchange.version += 1
    exchange.updated_by = by
    exchange._history_user = by  # type: ignore[attr-defined]
    exchange.save()
    return exchange


# --- the lists ----------------------------------------------------------------------------------


@transaction.atomic
def entry_add(
    *,
    exchange: Exchange,
    by: Any,
    expected_version: int,
    side: str,
    person: Person,
    category: str,
    reason: str,
    priority: int | None = None,
) -> ExchangeEntry:
    """Put a person on one of the lists, at `priority` (1 first) or at the end."""
    current = _lock(exchange, by, expected_version, allowed=LISTS_OPEN)
    person = person_get(user=by, pk=person.pk)
    errors = _entry_errors(current, side, person, category, reason) or _availability_errors(by, side, person)
    if errors:
        raise ValidationError(errors)
    active = _active(current, side)
    last = active.aggregate(last=Max("priority"))["last"] or 0
    if priority is None and category == EntryCategory.SERIOUSLY_WOUNDED:
        # GC III art. 109-110: the seriously wounded and sick go first, after those already there.
        wounded = active.filter(category=EntryCategory.SERIOUSLY_WOUNDED)
        priority = (wounded.aggregate(last=Max("priority"))["last"] or 0) + 1
    position = last + 1 if priority is None else max(1, min(priority, last + 1))
    active.filter(priority__gte=position).update(priority=F("priority") + 1)
    entry = ExchangeEntry(
        exchange=current,
        side=side,
        person=person,
        priority=position,
        category=category,
        reason=reason.strip(),
        added_by=by,
    )
    entry._history_user = by  # type: ignore[attr-defined]
    entry.save()
    _saved(current, by)
    return entry


def _active(exchange: Exchange, side: str) -> Any:
    return ExchangeEntry.objects.filter(exchange=exchange, side=side, withdrawn_at__isnull=True)


def _entry_errors(
    exchange: Exchange, side: str, person: Person, category: str, reason: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if side not in Side.values:
        errors["side"] = _("Choose a list.")
    elif side == Side.REQUESTED and person.side != PersonSide.OWN:
        errors["person"] = _("Only our own people can be requested; %(person)s is not.") % {"person": person}
    elif side == Side.OFFERED and person.side != PersonSide.ADVERSARY:
        errors["person"] = _("Only the other side's people can be offered; %(person)s is not.") % {
            "person": person
        }
    if person.merged_into_id:
        errors["person"] = _("This record is merged into #%(id)s; list that one.") % {
            "id": person.merged_into_id
        }
    if category not in EntryCategory.values:
        errors["category"] = _("Choose a category.")
    if not reason.strip():
        errors["reason"] = _("Say why this person is on the list, and at this place.")
    if ExchangeEntry.objects.filter(exchange=exchange, person=person, withdrawn_at__isnull=True).exists():
        errors["person"] = _("%(person)s is already on this exchange's lists.") % {"person": person}
    return errors


def _availability_errors(by: Any, side: str, person: Person) -> dict[str, str]:
    """A person is on one open exchange at a time, and nobody already back (or, of theirs,
    already released) is listed again: one person must not be counted in two deals."""
    elsewhere = (
        ExchangeEntry.objects.filter(person=person, withdrawn_at__isnull=True)
        .exclude(exchange__state__in=(ExchangeState.VERIFIED, ExchangeState.CANCELLED))
        .select_related("exchange")
        .first()
    )
    if elsewhere is not None:
        return {
            "person": _(
                "%(person)s is already on the lists of exchange %(ref)s (%(state)s); "
                "take them off there first."
            )
            % {
                "person": person,
                "ref": elsewhere.exchange.reference,
                "state": elsewhere.exchange.get_state_display(),
            }
        }
    status = statuses_for(user=by, persons=[person]).get(person.pk)
    if status is not None and status.situation == RELEASED:
        message = (
            _("%(person)s is already back (released); there is nobody to ask for.")
            if side == Side.REQUESTED
            else _("%(person)s has already been released; there is nobody to offer.")
        )
        return {"person": message % {"person": person}}
    return {}


@transaction.atomic
def entry_move(*, entry: ExchangeEntry, by: Any, expected_version: int, priority: int) -> ExchangeEntry:
    """Move an entry to another place in its list's order; the others close up around it."""
    current = _lock(entry.exchange, by, expected_version, allowed=LISTS_OPEN)
    entry = _live_entry(entry, current)
    ordered = [e for e in _active(current, entry.side).order_by("priority", "id") if e.pk != entry.pk]
    ordered.insert(max(0, min(priority - 1, len(ordered))), entry)
    for position, item in enumerate(ordered, start=1):
        if item.priority != position:
            item.priority = position
            item._history_user = by  # type: ignore[attr-defined]
            item.save(update_fields=["priority"])
    _saved(current, by)
    entry.refresh_from_db()
    return entry


@transaction.atomic
def entry_update(
    *, entry: ExchangeEntry, by: Any, expected_version: int, category: str, reason: str
) -> ExchangeEntry:
    current = _lock(entry.exchange, by, expected_version, allowed=LISTS_OPEN)
    entry = _live_entry(entry, current)
    if category not in EntryCategory.values:
        raise ValidationError({"category": _("Choose a category.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this person is on the list, and at this place.")})
    entry.category, entry.reason = category, reason.strip()
    entry._history_user = by  # type: ignore[attr-defined]
    entry.save(update_fields=["category", "reason"])
    _saved(current, by)
    return entry


@transaction.atomic
def entry_withdraw(*, entry: ExchangeEntry, by: Any, expected_version: int, reason: str) -> ExchangeEntry:
    """Take a person off a list. The entry stays, withdrawn, with who, when and why."""
    current = _lock(entry.exchange, by, expected_version, allowed=LISTS_OPEN)
    entry = _live_entry(entry, current)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the person comes off the list.")})
    entry.withdrawn_at, entry.withdrawn_by, entry.withdrawal_reason = timezone.now(), by, reason.strip()
    entry._history_user = by  # type: ignore[attr-defined]
    entry.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    _active(current, entry.side).filter(priority__gt=entry.priority).update(priority=F("priority") - 1)
    _saved(current, by)
    return entry


def _live_entry(entry: ExchangeEntry, exchange: Exchange) -> ExchangeEntry:
    fresh = ExchangeEntry.objects.select_for_update().get(pk=entry.pk)
    if fresh.exchange_id != exchange.pk or fresh.withdrawn_at is not None:
        raise ValidationError(_("This person is no longer on the list."))
    return fresh


# --- the negotiation ------------------------------------------------------------------------------


@transaction.atomic
def transition(
    *,
    exchange: Exchange,
    by: Any,
    expected_version: int,
    to_state: str,
    reason: str,
    override_formula: bool = False,
    executed_on: dt.date | None = None,
) -> Transition:
    """Move the exchange one step on. An agreement must keep the formula, or override it with
    the reason saying why; the override and what it overrode are recorded and counted."""
    current = _lock(exchange, by, expected_version)
    if to_state == ExchangeState.VERIFIED:
        raise ValidationError({"to_state": _("Verify the exchange from its arrivals list.")})
    if to_state not in TRANSITIONS.get(current.state, ()):
        raise ValidationError(
            {
                "to_state": _("An exchange that is %(state)s cannot become %(to)s.")
                % {
                    "state": current.get_state_display(),
                    "to": ExchangeState(to_state).label if to_state in ExchangeState.values else to_state,
                }
            }
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why (what was agreed, proposed or refused, and by whom).")})
    breaches: list[str] = []
    unnamed = current.unnamed_ours or current.unnamed_theirs
    empty = not unnamed and not selectors.entries_of(current).exists()
    if to_state == ExchangeState.PROPOSED and empty:
        raise ValidationError({"to_state": _("Put someone on the lists before proposing the exchange.")})
    if to_state == ExchangeState.AGREED:
        breaches = selectors.breach_messages(selectors.formula_balance(current))
        if breaches and not override_formula:
            raise ValidationError(
                {
                    "override_formula": [
                        _("The lists break the agreed formula:"),
                        *breaches,
                        _("Correct the lists, or override the formula with a reason."),
                    ]
                }
            )
    if to_state == ExchangeState.EXECUTED:
        _check_executed_on(current, executed_on)
        current.executed_on = executed_on
    step = Transition.objects.create(
        exchange=current,
        from_state=current.state,
        to_state=to_state,
        reason=reason.strip(),
        by=by,
        formula_override=bool(breaches),
        breaches=breaches,
    )
    current.state = to_state
    _saved(current, by)
    return step


def _check_executed_on(exchange: Exchange, executed_on: dt.date | None) -> None:
    if executed_on is None:
        raise ValidationError({"executed_on": _("Give the date the exchange took place.")})
    if executed_on > timezone.localdate():
        raise ValidationError({"executed_on": _("In the future: record it once it has happened.")})


# --- execution ------------------------------------------------------------------------------------


@transaction.atomic
def arrivals_upload(
    *,
    exchange: Exchange,
    by: Any,
    expected_version: int,
    file_name: str,
    content: bytes,
    column_mapping: Mapping[str, str] | None = None,
) -> ArrivalList:
    """Store the list of who actually came back, each line matched to its person. All or
    nothing: any line that cannot be read, fits nobody, fits uncertainly or repeats a person
    refuses the whole file, with every such line named."""
    current = _lock(exchange, by, expected_version, allowed={ExchangeState.EXECUTED})
    table = read_table(file_name, content)
    mapping = dict(column_mapping or arrivals.guess_arrival_mapping(table.headers))
    if not ({"family_name", "full_name", "registry_number"} & set(mapping)):
        raise ValidationError(
            {
                "file": _("No column of the file holds a name or a registry number (columns: %(columns)s).")
                % {"columns": ", ".join(table.headers)}
            }
        )
    lines = arrivals.read_lines(
        table.headers, table.rows, mapping, bodies=current.kind == ExchangeKind.BODIES
    )
    expected = [e.person for e in selectors.entries_of(current, side=Side.REQUESTED).select_related("person")]
    arrivals.match_lines(lines, user=by, expected=expected)
    errors = [message for line in lines for message in line.errors]
    if errors:
        raise ValidationError({"file": errors})
    upload = ArrivalList.objects.create(
        exchange=current,
        file_name=file_name[:255],
        headers=table.headers,
        column_mapping=mapping,
        uploaded_by=by,
    )
    rows = ArrivalRow.objects.bulk_create(
        ArrivalRow(
            arrival_list=upload,
            number=line.number,
            raw=line.raw,
            name=line.name[:400],
            birth_date=line.birth_date,
            condition=line.condition,
            person=line.person,
            matched_by=line.matched_by,
            probability=line.probability,
        )
        for line in lines
    )
    audit_bulk_created(rows, user=by)
    _saved(current, by)
    return upload


@transaction.atomic
def verify(
    *,
    exchange: Exchange,
    by: Any,
    expected_version: int,
    reason: str,
    not_handed_over: Collection[int] = (),
) -> Transition:
    """Close the exchange: record each person's outcome, and on every returnee's timeline the
    "released" and "returned" events (a body: "remains repatriated"), with the exchange as
    their source. Bodies go on to identification as a repatriation batch. People expected who
    did not come stay outstanding for the next round."""
    current = _lock(exchange, by, expected_version, allowed={ExchangeState.EXECUTED})
    if not reason.strip():
        raise ValidationError({"reason": _("Say how the returns were verified.")})
    upload = selectors.latest_arrivals(current)
    if upload is None and current.kind != ExchangeKind.BODIES:
        raise ValidationError({"to_state": _("Upload the list of who came back before verifying.")})
    planned = selectors.planned_outcomes(current, not_handed_over=not_handed_over)
    source = _exchange_source(current, by)
    rows = {row.pk: row for row in (upload.rows.select_related("person") if upload else [])}
    outcomes = [
        _outcome(current, item, rows.get(item.row_id) if item.row_id else None, by, source, amendment=None)
        for item in planned
    ]
    _bodies_to_identification(
        current, [o for o in outcomes if o.arrival and o.arrival.condition == Condition.DECEASED], by
    )
    step = Transition.objects.create(
        exchange=current,
        from_state=current.state,
        to_state=ExchangeState.VERIFIED,
        reason=reason.strip(),
        by=by,
    )
    current.state = ExchangeState.VERIFIED
    _saved(current, by)
    return step


def _exchange_source(exchange: Exchange, by: Any) -> Source:
    """The source the returnees' events cite: the exchange itself, graded A (seen at the
    exchange point)."""
    if exchange.source_id:
        return exchange.source  # type: ignore[return-value]
    # Not timeline.source_create: that is for the keepers of reference data, and this source is
    # the system's own record of the exchange, made by the coordinator who verifies it.
    source = Source(
        name=(_("Exchange %(reference)s") % {"reference": exchange.reference})[:200],
        kind=SourceKind.OFFICIAL,
        reliability=Reliability.A,
        description=exchange.title,
        created_by=by,
    )
    source.full_clean()
    source.save()
    exchange.source = source
    return source


def _outcome(
    exchange: Exchange,
    item: Planned,
    row: ArrivalRow | None,
    by: Any,
    source: Source,
    *,
    amendment: Amendment | None,
) -> ExchangeOutcome:
    person = Person.objects.get(pk=item.person_id) if item.person_id else None
    events = _record_events(exchange, item.outcome, person, row, by, source) if person else []
    return ExchangeOutcome.objects.create(
        exchange=exchange,
        person=person,
        entry_id=item.entry_id,
        arrival=row,
        outcome=item.outcome,
        event_ids=[e.pk for e in events],
        amendment=amendment,
        recorded_by=by,
    )


def _record_events(
    exchange: Exchange, outcome: str, person: Person, row: ArrivalRow | None, by: Any, source: Source
) -> list[Event]:
    on = exchange.executed_on or timezone.localdate()
    note = _("Exchange %(reference)s") % {"reference": exchange.reference}
    if row is not None:
        note += " · " + _("arrivals row %(row)s: %(name)s") % {"row": row.number, "name": row.name or "—"}
    body = row is not None and row.condition == Condition.DECEASED
    kinds = {
        Outcome.HANDED_OVER: [EventKind.RELEASED],
        Outcome.DECEASED: [EventKind.REMAINS_REPATRIATED],
        Outcome.RETURNED: [EventKind.RELEASED, EventKind.RETURNED],
        Outcome.SUBSTITUTED: [EventKind.REMAINS_REPATRIATED]
        if body
        else [EventKind.RELEASED, EventKind.RETURNED],
    }.get(Outcome(outcome), [])
    # A body named on the other side's list is that person only provisionally: identification
    # confirms it. A living returnee was seen at the exchange point.
    credibility = (
        Credibility.PROBABLY_TRUE if kinds == [EventKind.REMAINS_REPATRIATED] else Credibility.CONFIRMED
    )
    return [
        timeline.event_record(
            person=person,
            kind=kind,
            by=by,
            occurred_on=on,
            precision=Precision.DAY,
            source=source,
            credibility=credibility,
            place=exchange.place,
            note=note,
        )
        for kind in kinds
    ]


def _bodies_to_identification(exchange: Exchange, bodies: Sequence[ExchangeOutcome], by: Any) -> None:
    """The seam to identification: every body received becomes a remains case of one batch."""
    if not bodies:
        return
    from tracebureau.identification.services import repatriation_receive

    repatriation_receive(
        by=by,
        exchange_reference=exchange.reference,
        title=_("Bodies received in exchange %(reference)s") % {"reference": exchange.reference},
        arrived_on=exchange.executed_on or timezone.localdate(),
        counterpart=exchange.counterpart,
        route=str(exchange.place or ""),
        bodies=[(o.arrival.number, o.arrival.name, o.person) for o in bodies if o.arrival],
    )


# --- amendments -----------------------------------------------------------------------------------


@transaction.atomic
def amend_outcome(
    *, exchange: Exchange, by: Any, expected_version: int, person: Person, outcome: str, reason: str
) -> Amendment:
    """Correct what became of one person in a verified exchange: a returnee who turns out not to
    have come (their events are retracted), one who did come after all (their events are
    recorded), or someone who came and was on no list (a substitution). The earlier outcome
    stays on record; the amendment says who changed it and why."""
    current = _lock(exchange, by, expected_version, allowed={ExchangeState.VERIFIED})
    person = person_get(user=by, pk=person.pk)
    if not reason.strip():
        raise ValidationError({"reason": _("Say what was wrong and how it is known.")})
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    previous = selectors.current_outcomes(current).get(person.pk)
    if previous is not None and previous.outcome == outcome:
        raise ValidationError({"outcome": _("That is already the recorded outcome.")})
    entry = selectors.entries_of(current).filter(person=person).first()
    allowed = _amendable(entry, person, previous)
    if outcome not in allowed:
        raise ValidationError(
            {
                "outcome": _("For %(person)s the outcome can only be: %(allowed)s.")
                % {"person": person, "allowed": ", ".join(str(Outcome(o).label) for o in allowed) or "—"}
            }
        )
    amendment = Amendment.objects.create(exchange=current, reason=reason.strip(), by=by)
    if previous is not None:
        for event in Event.objects.filter(pk__in=previous.event_ids):
            timeline.event_retract(
                event=event,
                by=by,
                reason=_("Amendment of exchange %(ref)s: %(reason)s")
                % {"ref": current.reference, "reason": reason.strip()},
            )
    item = Planned(outcome, person.pk, entry_id=entry.pk if entry else None)
    row = previous.arrival if previous else None
    _outcome(current, item, row, by, _exchange_source(current, by), amendment=amendment)
    _saved(current, by)
    return amendment


def _amendable(
    entry: ExchangeEntry | None, person: Person, previous: ExchangeOutcome | None
) -> list[Outcome]:
    """The outcomes a person can be given by amendment: those of their list, or, for one of ours
    on no list, having come instead of someone (or the retraction of that)."""
    if entry is not None and entry.side == Side.REQUESTED:
        return [Outcome.RETURNED, Outcome.NOT_RETURNED, Outcome.DECEASED]
    if entry is not None:
        return [Outcome.HANDED_OVER, Outcome.NOT_HANDED_OVER]
    if person.side != PersonSide.OWN:
        return []
    return [Outcome.SUBSTITUTED, Outcome.DECEASED] + ([Outcome.NOT_RETURNED] if previous else [])


def require_viewer(by: Any) -> None:
    """For pages: refuse (403) whoever may not see exchanges at all."""
    if not policy.can(by, Can.SEE_EXCHANGES):
        raise PermissionDenied(_("Your roles do not show exchanges."))
