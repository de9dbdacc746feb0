"""Reading Familias 3 project files (`.fam`): persons, pedigrees, DNA data, the frequency database.

Familias (Egeland, Mostad et al.) saves a case as one line-oriented text file. Its layout is not
published; we read it as the R package pedFamilias (`readFam()`, Vigeland) does, which is the
reference for what each line means:

* line 3 the version; then the persons (line 4, or 5 when 4 is empty, gives their number), each
  as its name, three flag lines, `#TRUE#` for a male, the number of genotypes and, per genotype,
  three lines: the two alleles' and the marker's 0-based indices in the database below;
* `Known relations`: the numbers of unnamed extra females and males, then (parent, child) index
  pairs that hold in every pedigree (extras are numbered after the persons, females first);
* the pedigrees (the hypotheses): for each its index, name, its own extra females and males and
  its own (parent, child) pairs;
* a line `#FALSE# (#Databases: 1 ;Theta/Kinship/Fst: θ )` (`#TRUE#` there would mean stored
  probabilities, which we refuse, as pedFamilias does), the number of loci, `#TRUE#` and a
  database name when one is given; per locus its name, female and male mutation rates, female
  and male model codes (0 equal, 1 proportional, 2 stepwise, 3 stepwise made stationary,
  4 extended stepwise), the number of alleles with the silent one, female and male range,
  female and male rate2, `#TRUE#` when there is a silent allele, its frequency, a line starting
  with the number of alleles, then each allele's name and frequency;
* optionally a `[DVI]` section of `key= value` lines under nested `[[...]]` headings: the
  unidentified persons (the remains, with their DNA as allele names) and the reference families,
  each with its persons and pedigrees of `Parent=`/`Child=` pairs.

Where we differ from pedFamilias: a stationary stepwise model (code 3) and a silent allele are
refused with the line named (pedFamilias refuses the silent allele too, and stabilises code 3 by
its own method, which our engine does not implement); a database locus whose frequencies do not
sum to 1 within 0.01 is refused and otherwise renormalised, as `reading` does for freqs.csv.
Unnamed extras and the parent added to a child who has one are called `added_1`, `added_2`, ...
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

import numpy as np

from tracebureau.engines.kinship.records import (
    FEMALE,
    MALE,
    Case,
    Genotype,
    KinshipInputError,
    Locus,
    MutationSetting,
    Pedigree,
    Person,
)

Source = str | os.PathLike[str] | IO[str]

#: Familias' mutation model codes, as pedFamilias maps them to pedmut's models.
MODEL_CODES = {0: "equal", 1: "proportional", 2: "stepwise", 4: "stepwise"}

#: dvir's `familias2dvir()` takes a reference family's members named "Missing ..." as missing.
MISSING_PREFIX = "Missing"


@dataclass(frozen=True)
class FamiliasFile:
    """What a `.fam` file holds. `pedigrees` are the hypotheses of its main section over the
    persons of `sexes` (whose DNA is in `profiles`); `dvi` is the case of its `[DVI]` section."""

    version: str
    sexes: dict[str, int]
    profiles: dict[str, dict[str, Genotype]]
    pedigrees: dict[str, Pedigree]
    loci: dict[str, Locus]
    mutations: dict[tuple[str, int], MutationSetting] = field(default_factory=dict)
    theta: float = 0.0
    database: str = ""
    dvi: Case | None = None

    def case(self, *, pedigree: str, missing: Sequence[str]) -> Case:
        """The hypothesis `pedigree` as a kinship case: the persons in `missing` are sought, and
        their own profiles become remains of the same names (a paternity case: the alleged
        father is "missing" and his DNA the remains); the others' profiles are references."""
        if pedigree not in self.pedigrees:
            raise KinshipInputError(f"no pedigree {pedigree!r} (there are: {', '.join(self.pedigrees)})")
        family = self.pedigrees[pedigree]
        for person in missing:
            if person not in family:
                raise KinshipInputError(f"{person!r} is not in pedigree {pedigree!r}")
        persons = tuple(replace(p, missing=p.id in missing) for p in family.persons)
        references = {p: g for p, g in self.profiles.items() if p in family and p not in missing and g}
        remains = {p: self.profiles.get(p, {}) for p in missing}
        sexes = {p: family[p].sex for p in missing}
        return Case(
            {pedigree: Pedigree(pedigree, persons)}, references, remains, self.loci, self.mutations, sexes
        )


