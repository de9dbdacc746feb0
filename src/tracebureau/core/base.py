"""Base classes shared by the apps."""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

from django.db import models
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from tracebureau.core.errors import AppendOnlyError


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only; record a correction.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} rows are never deleted.")


class AppendOnlyManager(models.Manager.from_queryset(AppendOnlyQuerySet)):  # type: ignore[misc]
    pass


@cache
def _labels(field: models.Field) -> dict[Any, Any]:
    """A field's choices by value, the labels left lazy (translated when shown)."""
    return dict(field.flatchoices)


class ChoiceLabels(models.Model):
    """`get_FOO_display()` in one dictionary lookup and one translation.

    Django's own builds the dictionary of all the field's choices on every call and hashes
    each lazy label on the way, translating every one: a person page of twenty events asked
    for 1,800 translations to show 200 labels, a third of its rendering time."""

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field) -> Any:
        value = getattr(self, field.attname)
        try:
            label = _labels(field).get(value, value)
        except TypeError:  # an unhashable value (a list in a JSON field): Django's way
            return super()._get_FIELD_display(field)  # type: ignore[misc]
        return force_str(label, strings_only=True)


class AppendOnlyModel(ChoiceLabels):
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


class ResumableJob(models.Model):
    """A background job that survives the death of its worker (core.jobs): which attempt at it
    this is, the worker running it ("host:pid") and when that worker last showed a sign of
    life. Its model also has `status`, `stage`, `progress`, `error`, `task_id`, `started_at`,
    `finished_at` and `requested_by`."""

    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1, editable=False)
    worker = models.CharField(_("worker"), max_length=200, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True, editable=False)
    interrupted_at = models.DateTimeField(_("interrupted at"), null=True, blank=True, editable=False)

    # The task that runs the job, by dotted path: core.jobs queues it again after a crash.
    task_path: ClassVar[str] = ""

    class Meta:
        abstract = True

    @property
    def abandoned(self) -> bool:
        """Running, but its worker is dead: nobody will finish it unless it is run again."""
        from tracebureau.core.jobs import is_abandoned

        return is_abandoned(self)


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
