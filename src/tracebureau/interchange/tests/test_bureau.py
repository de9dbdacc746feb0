"""Moving an installation: `export-bureau` then `import-bureau` into an empty database gives
the same bureau, down to the bytes of a second export and the audit chain; a bad file is
refused by its location and leaves the target as it was."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

import tracebureau
from tracebureau.accounts.services import token_issue
from tracebureau.audit import chain
from tracebureau.audit.models import AuditEntry
from tracebureau.core.models import User
from tracebureau.interchange.bureau import BureauFileError, bureau_export, bureau_import, carried_models

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Export:
    """A file as written, split into its header and its body's lines (each ending in a newline)."""

    data: bytes

    @property
    def header(self) -> dict[str, Any]:
        return json.loads(gzip.decompress(self.data).split(b"\n", 1)[0])

    @property
    def lines(self) -> list[bytes]:
        return gzip.decompress(self.data).splitlines(keepends=True)[1:]

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]


@pytest.fixture(scope="module")
def exported(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Export:
    """The small demo (persons, events, a merge, name variants, exchanges, press, accounts with
    TOTP devices) and an API token, exported once for the module and then rolled back, so that
    every test starts from an empty database: the target of an import."""
    fast = override_settings(DATA_DIR=tmp_path_factory.mktemp("data"), PASSWORD_HASHERS=FAST_HASHER)
    with django_db_blocker.unblock(), fast, transaction.atomic():
        call_command("demo", size=60, seed=7, stdout=io.StringIO())
        token_issue(user=User.objects.get(username="officer"), name="sync")
        stream = io.BytesIO()
        bureau_export(stream)
        transaction.set_rollback(True)
    return Export(stream.getvalue())


def _without_import_entry(export: Export) -> list[bytes]:
    """The body less the one entry the import adds to the trail it brought: the only
    difference a round trip may make."""
    lines = export.lines
    added = [
        i
        for i, line in enumerate(lines)
        if b'"model":"audit.auditentry"' in line and b'"what":"bureau import"' in line
    ]
    assert len(added) == 1
    return lines[: added[0]] + lines[added[0] + 1 :]


def _counts() -> dict[str, int]:
    return {model._meta.label_lower: model._base_manager.count() for model in carried_models()}


# ---- what the file holds --------------------------------------------------------------------


def test_the_file_holds_every_kind_of_record_and_says_what_it_holds(exported: Export) -> None:
    header, records = exported.header, exported.records()
    assert header["format"] == "tracebureau-bureau" and header["version"] == 1
    assert header["schema"]["registry"] and header["schema"]["audit"]
    assert header["sha256"] == hashlib.sha256(b"".join(exported.lines)).hexdigest()
    held = Counter(record["model"] for record in records)
    assert {label: n for label, n in header["counts"].items() if n} == dict(held)
    for label in (
        "core.user",
        "otp_totp.totpdevice",
        "accounts.apitoken",
        "registry.person",
        "registry.personmerge",
        "registry.namevariant",
        "registry.historicalperson",
        "timeline.event",
        "audit.auditentry",
    ):
        assert held[label] > 0, label
    # Rebuilt by the target's migrate, and not carried: sessions, lockouts, the task queue.
    assert not {"contenttypes.contenttype", "auth.permission", "sessions.session"} & set(held)
    assert not any(label.startswith(("axes.", "django_tasks")) for label in held)
    users = [r for r in records if r["model"] == "core.user"]
    assert all(user["fields"]["password"].startswith("md5$") for user in users)


def test_times_keep_their_microseconds(exported: Export) -> None:
    """The audit chain hashes the full time; Django's JSON encoder alone would cut it to ms."""
    entries = [r for r in exported.records() if r["model"] == "audit.auditentry"]
    assert any(
        len(entry["fields"]["at"].split("+")[0]) == len("2022-05-17T10:00:00.123456") for entry in entries
    )


# ---- the round trip -------------------------------------------------------------------------


def test_an_import_into_an_empty_database_gives_back_the_same_file(exported: Export, db: Any) -> None:
    progress: list[tuple[str, int]] = []
    summary = bureau_import(io.BytesIO(exported.data), progress=lambda label, n: progress.append((label, n)))

    assert summary.counts == exported.header["counts"]
    assert ("registry.person", exported.header["counts"]["registry.person"]) in progress
    verdict = chain.verify(AuditEntry.objects.order_by("pk"))
    assert verdict.intact, verdict.problems
    assert verdict.count == exported.header["counts"]["audit.auditentry"] + 1  # the import itself
    again = io.BytesIO()
    bureau_export(again)
    assert _without_import_entry(Export(again.getvalue())) == exported.lines
    # The sequences moved past the imported ids: a new record does not collide.
    newcomer = User.objects.create_user("newcomer", password="a-long-test-password-5")
    assert newcomer.pk > max(r["pk"] for r in exported.records() if r["model"] == "core.user")


def _tracebureau(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracebureau.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_a_round_trip_through_a_second_database(exported: Export, tmp_path: Path) -> None:
    """The target is a new SQLite file, migrated by its own process: when the suite runs on
    PostgreSQL this is a move from PostgreSQL to SQLite."""
    source = Path(tracebureau.__file__).resolve().parents[1]
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'target.sqlite3'}",
        "TRACEBUREAU_DATA_DIR": str(tmp_path),
        "PYTHONPATH": os.pathsep.join([str(source), os.environ.get("PYTHONPATH", "")]),
    }
    (tmp_path / "one.jsonl.gz").write_bytes(exported.data)

    steps = [
        ("migrate", "-v0"),
        ("import-bureau", str(tmp_path / "one.jsonl.gz")),
        ("audit", "verify"),
        ("export-bureau", "-o", str(tmp_path / "two.jsonl.gz")),
    ]
    for step in steps:
        done = _tracebureau(*step, env=env)
        assert done.returncode == 0, (step, done.stdout, done.stderr)
    assert "OK:" in _tracebureau("audit", "verify", env=env).stdout
    again = Export((tmp_path / "two.jsonl.gz").read_bytes())
    assert again.header["schema"] == exported.header["schema"]
    assert _without_import_entry(again) == exported.lines


