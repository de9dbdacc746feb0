from django.db import migrations

from tracebureau.core.sql import append_only_operation


class Migration(migrations.Migration):
    dependencies = [("timeline", "0001_initial")]

    operations = [
        append_only_operation("timeline_event"),
        append_only_operation("timeline_bulkevent"),
    ]
