"""The Azovstal story of 2022, told to the registry through its services.

Every write goes through registry.services, timeline.services and exchanges.services, so the
demo obeys the same validation as a case officer or an exchange coordinator at the keyboard.
The story follows the seed article: the siege, the evacuation of 16-17 May (53 seriously
wounded to Novoazovsk, 211 to Olenivka), captivity, the "50 to 50" exchange of bodies, the 58
brought to Kyiv, identifications, burials at the memorial and the exchanges of prisoners
(negotiated, executed and verified by the coordinator, one still proposed and one a draft);
plus the untidy parts an analyst meets every day: weak reports, contradictions, a wrong place
corrected, a mistaken report retracted and a duplicate record merged.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from tracebureau.registry import services as registry
from tracebureau.registry.models import Person
from tracebureau.scenario import exchanges as demo_exchanges
from tracebureau.scenario import families as demo_families
from tracebureau.scenario import press as demo_press
from tracebureau.scenario import transmissions as demo_transmissions
from tracebureau.scenario.cast import PersonSpec, build_cast
from tracebureau.scenario.dna import identify_kyiv
from tracebureau.scenario.names import Spelling, russian_latin_spelling, russian_spelling
from tracebureau.scenario.world import World, world_create
from tracebureau.timeline import services as timeline
from tracebureau.timeline.models import Event

Say = Callable[[str], None]


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@dataclass
class Story:
    """The state of the telling: the world, the registered cast and what has happened so far."""

    world: World
    rng: random.Random
    say: Say
    # The exchange coordinator who negotiates, executes and verifies the demo's exchanges.
    coordinator: Any = None
    cohorts: dict[str, list[Person]] = field(default_factory=dict)
    specs: dict[int, PersonSpec] = field(default_factory=dict)
    released: set[int] = field(default_factory=set)
    # People already given a special part, so each untidy case happens to a different person.
    featured: set[int] = field(default_factory=set)

    def record(
        self, person: Person, kind: str, on: dt.date, source: str, credibility: int, *,
        place: str | None = None, precision: str = "day", note: str = "",
    ) -> Event:
        return timeline.event_record(
            person=person, kind=kind, occurred_on=on, precision=precision,
            source=self.world.sources[source], credibility=credibility,
            place=self.world.places[place] if place else None, note=note, by=self.world.officer,
        )

    def bulk(
        self, persons: Sequence[Person], label: str, kind: str, on: dt.date, source: str,
        credibility: int, *, place: str | None = None, note: str = "",
    ) -> int:
        """One report about many people (all or nothing); how many it covers."""
        if persons:
            timeline.bulk_event_record(
                persons=persons, label=label, kind=kind, occurred_on=on, precision="day",
                source=self.world.sources[source], credibility=credibility, note=note,
                place=self.world.places[place] if place else None, by=self.world.officer,
            )
        return len(persons)

    def between(self, start: str, end: str) -> dt.date:
        first, last = day(start), day(end)
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    def share(self, persons: Sequence[Person], fraction: float) -> list[Person]:
        """A random part of a group, in registration order so the telling reads naturally."""
        chosen = set(self.rng.sample(range(len(persons)), round(len(persons) * fraction)))
        return [p for i, p in enumerate(persons) if i in chosen]

    def pick(self, cohort: str, *, exclude: set[int] | frozenset[int] = frozenset()) -> Person:
        """Someone from a cohort not yet featured, for one of the untidy cases."""
        candidates = [
            p for p in self.cohorts[cohort] if p.pk not in self.featured and p.pk not in exclude
        ]
        person = self.rng.choice(candidates)
        self.featured.add(person.pk)
        return person


# ---- registration -------------------------------------------------------------------------


def _identity(spec: PersonSpec, world: World) -> dict[str, Any]:
    year, month, birth_day = spec.birth
    return {
        "given_names": spec.given_names, "patronymic": spec.patronymic, "sex": spec.sex,
        "birth_year": year, "birth_month": month, "birth_day": birth_day,
        "agency": world.agencies.get(spec.agency), "rank": spec.rank, "unit": spec.unit,
        "service_number": spec.service_number, "call_sign": spec.call_sign,
        "place_of_birth": spec.place_of_birth, "nationality": "Україна" if spec.agency else "",
        "power_served": "Україна" if spec.category == "prisoner_of_war" and spec.agency else "",
    }


def _add_spelling(story: Story, person: Person, spelling: Spelling) -> None:
    registry.name_variant_add(
        person=person, by=story.world.analyst, family_name=spelling.family_name,
        given_names=spelling.given_names, patronymic=spelling.patronymic, script=spelling.script,
        transliteration=spelling.transliteration, source=story.world.sources["adversary"],
    )


def _add_russian_spellings(story: Story, person: Person, spec: PersonSpec) -> None:
    """As the adversary's list writes the name: Russian Cyrillic and a Russian romanisation."""
    russian = russian_spelling(spec.family_name, spec.given_names, spec.patronymic)
    _add_spelling(story, person, russian)
    # The Latin-only are registered in BGN/PCGN already; their list's other spelling is ICAO.
    scheme = "icao_9303" if spec.number % 2 or spec.cohort == "latin_only" else "bgn_pcgn"
    _add_spelling(story, person, russian_latin_spelling(russian, scheme))


