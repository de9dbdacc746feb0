"""The whole bureau in one file, to move an installation: `bureau_export` and `bureau_import`.

The file is gzip'd JSON Lines. Line 1 is a header: the format and its version, when it was
written, the migration state of every app, how many records of each model follow, and the
SHA-256 of everything after the header, so that a truncated or damaged file is refused (the
digest is not keyed: it does not stop someone who edits the file and recomputes it). Every
further line is one record, as Django's serialisers write it (`django.core.serializers`, the
dumpdata/loaddata machinery), with its database id, so that a fault is named by its line.

What is carried: every model of the bureau's own apps (persons and their history tables, the
timeline, lists, exchanges, families, press, interchange, the audit trail), the staff accounts
with their password hashes, TOTP devices and API tokens, groups and the admin's log. What the
target rebuilds or does not need is left out: content types and permissions (`migrate` makes
them; the records that point at them name them by natural key), sessions (everyone signs in
again), django-axes' lockouts and attempts (the sign-ins themselves are in the audit trail) and
the django-tasks queue (a job queued or running when the file is written is lost: let the worker
finish first; the export counts such jobs so that the command can warn).

The import keeps every id as it was, so that every reference, every link a user kept and the
audit chain (which the target then verifies) hold. That is only possible in a database without
any bureau record, so the import refuses anything else: a freshly migrated database of the same
schema. It loads everything in one transaction: a fault anywhere commits nothing.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import shutil
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers import jsonl
from django.core.serializers import python as python_serializer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from tracebureau.audit.choices import AuditAction
from tracebureau.audit.services import audit_record
from tracebureau.timeline.materialised import status_rebuild

FORMAT = "tracebureau-bureau"
VERSION = 1
# Models of other apps that an installation needs to carry on as it was.
CARRIED_ELSEWHERE = ("core.User", "auth.Group", "admin.LogEntry", "otp_totp.TOTPDevice")
# The target's `migrate` makes these; they are referred to by natural key, never by id.
REBUILT = (ContentType, Permission)
CHUNK = 2_000
COPY_BUFFER = 1 << 20

Progress = Callable[[str, int], None]


class BureauFileError(Exception):
    """The file, or the database it is meant for, is refused; `location` says where."""

    def __init__(self, location: str, reason: str) -> None:
        self.location, self.reason = location, reason
        super().__init__(f"{location}: {reason}" if location else reason)


@dataclass
class BureauSummary:
    counts: dict[str, int] = field(default_factory=dict)
    sha256: str = ""
    # Background jobs queued or running, which the file does not carry (export only).
    unfinished_tasks: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# --- what is carried, in what order ----------------------------------------------------------


# Derived from what is carried, and derived again in the target: a file edited to lower a kept
# status's classification ceiling must not open statuses to readers who may not see their events.
DERIVED = frozenset({"timeline.PersonStatus"})


def carried_models() -> list[type[Model]]:
    """Every model the file holds, in an order that loads: natural-key models first (Django's
    sort_dependencies); the rest load in any order, their constraints checked at the end."""
    chosen = [
        model
        for config in apps.get_app_configs()
        for model in config.get_models()
        if (config.name.startswith("tracebureau.") or model._meta.label in CARRIED_ELSEWHERE)
        and model._meta.label not in DERIVED
    ]
    by_app: dict[Any, list[type[Model]]] = {}
    for model in chosen:
        by_app.setdefault(apps.get_app_config(model._meta.app_label), []).append(model)
    return serializers.sort_dependencies(list(by_app.items()), allow_cycles=True)


def schema_state() -> dict[str, str]:
    """The latest migration of every app, as the code knows it; refused if the database lacks
    any of them, since then the file would not describe the tables it came from."""
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    if executor.migration_plan(leaves):
        raise BureauFileError("", _("The database is not fully migrated: run `tracebureau migrate` first."))
    state: dict[str, list[str]] = {}
    for app_label, name in leaves:
        state.setdefault(app_label, []).append(name)
    return {app_label: ",".join(sorted(names)) for app_label, names in sorted(state.items())}


# --- export ----------------------------------------------------------------------------------


class _Encoder(DjangoJSONEncoder):
    """Every microsecond kept: DjangoJSONEncoder cuts times to milliseconds, which would change
    the records (and break the audit chain, whose hashes cover the full time)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