def read_familias(
    source: Source, *, name: str | None = None, missing_prefix: str = MISSING_PREFIX
) -> FamiliasFile:
    """A Familias file; problems are named by `name` (the file's name by default) and line."""
    if name is None:
        name = Path(source).name if isinstance(source, (str, os.PathLike)) else "familias file"
    lines = _Lines(_text(source), name)
    version = lines.at(3)
    lines.goto(4 if lines.at(4) != "" else 5)
    people = _persons(lines)
    extras, relations = _known_relations(lines)
    hypotheses = _hypotheses(lines)
    theta = _database_header(lines)
    database, loci, mutations, codes = _database(lines)
    sexes = {person.name: person.sex for person in people}
    profiles = {person.name: _genotypes(person, codes, lines) for person in people}
    pedigrees = {
        hypothesis.name: _main_pedigree(people, extras, relations, hypothesis, lines)
        for hypothesis in hypotheses
    }
    dvi = lines.find("[DVI]")
    case = _dvi(lines, dvi, loci, mutations, missing_prefix) if dvi is not None else None
    return FamiliasFile(version, sexes, profiles, pedigrees, loci, mutations, theta, database, case)


def _text(source: Source) -> str:
    if isinstance(source, (str, os.PathLike)):
        raw = Path(source).read_bytes()
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return raw.decode("cp1252", errors="replace")  # Familias on Windows writes its code page
    return source.read().removeprefix("\ufeff")


class _Lines:
    """The file's lines without quotes or line-end characters, read in order; every value read
    through it names its line (1-based) when it is not what the format wants there."""

    def __init__(self, text: str, name: str) -> None:
        self.lines = [line.rstrip("\r\n").replace('"', "") for line in text.splitlines()]
        self.name = name
        self.next = 1  # the line number to read next

    def where(self, number: int) -> str:
        return f"{self.name} line {number}"

    def at(self, number: int) -> str:
        if not 1 <= number <= len(self.lines):
            raise KinshipInputError(f"{self.where(number)}: the file ends too early")
        return self.lines[number - 1]

    def goto(self, number: int) -> None:
        self.next = number

    def text(self) -> str:
        value = self.at(self.next)
        self.next += 1
        return value

    def integer(self, what: str) -> int:
        value = self.text()
        try:
            return int(value)
        except ValueError:
            raise KinshipInputError(
                f"{self.where(self.next - 1)}: expected {what}, found {value!r}"
            ) from None

    def number(self, what: str) -> float:
        value = self.text()
        try:
            return float(value)
        except ValueError:
            raise KinshipInputError(
                f"{self.where(self.next - 1)}: expected {what}, found {value!r}"
            ) from None

    def flag(self) -> bool:
        return self.text().startswith("#TRUE#")

    def expect(self, value: str) -> None:
        found = self.text()
        if found != value:
            raise KinshipInputError(f"{self.where(self.next - 1)}: expected {value!r}, found {found!r}")

    def find(self, value: str) -> int | None:
        return next((k + 1 for k, line in enumerate(self.lines) if line.strip() == value), None)


@dataclass(frozen=True)
class _Person:
    name: str
    sex: int
    genotypes: tuple[tuple[int, int, int, int], ...]  # allele, allele, marker indices; the line