def _register(story: Story, spec: PersonSpec) -> Person:
    fields = _identity(spec, story.world)
    if spec.cohort == "latin_only":
        # Known only from the adversary's list: registered as that list romanises the name.
        latin = russian_latin_spelling(russian_spelling(spec.family_name, spec.given_names, spec.patronymic))
        fields |= {"given_names": latin.given_names, "patronymic": latin.patronymic}
        family_name = latin.family_name
    else:
        family_name = spec.family_name
    return registry.person_create(
        by=story.world.officer, family_name=family_name, category=spec.category,
        **fields, **_sensitivity(spec),
    )


def _sensitivity(spec: PersonSpec) -> dict[str, Any]:
    """Spread the need-to-know over the cast, so every demo account sees a different register:
    every 25th negotiation-sensitive (on an exchange list being negotiated), every 10th
    confidential, every 40th detrimental to disclose to the family (GC IV art. 137)."""
    if spec.number % 25 == 3:
        level = "negotiation_sensitive"
    elif spec.number % 10 == 0:
        level = "confidential"
    else:
        level = "restricted" if spec.agency else "open"
    return {"classification": level, "detrimental_to_disclose": spec.number % 40 == 7}


def register_cast(story: Story, cast: list[PersonSpec]) -> None:
    for spec in cast:
        person = _register(story, spec)
        story.cohorts.setdefault(spec.cohort, []).append(person)
        story.specs[person.pk] = spec
        if spec.listed_in_russian:
            _add_russian_spellings(story, person, spec)
    latin = len(story.cohorts["latin_only"])
    listed = sum(s.listed_in_russian for s in cast) - latin
    story.say(
        f"persons: {len(cast)} registered; {listed} also spelled in Russian as on the "
        f"adversary's list; {latin} known only by a Russian romanisation"
    )


# ---- the siege: March to mid-May 2022 ----------------------------------------------------


def _report_missing(story: Story, person: Person, start: str = "2022-03-01", end: str = "2022-05-15") -> None:
    # Relatives often know only the month contact was lost.
    precision = "month" if story.rng.random() < 0.2 else "day"
    story.record(person, "reported_missing", story.between(start, end), "relatives", 3, precision=precision)


def _killed(story: Story, person: Person) -> None:
    if story.rng.random() < 0.3:
        _report_missing(story, person, "2022-03-01", "2022-03-09")
    story.record(person, "killed", story.between("2022-03-10", "2022-05-16"), "unit", 2, place="azovstal")


