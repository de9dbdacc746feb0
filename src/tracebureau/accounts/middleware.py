"""Web pages wait for the second factor: a signed-in user who needs one and has not given it
this session is sent to enrol a device or to enter a code, whatever page they asked for. And a
session's idle expiry moves with its requests, written at most once a minute."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from tracebureau.accounts.services import confirmed_device
from tracebureau.core.policy import requires_two_factor

# The API answers for itself (authentication.VerifiedSessionAuthentication); /i18n/ switches
# the language of the very pages that ask for the code.
OPEN_PREFIXES = ("/api/", "/i18n/")


def _open_paths() -> tuple[str, ...]:
    static = "/" + settings.STATIC_URL.lstrip("/")
    pages = (reverse("login"), reverse("logout"), reverse("accounts:two-factor-setup"),
             reverse("accounts:two-factor-verify"))
    return (*OPEN_PREFIXES, static, *pages)


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        waiting = requires_two_factor(user) and not user.is_verified()  # type: ignore[union-attr]
        if waiting and not request.path_info.startswith(_open_paths()):
            return self._second_factor(request)
        return self.get_response(request)

    @staticmethod
    def _second_factor(request: HttpRequest) -> HttpResponse:
        page = "accounts:two-factor-verify" if confirmed_device(request.user) else "accounts:two-factor-setup"
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse(page)}?{query}")


# Where the session keeps when its expiry was last moved, and how often it is moved at most.
TOUCHED_KEY = "_tb_touched"
TOUCH_EVERY_SECONDS = 60


class SessionIdleMiddleware:
    """Move an existing session's expiry (SESSION_COOKIE_AGE from now) once a minute at most.

    SESSION_SAVE_EVERY_REQUEST would write the session row on every page: a write and a commit
    per read, which at an exchange's busy hour is a good share of the database's work. Written
    once a minute, a session ends between SESSION_COOKIE_AGE less a minute and SESSION_COOKIE_AGE
    after its last request. A visitor without a session (the public pages) never gets one here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        touched = session.get(TOUCHED_KEY)  # loads it: an expired or unknown key becomes None
        if session.session_key is not None:
            now = int(time.time())
            if not isinstance(touched, int) or not 0 <= now - touched < TOUCH_EVERY_SECONDS:
                session[TOUCHED_KEY] = now  # modified: SessionMiddleware saves it, expiry moved
        return self.get_response(request)