class _Serializer(jsonl.Serializer):
    """Django's JSON Lines serialiser with natural keys for the rebuilt models only (ids stay
    ids everywhere else), keys sorted, and many-to-many values in a fixed order, so that the same
    state always gives the same bytes, whichever database it is read from."""

    def start_serialization(self) -> None:
        super().start_serialization()
        self.json_kwargs.update(cls=_Encoder, sort_keys=True, separators=(",", ":"))

    def end_object(self, obj: Model) -> None:
        # One write per record: json.dump would write it token by token.
        self.stream.write(json.dumps(self.get_dump_object(obj), **self.json_kwargs) + "\n")
        self._current = None

    def handle_fk_field(self, obj: Model, field: Any) -> None:
        self.use_natural_foreign_keys = issubclass(field.remote_field.model, REBUILT)
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj: Model, field: Any) -> None:
        if not field.remote_field.through._meta.auto_created:
            return  # an explicit through model is a carried model of its own
        self.use_natural_foreign_keys = issubclass(field.remote_field.model, REBUILT)
        super().handle_m2m_field(obj, field)
        current: dict[str, Any] = self._current  # type: ignore[assignment]
        current[field.name] = sorted(current[field.name])


def bureau_export(stream: IO[bytes], *, progress: Progress | None = None) -> BureauSummary:
    """Write the whole bureau to `stream` (binary) as one gzip'd JSON Lines file."""
    summary = BureauSummary()
    with tempfile.TemporaryFile() as body:
        schema = _snapshot(body, summary, progress)
        summary.sha256 = _digest(body)
        header = {
            "format": FORMAT,
            "version": VERSION,
            "created": timezone.now().isoformat(),
            "database": connection.vendor,
            "schema": schema,
            "counts": summary.counts,
            "sha256": summary.sha256,
        }
        # mtime=0: the same state gives the same gzip bytes, not only the same lines.
        with gzip.GzipFile(fileobj=stream, mode="wb", mtime=0) as packed:
            packed.write((json.dumps(header, sort_keys=True, ensure_ascii=False) + "\n").encode())
            shutil.copyfileobj(body, packed, COPY_BUFFER)
    audit_record(
        action=AuditAction.EXPORT, detail={"what": "bureau", "rows": summary.total, "sha256": summary.sha256}
    )
    return summary


