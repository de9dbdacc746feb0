"""Explanations: turn the per-field weights of a pair into a line an analyst can read."""

from __future__ import annotations

from collections.abc import Iterable

from tracebureau.engines.linkage.records import Contribution


def explain_line(contributions: Iterable[Contribution]) -> str:
    """Fields in the order given, each with its level and signed weight in bits (log2 Bayes factor).

    >>> explain_line([Contribution("family_name", "same_after_transliteration", 6.21),
    ...               Contribution("birth_date", "different", -5.0)])
    'family_name same_after_transliteration +6.2; birth_date different -5.0'
    """
    return "; ".join(f"{c.field} {c.level} {c.weight:+.1f}" for c in contributions)
