from django.db import migrations

from tracebureau.core.sql import append_only_operation


class Migration(migrations.Migration):
    dependencies = [("identification", "0001_initial")]

    operations = [
        append_only_operation("identification_custodyentry"),
        append_only_operation("identification_geneticprofile"),
        append_only_operation("identification_identificationdecision"),
    ]