def _snapshot(body: IO[bytes], summary: BureauSummary, progress: Progress | None) -> dict[str, str]:
    """Write every record to `body`, all read in one transaction so that they agree."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # One snapshot for every table: otherwise a row written meanwhile could be in one
            # table's export and not in that of the table it points at.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        schema = schema_state()
        text = io.TextIOWrapper(body, encoding="utf-8", newline="\n")
        for model in carried_models():
            rows = _counted(model._base_manager.order_by("pk").iterator(chunk_size=CHUNK), summary, model)
            _Serializer().serialize(rows, stream=text)
            if progress is not None:
                progress(model._meta.label_lower, summary.counts[model._meta.label_lower])
        text.flush()
        text.detach()  # the body stays open for the digest and the copy
        summary.unfinished_tasks = _unfinished_tasks()
    return schema


def _counted(rows: Iterable[Model], summary: BureauSummary, model: type[Model]) -> Iterator[Model]:
    label = model._meta.label_lower
    summary.counts[label] = 0
    for row in rows:
        summary.counts[label] += 1
        yield row


def _digest(body: IO[bytes]) -> str:
    body.seek(0)
    digest = hashlib.sha256()
    while chunk := body.read(COPY_BUFFER):
        digest.update(chunk)
    body.seek(0)
    return digest.hexdigest()


def _unfinished_tasks() -> int:
    if not apps.is_installed("django_tasks_db"):
        return 0
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()


# --- import ----------------------------------------------------------------------------------


@dataclass
class _Line:
    number: int
    record: dict[str, Any]

    @property
    def label(self) -> str:
        return str(self.record.get("model", ""))

    @property
    def location(self) -> str:
        return _("line %(line)d (%(model)s, id %(pk)s)") % {
            "line": self.number,
            "model": self.label,
            "pk": self.record.get("pk"),
        }


def bureau_import(stream: IO[bytes], *, progress: Progress | None = None) -> BureauSummary:
    """Load a file written by `bureau_export` into this database, which must hold no bureau
    record. Everything or nothing: any fault raises BureauFileError and commits nothing."""
    with _seekable(stream) as readable:
        header = _read_header(readable)
        _check_schema(header)
        _check_empty()
        labels = _check_body(readable, header)
        readable.seek(0)
        with transaction.atomic():
            _load(readable, labels, progress)
            summary = _finish_import(header)
    return summary


def _finish_import(header: dict[str, Any]) -> BureauSummary:
    """In the import's transaction: the sequences moved on, and the import itself recorded, as
    the next link of the chain it brought."""
    _reset_sequences()
    status_rebuild()
    summary = BureauSummary(counts=dict(header["counts"]), sha256=header["sha256"])
    audit_record(
        action=AuditAction.IMPORT,
        detail={
            "what": "bureau import",
            "rows": summary.total,
            "sha256": summary.sha256,
            "exported_at": str(header.get("created", "")),
        },
    )
    return summary


@contextmanager
def _seekable(stream: IO[bytes]) -> Iterator[IO[bytes]]:
    """The file is read twice (checked whole, then loaded), so a pipe is spooled first."""
    if stream.seekable():
        yield stream
        return
    with tempfile.TemporaryFile() as spool:
        shutil.copyfileobj(stream, spool, COPY_BUFFER)
        spool.seek(0)
        yield spool


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of the unpacked file; a damaged gzip is named by the last good line."""
    number = 0
    try:
        with gzip.GzipFile(fileobj=stream, mode="rb") as unpacked:
            for number, line in enumerate(unpacked, start=1):
                yield number, line
    except EOFError:
        raise BureauFileError(_after(number), _("the file ends early: it is truncated")) from None
    except (OSError, zlib.error) as exc:
        raise BureauFileError(
            _after(number),
            _("not a readable gzip file (%(error)s)") % {"error": exc},
        ) from None


def _after(number: int) -> str:
    return _("after line %(line)d") % {"line": number} if number else _("the start of the file")


def _parse(number: int, raw: bytes) -> dict[str, Any]:
    where = _("line %(line)d") % {"line": number}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BureauFileError(where, _("not UTF-8 (byte %(at)d)") % {"at": exc.start + 1}) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        # The position within the line: json's own "line 1" would read as the file's.
        raise BureauFileError(
            where, _("not JSON (%(error)s at character %(at)d)") % {"error": exc.msg, "at": exc.pos + 1}
        ) from None
    if not isinstance(value, dict):
        raise BureauFileError(where, _("not a JSON object"))
    return value


def _read_header(stream: IO[bytes]) -> dict[str, Any]:
    stream.seek(0)
    first = next(_lines(stream), None)
    if first is None:
        raise BureauFileError(_("line 1"), _("the file is empty"))
    header = _parse(*first)
    if header.get("format") != FORMAT:
        raise BureauFileError(_("line 1"), _("not a tracebureau bureau export"))
    if header.get("version") != VERSION:
        raise BureauFileError(
            _("line 1"),
            _("format version %(found)s; this installation reads version %(known)s")
            % {"found": header.get("version"), "known": VERSION},
        )
    if not isinstance(header.get("counts"), dict) or not isinstance(header.get("sha256"), str):
        raise BureauFileError(_("line 1"), _("the header lacks the counts or the digest"))
    return header


def _check_schema(header: dict[str, Any]) -> None:
    """Same migrations on both sides, or the columns differ and the rows would not fit."""
    ours, theirs = schema_state(), header.get("schema") or {}
    differ = sorted(app for app in set(ours) | set(theirs) if ours.get(app) != theirs.get(app))
    if differ:
        details = "; ".join(f"{app}: {theirs.get(app, '-')} ≠ {ours.get(app, '-')}" for app in differ)
        raise BureauFileError(
            _("line 1"), _("written by another schema (file ≠ this database): %(apps)s") % {"apps": details}
        )


def _check_empty() -> None:
    """Ids are kept, so the target must have none of its own: an existing row would collide with
    one in the file, or worse, be pointed at by records meant for another."""
    occupied = [model._meta.label_lower for model in carried_models() if model._base_manager.exists()]
    if occupied:
        raise BureauFileError(
            _("this database"),
            _(
                "it already holds bureau records (%(models)s): import only into a freshly migrated, "
                "empty database"
            )
            % {"models": ", ".join(occupied)},
        )


