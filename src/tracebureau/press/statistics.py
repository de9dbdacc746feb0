"""The figures a release can hold, counted from the registry, its timelines, the exchanges
and the tracing requests; never typed in.

Counting is not a user's view: the press centre sees no individual, and what the public may be
told is not anyone's clearance. Every record the policy counts in public is counted
(`policy.counted_in_public`, `policy.events_counted_in_public`): nothing detrimental to
disclose, nothing negotiation-sensitive, each person once. Each table keeps the SQL of the
queries that read its records and a sentence saying how it is counted, so that a figure can
be traced back to where it came from.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import get_language, gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from tracebureau.core import policy
from tracebureau.exchanges.choices import Outcome
from tracebureau.press.choices import Period, TableKey
from tracebureau.registry.choices import Category, Side
from tracebureau.timeline.choices import EventKind, Situation
from tracebureau.timeline.status import EVENT_SITUATION, derive_status, is_weak

NO_AGENCY = "-"
EXCHANGE_COLUMNS = ("returned", "bodies", "handed_over")
EXCHANGE_HOME = EXCHANGE_COLUMNS[:2]  # ours home, alive or dead: the running count adds these
INQUIRY_COLUMNS = ("received", "answered")
# Labels of the dimensions whose keys are not choices.
DIMENSION_LABELS: dict[str, dict[str, Any]] = {
    "situation": dict(Situation.choices),
    "category": dict(Category.choices),
    "side": {Side.OWN: _("Our people"), Side.ADVERSARY: _("The other side's people held by us")},
    "flow": {
        EventKind.CAPTURED: _("Captured"),
        EventKind.RELEASED: _("Released"),
        EventKind.REMAINS_REPATRIATED: _("Remains repatriated"),
        EventKind.IDENTIFIED: _("Identified"),
    },
    "exchange_outcome": {
        "returned": _("Came home alive"),
        "bodies": _("Bodies returned"),
        "handed_over": _("The other side's people handed over"),
    },
    "inquiry": {"received": _("Received"), "answered": _("Answered")},
    "agency": {NO_AGENCY: _("Agency not known")},
}


@dataclass(frozen=True)
class Table:
    key: str
    row_dimension: str
    column_dimension: str
    # (key, label): the label is "" where the dimension names it, else {"en": ..., "uk": ...}
    rows: list[tuple[str, Any]]
    columns: list[tuple[str, Any]]
    counts: list[list[int]]
    definition: str
    queries: list[str] = field(default_factory=list)
    # False where the columns are not parts of one whole (captured, released ... in a month):
    # then no row total and no grand total means anything, and none is published.
    rows_add_up: bool = True


@dataclass
class _Person:
    side: str
    category: str
    agency: str
    situation: str = Situation.UNKNOWN
    # The first date each flow happened to the person, by a sound event that stands.
    firsts: dict[str, dt.date] = field(default_factory=dict)


@dataclass
class _Registry:
    persons: dict[int, _Person]
    queries: list[str]
    agencies: dict[str, dict[str, str]]  # code -> its name in English and Ukrainian


def label(dimension: str, key: str, stored: Any = "") -> str:
    """How a row or column is named, in the reader's language: the dimension's own words, or
    the name stored with the table (an agency's, in English and Ukrainian), or the key."""
    if dimension == "period" and " Q" in key:
        year, quarter = key.split(" Q")
        return gettext("%(year)s, quarter %(quarter)s") % {"year": year, "quarter": quarter}
    if isinstance(stored, dict):
        language = (get_language() or "en")[:2]
        return str(stored.get(language) or stored.get("en") or key)
    return str(DIMENSION_LABELS.get(dimension, {}).get(key, stored or key))


def period_of(day: dt.date, period: str) -> str:
    if period == Period.YEAR:
        return f"{day.year}"
    if period == Period.QUARTER:
        return f"{day.year} Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def periods_between(first: dt.date, last: dt.date, period: str) -> list[str]:
    """Every period from the first to the last, empty ones included: a gap is a zero."""
    keys: list[str] = []
    day = first.replace(day=1)
    while day <= last:
        key = period_of(day, period)
        if key not in keys:
            keys.append(key)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return keys


def count_tables(keys: Iterable[str], *, period: str) -> list[Table]:
    """The tables named by `keys`, in that order, counted now."""
    registry: _Registry | None = None
    tables = []
    for key in keys:
        if key in (TableKey.EXCHANGES, TableKey.INQUIRIES):
            tables.append(_COUNTERS[key](period))
            continue
        registry = registry or _registry()
        tables.append(_REGISTRY_COUNTERS[key](registry, period))
    return tables


def _sql(queryset: QuerySet) -> str:
    return str(queryset.query)


def _registry() -> _Registry:
    """Every person counted in public, with their derived situation and the first date of
    each flow, in a few queries (merged records' events fold into the record kept)."""
    from tracebureau.registry.models import Agency, Person
    from tracebureau.timeline.models import Event

    counted = policy.counted_in_public(Person.objects.all()).values_list(
        "pk", "side", "category", "agency__code"
    )
    persons = {pk: _Person(side, category, agency or NO_AGENCY) for pk, side, category, agency in counted}
    root = _roots(persons)
    events = policy.events_counted_in_public(Event.objects.select_related("source")).order_by("pk")
    grouped: dict[int, list[Any]] = defaultdict(list)
    for event in events.iterator(chunk_size=2000):
        owner = root.get(event.person_id)
        if owner is not None:
            grouped[owner].append(event.as_status_event())
    for pk, timeline in grouped.items():
        _derive(persons[pk], timeline)
    agencies = {
        code: {"en": name, "uk": name_uk}
        for code, name, name_uk in Agency.objects.values_list("code", "name", "name_uk")
    }
    return _Registry(persons, [_sql(counted), _sql(events)], agencies)


def _roots(persons: dict[int, Any]) -> dict[int, int]:
    """Each record -> the counted record its timeline belongs to (itself, or the one it was
    merged into, however many merges away)."""
    from tracebureau.registry.models import Person

    parent = dict(Person.objects.filter(merged_into__isnull=False).values_list("pk", "merged_into"))
    roots = {pk: pk for pk in persons}
    for pk in parent:
        seen, top = {pk}, parent[pk]
        while top in parent and top not in seen:
            seen.add(top)
            top = parent[top]
        if top in persons:
            roots[pk] = top
    return roots


# Each flow starts with the first sound event that establishes its situation: captivity is
# known from a capture, but also from a proof of life, an ICRC visit or a transfer; a return
# home is a release.
FLOW_OF_SITUATION: dict[str, str] = {
    Situation.IN_CUSTODY: EventKind.CAPTURED,
    Situation.RELEASED: EventKind.RELEASED,
    Situation.REMAINS_REPATRIATED: EventKind.REMAINS_REPATRIATED,
    Situation.IDENTIFIED: EventKind.IDENTIFIED,
}


def _derive(person: _Person, timeline: list[Any]) -> None:
    status = derive_status(timeline)
    person.situation = status.situation
    void = set(status.void_ids)
    for event in sorted(timeline, key=lambda e: e.occurred_on):
        flow = FLOW_OF_SITUATION.get(EVENT_SITUATION.get(event.kind, ""))
        if flow and event.id not in void and not is_weak(event):
            person.firsts.setdefault(flow, event.occurred_on)


def _cross(
    persons: Iterable[_Person],
    rows: list[tuple[str, Any]],
    columns: list[tuple[str, Any]],
    row_of: Callable[[_Person], str],
    column_of: Callable[[_Person], str],
) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]], list[list[int]]]:
    """The rows, columns and counts of a cross-table, less the rows and columns of nobody:
    "buried" among the prisoners of war tells nothing and buries what does."""
    counted = Counter((row_of(p), column_of(p)) for p in persons)
    rows = [(r, lab) for r, lab in rows if any(counted[(r, c)] for c, _lab in columns)] or rows[:1]
    columns = [(c, lab) for c, lab in columns if any(counted[(r, c)] for r, _lab in rows)] or columns[:1]
    return rows, columns, [[counted[(r, c)] for c, _label in columns] for r, _label in rows]


