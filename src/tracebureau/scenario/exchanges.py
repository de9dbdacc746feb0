"""The demo's exchanges, negotiated, executed and verified through the exchanges services, as
the demo coordinator would at the keyboard: the "50 to 50" exchange of bodies of 2 June 2022,
the exchanges of prisoners of 29 June (the seriously wounded first) and 21 September 2022, one
exchange still proposed (its lists break the formula) and one still a draft.

The other side's prisoners offered in return are generated here: Russian names drawn from
Faker's Russian lists and the demo's table of given names, made-up dates of birth. Everyone is
fictional. The arrivals lists are generated from who came back, some rows in the Russian
spelling of the exchange point, so that the lists engine matches across scripts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from faker import Faker

from tracebureau.exchanges import selectors, services
from tracebureau.exchanges.models import Exchange, ExchangeOutcome
from tracebureau.registry import services as registry
from tracebureau.registry.models import Person
from tracebureau.scenario.cast import PersonSpec
from tracebureau.scenario.names import MALE_NAMES, russian_spelling

if TYPE_CHECKING:
    from tracebureau.scenario.azovstal import Story

COUNTERPART = "Russian Federation"
ICRC = "ICRC"
ARRIVAL_HEADERS = ["№", "Фамилия", "Имя", "Отчество", "Дата рождения"]
BODY_HEADERS = [*ARRIVAL_HEADERS, "Состояние"]
OFFICER_RANKS = frozenset(
    {"молодший лейтенант", "лейтенант", "старший лейтенант", "капітан", "майор", "підполковник",
     "лейтенант поліції", "капітан поліції"}
)
HELD_BY_US = "Taken prisoner by our forces; held in a camp for prisoners of war."


@dataclass(frozen=True)
class Told:
    """One exchange as the story told it, for the progress line."""

    exchange: Exchange

    def line(self) -> str:
        exchange = self.exchange
        outcomes = ExchangeOutcome.objects.filter(exchange=exchange)
        if not outcomes.exists():
            listed = Counter(selectors.entries_of(exchange).values_list("side", flat=True))
            told = f"{listed['requested']} of ours requested, {listed['offered']} of theirs offered"
            breaches = selectors.breach_messages(selectors.formula_balance(exchange))
            if breaches and exchange.state != "draft":
                told += " (the formula is not kept: " + " ".join(breaches) + ")"
        else:
            counts = Counter(outcomes.values_list("outcome", flat=True))
            told = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in sorted(counts.items()))
            unnamed = outcomes.filter(person__isnull=True).count()
            if unnamed:
                told += f" ({unnamed} of them unnamed, for identification)"
        return f"{exchange.reference} ({exchange.state}): {told}"


# ---- the coordinator's steps ------------------------------------------------------------------


def _create(story: Story, reference: str, title: str, kind: str, **fields: Any) -> Exchange:
    return services.exchange_create(
        by=story.coordinator, reference=reference, title=title, kind=kind, counterpart=COUNTERPART,
        place=story.world.places["zaporizhzhia"], **fields,
    )


def _list(
    story: Story, exchange: Exchange, side: str, persons: Sequence[Person], category: str | None, reason: str
) -> None:
    """Put each person on a list, in order; category None: by rank (officer or other)."""
    for person in persons:
        exchange.refresh_from_db()
        services.entry_add(
            exchange=exchange, by=story.coordinator, expected_version=exchange.version, side=side,
            person=person, category=category or _category(story, person), reason=reason,
        )


def _category(story: Story, person: Person) -> str:
    spec = story.specs.get(person.pk)
    return "officer" if spec is not None and spec.rank in OFFICER_RANKS else "other"


def _step(story: Story, exchange: Exchange, to_state: str, reason: str, **fields: Any) -> None:
    exchange.refresh_from_db()
    services.transition(
        exchange=exchange, by=story.coordinator, expected_version=exchange.version, to_state=to_state,
        reason=reason, **fields,
    )


def _negotiate(story: Story, exchange: Exchange, proposed: str, agreed: str, executed_on: dt.date) -> None:
    _step(story, exchange, "proposed", proposed)
    _step(story, exchange, "agreed", agreed)
    _step(story, exchange, "executed", "Carried out at the exchange point.", executed_on=executed_on)


def _upload(
    story: Story, exchange: Exchange, file_name: str, headers: list[str], rows: list[list[str]]
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows([[str(number), *row] for number, row in enumerate(rows, 1)])
    exchange.refresh_from_db()
    services.arrivals_upload(
        exchange=exchange, by=story.coordinator, expected_version=exchange.version, file_name=file_name,
        content=out.getvalue().encode(),
    )


def _verify(story: Story, exchange: Exchange, reason: str) -> Told:
    exchange.refresh_from_db()
    services.verify(exchange=exchange, by=story.coordinator, expected_version=exchange.version, reason=reason)
    exchange.refresh_from_db()
    return Told(exchange)


# ---- the arrivals lists --------------------------------------------------------------------------


def _birth(birth: tuple[int, int | None, int | None]) -> str:
    """As the exchange point writes it: 03.07.1990, 07.1990 or 1990."""
    year, month, day = birth
    if month is None:
        return str(year)
    return f"{month:02d}.{year}" if day is None else f"{day:02d}.{month:02d}.{year}"


def _row(story: Story, person: Person, *, russian: bool | None = None) -> list[str]:
    """One of ours as the exchange point writes him: in Russian for those known only from their
    list and for about half of the others, otherwise as registered."""
    spec: PersonSpec = story.specs[person.pk]
    if russian is None:
        russian = spec.cohort == "latin_only" or story.rng.random() < 0.5
    if russian:
        spelling = russian_spelling(spec.family_name, spec.given_names, spec.patronymic)
        names = [spelling.family_name, spelling.given_names, spelling.patronymic]
    else:
        names = [spec.family_name, spec.given_names, spec.patronymic]
    return [*names, _birth(spec.birth)]


# ---- their prisoners, held by us ----------------------------------------------------------------


def adversary_prisoners(story: Story, count: int) -> list[Person]:
    """`count` generated prisoners of the other side, with their capture by our forces."""
    faker = Faker("ru_RU")
    faker.seed_instance(story.rng.randrange(2**32))
    persons = []
    for _ in range(count):
        father = story.rng.choice(MALE_NAMES)
        shape = story.rng.random()
        year, month, day = story.rng.randint(1970, 2003), story.rng.randint(1, 12), story.rng.randint(1, 28)
        person = registry.person_create(
            by=story.world.officer, family_name=faker.last_name_male(),
            given_names=story.rng.choice(MALE_NAMES).ru, patronymic=father.ru_son, sex="male",
            category="prisoner_of_war", side="adversary", birth_year=year,
            birth_month=month if shape > 0.1 else None, birth_day=day if shape > 0.25 else None,
            nationality="Російська Федерація", power_served="Російська Федерація",
        )
        captured = story.between("2022-03-01", "2022-05-31")
        story.record(person, "captured", captured, "unit", 1, note=HELD_BY_US)
        persons.append(person)
    return persons


# ---- the exchanges --------------------------------------------------------------------------------


def bodies_exchange(story: Story) -> Told:
    """2 June 2022, "50 to 50": their list names most of our dead, the rest come unnamed;
    identification takes over the bodies as one repatriation batch."""
    dead = story.cohorts["exchange_50"]
    unnamed = max(1, round(len(dead) * 0.2))
    named = dead[: len(dead) - unnamed]
    exchange = _create(
        story, "EX-2022-06-02", 'Exchange of bodies, formula "50 to 50"', "bodies", mediator=ICRC,
        total_ours=len(dead), total_theirs=len(dead), unnamed_ours=unnamed, unnamed_theirs=len(dead),
        planned_on=dt.date(2022, 6, 2),
        note="The other side's list names most of the dead; the rest are for identification to name.",
    )
    _list(story, exchange, "requested", named, "body", "Killed at Azovstal; named on the other side's list.")
    _negotiate(
        story, exchange, "Their list of the bodies, through the ICRC.",
        "Agreed by number: all of ours held, for as many of theirs.", dt.date(2022, 6, 2),
    )
    rows = [[*_row(story, p, russian=True), "погиб"] for p in named] + [["", "", "", "", "тело"]] * unnamed
    _upload(story, exchange, "EX-2022-06-02 bodies received.csv", BODY_HEADERS, rows)
    return _verify(story, exchange, "Bodies counted at the exchange point and taken to the Kyiv morgue.")


def wounded_exchange(story: Story, wounded: list[Person]) -> Told:
    """29 June 2022: the seriously wounded first (GC III art. 109-110), one for one."""
    n = len(wounded)
    theirs = adversary_prisoners(story, n)
    exchange = _create(
        story, "EX-2022-06-29", "Exchange of prisoners, the seriously wounded first", "prisoners",
        mediator=ICRC, total_ours=n, total_theirs=n, planned_on=dt.date(2022, 6, 29),
        terms=[{"category": "seriously_wounded", "ours": n, "theirs": n}],
    )
    _list(story, exchange, "requested", wounded, "seriously_wounded",
          "Seriously wounded, evacuated from Azovstal to Novoazovsk (GC III art. 109-110).")
    _list(story, exchange, "offered", theirs, "seriously_wounded",
          "Seriously wounded, treated in our hospital.")
    _negotiate(
        story, exchange, "Proposed through the ICRC: the seriously wounded, one for one.",
        "Agreed at the meeting of the negotiators.", dt.date(2022, 6, 29),
    )
    _upload(story, exchange, "EX-2022-06-29 arrivals.csv", ARRIVAL_HEADERS, [_row(story, p) for p in wounded])
    told = _verify(story, exchange, "Each returnee checked by name and face at the exchange point.")
    story.released.update(p.pk for p in wounded)
    return told


def autumn_exchange(
    story: Story, requested: list[Person], held: list[Person]
) -> tuple[Told, list[Person]]:
    """21 September 2022: one of ours refused by the other side at the table, one who did not
    come, and one who came instead of him. Returns the exchange and the two left behind."""
    n = len(requested)
    theirs = adversary_prisoners(story, n)
    spare = [p for p in held if p not in requested and p.pk not in story.released]
    refused, substitute = spare[0], spare[-1]
    no_show = story.rng.choice(requested)
    story.featured.update({no_show.pk, refused.pk, substitute.pk})
    exchange = _create(
        story, "EX-2022-09-21", "Exchange of prisoners of war", "prisoners", total_ours=n, total_theirs=n,
        planned_on=dt.date(2022, 9, 21),
    )
    reason = "Evacuated from Azovstal; held at Olenivka since May."
    _list(story, exchange, "requested", [*requested, refused], None, reason)
    _list(story, exchange, "offered", theirs, "other", "Prisoner of war held by us.")
    _step(story, exchange, "proposed", "Proposed at the meeting of the negotiators.")
    exchange.refresh_from_db()
    entry = exchange.entries.get(person=refused, withdrawn_at__isnull=True)
    services.entry_withdraw(
        entry=entry, by=story.coordinator, expected_version=exchange.version,
        reason="Refused by the other side at the meeting of 2022-09-15; first on the next list.",
    )
    _step(story, exchange, "agreed", "Agreed at the meeting of 2022-09-15.")
    _step(story, exchange, "executed", "Carried out at the exchange point.", executed_on=dt.date(2022, 9, 21))
    came = [p for p in requested if p != no_show] + [substitute]
    _upload(story, exchange, "EX-2022-09-21 arrivals.csv", ARRIVAL_HEADERS, [_row(story, p) for p in came])
    told = _verify(story, exchange, "Each returnee checked by name and face at the exchange point.")
    story.released.update(p.pk for p in came)
    return told, [no_show, refused]


def open_exchanges(story: Story, left_behind: list[Person], others: list[Person]) -> tuple[Told, Told]:
    """For the demo coordinator: a proposal whose lists break the formula (four of ours agreed
    for four of theirs, but only three of theirs listed so far), the two left behind in
    September first; and a draft of the round after."""
    proposal = _create(
        story, "EX-2022-11-17", "Exchange of prisoners of war (proposal)", "prisoners", mediator=ICRC,
        total_ours=4, total_theirs=4, planned_on=dt.date(2022, 11, 17),
        note="Four for four, as proposed by the other side; their list is one short so far.",
    )
    _list(story, proposal, "requested", left_behind, None, "Left behind in EX-2022-09-21: first this time.")
    _list(story, proposal, "requested", others[:2], None, "Held since the evacuation from Azovstal.")
    _list(story, proposal, "offered", adversary_prisoners(story, 3), "other", "Prisoner of war held by us.")
    _step(story, proposal, "proposed", "Proposed through the ICRC; awaiting their fourth name.")
    draft = _create(story, "EX-2022-12-DRAFT", "Next exchange of prisoners (draft)", "prisoners")
    _list(story, draft, "requested", others[2:4], None, "Held since the evacuation from Azovstal.")
    proposal.refresh_from_db()
    draft.refresh_from_db()
    return Told(proposal), Told(draft)
