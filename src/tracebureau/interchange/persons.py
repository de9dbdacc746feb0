"""Persons from a registry's list (CSV or XLSX) into ours, with a column mapping and a dry run.

Each row is found in the registry or registered. A row is the same person as a record when:
the file's own id for it was imported before from the same system (ExternalRecord); or else its
service number belongs to exactly one record; or else its name and full date of birth are
exactly those of one record. A matched record only gains what it lacks: fields blank here and
filled in the file are filled ("update"); fields where the two disagree are kept as they are and
reported ("conflict") for a case officer to decide, because a list is not a reason to overwrite
an identity. Spellings of the name the registry did not have are kept as name variants.

Run dry, the import does everything in a transaction and rolls it back (see reports.run_import):
the report is exactly what committing would do.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tracebureau.audit.services import audit_bulk_created
from tracebureau.core import policy
from tracebureau.core.choices import Classification
from tracebureau.core.policy import CHANGE, Can
from tracebureau.interchange.choices import ImportFormat
from tracebureau.interchange.models import ExternalRecord, Import
from tracebureau.interchange.reports import (
    UNREACHABLE,
    Action,
    ImportReport,
    Outcome,
    Progress,
    no_progress,
    run_import,
    sha256_of,
)
from tracebureau.lists.services import birth_parts, check_mapping, normalise_birth_date, normalise_sex
from tracebureau.lists.tables import Table, read_table
from tracebureau.registry import services as registry
from tracebureau.registry.choices import Category, Side
from tracebureau.registry.models import Agency, Person

# The fields a list may fill, in the order the mapping form shows them.
FIELDS: tuple[str, ...] = (
    "record_id",
    "family_name",
    "given_names",
    "patronymic",
    "full_name",
    "birth_date",
    "place_of_birth",
    "sex",
    "nationality",
    "power_served",
    "category",
    "side",
    "agency",
    "rank",
    "unit",
    "service_number",
    "identity_disc",
    "call_sign",
    "mother_maiden_name",
    "next_of_kin",
    "correspondence_address",
)
# Header words per field, in Ukrainian, Russian and English; the more specific first.
HEADER_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("record_id", ("id", "record", "№", "номер запису", "ідентифікатор")),
    ("patronymic", ("patronymic", "по батькові", "отчество", "father")),
    ("mother_maiden_name", ("maiden", "дівоче", "девичья")),
    ("full_name", ("full name", "піб", "фио", "п.і.б", "ф.и.о")),
    ("family_name", ("family", "surname", "last name", "прізвище", "фамилия")),
    ("given_names", ("given", "first name", "forename", "ім'я", "імʼя", "имя")),
    ("birth_date", ("birth date", "date of birth", "dob", "дата народження", "дата рождения")),
    ("place_of_birth", ("place of birth", "birthplace", "місце народження", "место рождения")),
    ("sex", ("sex", "gender", "стать", "пол")),
    ("nationality", ("nationality", "citizenship", "громадянство", "гражданство")),
    ("power_served", ("power", "держава", "государство")),
    ("category", ("category", "категорія", "категория")),
    ("side", ("side", "сторона")),
    ("agency", ("agency", "branch", "відомство", "ведомство")),
    ("rank", ("rank", "звання", "звание")),
    ("unit", ("unit", "частина", "часть")),
    ("service_number", ("service number", "personal number", "особистий номер", "личный номер")),
    ("identity_disc", ("disc", "жетон", "знак")),
    ("call_sign", ("call sign", "callsign", "позивний", "позывной")),
    ("next_of_kin", ("next of kin", "relative", "родич", "родственник")),
    ("correspondence_address", ("address", "адреса", "адрес")),
)
NAME_FIELDS = ("family_name", "given_names", "patronymic")


@dataclass(frozen=True)
class Defaults:
    """What a row that does not say gets: the list's category, side and classification."""

    category: str = Category.MISSING
    side: str = Side.OWN
    classification: str = Classification.RESTRICTED


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """{field: header} for the headers whose words say what they hold."""
    mapping: dict[str, str] = {}
    for header in headers:
        words = " ".join(header.lower().replace("_", " ").split())
        for field, hints in HEADER_WORDS:
            if field not in mapping and (words == field.replace("_", " ") or _says(words, hints)):
                mapping[field] = header
                break
    return mapping


def _says(words: str, hints: tuple[str, ...]) -> bool:
    tokens = set(words.replace(",", " ").replace(".", " ").split())
    return any(hint in tokens if len(hint) <= 3 else hint in words for hint in hints)


