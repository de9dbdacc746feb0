"""The data of a kinship case: pedigrees, DNA profiles, allele frequencies, mutation settings.

A *pedigree* is one family as the bureau records it: the relatives who gave reference samples,
the members who link them, and the missing members sought. A *profile* is a person's genotype
at each marker (an unordered pair of allele labels). Allele labels stay strings ("9.3" is a
microvariant, not a number) so that nothing is lost between the laboratory file and the model.
The checks here name the person; `reading` adds the file, row and column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field

import numpy as np
from numpy.typing import NDArray

MALE = 1
FEMALE = 2

#: Frequency given to an allele seen in a profile but absent from the frequency table, when the
#: caller asks for it to be added (`missing_allele="add"`). The usual 5/(2N) rule needs the size
#: N of the frequency database, which these files do not give, so a fixed floor is used and the
#: locus is renormalised to sum to 1 afterwards.
MIN_FREQUENCY = 0.001

#: The label of a silent (null) allele in a frequency table: see `Locus`.
SILENT = "silent"

Genotype = tuple[str, str]
Profile = Mapping[str, Genotype]


class KinshipInputError(ValueError):
    """Input that cannot be a valid kinship case; the message says where and why."""


@dataclass(frozen=True)
class Person:
    """A member of a family pedigree; `father`/`mother` are None for a founder."""

    id: str
    sex: int
    father: str | None = None
    mother: str | None = None
    missing: bool = False

    @property
    def is_founder(self) -> bool:
        return self.father is None


@dataclass(frozen=True)
class Pedigree:
    """One family: its members, each either a founder (no parents) or a child of two members.

    >>> trio = Pedigree("F1", (Person("fa", MALE), Person("mo", FEMALE),
    ...                        Person("son", MALE, "fa", "mo", missing=True)))
    >>> trio.missing, [p.id for p in trio.children_of("mo")]
    (('son',), ['son'])
    """

    family: str
    persons: tuple[Person, ...]
    where: InitVar[Mapping[str, str] | None] = None
    _by_id: dict[str, Person] = field(init=False, repr=False, compare=False)

    def __post_init__(self, where: Mapping[str, str] | None) -> None:
        object.__setattr__(self, "_by_id", {p.id: p for p in self.persons})
        check_pedigree(self, where=where)

    def __getitem__(self, person_id: str) -> Person:
        return self._by_id[person_id]

    def __contains__(self, person_id: object) -> bool:
        return person_id in self._by_id

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.persons)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.persons if p.missing)

    def children_of(self, person_id: str) -> list[Person]:
        return [p for p in self.persons if person_id in (p.father, p.mother)]


def check_pedigree(pedigree: Pedigree, *, where: Mapping[str, str] | None = None) -> None:
    """Refuse duplicate ids, a lone parent, an unknown parent, a parent of the wrong sex or a
    cycle. `where` maps a person to a place in the input ("families.csv row 4"), for messages."""
    at = where or {}
    seen: set[str] = set()
    for person in pedigree.persons:
        place = at.get(person.id, f"family {pedigree.family}, person {person.id}")
        if person.id in seen:
            raise KinshipInputError(f"{place}, column id: duplicate id {person.id!r}")
        seen.add(person.id)
        if person.sex not in (MALE, FEMALE):
            raise KinshipInputError(f"{place}, column sex: sex must be 1 (male) or 2 (female)")
        _check_parents(pedigree, person, place)
    _check_acyclic(pedigree, at)


def _check_parents(pedigree: Pedigree, person: Person, place: str) -> None:
    if (person.father is None) != (person.mother is None):
        raise KinshipInputError(f"{place}, column fid/mid: give both parents or neither")
    for column, parent, sex in (("fid", person.father, MALE), ("mid", person.mother, FEMALE)):
        if parent is None:
            continue
        if parent not in pedigree:
            raise KinshipInputError(f"{place}, column {column}: unknown id {parent!r}")
        if pedigree[parent].sex != sex:
            role = "father" if sex == MALE else "mother"
            raise KinshipInputError(f"{place}, column {column}: {parent!r} is the {role} but not of that sex")


def _check_acyclic(pedigree: Pedigree, at: Mapping[str, str]) -> None:
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(person_id: str) -> None:
        state[person_id] = 1
        person = pedigree[person_id]
        for parent in (person.father, person.mother):
            if parent is None:
                continue
            if state.get(parent) == 1:
                place = at.get(person_id, f"family {pedigree.family}, person {person_id}")
                raise KinshipInputError(
                    f"{place}, column fid/mid: pedigree cycle through {parent!r} (an ancestor of itself)"
                )
            if parent not in state:
                visit(parent)
        state[person_id] = 2

    for person in pedigree.persons:
        if person.id not in state:
            visit(person.id)


@dataclass(frozen=True)
class Locus:
    """A marker's alleles and their population frequencies (summing to 1).

    An allele labelled `SILENT` ("silent") is a null allele: it is never seen in a profile, so a
    typed homozygote "a/a" is read as the phenotype "a/a or a/silent".
    """

    marker: str
    alleles: tuple[str, ...]
    frequencies: NDArray[np.float64]

    def index(self, allele: str) -> int:
        return self.alleles.index(allele)

    @property
    def has_silent(self) -> bool:
        return SILENT in self.alleles


@dataclass(frozen=True)
class MutationSetting:
    """One row of mutation.csv: the model for transmissions from parents of one sex."""

    marker: str
    sex: int
    model: str
    rate: float = 0.0
    rate2: float = 0.0
    range: float = 0.1
    source: str = field(default="", compare=False)  # "mutation.csv row 3", for messages


@dataclass(frozen=True)
class Case:
    """Everything a kinship computation needs, as read from one folder of CSV files."""

    families: dict[str, Pedigree]
    references: dict[str, dict[str, Genotype]]
    remains: dict[str, dict[str, Genotype]]
    loci: dict[str, Locus]
    mutations: dict[tuple[str, int], MutationSetting] = field(default_factory=dict)
    remains_sex: dict[str, int] = field(default_factory=dict)
    #: Drop-out probabilities by person (a remains, or a reference whose profile is degraded;
    #: see `likelihood`); anyone absent has none. `pairwise_table_batch` does not model it.
    dropout: dict[str, float] = field(default_factory=dict)
