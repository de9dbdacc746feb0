"""Base classes shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from tracebureau.core.errors import AppendOnlyError


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only; record a correction.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} rows are never deleted.")


class AppendOnlyManager(models.Manager.from_queryset(AppendOnlyQuerySet)):  # type: ignore[misc]
    pass


class AppendOnlyModel(models.Model):
    """A row that, once written, is never changed or deleted.

    The guard here catches mistakes in our own code early with a clear message; the database
    triggers installed by the migrations (core.sql) catch everything else, raw SQL included.
    """

    objects = AppendOnlyManager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only; record a correction.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} rows are never deleted.")


def detrimental_to_disclose_field() -> models.BooleanField:
    """GC IV art. 137's flag, on a person or on one event; core.policy reads it."""
    return models.BooleanField(
        _("detrimental to disclose"),
        default=False,
        help_text=_(
            "GC IV art. 137: withheld from everything family-facing, never from the export to the "
            "ICRC Central Tracing Agency."
        ),
    )