def _choices(dimension: str) -> list[tuple[str, str]]:
    return [(key, "") for key in DIMENSION_LABELS[dimension]]


def _own(registry: _Registry) -> list[_Person]:
    return [p for p in registry.persons.values() if p.side == Side.OWN]


def _status_category(registry: _Registry, period: str) -> Table:
    rows, columns, counts = _cross(
        _own(registry),
        _choices("situation"),
        _choices("category"),
        lambda p: p.situation,
        lambda p: p.category,
    )
    return Table(
        TableKey.BY_STATUS_AND_CATEGORY,
        "situation",
        "category",
        rows,
        columns,
        counts,
        gettext_noop(
            "Our people (side 'own'), each once, by the situation derived from their timeline and "
            "by their category; records and events detrimental to disclose or negotiation-"
            "sensitive are left out."
        ),
        registry.queries,
    )


def _agency_status(registry: _Registry, period: str) -> Table:
    own = _own(registry)
    used = sorted(
        {p.agency for p in own},
        key=lambda code: (code == NO_AGENCY, registry.agencies.get(code, {}).get("en", "")),
    )
    named = [(code, registry.agencies.get(code, "")) for code in used]
    rows, columns, counts = _cross(
        own, named, _choices("situation"), lambda p: p.agency, lambda p: p.situation
    )
    return Table(
        TableKey.BY_AGENCY_AND_STATUS,
        "agency",
        "situation",
        rows,
        columns,
        counts,
        gettext_noop(
            "Our people, each once, by the agency they serve in and by derived situation; the same "
            "people as the table by situation and category."
        ),
        registry.queries,
    )


