# Run by test_worker_crash.py in `tracebureau shell`: a registry of 60 persons, and the same
# incoming list twice, one for the worker to be killed over, one to run without interruption.
import datetime as dt
import json

from tracebureau.core.models import User
from tracebureau.lists import services as lists
from tracebureau.registry import services as registry
from tracebureau.registry.models import Agency
from tracebureau.timeline import services as timeline

FAMILIES = ["Козацький", "Шевченко", "Бондаренко", "Ковальчук", "Мельник", "Ткаченко", "Кравченко",
            "Олійник", "Лисенко", "Савченко"]
GIVEN = ["Дмитро", "Андрій", "Іван", "Олександр", "Сергій", "Микола"]
HEADERS = ["№", "Прізвище", "Ім'я", "Дата народження"]
MAPPING = {"id": "№", "family_name": "Прізвище", "given_name": "Ім'я", "birth_date": "Дата народження"}

by = User.objects.create_user(
    "hq.analyst", password="a-long-test-password-2", roles=["analyst", "case_officer"],
    clearance="negotiation_sensitive",
)
navy = Agency.objects.create(code="navy", name="Navy", kind="armed_forces")
source = timeline.source_create(by=by, name="Telegram channel", kind="media", reliability="E")
rows = []
for f, family in enumerate(FAMILIES):
    for g, given in enumerate(GIVEN):
        year = 1975 + (f * 7 + g * 3) % 30
        registry.person_create(
            by=by, family_name=family, given_names=given, birth_year=year, category="prisoner_of_war",
            agency=navy,
        )
        # Every other row a year off: candidates of several strengths.
        rows.append([str(len(rows) + 1), family, given, f"01.01.{year + (g % 2)}"])


def upload(title):
    return lists.list_create(
        by=by, title=title, source=source, received_on=dt.date(2022, 6, 10), file_name="list.csv",
        headers=HEADERS, rows=rows, column_mapping=MAPPING, reconcile=False,
    )


interrupted, uninterrupted = upload("List A"), upload("List B")
job = lists.reconciliation_start(incoming_list=interrupted, by=by)
print(json.dumps({"interrupted": interrupted.pk, "uninterrupted": uninterrupted.pk, "job": job.pk}))
