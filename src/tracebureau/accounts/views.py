"""The sign-in pages after the password: enrol a TOTP device, enter its code; the API tokens
page; and what a locked-out sign-in is answered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.views import SpectacularSwaggerSplitView

from tracebureau.accounts import services
from tracebureau.accounts.forms import CodeForm, TokenCreateForm
from tracebureau.accounts.selectors import tokens_of
from tracebureau.accounts.two_factor import qr_svg, secret_text
from tracebureau.core.policy import is_staff_member


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure())
    return wanted if safe else str(settings.LOGIN_REDIRECT_URL)


def _keep_next(page: str, request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse(page)}?{urlencode({'next': _next_url(request)})}")


def _verified(request: HttpRequest, device: TOTPDevice) -> HttpResponse:
    otp_login(request, device)
    # More is open now than after the password alone: a new session key, as at sign-in.
    request.session.cycle_key()
    return redirect(_next_url(request))


def _code_accepted(form: CodeForm, device: TOTPDevice, check: Callable[..., bool]) -> bool:
    """Whether `check` accepts the form's code; if not, the form says why: a wrong code, or
    django-otp's throttling, which doubles the wait after each wrong code."""
    wait = services.throttle_wait(device)
    if not wait and check(device=device, code=form.cleaned_data["code"]):
        return True
    if wait:
        message = ngettext("Too many wrong codes. Try again in %(seconds)d second.",
                           "Too many wrong codes. Try again in %(seconds)d seconds.", wait)
        form.add_error("code", message % {"seconds": wait})
    else:
        form.add_error("code", _("That code is not right. Enter the code your app shows now."))
    return False


@never_cache
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if services.confirmed_device(request.user):
        return _keep_next("accounts:two-factor-verify", request)
    device = services.device_enrol(user=request.user)
    form = CodeForm(request.POST or None)
    if form.is_valid() and _code_accepted(form, device, services.device_confirm):
        messages.success(request, _("Two-factor sign-in is set up."))
        return _verified(request, device)
    context = {"form": form, "qr": qr_svg(device.config_url), "secret": secret_text(device),
               "next": _next_url(request)}
    return render(request, "accounts/two_factor_setup.html", context)


@never_cache
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    device = services.confirmed_device(request.user)
    if device is None:
        return _keep_next("accounts:two-factor-setup", request)
    form = CodeForm(request.POST or None)
    if form.is_valid() and _code_accepted(form, device, services.device_verify):
        return _verified(request, device)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


def _staff(request: HttpRequest) -> None:
    if not is_staff_member(request.user):
        raise PermissionDenied


@never_cache
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's API tokens, and a form for a new one whose key is shown on this answer only."""
    _staff(request)
    form = TokenCreateForm(request.POST or None, user=request.user)
    key = None
    if form.is_valid():
        try:
            _token, key = services.token_issue(
                user=request.user, name=form.cleaned_data["name"], roles=form.cleaned_data["roles"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = TokenCreateForm(user=request.user)
    context = {"form": form, "key": key, "tokens": tokens_of(user=request.user)}
    return render(request, "accounts/token_list.html", context, status=201 if key else 200)


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    token = get_object_or_404(tokens_of(user=request.user), pk=pk)
    services.token_revoke(token=token, by=request.user)
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("accounts:token-list")


def locked_out(request: HttpRequest, response: HttpResponseBase | None = None,
               credentials: dict[str, Any] | None = None) -> HttpResponse:
    """django-axes' answer to a locked-out sign-in (AXES_LOCKOUT_CALLABLE): JSON for the API,
    a page saying when to try again for a person."""
    # Each refused try restarts the cool-off (axes' default), so it ends this long from now.
    cool_off = settings.AXES_COOLOFF_TIME
    minutes = int(cool_off.total_seconds() // 60)
    status = 429
    if request.path_info.startswith("/api/"):
        detail = _("Too many failed sign-ins. Try again in %(minutes)s minutes.") % {"minutes": minutes}
        return JsonResponse({"detail": detail}, status=status, headers={"Retry-After": str(minutes * 60)})
    context = {"minutes": minutes, "until": timezone.localtime() + cool_off,
               "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "accounts/lockout.html", context, status=status)


# The split view serves Swagger UI's start-up script as a file, so the page needs no inline one.
api_docs = SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="accounts/swagger_ui.html")
