"""Reading a kinship case from its CSV files, with every problem named by file, row and column.

The layout is the kinship CLI's (one folder per case): `families.csv`
(`family,id,fid,mid,sex,missing`; fid/mid `0` for a founder, sex 1 male 2 female, missing TRUE
for a person sought), `references.csv` and `remains.csv` (`id,marker,allele1,allele2`, one row
per marker; remains may add a `sex` column), `freqs.csv` (`marker,allele,freq`) and optionally
`mutation.csv` (`marker,sex,model,rate[,rate2,range]`, sex `female`, `male` or empty for both).
Rows are numbered as a spreadsheet shows them: the header is row 1.

An allele given as empty or `NA` on both columns of a row means the marker was not typed. A
single allele shown, the other column `-`, is read as a/a (how a laboratory shows a homozygote;
with a drop-out probability it may also be a heterozygote whose other allele was lost, see
`likelihood`). The silent allele is written `silent`, in the frequency table (see `records.Locus`).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Literal

import numpy as np

from tracebureau.engines.kinship.records import (
    FEMALE,
    MALE,
    MIN_FREQUENCY,
    Case,
    Genotype,
    KinshipInputError,
    Locus,
    MutationSetting,
    Pedigree,
    Person,
)

Source = str | os.PathLike[str] | IO[str]
NOT_TYPED = {"", "na", "nan"}
MODELS = {"equal", "proportional", "stepwise", "onestep", "none", "trivial"}


def _text(source: Source) -> str:
    if isinstance(source, (str, os.PathLike)):
        with open(source, encoding="utf-8-sig", newline="") as file:
            return file.read()
    return source.read().removeprefix("\ufeff")


def _rows(source: Source, *, name: str, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(_text(source), newline=""))
    header = [h.strip().casefold() for h in next(reader, [])]
    for column in required:
        if column not in header:
            found = ", ".join(header)
            raise KinshipInputError(f"{name} row 1, column {column}: missing column (found: {found})")
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        row = dict(zip(header, (v.strip() for v in values), strict=False))
        yield reader.line_num, {h: row.get(h, "") for h in header}


def read_families(source: Source, *, name: str = "families.csv") -> dict[str, Pedigree]:
    """Pedigrees by family name.

    >>> text = "family,id,fid,mid,sex,missing\\nF1,fa,0,0,1,FALSE\\nF1,mo,0,0,2,FALSE\\n"
    >>> read_families(io.StringIO(text + "F1,kid,fa,mo,1,TRUE\\n"))["F1"].missing
    ('kid',)
    >>> try:
    ...     read_families(io.StringIO(text + "F1,kid,mo,fa,1,TRUE\\n"))
    ... except KinshipInputError as error:
    ...     print(error)
    families.csv row 4, column fid: 'mo' is the father but not of that sex
    """
    persons: dict[str, list[Person]] = {}
    where: dict[str, dict[str, str]] = {}
    columns = ("family", "id", "fid", "mid", "sex", "missing")
    for row, fields in _rows(source, name=name, required=columns):
        place = f"{name} row {row}"
        family = fields["family"]
        sex = {"1": MALE, "2": FEMALE}.get(fields["sex"])
        if sex is None:
            raise KinshipInputError(f"{place}, column sex: {fields['sex']!r} is not 1 (male) or 2 (female)")
        missing = fields["missing"].casefold()
        if missing not in ("true", "false", "1", "0", ""):
            raise KinshipInputError(f"{place}, column missing: {fields['missing']!r} is not TRUE or FALSE")
        father, mother = (None if fields[c] in ("", "0", "NA") else fields[c] for c in ("fid", "mid"))
        person = Person(fields["id"], sex, father, mother, missing=missing in ("true", "1"))
        persons.setdefault(family, []).append(person)
        where.setdefault(family, {}).setdefault(fields["id"], place)
    return {family: Pedigree(family, tuple(members), where[family]) for family, members in persons.items()}


def read_profiles(
    source: Source, *, name: str
) -> tuple[dict[str, dict[str, Genotype]], dict[str, int], dict[tuple[str, str], str]]:
    """Profiles by person, the sexes given in an optional `sex` column, and where each
    (person, marker) was read, for later messages.

    >>> text = "id,marker,allele1,allele2\\nV1,L1,9.3,7\\nV1,L2,12,-\\n"
    >>> read_profiles(io.StringIO(text), name="remains.csv")[0]
    {'V1': {'L1': ('9.3', '7'), 'L2': ('12', '12')}}
    """
    profiles: dict[str, dict[str, Genotype]] = {}
    sexes: dict[str, int] = {}
    where: dict[tuple[str, str], str] = {}
    for row, fields in _rows(source, name=name, required=("id", "marker", "allele1", "allele2")):
        place = f"{name} row {row}"
        person, marker = fields["id"], fields["marker"]
        pair = [fields["allele1"], fields["allele2"]]
        if "-" in pair and pair != ["-", "-"]:
            pair = [a for a in pair if a != "-"] * 2  # one allele shown
        typed = [a.casefold() not in NOT_TYPED for a in pair]
        if typed == [True, False] or typed == [False, True]:
            column = "allele2" if typed[0] else "allele1"
            message = "one allele given; give both (a/a for a homozygote)"
            raise KinshipInputError(f"{place}, column {column}: {message}")
        if fields.get("sex", "") not in ("", "0", "NA"):
            sexes[person] = {"1": MALE, "2": FEMALE}.get(fields["sex"], 0) or _bad_sex(place, fields["sex"])
        if marker in profiles.get(person, {}):
            raise KinshipInputError(f"{place}, column marker: {marker!r} given twice for {person!r}")
        profiles.setdefault(person, {})
        where.setdefault((person, ""), place)
        if all(typed):
            profiles[person][marker] = (pair[0], pair[1])
            where[(person, marker)] = place
    return profiles, sexes, where


def _bad_sex(place: str, value: str) -> int:
    raise KinshipInputError(f"{place}, column sex: {value!r} is not 1 (male) or 2 (female)")


def read_frequencies(source: Source, *, name: str = "freqs.csv") -> dict[str, Locus]:
    """Allele frequency tables by marker; each must sum to 1 (within 0.01, then renormalised).

    >>> read_frequencies(io.StringIO("marker,allele,freq\\nL1,a,0.25\\nL1,b,0.75\\n"))["L1"].alleles
    ('a', 'b')
    """
    table: dict[str, dict[str, float]] = {}
    first_row: dict[str, int] = {}
    for row, fields in _rows(source, name=name, required=("marker", "allele", "freq")):
        place = f"{name} row {row}"
        marker, allele = fields["marker"], fields["allele"]
        try:
            frequency = float(fields["freq"])
        except ValueError:
            raise KinshipInputError(f"{place}, column freq: {fields['freq']!r} is not a number") from None
        if not 0 < frequency <= 1:
            raise KinshipInputError(f"{place}, column freq: {frequency} is not in (0, 1]")
        if allele in table.setdefault(marker, {}):
            raise KinshipInputError(f"{place}, column allele: {allele!r} given twice for {marker}")
        table[marker][allele] = frequency
        first_row.setdefault(marker, row)
    loci = {}
    for marker, frequencies in table.items():
        total = sum(frequencies.values())
        if abs(total - 1) > 0.01:
            place = f"{name} row {first_row[marker]}"
            raise KinshipInputError(f"{place}, column freq: {marker} sums to {total:.4f}, not 1")
        values = np.array(list(frequencies.values())) / total
        loci[marker] = Locus(marker, tuple(frequencies), values)
    return loci


def read_mutations(source: Source, *, name: str = "mutation.csv") -> dict[tuple[str, int], MutationSetting]:
    """Mutation settings by (marker, sex of the transmitting parent).

    >>> read_mutations(io.StringIO("marker,sex,model,rate\\nL1,,equal,0.002\\n"))[("L1", 1)].rate
    0.002
    """
    settings: dict[tuple[str, int], MutationSetting] = {}
    for row, fields in _rows(source, name=name, required=("marker", "sex", "model", "rate")):
        place = f"{name} row {row}"
        sexes = {"female": (FEMALE,), "male": (MALE,), "": (MALE, FEMALE)}.get(fields["sex"].casefold())
        if sexes is None:
            raise KinshipInputError(f"{place}, column sex: {fields['sex']!r} is not female, male or empty")
        model = fields["model"].casefold()
        if model not in MODELS:
            known = ", ".join(sorted(MODELS))
            raise KinshipInputError(f"{place}, column model: {fields['model']!r} is not one of {known}")
        numbers = {c: _number(fields.get(c, ""), place, c) for c in ("rate", "rate2", "range")}
        for sex in sexes:
            settings[(fields["marker"], sex)] = MutationSetting(
                fields["marker"],
                sex,
                model,
                rate=numbers["rate"] or 0.0,
                rate2=numbers["rate2"] or 0.0,
                range=0.1 if numbers["range"] is None else numbers["range"],
                source=place,
            )
    return settings


def _number(value: str, place: str, column: str) -> float | None:
    if value.casefold() in NOT_TYPED:
        return None
    try:
        number = float(value)
    except ValueError:
        raise KinshipInputError(f"{place}, column {column}: {value!r} is not a number") from None
    if number < 0:
        raise KinshipInputError(f"{place}, column {column}: {value!r} is negative")
    return number


def read_case(folder: str | os.PathLike[str], *, missing_allele: Literal["error", "add"] = "error") -> Case:
    """A whole case from its folder. An allele in a profile but not in the frequency table is an
    error, or with `missing_allele="add"` is added at `MIN_FREQUENCY` and its locus renormalised."""
    root = Path(folder)
    mutation = root / "mutation.csv"
    return read_case_files(
        families=root / "families.csv",
        references=root / "references.csv",
        remains=root / "remains.csv",
        frequencies=root / "freqs.csv",
        mutation=mutation if mutation.exists() else None,
        missing_allele=missing_allele,
        names=False,
    )


def read_case_files(
    *,
    families: str | os.PathLike[str],
    references: str | os.PathLike[str],
    remains: str | os.PathLike[str],
    frequencies: str | os.PathLike[str],
    mutation: str | os.PathLike[str] | None = None,
    missing_allele: Literal["error", "add"] = "error",
    names: bool = True,
) -> Case:
    """A whole case from its files, wherever they are (the CLI's `--families` ... options). With
    `names`, messages name each file as given; without, by its bare name (`families.csv`)."""

    def name(path: str | os.PathLike[str]) -> str:
        return str(path) if names else Path(path).name

    pedigrees = read_families(families, name=name(families))
    loci = read_frequencies(frequencies, name=name(frequencies))
    typed, _, where_references = read_profiles(references, name=name(references))
    victims, remains_sex, where_remains = read_profiles(remains, name=name(remains))
    mutations = read_mutations(mutation, name=name(mutation)) if mutation is not None else {}
    _check_references(typed, pedigrees, where_references)
    for profiles, where in ((typed, where_references), (victims, where_remains)):
        loci = _check_alleles(profiles, loci, where, missing_allele=missing_allele)
    for (marker, _sex), setting in mutations.items():
        if marker not in loci:
            raise KinshipInputError(
                f"{setting.source}, column marker: {marker!r} is not in the frequency table"
            )
    return Case(pedigrees, typed, victims, loci, mutations, remains_sex)


def _check_references(
    references: dict[str, dict[str, Genotype]],
    families: dict[str, Pedigree],
    where: dict[tuple[str, str], str],
) -> None:
    """A reference is a known, not missing member of exactly one family: profiles are keyed by
    id alone, so an id typed in two families would give both the same person's DNA."""
    for person in references:
        place = f"{where[(person, '')]}, column id"
        holding = [p for p in families.values() if person in p]
        if not holding:
            raise KinshipInputError(f"{place}: unknown id {person!r} (not in families.csv)")
        if len(holding) > 1:
            names = ", ".join(p.family for p in holding)
            raise KinshipInputError(
                f"{place}: {person!r} is in several families ({names}); give each its own id"
            )
        if holding[0][person].missing:
            raise KinshipInputError(f"{place}: {person!r} is a missing person")


def _check_alleles(
    profiles: dict[str, dict[str, Genotype]],
    loci: dict[str, Locus],
    where: dict[tuple[str, str], str],
    *,
    missing_allele: Literal["error", "add"],
) -> dict[str, Locus]:
    loci = dict(loci)
    for person, profile in profiles.items():
        for marker, genotype in profile.items():
            place = where[(person, marker)]
            if marker not in loci:
                raise KinshipInputError(f"{place}, column marker: {marker!r} is not in the frequency table")
            for column, allele in zip(("allele1", "allele2"), genotype, strict=True):
                if allele in loci[marker].alleles:
                    continue
                if missing_allele == "error":
                    message = f"allele {allele!r} of {marker} is not in the frequency table"
                    raise KinshipInputError(f"{place}, column {column}: {message}")
                loci[marker] = with_allele(loci[marker], allele)
    return loci


def with_allele(locus: Locus, allele: str) -> Locus:
    """The locus with `allele` added at `MIN_FREQUENCY`, all frequencies renormalised to sum to 1.

    >>> with_allele(Locus("L1", ("a",), np.array([1.0])), "b").frequencies.round(6).tolist()
    [0.999001, 0.000999]
    """
    frequencies = np.append(locus.frequencies, MIN_FREQUENCY)
    return Locus(locus.marker, (*locus.alleles, allele), frequencies / frequencies.sum())
