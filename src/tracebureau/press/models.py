"""Press releases of statistics: frozen when drafted, moved on by recorded steps, never changed.

A release holds the figures exactly as drafted (true counts for the press centre, and what may
be published after disclosure control), so that what was reviewed and approved is what goes
out. Its state is the latest of its steps; a correction is a new release.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracebureau.core.base import AppendOnlyModel
from tracebureau.press.choices import CheckStage, Period, ReleaseState, TableKey


class Release(AppendOnlyModel):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    note = models.TextField(_("note"), blank=True, help_text=_("Published with the figures."))
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    min_cell = models.PositiveIntegerField(_("smallest count published"))
    rounding = models.PositiveIntegerField(_("rounded to"))
    phrase_step = models.PositiveIntegerField(_("phrased in steps of"))
    as_of = models.DateTimeField(_("figures as of"))
    # [{"table": key, "column": key, "qualifier": "more_than" | "about", "value": n}]
    headlines = models.JSONField(_("headlines"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("press release")
        verbose_name_plural = _("press releases")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("press:detail", args=[self.pk])


class ReleaseTable(AppendOnlyModel):
    """One table of a release: its true counts (for the press centre's eyes only) and what may
    be published, with the reason for every cell and total held back."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="tables")
    position = models.PositiveSmallIntegerField()
    key = models.CharField(_("table"), max_length=30, choices=TableKey.choices)
    row_dimension = models.CharField(max_length=20)
    column_dimension = models.CharField(max_length=20)
    rows = models.JSONField()  # [[key, label]]; a label is used where the dimension has no choices
    columns = models.JSONField()
    counts = models.JSONField()  # [[n]]: the true counts, never shown outside the press centre
    # {"cells": [[n | None]], "row_totals": [...], "column_totals": [...], "total": n | None},
    # rounded; None where held back.
    published = models.JSONField()
    # The same shape, with "primary", "secondary", "paired", "differencing" or "linked" for
    # what is held back and "" for what is published.
    reasons = models.JSONField()
    definition = models.TextField(_("how it is counted"))
    queries = models.JSONField(_("queries"), default=list)  # the SQL that read the records

    class Meta:
        ordering = ["release", "position"]
        constraints = [models.UniqueConstraint(fields=["release", "position"], name="press_table_position")]


class ReleaseStep(AppendOnlyModel):
    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="steps")
    state = models.CharField(_("state"), max_length=12, choices=ReleaseState.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["release", "state"], name="press_step_once")]


class DisclosureCheck(AppendOnlyModel):
    """The differencing check of a release against every release published before it: which
    releases, what it found, and (when drafting) what it held back as a result."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="checks")
    stage = models.CharField(_("stage"), max_length=12, choices=CheckStage.choices)
    against = models.JSONField(_("compared with"), default=list)  # references of releases
    # ["table key: row / column"]: figures the comparison would have singled out.
    risks = models.JSONField(_("risks found"), default=list)
    passed = models.BooleanField(_("passed"))
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