def _persons(lines: _Lines) -> list[_Person]:
    people = []
    for _ in range(lines.integer("the number of persons")):
        name = lines.text()
        lines.goto(lines.next + 3)  # flags pedFamilias reads only for drop-out settings
        sex = MALE if lines.flag() else FEMALE
        genotypes = []
        for _ in range(lines.integer(f"the number of genotypes of {name!r}")):
            line = lines.next
            first, second = lines.integer("an allele index"), lines.integer("an allele index")
            genotypes.append((first, second, lines.integer("a marker index"), line))
        people.append(_Person(name, sex, tuple(genotypes)))
    return people


@dataclass(frozen=True)
class _Hypothesis:
    name: str
    extras: tuple[int, int]  # females, males
    relations: tuple[tuple[int, int, int], ...]  # parent, child, line


def _relations(lines: _Lines) -> tuple[tuple[int, int, int], ...]:
    pairs = []
    for _ in range(lines.integer("the number of relations")):
        line = lines.next
        if "Direct" in lines.at(line):
            raise KinshipInputError(f"{lines.where(line)}: twins (a direct relation) are not supported")
        pairs.append((lines.integer("a parent index"), lines.integer("a child index"), line))
    return tuple(pairs)


def _known_relations(lines: _Lines) -> tuple[tuple[int, int], tuple[tuple[int, int, int], ...]]:
    lines.expect("Known relations")
    extras = (lines.integer("the number of extra females"), lines.integer("the number of extra males"))
    return extras, _relations(lines)


def _hypotheses(lines: _Lines) -> list[_Hypothesis]:
    found = []
    for _ in range(lines.integer("the number of pedigrees")):
        lines.integer("a pedigree index")
        name = lines.text()
        extras = (lines.integer("the number of extra females"), lines.integer("the number of extra males"))
        found.append(_Hypothesis(name, extras, _relations(lines)))
    return found


def _database_header(lines: _Lines) -> float:
    line = lines.next
    header = lines.text()
    if header.startswith("#TRUE#"):
        raise KinshipInputError(f"{lines.where(line)}: stored probabilities are not supported")
    match = re.search(r"Theta/Kinship/Fst:\s*([0-9.eE+-]+)", header)
    return float(match.group(1)) if match else 0.0


def _database(
    lines: _Lines,
) -> tuple[str, dict[str, Locus], dict[tuple[str, int], MutationSetting], list[tuple[str, tuple[str, ...]]]]:
    """The database's name, its loci, their mutation settings, and (marker, alleles in file
    order) by marker index, for the persons' genotypes, which point into it."""
    count = lines.integer("the number of loci")
    name = lines.text() if lines.flag() else ""
    loci: dict[str, Locus] = {}
    mutations: dict[tuple[str, int], MutationSetting] = {}
    codes: list[tuple[str, tuple[str, ...]]] = []
    for _ in range(count):
        locus, settings = _locus(lines)
        loci[locus.marker] = locus
        mutations.update(settings)
        codes.append((locus.marker, locus.alleles))
    return name, loci, mutations, codes


def _locus(lines: _Lines) -> tuple[Locus, dict[tuple[str, int], MutationSetting]]:
    start = lines.next
    marker = lines.text()
    rates = {FEMALE: lines.number("the female mutation rate"), MALE: lines.number("the male mutation rate")}
    models = {FEMALE: _model(lines, "female"), MALE: _model(lines, "male")}
    lines.integer("the number of alleles with the silent one")
    ranges = {FEMALE: lines.number("the female range"), MALE: lines.number("the male range")}
    rates2 = {FEMALE: lines.number("the female rate2"), MALE: lines.number("the male rate2")}
    if lines.flag():
        raise KinshipInputError(f"{lines.where(lines.next - 1)}: {marker}: a silent allele is not supported")
    lines.number("the silent allele's frequency")
    info_line = lines.next
    info = lines.text().split("\t")[0].strip()
    if not info.isdigit():
        raise KinshipInputError(f"{lines.where(info_line)}: expected the number of alleles of {marker}")
    alleles, frequencies = [], []
    for _ in range(int(info)):
        alleles.append(lines.text())
        frequencies.append(lines.number(f"a frequency of {marker}"))
    total = sum(frequencies)
    if abs(total - 1) > 0.01:
        raise KinshipInputError(f"{lines.where(start)}: {marker}'s frequencies sum to {total:.4f}, not 1")
    locus = Locus(marker, tuple(alleles), np.array(frequencies) / total)
    settings = {
        (marker, sex): MutationSetting(
            marker, sex, models[sex], rates[sex], rates2[sex], ranges[sex], source=lines.where(start)
        )
        for sex in (FEMALE, MALE)
        if rates[sex] > 0 or rates2[sex] > 0
    }
    return locus, settings


