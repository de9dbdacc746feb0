from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracebureau.core.base import AppendOnlyModel


class StatisticsRelease(AppendOnlyModel):
    """Totals an analyst has reviewed and released to the press office. The figures are frozen
    when released, so what was said in public can always be shown again exactly; a correction
    is a new release."""

    title = models.CharField(_("title"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    # {"total": n, "by_situation": {...}, "by_category": {...}}: small counts are already
    # suppressed (None) when stored; see reporting.selectors.suppress.
    figures = models.JSONField(_("figures"))
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-released_at", "-id"]
        verbose_name = _("statistics release")
        verbose_name_plural = _("statistics releases")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reporting:release-detail", args=[self.pk])
