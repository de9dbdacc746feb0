"""Reads of exchanges, through the policy: the lists, the formula balance, the outcomes, the
priority-aid proposal, a person's exchanges and the history of returns."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracebureau.core.policy import CHANGE, VIEW, visible_to
from tracebureau.core.selectors import get_or_404
from tracebureau.exchanges import formula
from tracebureau.exchanges.choices import (
    CAME_BACK,
    EntryCategory,
    ExchangeState,
    Outcome,
    Side,
)
from tracebureau.exchanges.models import (
    ArrivalList,
    ArrivalRow,
    Exchange,
    ExchangeEntry,
    ExchangeOutcome,
    Transition,
)
from tracebureau.exchanges.outcomes import Arrived, Listed, Planned, plan
from tracebureau.registry.choices import Side as PersonSide
from tracebureau.registry.models import Person
from tracebureau.registry.selectors import persons_visible
from tracebureau.timeline.models import Event
from tracebureau.timeline.selectors import statuses_for
from tracebureau.timeline.status import IN_CUSTODY

OPEN_STATES = (ExchangeState.DRAFT, ExchangeState.PROPOSED, ExchangeState.AGREED, ExchangeState.EXECUTED)


def exchanges_visible(*, user: Any, action: str = VIEW) -> QuerySet[Exchange]:
    return visible_to(Exchange.objects.select_related("place", "updated_by"), user, action)


def exchange_get(*, user: Any, pk: Any, action: str = VIEW) -> Exchange:
    """One exchange, or 404 alike for one that does not exist and one the user may not see."""
    return get_or_404(exchanges_visible(user=user, action=action), pk, "exchange")


def may_change(*, user: Any, exchange: Exchange) -> bool:
    return exchanges_visible(user=user, action=CHANGE).filter(pk=exchange.pk).exists()


def entries_of(exchange: Exchange, *, side: str | None = None) -> QuerySet[ExchangeEntry]:
    """The live entries of the exchange's lists (not the withdrawn), in order of priority."""
    entries = ExchangeEntry.objects.filter(exchange=exchange, withdrawn_at__isnull=True)
    return entries.filter(side=side) if side else entries


def entries_visible(
    *, user: Any, exchange: Exchange, side: str, withdrawn: bool = False
) -> list[ExchangeEntry]:
    """One list as the user may see it: entries naming persons they may not see are left out
    (the page says how many)."""
    entries = visible_to(ExchangeEntry.objects.filter(exchange=exchange, side=side), user)
    entries = entries.filter(withdrawn_at__isnull=not withdrawn)
    return list(
        entries.select_related("person", "person__agency", "added_by", "withdrawn_by").order_by(
            "priority", "id"
        )
    )


# --- the formula ----------------------------------------------------------------------------------


def formula_of(exchange: Exchange) -> formula.Formula:
    return formula.Formula(
        ratio_ours=exchange.ratio_ours,
        ratio_theirs=exchange.ratio_theirs,
        total_ours=exchange.total_ours,
        total_theirs=exchange.total_theirs,
        terms=tuple(formula.Term(t["category"], t["ours"], t["theirs"]) for t in exchange.terms),
    )


def formula_balance(exchange: Exchange) -> formula.Balance:
    """The lists (all entries, whoever looks: the balance is the exchange's, not the reader's)
    against the formula."""
    counts = Counter(entries_of(exchange).values_list("side", "category"))
    ours = {category: n for (side, category), n in counts.items() if side == Side.REQUESTED}
    theirs = {category: n for (side, category), n in counts.items() if side == Side.OFFERED}
    return formula.balance(
        formula_of(exchange),
        ours,
        theirs,
        unnamed_ours=exchange.unnamed_ours,
        unnamed_theirs=exchange.unnamed_theirs,
    )


def breach_messages(balance: formula.Balance) -> list[str]:
    return [_breach_message(b) for b in balance.breaches]


def _breach_message(breach: formula.Breach) -> str:
    v = dict(breach.values)
    if "category" in v:
        v["category"] = EntryCategory(str(v["category"])).label
    messages = {
        "empty": _("Both lists are empty."),
        "ratio": _(
            "%(ours)s of ours for %(theirs)s of theirs does not keep the ratio "
            "%(ratio_ours)s to %(ratio_theirs)s."
        ),
        "total_ours": _("%(listed)s of ours are listed; %(agreed)s were agreed."),
        "total_theirs": _("%(listed)s of theirs are listed; %(agreed)s were agreed."),
        "term_ours": _("%(category)s: %(listed)s of ours are listed; %(agreed)s were agreed."),
        "term_theirs": _("%(category)s: %(listed)s of theirs are listed; %(agreed)s were agreed."),
    }
    return messages[breach.code] % v


