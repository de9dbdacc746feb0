"""The bearer scheme in the OpenAPI schema (drf-spectacular finds extensions by import)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "tracebureau.accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token from POST /api/token/ or the API tokens page: "
            "`Authorization: Bearer <key>`. It acts with at most the roles it was issued with.",
        }


class VerifiedSessionScheme(SessionScheme):
    target_class = "tracebureau.accounts.authentication.VerifiedSessionAuthentication"