def _side_status(registry: _Registry, period: str) -> Table:
    rows, columns, counts = _cross(
        registry.persons.values(),
        _choices("side"),
        _choices("situation"),
        lambda p: p.side,
        lambda p: p.situation,
    )
    return Table(
        TableKey.BY_SIDE_AND_STATUS,
        "side",
        "situation",
        rows,
        columns,
        counts,
        gettext_noop(
            "Every person registered, each once: our people held by the other side or missing, and "
            "the other side's people held by us, by derived situation."
        ),
        registry.queries,
    )


def _flows(registry: _Registry, period: str) -> Table:
    own = _own(registry)
    days = [day for p in own for day in p.firsts.values()]
    rows = [(key, "") for key in (periods_between(min(days), max(days), period) if days else [])]
    columns = _choices("flow")
    index = {key: i for i, (key, _label) in enumerate(rows)}
    counts = [[0] * len(columns) for _row in rows]
    for person in own:
        for c, (kind, _label) in enumerate(columns):
            if kind in person.firsts:
                counts[index[period_of(person.firsts[kind], period)]][c] += 1
    return Table(
        TableKey.FLOWS,
        "period",
        "flow",
        rows or [("-", "")],
        columns,
        counts or [[0] * len(columns)],
        gettext_noop(
            "Our people, each counted once per column, in the period of the first sound event that "
            "stands on their timeline (not retracted or superseded, not from an unreliable source) "
            "and shows them captured (a capture, proof of life, ICRC visit, transfer ...), released "
            "or returned, their remains repatriated, or identified. A column counts everyone it "
            "ever happened to, so the columns do not add up."
        ),
        registry.queries,
        rows_add_up=False,
    )