def _model(lines: _Lines, sex: str) -> str:
    line = lines.next
    code = lines.integer(f"the {sex} mutation model code")
    if code == 3:
        raise KinshipInputError(f"{lines.where(line)}: the stationary stepwise model (3) is not supported")
    if code not in MODEL_CODES:
        raise KinshipInputError(f"{lines.where(line)}: {code} is not a mutation model code (0-4)")
    return MODEL_CODES[code]


def _genotypes(
    person: _Person, codes: Sequence[tuple[str, tuple[str, ...]]], lines: _Lines
) -> dict[str, Genotype]:
    profile: dict[str, Genotype] = {}
    for first, second, marker, line in person.genotypes:
        if not 0 <= marker < len(codes):
            raise KinshipInputError(f"{lines.where(line + 2)}: no marker {marker} in the database")
        name, alleles = codes[marker]
        for offset, allele in enumerate((first, second)):
            if not 0 <= allele < len(alleles):
                raise KinshipInputError(f"{lines.where(line + offset)}: {name} has no allele {allele}")
        profile[name] = (alleles[first], alleles[second])
    return profile


def _main_pedigree(
    people: Sequence[_Person],
    extras: tuple[int, int],
    relations: Sequence[tuple[int, int, int]],
    hypothesis: _Hypothesis,
    lines: _Lines,
) -> Pedigree:
    """One hypothesis: the persons, the shared extras and its own, the shared relations and its own."""
    names = [p.name for p in people]
    sexes = [p.sex for p in people]
    for females, males in (extras, hypothesis.extras):
        sexes += [FEMALE] * females + [MALE] * males
    names += [f"added_{k}" for k in range(1, len(sexes) - len(names) + 1)]
    parents: dict[str, dict[int, str]] = {}
    for parent, child, line in (*relations, *hypothesis.relations):
        if not (0 <= parent < len(names) and 0 <= child < len(names)):
            raise KinshipInputError(f"{lines.where(line)}: no person {max(parent, child)} in this pedigree")
        parents.setdefault(names[child], {})[sexes[parent]] = names[parent]
    return _pedigree(hypothesis.name, dict(zip(names, sexes, strict=True)), parents)


def _pedigree(family: str, sexes: Mapping[str, int], parents: Mapping[str, Mapping[int, str]]) -> Pedigree:
    """The pedigree of these persons; a child with one known parent gets an added founder as the
    other, as pedFamilias does."""
    persons = []
    added = sum(1 for name in sexes if name.startswith("added_"))
    for name, sex in sexes.items():
        known = parents.get(name, {})
        father, mother = known.get(MALE), known.get(FEMALE)
        if (father is None) != (mother is None):
            added += 1
            extra = f"added_{added}"
            persons.append(Person(extra, FEMALE if mother is None else MALE))
            father, mother = father or extra, mother or extra
        persons.append(Person(name, sex, father, mother))
    return Pedigree(family, tuple(persons))


# The [DVI] section: nested headings and key= value lines.


@dataclass
class _DviPerson:
    name: str = ""
    sex: int = 0
    profile: dict[str, Genotype] = field(default_factory=dict)
    marker: str = ""
    allele1: str = ""


