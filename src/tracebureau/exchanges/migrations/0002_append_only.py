from django.db import migrations

from tracebureau.core.sql import append_only_operation


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0001_initial")]

    operations = [
        append_only_operation("exchanges_transition"),
        append_only_operation("exchanges_arrivallist"),
        append_only_operation("exchanges_arrivalrow"),
        append_only_operation("exchanges_amendment"),
        append_only_operation("exchanges_exchangeoutcome"),
    ]