# --- arrivals and outcomes --------------------------------------------------------------------------


def latest_arrivals(exchange: Exchange) -> ArrivalList | None:
    return ArrivalList.objects.filter(exchange=exchange).order_by("-uploaded_at", "-id").first()


def arrival_rows(*, user: Any, arrivals: ArrivalList) -> QuerySet[ArrivalRow]:
    """The lines of an arrivals list, less those naming a person the user may not see."""
    return visible_to(arrivals.rows.select_related("person"), user).order_by("number")


def repatriation_of(*, user: Any, exchange: Exchange) -> Any:
    """The identification batch the exchange's bodies went to, for those who may see it."""
    from tracebureau.identification.models import Repatriation

    batches = Repatriation.objects.filter(exchange_reference=exchange.reference)
    return visible_to(batches, user).first()


def planned_outcomes(exchange: Exchange, *, not_handed_over: Collection[int] = ()) -> list[Planned]:
    """Each person's outcome as the latest arrivals list tells it (before verification)."""
    upload = latest_arrivals(exchange)
    rows = list(upload.rows.all()) if upload else []
    return plan(
        [
            Listed(e.pk, e.person_id)
            for e in entries_of(exchange, side=Side.REQUESTED).order_by("priority", "id")
        ],
        [
            Listed(e.pk, e.person_id)
            for e in entries_of(exchange, side=Side.OFFERED).order_by("priority", "id")
        ],
        [Arrived(r.pk, r.person_id, r.condition) for r in rows],
        not_handed_over=not_handed_over,
    )


def current_outcomes(exchange: Exchange) -> dict[int, ExchangeOutcome]:
    """After verification: each person's latest outcome (amendments come later and win)."""
    latest: dict[int, ExchangeOutcome] = {}
    for outcome in ExchangeOutcome.objects.filter(exchange=exchange, person__isnull=False).order_by("id"):
        latest[outcome.person_id] = outcome  # type: ignore[index]
    return latest


@dataclass(frozen=True)
class OutcomeLine:
    outcome: str
    label: str
    person: Person | None
    entry: ExchangeEntry | None
    row: ArrivalRow | None
    amended: bool = False


def outcome_lines(*, user: Any, exchange: Exchange) -> list[OutcomeLine]:
    """The outcome of each person the user may see: recorded if verified, else as planned."""
    visible = set(persons_visible(user=user).values_list("pk", flat=True))
    if exchange.state == ExchangeState.VERIFIED:
        recorded = list(current_outcomes(exchange).values())
        recorded += list(ExchangeOutcome.objects.filter(exchange=exchange, person__isnull=True))
        items = [
            (o.outcome, o.person_id, o.entry_id, o.arrival_id, o.amendment_id is not None) for o in recorded
        ]
    else:
        items = [(p.outcome, p.person_id, p.entry_id, p.row_id, False) for p in planned_outcomes(exchange)]
    persons = Person.objects.in_bulk([i[1] for i in items if i[1] in visible])
    entries = ExchangeEntry.objects.in_bulk([i[2] for i in items if i[2]])
    rows = ArrivalRow.objects.in_bulk([i[3] for i in items if i[3]])
    return [
        OutcomeLine(
            outcome,
            str(Outcome(outcome).label),
            persons.get(person_id) if person_id else None,
            entries.get(entry_id) if entry_id else None,
            rows.get(row_id) if row_id else None,
            amended,
        )
        for outcome, person_id, entry_id, row_id, amended in items
        if person_id is None or person_id in visible
    ]


def outcome_counts(lines: list[OutcomeLine]) -> dict[str, int]:
    counts = Counter(line.outcome for line in lines)
    return {value: counts.get(value, 0) for value in Outcome.values}


# --- the negotiation timeline ---------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    who: Any
    what: str
    reason: str
    breaches: tuple[str, ...] = ()


