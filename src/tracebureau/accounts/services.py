"""Writes of the sign-in: API tokens issued and revoked, TOTP devices enrolled and confirmed."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracebureau.accounts.models import ApiToken
from tracebureau.core.policy import Can, can, roles_of

KEY_PREFIX = "tb_"
PREFIX_LENGTH = len(KEY_PREFIX) + 6
# A token's last use is written at most this often: a busy script must not write on every call.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(
    *, user: Any, name: str, roles: Iterable[str] | None = None, lifetime: dt.timedelta | None = None
) -> tuple[ApiToken, str]:
    """A new token of `user` and its key, which is shown once and then exists nowhere.

    The token carries the roles asked for (all the user's roles when none are named), and only
    roles the user holds now: a token never widens what its holder may do.
    """
    held = roles_of(user)
    wanted = held if roles is None else frozenset(roles)
    if not wanted:
        raise ValidationError({"roles": _("Choose at least one role.")})
    if not wanted <= held:
        raise ValidationError({"roles": _("A token can carry only roles its user holds.")})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    lifetime = lifetime or dt.timedelta(days=settings.TRACEBUREAU_API_TOKEN_DAYS)
    token = ApiToken.objects.create(
        user=user, name=name.strip() or "API", prefix=key[:PREFIX_LENGTH], digest=key_digest(key),
        roles=sorted(wanted), expires_at=timezone.now() + lifetime,
    )
    return token, key


def token_revoke(*, token: ApiToken, by: Any) -> ApiToken:
    """Revoke a token: its holder, or whoever manages accounts, may. Revoking twice keeps the
    first time."""
    if token.user_id != by.pk and not can(by, Can.MANAGE_USERS):
        raise PermissionDenied(_("Only its holder or an administrator may revoke this token."))
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def token_authenticate(key: str) -> ApiToken | None:
    """The usable token of this key, its use noted; None for an unknown, revoked or expired key
    or a switched-off user, which the caller answers alike so that none can be told apart."""
    token = ApiToken.objects.select_related("user").filter(digest=key_digest(key)).first()
    if token is None or not token.is_usable:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# --- the second factor -----------------------------------------------------------------------------


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def device_enrol(*, user: Any, name: str = "default") -> TOTPDevice:
    """The device the user is setting up: the same unconfirmed one until it is confirmed, so
    that reloading the page does not invalidate the code already scanned."""
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return pending or TOTPDevice.objects.create(user=user, name=name, confirmed=False)


def device_confirm(*, device: TOTPDevice, code: str) -> bool:
    """Confirm the device with a current code from the authenticator app; False if wrong (and
    django-otp's throttling counts the failure)."""
    if not device_verify(device=device, code=code):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def device_verify(*, device: TOTPDevice, code: str) -> bool:
    allowed, _details = device.verify_is_allowed()
    return bool(allowed and device.verify_token(code.strip()))


def throttle_wait(device: TOTPDevice) -> int:
    """Seconds before django-otp accepts another code for this device (0: now)."""
    allowed, details = device.verify_is_allowed()
    if allowed or not details or "locked_until" not in details:
        return 0
    return max(1, int((details["locked_until"] - timezone.now()).total_seconds()) + 1)


# The name that marks a device as the demo's: `tracebureau totp-code` shows codes of these only.
DEMO_DEVICE_NAME = "demo"


def demo_device_create(*, user: Any) -> TOTPDevice:
    """A confirmed device for a demo account, whose secret the demo prints for a newcomer."""
    return TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, confirmed=True)


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)