def _check_body(stream: IO[bytes], header: dict[str, Any]) -> set[str]:
    """Read the whole file once before loading: every line JSON, the digest and counts right."""
    stream.seek(0)
    expected = {model._meta.label_lower for model in carried_models()}
    digest, counts, last = hashlib.sha256(), Counter[str](), 1
    for number, raw in _lines(stream):
        if number == 1:
            continue
        digest.update(raw)
        label = str(_parse(number, raw).get("model", ""))
        if label not in expected:
            raise BureauFileError(
                _("line %(line)d") % {"line": number},
                _("%(model)r is not a carried model") % {"model": label},
            )
        counts[label] += 1
        last = number
    if digest.hexdigest() != header["sha256"]:
        raise BureauFileError(
            _("lines 2–%(last)d") % {"last": last},
            _("the content does not match the header's SHA-256: the file was altered or damaged"),
        )
    if dict(counts) != {label: n for label, n in header["counts"].items() if n}:
        raise BureauFileError(_("line 1"), _("the header's counts do not match the records in the file"))
    return expected


def _load(stream: IO[bytes], labels: set[str], progress: Progress | None) -> None:
    """Save every record as an insert, as loaddata does: raw (no save() of the model, no signals'
    side effects, timestamps as they were), with constraints checked once at the end."""
    current = _Cursor()
    records = current.follow((number, raw) for number, raw in _lines(stream) if number > 1)
    with connection.constraint_checks_disabled():
        objects = python_serializer.Deserializer(records, ignorenonexistent=False)
        while True:
            try:
                loaded = next(objects, None)
                if loaded is None:
                    break
                loaded.save(force_insert=True)
            except BureauFileError:
                raise
            except Exception as exc:
                raise BureauFileError(current.location, _describe(exc, current.line)) from exc
            current.saved(progress)
    current.finish(progress)
    try:
        connection.check_constraints(table_names=[apps.get_model(label)._meta.db_table for label in labels])
    except DatabaseError as exc:
        raise BureauFileError(
            _("the records"), _("a reference points at nothing: %(error)s") % {"error": exc}
        ) from exc


class _Cursor:
    """Which line the deserialiser is on, so that a fault is named by it; counts per model for
    the progress report."""

    def __init__(self) -> None:
        self.line: _Line | None = None
        self.label, self.count = "", 0

    def follow(self, lines: Iterable[tuple[int, bytes]]) -> Iterator[dict[str, Any]]:
        for number, raw in lines:
            self.line = _Line(number, _parse(number, raw))
            yield self.line.record

    @property
    def location(self) -> str:
        return self.line.location if self.line else _("line 2")

    def saved(self, progress: Progress | None) -> None:
        label = self.line.label if self.line else ""
        if label != self.label:
            self.finish(progress)
            self.label, self.count = label, 0
        self.count += 1

    def finish(self, progress: Progress | None) -> None:
        if progress is not None and self.label:
            progress(self.label, self.count)


def _describe(error: Exception, line: _Line | None) -> str:
    """The reason, with the field it concerns where the deserialiser says which value failed."""
    message = str(error).strip() or type(error).__name__
    if isinstance(error, IntegrityError):
        # A repeated id is the usual cause: the database names the key, we name the line.
        return _("refused by the database (%(error)s)") % {"error": message}
    fields = (line.record.get("fields") or {}) if line else {}
    named = [name for name, value in fields.items() if value is not None and f"'{value}'" in message]
    if named:
        return _("field %(field)s: %(error)s") % {"field": named[0], "error": message}
    return message


def _reset_sequences() -> None:
    """After rows with given ids, PostgreSQL's sequences still start at 1: move them past the
    highest id, or the next record written would collide. (SQLite follows on its own.)"""
    models = carried_models()
    through: list[type[Model]] = [
        f.remote_field.through  # type: ignore[misc]
        for model in models
        for f in model._meta.local_many_to_many
        if f.remote_field.through and f.remote_field.through._meta.auto_created
    ]
    statements = connection.ops.sequence_reset_sql(no_style(), [*models, *through])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
