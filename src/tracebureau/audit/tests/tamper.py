"""Tampering with the trail as someone with direct database access would, for the tests.

The append-only triggers refuse it, so they are switched off for the tamper and restored after.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from tracebureau.audit.chain import CONTENT_FIELDS
from tracebureau.audit.models import AuditEntry

TABLE = "audit_auditentry"


@contextmanager
def triggers_off() -> Iterator[Any]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses while foreign-key checks of this transaction are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
            try:
                yield cursor
            finally:
                cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                           [TABLE])
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {name}")
            try:
                yield cursor
            finally:
                for _name, sql in triggers:
                    cursor.execute(sql)


def _update(rows: QuerySet, **values: Any) -> None:
    # QuerySet.update itself, past the append-only guard of our manager.
    QuerySet.update(rows, **values)


def edit(seq: int, **values: Any) -> None:
    with triggers_off() as cursor:
        for column, value in values.items():
            cursor.execute(f"UPDATE {TABLE} SET {column} = %s WHERE seq = %s", [value, seq])


def delete(seq: int) -> None:
    with triggers_off() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq = %s", [seq])


def swap(first: int, second: int) -> None:
    """Exchange everything two entries hold but their database ids (the order they were stored in)."""
    columns = (*CONTENT_FIELDS, "prev_hash", "hash")
    a, b = (AuditEntry.objects.filter(seq=seq).values(*columns).get() for seq in (first, second))
    with triggers_off():
        # Through a free number and hash first: both are unique.
        _update(AuditEntry.objects.filter(seq=first), seq=10**9, hash="x" * 64)
        _update(AuditEntry.objects.filter(seq=second), **a)
        _update(AuditEntry.objects.filter(seq=10**9), **b)