def _exchanges(period: str) -> Table:
    """Verified exchanges only: one still in negotiation, or executed but not yet verified,
    is never in a public figure. The latest outcome of each person (or unnamed body) counts."""
    from tracebureau.exchanges.models import Exchange, ExchangeOutcome

    exchanges = policy.exchanges_counted_in_public(Exchange.objects.all()).order_by("executed_on", "pk")
    outcomes = policy.naming_only_counted(ExchangeOutcome.objects.filter(exchange__in=exchanges)).order_by(
        "pk"
    )
    latest: dict[tuple[int, str], str] = {}
    for exchange_id, person_id, arrival_id, outcome in outcomes.values_list(
        "exchange_id", "person_id", "arrival_id", "outcome"
    ):
        latest[(exchange_id, f"p{person_id}" if person_id else f"a{arrival_id}")] = outcome
    column_of: dict[str, str] = {
        Outcome.RETURNED: "returned",
        Outcome.SUBSTITUTED: "returned",
        Outcome.DECEASED: "bodies",
        Outcome.HANDED_OVER: "handed_over",
    }
    # Named by the day it took place, never by our internal reference.
    rows = [(str(e.pk), f"{e.executed_on:%Y-%m-%d}" if e.executed_on else "-") for e in exchanges]
    index = {key: i for i, (key, _label) in enumerate(rows)}
    counts = [[0] * len(EXCHANGE_COLUMNS) for _row in rows]
    for (exchange_id, _who), outcome in latest.items():
        if outcome in column_of:
            counts[index[str(exchange_id)]][EXCHANGE_COLUMNS.index(column_of[outcome])] += 1
    return Table(
        TableKey.EXCHANGES,
        "exchange",
        "exchange_outcome",
        rows or [("-", "")],
        [(c, "") for c in EXCHANGE_COLUMNS],
        counts or [[0, 0, 0]],
        gettext_noop(
            "Verified exchanges, by the day they took place: our people who came home alive (on a "
            "list or instead of someone), bodies returned (named or not yet), and the other side's "
            "people handed over, from the latest recorded outcome of each. People detrimental to "
            "disclose or negotiation-sensitive are left out."
        ),
        [_sql(exchanges), _sql(outcomes)],
        rows_add_up=False,
    )


def _inquiries(period: str) -> Table:
    from tracebureau.families.choices import InquiryState
    from tracebureau.families.models import Inquiry, InquiryStep

    inquiries = policy.naming_only_counted(Inquiry.objects.all())
    answered = InquiryStep.objects.filter(inquiry__in=inquiries, state=InquiryState.ANSWERED).order_by("at")
    received = [at.date() for at in inquiries.values_list("received_at", flat=True)]
    first_answer: dict[int, dt.date] = {}
    for inquiry_id, at in answered.values_list("inquiry_id", "at"):
        first_answer.setdefault(inquiry_id, at.date())
    days = received + list(first_answer.values())
    rows = [(key, "") for key in (periods_between(min(days), max(days), period) if days else [])]
    index = {key: i for i, (key, _label) in enumerate(rows)}
    counts = [[0, 0] for _row in rows]
    for column, dates in enumerate((received, first_answer.values())):
        for day in dates:
            counts[index[period_of(day, period)]][column] += 1
    return Table(
        TableKey.INQUIRIES,
        "period",
        "inquiry",
        rows or [("-", "")],
        [(c, "") for c in INQUIRY_COLUMNS],
        counts or [[0, 0]],
        gettext_noop(
            "Tracing requests from families, by the period they were received, and by the period "
            "of their first answer (a status conveyed or an in-person notification)."
        ),
        [_sql(inquiries), _sql(answered)],
        rows_add_up=False,
    )


_REGISTRY_COUNTERS: dict[str, Callable[[_Registry, str], Table]] = {
    TableKey.BY_STATUS_AND_CATEGORY: _status_category,
    TableKey.BY_AGENCY_AND_STATUS: _agency_status,
    TableKey.BY_SIDE_AND_STATUS: _side_status,
    TableKey.FLOWS: _flows,
}
_COUNTERS: dict[str, Callable[[str], Table]] = {
    TableKey.EXCHANGES: _exchanges,
    TableKey.INQUIRIES: _inquiries,
}
