"""What reaches the trail: every write with its author and person, reads of protected
records, sign-ins, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tracebureau.accounts.services import token_issue
from tracebureau.audit import context
from tracebureau.audit.models import AuditEntry
from tracebureau.audit.services import audit_record
from tracebureau.core.models import BreakGlass
from tracebureau.core.policy import break_glass_expiry
from tracebureau.registry import services as registry
from tracebureau.timeline import services as timeline

pytestmark = pytest.mark.django_db


def entries(**filters):
    return list(AuditEntry.objects.filter(**filters).order_by("seq"))


def last(**filters) -> AuditEntry:
    return AuditEntry.objects.filter(**filters).latest("seq")


def test_it_records_a_registration_with_its_author_and_person(scenario, case_officer):
    person = scenario.person(call_sign="Сокіл")
    entry = last(object_type="registry.Person", action="create")
    assert (entry.user, entry.username, entry.person_id) == (case_officer, "navy.officer", person.pk)
    assert entry.object_id == str(person.pk)
    assert entry.surface == "system"
    assert {"family_name", "call_sign"} <= set(entry.detail["fields"])
    # The names of the fields, never what they hold.
    assert "Сокіл" not in str(entry.detail)
    spellings = entries(object_type="registry.NameVariant", person_id=person.pk)
    assert [e.action for e in spellings] == ["create", "create"]


def test_it_records_the_names_of_the_fields_an_edit_changed(scenario, case_officer):
    person = scenario.person()
    registry.person_update(
        person=person, changes={"unit": "36th brigade"}, expected_version=1, by=case_officer
    )
    entry = last(object_type="registry.Person", action="update")
    assert entry.detail == {"fields": ["unit", "version"]}
    assert (entry.user, entry.person_id) == (case_officer, person.pk)


def test_it_records_an_event_against_its_person(scenario, case_officer):
    person = scenario.person()
    event = scenario.event(person, "captured")
    entry = last(object_type="timeline.Event")
    assert (entry.action, entry.object_id, entry.person_id, entry.user) == (
        "create", str(event.pk), person.pk, case_officer
    )


def test_it_records_each_event_of_a_bulk_event(scenario, case_officer):
    persons = [scenario.person("Іваненко"), scenario.person("Петренко")]
    bulk = timeline.bulk_event_record(
        persons=persons, label="2 evacuated", kind="transferred", by=case_officer,
        occurred_on=dt.date(2022, 5, 17), precision="day", source=scenario.intel, credibility=2,
    )
    recorded = entries(object_type="timeline.Event", action="create")
    assert sorted(e.person_id for e in recorded) == sorted(p.pk for p in persons)
    assert {e.object_id for e in recorded} == {str(pk) for pk in bulk.events.values_list("pk", flat=True)}


def test_the_request_user_is_the_actor_over_the_records_author(scenario, analyst):
    with context.acting(user=analyst):
        person = scenario.person()
    assert last(object_type="registry.Person").user == analyst
    assert person.created_by == scenario.by


def test_a_break_glass_access_is_recorded_with_its_reason(scenario, case_officer):
    person = scenario.person()
    BreakGlass.objects.create(
        user=case_officer, person=person, reason="Exchange list check", expires_at=break_glass_expiry()
    )
    entry = last(action="break_glass")
    assert (entry.user, entry.person_id, entry.reason) == (case_officer, person.pk, "Exchange list check")


def test_the_person_page_records_a_view(client, scenario, case_officer):
    person = scenario.person()
    client.force_login(case_officer)
    response = client.get(person.get_absolute_url(), HTTP_USER_AGENT="Firefox", REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 200
    entry = last(action="view")
    assert (entry.user, entry.person_id, entry.object_type) == (case_officer, person.pk, "registry.Person")
    assert (entry.surface, entry.ip, entry.user_agent) == ("web", "10.0.0.7", "Firefox")


def test_a_person_the_user_may_not_see_records_no_view(client, analyst, case_officer):
    person = registry.person_create(
        by=analyst, family_name="Бойко", category="prisoner_of_war", classification="negotiation_sensitive"
    )
    client.force_login(case_officer)
    assert client.get(person.get_absolute_url()).status_code == 404
    assert entries(action="view") == []


@pytest.fixture
def token_api(case_officer):
    client = APIClient()
    _token, key = token_issue(user=case_officer, name="audit test")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.mark.parametrize("path", ["/api/persons/{person}/", "/api/persons/{person}/timeline/"])
def test_the_api_records_a_view_by_the_tokens_user(token_api, scenario, case_officer, path):
    person = scenario.person()
    response = token_api.get(path.format(person=person.pk), REMOTE_ADDR="2001:db8:0:0:0:0:0:1")
    assert response.status_code == 200
    entry = last(action="view")
    assert (entry.user, entry.person_id, entry.surface) == (case_officer, person.pk, "api")
    assert entry.ip == "2001:db8::1"


def test_the_api_records_a_view_of_an_event(token_api, scenario, case_officer):
    event = scenario.event(scenario.person(), "captured")
    assert token_api.get(f"/api/events/{event.pk}/").status_code == 200
    entry = last(action="view")
    assert (entry.object_type, entry.object_id) == ("timeline.Event", str(event.pk))
    assert entry.person_id == event.person_id


def test_an_api_write_is_recorded_as_the_tokens_user(token_api, scenario, case_officer):
    payload = {"family_name": "Бойко", "category": "prisoner_of_war", "agency": "navy"}
    response = token_api.post("/api/persons/", payload, format="json")
    assert response.status_code == 201
    entry = last(object_type="registry.Person", action="create")
    assert (entry.user, entry.surface, entry.object_id) == (case_officer, "api", str(response.json()["id"]))


def test_a_failed_sign_in_is_recorded_without_the_password(client, case_officer):
    response = client.post(reverse("login"), {"username": "navy.officer", "password": "wrong-password-123"})
    assert response.status_code == 200
    entry = last(action="sign_in_failed")
    assert (entry.user, entry.username, entry.surface) == (None, "navy.officer", "web")
    row = AuditEntry.objects.filter(pk=entry.pk).values().get()
    assert "wrong-password-123" not in str(row)


def test_signing_in_and_out_is_recorded(client, case_officer):
    client.post(reverse("login"), {"username": "navy.officer", "password": "a-long-test-password-1"})
    client.post(reverse("logout"))
    assert [e.action for e in entries(user=case_officer)] == ["sign_in", "sign_out"]


def test_a_refusal_of_a_signed_in_user_is_recorded(client, scenario, analyst):
    client.force_login(analyst)
    assert client.get(reverse("audit:log")).status_code == 403
    entry = last(action="permission_denied")
    assert (entry.user, entry.detail) == (analyst, {"method": "GET", "path": "/audit/"})


def test_commands_record_as_the_command_line(scenario):
    with context.acting(surface="cli"):
        person = scenario.person()
    assert last(object_type="registry.Person").surface == "cli"
    assert last(object_type="registry.Person").person_id == person.pk


def test_a_rolled_back_write_leaves_no_entry(case_officer):
    from django.db import transaction

    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="export", user=case_officer)
        raise RuntimeError("the export failed")
    assert AuditEntry.objects.count() == before
