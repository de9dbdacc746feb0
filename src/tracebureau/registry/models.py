from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracebureau.core.base import AppendOnlyModel, ChoiceLabels, detrimental_to_disclose_field
from tracebureau.core.choices import Classification
from tracebureau.registry.choices import (
    AgencyKind,
    Category,
    MergeAction,
    Script,
    Sex,
    Side,
    Transliteration,
)


class Agency(models.Model):
    """The structure a person serves in: a branch of the armed forces, the national guard, the
    border guard, the police, or "civilian" for those who serve in none."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_uk = models.CharField(_("name in Ukrainian"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=AgencyKind.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        if self.name_uk and get_language() == "uk":
            return self.name_uk
        return self.name


class Person(ChoiceLabels):
    """Someone the bureau must account for: the identity fields of GC III art. 17 and 122 and
    GC IV art. 138. What happened to the person is not stored here: it is the timeline of
    events, and the status is derived from it."""

    family_name = models.CharField(_("family name"), max_length=120)
    given_names = models.CharField(_("given names"), max_length=120, blank=True)
    patronymic = models.CharField(
        _("patronymic"), max_length=120, blank=True, help_text=_("Derived from the father's first name.")
    )
    mother_maiden_name = models.CharField(_("mother's maiden name"), max_length=120, blank=True)
    # A date of birth is often known only to the year or the month: three nullable parts.
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    birth_month = models.PositiveSmallIntegerField(
        _("month of birth"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    birth_day = models.PositiveSmallIntegerField(
        _("day of birth"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    place_of_birth = models.CharField(_("place of birth"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    nationality = models.CharField(_("nationality"), max_length=80, blank=True)
    power_served = models.CharField(_("power served"), max_length=80, blank=True)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    side = models.CharField(_("side"), max_length=12, choices=Side.choices, default=Side.OWN)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="persons",
    )
    rank = models.CharField(_("rank"), max_length=80, blank=True)
    unit = models.CharField(_("unit"), max_length=200, blank=True)
    service_number = models.CharField(_("service number"), max_length=40, blank=True, db_index=True)
    identity_disc = models.CharField(_("identity disc"), max_length=200, blank=True)
    call_sign = models.CharField(_("call sign"), max_length=80, blank=True)
    next_of_kin = models.TextField(_("next of kin"), blank=True)
    correspondence_address = models.TextField(_("address for correspondence"), blank=True)
    distinguishing_marks = models.TextField(_("distinguishing marks"), blank=True)
    classification = models.CharField(
        _("classification"),
        max_length=30,
        choices=Classification.choices,
        default=Classification.RESTRICTED,
    )
    detrimental_to_disclose = detrimental_to_disclose_field()
    # Optimistic concurrency: every saved change increments it; see services.person_update.
    version = models.PositiveIntegerField(default=1, editable=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="absorbed",
        editable=False,
        help_text=_("Set while this record is merged into another."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["family_name", "given_names", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["birth_year", "birth_month", "birth_day"]),
            # The persons list's order, so a page of a million records is read, not sorted.
            models.Index(fields=["family_name", "given_names", "id"], name="person_list_order"),
            # Search compares numbers and call signs case-insensitively (UPPER(...) = UPPER(...)).
            models.Index(Upper("service_number"), name="person_service_number_upper"),
            models.Index(Upper("call_sign"), name="person_call_sign_upper"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="person_not_merged_into_itself"
            ),
            models.CheckConstraint(
                condition=Q(birth_month__isnull=False) | Q(birth_day__isnull=True),
                name="person_birth_day_needs_month",
            ),
            models.CheckConstraint(
                condition=Q(birth_year__isnull=False) | Q(birth_month__isnull=True),
                name="person_birth_month_needs_year",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("registry:person-detail", args=[self.pk])

    @property
    def kept_record(self) -> Person:
        """The record this one lives on in: itself, or the record it was merged into (followed
        to the end). Updates and events about a merged person go there."""
        person, seen = self, set()
        while person.merged_into_id and person.pk not in seen:
            seen.add(person.pk)
            person = Person.objects.get(pk=person.merged_into_id)
        return person

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.given_names, self.patronymic) if p)

    @property
    def birth_date_display(self) -> str:
        return birth_date_text(self.birth_year, self.birth_month, self.birth_day)


def birth_date_text(year: int | None, month: int | None, day: int | None) -> str:
    """ISO 8601 with reduced precision: 1998, 1998-03 or 1998-03-12."""
    if year is None:
        return ""
    parts = [f"{year:04d}"]
    if month:
        parts.append(f"{month:02d}")
        if day:
            parts.append(f"{day:02d}")
    return "-".join(parts)


class NameVariant(AppendOnlyModel):
    """A spelling of a person's name as some source wrote it: in Ukrainian or Russian Cyrillic,
    or in one of the Latin transliterations. Every spelling ever seen is kept, because the next
    list may use it again."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="name_variants")
    family_name = models.CharField(_("family name"), max_length=120)
    given_names = models.CharField(_("given names"), max_length=120, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=120, blank=True)
    script = models.CharField(_("script"), max_length=20, choices=Script.choices)
    transliteration = models.CharField(
        _("transliteration"), max_length=30, choices=Transliteration.choices, blank=True
    )
    source = models.ForeignKey(
        "timeline.Source",
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="name_variants",
    )
    # Case-folded, apostrophe-free text that search compares against.
    search_text = models.CharField(max_length=400, db_index=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("name variant")
        verbose_name_plural = _("name variants")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "family_name", "given_names", "patronymic", "script", "transliteration"],
                name="name_variant_unique_per_person",
            )
        ]

    def __str__(self) -> str:
        return " ".join(p for p in (self.family_name, self.given_names, self.patronymic) if p)


class PersonMerge(AppendOnlyModel):
    """One step in the history of merges: `absorb` was merged into `keep`, or that was undone.

    Merging moves nothing: the absorbed record and its timeline stay as they were, and the kept
    record shows both. Undoing a merge is one more row, so the history of decisions is complete.
    """

    keep = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    absorb = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_absorbed")
    action = models.CharField(max_length=10, choices=MergeAction.choices)
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")

    def __str__(self) -> str:
        return f"{self.absorb_id} {self.action} into {self.keep_id}"
