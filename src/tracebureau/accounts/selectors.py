from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tracebureau.accounts.models import ApiToken


def tokens_of(*, user: Any) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first; nobody lists another's (administrators revoke from
    the admin site)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")