def negotiation(exchange: Exchange) -> list[Step]:
    """Everything that happened to the exchange, in order: drafted, each transition, each
    arrivals list, each amendment."""
    steps = [Step(exchange.created_at, exchange.created_by, _("Drafted"), "")]
    for t in Transition.objects.filter(exchange=exchange).select_related("by"):
        what = _("%(from)s → %(to)s") % {"from": t.get_from_state_display(), "to": t.get_to_state_display()}
        if t.formula_override:
            what += " · " + _("formula overridden")
        steps.append(Step(t.at, t.by, what, t.reason, tuple(t.breaches)))
    for upload in ArrivalList.objects.filter(exchange=exchange).select_related("uploaded_by"):
        count = upload.rows.count()
        steps.append(
            Step(
                upload.uploaded_at,
                upload.uploaded_by,
                ngettext("Arrivals list %(file)s: %(n)s row", "Arrivals list %(file)s: %(n)s rows", count)
                % {"file": upload.file_name, "n": count},
                "",
            )
        )
    for amendment in exchange.amendments.select_related("by"):
        changed = ", ".join(
            f"{o.person or '—'}: {o.get_outcome_display()}"
            for o in amendment.outcomes.select_related("person")
        )
        steps.append(
            Step(amendment.at, amendment.by, _("Amended: %(what)s") % {"what": changed}, amendment.reason)
        )
    return sorted(steps, key=lambda s: s.at)


# --- priority aid --------------------------------------------------------------------------------------

SERIOUS_KINDS = ("wounded", "hospitalised", "health_report")
CUSTODY_START_KINDS = ("captured", "evacuated")


@dataclass(frozen=True)
class PriorityCandidate:
    person: Person
    seriously_wounded_or_sick: bool
    days_held: int | None
    captured_on: dt.date | None
    last_health: Event | None
    icrc_confirmed: bool
    not_returned_from: tuple[str, ...]
    reason: str


def priority_candidates(
    *, user: Any, exchange: Exchange, limit: int = 200
) -> tuple[list[PriorityCandidate], int]:
    """Our people held by the other side and on no open exchange's lists, ranked for the
    coordinator: the seriously wounded and sick first (GC III art. 109–110), then those
    left behind by an earlier exchange, then the longest held; the first `limit`, and how many
    there are in all. The coordinator decides."""
    listed = (
        ExchangeEntry.objects.filter(withdrawn_at__isnull=True)
        .exclude(exchange__state__in=(ExchangeState.VERIFIED, ExchangeState.CANCELLED))
        .values("person_id")
    )
    persons = list(
        persons_visible(user=user)
        .filter(side=PersonSide.OWN, merged_into__isnull=True, events__kind__in=CUSTODY_START_KINDS)
        .exclude(pk__in=listed)
        .distinct()
        .select_related("agency")
    )
    statuses = {}
    for start in range(0, len(persons), 500):
        statuses.update(statuses_for(user=user, persons=persons[start : start + 500]))
    held = [p for p in persons if statuses.get(p.pk) and statuses[p.pk].situation == IN_CUSTODY]
    events = _events_by_person(user, [p.pk for p in held])
    left_behind = _left_behind(user)
    today = timezone.localdate()
    candidates = [
        _candidate(p, statuses[p.pk], events.get(p.pk, []), left_behind.get(p.pk, ()), today) for p in held
    ]
    candidates.sort(
        key=lambda c: (
            not c.seriously_wounded_or_sick,
            not c.not_returned_from,
            -(c.days_held or 0),
            c.person.pk,
        )
    )
    return candidates[:limit], len(candidates)


def _events_by_person(user: Any, person_ids: list[int]) -> dict[int, list[Event]]:
    grouped: dict[int, list[Event]] = {}
    events = visible_to(Event.objects.filter(person__in=person_ids), user).order_by("occurred_on", "id")
    for event in events.exclude(kind="retraction"):
        grouped.setdefault(event.person_id, []).append(event)
    return grouped


def _candidate(
    person: Person, status: Any, events: list[Event], left: tuple[str, ...], today: dt.date
) -> PriorityCandidate:
    void = set(status.void_ids) | set(status.unconfirmed_ids)
    live = [e for e in events if e.pk not in void]
    captured = next((e.occurred_on for e in live if e.kind in CUSTODY_START_KINDS), None)
    health = [e for e in live if e.kind in SERIOUS_KINDS]
    serious = bool(health)
    days = (today - captured).days if captured else None
    reasons = []
    if serious:
        reasons.append(
            _("seriously wounded or sick (GC III art. 109–110): %(what)s %(on)s")
            % {"what": health[-1].get_kind_display().lower(), "on": health[-1].occurred_display}
        )
    if left:
        reasons.append(_("expected and not returned in %(refs)s") % {"refs": ", ".join(left)})
    if days is not None:
        reasons.append(ngettext("held %(days)s day", "held %(days)s days", days) % {"days": days})
    return PriorityCandidate(
        person=person,
        seriously_wounded_or_sick=serious,
        days_held=days,
        captured_on=captured,
        last_health=health[-1] if health else None,
        icrc_confirmed=status.level == 4,
        not_returned_from=left,
        reason="; ".join(reasons),
    )


