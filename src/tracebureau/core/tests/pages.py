"""Comparing two answers as a user sees them."""

from __future__ import annotations

import re
from typing import Any

_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def as_seen(response: Any, path: str) -> tuple[int, bytes]:
    """Status and body, with what differs on every page anyway blanked: the requested path (the
    language form sends the user back to it) and the CSRF token (masked anew each time)."""
    body = _CSRF.sub(b"", response.content)
    return response.status_code, body.replace(path.encode(), b"PATH")
