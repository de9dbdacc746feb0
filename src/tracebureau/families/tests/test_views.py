"""The liaison's pages: a first call through to a status conveyed and logged; a bad form writes
nothing; the lookup code is shown once; the pages never show the unit or the place of capture;
a case officer has no tracing requests."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tracebureau.audit.models import AuditEntry
from tracebureau.core.models import User
from tracebureau.families import selectors
from tracebureau.families.models import FamilyContact, Inquiry, LookupCode, Requester
from tracebureau.families.tests.conftest import Families, received

pytestmark = pytest.mark.django_db

FIRST_CALL = {
    "requester_family_name": "Козацька",
    "requester_given_names": "Олена",
    "requester_phone": "+380 67 000 00 00",
    "requester_language": "uk",
    "relationship": "mother",
    "channel": "hotline",
    "sought_family_name": "Козацький",
    "sought_given_names": "Дмитро",
    "sought_birth_date": "12.03.1998",
    "sought_unit": "marines, Mariupol",
    "last_contact_on": "2022-05-10",
    "last_contact_place": "Mariupol",
    "circumstances": "Last call from the plant",
    "consent_contact": "on",
}


def web(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def act(client: Client, inquiry: Inquiry, action: str, **data: Any) -> str:
    response = client.post(inquiry.get_absolute_url(), {"action": action, **data}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_from_the_first_call_to_the_status_in_the_contact_log(families: Families, liaison: User) -> None:
    client = web(liaison)
    created = client.post("/families/new/", FIRST_CALL, follow=True)
    inquiry = Inquiry.objects.get()
    page = created.content.decode()
    assert f"Its reference, to give the family: {inquiry.reference}" in page
    assert inquiry.sought_birth_date == "1998-03-12" and inquiry.requester.phone == "+380 67 000 00 00"
    assert selectors.consents_of(inquiry) == {"contact": True, "dna": False}
    assert "This is the person" in page and f'name="person" value="{families.son.pk}"' in page

    page = act(client, inquiry, "convey", template="status", channel="phone", language="uk", preview="1")
    assert "Link the request to a registered person" in page  # previewed, refused, nothing logged
    linked = act(client, inquiry, "link", person=families.son.pk)
    assert "Linked: the request is about" in linked and 'id="family-status"' in linked
    inquiry.refresh_from_db()
    assert inquiry.person == families.son and selectors.state_of(inquiry) == "in_progress"

    refused = act(client, inquiry, "convey", template="status", channel="phone", language="en")
    assert "Check the requester&#x27;s kinship" in refused and not FamilyContact.objects.exists()
    checked = act(client, inquiry, "kinship", document="Birth certificate of the son")
    assert "Checked: Birth certificate of the son — seen by hotline.liaison" in checked

    expected = (
        f"About Козацький Дмитро (request {inquiry.reference}): Probably in captivity, not yet confirmed "
        "by the ICRC. This has not changed since May 17, 2022."
    )
    preview = act(client, inquiry, "convey", template="status", channel="phone", language="en", preview="1")
    assert expected in preview and not FamilyContact.objects.exists()
    conveyed = act(client, inquiry, "convey", template="status", channel="phone", language="en")
    contact = FamilyContact.objects.get()
    assert (contact.message, contact.level, contact.by) == (expected, 3, liaison)
    log = conveyed[conveyed.index('id="contact-log"'):]
    assert expected in log and "hotline.liaison" in log and "Phone call" in log
    assert selectors.state_of(inquiry) == "answered"
    assert AuditEntry.objects.filter(action="view", object_type="families.Inquiry").exists()


def test_a_bad_first_call_shows_each_error_on_its_field_and_writes_nothing(liaison: User) -> None:
    bad = {
        **FIRST_CALL,
        "requester_family_name": "",
        "requester_email": "not an address",
        "sought_birth_date": "31.02.1998",
        "relationship": "cousin",
    }
    page = web(liaison).post("/families/new/", bad).content.decode()
    for field in ("requester_family_name", "requester_email", "relationship", "sought_birth_date"):
        assert f'id="id_{field}_error"' in page, field
    assert "has no day 31" in page and 'value="not an address"' in page  # what was typed stays
    assert not Inquiry.objects.exists() and not Requester.objects.exists()


def test_a_refused_change_on_the_request_page_stays_on_its_form(families: Families, liaison: User) -> None:
    inquiry = families.inquiry(liaison)
    page = act(web(liaison), inquiry, "kinship", document="   ")
    assert 'id="id_kinship_document_error"' in page and inquiry.steps.count() == 1
    page = act(web(liaison), inquiry, "step", state="open", note="again")
    assert 'id="id_step_state_error"' in page and "already in that state" in page
    assert inquiry.steps.count() == 1


def test_the_same_requester_asks_about_a_second_son(families: Families, liaison: User) -> None:
    first = families.inquiry(liaison)
    client = web(liaison)
    form = client.get(f"/families/{first.pk}/another/").content.decode()
    assert "Козацька Олена" in form and "requester_family_name" not in form
    second = {k: v for k, v in FIRST_CALL.items() if not k.startswith("requester_")}
    client.post(f"/families/{first.pk}/another/", {**second, "sought_given_names": "Іван"}, follow=True)
    assert Requester.objects.count() == 1 and first.requester.inquiries.count() == 2
    page = client.get(first.get_absolute_url()).content.decode()
    assert "The requester's other requests" in page and "Козацький Іван" in page


def test_consent_is_withdrawn_from_the_page(families: Families, liaison: User) -> None:
    inquiry = families.inquiry(liaison)
    page = act(web(liaison), inquiry, "consent", kind="contact", given="0", note="Asked not to be called")
    assert "Consent recorded as withdrawn." in page
    assert selectors.consents_of(inquiry)["contact"] is False
    page = act(web(liaison), inquiry, "convey", template="kinship_documents", channel="phone", language="uk")
    assert "withdrew their consent" in page and not FamilyContact.objects.exists()


def test_the_lookup_code_is_shown_once_and_kept_nowhere(families: Families, liaison: User) -> None:
    inquiry = families.inquiry(liaison)
    client = web(liaison)
    refused = act(client, inquiry, "code")
    assert "Link the request to a registered person" in refused and not LookupCode.objects.exists()
    act(client, inquiry, "link", person=families.son.pk)
    act(client, inquiry, "kinship", document="Birth certificate")
    response = client.post(inquiry.get_absolute_url(), {"action": "code"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"  # no redirect
    page = response.content.decode()
    code = page.split('class="code-value"><strong>')[1].split("</strong>")[0]
    assert len(code) == 8 and code.isdigit()
    assert code not in LookupCode.objects.get().code_hash
    assert code not in client.get(inquiry.get_absolute_url()).content.decode()


def test_the_liaison_never_sees_the_unit_or_the_place_of_capture(families: Families, liaison: User) -> None:
    inquiry = families.inquiry(liaison, sought_unit="")
    client = web(liaison)
    pages = [client.get(inquiry.get_absolute_url()).content.decode()]  # with the candidates
    act(client, inquiry, "link", person=families.son.pk)
    act(client, inquiry, "kinship", document="Birth certificate")
    act(client, inquiry, "convey", template="status", channel="phone", language="en")
    pages += [client.get(url).content.decode() for url in (inquiry.get_absolute_url(), "/families/?all=1")]
    assert "Козацький Дмитро" in pages[1]
    for page in pages:
        for secret in ("36th Marine Brigade", "Olenivka", "Оленівська", "Yelenovka"):
            assert secret not in page


def test_the_queue_flags_the_overdue_and_groups_relatives(families: Families, liaison: User) -> None:
    old = families.inquiry(liaison, received_at=received(4))
    families.inquiry(liaison, received_at=received(1), sought_family_name="Шевчук")
    father = families.inquiry(
        liaison, relationship="father", requester={"family_name": "Козацький", "given_names": "Олександр"}
    )
    client = web(liaison)
    for inquiry in (old, father):
        act(client, inquiry, "link", person=families.son.pk)
    page = client.get("/families/").content.decode()
    assert "1 request is overdue" not in page and "One request is overdue" in page
    first_row = page[page.index('class="inquiry-row'):]
    assert first_row.index(old.reference) < first_row.index("badge-overdue") < first_row.index("Шевчук")
    assert "<strong>2</strong>" in page  # two relatives ask about the same son
    group = client.get(old.get_absolute_url()).content.decode()
    assert "Other relatives asking about the same person" in group and father.reference in group


def test_a_case_officer_has_no_tracing_requests(
    families: Families, liaison: User, case_officer: User
) -> None:
    inquiry = families.inquiry(liaison)
    client = web(case_officer)
    assert client.get("/families/").status_code == 403
    assert client.get("/families/new/").status_code == 403
    assert client.get(inquiry.get_absolute_url()).status_code == 404
    assert "Tracing requests" not in client.get("/persons/").content.decode()
    assert "Tracing requests" in web(liaison).get("/persons/").content.decode()