@dataclass
class _DviFamily:
    name: str = ""
    persons: list[_DviPerson] = field(default_factory=list)
    pedigrees: list[tuple[str, list[tuple[str, str, int]]]] = field(default_factory=list)


def _dvi(
    lines: _Lines,
    start: int,
    loci: Mapping[str, Locus],
    mutations: Mapping[tuple[str, int], MutationSetting],
    missing_prefix: str,
) -> Case:
    remains, families = _dvi_entries(lines, start, loci)
    pedigrees: dict[str, Pedigree] = {}
    references: dict[str, dict[str, Genotype]] = {}
    for family in families:
        pedigree = _dvi_pedigree(family, lines, missing_prefix)
        pedigrees[family.name] = pedigree
        references.update({p.name: p.profile for p in family.persons if p.profile and p.name in pedigree})
    _check_unique_ids(pedigrees)
    return Case(
        pedigrees,
        references,
        {p.name: p.profile for p in remains},
        dict(loci),
        dict(mutations),
        {p.name: p.sex for p in remains if p.sex},
    )


def _dvi_entries(
    lines: _Lines, start: int, loci: Mapping[str, Locus]
) -> tuple[list[_DviPerson], list[_DviFamily]]:
    """The unidentified persons and the reference families, walking the headings."""
    path: list[str] = []
    remains: list[_DviPerson] = []
    families: list[_DviFamily] = []
    for number in range(start + 1, len(lines.lines) + 1):
        line = lines.at(number).strip()
        if not line:
            continue
        depth = len(line) - len(line.lstrip("["))
        if depth == 1:
            break  # the next top-level section ([Prior], [Advanced], ...)
        if depth:
            path = [*path[: depth - 2], line.strip("[] ")]
            if path[0] == "Unidentified persons" and len(path) == 2 and path[1].startswith("Person"):
                remains.append(_DviPerson())
            elif path[0] == "Reference Families" and len(path) == 2:
                families.append(_DviFamily())
            elif path[0] == "Reference Families" and len(path) == 4 and path[2] == "Persons":
                families[-1].persons.append(_DviPerson())
            elif path[0] == "Reference Families" and len(path) == 4 and path[2] == "Pedigrees":
                families[-1].pedigrees.append(("", []))
            continue
        key, _, value = (part.strip() for part in line.partition("="))
        _dvi_value(path, (key, value), remains, families, (number, lines, loci))
    return remains, families


_Where = tuple[int, _Lines, Mapping[str, Locus]]  # the line, the file, the database to check against


def _dvi_value(
    path: Sequence[str],
    entry: tuple[str, str],
    remains: list[_DviPerson],
    families: list[_DviFamily],
    where: _Where,
) -> None:
    key, value = entry
    number, lines, _ = where
    section = path[0] if path else ""
    if section == "Unidentified persons" and len(path) >= 2 and remains:
        _person_value(remains[-1], entry, where)
    elif section == "Reference Families" and len(path) == 2 and key == "Name" and families:
        families[-1].name = value
    elif section == "Reference Families" and len(path) >= 4 and path[2] == "Persons":
        _person_value(families[-1].persons[-1], entry, where)
    elif section == "Reference Families" and len(path) == 4 and path[2] == "Pedigrees":
        _, pairs = families[-1].pedigrees[-1]
        if key == "Name":
            families[-1].pedigrees[-1] = (value, pairs)
        elif key == "Parent":
            pairs.append((value, "", number))
        elif key == "Child":
            if not pairs or pairs[-1][1]:
                raise KinshipInputError(f"{lines.where(number)}: a Child= line without its Parent= line")
            pairs[-1] = (pairs[-1][0], value, pairs[-1][2])


