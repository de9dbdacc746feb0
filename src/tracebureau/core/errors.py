"""Errors that services raise and every surface (form, API, CLI) turns into a clear message."""

from django.core.exceptions import ValidationError


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a row of an append-only history."""


class ConflictError(ValidationError):
    """Someone else changed the same fields of the same record since it was read."""


__all__ = ["AppendOnlyError", "ConflictError", "ValidationError"]
