from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tracebureau.accounts.models import ApiToken
from tracebureau.core.policy import visible_to


def tokens_of(*, user: Any) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first; nobody lists another's (administrators revoke from
    the admin site)."""
    return visible_to(ApiToken.objects.filter(user=user), user).order_by("-created_at")