def persons_import(
    *,
    content: bytes,
    file_name: str,
    mapping: Mapping[str, str],
    system: str,
    source: Any,
    by: Any,
    defaults: Defaults | None = None,
    dry_run: bool = False,
    progress: Progress = no_progress,
) -> ImportReport:
    """Match or register every row of the file; see the module docstring. Raises ImportFailed,
    having committed nothing, if any row is wrong; a ValidationError if the file or the mapping
    is. `progress` is told after each row how much of the file is done."""
    policy.require(by, Can.IMPORT_RECORDS)
    policy.require(by, Can.EDIT_PERSONS)
    table = read_table(file_name, content)
    mapping = check_mapping(table.headers, mapping, fields=FIELDS, key="mapping")
    report = ImportReport(file_name=file_name, sha256=sha256_of(content), dry_run=dry_run)
    job = _Job(table, mapping, system.strip() or file_name, source, by, defaults or Defaults())
    job.progress = progress
    return run_import(report, job.run)


class _Job:
    def __init__(
        self, table: Table, mapping: dict[str, str], system: str, source: Any, by: Any, defaults: Defaults
    ) -> None:
        self.table, self.mapping, self.system, self.source = table, mapping, system, source
        self.by, self.defaults = by, defaults
        self.agencies = {a.code.lower(): a for a in Agency.objects.all()}
        self.ids_seen: dict[str, int] = {}
        self.externals: list[tuple[str, str, int]] = []
        self.progress: Progress = no_progress

    def run(self, report: ImportReport) -> None:
        earlier = Import.objects.filter(format=ImportFormat.PERSONS, sha256=report.sha256).first()
        if earlier is not None:
            # Rows without an id, service number or full date of birth would be registered twice.
            report.problem(
                _("The file"),
                "",
                _("This very file was imported on %(at)s by %(by)s.")
                % {"at": earlier.at.date().isoformat(), "by": earlier.by},
            )
            return
        report.unread_columns = _unread(self.table, self.mapping)
        for offset, cells in enumerate(self.table.rows):
            number = offset + 2  # as a spreadsheet numbers it: the header is row 1
            self._row(report, number, dict(zip(self.table.headers, cells, strict=True)))
            self.progress((offset + 1) / len(self.table.rows))
        if report.problems:
            return
        # Written last, when the summary is known: the row is append-only.
        batch = Import.objects.create(
            format=ImportFormat.PERSONS,
            file_name=report.file_name[:255],
            sha256=report.sha256,
            system=self.system[:200],
            source=self.source,
            by=self.by,
            summary=report.counts,
            outcomes=report.stored_outcomes(),
            classification=report.classification(),
        )
        records = ExternalRecord.objects.bulk_create(
            ExternalRecord(
                system=self.system[:200],
                record_id=record_id[:500],
                sha256=digest,
                person_id=person_id,
                imported_in=batch,
            )
            for record_id, digest, person_id in self.externals
        )
        audit_bulk_created(records, user=self.by)
        report.import_id = batch.pk

    def _row(self, report: ImportReport, number: int, values: dict[str, str]) -> None:
        fields, errors = self._fields(number, values)
        for column, message in errors:
            report.problem(_("Row %(row)s") % {"row": number}, column, message)
        record_id = fields.pop("record_id", "")
        if errors or not self._first_time(report, number, record_id):
            return
        digest = hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()
        location = _("Row %(row)s") % {"row": number}
        try:
            outcome = self._apply(location, fields, record_id, digest)
        except ValidationError as exc:
            for name, messages in _messages(exc).items():
                report.problem(location, self.mapping.get(name, name), " ".join(messages))
            return
        report.outcomes.append(outcome)
        if record_id and outcome.person_id and outcome.action != Action.UNCHANGED:
            self.externals.append((record_id, digest, outcome.person_id))

    def _first_time(self, report: ImportReport, number: int, record_id: str) -> bool:
        if not record_id:
            return True
        if record_id in self.ids_seen:
            report.problem(
                _("Row %(row)s") % {"row": number},
                self.mapping["record_id"],
                _("the id %(id)s is already on row %(first)s.")
                % {"id": record_id, "first": self.ids_seen[record_id]},
            )
            return False
        self.ids_seen[record_id] = number
        return True

    # --- one row's values ---------------------------------------------------------------

    def _fields(self, number: int, values: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        fields: dict[str, Any] = {}
        errors: list[tuple[str, str]] = []
        for field, header in self.mapping.items():
            text = " ".join(values.get(header, "").split())
            if not text:
                continue
            try:
                fields.update(self._read(field, text))
            except ValueError as exc:
                errors.append((header, str(exc)))
        if not errors and not fields.get("family_name"):
            errors.append(("", _("no name.")))
        return fields, errors

    def _read(self, field: str, text: str) -> dict[str, Any]:
        if field == "full_name":
            return dict(zip(NAME_FIELDS, _split_full_name(text), strict=False))
        if field == "birth_date":
            return birth_parts(normalise_birth_date(text))
        if field == "sex":
            return {"sex": normalise_sex(text)}
        if field == "agency":
            agency = self.agencies.get(text.lower())
            if agency is None:
                raise ValueError(_("no agency has the code %(code)s") % {"code": text})
            return {"agency": agency}
        if field in ("category", "side"):
            choices = {"category": Category, "side": Side}[field]
            if text not in choices.values:
                raise ValueError(_("write one of: %(values)s") % {"values": ", ".join(choices.values)})
        limit = 500 if field == "record_id" else getattr(Person._meta.get_field(field), "max_length", None)
        if limit and len(text) > limit:
            raise ValueError(_("longer than %(max)s characters") % {"max": limit})
        return {field: text}

    # --- matching and writing -----------------------------------------------------------

    def _apply(self, location: str, fields: dict[str, Any], record_id: str, digest: str) -> Outcome:
        label = " ".join(str(fields.get(n, "")) for n in NAME_FIELDS).strip()
        known = self._known(record_id)
        if known is not None and known[1] == digest:
            return Outcome(location, Action.UNCHANGED, label, known[0].pk, detail=_("imported before"))
        person, how = (known[0], _("same id")) if known else self._match(fields)
        if person is None:
            return self._create(location, label, fields)
        return self._merge_into(location, label, person, fields, how)

    def _known(self, record_id: str) -> tuple[Person, str] | None:
        if not record_id:
            return None
        record = (
            ExternalRecord.objects.filter(system=self.system[:200], record_id=record_id)
            .select_related("person")
            .order_by("-id")
            .first()
        )
        if record is None:
            return None
        person = record.person.kept_record
        if not self._candidates().filter(pk=person.pk).exists():
            raise ValidationError({"record_id": str(UNREACHABLE)})
        return person, record.sha256

    def _candidates(self) -> QuerySet[Person]:
        """The records a row may be matched to: those the importer may change. A row is never
        matched to, nor refused for, a record they cannot see: that would tell them it exists.
        (A hidden twin is then registered again, for someone cleared to merge.)"""
        return policy.visible_to(Person.objects.filter(merged_into__isnull=True), self.by, CHANGE)

    def _match(self, fields: dict[str, Any]) -> tuple[Person | None, str]:
        persons = self._candidates()
        if fields.get("service_number"):
            found = list(persons.filter(service_number__iexact=fields["service_number"])[:2])
            if len(found) == 2:
                raise ValidationError(
                    {"service_number": _("belongs to more than one record; match it by hand.")}
                )
            if found:
                return found[0], _("service number")
        if fields.get("birth_day"):
            same = Q(
                family_name__iexact=fields["family_name"], given_names__iexact=fields.get("given_names", "")
            )
            same &= Q(
                birth_year=fields["birth_year"],
                birth_month=fields["birth_month"],
                birth_day=fields["birth_day"],
            )
            found = list(persons.filter(same)[:2])
            if len(found) == 1:
                return found[0], _("name and date of birth")
        return None, ""

    def _create(self, location: str, label: str, fields: dict[str, Any]) -> Outcome:
        fields = {
            "category": self.defaults.category,
            "side": self.defaults.side,
            "classification": self.defaults.classification,
            **fields,
        }
        person = registry.person_create(by=self.by, **fields)
        return Outcome(location, Action.CREATE, label, person.pk)

    def _merge_into(
        self, location: str, label: str, person: Person, fields: dict[str, Any], how: str
    ) -> Outcome:
        fills = {k: v for k, v in fields.items() if k not in NAME_FIELDS and _blank(getattr(person, k))}
        clashes = {
            k: [_shown(getattr(person, k)), _shown(v)]
            for k, v in fields.items()
            if k not in NAME_FIELDS and not _blank(getattr(person, k)) and getattr(person, k) != v
        }
        if fills:
            registry.person_update(person=person, changes=fills, expected_version=person.version, by=self.by)
        self._keep_spelling(person, fields)
        action = Action.CONFLICT if clashes else Action.UPDATE if fills else Action.MATCH
        changes = clashes or {k: ["", _shown(v)] for k, v in fills.items()}
        return Outcome(
            location, action, label, person.pk, changes=changes, detail=_("matched by %(how)s") % {"how": how}
        )

    def _keep_spelling(self, person: Person, fields: dict[str, Any]) -> None:
        names = {n: fields.get(n, "") for n in NAME_FIELDS}
        if names["family_name"] and names != {n: getattr(person, n) for n in NAME_FIELDS}:
            registry.name_variant_add(person=person, by=self.by, source=self.source, **names)


def _unread(table: Table, mapping: dict[str, str]) -> list[str]:
    """Columns holding values that no field was mapped to."""
    chosen = set(mapping.values())
    return [
        header
        for n, header in enumerate(table.headers)
        if header not in chosen and any(row[n] for row in table.rows)
    ]


def _blank(value: Any) -> bool:
    return value in (None, "", "unknown")


def _shown(value: Any) -> str:
    return str(value) if value is not None else ""


def _split_full_name(text: str) -> list[str]:
    """Прізвище Ім'я По батькові, as Ukrainian and Russian lists write a full name."""
    parts = text.split()
    return [parts[0], parts[1] if len(parts) > 1 else "", " ".join(parts[2:])]


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
