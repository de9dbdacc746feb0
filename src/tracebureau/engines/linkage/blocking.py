"""Blocking: which pairs are compared at all.

Several keys, each an integer per record (-1 where a part is missing); a pair is a candidate
when it shares any key. The union of the keys keeps recall where one field is misspelt, while
each key is narrow enough that the number of pairs grows about linearly with the registry:

- canonical surname and given name, in either order (swapped order in a list);
- canonical surname and birth year;
- canonical given name and full birth date;
- full birth date and the first letter of the surname skeleton;
- service number; call sign;
- given name, patronymic and birth year; given name, patronymic and the surname's first letter
  (for a misspelt surname); full birth date and the given name's first letter (for a record
  that has no surname, or a misspelt one); surname and patronymic (for a misspelt given name
  without a birth date): these find pairs but are not EM sessions, see RULE_FIELDS;
- either name exactly and the service number up to two swapped digits, the names in either
  order; the full birth date and the first letter of the surname on one side and of the given
  name on the other;
- one name exactly (canonical) and the other within one typo: the two spellings share a
  one-letter deletion of their skeletons ("Avramenko"/"Varamenko" share "vramenko"... or
  "aramenko"), so a misspelt surname is found even when the birth date is missing or wrong.

A key value shared by more than `max_block` records on the other side is skipped (it names no
one in particular: a blank-ish "Ivanov 1990"); pairs are found by sorting, never all pairs.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tracebureau.engines.linkage.prepare import Codes, Columns

Pairs = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]
MAX_BLOCK = 500
# The fields each of the first keys is made of, in the order of `blocking_keys`: EM leaves them
# out when it learns from the pairs that key found. The keys after these only add recall.
RULE_FIELDS: tuple[tuple[str, ...], ...] = (
    ("family_name", "given_name"),
    ("family_name", "birth_date"),
    ("given_name", "birth_date"),
    ("birth_date", "family_name"),
    ("service_number",),
    ("call_sign",),
)


def _combine(first: Codes, second: Codes) -> Codes:
    """One exact code from two (each below 2**31); -1 if either is missing."""
    return np.where((first < 0) | (second < 0), -1, first * np.int64(1 << 31) + second)


def _hashed(*parts: Codes) -> Codes:
    """One code from several (-1 if any is missing), by multiplying with large odd numbers and
    letting int64 wrap: equal parts give equal codes on both sides, and a rare collision only
    adds a candidate pair, which comparison then scores as it deserves."""
    missing = np.zeros(len(parts[0]), dtype=bool)
    code = np.zeros(len(parts[0]), dtype=np.int64)
    with np.errstate(over="ignore"):
        for part in parts:
            missing |= part < 0
            code = code * np.int64(0x9E3779B97F4A7C15 - (1 << 64)) + part
    return np.where(missing, -1, code & np.int64((1 << 62) - 1))


def _ordered(a: Codes, b: Codes) -> tuple[Codes, Codes]:
    return np.minimum(a, b), np.maximum(a, b)


def blocking_keys(columns: Columns) -> list[Codes]:
    """The keys of every record of one side, one array per key (see the module docstring)."""
    family = columns.names["family_name"].canonical
    given = columns.names["given_name"].canonical
    year = np.where(columns.birth[:, 0] > 0, columns.birth[:, 0].astype(np.int64), -1)
    full_date = _full_date(columns)
    patronymic = columns.names["patronymic"].canonical
    return [
        _combine(*_ordered(family, given)),
        _combine(family, year),
        _combine(given, full_date),
        _combine(full_date, columns.family_initial),
        columns.service_number,
        columns.call_sign,
        # Past RULE_FIELDS: keys for recall only.
        _hashed(given, patronymic, year),
        _hashed(given, patronymic, columns.family_initial),
        _combine(full_date, columns.given_initial),
        _combine(family, patronymic),
    ]


def _join(left: Codes, right: Codes, max_block: int) -> Pairs:
    """Every (i, j) with left[i] == right[j] >= 0, by sorting `right` once."""
    order = np.argsort(right, kind="stable")
    sorted_right = right[order]
    low = np.searchsorted(sorted_right, left, side="left")
    high = np.searchsorted(sorted_right, left, side="right")
    counts = high - low
    counts[(left < 0) | (counts > max_block)] = 0
    total = int(counts.sum())
    left_index = np.repeat(np.arange(len(left), dtype=np.int64), counts)
    starts = np.repeat(low - (np.cumsum(counts) - counts), counts)
    right_index = order[starts + np.arange(total, dtype=np.int64)]
    return left_index, right_index.astype(np.int64)


Owned = tuple[Codes, Codes]  # (record index, key): a key of which a record may hold several


def _owned_join(left: Owned, right: Owned, max_block: int) -> Pairs:
    """Record pairs (not key pairs) that share a key of multi-valued keys."""
    i, j = _join(left[1], right[1], max_block)
    return left[0][i], right[0][j]


def _typo_keys(columns: Columns, typo_field: str, exact_field: str) -> Owned:
    """One name field exactly, with every one-letter deletion of the other."""
    owners, deletions = columns.deletions[typo_field]
    return owners, _combine(columns.names[exact_field].canonical[owners], deletions)


def _number_slip_keys(columns: Columns) -> Owned:
    """Either name together with the service number's sorted characters, so that the key holds
    when the list swapped two digits, or surname and given name."""
    owners = np.arange(len(columns), dtype=np.int64)
    keys = [
        _hashed(columns.names[f].canonical, columns.number_anagram) for f in ("family_name", "given_name")
    ]
    return np.concatenate([owners, owners]), np.concatenate(keys)


def _full_date(columns: Columns) -> Codes:
    """YYYYMMDD where the day is known, else -1."""
    birth = columns.birth.astype(np.int64)
    return np.where(birth[:, 2] > 0, birth[:, 0] * 10_000 + birth[:, 1] * 100 + birth[:, 2], -1)


def _date_initial(columns: Columns, initial: str) -> Owned:
    return np.arange(len(columns), dtype=np.int64), _combine(_full_date(columns), getattr(columns, initial))


def _recall_joins(left: Columns, right: Columns, max_block: int) -> list[Pairs]:
    """The keys that join something other than two single-valued codes:
    - one name exactly and the other within one typo, straight and crosswise (a two-word name
      with a typo may have been split in the wrong order);
    - a name and a service number up to two swapped digits;
    - the same full birth date with one side's surname initial as the other's given initial.
    """
    family_typo, given_typo = ("family_name", "given_name"), ("given_name", "family_name")
    sides: list[tuple[Owned, Owned]] = [
        (_typo_keys(left, *a), _typo_keys(right, *b))
        for a, b in (
            (family_typo, family_typo),
            (given_typo, given_typo),
            (family_typo, given_typo),
            (given_typo, family_typo),
        )
    ]
    sides.append((_number_slip_keys(left), _number_slip_keys(right)))
    sides += [
        (_date_initial(left, a), _date_initial(right, b))
        for a, b in (("family_initial", "given_initial"), ("given_initial", "family_initial"))
    ]
    return [_owned_join(a, b, max_block) for a, b in sides]


def candidate_pairs(left: Columns, right: Columns | None, *, max_block: int = MAX_BLOCK) -> Pairs:
    """The union of the pairs that share a key; with `right` None, pairs i < j within `left`.

    >>> from tracebureau.engines.linkage.prepare import prepare, new_vocabularies
    >>> from tracebureau.engines.linkage.records import Record
    >>> v = new_vocabularies()
    >>> a = prepare([Record("1", "Козацький", "Дмитро")], v)
    >>> b = prepare([Record("x", "Kozatsky", "Dmitry"), Record("y", "Petrenko", "Ivan")], v)
    >>> [p.tolist() for p in candidate_pairs(a, b)]
    [[0], [0]]
    """
    other = left if right is None else right
    left_keys = blocking_keys(left)
    right_keys = left_keys if right is None else blocking_keys(right)
    joined = [_join(lk, rk, max_block) for lk, rk in zip(left_keys, right_keys, strict=True)]
    joined += _recall_joins(left, other, max_block)
    found: list[npt.NDArray[np.int64]] = []
    for i, j in joined:
        if right is None:
            keep = i < j
            i, j = i[keep], j[keep]
        found.append(i * len(other) + j)
    pair_codes = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    return pair_codes // len(other), pair_codes % len(other)


def rule_membership(left: Columns, right: Columns, i: Codes, j: Codes) -> npt.NDArray[np.bool_]:
    """(n_pairs, n_rules): whether each pair shares each key."""
    sessions = len(RULE_FIELDS)
    found = [
        (left_key[i] == right_key[j]) & (left_key[i] >= 0)
        for left_key, right_key in zip(
            blocking_keys(left)[:sessions], blocking_keys(right)[:sessions], strict=True
        )
    ]
    return np.stack(found, axis=1) if len(i) else np.zeros((0, len(RULE_FIELDS)), dtype=bool)
