"""A family pedigree from the relationships the donors of reference samples stated.

A family liaison records "the mother", "a brother", "his son and the son's mother"; the engine
needs a pedigree in which each donor and the missing person have their place, with the untyped
relatives that link them (the father nobody sampled, the grandparents of an uncle). This module
draws it. No Django here: it is a pure function of the relationships, tested on its own.

    >>> family = family_pedigree(family="P7", missing_sex=1,
    ...                          donors=[Donor("S1", "mother", 2), Donor("S2", "full_sibling", 1)])
    >>> [(p.id, p.father, p.mother, p.missing) for p in family.persons]
    [('FA', None, None, False), ('S1', None, None, False), ('M', 'FA', 'S1', True), ('S2', 'FA', 'S1', False)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tracebureau.engines.kinship.records import FEMALE, MALE, KinshipInputError, Pedigree, Person

MISSING = "M"
# Untyped members, by the place they take: (id, sex, father's slot, mother's slot).
SLOTS = {
    "FA": (MALE, "PGF", "PGM"),
    "MO": (FEMALE, "MGF", "MGM"),
    "PGF": (MALE, None, None),
    "PGM": (FEMALE, None, None),
    "MGF": (MALE, None, None),
    "MGM": (FEMALE, None, None),
}


@dataclass(frozen=True)
class Donor:
    id: str
    relationship: str
    sex: int


# Relationships that fill one structural place of the pedigree.
_PLACE = {"father": "FA", "mother": "MO", "other_parent": "SP"}
# Relationships of a child of two places: the siblings and the uncles and aunts.
_CHILD_OF = {
    "full_sibling": ("FA", "MO"),
    "paternal_uncle_aunt": ("PGF", "PGM"),
    "maternal_uncle_aunt": ("MGF", "MGM"),
}
# A place needs others: a parent needs the other parent, a grandparent the other grandparent
# and the parent between them and the missing person.
_NEEDS = {
    "FA": ("MO",),
    "MO": ("FA",),
    "PGF": ("PGM", "FA"),
    "PGM": ("PGF", "FA"),
    "MGF": ("MGM", "MO"),
    "MGM": ("MGF", "MO"),
    "SP": (),
}


def family_pedigree(*, family: str, missing_sex: int, donors: Sequence[Donor]) -> Pedigree:
    """The pedigree of one missing person (id "M") and the donors, who keep their ids.

    Raises KinshipInputError for two donors in a place only one can hold (two fathers), a
    parent or grandparent of the wrong sex, or a relationship it does not know.
    """
    filled = _places_filled(donors, missing_sex)
    needed: set[str] = set(filled)
    for donor in donors:
        needed.update(_places_needed(donor))
    _close(needed)
    name = {place: filled.get(place, place) for place in SLOTS | {"SP": ()}}
    persons: list[Person] = []
    for place in ("PGF", "PGM", "MGF", "MGM", "FA", "MO", "SP"):
        if place in needed:
            father, mother = _parents_of_place(place, needed)
            persons.append(
                Person(
                    name[place],
                    _place_sex(place, missing_sex),
                    name.get(father or ""),
                    name.get(mother or ""),
                )
            )
    father, mother = (name["FA"], name["MO"]) if "FA" in needed else (None, None)
    persons.append(Person(MISSING, missing_sex, father, mother, missing=True))
    persons.extend(_others(donors, name, missing_sex))
    return Pedigree(family, tuple(_parents_first(persons)))


def _places_filled(donors: Sequence[Donor], missing_sex: int) -> dict[str, str]:
    filled: dict[str, str] = {}
    for donor in donors:
        place = _place_of(donor)
        if place is None:
            continue
        if place in filled:
            raise KinshipInputError(
                f"{donor.id}: the family already has a donor as {slot_names(place)} ({filled[place]})"
            )
        expected = _place_sex(place, missing_sex)
        if donor.sex != expected:
            raise KinshipInputError(f"{donor.id}: the {slot_names(place)} must be {_sex_word(expected)}")
        filled[place] = donor.id
    return filled


def _place_of(donor: Donor) -> str | None:
    if donor.relationship in _PLACE:
        return _PLACE[donor.relationship]
    if donor.relationship in ("paternal_grandparent", "maternal_grandparent"):
        side = "P" if donor.relationship.startswith("paternal") else "M"
        return f"{side}G{'F' if donor.sex == MALE else 'M'}"
    return None


def _places_needed(donor: Donor) -> tuple[str, ...]:
    kind = donor.relationship
    if kind in _CHILD_OF:
        return _CHILD_OF[kind]
    if kind in ("child", "other_parent"):
        return ("SP",)
    if kind == "paternal_half_sibling":
        return ("FA",)
    if kind == "maternal_half_sibling":
        return ("MO",)
    if kind in ("father", "mother", "paternal_grandparent", "maternal_grandparent"):
        return ()
    raise KinshipInputError(f"{donor.id}: unknown relationship {kind!r}")


def _close(needed: set[str]) -> None:
    changed = True
    while changed:
        before = len(needed)
        for place in list(needed):
            needed.update(_NEEDS[place])
        changed = len(needed) != before


def _parents_of_place(place: str, needed: set[str]) -> tuple[str | None, str | None]:
    father, mother = SLOTS.get(place, (0, None, None))[1:]
    if father in needed:
        return father, mother
    return None, None


def _place_sex(place: str, missing_sex: int) -> int:
    if place == "SP":
        return FEMALE if missing_sex == MALE else MALE
    return SLOTS[place][0]


def _others(donors: Sequence[Donor], name: dict[str, str], missing_sex: int) -> list[Person]:
    """The donors who are children of a place, and the other parents of half-siblings."""
    persons: list[Person] = []
    for n, donor in enumerate(donors, start=1):
        kind = donor.relationship
        if kind in _CHILD_OF:
            father, mother = _CHILD_OF[kind]
            persons.append(Person(donor.id, donor.sex, name[father], name[mother]))
        elif kind == "child":
            parents = (MISSING, name["SP"]) if missing_sex == MALE else (name["SP"], MISSING)
            persons.append(Person(donor.id, donor.sex, *parents))
        elif kind.endswith("half_sibling"):
            other = f"H{n}"
            paternal = kind.startswith("paternal")
            persons.append(Person(other, FEMALE if paternal else MALE))
            parents = (name["FA"], other) if paternal else (other, name["MO"])
            persons.append(Person(donor.id, donor.sex, *parents))
    return persons


def _parents_first(persons: list[Person]) -> list[Person]:
    """Founders, then each child after its parents, otherwise in the order given."""
    placed: set[str] = set()
    done: list[Person] = []
    pending = list(persons)
    while pending:
        person = next(p for p in pending if p.is_founder or {p.father, p.mother} <= placed)
        done.append(person)
        placed.add(person.id)
        pending.remove(person)
    return done


def slot_names(slot: str) -> str:
    return {
        "FA": "father",
        "MO": "mother",
        "PGF": "paternal grandfather",
        "PGM": "paternal grandmother",
        "MGF": "maternal grandfather",
        "MGM": "maternal grandmother",
        "SP": "other parent of the children",
    }[slot]


def _sex_word(sex: int) -> str:
    return "male" if sex == MALE else "female"
