"""PFIF 1.4 (People Finder Interchange Format, http://zesty.ca/pfif/1.4/): import into the
registry and the timeline, and export of what may be public. docs/pfif.md has the mapping.

Importing: a PFIF person becomes a registered person (category "missing"), a note an event on
their timeline, graded low (source E, credibility 6) unless the caller says otherwise, so that
what a person finder's visitors write is shown unconfirmed and changes no derived status. Each
record is remembered as an ExternalRecord with the digest of its content: the same record sent
again is recognised and nothing is created twice; a person record sent again changed fills
our blank fields and reports where it disagrees, and never overwrites the registry.

Exporting: a PFIF file goes to person finders that families and the public read, so it carries
only what may be public (core.policy.leave_in_pfif, notes_leave_in_pfif) and only the fields a
family may read; no death is ever exported, because a family is told of a death in person first.
"""

from __future__ import annotations

import codecs
import datetime as dt
import functools
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from tracebureau.audit.services import audit_export
from tracebureau.core import policy
from tracebureau.core.policy import CHANGE, RECORD_EVENT, Can
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
from tracebureau.lists.services import birth_parts
from tracebureau.registry import services as registry
from tracebureau.registry.choices import Category, Side
from tracebureau.registry.models import NameVariant, Person
from tracebureau.registry.selectors import persons_visible
from tracebureau.timeline import services as timeline
from tracebureau.timeline.choices import Credibility, EventKind, Precision, Reliability, SourceKind
from tracebureau.timeline.models import Event, Place, Source
from tracebureau.timeline.selectors import events_visible, record_owners
from tracebureau.timeline.status import SIGN_OF_LIFE_KINDS, derive_status, is_weak

NS = "http://zesty.ca/pfif/1.4"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "pfif-1.4.xsd"
# A file is parsed whole, in one transaction: larger ones are split by the sender.
MAX_BYTES = 50 * 2**20

PERSON_FIELDS = (
    "person_record_id",
    "entry_date",
    "expiry_date",
    "author_name",
    "author_email",
    "author_phone",
    "source_name",
    "source_date",
    "source_url",
    "full_name",
    "given_name",
    "family_name",
    "alternate_names",
    "description",
    "sex",
    "date_of_birth",
    "age",
    "home_street",
    "home_neighborhood",
    "home_city",
    "home_state",
    "home_postal_code",
    "home_country",
    "photo_url",
    "profile_urls",
)
NOTE_FIELDS = (
    "note_record_id",
    "person_record_id",
    "linked_person_record_id",
    "entry_date",
    "author_name",
    "author_email",
    "author_phone",
    "source_date",
    "author_made_contact",
    "status",
    "email_of_found_person",
    "phone_of_found_person",
    "last_known_location",
    "text",
    "photo_url",
)
HOME_FIELDS = (
    "home_street",
    "home_neighborhood",
    "home_city",
    "home_state",
    "home_postal_code",
    "home_country",
)
DATE_FIELDS = ("entry_date", "source_date")

# What a note's status says, as an event kind (docs/pfif.md explains the choice).
KIND_OF_STATUS = {
    "believed_missing": EventKind.REPORTED_MISSING,
    "believed_alive": EventKind.PROOF_OF_LIFE,
    "is_note_author": EventKind.PROOF_OF_LIFE,
    "believed_dead": EventKind.KILLED,
    "information_sought": EventKind.REPORTED_MISSING,
    "": EventKind.REPORTED_MISSING,
}
PFIF_SEX = {"female": "female", "male": "male", "other": "unknown"}
# Registry fields compared with a person record sent again: filled when blank, else reported.
COMPARED = (
    "family_name",
    "given_names",
    "patronymic",
    "sex",
    "distinguishing_marks",
    "correspondence_address",
)
# Which PFIF field a registry field comes from, to name it in a problem.
PFIF_FIELD = {
    "family_name": "family_name",
    "given_names": "given_name",
    "patronymic": "full_name",
    "birth_year": "date_of_birth",
    "birth_month": "date_of_birth",
    "birth_day": "date_of_birth",
    "sex": "sex",
    "distinguishing_marks": "description",
    "correspondence_address": "home_city",
    "occurred_on": "source_date",
    "note": "text",
}
_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_DOCTYPE = re.compile(r"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_SCHEMA_ELEMENT = re.compile(r"Element '\{[^}]*\}(\w+)'")
_OWN_PERSON = re.compile(r"^person\.(\d+)$")
_OWN_NOTE = re.compile(r"^note\.(\d+)$")



def pfif_domain() -> str:
    """The domain of this repository's record ids (TRACEBUREAU_PFIF_DOMAIN)."""
    return settings.TRACEBUREAU_PFIF_DOMAIN


@functools.cache
def pfif_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), _safe_parser()))


