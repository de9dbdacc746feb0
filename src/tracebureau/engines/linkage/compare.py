"""Comparison levels, per field, for arrays of candidate pairs at once.

Every field has an ordered tuple of levels, "missing" first (it carries no evidence). Names:
exact > same_after_transliteration (same skeleton) > equivalent_name (same canonical key, e.g.
Андрій/Andrey) > fuzzy (Jaro-Winkler ≥ 0.88, or one slip, on skeleton or canonical key) > similar (≥ 0.80: a
typo on top of a transliteration, "Kyeylo"/Кирило) > initial (one side
is an initial that agrees) > different. Birth dates: exact > day_month_swapped > one_digit (one
digit of YYYYMMDD mistyped) > year_off_by_one (same day and month) > year_month (day unknown on
one side) > year_only (month unknown on one side) > same_year (day or month known on both sides
and different) > different. A surname and given name written in each
other's place are compared crosswise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from tracebureau.engines.linkage.prepare import Codes, Columns

Levels = npt.NDArray[np.int8]

NAME_LEVELS = (
    "missing",
    "exact",
    "same_after_transliteration",
    "equivalent_name",
    "fuzzy",
    "similar",
    "initial",
    "different",
)
DATE_LEVELS = (
    "missing",
    "exact",
    "day_month_swapped",
    "one_digit",
    "year_off_by_one",
    "year_month",
    "year_only",
    "same_year",
    "different",
)
CODE_LEVELS = ("missing", "exact", "fuzzy", "different")
SEX_LEVELS = ("missing", "exact", "different")

FIELD_LEVELS: dict[str, tuple[str, ...]] = {
    "family_name": NAME_LEVELS,
    "given_name": NAME_LEVELS,
    "patronymic": NAME_LEVELS,
    "birth_date": DATE_LEVELS,
    "service_number": CODE_LEVELS,
    "call_sign": CODE_LEVELS,
    "sex": SEX_LEVELS,
}
FIELDS = tuple(FIELD_LEVELS)
NAME_AGREEMENT = (1, 2, 3)  # the levels at which a name agrees, where its frequency matters
FUZZY_NAME = 0.88
SIMILAR_NAME = 0.80


@dataclass(frozen=True)
class Comparison:
    """Levels of every candidate pair, one column per field in FIELDS order, and for each name
    field the canonical code of the left record (the value whose frequency adjusts the weight)."""

    levels: npt.NDArray[np.int8]
    name_values: dict[str, Codes]


def _similarity(
    strings: list[str], left: Codes, right: Codes, scorer: Callable[..., Any]
) -> npt.NDArray[np.float64]:
    """Scorer similarity of strings[left[k]] and strings[right[k]], once per distinct code pair."""
    if len(left) == 0:
        return np.zeros(0)
    pair_codes, inverse = np.unique(left * np.int64(1 << 31) + right, return_inverse=True)
    firsts = [strings[c] for c in (pair_codes >> 31).tolist()]
    seconds = [strings[c] for c in (pair_codes & ((1 << 31) - 1)).tolist()]
    scores: npt.NDArray[np.float64] = np.asarray(
        process.cpdist(firsts, seconds, scorer=scorer, workers=-1), dtype=np.float64
    )
    result: npt.NDArray[np.float64] = scores[inverse.reshape(-1)]
    return result


def _name_levels(
    written: tuple[Codes, Codes],
    skeletons: tuple[Codes, Codes],
    canonicals: tuple[Codes, Codes],
    strings: list[str],
) -> Levels:
    (wl, wr), (sl, sr), (cl, cr) = written, skeletons, canonicals
    level = np.full(len(wl), NAME_LEVELS.index("different"), dtype=np.int8)
    open_ = (cl != cr) & (sl != sr) & (sl >= 0) & (sr >= 0)
    idx = np.flatnonzero(open_)
    similar = np.maximum(
        _similarity(strings, sl[idx], sr[idx], JaroWinkler.normalized_similarity),
        _similarity(strings, cl[idx], cr[idx], JaroWinkler.normalized_similarity),
    )
    # One slip (OSA distance 1) in a short name leaves Jaro-Winkler low ("komZ"/"korZ" is 0.83),
    # yet it is as good a sign as a high Jaro-Winkler in a long one.
    one_slip = (
        np.minimum(
            _similarity(strings, sl[idx], sr[idx], OSA.distance),
            _similarity(strings, cl[idx], cr[idx], OSA.distance),
        )
        <= 1
    )
    level[idx[similar >= SIMILAR_NAME]] = NAME_LEVELS.index("similar")
    level[idx[(similar >= FUZZY_NAME) | one_slip]] = NAME_LEVELS.index("fuzzy")
    initial_idx = idx[similar < SIMILAR_NAME]
    if len(initial_idx):
        short_l = np.array([len(strings[c]) == 1 for c in sl[initial_idx].tolist()], dtype=bool)
        short_r = np.array([len(strings[c]) == 1 for c in sr[initial_idx].tolist()], dtype=bool)
        first_l = np.array([strings[c][0] for c in sl[initial_idx].tolist()])
        first_r = np.array([strings[c][0] for c in sr[initial_idx].tolist()])
        initial = initial_idx[(short_l | short_r) & (first_l == first_r)]
        level[initial] = NAME_LEVELS.index("initial")
    level[cl == cr] = NAME_LEVELS.index("equivalent_name")
    level[sl == sr] = NAME_LEVELS.index("same_after_transliteration")
    level[wl == wr] = NAME_LEVELS.index("exact")
    level[(wl < 0) | (wr < 0)] = NAME_LEVELS.index("missing")
    return level


def _date_digits(birth: npt.NDArray[np.int32]) -> npt.NDArray[np.int64]:
    number = birth[:, 0].astype(np.int64) * 10_000 + birth[:, 1] * 100 + birth[:, 2]
    return np.stack([(number // 10**k) % 10 for k in range(8)], axis=1)


def date_levels(left: npt.NDArray[np.int32], right: npt.NDArray[np.int32]) -> Levels:
    """Levels of DATE_LEVELS for aligned (n, 3) arrays of year, month, day (0 = unknown).

    "year_month" and "year_only" say that what both sides know agrees and the rest is unknown on
    one side; "same_year" says both sides know more than the year and it conflicts. They are
    kept apart because only the first two are what a list that gives just "1973" looks like,
    while a different day and month in the same year is evidence of a different person.

    >>> import numpy as np
    >>> a = np.array([[1990, 7, 3]] * 5 + [[1990, 7, 0], [1990, 0, 0], [1990, 7, 3]])
    >>> b = np.array([[1990, 7, 3], [1990, 3, 7], [1991, 7, 3], [1980, 7, 3], [1989, 7, 3],
    ...               [1990, 7, 21], [1990, 5, 1], [1990, 5, 1]])
    >>> [DATE_LEVELS[k] for k in date_levels(a, b)]  # doctest: +NORMALIZE_WHITESPACE
    ['exact', 'day_month_swapped', 'one_digit', 'one_digit', 'year_off_by_one',
     'year_month', 'year_only', 'same_year']
    """
    level = np.full(len(left), DATE_LEVELS.index("different"), dtype=np.int8)
    full = (left[:, 2] > 0) & (right[:, 2] > 0)
    same_year = left[:, 0] == right[:, 0]
    level[same_year] = DATE_LEVELS.index("same_year")
    month_unknown = (left[:, 1] == 0) | (right[:, 1] == 0)
    level[same_year & month_unknown] = DATE_LEVELS.index("year_only")
    day_unknown = (left[:, 2] == 0) | (right[:, 2] == 0)
    same_month = same_year & (left[:, 1] == right[:, 1]) & ~month_unknown
    level[same_month & day_unknown] = DATE_LEVELS.index("year_month")
    # 29 February is written 28 February in the years that lack it.
    leap_day = (left[:, 1] == 2) & (right[:, 1] == 2) & (np.minimum(left[:, 2], right[:, 2]) == 28)
    leap_day &= np.maximum(left[:, 2], right[:, 2]) == 29
    same_day_month = (left[:, 1] == right[:, 1]) & ((left[:, 2] == right[:, 2]) | leap_day)
    off_by_one = np.abs(left[:, 0] - right[:, 0]) == 1
    level[full & same_day_month & off_by_one] = DATE_LEVELS.index("year_off_by_one")
    one_digit = (_date_digits(left) != _date_digits(right)).sum(axis=1) == 1
    level[full & one_digit] = DATE_LEVELS.index("one_digit")
    swapped = same_year & (left[:, 1] == right[:, 2]) & (left[:, 2] == right[:, 1])
    level[full & swapped & (left[:, 1] != left[:, 2])] = DATE_LEVELS.index("day_month_swapped")
    level[full & (left == right).all(axis=1)] = DATE_LEVELS.index("exact")
    level[(left[:, 0] == 0) | (right[:, 0] == 0)] = DATE_LEVELS.index("missing")
    return level


def _code_levels(
    left: Codes,
    right: Codes,
    strings: list[str] | None,
    fuzzy: float,
    scorer: Callable[..., Any] = OSA.normalized_similarity,
) -> Levels:
    """exact / fuzzy (optimal string alignment: a swapped pair of digits is one slip) / different."""
    level = np.full(len(left), 3, dtype=np.int8)
    idx = np.flatnonzero((left != right) & (left >= 0) & (right >= 0))
    if strings is not None and len(idx):
        similar = _similarity(strings, left[idx], right[idx], scorer)
        level[idx[similar >= fuzzy]] = 2
    level[left == right] = 1
    level[(left < 0) | (right < 0)] = 0
    return level


def _names_for(
    left: Columns, right: Columns, i: Codes, j: Codes, field: str, against: str, strings: list[str]
) -> Levels:
    """Levels of the left record's `field` against the right record's `against`."""
    ln, rn = left.names[field], right.names[against]
    return _name_levels(
        (ln.written[i], rn.written[j]),
        (ln.skeleton[i], rn.skeleton[j]),
        (ln.canonical[i], rn.canonical[j]),
        strings,
    )


def _rank(levels: Levels) -> Levels:
    """Levels ordered for choosing a reading: a missing name counts as a disagreement."""
    return np.where(levels == 0, len(NAME_LEVELS), levels).astype(np.int8)


def compare(
    left: Columns, right: Columns, i: Codes, j: Codes, names: list[str], codes: list[str]
) -> Comparison:
    """Levels for the pairs (left[i[k]], right[j[k]]); `names`/`codes` are the vocabularies' strings.

    Surname and given name are also compared crosswise, and a pair is read crosswise where that
    agrees better: a full name such as "Miroshnichenko Gnenadii" cannot always be split in the
    right order, least of all with a typo that hides which word is the given name.
    """
    family = _names_for(left, right, i, j, "family_name", "family_name", names)
    given = _names_for(left, right, i, j, "given_name", "given_name", names)
    crossed_family = _names_for(left, right, i, j, "family_name", "given_name", names)
    crossed_given = _names_for(left, right, i, j, "given_name", "family_name", names)
    crossed = (_rank(crossed_family) + _rank(crossed_given)) < (_rank(family) + _rank(given))
    # A crossed pair's name frequencies are those of the other field: no TF adjustment for it.
    no_value = np.full(len(i), -1, dtype=np.int64)
    name_values = {
        "family_name": np.where(crossed, no_value, left.names["family_name"].canonical[i]),
        "given_name": np.where(crossed, no_value, left.names["given_name"].canonical[i]),
        "patronymic": left.names["patronymic"].canonical[i],
    }
    columns: list[Levels] = [
        np.where(crossed, crossed_family, family),
        np.where(crossed, crossed_given, given),
        _names_for(left, right, i, j, "patronymic", "patronymic", names),
        date_levels(left.birth[i], right.birth[j]),
        _code_levels(left.service_number[i], right.service_number[j], codes, 0.85),
        _code_levels(left.call_sign[i], right.call_sign[j], names, 0.8, Levenshtein.normalized_similarity),
        np.minimum(_code_levels(left.sex[i], right.sex[j], None, 1.0), 2),  # SEX_LEVELS
    ]
    levels = np.stack(columns, axis=1).astype(np.int8) if len(i) else np.zeros((0, len(FIELDS)), np.int8)
    return Comparison(levels=levels, name_values=name_values)
