"""The two systems under test, each run from in-memory tables and timed end to end.

Our engine is timed from building its `Record`s to the list of matches; Splink from registering
its tables to the predictions, training included, because both systems train without labels on
the data they link.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

RECORD_FIELDS = (
    "family_name",
    "given_name",
    "patronymic",
    "full_name",
    "birth_date",
    "sex",
    "service_number",
    "call_sign",
)


@dataclass
class Run:
    """What one system produced: the pairs (left id, right id) at or above the threshold."""

    system: str
    pairs: set[tuple[str, str]] = field(default_factory=set)
    probabilities: dict[tuple[str, str], float] = field(default_factory=dict)
    seconds: float = 0.0
    error: str = ""
    notes: dict[str, Any] = field(default_factory=dict)


Scored = dict[tuple[str, str], float]  # (left id, right id) → match probability


def timed(system: str, body: Callable[[], Scored]) -> Run:
    started = time.perf_counter()
    try:
        scored = body()
    except Exception as error:  # a failing system is a figure for the report, not a crash
        return Run(system, seconds=time.perf_counter() - started, error=f"{type(error).__name__}: {error}")
    return Run(system, set(scored), scored, time.perf_counter() - started)


def engine_available() -> str:
    """Empty when the engine imports; otherwise why not (the engine lives on branch `linkage`)."""
    try:
        from tracebureau.engines.linkage import link  # noqa: F401
    except ImportError as error:
        return f"engine not importable: {error}"
    return ""


def to_records(frame: pd.DataFrame) -> list[Any]:
    from tracebureau.engines.linkage import Record

    columns = [c for c in RECORD_FIELDS if c in frame.columns]
    values = frame[["id", *columns]].fillna("").astype(str).itertuples(index=False, name=None)
    return [Record(id=row[0], **dict(zip(columns, row[1:], strict=True))) for row in values]


def run_ours(left: pd.DataFrame, right: pd.DataFrame, *, threshold: float = 0.5) -> Run:
    problem = engine_available()
    if problem:
        return Run("tracebureau", error=problem)

    def body() -> Scored:
        from tracebureau.engines.linkage import link

        matches = link(to_records(left), to_records(right), threshold=threshold)
        explained.update({(m.left_id, m.right_id): f"p={m.probability:.3f}: {m.explain()}" for m in matches})
        return {(m.left_id, m.right_id): m.probability for m in matches}

    explained: dict[tuple[str, str], str] = {}
    run = timed("tracebureau", body)
    run.notes["explanations"] = explained
    return run


def quiet_splink() -> None:
    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.ERROR)


def splink_pairs(predictions: Any, left_ids: set[str], id_column: str = "unique_id") -> Scored:
    """Splink's predictions as (left id, right id), whichever side it put each table on."""
    frame = predictions.as_pandas_dataframe()
    pairs = {}
    columns = (frame[f"{id_column}_l"].astype(str), frame[f"{id_column}_r"].astype(str))
    for l_id, r_id, p in zip(*columns, frame["match_probability"].astype(float), strict=True):
        pairs[(l_id, r_id) if l_id in left_ids else (r_id, l_id)] = p
    return pairs