def _safe_parser() -> etree.XMLParser:
    # No entity is expanded, nothing fetched, no DTD loaded: a file cannot make us read local
    # files, call out, or blow up in memory.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _line(n: int | None) -> str:
    return _("line %(n)s") % {"n": n or 1}


# --- reading ----------------------------------------------------------------------------------


@dataclass
class Record:
    """One person or note of the file: its fields as text and the line of each."""

    kind: str  # "person" or "note"
    line: int
    fields: dict[str, str]
    lines: dict[str, int]
    parent: Record | None = None

    @property
    def record_id(self) -> str:
        return self.fields[f"{self.kind}_record_id"]

    @property
    def domain(self) -> str:
        return self.record_id.split("/", 1)[0]

    @property
    def local_id(self) -> str:
        return self.record_id.split("/", 1)[1]

    def line_of(self, name: str) -> int:
        return self.lines.get(name, self.line)

    def canonical(self) -> bytes:
        """The record's content as canonical XML (nested notes apart): its digest tells a record
        sent again unchanged from one that changed, however the file was laid out."""
        element = etree.Element(_q(self.kind), nsmap={"pfif": NS})
        for name in PERSON_FIELDS if self.kind == "person" else NOTE_FIELDS:
            if name in self.fields:
                etree.SubElement(element, _q(name)).text = self.fields[name]
        return etree.tostring(element, method="c14n")