def _left_behind(user: Any) -> dict[int, tuple[str, ...]]:
    """Person -> the verified exchanges they were expected in and did not come back from."""
    found: dict[int, list[str]] = {}
    for exchange in exchanges_visible(user=user).filter(state=ExchangeState.VERIFIED):
        for person_id, outcome in current_outcomes(exchange).items():
            if outcome.outcome == Outcome.NOT_RETURNED:
                found.setdefault(person_id, []).append(exchange.reference)
    return {pk: tuple(refs) for pk, refs in found.items()}


def outstanding(*, user: Any) -> list[tuple[Person, tuple[str, ...]]]:
    """Our people expected in a verified exchange who did not come, and are not back since:
    the next round's first names."""
    left = _left_behind(user)
    persons = list(persons_visible(user=user).filter(pk__in=list(left)))
    statuses = statuses_for(user=user, persons=persons)
    return [(p, left[p.pk]) for p in persons if statuses[p.pk].situation not in ("released",)]


# --- a person's exchanges, and the history ---------------------------------------------------------


@dataclass(frozen=True)
class PersonExchange:
    """One exchange in a person's history: the list they were on (None when they came without
    being listed, instead of someone), and what became of them once it was verified."""

    exchange: Exchange
    entry: ExchangeEntry | None
    outcome: ExchangeOutcome | None


def person_entries(*, user: Any, person: Person) -> list[PersonExchange]:
    """Every exchange list the person has been on (withdrawn entries too), and every verified
    exchange they came back in without being on its list, with the outcome."""
    # Most persons were never on a list: two plain lookups by person settle it, where building
    # the policy's queries for entries and outcomes took a fifth of a person page's time.
    if not (ExchangeEntry.objects.filter(person=person).exists()
            or ExchangeOutcome.objects.filter(person=person).exists()):  # fmt: skip
        return []
    entries = visible_to(ExchangeEntry.objects.filter(person=person), user).select_related("exchange")
    rows: dict[int, PersonExchange] = {}
    for entry in entries.order_by("id"):
        rows[entry.exchange_id] = PersonExchange(entry.exchange, entry, None)
    outcomes = visible_to(ExchangeOutcome.objects.filter(person=person), user).select_related("exchange")
    for outcome in outcomes.order_by("id"):  # the latest (an amendment) last, and kept
        row = rows.get(outcome.exchange_id)
        rows[outcome.exchange_id] = PersonExchange(outcome.exchange, row.entry if row else None, outcome)
    return sorted(
        rows.values(),
        key=lambda r: (r.exchange.executed_on or r.exchange.planned_on or dt.date.max, r.exchange.pk),
        reverse=True,
    )


@dataclass(frozen=True)
class HistoryPoint:
    exchange: Exchange
    returned: int
    deceased: int
    not_returned: int
    substituted: int
    handed_over: int
    cumulative: int


def history(*, user: Any) -> list[HistoryPoint]:
    """Verified exchanges in the order they happened, with people returned in each and in all
    so far (counts are of the exchange, not of what the reader may see of it)."""
    exchanges = (
        exchanges_visible(user=user).filter(state=ExchangeState.VERIFIED).order_by("executed_on", "id")
    )
    points, total = [], 0
    outcomes = ExchangeOutcome.objects.filter(exchange__in=exchanges).order_by("id")
    latest: dict[tuple[int, int | None, int | None], str] = {}
    for o in outcomes:
        latest[(o.exchange_id, o.person_id, o.arrival_id if o.person_id is None else None)] = o.outcome
    for exchange in exchanges:
        counts = Counter(outcome for (ex, _p, _a), outcome in latest.items() if ex == exchange.pk)
        back = sum(counts[o] for o in CAME_BACK)
        total += back
        points.append(
            HistoryPoint(
                exchange,
                counts[Outcome.RETURNED],
                counts[Outcome.DECEASED],
                counts[Outcome.NOT_RETURNED],
                counts[Outcome.SUBSTITUTED],
                # Theirs agreed by number only (bodies, usually) were handed over too.
                counts[Outcome.HANDED_OVER] + exchange.unnamed_theirs,
                total,
            )
        )
    return points


def with_counts(exchanges: QuerySet[Exchange]) -> QuerySet[Exchange]:
    """Each exchange with `listed_ours` and `listed_theirs`: live entries plus the unnamed."""
    live = Q(entries__withdrawn_at__isnull=True)
    return exchanges.annotate(
        listed_ours=Count("entries", filter=live & Q(entries__side=Side.REQUESTED)) + F("unnamed_ours"),
        listed_theirs=Count("entries", filter=live & Q(entries__side=Side.OFFERED)) + F("unnamed_theirs"),
    )
