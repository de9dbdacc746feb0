"""Who needs a second factor, and how the pages hold them until they give it."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tracebureau.accounts.services import current_code
from tracebureau.accounts.tests.conftest import sign_in_verified, user_with
from tracebureau.core.policy import requires_two_factor
from tracebureau.registry.models import Agency

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("roles", [("case_officer",), ("analyst",), ("exchange_coordinator",),
                                   ("identification_officer",), ("administrator",),
                                   ("family_liaison",), ("family_liaison", "case_officer")])
def test_roles_that_see_everyone_or_manage_accounts_need_a_second_factor(roles):
    assert requires_two_factor(user_with("hq", *roles))


@pytest.mark.parametrize("roles", [("press_officer",), ("auditor",), ()])
def test_roles_that_see_little_sign_in_with_the_password(roles):
    assert not requires_two_factor(user_with("desk", *roles))


def test_an_agency_liaison_signs_in_with_the_password():
    navy = Agency.objects.create(code="navy", name="Navy", kind="armed_forces")
    assert not requires_two_factor(user_with("navy", "agency_liaison", agency=navy))


def test_superusers_need_a_second_factor_and_the_switch_turns_it_off(admin_user, settings):
    assert requires_two_factor(admin_user)
    settings.TRACEBUREAU_REQUIRE_TWO_FACTOR = False
    assert not requires_two_factor(admin_user)


# ---- the pages wait for it ------------------------------------------------------------------------


def test_without_a_device_every_page_leads_to_enrolment(client, case_officer):
    client.force_login(case_officer)
    for path in ("/persons/", "/timeline/bulk/", "/accounts/tokens/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/two-factor/setup/?next=")


def test_with_a_device_every_page_leads_to_the_code(client, case_officer):
    TOTPDevice.objects.create(user=case_officer, name="phone", confirmed=True)
    client.force_login(case_officer)
    response = client.get("/persons/?q=Kozatskyi")
    assert response["Location"] == "/accounts/two-factor/?next=%2Fpersons%2F%3Fq%3DKozatskyi"


def test_sign_in_sign_out_and_static_files_stay_open(client, case_officer):
    client.force_login(case_officer)
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/static/tracebureau/app.css").status_code == 200
    assert client.post("/i18n/setlang/", {"language": "uk", "next": "/"}).status_code == 302
    assert client.post("/accounts/logout/").status_code == 302


def test_the_api_refuses_a_session_without_the_second_factor(client, case_officer):
    client.force_login(case_officer)
    response = client.get("/api/persons/")
    assert response.status_code == 401
    assert "authenticator code" in response.json()["detail"]


def test_an_agency_liaison_goes_straight_in(client):
    navy = Agency.objects.create(code="navy", name="Navy", kind="armed_forces")
    client.force_login(user_with("navy", "agency_liaison", agency=navy))
    assert client.get("/persons/").status_code == 200


# ---- enrolment ------------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_secret_and_keeps_the_same_device(client, case_officer):
    client.force_login(case_officer)
    first = client.get("/accounts/two-factor/setup/")
    again = client.get("/accounts/two-factor/setup/")
    device = TOTPDevice.objects.get(user=case_officer)
    assert not device.confirmed
    assert b"<svg" in first.content and first.context["secret"] == again.context["secret"]
    assert first.context["secret"].replace(" ", "") in device.config_url


def test_a_wrong_code_confirms_nothing(client, case_officer):
    client.force_login(case_officer)
    client.get("/accounts/two-factor/setup/")
    response = client.post("/accounts/two-factor/setup/", {"code": "000000"})
    assert response.status_code == 200
    assert "not right" in str(response.context["form"].errors["code"])
    assert not TOTPDevice.objects.get(user=case_officer).confirmed
    assert client.get("/persons/").status_code == 302


def test_a_current_code_confirms_the_device_and_opens_the_pages(client, case_officer):
    client.force_login(case_officer)
    client.get("/accounts/two-factor/setup/")
    device = TOTPDevice.objects.get(user=case_officer)
    code = current_code(device)
    response = client.post("/accounts/two-factor/setup/", {"code": code, "next": "/timeline/bulk/"})
    assert response["Location"] == "/timeline/bulk/"
    assert TOTPDevice.objects.get(user=case_officer).confirmed
    assert client.get("/persons/").status_code == 200


# ---- verification ---------------------------------------------------------------------------------


def test_a_current_code_opens_the_pages_under_a_new_session_key(client, case_officer):
    device = TOTPDevice.objects.create(user=case_officer, name="phone", confirmed=True)
    client.force_login(case_officer)
    before = client.session.session_key
    response = client.post("/accounts/two-factor/", {"code": current_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"  # never to another site: home, which opens their first page
    assert client.session.session_key != before
    assert client.get("/persons/").status_code == 200


def test_wrong_codes_are_throttled_by_django_otp(client, case_officer):
    device = TOTPDevice.objects.create(user=case_officer, name="phone", confirmed=True)
    client.force_login(case_officer)
    assert "not right" in str(client.post("/accounts/two-factor/", {"code": "000000"}).context["form"].errors)
    response = client.post("/accounts/two-factor/", {"code": current_code(device)})
    assert "Too many wrong codes" in str(response.context["form"].errors)
    assert client.get("/persons/").status_code == 302


def test_a_verified_session_uses_the_api(client, case_officer):
    sign_in_verified(client, case_officer)
    assert client.get("/api/persons/").status_code == 200
    assert APIClient().get("/api/persons/").status_code == 401
