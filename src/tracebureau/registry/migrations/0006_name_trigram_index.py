"""A trigram index on the spellings search reads (PostgreSQL only).

Search asks for every word of a query anywhere in a spelling (`LIKE '%word%'`), which a
B-tree cannot answer: on a national registry that was a scan of every spelling. pg_trgm's GIN
index answers it. pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may
create it. SQLite has no such index and scans; it is the small, embedded default.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "registry_namevariant_search_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON registry_namevariant USING gin (search_text gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_search_indexes")]

    operations = [TrigramExtension(), migrations.RunPython(create, drop)]
