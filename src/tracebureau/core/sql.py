"""Database triggers that make history tables append-only, for SQLite and PostgreSQL.

Used by migrations through `append_only_operation(table)`. The application never updates or
deletes these rows; the trigger makes that true for raw SQL, the admin and future code too.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _forwards(table: str):  # type: ignore[no-untyped-def]
    def run(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for statement in _statements(vendor, table):
            schema_editor.execute(statement)

    return run


def _backwards(table: str):  # type: ignore[no-untyped-def]
    def run(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")

    return run


def _statements(vendor: str, table: str) -> list[str]:
    message = f"{table} is append-only: record a correction instead"
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        ]
    if vendor == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION tracebureau_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '%% is append-only: record a correction instead', TG_TABLE_NAME "
            "USING ERRCODE = 'restrict_violation'; END; $$ LANGUAGE plpgsql",
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION tracebureau_append_only()",
        ]
    raise NotImplementedError(f"no append-only trigger for database vendor {vendor!r}")


def append_only_operation(table: str) -> migrations.RunPython:
    """Install (or reinstall) the triggers. SQLite drops a table's triggers when a migration
    rebuilds it, so a migration that alters an append-only table must end with this again."""
    return migrations.RunPython(_forwards(table), _backwards(table))
