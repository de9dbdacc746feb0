"""The sign-in tests run with the second factor on, as production does."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracebureau.accounts.services import current_code
from tracebureau.core.models import User


@pytest.fixture(autouse=True)
def second_factor(settings: Any) -> None:
    settings.TRACEBUREAU_REQUIRE_TWO_FACTOR = True


def user_with(username: str, *roles: str, **fields: Any) -> User:
    return User.objects.create_user(
        username, password=f"{username}-long-password-1", roles=list(roles), clearance="confidential",
        **fields,
    )


def sign_in_verified(client: Client, user: User) -> TOTPDevice:
    """Sign in with the password and a code from a confirmed authenticator device."""
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = client.post("/accounts/two-factor/", {"code": current_code(device), "next": "/persons/"})
    assert response.status_code == 302, response.content
    return device
