"""The demo's tracing requests, taken by the demo family liaison through the families services:
a mother told her son is in captivity and later that he is released, both parents of one
prisoner asking (one answered, one overdue), a mother asking about two sons, a wife whose
husband nobody had registered, and a one-time code for the status lookup (printed once by the
demo). Requesters are generated; no real person is named."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from tracebureau.families import services
from tracebureau.families.models import Inquiry
from tracebureau.registry.models import Person

if TYPE_CHECKING:
    from tracebureau.scenario.azovstal import Story

FAMILY_FACING = ("open", "restricted")


def _at(day: str, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(f"{day}T{hour:02d}:00"))


def _ago(hours: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


def _sought(person: Person) -> dict[str, Any]:
    return {
        "sought_family_name": person.family_name,
        "sought_given_names": person.given_names,
        "sought_patronymic": person.patronymic,
        "sought_birth_date": person.birth_date_display,
    }


def _mother_of(person: Person, given: str = "Олена") -> dict[str, Any]:
    family = person.family_name[:-1] + "а" if person.family_name.endswith("ий") else person.family_name
    return {"family_name": family, "given_names": given, "phone": "+380 00 000 00 00", "language": "uk"}


def _ask(
    liaison: Any, person: Person, relationship: str, requester: dict[str, Any], at: dt.datetime, **fields: Any
) -> Inquiry:
    return services.inquiry_create(
        by=liaison,
        requester=requester,
        relationship=relationship,
        received_at=at,
        **{**_sought(person), **fields},
    )


def _answer(liaison: Any, inquiry: Inquiry, person: Person, document: str) -> Inquiry:
    inquiry = services.inquiry_link(inquiry=inquiry, by=liaison, person=person)
    inquiry = services.kinship_check(inquiry=inquiry, by=liaison, document=document)
    services.contact_record(inquiry=inquiry, by=liaison, template="status", channel="phone")
    return inquiry


def _told(story: Story, cohort: str, released: bool) -> list[Person]:
    return [
        p
        for p in story.cohorts[cohort]
        if (p.pk in story.released) == released
        and p.classification in FAMILY_FACING
        and not p.detrimental_to_disclose
        and p.pk not in story.featured
    ]


def families(story: Story) -> None:
    liaison = get_user_model().objects.filter(username="liaison").first()
    if liaison is None:
        return
    back = _told(story, "wounded", released=True)[0]
    held = _told(story, "olenivka", released=False)[:3]
    first = _ask(
        liaison,
        back,
        "mother",
        _mother_of(back),
        _at("2022-05-20"),
        channel="hotline",
        circumstances="Wounded at Azovstal; evacuated on 16 May.",
    )
    first = _answer(liaison, first, back, "Birth certificate of the son (original seen)")
    services.consent_set(inquiry=first, by=liaison, kind="dna", given=True, note="Ready to give a sample")
    code = services.lookup_code_issue(inquiry=first, by=liaison)
    services.contact_record(inquiry=first, by=liaison, template="lookup_code", channel="sms")

    # Both parents of one prisoner: the mother answered, the father waiting beyond the limit.
    mother = _ask(liaison, held[0], "mother", _mother_of(held[0], "Галина"), _at("2022-06-02"))
    _answer(liaison, mother, held[0], "Passport and birth certificate")
    father = _ask(
        liaison,
        held[0],
        "father",
        {"family_name": held[0].family_name, "given_names": "Петро"},
        _ago(24 * 5),
        channel="in_person",
    )
    services.inquiry_link(inquiry=father, by=liaison, person=held[0])

    # One mother, two sons: the second request is hers too.
    sons = _ask(liaison, held[1], "mother", _mother_of(held[1], "Ніна"), _ago(30))
    services.inquiry_create(
        by=liaison,
        requester={},
        existing_requester=sons.requester,
        relationship="mother",
        received_at=_ago(29),
        **_sought(held[2]),
    )

    # A wife whose husband nobody had registered: he is registered as reported missing.
    wife = services.inquiry_create(
        by=liaison,
        requester={"family_name": "Гончаренко", "given_names": "Марія", "language": "uk"},
        relationship="spouse",
        received_at=_ago(3),
        sought_family_name="Гончаренко",
        sought_given_names="Віктор",
        sought_patronymic="Іванович",
        sought_birth_date="1984",
        last_contact_on=dt.date(2022, 5, 12),
        last_contact_place="Azovstal",
        circumstances="Last call on 12 May 2022; served in the steelworks' defence.",
    )
    services.inquiry_open_person(inquiry=wife, by=liaison)
    story.say(
        f"families: {Inquiry.objects.count()} tracing requests, 1 overdue; the status lookup "
        f"at /status/ answers reference {first.reference} with code {code} (once)"
    )
