"""Records to columns: every field normalised once per distinct value and coded as integers.

Both sides of a link share one vocabulary per kind of value, so equal codes mean equal values
and the comparisons are NumPy equality tests. A missing value is code -1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from tracebureau.engines.linkage.equivalents import NameKind, canonical, is_given_name
from tracebureau.engines.linkage.normalise import (
    check_birth_date,
    normalise_code,
    normalise_text,
    split_full_name,
)
from tracebureau.engines.linkage.records import Record
from tracebureau.engines.linkage.transliterate import skeleton

Codes = npt.NDArray[np.int64]
NAME_FIELDS: tuple[tuple[str, NameKind], ...] = (
    ("family_name", "last"),
    ("given_name", "first"),
    ("patronymic", "patronymic"),
)


class Vocabulary:
    """Strings to dense integer codes; "" is always -1."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {"": -1}
        self.strings: list[str] = []

    def code(self, value: str) -> int:
        if not value:
            return -1
        found = self.codes.get(value)
        if found is None:
            found = self.codes[value] = len(self.strings)
            self.strings.append(value)
        return found

    def encode(self, values: Sequence[str]) -> Codes:
        """Codes of many values: new ones added first (in order of appearance, so that codes do
        not depend on hashing), then one C-level lookup per value."""
        known = self.codes
        for value in dict.fromkeys(values):
            if value not in known:
                self.code(value)
        return np.fromiter(map(self.codes.__getitem__, values), dtype=np.int64, count=len(values))


@dataclass(frozen=True)
class NameColumn:
    """One name field: as written (normalised), as a skeleton, and as its canonical key."""

    written: Codes
    skeleton: Codes
    canonical: Codes


@dataclass(frozen=True)
class Columns:
    """One side of a link, ready to block and compare."""

    ids: list[str]
    names: dict[str, NameColumn]
    family_initial: Codes  # first letter of the surname skeleton, for blocking on misspelt surnames
    given_initial: Codes  # and of the given name's
    birth: npt.NDArray[np.int32]  # (n, 3): year, month, day; 0 where unknown
    sex: Codes
    service_number: Codes
    number_anagram: Codes  # the service number's characters sorted, hashed (-1 if none)
    call_sign: Codes
    # Per name field, (record index, code) of every one-letter deletion of the skeleton, and of
    # the skeleton itself: two spellings one typo apart share one of them (SymSpell's idea).
    deletions: dict[str, tuple[Codes, Codes]]

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class Vocabularies:
    """Shared by both sides of a link."""

    names: Vocabulary
    codes: Vocabulary


def new_vocabularies() -> Vocabularies:
    return Vocabularies(Vocabulary(), Vocabulary())


def _name_parts(record: Record) -> tuple[str, str, str]:
    parts = tuple(normalise_text(p) for p in (record.family_name, record.given_name, record.patronymic))
    if any(parts) or not record.full_name:
        return parts[0], parts[1], parts[2]
    return split_full_name(record.full_name, is_given_name)


def _name_column(values: list[str], kind: NameKind, vocabulary: Vocabulary) -> NameColumn:
    distinct = {v: (skeleton(v), canonical(v, kind)) for v in set(values)}
    return NameColumn(
        written=vocabulary.encode(values),
        skeleton=vocabulary.encode([distinct[v][0] for v in values]),
        canonical=vocabulary.encode([distinct[v][1] for v in values]),
    )


MIN_DELETION_LENGTH = 4  # shorter names have too few letters for a typo to leave them recognisable


@lru_cache(maxsize=1 << 18)
def deletion_variants(word: str) -> tuple[str, ...]:
    """The word and every spelling of it with one letter left out.

    >>> deletion_variants("ivan")
    ('ivan', 'van', 'ian', 'ivn', 'iva')
    """
    if len(word) < MIN_DELETION_LENGTH:
        return (word,) if word else ()
    return tuple(dict.fromkeys([word, *(word[:k] + word[k + 1 :] for k in range(len(word)))]))


