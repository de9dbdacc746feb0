from django.db import migrations

from tracebureau.core.sql import append_only_operation


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_initial")]

    operations = [
        append_only_operation("registry_namevariant"),
        append_only_operation("registry_personmerge"),
    ]
