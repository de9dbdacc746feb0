from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tracebureau.accounts.models import ApiToken
from tracebureau.core.policy import visible_to


def tokens_of(*, user: Any) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first; nobody lists another's (administrators revoke from
    the admin site). Each token's user comes along: whether a token is usable asks it."""
    tokens = ApiToken.objects.filter(user=user).select_related("user")
    return visible_to(tokens, user).order_by("-created_at")
