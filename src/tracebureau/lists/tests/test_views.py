from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import Workbook

from tracebureau.core.models import User
from tracebureau.lists.models import Decision, IncomingList, ListRow
from tracebureau.lists.tables import guess_mapping
from tracebureau.timeline.models import Event

CSV = (
    "№,Фамилия,Имя,Отчество,Дата рождения,Личный номер\n"
    "1,Козацкий,Дмитрий,Александрович,12.03.1998,AB123456\n"
    "2,Шевченко,Андрей,,1990,\n"
).encode()


def web(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, scenario: Any, name: str, content: bytes) -> Any:
    file = io.BytesIO(content)
    file.name = name
    return client.post(
        "/lists/upload/",
        {
            "file": file,
            "title": "Adversary's list",
            "source": scenario.rumour.pk,
            "received_on": "2022-06-10",
            "event_kind": "captured",
            "credibility": "3",
            "classification": "restricted",
        },
    )


def test_it_guesses_the_columns_in_three_languages() -> None:
    assert guess_mapping(["№", "Фамилия", "Имя", "Отчество", "Дата рождения", "Личный номер"]) == {
        "id": "№",
        "family_name": "Фамилия",
        "given_name": "Имя",
        "patronymic": "Отчество",
        "birth_date": "Дата рождения",
        "service_number": "Личный номер",
    }
    assert guess_mapping(["Прізвище", "Ім'я", "По батькові", "Дата народження", "Позивний"]) == {
        "family_name": "Прізвище",
        "given_name": "Ім'я",
        "patronymic": "По батькові",
        "birth_date": "Дата народження",
        "call_sign": "Позивний",
    }
    assert guess_mapping(["id", "Full name", "Date of birth", "Sex"]) == {
        "id": "id",
        "full_name": "Full name",
        "birth_date": "Date of birth",
        "sex": "Sex",
    }


def test_it_uploads_a_csv_in_two_steps(
    analyst: User, registry: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = web(analyst)
    response = upload(client, registry, "list.csv", CSV)
    assert response.status_code == 302 and response["Location"] == "/lists/upload/columns/"
    page = client.get("/lists/upload/columns/")
    assert page.status_code == 200
    assert page.context["form"]["family_name"].initial == "Фамилия"
    mapping = {name: page.context["form"][name].initial for name in page.context["form"].fields}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/lists/upload/columns/", mapping)
    incoming = IncomingList.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/lists/{incoming.pk}/"
    assert (incoming.event_kind, incoming.file_name, incoming.rows.count()) == ("captured", "list.csv", 2)
    queue = client.get(f"/lists/{incoming.pk}/")
    assert queue.status_code == 200
    assert "Козацький Дмитро Олександрович" in queue.content.decode()  # the candidate
    progress = client.get(f"/lists/{incoming.pk}/progress.json").json()
    assert (progress["status"], progress["progress"], progress["finished"]) == ("done", 100, True)


def test_it_uploads_an_xlsx(analyst: User, registry: Any) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Прізвище", "Ім'я", "Дата народження"])
    sheet.append(["Козацький", "Дмитро", "1998-03-12"])
    content = io.BytesIO()
    book.save(content)
    client = web(analyst)
    assert upload(client, registry, "list.xlsx", content.getvalue()).status_code == 302
    page = client.get("/lists/upload/columns/")
    assert [row for row in page.context["preview"]] == [["Козацький", "Дмитро", "1998-03-12"]]
    client.post(
        "/lists/upload/columns/",
        {"family_name": "Прізвище", "given_name": "Ім'я", "birth_date": "Дата народження"},
    )
    assert ListRow.objects.get().birth_date == "1998-03-12"


def test_upload_errors_name_the_row_and_the_column(analyst: User, registry: Any) -> None:
    client = web(analyst)
    bad = "Фамилия,Дата рождения\nКозацкий,31.02.1998\nШевченко,1990\n".encode()
    upload(client, registry, "list.csv", bad)
    page = client.post("/lists/upload/columns/", {"family_name": "Фамилия", "birth_date": "Дата рождения"})
    assert page.status_code == 200
    assert "Row 2, column “Дата рождения”: 1998-02 has no day 31." in page.content.decode()
    assert not IncomingList.objects.exists()
    response = upload(client, registry, "list.csv", b"\xff\xfe\x00bad")
    assert "not UTF-8" in response.content.decode()


def test_the_queue_decides_rows(adversary_list: Any, registry: Any, analyst: User) -> None:
    client = web(analyst)
    first, second, third = adversary_list.rows.all()
    response = client.post(
        f"/lists/rows/{first.pk}/decide/", {"action": "accept", "person": registry.kozatskyi.pk}
    )
    assert response.status_code == 302
    client.post(f"/lists/rows/{second.pk}/decide/", {"action": "reject"})
    client.post(f"/lists/rows/{third.pk}/decide/", {"action": "create_person", "category": "prisoner_of_war"})
    assert list(Decision.objects.values_list("action", flat=True)) == ["accept", "reject", "create_person"]
    page = client.get(f"/lists/{adversary_list.pk}/?state=all")
    assert [(s, n) for s, _label, n in page.context["filters"]] == [
        ("undecided", 0),
        ("accepted", 1),
        ("rejected", 1),
        ("created", 1),
        ("all", 3),
    ]
    client.post(f"/lists/rows/{first.pk}/decide/", {"action": "undo"})
    assert Event.objects.filter(kind="retraction", reason="decision undone").count() == 1


@pytest.mark.parametrize("role", ["family_liaison", "press_officer", "agency_liaison"])
def test_who_does_not_reconcile_lists_sees_none(role: str, adversary_list: Any) -> None:
    user = User.objects.create_user(
        f"x.{role}", password=None, roles=[role], clearance="negotiation_sensitive"
    )
    client = web(user)
    row = adversary_list.rows.first()
    assert client.get(f"/lists/{adversary_list.pk}/").status_code == 404
    assert client.get(f"/lists/{adversary_list.pk}/progress.json").status_code == 404
    assert client.post(f"/lists/rows/{row.pk}/decide/", {"action": "reject"}).status_code == 404
    assert client.get("/lists/").status_code == 403
    assert not Decision.objects.exists()


def test_a_list_above_the_clearance_is_not_found(analyst: User, case_officer: User, registry: Any) -> None:
    from tracebureau.lists.tests.conftest import upload as store

    secret = store(analyst, registry, classification="negotiation_sensitive", reconcile=False)
    assert web(case_officer).get(f"/lists/{secret.pk}/").status_code == 404
    assert web(analyst).get(f"/lists/{secret.pk}/").status_code == 200
