"""Transmissions to the ICRC Central Tracing Agency: what a batch carries, the files it is
frozen into, the two-person steps, and the log that proves what was sent."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tracebureau.conftest import Scenario
from tracebureau.core.models import User
from tracebureau.interchange import services
from tracebureau.interchange.models import TransmissionBatch
from tracebureau.timeline import services as timeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(db: Any) -> User:
    """A second case officer, who authorises what the first prepared."""
    return User.objects.create_user(
        "second.officer",
        password="a-long-test-password-9",
        roles=["case_officer"],
        clearance="negotiation_sensitive",
    )


@pytest.fixture
def officer(db: Any) -> User:
    return User.objects.create_user(
        "cta.officer",
        password="a-long-test-password-8",
        roles=["case_officer"],
        clearance="negotiation_sensitive",
    )


@pytest.fixture
def world(officer: User) -> Scenario:
    return Scenario(by=officer)


def held(world: Scenario, name: str = "Иванов", **fields: Any) -> Any:
    fields.setdefault("side", "adversary")
    fields.setdefault("agency", None)
    fields.setdefault("power_served", "Russian Federation")
    return world.person(
        name, "Иван", patronymic="Петрович", rank="рядовой", service_number="Р-123456", **fields
    )


def sent(batch: TransmissionBatch, officer: User, colleague: User) -> TransmissionBatch:
    services.batch_authorise(batch=batch, by=colleague)
    services.batch_send(batch=batch, by=officer, note="Secure e-mail to the ICRC delegation, Kyiv")
    return batch


def kinds(batch: TransmissionBatch) -> list[tuple[str, str | None]]:
    return [(i["kind"], (i["event"] or {}).get("kind")) for i in batch.content["items"]]


def test_a_first_batch_carries_a_capture_card_and_every_change_and_death(world, officer):
    prisoner = held(world)
    world.event(prisoner, "captured", "2022-05-17", place=world.olenivka)
    world.event(prisoner, "wounded", "2022-05-17", note="Shrapnel wound, left arm")
    world.event(prisoner, "transferred", "2022-06-01", place=world.novoazovsk)
    dead = held(world, "Сидоров", category="deceased")
    world.event(dead, "killed", "2022-05-10", note="Gunshot wound")
    world.event(dead, "buried", "2022-05-20", note="Grave 14, row 3, marked with a numbered post")
    ours = world.person("Козак")  # our own person: nothing for the Agency from this bureau
    world.event(ours, "captured")

    batch = services.batch_prepare(by=officer)

    assert kinds(batch) == [
        ("capture_card", "captured"),
        ("change", "transferred"),
        ("death", "killed"),
        ("death", "buried"),
    ]
    card = batch.content["items"][0]
    assert card["person"]["family_name"] == "Иванов"
    assert card["card"]["health"]["note"] == "Shrapnel wound, left arm"
    assert card["card"]["present_place"]["name"] == "Novoazovsk hospital"
    death = batch.content["items"][2]
    assert death["grave"]["note"] == "Grave 14, row 3, marked with a numbered post"
    assert batch.reference.startswith("CTA-") and batch.item_count == 4


def test_the_next_batch_carries_only_what_is_new_and_corrections_of_what_went(world, officer, colleague):
    prisoner = held(world)
    capture = world.event(prisoner, "captured", "2022-05-17", place=world.olenivka)
    transfer = world.event(prisoner, "transferred", "2022-06-01", place=world.novoazovsk)
    sent(services.batch_prepare(by=officer), officer, colleague)

    with pytest.raises(ValidationError, match="Nothing to transmit"):
        services.batch_prepare(by=officer)

    timeline.event_retract(event=transfer, by=officer, reason="Transfer was of another prisoner")
    world.event(prisoner, "escaped", "2022-07-02")
    world.event(prisoner, "hospitalised", "2022-07-01", source=world.rumour)  # weak: not a fact
    second = services.batch_prepare(by=officer)

    # In the order they happened; the retraction is dated the day it was recorded.
    assert kinds(second) == [("change", "escaped"), ("change", "retraction")]
    assert second.content["items"][1]["event"]["corrects"] == transfer.pk
    assert second.previous_id is not None and capture.pk


def test_a_changed_identity_is_sent_as_a_correction(world, officer, colleague):
    from tracebureau.registry import services as registry

    prisoner = held(world)
    world.event(prisoner, "captured")
    sent(services.batch_prepare(by=officer), officer, colleague)
    prisoner.refresh_from_db()
    registry.person_update(
        person=prisoner, changes={"rank": "ефрейтор"}, expected_version=prisoner.version, by=officer
    )

    batch = services.batch_prepare(by=officer)

    assert kinds(batch) == [("identity", None)]
    assert batch.content["items"][0]["person"]["rank"] == "ефрейтор"


def test_what_is_detrimental_to_disclose_is_still_sent_to_the_agency(world, officer):
    prisoner = held(world, detrimental_to_disclose=True)
    world.event(prisoner, "captured", detrimental_to_disclose=True, classification="negotiation_sensitive")

    batch = services.batch_prepare(by=officer)

    assert batch.classification == "negotiation_sensitive"
    assert kinds(batch) == [("capture_card", "captured")]


def test_records_above_the_preparers_clearance_stop_the_batch_rather_than_vanish(
    world, officer, case_officer
):
    prisoner = held(world, classification="negotiation_sensitive")
    world.event(prisoner, "captured", classification="negotiation_sensitive")

    with pytest.raises(ValidationError, match="above your clearance"):
        services.batch_prepare(by=case_officer)  # cleared only to confidential
    assert not TransmissionBatch.objects.exists()


def test_the_files_say_the_same_thing(world, officer):
    prisoner = held(world)
    world.event(prisoner, "captured", place=world.olenivka)

    batch = services.batch_prepare(by=officer)

    data = json.loads(batch.json_text)
    assert data == batch.content
    rows = list(csv.DictReader(io.StringIO(batch.csv_text.lstrip("\ufeff"))))
    assert [(r["kind"], r["family_name"], r["event_place"]) for r in rows] == [
        ("capture_card", "Иванов", "Olenivka colony")
    ]
    assert bytes(batch.pdf).startswith(b"%PDF")
    assert batch.classification == "restricted"  # as classified as what it carries
    assert services.sha256(bytes(batch.pdf)) == batch.pdf_sha256


def test_two_people_stand_behind_each_batch(world, officer, colleague, django_user_model):
    coordinator = django_user_model.objects.create_user(
        "coordinator", password=None, roles=["exchange_coordinator"], clearance="negotiation_sensitive"
    )
    held_person = held(world)
    world.event(held_person, "captured")
    batch = services.batch_prepare(by=officer)

    with pytest.raises(ValidationError, match="Someone other"):
        services.batch_authorise(batch=batch, by=officer)
    assert services.batch_state(batch) is None
    with pytest.raises(ValidationError, match="cannot take this step"):
        services.batch_send(batch=batch, by=officer, note="e-mail")
    with pytest.raises(PermissionDenied):
        services.batch_authorise(batch=batch, by=coordinator)
    with pytest.raises(ValidationError, match="not yet sent"):
        services.batch_prepare(by=officer)
    sent(batch, officer, colleague)
    assert services.batch_state(batch) == "sent"
    with pytest.raises(ValidationError):
        services.batch_withdraw(batch=batch, by=officer, note="too late")


def test_a_withdrawn_batch_gives_its_items_back_to_the_next(world, officer):
    prisoner = held(world)
    world.event(prisoner, "captured")
    first = services.batch_prepare(by=officer)
    services.batch_withdraw(batch=first, by=officer, note="Wrong power served on the card")

    second = services.batch_prepare(by=officer)

    assert kinds(second) == kinds(first)
    assert second.previous == first


def test_the_log_is_chained_and_sealed_and_a_forgery_is_found(world, officer, colleague, settings):
    for name in ("Иванов", "Петров"):
        person = held(world, name)
        world.event(person, "captured")
        sent(services.batch_prepare(by=officer), officer, colleague)
    check = services.log_verify()
    assert check.intact and check.count == 2

    # Someone with the database but not the key rewrites the first batch and re-chains it.
    from django.db import connection

    first = TransmissionBatch.objects.order_by("id").first()
    table = "interchange_transmissionbatch"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        else:
            cursor.execute(f"DROP TRIGGER {table}_no_update")
        cursor.execute(
            f"UPDATE {table} SET csv_text = %s WHERE id = %s",
            [first.csv_text.replace("Иванов", "Ivanov"), first.pk],
        )
    problems = services.log_verify().problems
    assert any("CSV file does not match" in p for p in problems)

    settings.TRACEBUREAU_TRANSMISSION_KEY = "another key of at least thirty-two characters"
    assert any("seal" in p for p in services.log_verify().problems)


def test_a_save_that_changes_no_identity_field_sends_nothing(world, officer, colleague):
    from tracebureau.registry import services as registry

    prisoner = held(world)
    world.event(prisoner, "captured")
    sent(services.batch_prepare(by=officer), officer, colleague)
    prisoner.refresh_from_db()
    registry.person_update(
        person=prisoner,
        changes={"classification": "confidential"},
        expected_version=prisoner.version,
        by=officer,
    )

    with pytest.raises(ValidationError, match="Nothing to transmit"):
        services.batch_prepare(by=officer)


def test_a_card_sent_for_a_record_since_merged_is_not_sent_again(world, officer, colleague):
    from tracebureau.registry import services as registry

    first = held(world)
    world.event(first, "captured")
    sent(services.batch_prepare(by=officer), officer, colleague)
    kept = held(world, "Иванов", birth_year=1999)
    registry.person_merge(keep=kept, absorb=first, by=officer, reason="The same man, born 1999")

    batch = services.batch_prepare(by=officer)

    # No second capture card: the identity under the kept record goes, and says who he is now.
    assert kinds(batch) == [("identity", None)]
    assert batch.content["items"][0]["person"]["birth_date"] == "1999"


def test_officers_notes_go_only_where_they_are_the_notification(world, officer):
    prisoner = held(world)
    world.event(prisoner, "captured", note="Captured by the 3rd company; informant Petro")
    world.event(prisoner, "transferred", "2022-06-01", note="Moved by night with the battalion's convoy")
    world.event(prisoner, "health_report", "2022-06-02", note="Broken arm, in plaster")

    batch = services.batch_prepare(by=officer)

    assert "informant" not in batch.json_text and "convoy" not in batch.json_text
    assert batch.content["items"][0]["card"]["health"]["note"] == "Broken arm, in plaster"


def test_a_batch_the_actor_cannot_see_cannot_be_moved_on(world, officer, case_officer):
    prisoner = held(world, classification="negotiation_sensitive")
    world.event(prisoner, "captured", classification="negotiation_sensitive")
    batch = services.batch_prepare(by=officer)

    from django.http import Http404

    with pytest.raises(Http404):
        services.batch_authorise(batch=batch, by=case_officer)  # cleared only to confidential
    assert services.batch_state(batch) is None
