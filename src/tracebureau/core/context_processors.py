"""What every page needs to know about the signed-in user: what their roles allow."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tracebureau.core import policy


def capabilities(request: HttpRequest) -> dict[str, Any]:
    """`can`: the names of the user's capabilities, so templates show only the links that work
    ({% if "export" in can %}). It hides nothing by itself: every view asks the policy again."""
    return {"can": policy.capabilities(getattr(request, "user", None))}
