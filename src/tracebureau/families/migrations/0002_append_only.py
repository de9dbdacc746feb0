from django.db import migrations

from tracebureau.core.sql import append_only_operation


class Migration(migrations.Migration):
    dependencies = [("families", "0001_initial")]

    operations = [
        append_only_operation("families_inquirystep"),
        append_only_operation("families_consentchange"),
        append_only_operation("families_familycontact"),
        append_only_operation("families_lookupattempt"),
    ]
