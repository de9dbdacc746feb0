"""Fellegi–Sunter scoring: m and u per comparison level, a prior, and calibrated probabilities.

- u (how often a level occurs among non-matching pairs) is first estimated from random pairs,
  as Splink's `estimate_u_using_random_sampling` does: random pairs are almost all non-matches.
- m, u and the prior λ (share of matches among the candidate pairs) are then refined by
  expectation maximisation over the candidate pairs, without labels (Winkler's EM under
  conditional independence). EM runs on the distinct comparison patterns with their counts, so
  its cost does not depend on the number of pairs.
- A name that agrees is weighted by its frequency, as Splink's term-frequency adjustment does:
  the Bayes factor m/u of the level is multiplied by u_pop / tf(value), where tf(value) is the
  share of records carrying that canonical name and u_pop = Σ tf² is how often two random
  records agree on the name at all. A common surname counts for less than a rare one, and on
  average over agreeing pairs the adjustment is neutral.

A pair's match weight is W = Σ log2 Bayes factors; its probability is
p = λ·2^W / (λ·2^W + 1 − λ).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tracebureau.engines.linkage.compare import FIELD_LEVELS, FIELDS, NAME_AGREEMENT

Array = npt.NDArray[np.float64]
Levels = npt.NDArray[np.int8]

# Starting values (and, for small inputs, the values used): m falls from the strongest
# agreement level; u is what random pairs of people show. Index 0 is "missing" and unused.
DEFAULT_M: dict[str, tuple[float, ...]] = {
    "family_name": (1, 0.70, 0.12, 0.06, 0.07, 0.02, 0.01, 0.02),
    "given_name": (1, 0.70, 0.08, 0.08, 0.04, 0.02, 0.03, 0.05),
    "patronymic": (1, 0.70, 0.08, 0.08, 0.04, 0.02, 0.03, 0.05),
    "birth_date": (1, 0.80, 0.03, 0.05, 0.02, 0.02, 0.03, 0.02, 0.03),
    "service_number": (1, 0.90, 0.05, 0.05),
    "call_sign": (1, 0.80, 0.10, 0.10),
    "sex": (1, 0.97, 0.03),
}
DEFAULT_U: dict[str, tuple[float, ...]] = {
    "family_name": (1, 0.001, 0.0005, 0.0005, 0.005, 0.01, 0.001, 0.982),
    "given_name": (1, 0.01, 0.002, 0.003, 0.01, 0.02, 0.005, 0.95),
    "patronymic": (1, 0.01, 0.002, 0.003, 0.01, 0.02, 0.005, 0.95),
    "birth_date": (1, 0.0001, 0.00001, 0.0005, 0.0001, 0.002, 0.02, 0.02, 0.95729),
    "service_number": (1, 0.000001, 0.00001, 0.999989),
    "call_sign": (1, 0.0001, 0.001, 0.9989),
    "sex": (1, 0.5, 0.5),
}
PRIOR_WEIGHT = 1000.0  # random-pair u is blended with DEFAULT_U as if from this many prior pairs
MIN_EM_PAIRS = 1000
MIN_SESSION_PAIRS = 50
PURE_ENOUGH = 0.8  # sessions this close to the purest one's share of matches are averaged
FLOOR = 1e-6
# The least m a level may have after training, when EM saw no true match at that level at all
# (a birth date that disagrees outright, another sex): about 20 bits against the pair, so that
# full names with an agreeing service number (some 34 bits) still carry it through one such
# slip, while a namesake who agrees on the name alone (some 20 to 29 bits) is held back. Trained
# values above it are kept as EM found them. 1e-5 let twice as many namesakes through on the
# cross-script benchmark, and 1e-3 three times as many.
M_FLOOR = 1e-6


@dataclass(frozen=True)
class Model:
    """m and u per field (arrays over that field's levels) and the prior λ over candidate pairs."""

    m: dict[str, Array]
    u: dict[str, Array]
    prior: float

    def bayes_factor_log2(self, field: str) -> Array:
        """log2(m/u) per level; 0 for "missing"."""
        weights = np.log2(self.m[field] / self.u[field])
        weights[0] = 0.0
        return np.asarray(weights, dtype=np.float64)


def default_model(prior: float) -> Model:
    return Model(
        m={f: np.array(DEFAULT_M[f], dtype=np.float64) for f in FIELDS},
        u={f: np.array(DEFAULT_U[f], dtype=np.float64) for f in FIELDS},
        prior=prior,
    )


def estimate_u(levels: Levels) -> dict[str, Array]:
    """u per field from the levels of random pairs, blended with DEFAULT_U.

    >>> import numpy as np
    >>> levels = np.zeros((1000, len(FIELDS)), dtype=np.int8)
    >>> levels[:, 0] = 6; levels[:10, 0] = 1      # 1% of random pairs share the surname exactly
    >>> round(float(estimate_u(levels)["family_name"][1]), 5)   # (10 + 1000·0.001) / 2000
    0.0055
    """
    result: dict[str, Array] = {}
    for k, field in enumerate(FIELDS):
        n_levels = len(FIELD_LEVELS[field])
        counts = np.bincount(levels[:, k], minlength=n_levels).astype(np.float64)
        counts[0] = 0.0
        prior = np.array(DEFAULT_U[field], dtype=np.float64)
        prior[0] = 0.0
        u = (counts + PRIOR_WEIGHT * prior / prior.sum()) / (counts.sum() + PRIOR_WEIGHT)
        u[0] = 1.0
        result[field] = u
    return result


def with_exact_u(u: dict[str, Array], exact: dict[str, dict[int, float]]) -> dict[str, Array]:
    """u with the levels known exactly from value frequencies put in; the sampled levels share
    what is left, in their sampled proportions.

    >>> import numpy as np
    >>> u = with_exact_u({"sex": np.array([1.0, 0.4, 0.6])}, {"sex": {1: 0.5}})
    >>> u["sex"].tolist()
    [1.0, 0.5, 0.5]
    """
    result = dict(u)
    for field, known in exact.items():
        if field not in u:
            continue
        values = u[field].copy()
        fixed = np.zeros(len(values), dtype=bool)
        fixed[0] = True
        for level, value in known.items():
            values[level] = max(value, FLOOR)
            fixed[level] = True
        rest = values[~fixed].sum()
        if rest > 0:
            values[~fixed] *= max(1.0 - values[fixed][1:].sum(), FLOOR) / rest
        result[field] = values
    return result


def _pattern_log_likelihood(patterns: Levels, table: dict[str, Array]) -> Array:
    total = np.zeros(len(patterns))
    for k, field in enumerate(FIELDS):
        values = np.log(table[field])
        values[0] = 0.0
        total += values[patterns[:, k]]
    return total


def _posterior(patterns: Levels, model: Model) -> Array:
    log_m = _pattern_log_likelihood(patterns, model.m) + np.log(model.prior)
    log_u = _pattern_log_likelihood(patterns, model.u) + np.log1p(-model.prior)
    return np.asarray(1.0 / (1.0 + np.exp(np.clip(log_u - log_m, -700, 700))), dtype=np.float64)


def _m_step(patterns: Levels, weights: Array) -> dict[str, Array]:
    result: dict[str, Array] = {}
    for k, field in enumerate(FIELDS):
        n_levels = len(FIELD_LEVELS[field])
        sums = np.bincount(patterns[:, k], weights=weights, minlength=n_levels)
        sums[0] = 0.0
        share = np.clip(sums / max(sums.sum(), FLOOR), FLOOR, 1.0)
        share[0] = 1.0
        result[field] = share
    return result


def train_em(
    levels: Levels,
    start: Model,
    *,
    fixed_u: bool = False,
    max_iterations: int = 200,
    tolerance: float = 1e-6,
) -> Model:
    """m (and, unless `fixed_u`, u) and λ by EM over the pairs' levels, from `start`.

    Runs on the distinct level patterns weighted by their counts; stops when λ and m settle.
    """
    patterns, counts = np.unique(levels, axis=0, return_counts=True)
    counts = counts.astype(np.float64)
    model = start
    for _ in range(max_iterations):
        matched = counts * _posterior(patterns, model)
        prior = float(np.clip(matched.sum() / counts.sum(), FLOOR, 1 - FLOOR))
        u = model.u if fixed_u else _m_step(patterns, counts - matched)
        updated = Model(m=_m_step(patterns, matched), u=u, prior=prior)
        change = max(
            abs(updated.prior - model.prior),
            *(float(np.abs(updated.m[f] - model.m[f]).max()) for f in FIELDS),
        )
        model = updated
        if change < tolerance:
            break
    return model


def train_m_by_rule(
    levels: Levels, sessions: list[tuple[npt.NDArray[np.bool_], tuple[str, ...]]], start: Model
) -> dict[str, Array]:
    """m per field from one EM session per blocking rule, u held fixed, as Splink trains it.

    Each session sees only the pairs its rule found, with the fields the rule blocked on left
    out (among those pairs they agree by construction, so they say nothing about m). Splink then
    takes the median over sessions; here a field takes its m from the purest session that could
    estimate it (the largest share of expected matches, with at least MIN_SESSION_PAIRS of
    them). EM's estimate is only as good as its separation of matches from non-matches: in the
    session blocked on names, namesakes (same name, another person) look to EM like matches
    with a wrong birth date and teach it that birth dates often disagree, while the session
    blocked on service numbers is nearly all true matches. Over generated benchmarks the median
    swung with the noise of a low-purity session (call signs are few, so their block is mostly
    strangers); the purest session did not. A field no session could estimate keeps its
    starting m.
    """
    trained: dict[str, list[tuple[float, float, Array]]] = {f: [] for f in FIELDS}  # purity, matches, m
    for members, blocked in sessions:
        if members.sum() < MIN_SESSION_PAIRS:
            continue
        session_levels = levels[members].copy()
        for k, field in enumerate(FIELDS):
            if field in blocked:
                session_levels[:, k] = 0
        model = train_em(session_levels, start, fixed_u=True)
        expected = model.prior * len(session_levels)
        if expected < MIN_SESSION_PAIRS:
            continue
        for k, field in enumerate(FIELDS):
            if field not in blocked and (session_levels[:, k] > 0).any():
                trained[field].append((model.prior, expected, model.m[field]))
    result = {}
    for field in FIELDS:
        if not trained[field]:
            result[field] = start.m[field]
            continue
        purest = max(purity for purity, _, _ in trained[field])
        clean = [(expected, m) for purity, expected, m in trained[field] if purity >= PURE_ENOUGH * purest]
        weights = np.array([expected for expected, _ in clean])
        m = (weights[:, None] * np.array([m for _, m in clean])).sum(axis=0) / weights.sum()
        result[field] = np.maximum(m, M_FLOOR)
    return result


def estimate_prior(
    total_weight: Array,
    all_pairs: float,
    start: float,
    *,
    posterior: Callable[[Array, float], Array] | None = None,
    iterations: int = 200,
) -> float:
    """λ over all pairs: the fixed point of λ = Σ P(match | candidate) / number of all pairs.

    Pairs that no blocking rule found are taken as non-matches, so this is EM for λ alone.
    `posterior` turns weights and λ into probabilities (pairwise `probability` by default; a
    link passes `exclusive_probability`, so that λ is estimated under the model that scores it).

    >>> import numpy as np
    >>> round(estimate_prior(np.array([40.0, 40.0, -40.0]), 1000, 0.5), 6)
    0.002
    """
    prior = start
    for _ in range(iterations):
        updated = float(
            np.clip((posterior or probability)(total_weight, prior).sum() / all_pairs, 1e-12, 0.5)
        )
        if abs(updated - prior) < 1e-12:
            break
        prior = updated
    return prior


def term_frequencies(values: npt.NDArray[np.int64], size: int) -> tuple[Array, float]:
    """tf per code (share of records with that value, among those with any) and u_pop = Σ tf².

    >>> import numpy as np
    >>> tf, u_pop = term_frequencies(np.array([0, 0, 0, 1, -1]), 2)
    >>> tf.tolist(), u_pop
    ([0.75, 0.25], 0.625)
    """
    present = values[values >= 0]
    counts = np.bincount(present, minlength=size).astype(np.float64)
    tf = counts / max(len(present), 1)
    return tf, float((tf**2).sum())


def pair_weights(levels: Levels, model: Model, tf_adjustment: dict[str, Array]) -> npt.NDArray[np.float64]:
    """(n_pairs, n_fields) log2 Bayes factors, with each name field's TF adjustment added."""
    weights = np.zeros(levels.shape, dtype=np.float64)
    for k, field in enumerate(FIELDS):
        weights[:, k] = model.bayes_factor_log2(field)[levels[:, k]]
        if field in tf_adjustment:
            agreeing = np.isin(levels[:, k], NAME_AGREEMENT)
            weights[agreeing, k] += tf_adjustment[field][agreeing]
    return weights


def probability(total_weight: Array, prior: float) -> Array:
    """p = λ·2^W / (λ·2^W + 1 − λ).

    >>> import numpy as np
    >>> probability(np.array([0.0, 10.0]), 0.5).round(6).tolist()
    [0.5, 0.999024]
    """
    log_odds = np.log2(prior / (1 - prior)) + total_weight
    return np.asarray(1.0 / (1.0 + np.exp2(-np.clip(log_odds, -1000, 1000))), dtype=np.float64)


def exclusive_probability(
    total_weight: Array, rows: npt.NDArray[np.int64], prior: float, n_right: int
) -> Array:
    """p for a link in which each list row is at most one registry person.

    The registry holds each person once, so a list row's candidates compete: with prior λ per
    pair and ρ = λ·n_right the prior that the row is anybody in the registry,
    p(i is j) = λ·2^W_ij / ((1 − ρ) + λ·Σ_k 2^W_ik) over the row's candidates k (pairs that no
    blocking key found add nothing). With one strong candidate this is the pairwise p; two
    namesakes that fit equally well each get under one half instead of both being "certain".

    >>> import numpy as np
    >>> w, rows = np.array([20.0, 20.0, 20.0]), np.array([0, 0, 1])
    >>> exclusive_probability(w, rows, 2**-20, 4).round(3).tolist()
    [0.333, 0.333, 0.5]
    """
    if len(total_weight) == 0:
        return np.zeros(0)
    spread = float(np.clip(prior * n_right, 0.0, 0.99))
    log_terms = np.log2(prior) + total_weight  # log2 of λ·2^W, per pair
    order = np.argsort(rows, kind="stable")
    sorted_rows = rows[order]
    starts = np.flatnonzero(np.r_[True, sorted_rows[1:] != sorted_rows[:-1]])
    top = np.maximum.reduceat(log_terms[order], starts)
    group = np.cumsum(np.r_[False, sorted_rows[1:] != sorted_rows[:-1]])
    scaled = np.exp2(log_terms[order] - top[group])
    # log2 of the denominator, shifted by each row's largest term to stay finite.
    denominator = np.log2(
        (1 - spread) * np.exp2(-np.clip(top, -1000, 1000)) + np.add.reduceat(scaled, starts)
    )
    result = np.empty(len(total_weight))
    result[order] = np.exp2(log_terms[order] - top[group] - denominator[group])
    return np.clip(result, 0.0, 1.0)
