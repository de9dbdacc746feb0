"""The hash chain: it appends, it verifies, and every kind of tampering shows, by position."""

from __future__ import annotations

import itertools
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from tracebureau.audit import chain
from tracebureau.audit.models import GENESIS, AuditEntry
from tracebureau.audit.services import audit_bulk_created, audit_record
from tracebureau.audit.tests import tamper
from tracebureau.core.errors import AppendOnlyError

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(db):
    """Five entries: five failed sign-ins."""
    for number in range(5):
        audit_record(action="sign_in_failed", username=f"guess-{number}")
    return list(AuditEntry.objects.order_by("seq"))


def verify() -> str:
    return run("verify")


def run(*args: str) -> str:
    out = StringIO()
    call_command("audit", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def problems() -> str:
    with pytest.raises(CommandError) as refused:
        verify()
    return str(refused.value)


def test_it_numbers_and_links_entries_from_the_genesis(trail):
    assert [e.seq for e in trail] == list(range(1, len(trail) + 1))
    assert trail[0].prev_hash == GENESIS
    for before, entry in itertools.pairwise(trail):
        assert entry.prev_hash == before.hash
    assert all(chain.entry_hash(e) == e.hash for e in trail)


def test_it_verifies_an_intact_chain(trail):
    assert verify() == f"OK: {len(trail)} entries, head {trail[-1].hash[:12]}\n"


def test_rows_created_in_bulk_are_linked_in_order_in_one_insert(trail, django_assert_max_num_queries):
    rows = list(AuditEntry.objects.order_by("seq"))  # any saved rows will do as the objects
    # savepoint, lock (PostgreSQL), head, one INSERT, release: not a write per row
    with django_assert_max_num_queries(5):
        audit_bulk_created(rows)
    added = list(AuditEntry.objects.filter(seq__gt=trail[-1].seq).order_by("seq"))
    assert [(e.action, e.object_id) for e in added] == [("create", str(r.pk)) for r in rows]
    assert added[0].prev_hash == trail[-1].hash
    assert verify() == f"OK: {len(trail) + len(rows)} entries, head {added[-1].hash[:12]}\n"


def test_it_verifies_an_empty_trail(db):
    assert verify() == f"OK: 0 entries, head {GENESIS[:12]}\n"


def test_it_names_an_edited_entry(trail):
    tamper.edit(3, username="someone.else")
    assert problems().endswith("position 3: entry #3 was edited (its hash does not match its content)")


def test_it_names_an_entry_whose_hash_was_replaced(trail):
    forged = AuditEntry(**{f: getattr(trail[2], f) for f in chain.CONTENT_FIELDS}, prev_hash=trail[1].hash)
    forged.username = "someone.else"
    tamper.edit(3, username="someone.else", hash=chain.entry_hash(forged))
    assert problems().endswith("position 4: chain broken at #4: prev_hash does not match #3")


def test_it_names_a_deleted_entry(trail):
    tamper.delete(4)
    assert problems().endswith("position 4: entry #4 is missing (seq jumps 3 → 5)")


def test_it_names_a_deleted_first_entry(trail):
    tamper.delete(1)
    assert problems().endswith("position 1: entry #1 is missing (the chain starts at #2)")


def test_it_names_entries_moved_out_of_order(trail):
    tamper.swap(2, 3)
    assert problems().endswith("position 3: entries reordered at position 3: #2 is stored after #3")


def test_it_counts_the_problems_it_lists(trail):
    tamper.edit(2, action="view")
    tamper.delete(4)
    message = problems()
    assert "NOT intact (2 problems in" in message
    assert message.splitlines()[1:] == [
        "position 2: entry #2 was edited (its hash does not match its content)",
        "position 4: entry #4 is missing (seq jumps 3 → 5)",
    ]


def test_it_checks_a_head_noted_earlier(trail):
    noted = trail[2].hash[:12]
    assert verify().startswith("OK")
    assert run("verify", "--head", noted).startswith("OK")
    with pytest.raises(CommandError, match="the head 0123456789ab noted earlier is not in the chain"):
        run("verify", "--head", "0123456789ab")
    with pytest.raises(CommandError, match="at least 12 hexadecimal digits"):
        run("verify", "--head", noted[:4])


def test_it_reports_progress_on_long_walks(trail, monkeypatch):
    monkeypatch.setattr(chain, "PROGRESS_EVERY", 2)
    counts: list[int] = []
    chain.verify(AuditEntry.objects.order_by("pk").iterator(), progress=counts.append)
    assert counts == [2, 4]


def test_the_orm_refuses_to_change_or_delete_an_entry(trail):
    entry = trail[0]
    entry.username = "someone.else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(username="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


@pytest.mark.parametrize("statement", [
    "UPDATE audit_auditentry SET username = 'someone.else' WHERE seq = 1",
    "DELETE FROM audit_auditentry WHERE seq = 1",
])
def test_the_database_refuses_raw_sql_that_rewrites_the_trail(trail, statement):
    refused = pytest.raises(DatabaseError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert verify().startswith("OK")


def test_tail_prints_the_newest_entries_oldest_first(trail):
    lines = run("tail", "-n", "2").splitlines()
    assert [line.split()[0] for line in lines] == [f"#{trail[-2].seq}", f"#{trail[-1].seq}"]
    assert "guess-4" in lines[-1]


def test_every_column_reads_back_as_it_was_hashed(scenario, case_officer, rf):
    """Each database hands values back in its own way (JSON key order, IPv6 spelling, time
    zones); the hash must not depend on it."""
    person = scenario.person()
    request = rf.get("/persons/", REMOTE_ADDR="2001:0db8:0000:0000:0000:0000:0000:0001",
                     HTTP_USER_AGENT="Мобільний браузер/1.0")
    request.user = case_officer
    audit_record(action="break_glass", obj=person, request=request, reason="Обмін «50 на 50»",
                 detail={"z": [3, 1], "a": {"nested": True}, "fields": ["unit"]})
    stored = AuditEntry.objects.latest("seq")
    assert (stored.ip, stored.person_id, stored.surface) == ("2001:db8::1", person.pk, "web")
    assert stored.user_agent == "Мобільний браузер/1.0"
    assert verify().startswith("OK")
