"""What an import did, or would do: one outcome per record and one problem per fault, each
with its location in the file (a row and column, or a line of XML) so the sender can mend it.

Every import runs in one transaction. A dry run does all of it, reports, and rolls it back: what
the dry run shows is exactly what committing would do. A file with any problem commits nothing.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# What a record that leads to a person the importer may not change gets, and one that leads
# nowhere: the same words, so that an import cannot be used to find out what the registry holds.
UNREACHABLE = gettext_lazy("There is no such record, or you may not change it.")


# Told the fraction of the file's records done so far (0.0 to 1.0): the import job's progress.
Progress = Callable[[float], None]


def no_progress(fraction: float) -> None:
    """Where nobody watches (the command line, the dry run in the web request)."""


class Action:
    CREATE = "create"  # a new person or event
    UPDATE = "update"  # a person matched, blank fields filled from the file
    MATCH = "match"  # a person matched, nothing new in the file for them
    UNCHANGED = "unchanged"  # the very record was imported before: nothing to do
    CONFLICT = "conflict"  # matched, but the file disagrees with the registry: kept, for review

    LABELS = {
        CREATE: gettext_lazy("new"),
        UPDATE: gettext_lazy("completed"),
        MATCH: gettext_lazy("matched"),
        UNCHANGED: gettext_lazy("imported before"),
        CONFLICT: gettext_lazy("disagrees: for review"),
    }


@dataclass
class Outcome:
    location: str
    action: str
    label: str
    person_id: int | None = None
    # {field: [registry value, file value]}: filled for an update, disagreements for a conflict.
    changes: dict[str, list[str]] = field(default_factory=dict)
    detail: str = ""

    @property
    def action_label(self) -> str:
        return str(Action.LABELS.get(self.action, self.action))


@dataclass
class Problem:
    location: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.location}, {self.field}" if self.field else self.location
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    file_name: str
    sha256: str
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    import_id: int | None = None
    # Columns with values that no field was mapped to: said, so that nothing is left unread unseen.
    unread_columns: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(o.action for o in self.outcomes))

    @property
    def counted(self) -> list[tuple[str, str, int]]:
        """(action, its label, how many), in the order of Action.LABELS."""
        counts = self.counts
        return [(a, str(label), counts[a]) for a, label in Action.LABELS.items() if a in counts]

    def classification(self) -> str:
        """The highest classification of the records the import touched: who may read its
        outcomes, which name them."""
        from tracebureau.core.choices import CLASSIFICATION_ORDER, Classification
        from tracebureau.registry.models import Person

        ids = {o.person_id for o in self.outcomes if o.person_id}
        levels = set(Person.objects.filter(pk__in=ids).values_list("classification", flat=True))
        return max(levels | {Classification.OPEN}, key=CLASSIFICATION_ORDER.index)

    def stored_outcomes(self) -> list[dict[str, Any]]:
        """The outcomes as the Import row keeps them: conflicts stay there for review."""
        return [asdict(o) for o in self.outcomes]

    @property
    def committed(self) -> bool:
        return self.import_id is not None

    def problem(self, location: str, field_name: str, message: str) -> None:
        self.problems.append(Problem(location, field_name, message))


class ImportFailed(ValidationError):
    """The file had problems: nothing of it was committed. The report says where."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        super().__init__([str(p) for p in report.problems] or [_("The file could not be imported.")])


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def run_import(report: ImportReport, work: Callable[[ImportReport], Any]) -> ImportReport:
    """Run `work` in one transaction. It fills the report; if it found any problem, or this is a
    dry run, everything it wrote is rolled back. Raises ImportFailed (nothing committed) when
    the file had problems."""
    try:
        with transaction.atomic():
            work(report)
            if report.problems or report.dry_run:
                raise _DryRun
    except _DryRun:
        report.import_id = None
    if report.problems:
        raise ImportFailed(report)
    return report
