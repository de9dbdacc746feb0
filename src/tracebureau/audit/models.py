from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tracebureau.audit.choices import AuditAction, Surface
from tracebureau.audit.context import USER_AGENT_LENGTH
from tracebureau.core.base import AppendOnlyModel

GENESIS = "0" * 64


class AuditEntry(AppendOnlyModel):
    """One thing someone did: a record written or read, a sign-in, a refusal.

    Entries form a hash chain: each holds the hash of the one before it (`prev_hash`) and its
    own hash over its content and that link (see audit.chain), so an entry edited, removed or
    moved afterwards shows up in `tracebureau audit verify`. `seq` numbers them 1, 2, 3 ...
    without gaps. The entry names the user in `username` too, so it reads without joins and
    after an account is renamed. `detail` holds names of fields, never their values.
    """

    seq = models.PositiveBigIntegerField(_("number"), unique=True)
    at = models.DateTimeField(_("time"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=30, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    person_id = models.BigIntegerField(_("person"), null=True, blank=True, db_index=True)
    surface = models.CharField(_("surface"), max_length=10, choices=Surface.choices)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=USER_AGENT_LENGTH, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M:%S} {self.username or '—'} {self.action}"
