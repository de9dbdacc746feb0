"""A generated identification case: 23 STR markers, families of realistic shapes, and remains.

Everyone is simulated with the engine's own gene dropper (`simulate_alleles`), seeded, so a run
is reproducible. Each family has one missing member and the relatives who gave references; a
share of the remains are truly some family's missing member (dropped in the same simulation as
his relatives), the rest are unrelated people drawn from the frequencies. Some references and
some remains lack markers, as degraded samples and older kits do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tracebureau.engines.kinship import (
    FEMALE,
    MALE,
    Case,
    Genotype,
    Locus,
    MutationSetting,
    Pedigree,
    Person,
    simulate_alleles,
)
from tracebureau.engines.kinship.simulate import observed

MARKERS = 23
#: Stepwise mutation rates per transmission (fathers mutate about three times as often).
RATES = {MALE: 0.002, FEMALE: 0.0007}

# One shape: (person, sex, father, mother) with "M" the missing member, and the typed relatives.
Shape = tuple[tuple[tuple[str, int, str | None, str | None], ...], tuple[str, ...]]
_FA, _MO = ("FA", MALE, None, None), ("MO", FEMALE, None, None)
SHAPES: dict[str, Shape] = {
    "son, both parents typed": ((_FA, _MO, ("M", MALE, "FA", "MO")), ("FA", "MO")),
    "son, mother typed": ((_FA, _MO, ("M", MALE, "FA", "MO")), ("MO",)),
    "son, father typed": ((_FA, _MO, ("M", MALE, "FA", "MO")), ("FA",)),
    "daughter, mother typed": ((_FA, _MO, ("M", FEMALE, "FA", "MO")), ("MO",)),
    "two full siblings typed": (
        (_FA, _MO, ("M", MALE, "FA", "MO"), ("S1", MALE, "FA", "MO"), ("S2", FEMALE, "FA", "MO")),
        ("S1", "S2"),
    ),
    "his child and its mother typed": (
        (("M", MALE, None, None), ("W", FEMALE, None, None), ("C", FEMALE, "M", "W")),
        ("W", "C"),
    ),
    "paternal half-brother and his mother typed": (
        (_FA, _MO, ("MO2", FEMALE, None, None), ("M", MALE, "FA", "MO"), ("H", MALE, "FA", "MO2")),
        ("H", "MO2"),
    ),
    "paternal uncle and mother typed": (
        (
            ("GF", MALE, None, None),
            ("GM", FEMALE, None, None),
            ("FA", MALE, "GF", "GM"),
            ("UN", MALE, "GF", "GM"),
            _MO,
            ("M", MALE, "FA", "MO"),
        ),
        ("UN", "MO"),
    ),
    "paternal grandparents typed": (
        (
            ("GF", MALE, None, None),
            ("GM", FEMALE, None, None),
            ("FA", MALE, "GF", "GM"),
            _MO,
            ("M", MALE, "FA", "MO"),
        ),
        ("GF", "GM"),
    ),
}
#: How often each shape occurs, in the order above: most families give one or two close relatives.
SHAPE_WEIGHTS = (0.20, 0.16, 0.06, 0.08, 0.14, 0.12, 0.06, 0.08, 0.10)


@dataclass
class Bench:
    case: Case
    truth: dict[str, tuple[str, str]]  # remains id → (family, missing member) it truly is
    shapes: dict[str, str] = field(default_factory=dict)  # family → shape name


def make_loci(rng: np.random.Generator, count: int = MARKERS) -> dict[str, Locus]:
    """STR-like markers: 8 to 25 alleles named by repeat number, one allele in four markers a
    microvariant, frequencies bell-shaped around a modal repeat and skewed by Dirichlet noise."""
    loci = {}
    for k in range(count):
        n = int(rng.integers(8, 26))
        start = int(rng.integers(5, 20))
        names = [str(start + a) for a in range(n)]
        if k % 4 == 0:
            names[n // 2] = f"{start + n // 2 - 1}.3"
        mode, spread = rng.uniform(0.3, 0.7) * n, rng.uniform(1.2, 3.0)
        weights = np.exp(-0.5 * ((np.arange(n) - mode) / spread) ** 2) * rng.dirichlet(np.full(n, 2.0))
        frequencies = np.maximum(weights / weights.sum(), 0.001)
        loci[f"D{k + 1:02d}"] = Locus(f"D{k + 1:02d}", tuple(names), frequencies / frequencies.sum())
    return loci


def make_mutations(loci: dict[str, Locus]) -> dict[tuple[str, int], MutationSetting]:
    return {
        (marker, sex): MutationSetting(marker, sex, "stepwise", rate=rate, rate2=1e-6, range=0.5)
        for marker in loci
        for sex, rate in RATES.items()
    }


def pedigree_of(family: str, persons: Sequence[tuple[str, int, str | None, str | None]]) -> Pedigree:
    def named(role: str | None) -> str | None:
        return None if role is None else f"{family}-{role}"

    return Pedigree(
        family,
        tuple(
            Person(f"{family}-{r}", sex, named(fa), named(mo), missing=_sought(r))
            for r, sex, fa, mo in persons
        ),
    )


def _sought(role: str) -> bool:
    """ "M" or "M1", "M2"...: a missing member ("MO", "MO2" are mothers)."""
    return role == "M" or (role[0] == "M" and role[1:].isdigit())


def drop(
    template: Pedigree, loci: dict[str, Locus], mutations: dict, size: int, rng: np.random.Generator
) -> dict[str, dict[str, list[Genotype | None]]]:
    """`size` gene drops of one template pedigree: role → marker → one observed genotype per drop."""
    out: dict[str, dict[str, list[Genotype | None]]] = {p.id: {} for p in template.persons}
    for marker, locus in loci.items():
        alleles = simulate_alleles(pedigree=template, locus=locus, rng=rng, size=size, mutations=mutations)
        for person, pairs in alleles.items():
            out[person][marker] = [observed(locus, pair) for pair in pairs]
    return out


def degrade(
    profile: dict[str, Genotype], rng: np.random.Generator, share: float, most: int
) -> dict[str, Genotype]:
    """With probability `share`, drop 1 to `most` markers (a degraded sample, an older kit)."""
    if rng.random() >= share:
        return profile
    lost = (
        set(rng.choice(sorted(profile), size=int(rng.integers(1, most + 1)), replace=False))
        if profile
        else set()
    )
    return {m: g for m, g in profile.items() if m not in lost}


def generate(*, remains: int, families: int, true_share: float, seed: int, markers: int = MARKERS) -> Bench:
    rng = np.random.default_rng(seed)
    loci = make_loci(rng, markers)
    mutations = make_mutations(loci)
    names = list(SHAPES)
    shape_of = rng.choice(len(names), size=families, p=SHAPE_WEIGHTS)
    pedigrees: dict[str, Pedigree] = {}
    references: dict[str, dict[str, Genotype]] = {}
    missing_profiles: dict[str, dict[str, Genotype]] = {}
    shapes: dict[str, str] = {}
    for s, name in enumerate(names):
        members = [k for k in range(families) if shape_of[k] == s]
        persons, typed = SHAPES[name]
        drops = drop(pedigree_of("T", persons), loci, mutations, len(members), rng)
        for d, k in enumerate(members):
            family = f"F{k + 1:05d}"
            pedigrees[family], shapes[family] = pedigree_of(family, persons), name
            for role in (*typed, "M"):
                profile = {m: g[d] for m, g in drops[f"T-{role}"].items() if g[d] is not None}
                target = missing_profiles if role == "M" else references
                target[f"{family}-{role}"] = profile if role == "M" else degrade(profile, rng, 0.1, 4)
    pedigrees = dict(sorted(pedigrees.items()))
    true_count = min(round(remains * true_share), families)
    sought = rng.choice(families, size=true_count, replace=False)
    ids = [f"R{k + 1:05d}" for k in rng.permutation(remains)]
    profiles: dict[str, dict[str, Genotype]] = {}
    sexes: dict[str, int] = {}
    truth: dict[str, tuple[str, str]] = {}
    loner = pedigree_of("U", (("X", MALE, None, None),))
    strangers = drop(loner, loci, mutations, remains - true_count, rng)["U-X"]
    for n, remains_id in enumerate(ids):
        if n < true_count:
            family = f"F{sought[n] + 1:05d}"
            missing = f"{family}-M"
            profile, sexes[remains_id] = missing_profiles[missing], pedigrees[family][missing].sex
            truth[remains_id] = (family, missing)
        else:
            profile = {m: g[n - true_count] for m, g in strangers.items() if g[n - true_count] is not None}
            sexes[remains_id] = int(rng.choice([MALE, FEMALE]))
        profiles[remains_id] = degrade(profile, rng, 0.15, 6)
    profiles = dict(sorted(profiles.items()))
    case = Case(pedigrees, references, profiles, loci, mutations, sexes)
    return Bench(case, truth, shapes)


def _spouse_and_child(husband: str, tag: str) -> tuple[tuple[str, int, str | None, str | None], ...]:
    return ((f"W{tag}", FEMALE, None, None), (f"C{tag}", FEMALE, husband, f"W{tag}"))


#: The joint benchmark: 10 missing persons in 6 families, several families with two or three.
JOINT: dict[str, Shape] = {
    "two brothers, one with a typed child": (
        (_FA, _MO, ("M1", MALE, "FA", "MO"), ("M2", MALE, "FA", "MO"), *_spouse_and_child("M1", "1")),
        ("MO", "W1", "C1"),
    ),
    "father and son": (
        (
            ("M1", MALE, None, None),
            _MO,
            ("M2", MALE, "M1", "MO"),
            ("D", FEMALE, "M1", "MO"),
            *_spouse_and_child("M2", "2"),
        ),
        ("MO", "D", "W2", "C2"),
    ),
    "father and two sons": (
        (
            ("M1", MALE, None, None),
            _MO,
            ("M2", MALE, "M1", "MO"),
            ("M3", MALE, "M1", "MO"),
            *_spouse_and_child("M2", "2"),
            *_spouse_and_child("M3", "3"),
        ),
        ("MO", "W2", "C2", "W3", "C3"),
    ),
    "son, both parents typed": SHAPES["son, both parents typed"],
    "son, mother and a brother typed": (
        (_FA, _MO, ("M", MALE, "FA", "MO"), ("S1", MALE, "FA", "MO")),
        ("MO", "S1"),
    ),
    "daughter, mother typed": SHAPES["daughter, mother typed"],
}


def generate_joint(*, seed: int, loci: dict[str, Locus]) -> Bench:
    """Ten remains, each truly one of the ten missing persons of `JOINT`'s six families."""
    rng = np.random.default_rng(seed)
    mutations = make_mutations(loci)
    pedigrees, references, profiles, sexes, truth, shapes = {}, {}, {}, {}, {}, {}
    found: list[tuple[str, str, dict[str, Genotype], int]] = []
    for k, (name, (persons, typed)) in enumerate(JOINT.items()):
        family = f"J{k + 1}"
        pedigrees[family], shapes[family] = pedigree_of(family, persons), name
        drops = drop(pedigree_of("T", persons), loci, mutations, 1, rng)
        for role, sex, _, _ in persons:
            profile = {m: g[0] for m, g in drops[f"T-{role}"].items() if g[0] is not None}
            if role in typed:
                references[f"{family}-{role}"] = profile
            elif _sought(role):
                found.append((family, f"{family}-{role}", profile, sex))
    for n, k in enumerate(rng.permutation(len(found))):
        family, missing, profile, sex = found[k]
        remains_id = f"V{n + 1:02d}"
        profiles[remains_id], sexes[remains_id], truth[remains_id] = profile, sex, (family, missing)
    case = Case(pedigrees, references, profiles, loci, mutations, sexes)
    return Bench(case, truth, shapes)