def siege(story: Story) -> None:
    missing = 0
    for cohort in ("missing", "civilians", "wounded", "olenivka", "captured_later"):
        for person in story.cohorts[cohort]:
            if cohort in ("missing", "civilians") or story.rng.random() < 0.6:
                _report_missing(story, person)
                missing += 1
    # A rumour is on the timeline but establishes nothing: these stay "missing" (level 2).
    rumours = story.share(story.cohorts["missing"], 0.15)
    for person in rumours:
        story.record(person, "captured", story.between("2022-05-17", "2022-06-30"), "telegram", 5)
    dead = [p for c in ("exchange_50", "kyiv_58", "killed") for p in story.cohorts[c]]
    for person in dead:
        _killed(story, person)
    story.say(f"siege, March-May 2022: {missing} reported missing by relatives "
              f"({len(rumours)} with an unconfirmed rumour of capture), {len(dead)} killed")


# ---- the evacuation of 16-17 May 2022 -----------------------------------------------------


def evacuation(story: Story) -> None:
    wounded = story.bulk(
        story.cohorts["wounded"], "Seriously wounded evacuated from Azovstal to Novoazovsk",
        "evacuated", day("2022-05-16"), "intel", 2, place="novoazovsk",
    )
    corridor = story.bulk(
        story.cohorts["olenivka"], "Evacuated through the humanitarian corridor to Olenivka",
        "evacuated", day("2022-05-17"), "intel", 2, place="olenivka",
    )
    story.say(f"evacuation 16-17 May 2022: {wounded} seriously wounded to Novoazovsk hospital, "
              f"{corridor} through the corridor to Olenivka")


# ---- captivity ------------------------------------------------------------------------------


ON_THEIR_LIST = "On the adversary's list of prisoners"


def _adversary_lists(story: Story) -> int:
    """What the adversary's lists say, dated when it happened, as their list gives it."""
    listed = 0
    groups = (("olenivka", "captured", "olenivka"), ("wounded", "hospitalised", "novoazovsk"))
    for cohort, kind, place in groups:
        for person in story.cohorts[cohort]:
            if story.specs[person.pk].listed_in_russian:
                story.record(person, kind, day("2022-05-17"), "adversary", 2, place=place, note=ON_THEIR_LIST)
                listed += 1
    for person in story.cohorts["captured_later"] + story.cohorts["latin_only"]:
        story.record(person, "captured", story.between("2022-05-18", "2022-05-20"), "adversary", 2,
                     place="olenivka", note=f"{ON_THEIR_LIST} (held at Yelenovka).")
        listed += 1
    return listed


def _icrc(story: Story) -> int:
    registered = story.bulk(
        story.share(story.cohorts["olenivka"], 0.45), "ICRC registration of prisoners of war at Olenivka",
        "icrc_visit", day("2022-05-19"), "icrc", 1, place="olenivka",
    )
    registered += story.bulk(
        story.share(story.cohorts["wounded"], 0.3), "ICRC visit to the wounded at Novoazovsk",
        "icrc_visit", day("2022-05-18"), "icrc", 1, place="novoazovsk",
    )
    later = story.share(story.cohorts["captured_later"], 0.4) + story.cohorts["latin_only"][:1]
    for person in later:
        # A capture card forwarded by the ICRC: the capture date, from an A1 source.
        story.record(person, "captured", story.between("2022-05-18", "2022-05-20"), "icrc", 1,
                     place="olenivka", note="ICRC notification of capture (capture card).")
    return registered + len(later)


def _transfers_and_videos(story: Story) -> tuple[int, int]:
    held = story.cohorts["olenivka"] + story.cohorts["captured_later"]
    moved = story.share(held, 0.15)
    for person in moved:
        on = story.between("2022-06-01", "2022-07-31")
        story.record(person, "transferred", on, "intel", 2, place="taganrog")
    for person in story.share(story.cohorts["wounded"], 0.3):
        story.record(person, "transferred", story.between("2022-05-25", "2022-06-15"), "intel", 3,
                     place="donetsk_sizo")
    filmed = story.share(held, 0.1)
    for person in filmed:
        story.record(person, "proof_of_life", story.between("2022-06-01", "2022-08-31"), "video", 2)
    return len(moved), len(filmed)


def _civilians(story: Story) -> int:
    detained = story.share(story.cohorts["civilians"], 0.6)
    for person in detained:
        story.record(person, "captured", story.between("2022-04-20", "2022-05-20"), "returnee", 2,
                     place="bezimenne", note="Held after filtration, as a fellow detainee testified.")
    return len(detained)


