"""The identification of the 58 brought to Kyiv, told through the identification services.

Every family's DNA is simulated by gene dropping (the kinship engine's simulator) from a
generated frequency table: the marker names are the standard forensic STR markers, the alleles
and their frequencies are made up. The missing man's own simulated profile becomes his remains'
post-mortem profile, with a few markers lost as bone DNA often is. Families differ in what they
could give: both parents, a mother, a brother, a child and its mother, an uncle, or nothing yet,
so the match run leaves strong, weak and absent evidence, as a real batch does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model

from tracebureau.core.policy import CHANGE
from tracebureau.engines.kinship import Locus, simulate_profiles
from tracebureau.engines.kinship.records import FEMALE, MALE
from tracebureau.identification import services as identification
from tracebureau.identification.choices import TaskState
from tracebureau.identification.models import MatchCandidate, MatchRun, RemainsCase
from tracebureau.identification.pedigrees import MISSING, Donor, family_pedigree
from tracebureau.identification.selectors import tasks_visible
from tracebureau.registry.models import Person
from tracebureau.registry.selectors import persons_visible

MARKERS = (
    "D3S1358",
    "vWA",
    "D16S539",
    "CSF1PO",
    "TPOX",
    "D8S1179",
    "D21S11",
    "D18S51",
    "D2S441",
    "D19S433",
    "TH01",
    "FGA",
    "D22S1045",
    "D5S818",
    "D13S317",
    "D7S820",
    "SE33",
    "D10S1248",
    "D1S1656",
    "D12S391",
    "D2S1338",
)
# What families gave, and how often (a family may not have been sampled yet: no references).
FAMILY_SHAPES: tuple[tuple[tuple[tuple[str, int], ...], float], ...] = (
    ((("father", MALE), ("mother", FEMALE)), 0.25),
    ((("mother", FEMALE),), 0.25),
    ((("mother", FEMALE), ("full_sibling", MALE)), 0.15),
    ((("child", MALE), ("other_parent", FEMALE)), 0.10),
    ((("full_sibling", FEMALE),), 0.10),
    ((("paternal_uncle_aunt", MALE),), 0.05),
    ((), 0.10),
)
DONOR_NAMES = {
    "father": "батько",
    "mother": "мати",
    "full_sibling": "брат/сестра",
    "child": "дитина",
    "other_parent": "мати дитини",
    "paternal_uncle_aunt": "дядько",
}


@dataclass(frozen=True)
class Staff:
    first: Any
    second: Any
    liaison: Any


def frequency_csv(rng: np.random.Generator) -> str:
    """A generated table: 8-20 alleles per marker around a repeat number, skewed frequencies."""
    lines = ["marker,allele,freq"]
    for marker in MARKERS:
        count = int(rng.integers(8, 21))
        start = int(rng.integers(6, 16))
        freqs = rng.dirichlet(np.full(count, 0.8))
        lines += [f"{marker},{start + i},{f:.6f}" for i, f in enumerate(freqs / freqs.sum())]
    return "\n".join(lines) + "\n"


def loci_of(frequencies: dict[str, dict[str, float]]) -> dict[str, Locus]:
    return {m: Locus(m, tuple(t), np.array(list(t.values()))) for m, t in frequencies.items()}


def identify_kyiv(story: Any, persons: Sequence[Person], *, identify: float) -> tuple[int, int, int]:
    """The batch, its cases and the families' references; a match run; the identifications the
    DNA supports (a share `identify` of the batch), their burials and the families told.
    Returns (cases, identified, buried)."""
    staff = _staff(story.world.officer)
    rng = np.random.default_rng(story.rng.randrange(2**32))
    table = identification.frequency_table_import(
        by=staff.first,
        name="Generated demo population (not real frequencies)",
        file_name="demo-freqs.csv",
        content=frequency_csv(rng).encode(),
    )
    loci = loci_of(table.frequencies)
    batch = identification.repatriation_create(
        by=staff.first,
        title="Bodies of Azovstal defenders brought to Kyiv",
        arrived_on=dt.date(2022, 6, 14),
        route="Zaporizhzhia – Kyiv",
        counterpart="Russian side",
        bodies_reported=58,
        note="According to preliminary data, four of them served in the Azov regiment.",
    )
    cases = [
        _case(story, staff, batch, person, number, loci, rng) for number, person in enumerate(persons, 1)
    ]
    run = identification.match_run_start(by=staff.first, repatriation=batch, background=False)
    identified = [c for c in cases if story.rng.random() < identify and _confirm(story, staff, run, c)]
    # The first identified waits for the family to choose the burial; most others are buried.
    buried = sum(_bury(story, staff, case) for case in identified[1:])
    _notify(story, staff)
    _leave_work_in_progress(story, staff, run, [c for c in cases if c not in identified])
    return len(cases), len(identified), buried


def _staff(officer: Any) -> Staff:
    users = get_user_model().objects
    first, second, liaison = (users.get(username=n) for n in ("identification", "identification2", "liaison"))
    return Staff(first, second, liaison)


def _case(
    story: Any,
    staff: Staff,
    batch: Any,
    person: Person,
    number: int,
    loci: dict[str, Locus],
    rng: np.random.Generator,
) -> tuple[RemainsCase, Person]:
    shape = _shape(rng)
    if not persons_visible(user=staff.first).filter(pk=person.pk).exists():
        shape = ()  # classified above the officers' clearance: their family's file is not theirs
    missing_sex = FEMALE if person.sex == "female" else MALE
    other_sex = MALE if missing_sex == FEMALE else FEMALE
    donors = [
        Donor(f"S{i}", relationship, other_sex if relationship == "other_parent" else sex)
        for i, (relationship, sex) in enumerate(shape, 1)
    ]
    pedigree = family_pedigree(family=str(person.pk), missing_sex=missing_sex, donors=donors)
    profiles = simulate_profiles(
        pedigree=pedigree, loci=loci, rng=rng, members=[MISSING, *(d.id for d in donors)]
    )
    for i, donor in enumerate(donors, 1):
        identification.reference_sample_create(
            by=staff.first,
            person=person,
            sample_code=f"KY-REF-{number:03d}-{i}",
            donor_name=f"{person.family_name} ({DONOR_NAMES[donor.relationship]})",
            donor_sex=donor.sex,
            relationship=donor.relationship,
            consent_given_on=story.between("2022-06-01", "2022-06-30"),
            markers=_markers(profiles[donor.id]),
        )
    case = identification.remains_case_create(
        by=staff.first,
        repatriation=batch,
        reference=f"KY-2022-{number:03d}",
        found_place="Azovstal steel works, Mariupol",
        found_by="Handed over by the Russian side",
        tags_and_documents=f"Identity disc: {person.service_number}" if rng.random() < 0.3 else "",
        personal_effects="Wristwatch; cross on a chain" if rng.random() < 0.3 else "",
    )
    arrived = dt.datetime(2022, 6, 14, 9, 0, tzinfo=dt.UTC)
    identification.custody_record(
        by=staff.first,
        remains_case=case,
        at=arrived,
        released_by="ICRC delegate",
        received_by="Kyiv city morgue",
        place="Kyiv",
    )
    # Bone DNA: a few markers give no result.
    kept = {m: g for m, g in profiles[MISSING].items() if rng.random() > 0.15}
    identification.remains_profile_add(
        by=staff.first, remains_case=case, markers=_markers(kept), lab_reference=f"LAB-{number:04d}"
    )
    return case, person


def _shape(rng: np.random.Generator) -> tuple[tuple[str, int], ...]:
    weights = np.array([w for _s, w in FAMILY_SHAPES])
    return FAMILY_SHAPES[int(rng.choice(len(FAMILY_SHAPES), p=weights / weights.sum()))][0]


def _markers(profile: dict[str, tuple[str, str]]) -> dict[str, list[str]]:
    return {marker: list(pair) for marker, pair in profile.items()}


def _best(run: MatchRun, case: RemainsCase) -> MatchCandidate | None:
    return MatchCandidate.objects.filter(match_run=run, remains_case=case, rank=1).first()


def _confirm(story: Any, staff: Staff, run: MatchRun, pair: tuple[RemainsCase, Person]) -> bool:
    """Propose and approve the top candidate, when it is strong enough and is the right man."""
    case, person = pair
    best = _best(run, case)
    if best is None or best.person_id != person.pk or best.log10_lr < 4:
        return False
    proposal = identification.confirmation_propose(by=staff.first, candidate=best)
    identification.confirmation_decide(
        by=staff.second,
        proposal=proposal,
        approve=True,
        reason="References consistent on every marker.",
        identified_on=story.between("2022-07-15", "2022-10-31"),
    )
    return True


def _bury(story: Any, staff: Staff, pair: tuple[RemainsCase, Person]) -> int:
    if story.rng.random() >= 0.8:
        return 0
    case = pair[0]
    event = case.decisions.get(action="confirmed").event
    assert event is not None  # a confirmation always records "identified"
    identified = event.occurred_on
    identification.burial_record(
        by=staff.first,
        remains_case=case,
        place="Memorial to the fallen, Kyiv",
        buried_on=identified + dt.timedelta(days=story.rng.randint(7, 30)),
    )
    return 1


def _notify(story: Any, staff: Staff) -> None:
    """Most families have been told; three visits are still to be made."""
    visible = tasks_visible(user=staff.liaison, action=CHANGE)
    tasks = list(visible.filter(state=TaskState.OPEN).order_by("id"))
    for task in tasks[3:]:
        identification.notification_complete(
            by=staff.liaison,
            task=task,
            outcome="Told the family in person at home; a psychologist attended.",
        )


def _leave_work_in_progress(story: Any, staff: Staff, run: MatchRun, open_cases: list[tuple]) -> None:
    """A proposal awaiting its second officer, and preliminary identifications from tags."""
    for case, person in open_cases:
        best = _best(run, case)
        if best and best.person_id == person.pk and best.log10_lr >= 4:
            identification.confirmation_propose(
                by=staff.first, candidate=best, basis="Strong LR; please review."
            )
            break
    for case, person in open_cases:
        if case.tags_and_documents and not case.decisions.exists():
            identification.preliminary_identify(
                by=staff.first, remains_case=case, person=person, basis=case.tags_and_documents
            )
