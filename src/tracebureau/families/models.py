"""Families: the tracing requests (inquiries) relatives make, who they are and how their
kinship was checked, what they agreed to, every contact the bureau had with them and what it
said, and the one-time codes of the family status lookup.

The person sought is described as the family knows them; the liaison links the inquiry to a
registered person (or opens a new "reported missing" one). Several inquiries about one person
are grouped by that link. Steps, consents, contacts and lookup attempts are append-only.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracebureau.core.base import AppendOnlyModel
from tracebureau.core.choices import Classification
from tracebureau.families.choices import Channel, ConsentKind, InquiryState, Language, Relationship


class Requester(models.Model):
    """A relative who asks: who they are and how to reach them."""

    family_name = models.CharField(_("family name"), max_length=120)
    given_names = models.CharField(_("given names"), max_length=120, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.UK)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_names", "id"]
        verbose_name = _("requester")
        verbose_name_plural = _("requesters")

    def __str__(self) -> str:
        return " ".join(p for p in (self.family_name, self.given_names, self.patronymic) if p)


class Inquiry(models.Model):
    """A tracing request: a relative asks what has become of someone."""

    # Given to the family for the status lookup; random, so it cannot be guessed or counted.
    reference = models.CharField(_("reference number"), max_length=20, unique=True, editable=False)
    requester = models.ForeignKey(Requester, on_delete=models.PROTECT, related_name="inquiries")
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    channel = models.CharField(
        _("received via"), max_length=12, choices=Channel.choices, default=Channel.HOTLINE
    )
    received_at = models.DateTimeField(_("received at"))
    # The person sought, as the family describes them.
    sought_family_name = models.CharField(_("family name"), max_length=120)
    sought_given_names = models.CharField(_("given names"), max_length=120, blank=True)
    sought_patronymic = models.CharField(_("patronymic"), max_length=120, blank=True)
    sought_birth_date = models.CharField(
        _("date of birth"), max_length=10, blank=True, help_text=_("1998-03-12, 1998-03 or 1998.")
    )
    sought_unit = models.CharField(_("unit, as the family knows it"), max_length=200, blank=True)
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True)
    last_contact_place = models.CharField(_("where, at the last contact"), max_length=200, blank=True)
    circumstances = models.TextField(_("circumstances"), blank=True)
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inquiries",
        verbose_name=_("person sought"),
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    linked_at = models.DateTimeField(null=True, blank=True)
    # Proof of kinship: the document seen, and who saw it.
    kinship_document = models.CharField(_("kinship document seen"), max_length=300, blank=True)
    kinship_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kinship_checked_at = models.DateTimeField(null=True, blank=True)
    classification = models.CharField(
        _("classification"), max_length=30, choices=Classification.choices, default=Classification.RESTRICTED
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")

    def __str__(self) -> str:
        return f"{self.reference}: {self.sought_name}"

    def get_absolute_url(self) -> str:
        return reverse("families:inquiry-detail", args=[self.pk])

    @property
    def sought_name(self) -> str:
        parts = (self.sought_family_name, self.sought_given_names, self.sought_patronymic)
        return " ".join(p for p in parts if p)


class InquiryStep(AppendOnlyModel):
    """The inquiry moved to `state`: when, by whom, and a note."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="steps")
    state = models.CharField(_("state"), max_length=12, choices=InquiryState.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("inquiry step")
        verbose_name_plural = _("inquiry steps")


class ConsentChange(AppendOnlyModel):
    """The requester gave or withdrew a consent. The latest change of each kind counts."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(_("consent"), max_length=10, choices=ConsentKind.choices)
    given = models.BooleanField(_("given"))
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")


class FamilyContact(AppendOnlyModel):
    """One message or call to a family: who told what, when, by which channel, and the status
    level it conveyed (None when no status was conveyed, e.g. a request for documents)."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="contacts")
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    template = models.CharField(_("template"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    level = models.PositiveSmallIntegerField(
        _("status level conveyed"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    status_since = models.DateField(_("status unchanged since"), null=True, blank=True)
    message = models.TextField(_("what was said"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("contact with the family")
        verbose_name_plural = _("contacts with the family")


class LookupCode(models.Model):
    """A one-time code for the family status lookup, delivered out of band (read out on the
    phone, sent by text). Only its hash is kept; it works once, and not after it expires."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="lookup_codes")
    code_hash = models.CharField(max_length=128)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lookup code")
        verbose_name_plural = _("lookup codes")

    def __str__(self) -> str:
        return f"lookup code of inquiry {self.inquiry_id} ({'used' if self.used_at else 'unused'})"


class LookupAttempt(AppendOnlyModel):
    """One try at the lookup page, kept to rate-limit and lock out guessing. The reference is
    kept as a keyed hash, so the table names no inquiry to whoever reads it."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    reference_hash = models.CharField(max_length=64, db_index=True)
    succeeded = models.BooleanField(default=False)
    # Refused because the address or the reference was locked out; recorded once a window, so
    # that a locked-out guesser cannot fill the tables and the audit trail.
    locked = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("lookup attempt")
        verbose_name_plural = _("lookup attempts")
