"""What management commands share: acting as a member of staff, and choosing where the
engines run."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser


def staff_account(username: str) -> Any:
    """The active account named by --as: commands act through the policy as this user."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"--as {username}: no active staff account of that name.")
    return user


def add_scheduler_argument(parser: CommandParser) -> None:
    """--scheduler of the engine commands (link, kinship)."""
    parser.add_argument(
        "--scheduler",
        default=settings.TRACEBUREAU_DASK_SCHEDULER,
        metavar="ADDRESS",
        help="run on a Dask cluster: tcp://host:8786, tls://host:8786, or local[:N] for N worker "
        "processes here (default: TRACEBUREAU_DASK_SCHEDULER; empty: this process)",
    )
