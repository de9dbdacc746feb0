"""link and dedupe: normalise, block, compare, train, score, explain."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from tracebureau.engines.linkage.blocking import candidate_pairs
from tracebureau.engines.linkage.compare import FIELD_LEVELS, FIELDS, compare
from tracebureau.engines.linkage.prepare import Columns, new_vocabularies, prepare
from tracebureau.engines.linkage.records import Contribution, LinkageInputError, Match, Record
from tracebureau.engines.linkage.score import (
    MIN_EM_PAIRS,
    Model,
    default_model,
    estimate_u,
    pair_weights,
    plausible,
    probability,
    term_frequencies,
    train_em,
)

Progress = Callable[[str, float], None]
RANDOM_PAIRS = 200_000
SEED = 20220224


def link(
    left: Sequence[Record],
    right: Sequence[Record],
    *,
    threshold: float = 0.5,
    progress: Progress | None = None,
) -> list[Match]:
    """Every pair (list record, registry record) whose match probability is at least `threshold`.

    >>> list_ = [Record("L1", full_name="Andrey Yermak", birth_date="1985-03-12")]
    >>> registry = [Record("R1", "Єрмак", "Андрій", birth_date="1985-12-03"),
    ...             Record("R2", "Коваль", "Андрій", birth_date="1985-03-12")]
    >>> [(m.left_id, m.right_id) for m in link(list_, registry)]
    [('L1', 'R1')]
    """
    return _run(left, right, threshold, progress)


def dedupe(
    records: Sequence[Record], *, threshold: float = 0.5, progress: Progress | None = None
) -> list[Match]:
    """Every pair of records of one file that are probably the same person (left before right).

    >>> people = [Record("1", "Козацький", "Дмитро", birth_date="1990-07-03"),
    ...           Record("2", "Kozatsky", "Dmitry", birth_date="1990-07-03"),
    ...           Record("3", "Петренко", "Іван", birth_date="1971-01-30")]
    >>> [(m.left_id, m.right_id) for m in dedupe(people)]
    [('1', '2')]
    """
    return _run(records, None, threshold, progress)


def _check_ids(records: Sequence[Record]) -> None:
    seen: set[str] = set()
    for record in records:
        if not record.id:
            raise LinkageInputError("a record has an empty id")
        if record.id in seen:
            raise LinkageInputError(f"record {record.id!r}: duplicate id")
        seen.add(record.id)


def _random_pairs(
    n_left: int, n_right: int, same: bool
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """All pairs when there are few, else a seeded random sample (for estimating u)."""
    total = n_left * (n_left - 1) // 2 if same else n_left * n_right
    if total <= RANDOM_PAIRS:
        i, j = np.triu_indices(n_left, 1) if same else np.indices((n_left, n_right)).reshape(2, -1)
        return i.astype(np.int64), j.astype(np.int64)
    rng = np.random.default_rng(SEED)
    i = rng.integers(0, n_left, RANDOM_PAIRS)
    j = rng.integers(0, n_right, RANDOM_PAIRS)
    keep = i != j if same else np.ones(RANDOM_PAIRS, dtype=bool)
    return i[keep], j[keep]


def _train(
    left: Columns,
    right: Columns,
    same: bool,
    levels: npt.NDArray[np.int8],
    names: list[str],
    codes: list[str],
) -> Model:
    random_i, random_j = _random_pairs(len(left), len(right), same)
    u = estimate_u(compare(left, right, random_i, random_j, names, codes).levels)
    smaller = len(left) / 2 if same else min(len(left), len(right))
    prior = float(np.clip(0.5 * smaller / max(len(levels), 1), 1e-6, 0.5))
    start = Model(m=default_model(prior).m, u=u, prior=prior)
    if len(levels) < MIN_EM_PAIRS:
        return start
    trained = train_em(levels, start)
    return trained if plausible(trained) else start


def _tf_adjustment(
    left: Columns, right: Columns, same: bool, values: dict[str, npt.NDArray[np.int64]], size: int
) -> dict[str, npt.NDArray[np.float64]]:
    adjustment: dict[str, npt.NDArray[np.float64]] = {}
    for field, pair_values in values.items():
        column = left.names[field].canonical
        everyone = column if same else np.concatenate([column, right.names[field].canonical])
        tf, u_pop = term_frequencies(everyone, size)
        present = pair_values >= 0
        adjustment[field] = np.zeros(len(pair_values))
        adjustment[field][present] = np.log2(u_pop / tf[pair_values[present]])
    return adjustment


def _run(
    left_records: Sequence[Record],
    right_records: Sequence[Record] | None,
    threshold: float,
    progress: Progress | None,
) -> list[Match]:
    def report(stage: str, fraction: float) -> None:
        if progress is not None:
            progress(stage, fraction)

    same = right_records is None
    _check_ids(left_records)
    vocabularies = new_vocabularies()
    left = prepare(left_records, vocabularies, lambda f: report("normalise", f / 2))
    right = left
    if right_records is not None:
        _check_ids(right_records)
        right = prepare(right_records, vocabularies, lambda f: report("normalise", 0.5 + f / 2))
    report("normalise", 1.0)
    i, j = candidate_pairs(left, None if same else right)
    report("block", 1.0)
    names, codes = vocabularies.names.strings, vocabularies.codes.strings
    comparison = compare(left, right, i, j, names, codes)
    report("compare", 1.0)
    model = _train(left, right, same, comparison.levels, names, codes)
    report("train", 1.0)
    tf = _tf_adjustment(left, right, same, comparison.name_values, len(names))
    weights = pair_weights(comparison.levels, model, tf)
    probabilities = probability(weights.sum(axis=1), model.prior)
    report("score", 1.0)
    keep = np.flatnonzero(probabilities >= threshold)
    keep = keep[np.lexsort((-probabilities[keep], j[keep], i[keep]))]
    return [
        _match(left.ids[i[k]], right.ids[j[k]], float(probabilities[k]), comparison.levels[k], weights[k])
        for k in keep.tolist()
    ]


def _match(
    left_id: str, right_id: str, p: float, levels: npt.NDArray[np.int8], weights: npt.NDArray[np.float64]
) -> Match:
    explanation = tuple(
        Contribution(field, FIELD_LEVELS[field][level], round(float(weight), 4))
        for field, level, weight in zip(FIELDS, levels.tolist(), weights.tolist(), strict=True)
        if level != 0
    )
    return Match(left_id, right_id, p, explanation)
