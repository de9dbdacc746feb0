"""The public status lookup page: a mother, with the reference and the code the liaison gave her,
sees her son's level and its date and nothing else; whoever tries without them learns nothing,
not even whether a reference exists."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tracebureau.audit.models import AuditEntry
from tracebureau.families import services
from tracebureau.families.models import LookupAttempt
from tracebureau.families.tests.conftest import Families

pytestmark = pytest.mark.django_db
URL = "/status/"
REFUSAL = "We cannot show a status for this reference and code. Check both, or call the hotline."
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def issued(families: Families, liaison: Any) -> tuple[Any, str]:
    inquiry = families.inquiry(liaison, sought_unit="36th Marine Brigade", last_contact_place="Azovstal")
    services.inquiry_link(inquiry=inquiry, by=liaison, person=families.son)
    services.kinship_check(inquiry=inquiry, by=liaison, document="Birth certificate")
    return inquiry, services.lookup_code_issue(inquiry=inquiry, by=liaison)


def look_up(client: Client, reference: str, code: str, **extra: Any) -> Any:
    return client.post(URL, {"reference": reference, "code": code}, **extra)


def body_of(response: Any) -> bytes:
    """The page without its CSRF token, which differs from one response to the next."""
    return TOKEN.sub(b"", response.content)


def test_it_is_public_and_never_cached(client: Client, settings: Any) -> None:
    settings.TRACEBUREAU_REQUIRE_TWO_FACTOR = True
    assert reverse("lookup:status") == URL
    response = client.get(URL)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    content = response.content.decode()
    assert 'name="reference"' in content and 'name="code"' in content and "csrfmiddlewaretoken" in content
    # The public page's own header: the language, never the staff's menu or the sign-out.
    assert 'name="language"' in content
    assert not any(staff in content for staff in ("/persons/", "/audit/", "API tokens", "Sign out"))


def test_the_right_code_shows_the_level_and_date_and_nothing_of_the_person(
    client: Client, issued: tuple[Any, str], families: Families
) -> None:
    inquiry, code = issued
    response = look_up(client, f" {inquiry.reference.lower().replace('-', ' ')} ", code)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    content = response.content.decode()
    assert "Probably in captivity, not yet confirmed by the ICRC" in content
    assert "Unchanged since 2022-05-17." in content and REFUSAL not in content
    for secret in ("Козацький", "Дмитро", "Козацька", "Brigade", "Olenivka", "Azovstal", inquiry.reference):
        assert secret not in content, secret
    entry = AuditEntry.objects.get(detail__lookup="answered")
    assert (entry.action, entry.person_id, entry.user, entry.surface, entry.ip) == (
        "view", families.son.pk, None, "web", "127.0.0.1"
    )
    assert LookupAttempt.objects.get().succeeded


def test_a_wrong_code_and_an_unknown_reference_give_the_same_page(
    client: Client, issued: tuple[Any, str]
) -> None:
    inquiry, code = issued
    wrong_code = look_up(client, inquiry.reference, "23456789")
    unknown = look_up(client, "TR-AAAA-AAAA", code)
    assert wrong_code.status_code == unknown.status_code == 200
    assert REFUSAL in wrong_code.content.decode()
    assert body_of(wrong_code) == body_of(unknown)
    assert inquiry.reference.encode() not in wrong_code.content
    refused = AuditEntry.objects.filter(detail__lookup="refused")
    assert refused.count() == 2 and {(e.action, e.object_id, e.person_id) for e in refused} == {
        ("permission_denied", "", None)
    }


def test_a_used_code_is_refused_like_a_wrong_one(client: Client, issued: tuple[Any, str]) -> None:
    inquiry, code = issued
    assert REFUSAL not in look_up(client, inquiry.reference, code).content.decode()
    used = look_up(client, inquiry.reference, code)
    assert body_of(used) == body_of(look_up(client, "TR-BBBB-BBBB", code))


def test_guessing_locks_the_page_even_for_the_right_code(
    client: Client, issued: tuple[Any, str], liaison: Any
) -> None:
    inquiry, _code = issued
    refusal = body_of(look_up(client, "TR-CCCC-CCCC", "00000000", REMOTE_ADDR="203.0.113.50"))
    for guess in ("11111111", "22222222", "33333333"):  # the limit is 3 in these tests
        assert body_of(look_up(client, inquiry.reference, guess)) == refusal
    # The family calls the hotline and gets a new code: still refused while the lockout lasts,
    # from this address and, at this reference, from any other, with the very same page.
    code = services.lookup_code_issue(inquiry=inquiry, by=liaison)
    assert body_of(look_up(client, inquiry.reference, code)) == refusal
    assert body_of(look_up(client, inquiry.reference, code, REMOTE_ADDR="198.51.100.9")) == refusal
    assert AuditEntry.objects.filter(detail__lookup="locked").count() == 1  # once a window
    assert not LookupAttempt.objects.filter(succeeded=True).exists()


def test_the_form_needs_both_fields_and_tries_nothing_without_them(client: Client) -> None:
    response = look_up(client, "", "")
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not LookupAttempt.objects.exists() and not AuditEntry.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(issued: tuple[Any, str]) -> None:
    inquiry, code = issued
    client = Client(enforce_csrf_checks=True)
    assert look_up(client, inquiry.reference, code).status_code == 403
    assert not LookupAttempt.objects.exists()
    client.get(URL)
    token = client.cookies["csrftoken"].value
    response = client.post(URL, {"reference": inquiry.reference, "code": code, "csrfmiddlewaretoken": token})
    assert "Probably in captivity" in response.content.decode()


def test_the_page_is_in_ukrainian_too(client: Client) -> None:
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="uk")
    assert '<html lang="uk">' in response.content.decode()


def test_behind_a_proxy_each_forwarded_client_is_counted_apart(
    client: Client, issued: tuple[Any, str], settings: Any
) -> None:
    settings.TRACEBUREAU_BEHIND_TLS_PROXY = True
    inquiry, code = issued
    for guess in ("11111111", "22222222", "33333333"):  # a forged first hop changes nothing
        look_up(client, "TR-DDDD-DDDD", guess, HTTP_X_FORWARDED_FOR=f"10.9.9.{guess[0]}, 203.0.113.77")
    # Another family behind the same proxy is not locked out by that guesser.
    answer = look_up(client, inquiry.reference, code, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert REFUSAL not in answer.content.decode()
    assert set(LookupAttempt.objects.values_list("ip", flat=True)) == {"203.0.113.77", "198.51.100.20"}
