"""What management commands that act as a member of staff share."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def staff_account(username: str) -> Any:
    """The active account named by --as: commands act through the policy as this user."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"--as {username}: no active staff account of that name.")
    return user