def captivity(story: Story) -> None:
    listed, icrc = _adversary_lists(story), _icrc(story)
    moved, filmed = _transfers_and_videos(story)
    detained = _civilians(story)
    story.say(f"captivity: {listed} reports from the adversary's lists, {icrc} registered or notified "
              f"by the ICRC, {moved} transferred to Taganrog, {filmed} proof-of-life videos, "
              f"{detained} civilians held after filtration")


# ---- exchanges of prisoners -----------------------------------------------------------------


def exchanges(story: Story) -> None:
    """The exchanges of prisoners, through the exchanges services (the dead's exchange of 2 June
    is told with the remains)."""
    wounded = story.share(story.cohorts["wounded"], 0.5)
    june = demo_exchanges.wounded_exchange(story, wounded)
    held = story.cohorts["olenivka"] + story.cohorts["captured_later"]
    september, left_behind = demo_exchanges.autumn_exchange(story, story.share(held, 0.22), held)
    civilians = [p for p in story.cohorts["civilians"] if story.rng.random() < 0.3]
    for person in civilians:
        story.record(person, "released", story.between("2022-07-01", "2022-10-31"), "returnee", 2)
    waiting = [p for p in held if p.pk not in story.released and p.pk not in story.featured]
    proposal, draft = demo_exchanges.open_exchanges(story, left_behind, story.rng.sample(waiting, 4))
    story.say(f"exchanges: {june.line()}; {september.line()}; {len(civilians)} civilians released")
    story.say(f"exchanges still negotiated: {proposal.line()}; {draft.line()}")


# ---- the dead: remains, identification, burial ------------------------------------------------


def _identify_and_bury(story: Story, persons: list[Person], fraction: float, after: str) -> tuple[int, int]:
    identified = story.share(persons, fraction)
    buried = 0
    for person in identified:
        on = story.between(after, "2022-10-31")
        story.record(person, "identified", on, "dna", 1, place="kyiv_morgue", note="DNA match with relatives")
        if story.rng.random() < 0.8:
            when = on + dt.timedelta(days=story.rng.randint(7, 30))
            story.record(person, "buried", when, "cemetery", 1, place="memorial")
            buried += 1
    return len(identified), buried


def remains(story: Story) -> None:
    dead = story.cohorts["exchange_50"] + story.cohorts["kyiv_58"] + story.cohorts["killed"]
    for person in story.share(dead, 0.3):
        story.record(person, "remains_located", story.between("2022-05-20", "2022-05-31"), "adversary", 3,
                     place="donetsk_morgue")
    # Verification records "remains repatriated" for each body the list names, and opens the
    # identification batch of all of them.
    bodies = demo_exchanges.bodies_exchange(story)
    kyiv = story.bulk(
        story.cohorts["kyiv_58"], "Bodies of Azovstal defenders brought to Kyiv", "remains_repatriated",
        day("2022-06-14"), "exchange", 1, place="kyiv_morgue",
        note="According to preliminary data, four of them served in the Azov regiment.",
    )
    first = _identify_and_bury(story, story.cohorts["exchange_50"], 0.5, "2022-07-01")
    story.say(f"remains: {bodies.line()}; {kyiv} brought to Kyiv; "
              f"of the exchange, {first[0]} identified and {first[1]} buried at the memorial")
    # The 58 are identified through the identification officers' workflow, by DNA.
    cases, identified, buried = identify_kyiv(story, story.cohorts["kyiv_58"], identify=0.6)
    story.say(f"DNA: {cases} remains cases matched against their families, {identified} identified "
              f"by two officers, {buried} buried")


# ---- the untidy parts ---------------------------------------------------------------------------


def _flagged_conflict(story: Story) -> None:
    """A media death report, then a proof-of-life video: the video wins and the pair is flagged."""
    person = story.pick("olenivka", exclude=story.released)
    story.record(person, "killed", day("2022-06-20"), "media", 3, place="olenivka",
                 note="A news site reported his death in captivity.")
    story.record(person, "proof_of_life", day("2022-08-05"), "video", 2, note="Seen alive in a video.")