def _spread(inverse: Codes, per_value: list[list[int]]) -> tuple[Codes, Codes]:
    """(record index, code) for every code of every record, where record r has the codes
    per_value[inverse[r]]: worked out once per distinct value, spread with NumPy."""
    lengths = np.array([len(v) for v in per_value], dtype=np.int64)
    flat = np.fromiter((c for v in per_value for c in v), dtype=np.int64, count=int(lengths.sum()))
    offsets = np.cumsum(lengths) - lengths
    counts = lengths[inverse]
    owners = np.repeat(np.arange(len(inverse), dtype=np.int64), counts)
    within = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return owners, flat[np.repeat(offsets[inverse], counts) + within]


def _deletions(column: NameColumn, vocabulary: Vocabulary) -> tuple[Codes, Codes]:
    """Deletion variants of each record's skeleton and of its canonical key (so that a typo in
    a Russian form, "Aleksnadr", still meets the Ukrainian Олександр through "aleksandr")."""
    both = column.skeleton * np.int64(1 << 31) + column.canonical
    _, first, inverse = np.unique(both, return_index=True, return_inverse=True)
    per_name: list[list[int]] = []
    for index in first.tolist():
        words = {vocabulary.strings[c] for c in (column.skeleton[index], column.canonical[index]) if c >= 0}
        per_name.append(sorted({vocabulary.code("~" + v) for w in words for v in deletion_variants(w)}))
    return _spread(inverse.reshape(-1), per_name)


def _number_anagrams(codes: Codes, vocabulary: Vocabulary) -> Codes:
    """Each service number's characters in sorted order, hashed: two digits swapped, the
    commonest slip in a number, leave it unchanged. (Deletion variants, as for names, would
    cost a string per digit of every number in a million-person registry.) Python's string
    hash is stable within the process, which is all that blocking needs."""
    distinct, inverse = np.unique(codes, return_inverse=True)
    mask = (1 << 62) - 1
    hashed = np.fromiter(
        (-1 if c < 0 else hash("".join(sorted(vocabulary.strings[c]))) & mask for c in distinct.tolist()),
        dtype=np.int64,
        count=len(distinct),
    )
    return hashed[inverse.reshape(-1)]


def _sex(value: str) -> str:
    value = normalise_text(value)[:1]
    return {"ч": "m", "м": "m", "ж": "f", "m": "m", "f": "f", "w": "f"}.get(value, "")


def prepare(
    records: Sequence[Record],
    vocabularies: Vocabularies,
    progress: Callable[[float], None] | None = None,
) -> Columns:
    """Normalise and code a side; raises LinkageInputError for an impossible birth date."""
    parts = [_name_parts(r) for r in records]
    if progress:
        progress(0.5)
    names = {
        field: _name_column([p[i] for p in parts], kind, vocabularies.names)
        for i, (field, kind) in enumerate(NAME_FIELDS)
    }
    birth = np.array(
        [check_birth_date(r.birth_date, f"record {r.id!r}") for r in records], dtype=np.int32
    ).reshape(len(records), 3)
    calls = {v: skeleton(normalise_text(v)) for v in {r.call_sign for r in records}}
    service_number = vocabularies.codes.encode(
        ["no:" + c if (c := normalise_code(r.service_number)) else "" for r in records]
    )
    return Columns(
        ids=[r.id for r in records],
        names=names,
        family_initial=np.array([ord(s[0]) if (s := skeleton(p[0])) else -1 for p in parts], dtype=np.int64),
        given_initial=np.array([ord(s[0]) if (s := skeleton(p[1])) else -1 for p in parts], dtype=np.int64),
        birth=birth,
        sex=vocabularies.codes.encode(["sex:" + s if (s := _sex(r.sex)) else "" for r in records]),
        service_number=service_number,
        number_anagram=_number_anagrams(service_number, vocabularies.codes),
        call_sign=vocabularies.names.encode([calls[r.call_sign] for r in records]),
        deletions={
            "family_name": _deletions(names["family_name"], vocabularies.names),
            "given_name": _deletions(names["given_name"], vocabularies.names),
        },
    )
