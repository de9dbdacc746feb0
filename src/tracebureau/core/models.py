from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tracebureau.core.base import AppendOnlyModel
from tracebureau.core.choices import Classification, Role


def validate_roles(value: object) -> None:
    if not isinstance(value, list) or any(role not in Role.values for role in value):
        raise ValidationError(
            _("Roles must be a list of: %(roles)s."), params={"roles": ", ".join(Role.values)}
        )


class User(AbstractUser):
    """A member of the bureau's staff. What they may see and do follows from their roles, their
    clearance and, for an agency liaison, their agency; core.policy turns these into rules."""

    # A short list of Role values, read on every request: JSON keeps it one column on both
    # databases, and the policy never needs to query users by role.
    roles = models.JSONField(_("roles"), default=list, blank=True, validators=[validate_roles])
    clearance = models.CharField(
        _("clearance"),
        max_length=30,
        choices=Classification.choices,
        default=Classification.OPEN,
        help_text=_("The most sensitive classification this person may read."),
    )
    agency = models.ForeignKey(
        "registry.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="liaisons",
        help_text=_("For an agency liaison: the only agency whose persons they see."),
    )

    class Meta:
        db_table = "core_user"

    def clean(self) -> None:
        super().clean()
        if Role.AGENCY_LIAISON in (self.roles or []) and self.agency_id is None:
            raise ValidationError({"agency": _("An agency liaison must belong to an agency.")})

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in self.roles or [] if role in Role.values]


class BreakGlass(AppendOnlyModel):
    """An access to one person record above the user's clearance, for a stated reason and a
    few hours. It is never withdrawn early or deleted: it expires, and the audit log keeps it."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glass")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("break-glass access")
        verbose_name_plural = _("break-glass accesses")
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.user} → #{self.person_id} until {self.expires_at:%Y-%m-%d %H:%M}"
