from django.db import migrations

from tracebureau.core.sql import append_only_operation


class Migration(migrations.Migration):
    dependencies = [("lists", "0001_initial")]

    operations = [
        append_only_operation("lists_listrow"),
        append_only_operation("lists_decision"),
    ]