def read_pfif(content: bytes, report: ImportReport) -> list[Record]:
    """The records of a PFIF 1.4 file, or none with the problems in the report."""
    text = _decode(content, report)
    if text is None:
        return []
    if match := _DOCTYPE.search(text):
        line = text.count("\n", 0, match.start()) + 1
        report.problem(_line(line), "DOCTYPE", _("A DOCTYPE or entity declaration is not allowed."))
        return []
    try:
        tree = etree.parse(io.BytesIO(content), _safe_parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        report.problem(
            _("line %(n)s, column %(c)s") % {"n": line, "c": column},
            "XML",
            _("Not well-formed XML: %(error)s") % {"error": exc.msg},
        )
        return []
    if tree.docinfo.doctype:
        report.problem(_line(1), "DOCTYPE", _("A DOCTYPE or entity declaration is not allowed."))
        return []
    schema = pfif_schema()
    if not schema.validate(tree):
        for error in schema.error_log:
            found = _SCHEMA_ELEMENT.search(error.message)
            report.problem(_line(error.line), f"pfif:{found.group(1)}" if found else "pfif", error.message)
        return []
    return list(_records(tree.getroot()))


def _decode(content: bytes, report: ImportReport) -> str | None:
    """The file as text, in the encoding it declares (UTF-8 if none), or None with a problem."""
    match = _ENCODING.match(content)
    encoding = match.group(1).decode("ascii") if match else "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        report.problem(_line(1), "encoding", _("Unknown encoding %(e)s.") % {"e": encoding})
        return None
    try:
        return content.decode(encoding)
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        column = exc.start - (content.rfind(b"\n", 0, exc.start) + 1) + 1
        report.problem(
            _("line %(n)s, column %(c)s") % {"n": line, "c": column},
            "encoding",
            _("Byte 0x%(byte)02X is not %(e)s, the encoding the file declares (UTF-8 if none).")
            % {"byte": content[exc.start], "e": encoding},
        )
        return None


def _records(root: Any) -> Iterator[Record]:
    for element in root:
        if element.tag == _q("person"):
            person = _record("person", element)
            yield person
            for nested in element.iterchildren(_q("note")):
                note = _record("note", nested, parent=person)
                # A nested note's person is the one it is nested in (PFIF 1.4, section 5).
                note.fields.setdefault("person_record_id", person.record_id)
                yield note
        elif element.tag == _q("note"):
            yield _record("note", element)


def _record(kind: str, element: Any, parent: Record | None = None) -> Record:
    fields, lines = {}, {}
    for child in element:
        if not isinstance(child.tag, str) or not child.tag.startswith(f"{{{NS}}}"):
            continue
        name = etree.QName(child).localname
        if name == "note":
            continue
        fields[name] = (child.text or "").strip()
        lines[name] = child.sourceline
    return Record(kind=kind, line=element.sourceline, fields=fields, lines=lines, parent=parent)


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- checks of the file as a whole ----------------------------------------------------------


def check_records(records: list[Record], report: ImportReport) -> None:
    """What the schema cannot say: ids used twice, dates in the future, names too long."""
    first: dict[tuple[str, str], Record] = {}
    for record in records:
        key = (record.kind, record.record_id)
        if key in first:
            report.problem(
                _line(record.line_of(f"{record.kind}_record_id")),
                f"pfif:{record.kind}_record_id",
                _("%(id)s appears twice: on line %(first)s and on line %(this)s.")
                % {
                    "id": record.record_id,
                    "first": first[key].line_of(f"{record.kind}_record_id"),
                    "this": record.line_of(f"{record.kind}_record_id"),
                },
            )
        else:
            first[key] = record
        _check_dates(record, report)
        if record.parent and record.fields["person_record_id"] != record.parent.record_id:
            report.problem(
                _line(record.line_of("person_record_id")),
                "pfif:person_record_id",
                _("A note nested in %(id)s names another person.") % {"id": record.parent.record_id},
            )


def _check_dates(record: Record, report: ImportReport) -> None:
    now = timezone.now()
    for name in DATE_FIELDS:
        if name in record.fields and _utc(record.fields[name]) > now:
            report.problem(_line(record.line_of(name)), f"pfif:{name}", _("The date is in the future."))
    birth = record.fields.get("date_of_birth")
    if birth and birth > timezone.localdate().isoformat()[: len(birth)]:
        report.problem(
            _line(record.line_of("date_of_birth")), "pfif:date_of_birth", _("The date is in the future.")
        )


# --- mapping a person -----------------------------------------------------------------------


def person_fields(record: Record) -> dict[str, Any]:
    """The registry fields a PFIF person record gives (docs/pfif.md, "PFIF to the registry")."""
    f = record.fields
    values: dict[str, Any] = dict(zip(("family_name", "given_names", "patronymic"), _names(f), strict=True))
    values["sex"] = PFIF_SEX.get(f.get("sex", ""), "unknown")
    values.update({"birth_year": None, "birth_month": None, "birth_day": None})
    values.update(birth_parts(f.get("date_of_birth", "")))
    values["distinguishing_marks"] = f.get("description", "")
    values["correspondence_address"] = ", ".join(f[n] for n in HOME_FIELDS if f.get(n))
    return values


def _names(f: dict[str, str]) -> tuple[str, str, str]:
    """Family name, given names and patronymic. PFIF has no patronymic: we write the full name
    as "family given patronymic", and read what follows "family given" in it back as one."""
    full = " ".join(f["full_name"].split())
    family, given = f.get("family_name", ""), f.get("given_name", "")
    if family and given:
        start = f"{family} {given} "
        return family, given, full[len(start) :].strip() if full.startswith(start) else ""
    if family:
        return family, _without(full, family), ""
    if given:
        return _without(full, given) or full, given if _without(full, given) else "", ""
    # Only a full name: person finders write it given names first, family name last.
    words = full.split()
    return words[-1], " ".join(words[:-1]), ""


def _without(full: str, part: str) -> str:
    return " ".join(full.replace(part, "", 1).split()) if part in full else ""


def _length_problems(record: Record, values: dict[str, Any], report: ImportReport) -> bool:
    """A name longer than the registry holds is refused, not cut: a cut name finds no one."""
    found = False
    for name, value in values.items():
        limit = getattr(Person._meta.get_field(name), "max_length", None)
        if not (isinstance(value, str) and limit and len(value) > limit):
            continue
        pfif = PFIF_FIELD.get(name, name)
        if pfif not in record.fields:  # split from the full name
            pfif = "full_name"
        report.problem(
            _line(record.line_of(pfif)),
            f"pfif:{pfif}",
            _("%(n)s characters: longer than the registry's %(limit)s.") % {"n": len(value), "limit": limit},
        )
        found = True
    return found


# --- importing ------------------------------------------------------------------------------


def pfif_import(
    *,
    content: bytes,
    file_name: str,
    by: Any,
    source: Source | None = None,
    dry_run: bool = False,
    credibility: int = Credibility.CANNOT_JUDGE,
    progress: Progress = no_progress,
) -> ImportReport:
    """Import a PFIF 1.4 file: all of it, or nothing if it has any problem (ImportFailed says
    where). Notes are recorded with `source` (else "PFIF: <domain>", graded E) at `credibility`.
    `progress` is told after each record how much of the file is done."""
    policy.require(by, Can.IMPORT_RECORDS)
    # Importing registers persons and records events: the importer must be allowed both.
    policy.require(by, Can.EDIT_PERSONS)
    policy.require(by, Can.RECORD_EVENTS)
    if len(content) > MAX_BYTES:
        raise ValidationError(_("The file is larger than %(mb)s MB; split it.") % {"mb": MAX_BYTES // 2**20})
    report = ImportReport(file_name=file_name, sha256=sha256_of(content), dry_run=dry_run)
    importer = _Importer(by=by, source=source, credibility=credibility, report=report, progress=progress)
    return run_import(report, lambda _report: importer.run(content))


@dataclass
class _Pending:
    record: Record
    person: Person
    event: Event | None = None


@dataclass
class _Importer:
    by: Any
    source: Source | None
    credibility: int
    report: ImportReport
    persons: dict[str, Person] = field(default_factory=dict)  # record id -> person, this file
    pending: list[_Pending] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)
    # Records with a problem: their notes are not reported again as about an unknown person.
    refused: set[str] = field(default_factory=set)
    progress: Progress = no_progress

    def run(self, content: bytes) -> None:
        records = read_pfif(content, self.report)
        if self.report.problems:
            return
        if not records:
            self.report.problem(_line(1), "pfif:pfif", _("The file holds no person and no note."))
            return
        check_records(records, self.report)
        if self.report.problems:
            return
        # Persons first, then the notes about them: two passes over the records.
        for done, record in enumerate(records, start=1):
            if record.kind == "person":
                self._guarded(record, self._person)
            self.progress(done / len(records) / 2)
        for done, record in enumerate(records, start=1):
            if record.kind == "note":
                self._guarded(record, self._note)
            self.progress(0.5 + done / len(records) / 2)
        if not self.report.problems:
            self._remember(records)

    def _guarded(self, record: Record, step: Any) -> None:
        """Run one record's step; what the services refuse becomes a problem at its line."""
        before = len(self.report.problems)
        try:
            step(record)
        except ValidationError as exc:
            for name, messages in _message_dict(exc).items():
                pfif = PFIF_FIELD.get(name, f"{record.kind}_record_id")
                self.report.problem(_line(record.line_of(pfif)), f"pfif:{pfif}", " ".join(messages))
        except (Http404, PermissionDenied):
            field_name = f"{record.kind}_record_id"
            self.report.problem(_line(record.line_of(field_name)), f"pfif:{field_name}", str(UNREACHABLE))
        if len(self.report.problems) > before:
            self.refused.add(record.record_id)

    # persons

    def _person(self, record: Record) -> None:
        values = person_fields(record)
        if _length_problems(record, values, self.report):
            return
        digest = sha256_of(record.canonical())
        known = _known(record)
        same = next((r for r in known if r.sha256 == digest), None)
        if same is not None:
            person = self._reachable(same.person.kept_record, CHANGE)
            self.persons[record.record_id] = person
            self._outcome(record, Action.UNCHANGED, person)
            return
        earlier = known[-1].person.kept_record if known else self._own_person(record)
        if earlier is not None:
            earlier = self._reachable(earlier, CHANGE)
        if earlier is None:
            person = registry.person_create(
                by=self.by, category=Category.MISSING, side=Side.OWN, **_clean(values)
            )
            self._outcome(record, Action.CREATE, person)
        else:
            person = self._reconcile(record, earlier, values)
        self.persons[record.record_id] = person
        self._alternate_names(record, person)
        self.pending.append(_Pending(record, person))

    def _own_person(self, record: Record) -> Person | None:
        """A record of ours that came back through another repository is the person it was."""
        match = _OWN_PERSON.match(record.local_id)
        if record.domain != pfif_domain() or not match:
            return None
        person = Person.objects.filter(pk=int(match.group(1))).first()
        if person is None:
            raise ValidationError({"person_record_id": str(UNREACHABLE)})
        return person.kept_record

    def _reachable(self, person: Person, action: str) -> Person:
        """The person an earlier import (or our own record id) leads to, if the importer may
        act on them; otherwise the record is refused in the words used for no such record,
        and nothing about the person (name, fields, whether they exist) is reported."""
        if not policy.visible_to(Person.objects.filter(pk=person.pk), self.by, action).exists():
            raise ValidationError({"person_record_id": str(UNREACHABLE)})
        return person

    def _reconcile(self, record: Record, person: Person, values: dict[str, Any]) -> Person:
        """Fill what the registry leaves blank; report, and keep, what it holds otherwise."""
        fills, conflicts = _compare(person, values)
        if fills:
            person = registry.person_update(
                person=person, changes=fills, expected_version=person.version, by=self.by
            )
        theirs = {k: values[k] for k in ("family_name", "given_names", "patronymic")}
        if any(theirs[k] != getattr(person, k) for k in theirs):
            # Every spelling seen is kept: the next list may use this one.
            registry.name_variant_add(person=person, by=self.by, source=self._source(record), **theirs)
        if conflicts:
            self._outcome(
                record,
                Action.CONFLICT,
                person,
                conflicts,
                _("Filled: %(f)s.") % {"f": ", ".join(fills)} if fills else "",
            )
        elif fills:
            self._outcome(record, Action.UPDATE, person, {k: ["", _text(v)] for k, v in fills.items()})
        else:
            self._outcome(record, Action.MATCH, person)
        return person

    def _alternate_names(self, record: Record, person: Person) -> None:
        # A spelling the registry already has (split into its parts) is not added again whole.
        known = {str(v) for v in person.name_variants.all()}
        for name in record.fields.get("alternate_names", "").splitlines():
            name = " ".join(name.split())
            if not name or name in known:
                continue
            if len(name) > 120:
                self.report.problem(
                    _line(record.line_of("alternate_names")),
                    "pfif:alternate_names",
                    _("%(n)s characters: longer than the registry's %(limit)s.")
                    % {"n": len(name), "limit": 120},
                )
                continue
            # As some source wrote it, in an order we cannot know: kept whole, found by any word.
            registry.name_variant_add(
                person=person, by=self.by, family_name=name, source=self._source(record)
            )

    # notes

    def _note(self, record: Record) -> None:
        own = self._own_event(record)
        if own is not None:
            # Our own note come back through another repository: the event it was made from.
            self._outcome(record, Action.UNCHANGED, own.person.kept_record)
            return
        digest = sha256_of(record.canonical())
        known = _known(record)
        if known:
            person = self._reachable(known[0].person.kept_record, RECORD_EVENT)
        if any(r.sha256 == digest for r in known):
            self._outcome(record, Action.UNCHANGED, person)
            return
        if known:
            # A PFIF note never changes: one sent again changed is shown, not recorded twice.
            earlier = known[0]
            self._outcome(
                record,
                Action.CONFLICT,
                person,
                detail=_("This note was imported before with other content; the event recorded then stands."),
            )
            self.pending.append(_Pending(record, earlier.person, earlier.event))
            return
        about = self._note_person(record)
        if about is None:
            return
        event = timeline.event_record(
            person=about,
            kind=_note_kind(record.fields),
            by=self.by,
            occurred_on=timezone.localdate(_utc(record.fields["source_date"])),
            precision=Precision.DAY,
            source=self._source(record),
            credibility=self.credibility,
            place=_place(record.fields.get("last_known_location", "")),
            note=_event_note(record.fields),
        )
        self._outcome(record, Action.CREATE, about, label=f"{event.get_kind_display()}: {about}")
        self.pending.append(_Pending(record, about, event))

    def _own_event(self, record: Record) -> Event | None:
        match = _OWN_NOTE.match(record.local_id)
        if record.domain != pfif_domain() or not match:
            return None
        events = policy.visible_to(Event.objects.filter(pk=int(match.group(1))), self.by)
        event = events.select_related("person").first()
        if event is None:
            raise ValidationError({"note_record_id": str(UNREACHABLE)})
        return event

    def _note_person(self, record: Record) -> Person | None:
        person_id = record.fields["person_record_id"]
        if person_id in self.refused:
            return None
        if person_id in self.persons:
            return self.persons[person_id]
        domain, _sep, local = person_id.partition("/")
        earlier = ExternalRecord.objects.filter(system=domain, record_id=local, event__isnull=True).first()
        if earlier is not None:
            return self._reachable(earlier.person.kept_record, RECORD_EVENT)
        match = _OWN_PERSON.match(local) if domain == pfif_domain() else None
        if match and (person := Person.objects.filter(pk=int(match.group(1))).first()):
            return self._reachable(person.kept_record, RECORD_EVENT)
        self.report.problem(
            _line(record.line_of("person_record_id")),
            "pfif:person_record_id",
            _("No person %(id)s in the file, nor imported before.") % {"id": person_id},
        )
        return None

    # shared

    def _source(self, record: Record) -> Source:
        """The caller's source, or the repository's own, graded E (unreliable): what anyone may
        write on a person finder is shown unconfirmed and changes no status."""
        if self.source is not None:
            return self.source
        if record.domain not in self.sources:
            name = f"PFIF: {record.domain}"[:200]
            source = Source.objects.filter(name=name, kind=SourceKind.OTHER).order_by("pk").first()
            if source is None:
                # Created here, not through timeline.source_create: naming where imported
                # records came from is part of importing, not managing reference data.
                source = Source(
                    name=name,
                    kind=SourceKind.OTHER,
                    reliability=Reliability.E,
                    description=_("PFIF repository %(d)s") % {"d": record.domain},
                    created_by=self.by,
                )
                source.full_clean()
                source._history_user = self.by  # type: ignore[attr-defined]
                source.save()
            self.sources[record.domain] = source
        return self.sources[record.domain]

    def _outcome(
        self,
        record: Record,
        action: str,
        person: Person,
        changes: dict[str, list[str]] | None = None,
        detail: str = "",
        label: str = "",
    ) -> None:
        self.report.outcomes.append(
            Outcome(
                location=_line(record.line),
                action=action,
                label=label or f"{record.record_id}: {person}",
                person_id=person.pk,
                changes=changes or {},
                detail=detail,
            )
        )

    def _remember(self, records: list[Record]) -> None:
        """One Import row and one ExternalRecord per new content; nothing if nothing is new."""
        if not self.pending:
            earlier = Import.objects.filter(sha256=self.report.sha256, format=ImportFormat.PFIF).first()
            self.report.import_id = earlier.pk if earlier else None
            return
        domains = Counter(r.domain for r in records)
        done = Import.objects.create(
            format=ImportFormat.PFIF,
            file_name=self.report.file_name[:255],
            sha256=self.report.sha256,
            system=", ".join(sorted(domains))[:200],
            source=self._source(records[0]),
            summary=self.report.counts,
            outcomes=self.report.stored_outcomes(),
            classification=self.report.classification(),
            by=self.by,
        )
        for item in self.pending:
            ExternalRecord.objects.create(
                system=item.record.domain,
                record_id=item.record.local_id,
                sha256=sha256_of(item.record.canonical()),
                person=item.person,
                event=item.event,
                imported_in=done,
            )
        self.report.import_id = done.pk


def _known(record: Record) -> list[ExternalRecord]:
    """Earlier imports of this record, oldest first. Read past the policy on purpose: the
    registry must recognise a record whoever imported it, or it would be created twice."""
    rows = ExternalRecord.objects.filter(system=record.domain, record_id=record.local_id)
    rows = rows.filter(event__isnull=record.kind == "person").select_related("person", "event")
    return list(rows.order_by("id"))


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in ("", None)}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _compare(person: Person, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    fills: dict[str, Any] = {}
    conflicts: dict[str, list[str]] = {}
    for name in COMPARED:
        ours, theirs = getattr(person, name), values[name]
        blank = ours in ("", None) or (name == "sex" and ours == "unknown")
        if theirs in ("", None, "unknown") or ours == theirs:
            continue
        if blank:
            fills[name] = theirs
        else:
            conflicts[name] = [_text(ours), _text(theirs)]
    ours_birth = person.birth_date_display
    theirs_birth = "-".join(
        f"{v:02d}" if i else f"{v:04d}"
        for i, v in enumerate(
            x for x in (values["birth_year"], values["birth_month"], values["birth_day"]) if x is not None
        )
    )
    if theirs_birth and theirs_birth.startswith(ours_birth) and theirs_birth != ours_birth:
        fills.update({k: values[k] for k in ("birth_year", "birth_month", "birth_day")})
    elif theirs_birth and not ours_birth.startswith(theirs_birth):
        conflicts["date_of_birth"] = [ours_birth, theirs_birth]
    return fills, conflicts


def _message_dict(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def _note_kind(f: dict[str, str]) -> str:
    """An author who made contact reports contact; otherwise the status says what the note
    claims, and a note claiming nothing is, at least, someone looking for the person."""
    status = f.get("status", "")
    if f.get("author_made_contact") == "true" and status in ("", "believed_alive", "is_note_author"):
        return EventKind.CONTACT
    return KIND_OF_STATUS[status]


def _event_note(f: dict[str, str]) -> str:
    """The note's text and what else it tells, with labels that do not depend on the language
    of the importer (they are data)."""
    lines = [f["text"]]
    labelled = (
        ("Last known location", "last_known_location"),
        ("Author", "author_name"),
        ("Author's e-mail", "author_email"),
        ("Author's phone", "author_phone"),
        ("Found person's e-mail", "email_of_found_person"),
        ("Found person's phone", "phone_of_found_person"),
        ("Same person as", "linked_person_record_id"),
        ("Photo", "photo_url"),
        ("PFIF note", "note_record_id"),
    )
    lines += [f"{label}: {f[name]}" for label, name in labelled if f.get(name)]
    return "\n".join(lines)


def _place(name: str) -> Place | None:
    """The place a last known location names, where exactly one place is called so."""
    if not name:
        return None
    places = list(Place.objects.filter(Q(name=name) | Q(name_uk=name))[:2])
    return places[0] if len(places) == 1 else None


# --- exporting ------------------------------------------------------------------------------

# Event kinds exported, as a note's status. Signs of life say the person was alive; a report of
# missing says so. Deaths are never exported (a family is told in person first), nor retractions.
STATUS_OF_KIND = {
    EventKind.REPORTED_MISSING: "believed_missing",
    **dict.fromkeys(SIGN_OF_LIFE_KINDS, "believed_alive"),
}
_CHUNK = 500


def _note_text(status: str, date: str) -> str:
    if status == "believed_alive":
        return _("Reported alive on %(date)s.") % {"date": date}
    return _("Reported missing on %(date)s.") % {"date": date}


def pfif_export(*, user: Any, persons: Iterable[Person] | QuerySet[Person] | None = None) -> bytes:
    """A PFIF 1.4 document of the persons the user sees and may make public, with notes."""
    policy.require(user, Can.EXPORT)
    chosen = persons_visible(user=user).filter(merged_into__isnull=True)
    if persons is not None:
        chosen = chosen.filter(pk__in=[p.pk for p in persons])
    chosen = policy.leave_in_pfif(chosen).order_by("pk")
    root = etree.Element(_q("pfif"), nsmap={"pfif": NS})
    count = 0
    for chunk in _chunks(chosen.iterator(chunk_size=_CHUNK)):
        for element in _person_elements(user, chunk):
            root.append(element)
            count += 1
    audit_export(user=user, what="pfif", count=count)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _chunks(persons: Iterator[Person]) -> Iterator[list[Person]]:
    chunk: list[Person] = []
    for person in persons:
        chunk.append(person)
        if len(chunk) == _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _person_elements(user: Any, persons: list[Person]) -> Iterator[Any]:
    owners = _record_owners([p.pk for p in persons])
    ids = _record_ids([p.pk for p in persons], event=False)
    events = _events(user, owners)
    note_ids = _record_ids([e.pk for evs in events.values() for e in evs], event=True)
    variants = _variants(user, owners)
    for person in persons:
        record_id = ids.get(person.pk) or f"{pfif_domain()}/person.{person.pk}"
        element = _person_element(person, record_id, variants.get(person.pk, []))
        for event in events.get(person.pk, []):
            note_id = note_ids.get(event.pk) or f"{pfif_domain()}/note.{event.pk}"
            element.append(_note_element(event, note_id, record_id))
        yield element


def _record_owners(roots: list[int]) -> dict[int, int]:
    """Each record id -> the exported record it belongs to (itself, or the one it is merged into;
    only unmerged records are exported, so there is one)."""
    return {pk: min(owners) for pk, owners in record_owners(roots).items()}


def _record_ids(pks: list[int], *, event: bool) -> dict[int, str]:
    """The original record id of what came from another repository: it keeps it everywhere."""
    key = "event_id" if event else "person_id"
    rows = ExternalRecord.objects.filter(**{f"{key}__in": pks}).order_by("-id")
    if not event:
        rows = rows.filter(event__isnull=True)
    return {getattr(r, key): f"{r.system}/{r.record_id}" for r in rows}  # the oldest wins


def _events(user: Any, owners: dict[int, int]) -> dict[int, list[Event]]:
    """Each exported person's notes: their visible events a family may be told of, less what
    no longer counts (retracted or superseded) and what is not exported."""
    visible = list(events_visible(user=user).filter(person__in=list(owners)))
    allowed = set(
        policy.notes_leave_in_pfif(Event.objects.filter(pk__in=[e.pk for e in visible])).values_list(
            "pk", flat=True
        )
    )
    grouped: dict[int, list[Event]] = {}
    for event in visible:
        grouped.setdefault(owners[event.person_id], []).append(event)
    result = {}
    for pk, events in grouped.items():
        void = set(derive_status(e.as_status_event() for e in events).void_ids)
        result[pk] = sorted(
            (e for e in events if e.pk in allowed and e.pk not in void and e.kind in STATUS_OF_KIND),
            key=lambda e: (e.occurred_on, e.occurred_time or dt.time(0), e.pk),
        )
    return result


def _variants(user: Any, owners: dict[int, int]) -> dict[int, list[str]]:
    # Spellings of the records exported and of those merged into them, if those may be public too.
    records = Person.objects.filter(pk__in=list(owners))
    persons = policy.leave_in_pfif(records) | policy.leave_in_pfif(records, merged=True)
    rows = policy.visible_to(NameVariant.objects.filter(person__in=persons), user).order_by("id")
    result: dict[int, list[str]] = {}
    for v in rows:
        result.setdefault(owners[v.person_id], []).append(str(v))
    return result


def _sub(parent: Any, name: str, value: str) -> None:
    if value:
        etree.SubElement(parent, _q(name)).text = value


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _person_element(person: Person, record_id: str, variants: list[str]) -> Any:
    """Names, sex, date of birth and distinguishing marks; nothing of service, unit, rank or
    next of kin, nor the address for correspondence (a family's address is not public)."""
    element = etree.Element(_q("person"))
    _sub(element, "person_record_id", record_id)
    _sub(element, "entry_date", _stamp(person.created_at))
    _sub(element, "source_name", record_id.split("/", 1)[0])
    _sub(element, "source_date", _stamp(person.created_at))
    _sub(element, "full_name", person.full_name)
    _sub(element, "given_name", person.given_names)
    _sub(element, "family_name", person.family_name)
    others = [v for v in dict.fromkeys(variants) if v != person.full_name]
    _sub(element, "alternate_names", "\n".join(others))
    # No description: distinguishing marks (a tattoo, a unit's insignia) are for identifying
    # remains and checking a returnee, and would endanger someone held if made public.
    _sub(element, "sex", person.sex if person.sex in ("male", "female") else "")
    _sub(element, "date_of_birth", person.birth_date_display)
    return element


def _note_element(event: Event, note_id: str, person_id: str) -> Any:
    """What a family may be told, no more: alive or missing, since when, and whether it is
    confirmed. Never the kind in detail (captured, transferred...), the place, the officers'
    note, the source or its author: they name units, places and informants."""
    element = etree.Element(_q("note"))
    _sub(element, "note_record_id", note_id)
    _sub(element, "person_record_id", person_id)
    _sub(element, "entry_date", _stamp(event.recorded_at))
    _sub(element, "author_name", note_id.split("/", 1)[0])
    _sub(element, "source_date", _stamp(_moment(event)))
    status = STATUS_OF_KIND[event.kind]
    _sub(element, "status", status)
    text = _note_text(status, event.occurred_display)
    if is_weak(event.as_status_event()):
        text += " " + _("Unconfirmed report.")
    _sub(element, "text", text)
    return element


def _moment(event: Event) -> dt.datetime:
    """When the event happened, as a moment in the bureau's time zone (the start of the day
    when no time is known)."""
    naive = dt.datetime.combine(event.occurred_on, event.occurred_time or dt.time(0))
    return timezone.make_aware(naive)
