"""The client's address, read one way everywhere: the audit trail, the sign-in lockout
(django-axes, through AXES_CLIENT_IP_CALLABLE) and the family lookup's lockout."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def client_ip(request: Any) -> str | None:
    """REMOTE_ADDR; behind our TLS proxy (TRACEBUREAU_BEHIND_TLS_PROXY), the last address of
    X-Forwarded-For, the one the proxy appended. Earlier entries are whatever the client sent,
    and without a proxy the whole header is: neither is ever trusted."""
    if settings.TRACEBUREAU_BEHIND_TLS_PROXY:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR") or None