# ---- bad files: refused where they are bad, nothing kept ------------------------------------


def _sealed(export: Export, lines: list[bytes], **header: Any) -> bytes:
    """A file whose header agrees with its (edited) body: what a faulty exporter could write."""
    head = export.header | header
    head["sha256"] = hashlib.sha256(b"".join(lines)).hexdigest()
    head["counts"] = dict(Counter(json.loads(line)["model"] for line in lines))
    return _packed(head, lines)


def _packed(header: dict[str, Any], lines: list[bytes]) -> bytes:
    return gzip.compress(json.dumps(header).encode() + b"\n" + b"".join(lines))


def _first(export: Export, label: str) -> int:
    return next(i for i, line in enumerate(export.lines) if f'"model":"{label}"'.encode() in line)


def _truncated(export: Export) -> tuple[bytes, str]:
    return export.data[: len(export.data) // 2], "after line"


def _not_json(export: Export) -> tuple[bytes, str]:
    lines = list(export.lines)
    lines[9] = b'{"model": "registry.person", "pk": \n'
    return _packed(export.header, lines), "line 11: not JSON"


def _not_utf8(export: Export) -> tuple[bytes, str]:
    lines = list(export.lines)
    lines[4] = lines[4].replace(b'"fields"', '"fields"'.encode("utf-16"))
    return _packed(export.header, lines), "line 6: not UTF-8"


def _repeated_id(export: Export) -> tuple[bytes, str]:
    lines = list(export.lines)
    at = _first(export, "registry.person")
    lines.insert(at + 1, lines[at])
    pk = json.loads(lines[at])["pk"]
    return _sealed(export, lines), f"line {at + 3} (registry.person, id {pk})"


def _bad_value(export: Export) -> tuple[bytes, str]:
    lines = list(export.lines)
    at = _first(export, "timeline.event")
    record = json.loads(lines[at])
    record["fields"]["occurred_on"] = "2022-13-45"
    lines[at] = json.dumps(record).encode() + b"\n"
    return _sealed(export, lines), f"line {at + 2} (timeline.event, id {record['pk']}): field occurred_on"


def _dangling_reference(export: Export) -> tuple[bytes, str]:
    lines = list(export.lines)
    at = _first(export, "timeline.event")
    record = json.loads(lines[at])
    record["fields"]["person"] = 999_999
    lines[at] = json.dumps(record).encode() + b"\n"
    return _sealed(export, lines), "the records: a reference points at nothing"


def _altered(export: Export) -> tuple[bytes, str]:
    lines = list(export.lines)
    lines[0] = lines[0].replace(b'"username":"', b'"username":"x')
    return _packed(export.header, lines), "does not match the header's SHA-256"


def _miscounted(export: Export) -> tuple[bytes, str]:
    header = export.header
    header["counts"]["registry.person"] += 1
    return _packed(header, export.lines), "line 1: the header's counts do not match"


def _other_schema(export: Export) -> tuple[bytes, str]:
    header = export.header
    header["schema"]["registry"] = "0099_from_the_future"
    return _packed(header, export.lines), "line 1: written by another schema (file ≠ this database): registry"


def _not_a_bureau_file(export: Export) -> tuple[bytes, str]:
    return gzip.compress(b'{"format": "pfif"}\n'), "line 1: not a tracebureau bureau export"


def _not_gzip(export: Export) -> tuple[bytes, str]:
    return gzip.decompress(export.data), "the start of the file: not a readable gzip file"


BAD_FILES: list[Callable[[Export], tuple[bytes, str]]] = [
    _truncated,
    _not_json,
    _not_utf8,
    _repeated_id,
    _bad_value,
    _dangling_reference,
    _altered,
    _miscounted,
    _other_schema,
    _not_a_bureau_file,
    _not_gzip,
]


@pytest.mark.parametrize("spoil", BAD_FILES, ids=lambda spoil: spoil.__name__.strip("_"))
def test_a_bad_file_is_refused_where_it_is_bad_and_nothing_is_kept(
    exported: Export, db: Any, spoil: Callable[[Export], tuple[bytes, str]]
) -> None:
    data, where = spoil(exported)
    before = _counts()
    with pytest.raises(BureauFileError) as refused:
        bureau_import(io.BytesIO(data))
    assert where in str(refused.value)
    assert _counts() == before and not any(before.values())


def test_an_import_into_a_database_with_records_is_refused(exported: Export, case_officer: User) -> None:
    before = _counts()
    with pytest.raises(BureauFileError, match=r"this database: it already holds bureau records \(core\.user"):
        bureau_import(io.BytesIO(exported.data))
    assert _counts() == before


# ---- the commands ---------------------------------------------------------------------------


def test_the_command_names_the_fault_and_says_nothing_was_imported(
    exported: Export, db: Any, tmp_path: Path
) -> None:
    data, where = _repeated_id(exported)
    (tmp_path / "bad.jsonl.gz").write_bytes(data)
    with pytest.raises(CommandError, match="Nothing was imported") as refused:
        call_command("import_bureau", str(tmp_path / "bad.jsonl.gz"), stderr=io.StringIO())
    assert where in str(refused.value)


def test_the_export_command_never_overwrites_a_file(db: Any, tmp_path: Path) -> None:
    (tmp_path / "kept.jsonl.gz").write_bytes(b"precious")
    with pytest.raises(CommandError, match="already exists"):
        call_command("export_bureau", output=tmp_path / "kept.jsonl.gz")
    assert (tmp_path / "kept.jsonl.gz").read_bytes() == b"precious"
