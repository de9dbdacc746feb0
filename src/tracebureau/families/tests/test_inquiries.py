"""From a mother's first call to a confirmed status conveyed, and the lookup she then uses."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tracebureau.audit.models import AuditEntry
from tracebureau.families import selectors, services
from tracebureau.families.models import FamilyContact, LookupAttempt
from tracebureau.families.tests.conftest import Families, received


def test_from_the_first_call_to_a_confirmed_status_conveyed(families: Families, liaison: Any) -> None:
    inquiry = families.inquiry(
        liaison, channel="hotline", circumstances="Last call from Azovstal on 2022-05-10"
    )
    assert inquiry.reference.startswith("TR-") and selectors.state_of(inquiry) == "open"
    services.contact_record(inquiry=inquiry, by=liaison, template="received", channel="phone")

    candidates = selectors.candidates_for(user=liaison, inquiry=inquiry)
    assert candidates[0].person == families.son and candidates[0].probability > 0.9
    services.inquiry_link(inquiry=inquiry, by=liaison, person=families.son)
    assert selectors.state_of(inquiry) == "in_progress"

    with pytest.raises(ValidationError, match="Check the requester's kinship"):
        services.contact_record(inquiry=inquiry, by=liaison, template="status", channel="phone")
    services.kinship_check(inquiry=inquiry, by=liaison, document="Birth certificate of the son, seen")
    contact = services.contact_record(
        inquiry=inquiry, by=liaison, template="status", channel="phone", language="en"
    )
    # Captured, reported by intelligence: level 3, since the capture. Nothing else is said.
    assert (contact.level, str(contact.status_since)) == (3, "2022-05-17")
    assert contact.message == (
        f"About Козацький Дмитро (request {inquiry.reference}): Probably in captivity, not yet confirmed "
        "by the ICRC. This has not changed since May 17, 2022."
    )
    assert "Olenivka" not in contact.message and "Brigade" not in contact.message
    assert selectors.state_of(inquiry) == "answered"

    # The ICRC confirms: the next call conveys level 4, in Ukrainian by default.
    families.scenario.event(
        families.son,
        "icrc_visit",
        "2022-09-10",
        source=families.scenario.icrc,
        credibility=1,
        place=families.scenario.olenivka,
    )
    contact = services.contact_record(inquiry=inquiry, by=liaison, template="status", channel="phone")
    assert (contact.level, contact.language, str(contact.status_since)) == (4, "uk", "2022-09-10")
    assert FamilyContact.objects.filter(inquiry=inquiry).count() == 3


def test_the_family_is_never_told_a_death_or_anything_detrimental(families: Families, liaison: Any) -> None:
    inquiry = families.inquiry(liaison)
    services.inquiry_link(inquiry=inquiry, by=liaison, person=families.son)
    services.kinship_check(inquiry=inquiry, by=liaison, document="Passport and birth certificate")
    families.scenario.event(
        families.son,
        "icrc_visit",
        "2022-09-10",
        source=families.scenario.icrc,
        credibility=1,
        detrimental_to_disclose=True,
    )
    assert selectors.family_status_of(person=families.son).level == 3
    families.scenario.event(families.son, "killed", "2022-10-01", credibility=2)
    contact = services.contact_record(inquiry=inquiry, by=liaison, template="status", channel="phone")
    assert contact.level == 3  # a death is told in person, never on the scale


def test_several_relatives_and_several_sons_are_grouped(families: Families, liaison: Any) -> None:
    mother = families.inquiry(liaison)
    father = families.inquiry(
        liaison, relationship="father", requester={"family_name": "Козацький", "given_names": "Олександр"}
    )
    brother = families.scenario.person("Козацький", "Іван", birth_year=2001)
    second_son = services.inquiry_create(
        by=liaison,
        requester={},
        existing_requester=mother.requester,
        relationship="mother",
        sought_family_name="Козацький",
        sought_given_names="Іван",
    )
    mother, father, second_son = (
        services.inquiry_link(inquiry=inquiry, by=liaison, person=person)
        for inquiry, person in ((mother, families.son), (father, families.son), (second_son, brother))
    )
    assert selectors.group_of(user=liaison, inquiry=mother) == [father]
    assert selectors.requester_inquiries(user=liaison, inquiry=mother) == [second_son]


def test_a_new_reported_missing_person_is_opened_from_the_request(families: Families, liaison: Any) -> None:
    import datetime as dt

    inquiry = families.inquiry(
        liaison,
        sought_family_name="Мельник",
        sought_given_names="Андрій",
        sought_birth_date="1995",
        last_contact_on=dt.date(2022, 5, 10),
    )
    person = services.inquiry_open_person(inquiry=inquiry, by=liaison)
    inquiry.refresh_from_db()
    assert inquiry.person == person and person.birth_year == 1995 and person.category == "missing"
    event = person.events.get()
    assert (event.kind, str(event.occurred_on), event.source.kind) == (
        "reported_missing",
        "2022-05-10",
        "relatives",
    )


def test_overdue_requests_are_flagged_on_the_dashboard(families: Families, liaison: Any) -> None:
    old = families.inquiry(liaison, received_at=received(4))
    new = families.inquiry(liaison, received_at=received(1), sought_family_name="Шевчук")
    rows = selectors.dashboard(user=liaison)
    assert [(r.inquiry, r.overdue) for r in rows] == [(old, True), (new, False)]


def test_consent_to_contact_can_be_withdrawn(families: Families, liaison: Any) -> None:
    inquiry = families.inquiry(liaison)
    services.consent_set(inquiry=inquiry, by=liaison, kind="dna", given=True, note="Will give a sample")
    services.consent_set(
        inquiry=inquiry, by=liaison, kind="contact", given=False, note="Asked not to be called"
    )
    assert selectors.consents_of(inquiry) == {"dna": True, "contact": False}
    with pytest.raises(ValidationError, match="withdrew their consent"):
        services.contact_record(inquiry=inquiry, by=liaison, template="kinship_documents", channel="phone")


# --- the lookup ---------------------------------------------------------------------------------------


def ready(families: Families, liaison: Any) -> tuple[Any, str]:
    inquiry = families.inquiry(liaison)
    services.inquiry_link(inquiry=inquiry, by=liaison, person=families.son)
    services.kinship_check(inquiry=inquiry, by=liaison, document="Birth certificate")
    return inquiry, services.lookup_code_issue(inquiry=inquiry, by=liaison)


def test_the_lookup_shows_the_level_and_date_once_and_nothing_else(families: Families, liaison: Any) -> None:
    inquiry, code = ready(families, liaison)
    answer = services.lookup(reference=inquiry.reference.lower(), code=code, ip="192.0.2.1")
    assert answer is not None and (answer.level, str(answer.since)) == (3, "2022-05-17")
    assert set(vars(answer)) == {"level", "wording", "since"}
    assert services.lookup(reference=inquiry.reference, code=code, ip="192.0.2.1") is None  # used
    assert AuditEntry.objects.filter(detail__lookup="answered", person_id=families.son.pk).count() == 1


def test_a_wrong_code_and_an_unknown_reference_look_the_same(families: Families, liaison: Any) -> None:
    inquiry, code = ready(families, liaison)
    assert services.lookup(reference=inquiry.reference, code="00000000", ip="192.0.2.2") is None
    assert services.lookup(reference="TR-AAAA-AAAA", code=code, ip="192.0.2.3") is None
    refused = AuditEntry.objects.filter(detail__lookup="refused")
    assert refused.count() == 2 and {e.object_id for e in refused} == {""}


def test_guessing_locks_the_lookup_even_for_the_right_code(families: Families, liaison: Any) -> None:
    inquiry, code = ready(families, liaison)
    for guess in ("11111111", "22222222", "33333333"):
        assert services.lookup(reference=inquiry.reference, code=guess, ip="198.51.100.7") is None
    # Locked: from that address, and at that reference from any address.
    assert services.lookup(reference=inquiry.reference, code=code, ip="198.51.100.7") is None
    assert services.lookup(reference=inquiry.reference, code=code, ip="203.0.113.9") is None
    # The lockout is recorded once a window, however often a guesser keeps trying.
    for _ in range(5):
        assert services.lookup(reference=inquiry.reference, code="44444444", ip="198.51.100.7") is None
    assert LookupAttempt.objects.filter(succeeded=False, locked=False).count() == 3
    assert LookupAttempt.objects.filter(locked=True).count() == 1
    assert AuditEntry.objects.filter(detail__lookup="locked").count() == 1


def test_an_in_person_notification_answers_every_request_about_the_person(
    families: Families, liaison: Any
) -> None:
    mother = services.inquiry_link(inquiry=families.inquiry(liaison), by=liaison, person=families.son)
    contacts = services.in_person_notification_logged(
        person_id=families.son.pk, by=liaison, outcome="Told his mother at home, with a psychologist."
    )
    assert [(c.inquiry, c.channel, c.level) for c in contacts] == [(mother, "in_person", None)]
    assert selectors.state_of(mother) == "answered"
