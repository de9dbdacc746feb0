"""The auditor's page: only auditors, filters, newest first, 50 a page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tracebureau.audit.models import AuditEntry
from tracebureau.audit.services import audit_record
from tracebureau.core.models import User

pytestmark = pytest.mark.django_db

URL = reverse("audit:log")


@pytest.fixture
def auditor(db):
    return User.objects.create_user("auditor", password="a-long-test-password-5", roles=["auditor"])


@pytest.fixture
def auditor_client(client, auditor):
    client.force_login(auditor)
    return client


def seqs(response) -> list[int]:
    return [entry.seq for entry in response.context["page"]]


def test_it_is_for_auditors_only(client, case_officer):
    assert client.get(URL).status_code == 302  # to sign in
    client.force_login(case_officer)
    assert client.get(URL).status_code == 403


def test_the_navigation_links_it_for_auditors_only(client, auditor, case_officer):
    client.force_login(case_officer)
    assert URL not in client.get(reverse("registry:person-search")).text
    client.force_login(auditor)
    assert f'href="{URL}"' in client.get(URL).text


def test_it_shows_the_newest_entries_first_fifty_a_page(auditor_client):
    for number in range(55):
        audit_record(action="sign_in_failed", username=f"guess-{number}")
    newest = AuditEntry.objects.latest("seq").seq
    first = auditor_client.get(URL)
    assert seqs(first) == list(range(newest, newest - 50, -1))
    second = auditor_client.get(URL, {"page": 2})
    assert seqs(second)[-1] == 1
    assert "Page 2 of 2" in second.text


def test_it_shows_who_did_what_to_whom_without_the_persons_record(auditor_client, scenario):
    person = scenario.person(family_name="Козацький")
    response = auditor_client.get(URL, {"person": person.pk})
    assert response.status_code == 200
    assert f'href="?person={person.pk}"' in response.text
    assert person.get_absolute_url() not in response.text
    assert "Козацький" not in response.text
    assert "navy.officer" in response.text


def test_it_filters_by_person_username_and_action(auditor_client, scenario, case_officer):
    first, second = scenario.person(), scenario.person("Шевченко")
    audit_record(action="view", user=case_officer, obj=first)
    audit_record(action="view", user=case_officer, obj=second)
    response = auditor_client.get(URL, {"person": first.pk, "username": "navy.officer", "action": "view"})
    expected = AuditEntry.objects.filter(person_id=first.pk, action="view").values_list("seq", flat=True)
    assert seqs(response) == list(expected) and len(expected) == 1


def test_it_filters_by_time_range(auditor_client):
    for number in range(3):
        audit_record(action="sign_in_failed", username=f"guess-{number}")
    middle = AuditEntry.objects.get(username="guess-1")
    after = middle.at + dt.timedelta(microseconds=1)
    local = timezone.localtime  # the form reads the time as the bureau's local time
    response = auditor_client.get(URL, {
        "since": local(middle.at).strftime("%Y-%m-%dT%H:%M:%S.%f"),
        "until": local(after).strftime("%Y-%m-%dT%H:%M:%S.%f"),
    })
    assert seqs(response) == [middle.seq]


def test_an_unreadable_filter_shows_nothing_and_says_why(auditor_client):
    audit_record(action="sign_in_failed", username="guess")
    response = auditor_client.get(URL, {"person": "abc"})
    assert seqs(response) == []
    assert "Enter a whole number." in response.text
    response = auditor_client.get(URL, {"since": "2024-05-02T00:00", "until": "2024-05-01T00:00"})
    assert "The end of the range must come after its start." in response.text


def test_it_speaks_ukrainian(auditor_client):
    from django.utils import translation

    audit_record(action="sign_in_failed", username="guess")
    with translation.override("uk"):
        response = auditor_client.get(URL, HTTP_ACCEPT_LANGUAGE="uk")
    assert "Журнал аудиту" in response.text
    assert "невдалий вхід" in response.text