def _unconfirmed_death(story: Story) -> None:
    """A Telegram rumour of death (E5), then an ICRC visit: the rumour changes nothing."""
    person = story.pick("olenivka", exclude=story.released)
    story.record(person, "killed", day("2022-06-10"), "telegram", 5, note="Rumour of death on Telegram.")
    story.record(person, "icrc_visit", day("2022-08-18"), "icrc", 1, place="olenivka")


def _wrong_place(story: Story) -> None:
    person = story.pick("olenivka", exclude=story.released)
    wrong = story.record(person, "transferred", day("2022-07-12"), "returnee", 2, place="donetsk_sizo")
    timeline.event_supersede(
        event=wrong, by=story.world.officer, place=story.world.places["taganrog"],
        reason="The returnee said 'the SIZO'; asked again, he meant Taganrog, not Donetsk.",
    )


def _mistaken_release(story: Story) -> None:
    person = story.pick("olenivka", exclude=story.released)
    mistake = story.record(person, "released", day("2022-09-21"), "exchange", 1, place="zaporizhzhia")
    timeline.event_retract(
        event=mistake, by=story.world.officer,
        reason="Recorded against the wrong person: the exchange list named his namesake.",
    )


def _duplicate(story: Story) -> None:
    """The adversary's list names someone already registered; the analyst merges the records."""
    keep = story.pick("olenivka")
    spec = story.specs[keep.pk]
    russian = russian_spelling(spec.family_name, spec.given_names, spec.patronymic)
    latin = russian_latin_spelling(russian)
    duplicate = registry.person_create(
        by=story.world.analyst, family_name=latin.family_name, given_names=latin.given_names,
        patronymic=latin.patronymic, category="prisoner_of_war", sex=spec.sex,
        birth_year=spec.birth[0], birth_month=spec.birth[1], birth_day=spec.birth[2],
    )
    _add_spelling(story, duplicate, russian)
    story.record(duplicate, "captured", day("2022-05-17"), "adversary", 2, place="olenivka")
    registry.person_merge(
        keep=keep, absorb=duplicate, by=story.world.analyst,
        reason=f"Same person: the adversary's list spells {spec.given_names} as {russian.given_names}; "
               "same date of birth, same place of capture.",
    )


def corrections(story: Story) -> None:
    count = max(1, round(len(story.cohorts["olenivka"]) / 100))
    for _ in range(count):
        _flagged_conflict(story)
        _unconfirmed_death(story)
    _wrong_place(story)
    _mistaken_release(story)
    _duplicate(story)
    story.say(f"corrections: {count} death report(s) contradicted by a later video (flagged), "
              f"{count} unconfirmed rumour(s) of death, 1 wrong place superseded, "
              "1 mistaken report retracted, 1 duplicate record merged")


STAGES = (
    siege, evacuation, captivity, exchanges, remains, corrections, demo_families.families,
    demo_transmissions.transmit,
)


@transaction.atomic
def load(
    *, seed: int, size: int, officer: Any, analyst: Any, say: Say, coordinator: Any = None
) -> Story:
    """Tell the whole story, all or nothing: a failure leaves no half-loaded demo behind. The
    exchanges are the `coordinator`'s (by default the demo account of that name)."""
    cast = build_cast(seed=seed, size=size)
    world = world_create(officer=officer, analyst=analyst)
    coordinator = coordinator or get_user_model().objects.get(username="coordinator")
    story = Story(world=world, rng=random.Random(f"{seed}-events"), say=say, coordinator=coordinator)
    say(f"world: {len(world.agencies)} agencies, {len(world.places)} places, {len(world.sources)} sources")
    register_cast(story, cast)
    for stage in STAGES:
        stage(story)
    # The public page shows what the press centre has published, so the demo publishes once.
    release = demo_press.publish_release(analyst=analyst)
    say(f"press: {release.reference} published at /releases/{release.reference}/")
    return story
