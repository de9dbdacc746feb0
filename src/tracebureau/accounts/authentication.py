"""How the API knows who calls: a bearer token, or a browser session whose second factor is
verified."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.request import Request

from tracebureau.accounts.models import ApiToken
from tracebureau.accounts.services import token_authenticate
from tracebureau.core.policy import bind_token_roles, requires_two_factor

# "Token" is what DRF's authtoken used; scripts written for it keep working.
KEYWORDS = ("bearer", "token")


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>`; the token's user acts with at most the token's roles."""

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token as: Authorization: Bearer <key>."))
        token = token_authenticate(parts[1].decode("latin-1"))
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is unknown, expired or revoked."))
        bind_token_roles(token.user, token.roles)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class VerifiedSessionAuthentication(SessionAuthentication):
    """A browser session, once it has passed the second factor where the user needs one.

    TwoFactorMiddleware sends web pages to the code page; the API answers instead, and this is
    where it refuses a session that has only the password.
    """

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if requires_two_factor(user) and not user.is_verified():
            raise exceptions.NotAuthenticated(_("Enter your authenticator code on the web first."))
        return result
