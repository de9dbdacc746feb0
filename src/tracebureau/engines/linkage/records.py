"""The data the engine takes and gives: records in, matches with their explanation out."""

from __future__ import annotations

from dataclasses import dataclass


class LinkageInputError(ValueError):
    """Input the engine cannot use, with the place named: "row 7, column birth_date: ..."."""


@dataclass(frozen=True)
class Record:
    """One person as a list or the registry writes them; every field but `id` may be empty.

    `full_name` is read only when the three name parts are all empty: "КОЗАЦЬКИЙ Дмитро
    Олександрович", "Dmitry Kozatsky" and "Kozatsky Dmitry" are all understood.
    `birth_date` is "YYYY-MM-DD", "YYYY-MM", "YYYY" or "".
    """

    id: str
    family_name: str = ""
    given_name: str = ""
    patronymic: str = ""
    full_name: str = ""
    birth_date: str = ""
    sex: str = ""
    service_number: str = ""
    call_sign: str = ""


@dataclass(frozen=True)
class Contribution:
    """How much one field moved a pair's score: the level that applied and its log2 Bayes factor."""

    field: str
    level: str
    weight: float


@dataclass(frozen=True)
class Match:
    """A candidate pair at or above the threshold, with its calibrated probability and why.

    >>> Match("L1", "R7", 0.98, (Contribution("family_name", "exact", 6.25),)).explain()
    'family_name exact +6.2'
    """

    left_id: str
    right_id: str
    probability: float
    explanation: tuple[Contribution, ...]

    def explain(self) -> str:
        """One line: each field, the level that applied and its weight in bits."""
        from tracebureau.engines.linkage.explain import explain_line

        return explain_line(self.explanation)
