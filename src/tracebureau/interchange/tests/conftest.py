from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> None:
    """An import queued for the worker runs at once, when its transaction commits."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
