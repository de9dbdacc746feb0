"""Reading an arrivals list (who actually came back) and matching each line to the registry.

A line is matched by the registry number when the file has one, otherwise by the lists
engine: first against the people we asked for (they are whom the list should name), then,
for a line none of them fits, against the whole registry (someone came instead). A living
person must be matched with confidence: a line that fits nobody, or fits only uncertainly, is
an error that names the row and what to do; so is a person on two lines. The body of someone
nobody can name yet is not an error: identification will name it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from tracebureau.exchanges.choices import Condition, MatchedBy
from tracebureau.lists.reconcile import engine_link, person_record
from tracebureau.lists.services import mapped_row
from tracebureau.lists.tables import guess_mapping
from tracebureau.registry.models import Person
from tracebureau.registry.selectors import persons_by_reference, persons_visible

# At or above: the engine's match is taken. Between the engine's floor and this, the line is
# refused with the likely person named, for the coordinator to confirm by registry number.
CONFIDENT = 0.9
LIKELY = 0.3

EXTRA_HEADER_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("registry_number", ("registry", "реєстр", "реестр", "record no", "record number", "person id")),
    ("condition", ("condition", "alive", "стан", "состояние", "живий", "жив")),
)
_DECEASED = {
    "deceased",
    "dead",
    "body",
    "remains",
    "загинув",
    "загинула",
    "помер",
    "померла",
    "тіло",
    "погиб",
    "погибла",
    "умер",
    "умерла",
    "тело",
    "200",
}
_ALIVE = {"alive", "living", "живий", "жива", "живой", "живая", "жив", "300", ""}


@dataclass
class Line:
    """One line of the file: what it says, and whom it was matched to."""

    number: int
    raw: dict[str, str]
    name: str
    birth_date: str
    condition: str
    record: dict[str, str]
    reference: str = ""
    person: Person | None = None
    matched_by: str = ""
    probability: float | None = None
    candidate: Person | None = None  # the engine's best guess, confident or not
    errors: list[str] = field(default_factory=list)


def guess_arrival_mapping(headers: Sequence[str]) -> dict[str, str]:
    """{field: header}: the lists' record fields, the registry number and the condition."""
    mapping: dict[str, str] = {}
    for header in headers:
        words = header.lower().replace("_", " ")
        for name, hints in EXTRA_HEADER_WORDS:
            if name not in mapping and any(hint in words for hint in hints):
                mapping[name] = header
                break
    taken = set(mapping.values())
    mapping.update(guess_mapping([h for h in headers if h not in taken]))
    return mapping


def read_lines(
    headers: Sequence[str], rows: Sequence[Sequence[str]], mapping: Mapping[str, str], *, bodies: bool
) -> list[Line]:
    """The file's lines with their values read; each line's errors name its row and column.
    In an exchange of bodies a line without a condition is a body."""
    record_mapping = {f: h for f, h in mapping.items() if f not in ("registry_number", "condition")}
    lines = []
    for number, cells in enumerate(rows, start=2):
        values = dict(zip(headers, cells, strict=False))
        condition, condition_error = _condition(values.get(mapping.get("condition", ""), ""), bodies)
        row, errors = mapped_row(number, values, record_mapping, require_name=False)
        reference = " ".join(values.get(mapping.get("registry_number", ""), "").split())
        line = Line(
            number=number,
            raw=values,
            name=row.name,
            birth_date=row.birth_date,
            condition=condition,
            record={**_record(row), "id": str(number)},
            reference=reference,
            errors=errors,
        )
        if condition_error:
            line.errors.append(
                _("Row %(row)s, column “%(column)s”: %(error)s.")
                % {"row": number, "column": mapping["condition"], "error": condition_error}
            )
        if not errors and not (row.name or reference) and condition == Condition.ALIVE:
            line.errors.append(_("Row %(row)s: no name and no registry number.") % {"row": number})
        lines.append(line)
    return lines


def _record(row: Any) -> dict[str, str]:
    names = ("family_name", "given_name", "patronymic", "full_name", "birth_date", "sex")
    return {name: getattr(row, name) for name in (*names, "service_number", "call_sign")}