def _person_value(person: _DviPerson, entry: tuple[str, str], where: _Where) -> None:
    key, value = entry
    number, lines, loci = where
    if key == "Name":
        person.name = value
    elif key == "Gender":
        person.sex = {"Male": MALE, "Female": FEMALE}.get(value, 0)
    elif key == "SystemName":
        person.marker = value
    elif key == "Allele1":
        person.allele1 = value
    elif key == "Allele2":
        marker, person.marker = person.marker, ""
        if not marker:
            raise KinshipInputError(f"{lines.where(number)}: an allele without its SystemName= line")
        if marker not in loci:
            raise KinshipInputError(f"{lines.where(number)}: marker {marker!r} is not in the database")
        if not person.allele1 and not value:
            return  # not typed
        for allele in (person.allele1, value):
            if allele not in loci[marker].alleles:
                message = f"allele {allele!r} of {marker} ({person.name}) is not in the database"
                raise KinshipInputError(f"{lines.where(number)}: {message}")
        person.profile[marker] = (person.allele1, value)


def _dvi_pedigree(family: _DviFamily, lines: _Lines, missing_prefix: str) -> Pedigree:
    """The family's pedigree with its missing members, as dvir's `familias2dvir()` takes it: the
    first pedigree not named "Reference pedigree" (Familias' pedigree of the references alone),
    the persons connected to it, and those named `missing_prefix`... as missing. Persons named
    only in a relation ("Missing person") are added, their sex that of no spouse."""
    chosen = [p for p in family.pedigrees if p[0] != "Reference pedigree"] or family.pedigrees
    if not chosen:
        raise KinshipInputError(f"{lines.name}: reference family {family.name!r} has no pedigree")
    pairs = chosen[0][1]
    sexes = {p.name: p.sex for p in family.persons}
    for parent, child, _ in pairs:
        sexes.setdefault(parent, 0)
        sexes.setdefault(child, 0)
    _decide_sexes(sexes, pairs, lines)
    parents: dict[str, dict[int, str]] = {}
    for parent, child, _ in pairs:
        parents.setdefault(child, {})[sexes[parent]] = parent
    typed = {p.name for p in family.persons if p.profile}
    kept = _connected(set(sexes), pairs, typed)
    sexes = {name: sex or MALE for name, sex in sexes.items() if name in kept}
    pedigree = _pedigree(family.name, sexes, parents)
    persons = tuple(replace(p, missing=p.id.startswith(missing_prefix)) for p in pedigree.persons)
    return Pedigree(family.name, persons)


def _decide_sexes(sexes: dict[str, int], pairs: Sequence[tuple[str, str, int]], lines: _Lines) -> None:
    """A parent of unknown sex takes the sex its co-parents do not have (pedFamilias' rule)."""
    for parent, _, number in pairs:
        if sexes[parent]:
            continue
        children = {c for p, c, _ in pairs if p == parent}
        spouses = {sexes[p] for p, c, _ in pairs if c in children and p != parent}
        if spouses == {MALE}:
            sexes[parent] = FEMALE
        elif spouses == {FEMALE}:
            sexes[parent] = MALE
        else:
            raise KinshipInputError(f"{lines.where(number)}: cannot decide the sex of parent {parent!r}")


def _connected(names: set[str], pairs: Iterable[tuple[str, str, int]], typed: set[str]) -> set[str]:
    """The persons linked by parenthood to a typed one (dvir keeps the pedigree component with
    more than one member: an isolated untyped person says nothing about any remains)."""
    links: dict[str, set[str]] = {name: set() for name in names}
    for parent, child, _ in pairs:
        links[parent].add(child)
        links[child].add(parent)
    seen: set[str] = set()
    frontier = [name for name in names if name in typed]
    while frontier:
        name = frontier.pop()
        if name not in seen:
            seen.add(name)
            frontier += links[name] - seen
    return seen or names


def _check_unique_ids(pedigrees: Mapping[str, Pedigree]) -> None:
    owner: dict[str, str] = {}
    for family, pedigree in pedigrees.items():
        for person in pedigree.ids:
            if person in owner:
                raise KinshipInputError(
                    f"{person!r} is in reference families {owner[person]!r} and {family!r}; "
                    "our cases key persons by name alone, so rename one in Familias"
                )
            owner[person] = family
