"""Family-facing output tells the five-level scale and its date, and nothing else: no place of
detention, no health, no unit, nothing detrimental to disclose and nothing negotiation-sensitive,
whatever the timeline holds and whichever template or language is used."""

from __future__ import annotations

from typing import Any

import pytest

from tracebureau.families import selectors, services
from tracebureau.families.messages import TEMPLATES
from tracebureau.families.tests.conftest import Families
from tracebureau.registry.models import Person

SECRETS = ("Olenivka", "Оленів", "Novoazovsk", "36th", "Brigade", "amputat", "Taganrog", "Таганрог")


def told(families: Families, liaison: Any, person: Person) -> list[str]:
    inquiry = families.inquiry(liaison)
    services.inquiry_link(inquiry=inquiry, by=liaison, person=person)
    services.kinship_check(inquiry=inquiry, by=liaison, document="Birth certificate")
    return [
        services.contact_record(
            inquiry=inquiry, by=liaison, template=t.code, channel="phone", language=lang
        ).message
        for t in TEMPLATES
        for lang in ("uk", "en")
    ]


def test_no_template_in_any_language_says_more_than_the_scale(families: Families, liaison: Any) -> None:
    s = families.scenario
    s.event(families.son, "health_report", "2022-06-01", note="Leg amputated in Olenivka", place=s.olenivka)
    s.event(families.son, "transferred", "2022-07-01", place=s.novoazovsk, note="Moved to Taganrog")
    messages = told(families, liaison, families.son)
    for message in messages:
        assert not any(secret.lower() in message.lower() for secret in SECRETS), message


def test_negotiation_sensitive_and_detrimental_events_do_not_raise_the_level(
    families: Families, liaison: Any
) -> None:
    s = families.scenario
    s.by.clearance = "negotiation_sensitive"
    s.by.save()
    s.event(
        families.son,
        "icrc_visit",
        "2022-09-10",
        source=s.icrc,
        credibility=1,
        classification="negotiation_sensitive",
    )
    s.event(families.son, "released", "2022-10-01", credibility=1, detrimental_to_disclose=True)
    status = selectors.family_status_of(person=families.son)
    assert (status.level, str(status.since)) == (3, "2022-05-17")


def test_a_person_detrimental_to_disclose_is_no_information_and_no_request_page(
    families: Families, liaison: Any, case_officer: Any
) -> None:
    secret = families.scenario.person("Таємний", "Петро", detrimental_to_disclose=True)
    families.scenario.event(secret, "captured", "2022-05-17")
    assert selectors.family_status_of(person=secret).level == 1
    inquiry = families.inquiry(liaison, sought_family_name="Таємний")
    # The liaison cannot link what the policy does not let them see.
    with pytest.raises(Exception, match="No such person"):
        services.inquiry_link(inquiry=inquiry, by=liaison, person=secret)
    # A case officer does not handle tracing requests at all.
    assert not selectors.inquiries_visible(user=case_officer).exists()


def test_the_lookup_answer_holds_the_level_and_date_only(families: Families, liaison: Any) -> None:
    inquiry = families.inquiry(liaison)
    services.inquiry_link(inquiry=inquiry, by=liaison, person=families.son)
    services.kinship_check(inquiry=inquiry, by=liaison, document="Birth certificate")
    code = services.lookup_code_issue(inquiry=inquiry, by=liaison)
    answer = services.lookup(reference=inquiry.reference, code=code, ip="192.0.2.10")
    assert answer is not None
    assert vars(answer) == {
        "level": 3,
        "wording": "Probably in captivity, not yet confirmed by the ICRC",
        "since": answer.since,
    }


def test_a_liaison_records_a_missing_report_and_no_other_event(families: Families, liaison: Any) -> None:
    import datetime as dt

    from django.http import Http404

    from tracebureau.timeline import services as timeline

    with pytest.raises(Http404):
        timeline.event_record(
            person=families.son,
            kind="released",
            by=liaison,
            occurred_on=dt.date(2022, 9, 21),
            precision="day",
            source=families.scenario.relatives,
            credibility=2,
        )
    event = timeline.missing_report_record(
        person=families.son,
        by=liaison,
        occurred_on=dt.date(2022, 4, 2),
        precision="day",
        source=families.scenario.relatives,
        credibility=3,
    )
    assert event.kind == "reported_missing"