def _condition(text: str, bodies: bool) -> tuple[str, str]:
    value = " ".join(text.lower().split()).rstrip(".")
    if not value:
        return (Condition.DECEASED if bodies else Condition.ALIVE), ""
    if value in _DECEASED:
        return Condition.DECEASED, ""
    if value in _ALIVE:
        return Condition.ALIVE, ""
    return Condition.ALIVE, _(
        "“%(value)s” is neither alive nor deceased (write alive/deceased, живий/загинув)"
    ) % {"value": text}


def match_lines(lines: list[Line], *, user: Any, expected: Sequence[Person]) -> None:
    """Give each line its person, or the error that says why it has none."""
    _by_reference(lines, user)
    named = [line for line in lines if not line.errors and line.person is None and line.name]
    _by_engine(named, expected)
    rest = [line for line in named if line.person is None]
    if rest:
        everyone = persons_visible(user=user).filter(merged_into__isnull=True)
        _by_engine(rest, list(everyone.iterator(chunk_size=2000)))
    for line in lines:
        if not line.errors and line.person is None:
            _unmatched(line)
    _refuse_duplicates(lines)


def _by_reference(lines: list[Line], user: Any) -> None:
    with_reference = [line for line in lines if line.reference and not line.errors]
    found = persons_by_reference(user=user, references=[line.reference for line in with_reference])
    for line in with_reference:
        persons = found.get(line.reference, [])
        if len(persons) != 1:
            message = (
                _("Row %(row)s: no one in the registry has the number “%(ref)s”.")
                if not persons
                else _(
                    "Row %(row)s: “%(ref)s” is the number of more than one person; write #<record number>."
                )
            )
            line.errors.append(message % {"row": line.number, "ref": line.reference})
            continue
        person = persons[0]
        # A record merged into another is the other: its people came back under one record.
        line.person = Person.objects.get(pk=person.merged_into_id) if person.merged_into_id else person
        line.matched_by = MatchedBy.REGISTRY_NUMBER


def _by_engine(lines: list[Line], persons: Sequence[Person]) -> None:
    if not lines or not persons:
        return
    by_id = {str(p.pk): p for p in persons}
    matches = engine_link([line.record for line in lines], [person_record(p) for p in persons], _quiet)
    best: dict[str, tuple[str, float]] = {}
    for row_id, person_id, probability, _explanation in matches:
        if probability > best.get(row_id, ("", 0.0))[1]:
            best[row_id] = (person_id, probability)
    for line in lines:
        person_id, probability = best.get(str(line.number), ("", 0.0))
        if probability > (line.probability or 0.0):
            line.probability = probability
            line.person = by_id[person_id] if probability >= CONFIDENT else None
            line.candidate = by_id[person_id]
            line.matched_by = MatchedBy.ENGINE if probability >= CONFIDENT else ""


def _quiet(stage: str, fraction: float) -> None:
    """The arrivals list is short; the page waits for it without a progress bar."""


def _unmatched(line: Line) -> None:
    candidate = line.candidate
    if line.condition == Condition.DECEASED:
        line.matched_by = MatchedBy.UNNAMED  # a body: named later, by identification
        line.probability = None
        return
    if candidate is not None and (line.probability or 0.0) >= LIKELY:
        line.errors.append(
            _(
                "Row %(row)s: “%(name)s” is probably %(person)s (record #%(id)s, %(p)s %%), but not "
                "certainly: to confirm, write #%(id)s in a “registry number” column."
            )
            % {
                "row": line.number,
                "name": line.name,
                "person": candidate,
                "id": candidate.pk,
                "p": round(100 * (line.probability or 0.0)),
            }
        )
        return
    line.errors.append(
        _(
            "Row %(row)s: no one in the registry matches “%(name)s”%(birth)s. Register the person "
            "first, or give their record number in a “registry number” column."
        )
        % {
            "row": line.number,
            "name": line.name,
            "birth": f" ({line.birth_date})" if line.birth_date else "",
        }
    )


def _refuse_duplicates(lines: list[Line]) -> None:
    first: dict[int, Line] = {}
    for line in lines:
        if line.person is None or line.errors:
            continue
        earlier = first.setdefault(line.person.pk, line)
        if earlier is not line:
            line.errors.append(
                _("Row %(row)s: the same person as row %(first)s (%(person)s, #%(id)s).")
                % {"row": line.number, "first": earlier.number, "person": line.person, "id": line.person.pk}
            )
