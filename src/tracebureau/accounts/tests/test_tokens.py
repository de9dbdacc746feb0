"""API tokens: issued once, stored as a digest, bound to roles, revoked, expired."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tracebureau.accounts.models import ApiToken
from tracebureau.accounts.services import current_code, token_issue
from tracebureau.accounts.tests.conftest import sign_in_verified, user_with
from tracebureau.registry.models import Person

pytestmark = pytest.mark.django_db
NEW_PERSON = {"family_name": "Шевчук", "given_names": "Іван", "category": "missing"}


def bearer(key: str, keyword: str = "Bearer") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return client


@pytest.fixture
def officer_key(scenario, case_officer) -> str:
    scenario.person()
    return token_issue(user=case_officer, name="export")[1]


def test_a_token_reads_the_api_and_its_use_is_noted(officer_key):
    assert bearer(officer_key).get("/api/persons/").json()["count"] == 1
    assert ApiToken.objects.get().last_used_at is not None


def test_the_old_token_keyword_still_works(officer_key):
    assert bearer(officer_key, "Token").get("/api/persons/").status_code == 200


def test_only_a_digest_and_a_short_prefix_are_stored(officer_key):
    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(officer_key.encode()).hexdigest()
    assert officer_key.startswith(token.prefix) and len(token.prefix) < 12
    stored = " ".join(str(value) for value in ApiToken.objects.values().get().values())
    assert officer_key not in stored


@pytest.mark.parametrize("change", ["revoked", "expired", "inactive"])
def test_a_revoked_or_expired_token_or_a_switched_off_user_gets_401(officer_key, case_officer, change):
    if change == "revoked":
        ApiToken.objects.update(revoked_at=timezone.now())
    elif change == "expired":
        ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    else:
        case_officer.is_active = False
        case_officer.save()
    response = bearer(officer_key).get("/api/persons/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_token_acts_with_its_roles_only(scenario):
    both = user_with("both", "case_officer", "family_liaison")
    _token, key = token_issue(user=both, name="letters", roles=["family_liaison"])
    assert bearer(key).get("/api/persons/").status_code == 200
    assert bearer(key).post("/api/persons/", NEW_PERSON, format="json").status_code == 403
    _token, full = token_issue(user=both, name="registry")
    assert bearer(full).post("/api/persons/", NEW_PERSON, format="json").status_code == 201
    assert Person.objects.filter(family_name="Шевчук").count() == 1


def test_a_token_cannot_carry_a_role_its_user_lacks():
    user_with("desk", "press_officer")
    response = APIClient().post("/api/token/", {
        "username": "desk", "password": "desk-long-password-1", "roles": ["case_officer"],
    }, format="json")
    assert response.status_code == 400 and "roles" in response.json()


# ---- the token endpoint ---------------------------------------------------------------------------


def _ask(username: str, **more: object):
    return APIClient().post("/api/token/", {"username": username, "password": f"{username}-long-password-1",
                                             **more}, format="json")


def test_a_user_with_a_second_factor_gets_a_token_with_a_current_code():
    officer = user_with("hq", "case_officer")
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    assert _ask("hq").status_code == 401
    assert _ask("hq", otp="000000").status_code == 401
    device.throttle_reset()
    response = _ask("hq", otp=current_code(device), name="nightly", roles=["case_officer"])
    assert response.status_code == 201
    body = response.json()
    assert body["roles"] == ["case_officer"] and body["name"] == "nightly"
    assert bearer(body["key"]).get("/api/persons/").status_code == 200


def test_a_user_who_needs_a_second_factor_but_has_none_is_sent_to_the_web():
    user_with("hq", "case_officer")
    response = _ask("hq")
    assert response.status_code == 403 and "on the web first" in response.json()["detail"]


def test_a_user_without_a_second_factor_gets_a_token_with_the_password():
    user_with("desk", "press_officer")
    assert _ask("desk").status_code == 201


@pytest.mark.parametrize("how", ["delete", "post"])
def test_a_token_revokes_itself(officer_key, how):
    client = bearer(officer_key)
    response = client.delete("/api/token/") if how == "delete" else client.post("/api/token/revoke/")
    assert response.status_code == 204
    assert ApiToken.objects.get().revoked_at is not None
    assert client.get("/api/persons/").status_code == 401


def test_revoking_needs_a_token(client, case_officer):
    assert APIClient().delete("/api/token/").status_code == 401


def test_a_token_is_never_deleted(officer_key):
    with pytest.raises(PermissionDenied):
        ApiToken.objects.get().delete()


def test_the_schema_documents_the_bearer_scheme(officer_key):
    schema = bearer(officer_key).get("/api/schema/", {"format": "json"}).json()
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert schema["paths"]["/api/token/"]["post"].get("security") in (None, [{}])  # open: it signs in
    assert schema["paths"]["/api/token/"]["delete"]["security"] == [{"bearerAuth": []}]


# ---- the API tokens page --------------------------------------------------------------------------


def test_the_page_issues_a_token_with_chosen_roles_and_shows_the_key_once(client):
    both = user_with("both", "case_officer", "family_liaison")
    sign_in_verified(client, both)
    response = client.post("/accounts/tokens/", {"name": "letters", "roles": ["family_liaison"]})
    assert response.status_code == 201
    key = response.context["key"]
    assert key.encode() in response.content
    assert ApiToken.objects.get().roles == ["family_liaison"]
    listing = client.get("/accounts/tokens/")
    assert key.encode() not in listing.content and ApiToken.objects.get().prefix.encode() in listing.content


def test_the_page_offers_only_the_users_roles(client):
    sign_in_verified(client, user_with("hq", "case_officer"))
    response = client.post("/accounts/tokens/", {"name": "x", "roles": ["administrator"]})
    assert response.status_code == 200 and "roles" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_the_page_revokes_the_users_own_tokens_only(client, case_officer):
    other, _key = token_issue(user=user_with("hq", "analyst"), name="theirs")
    mine, _key = token_issue(user=case_officer, name="mine")
    sign_in_verified(client, case_officer)
    assert client.post(f"/accounts/tokens/{other.pk}/revoke/").status_code == 404
    assert client.post(f"/accounts/tokens/{mine.pk}/revoke/").status_code == 302
    assert ApiToken.objects.get(pk=mine.pk).revoked_at is not None
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None
