"""Precision, recall and F1 of a set of matched pairs against the true pairs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Accuracy:
    """Pairwise figures: every predicted (list row, registry row) pair counts once.

    >>> a = Accuracy.of({("a", "1"), ("b", "2"), ("c", "9")}, {("a", "1"), ("b", "2"), ("d", "4")})
    >>> a.true_positives, a.precision, a.recall
    (2, 0.6666666666666666, 0.6666666666666666)
    """

    predicted: int
    true: int
    true_positives: int

    @classmethod
    def of(cls, predicted: Iterable[tuple[str, str]], truth: set[tuple[str, str]]) -> Accuracy:
        pairs = set(predicted)
        return cls(len(pairs), len(truth), len(pairs & truth))

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.true if self.true else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"precision": self.precision, "recall": self.recall, "f1": self.f1}
