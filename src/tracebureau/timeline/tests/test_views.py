"""The timeline's pages: record an event, retract or correct one, bulk events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tracebureau.timeline.models import BulkEvent, Event
from tracebureau.timeline.selectors import person_timeline

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """The pages default to Ukrainian; these tests read the English wording."""
    settings.LANGUAGE_CODE = "en"


def event_data(scenario, **fields: Any) -> dict[str, Any]:
    data = {
        "kind": "captured", "occurred_on": "2022-05-17", "occurred_time": "", "precision": "day",
        "place": scenario.olenivka.pk, "source": scenario.intel.pk, "reliability": "",
        "credibility": 2, "note": "", "classification": "restricted",
    }
    data.update(fields)
    return data


@pytest.mark.parametrize("url", [
    "/persons/1/events/new/", "/timeline/events/1/retract/", "/timeline/events/1/supersede/",
    "/timeline/bulk/",
])
def test_it_sends_anonymous_visitors_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_records_an_event(client, scenario):
    person = scenario.person()
    client.force_login(scenario.by)
    assert client.get(f"/persons/{person.pk}/events/new/").status_code == 200

    response = client.post(f"/persons/{person.pk}/events/new/", event_data(scenario, note="Seen on video"))

    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    event = Event.objects.get()
    assert (event.kind, event.place, event.reliability, event.note, event.recorded_by) == (
        "captured", scenario.olenivka, "B", "Seen on video", scenario.by
    )
    assert person_timeline(user=scenario.by, person=person).status.situation == "in_custody"


def test_it_refuses_a_future_date_on_the_date_field(client, scenario):
    person = scenario.person()
    client.force_login(scenario.by)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = client.post(f"/persons/{person.pk}/events/new/", event_data(scenario, occurred_on=tomorrow))

    assert response.status_code == 200
    assert response.context["form"].errors["occurred_on"] == ["The event time is in the future."]
    assert not Event.objects.exists()


def test_the_event_form_offers_no_retraction(client, scenario):
    person = scenario.person()
    client.force_login(scenario.by)
    response = client.post(f"/persons/{person.pk}/events/new/", event_data(scenario, kind="retraction"))
    assert "kind" in response.context["form"].errors
    assert not Event.objects.exists()


def test_it_retracts_an_event(client, scenario):
    person = scenario.person()
    scenario.event(person, "captured", "2022-05-01")
    wrong = scenario.event(person, "released", "2022-06-01")
    client.force_login(scenario.by)
    assert client.get(f"/timeline/events/{wrong.pk}/retract/").status_code == 200

    response = client.post(f"/timeline/events/{wrong.pk}/retract/", {"reason": "Another sailor"})

    assert response.status_code == 302
    retraction = Event.objects.get(kind="retraction")
    assert (retraction.corrects, retraction.reason) == (wrong, "Another sailor")
    page = client.get(person.get_absolute_url()).text
    assert "Retracted: Another sailor" in page
    assert person_timeline(user=scenario.by, person=person).status.situation == "in_custody"


def test_a_retraction_needs_a_reason(client, scenario):
    person = scenario.person()
    event = scenario.event(person, "captured")
    client.force_login(scenario.by)
    response = client.post(f"/timeline/events/{event.pk}/retract/", {"reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert Event.objects.count() == 1


def test_it_supersedes_an_event(client, scenario):
    person = scenario.person()
    event = scenario.event(person, "captured", "2022-05-17")
    client.force_login(scenario.by)
    form = client.get(f"/timeline/events/{event.pk}/supersede/").context["form"]
    assert form.initial["kind"] == "captured"

    response = client.post(
        f"/timeline/events/{event.pk}/supersede/",
        event_data(scenario, occurred_on="2022-05-16", reason="The video is dated a day earlier"),
    )

    assert response.status_code == 302
    replacement = Event.objects.get(correction="supersedes")
    assert (replacement.corrects, replacement.occurred_on) == (event, dt.date(2022, 5, 16))
    assert "Superseded: The video is dated a day earlier" in client.get(person.get_absolute_url()).text


def test_a_bulk_event_with_an_unknown_line_writes_nothing(client, scenario):
    first = scenario.person(service_number="AB1")
    client.force_login(scenario.by)

    response = client.post("/timeline/bulk/", {
        **event_data(scenario, kind="evacuated"), "label": "Evacuated to Olenivka",
        "persons": f"{first.pk}\n\nNO-SUCH-NUMBER\n",
    })

    assert response.status_code == 200
    assert response.context["form"].errors["persons"] == ["Line 3 (NO-SUCH-NUMBER): no such person."]
    assert not Event.objects.exists()
    assert not BulkEvent.objects.exists()


def test_a_bulk_event_reports_each_invalid_row_by_line(client, scenario):
    ok = scenario.person(service_number="AB1")
    too_young = scenario.person("Молодий", birth_year=2023)
    client.force_login(scenario.by)

    response = client.post("/timeline/bulk/", {
        **event_data(scenario, kind="evacuated"), "label": "Evacuated",
        "persons": f"AB1\n\n#{too_young.pk}",
    })

    assert response.status_code == 200
    [error] = response.context["form"].errors["persons"]
    assert error.startswith(f"line 3 (Молодий Дмитро, #{too_young.pk}): occurred_on:")
    assert not Event.objects.filter(person=ok).exists()


def test_a_bulk_event_records_for_everyone(client, scenario):
    first, second = scenario.person(service_number="AB1"), scenario.person("Шевченко")
    client.force_login(scenario.by)

    response = client.post("/timeline/bulk/", {
        **event_data(scenario, kind="evacuated"), "label": "Evacuated to Olenivka",
        "persons": f"AB1\n{second.pk}\n",
    }, follow=True)

    assert response.status_code == 200
    assert "2 events recorded." in response.text
    bulk = BulkEvent.objects.get()
    assert sorted(bulk.events.values_list("person_id", flat=True)) == sorted([first.pk, second.pk])
