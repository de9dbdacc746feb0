"""Template context every page needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tracebureau.core import policy


def capabilities(request: HttpRequest) -> dict[str, Any]:
    """What the user may do, by name, so that pages offer only that: {% if 'export' in can %}."""
    return {"can": policy.capabilities(getattr(request, "user", None))}
