"""link and dedupe: normalise, block, compare, train, score, explain."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from tracebureau.engines.cluster import Scheduler, connect
from tracebureau.engines.linkage.blocking import RULE_FIELDS, candidate_pairs, rule_membership
from tracebureau.engines.linkage.compare import FIELD_LEVELS, FIELDS, Comparison, compare
from tracebureau.engines.linkage.distributed import CHUNK_PAIRS, ClusterComparer
from tracebureau.engines.linkage.prepare import Codes, Columns, new_vocabularies, prepare
from tracebureau.engines.linkage.records import Contribution, LinkageInputError, Match, Record
from tracebureau.engines.linkage.score import (
    DEFAULT_U,
    MIN_EM_PAIRS,
    PRIOR_WEIGHT,
    Model,
    default_model,
    estimate_prior,
    estimate_u,
    exclusive_probability,
    pair_weights,
    probability,
    term_frequencies,
    train_m_by_rule,
    with_exact_u,
)

Progress = Callable[[str, float], None]
Compare = Callable[[Columns, Columns, Codes, Codes, list[str], list[str]], Comparison]
RANDOM_PAIRS = 200_000
SEED = 20220224


def link(
    left: Sequence[Record],
    right: Sequence[Record],
    *,
    threshold: float = 0.5,
    progress: Progress | None = None,
    scheduler: Scheduler | None = None,
    chunk_pairs: int = CHUNK_PAIRS,
) -> list[Match]:
    """Every pair (list record, registry record) whose match probability is at least `threshold`.

    With a `scheduler` (a Dask address such as "tcp://host:8786", "local:N", or a connected
    `distributed.Client`) the candidate pairs are compared on that cluster, `chunk_pairs` to a
    task; the matches are the same as in process, to the last bit. "" or None: in process.

    >>> list_ = [Record("L1", full_name="Andrey Yermak", birth_date="1985-03-12")]
    >>> registry = [Record("R1", "Єрмак", "Андрій", birth_date="1985-12-03"),
    ...             Record("R2", "Коваль", "Андрій", birth_date="1979-05-30")]
    >>> [(m.left_id, m.right_id) for m in link(list_, registry)]
    [('L1', 'R1')]
    """
    return _run_on(scheduler, chunk_pairs, left, right, threshold, progress)


def dedupe(
    records: Sequence[Record],
    *,
    threshold: float = 0.5,
    progress: Progress | None = None,
    scheduler: Scheduler | None = None,
    chunk_pairs: int = CHUNK_PAIRS,
) -> list[Match]:
    """Every pair of records of one file that are probably the same person (left before right);
    `scheduler` and `chunk_pairs` as for `link`.

    >>> people = [Record("1", "Козацький", "Дмитро", birth_date="1990-07-03"),
    ...           Record("2", "Kozatsky", "Dmitry", birth_date="1990-07-03"),
    ...           Record("3", "Петренко", "Іван", birth_date="1971-01-30")]
    >>> [(m.left_id, m.right_id) for m in dedupe(people)]
    [('1', '2')]
    """
    return _run_on(scheduler, chunk_pairs, records, None, threshold, progress)


def _run_on(
    scheduler: Scheduler | None,
    chunk_pairs: int,
    left: Sequence[Record],
    right: Sequence[Record] | None,
    threshold: float,
    progress: Progress | None,
) -> list[Match]:
    """`_run` in process, or with its comparisons on the cluster `scheduler` names."""
    if not scheduler:
        return _run(left, right, threshold, progress)
    with connect(scheduler) as client:
        return _run(left, right, threshold, progress, ClusterComparer(client, chunk_pairs=chunk_pairs))


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


def _agreement(left: Codes, right: Codes, same: bool) -> tuple[float, float]:
    """Share of pairs of records (both with a value) that have the same value, and how many
    pairs that share is of."""
    left, right = left[left >= 0], right[right >= 0]
    _, dense = np.unique(np.concatenate([left, right]), return_inverse=True)
    size = int(dense.max(initial=-1)) + 1
    counts_left = np.bincount(dense[: len(left)], minlength=size).astype(np.float64)
    if same:
        n = len(left)
        return float((counts_left * (counts_left - 1)).sum() / max(n * (n - 1), 1)), n * (n - 1) / 2
    counts_right = np.bincount(dense[len(left) :], minlength=size).astype(np.float64)
    pairs = len(left) * len(right)
    return float((counts_left * counts_right).sum() / max(pairs, 1)), float(pairs)


def _date_codes(columns: Columns) -> Codes:
    birth = columns.birth.astype(np.int64)
    return np.where(birth[:, 0] > 0, birth[:, 0] * 10_000 + birth[:, 1] * 100 + birth[:, 2], -1)


def _exact_u(left: Columns, right: Columns, same: bool) -> dict[str, dict[int, float]]:
    """u of the agreement levels that value frequencies give exactly (no sampling error),
    blended with DEFAULT_U as if from PRIOR_WEIGHT pairs so that a tiny file, whose few pairs
    include its true matches, does not take its own matches for chance agreement."""
    exact: dict[str, dict[int, float]] = {}

    def blend(field: str, levels: dict[int, float], pairs: float) -> None:
        exact[field] = {
            level: (share * pairs + PRIOR_WEIGHT * DEFAULT_U[field][level]) / (pairs + PRIOR_WEIGHT)
            for level, share in levels.items()
        }

    for field in ("family_name", "given_name", "patronymic"):
        ln, rn = left.names[field], right.names[field]
        written, pairs = _agreement(ln.written, rn.written, same)
        skeleton = max(_agreement(ln.skeleton, rn.skeleton, same)[0], written)
        canonical = max(_agreement(ln.canonical, rn.canonical, same)[0], skeleton)
        blend(field, {1: written, 2: skeleton - written, 3: canonical - skeleton}, pairs)
    single = {
        "birth_date": (_date_codes(left), _date_codes(right)),
        "service_number": (left.service_number, right.service_number),
        "call_sign": (left.call_sign, right.call_sign),
        "sex": (left.sex, right.sex),
    }
    for field, (left_codes, right_codes) in single.items():
        share, pairs = _agreement(left_codes, right_codes, same)
        blend(field, {1: share}, pairs)
    return exact


def _train(
    left: Columns,
    right: Columns,
    same: bool,
    i: Codes,
    j: Codes,
    levels: npt.NDArray[np.int8],
    names: list[str],
    codes: list[str],
    compare_pairs: Compare,
) -> Model:
    """u from random pairs and value frequencies; m by EM per blocking rule; λ over all pairs."""
    random_i, random_j = _random_pairs(len(left), len(right), same)
    u = with_exact_u(
        estimate_u(compare_pairs(left, right, random_i, random_j, names, codes).levels),
        _exact_u(left, right, same),
    )
    # Until trained: half the smaller side is expected to match (Splink's
    # probability_two_random_records_match, over all pairs).
    smaller = len(left) / 4 if same else min(len(left), len(right)) / 2
    all_pairs = len(left) * (len(left) - 1) / 2 if same else len(left) * len(right)
    prior = float(np.clip(smaller / max(all_pairs, 1), 1e-12, 0.5))
    untrained = Model(m=default_model(0.5).m, u=u, prior=prior)
    if len(levels) < MIN_EM_PAIRS:
        return untrained
    membership = rule_membership(left, right, i, j)
    sessions = [(membership[:, r], fields) for r, fields in enumerate(RULE_FIELDS)]
    start = Model(m=untrained.m, u=u, prior=float(np.clip(smaller / len(levels), 1e-6, 0.5)))
    return Model(m=train_m_by_rule(levels, sessions, start), u=u, prior=prior)


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
    compare_pairs: Compare = compare,
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
    comparison = compare_pairs(left, right, i, j, names, codes)
    report("compare", 1.0)
    model = _train(left, right, same, i, j, comparison.levels, names, codes, compare_pairs)
    tf = _tf_adjustment(left, right, same, comparison.name_values, len(names))
    weights = pair_weights(comparison.levels, model, tf)
    total = weights.sum(axis=1)

    def posterior(total: npt.NDArray[np.float64], prior: float) -> npt.NDArray[np.float64]:
        return probability(total, prior) if same else exclusive_probability(total, i, prior, len(right))

    prior = model.prior
    if len(i) >= MIN_EM_PAIRS:
        all_pairs = len(left) * (len(left) - 1) / 2 if same else len(left) * len(right)
        prior = estimate_prior(total, all_pairs, prior, posterior=posterior)
    report("train", 1.0)
    probabilities = posterior(total, prior)
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
