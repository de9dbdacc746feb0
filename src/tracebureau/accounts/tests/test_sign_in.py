"""Passwords, lockout, sessions, CSRF and the security headers."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import F
from django.test import Client
from rest_framework.test import APIClient

from tracebureau.accounts.tests.conftest import user_with

pytestmark = pytest.mark.django_db
TEMPLATES = Path(settings.PACKAGE_DIR) / "templates"


def _sign_in(client: Client, password: str, address: str = "127.0.0.1"):
    return client.post("/accounts/login/", {"username": "press", "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def press():
    return user_with("press", "press_officer")


def test_passwords_are_hashed_with_argon2(press):
    assert press.password.startswith("argon2$argon2id$")


def test_a_right_password_signs_in(press):
    response = _sign_in(Client(), "press-long-password-1")
    assert response.status_code == 302
    assert response.wsgi_request.user == press


def test_after_five_wrong_passwords_even_the_right_one_is_refused(press):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "wrong-password").status_code == 200
    assert _sign_in(client, "wrong-password").status_code == 429  # the fifth locks
    response = _sign_in(client, "press-long-password-1")
    assert response.status_code == 429
    assert b"Sign-in locked" in response.content
    assert b"Try again in 15 minutes, after" in response.content
    assert not response.wsgi_request.user.is_authenticated


def test_the_lockout_holds_the_name_at_that_address_only(press):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(Client(), "wrong-password", address="10.0.0.66")
    assert _sign_in(Client(), "press-long-password-1", address="10.0.0.66").status_code == 429
    assert _sign_in(Client(), "press-long-password-1", address="10.0.0.7").status_code == 302


def test_the_right_password_works_again_once_the_cool_off_has_passed(press):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(Client(), "wrong-password")
    # The failures happened longer ago than the cool-off, as if the clock had moved on.
    earlier = settings.AXES_COOLOFF_TIME + dt.timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - earlier)
    assert _sign_in(Client(), "press-long-password-1").status_code == 302
    assert not AccessAttempt.objects.exists()  # AXES_RESET_ON_SUCCESS


def test_the_token_endpoint_is_locked_out_alike(press):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/api/token/", {"username": "press", "password": "wrong"}, format="json")
        assert response.status_code == 401
    client.post("/api/token/", {"username": "press", "password": "wrong"}, format="json")
    response = client.post("/api/token/", {"username": "press", "password": "press-long-password-1"},
                           format="json")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.json()["detail"]


# ---- sessions -------------------------------------------------------------------------------------


def test_sessions_end_after_30_idle_minutes_and_with_the_browser():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert "tracebureau.accounts.middleware.SessionIdleMiddleware" in settings.MIDDLEWARE


def _expiry() -> dt.datetime:
    return Session.objects.get().expire_date


def test_a_request_moves_the_idle_expiry_once_a_minute_at_most(client, press, monkeypatch):
    from tracebureau.accounts import middleware

    now = [1_900_000_000.0]
    monkeypatch.setattr(middleware.time, "time", lambda: now[0])
    client.force_login(press)
    client.get("/press/")
    first = _expiry()

    now[0] += 59  # within the minute: the session row is not written again
    Session.objects.update(expire_date=first - dt.timedelta(minutes=5))
    client.get("/press/")
    assert _expiry() == first - dt.timedelta(minutes=5)

    now[0] += 2  # a minute on: written, and the expiry is SESSION_COOKIE_AGE from now again
    client.get("/press/")
    assert _expiry() > first - dt.timedelta(seconds=1)


def test_a_stale_session_cookie_gets_no_new_session(client):
    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32
    response = client.get("/releases/")
    assert response.status_code == 200
    assert not Session.objects.exists()
    assert response.cookies[settings.SESSION_COOKIE_NAME].value == ""  # Django deletes the stale one


def test_the_session_cookie_is_http_only_lax_and_has_no_expiry(press):
    response = _sign_in(Client(), "press-long-password-1")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert not cookie["expires"] and not cookie["max-age"]  # gone when the browser closes


def test_an_idle_session_is_signed_out(client, press):
    client.force_login(press)
    Session.objects.update(expire_date=F("expire_date") - dt.timedelta(minutes=31))
    response = client.get("/persons/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# ---- CSRF and headers -----------------------------------------------------------------------------


def test_a_form_posted_without_its_csrf_token_is_refused(case_officer, settings):
    settings.TRACEBUREAU_REQUIRE_TWO_FACTOR = False
    client = Client(enforce_csrf_checks=True)
    client.force_login(case_officer)
    response = client.post("/persons/new/", {"family_name": "Бондар", "category": "missing"})
    assert response.status_code == 403


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_api_documentation_needs_no_exception_to_the_policy(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == client.get("/accounts/login/")["Content-Security-Policy"]
    assert b"<style>" not in response.content and b"?script=" in response.content


def test_no_template_has_inline_scripts_or_styles():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert "<script>" not in text and "<style" not in text and " style=" not in text, template


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    env = {
        **os.environ,
        "TRACEBUREAU_DEBUG": "false",
        "TRACEBUREAU_HTTPS": "true",
        "TRACEBUREAU_HSTS_PRELOAD": "true",
        "TRACEBUREAU_SECRET_KEY": "k" * 20 + "-production-secret-" + "Zq8#" * 8,
        "TRACEBUREAU_ALLOWED_HOSTS": "bureau.example.org",
        "TRACEBUREAU_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tracebureau.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
