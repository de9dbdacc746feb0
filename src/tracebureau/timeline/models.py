from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracebureau.core.base import AppendOnlyModel, detrimental_to_disclose_field
from tracebureau.core.choices import Classification
from tracebureau.timeline.choices import (
    Correction,
    Credibility,
    EventKind,
    PlaceControl,
    PlaceKind,
    Precision,
    Reliability,
    Situation,
    SourceKind,
)
from tracebureau.timeline.status import StatusEvent, is_weak


class Place(models.Model):
    """Where something happened: a settlement, a hospital, a detention facility, a morgue, a
    cemetery. Who controls it matters: a transfer into occupied territory is not a return."""

    name = models.CharField(_("name"), max_length=200)
    name_uk = models.CharField(_("name in Ukrainian"), max_length=200, blank=True)
    # Other spellings of the place in lists and news ("Yelenovka" for Olenivka).
    other_names = models.JSONField(_("other names"), default=list, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=PlaceKind.choices)
    control = models.CharField(
        _("controlled by"), max_length=20, choices=PlaceControl.choices, default=PlaceControl.UNKNOWN
    )
    region = models.CharField(_("region"), max_length=120, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    """Who told us something: an intelligence report, the adversary's list, an ICRC
    notification, a video, relatives, a returnee, the media. Graded A–F for reliability
    (Admiralty code); each event records the grade it was given when it was reported."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=SourceKind.choices)
    reliability = models.CharField(_("reliability"), max_length=1, choices=Reliability.choices)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return f"{self.name} ({self.reliability})"


class BulkEvent(AppendOnlyModel):
    """One report about many people at once ("211 evacuated to Olenivka on 2022-05-17"),
    recorded in one transaction: every person gets an event, or nobody does."""

    label = models.CharField(_("label"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("bulk event")
        verbose_name_plural = _("bulk events")

    def __str__(self) -> str:
        return self.label


# How an event's date is written at each precision (a day's date for the rest).
_DATE_SHOWN: dict[str, str] = {
    Precision.YEAR: "{:%Y}",
    Precision.MONTH: "{:%Y-%m}",
    Precision.BEFORE: "< {:%Y-%m-%d}",
    Precision.AFTER: "> {:%Y-%m-%d}",
}


class Event(AppendOnlyModel):
    """One thing that is reported to have happened to a person, with who said so, how sure it
    is and when it happened (to the precision known). Events are never changed or deleted: a
    correction is a new event that retracts or supersedes an earlier one, with a reason."""

    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    # Dates are the bureau's local calendar (TIME_ZONE); a period is stored at its start.
    occurred_on = models.DateField(_("date"))
    occurred_time = models.TimeField(_("time"), null=True, blank=True)
    precision = models.CharField(_("precision"), max_length=10, choices=Precision.choices)
    place = models.ForeignKey(
        Place,
        verbose_name=_("place"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="events"
    )
    reliability = models.CharField(_("source reliability"), max_length=1, choices=Reliability.choices)
    credibility = models.PositiveSmallIntegerField(_("credibility"), choices=Credibility.choices)
    note = models.TextField(_("note"), blank=True)
    classification = models.CharField(
        _("classification"),
        max_length=30,
        choices=Classification.choices,
        default=Classification.RESTRICTED,
    )
    detrimental_to_disclose = detrimental_to_disclose_field()
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    correction = models.CharField(
        _("correction"), max_length=12, choices=Correction.choices, blank=True, default=Correction.NONE
    )
    reason = models.TextField(_("reason for the correction"), blank=True)
    bulk = models.ForeignKey(
        BulkEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "occurred_time", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["person", "occurred_on"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(corrects__isnull=True) & Q(correction=""))
                | (Q(corrects__isnull=False) & ~Q(correction="") & ~Q(reason="")),
                name="event_correction_has_target_and_reason",
            ),
            models.CheckConstraint(
                condition=~Q(kind="retraction") | Q(correction="retracts"),
                name="event_retraction_retracts",
            ),
            models.CheckConstraint(
                condition=Q(occurred_time__isnull=True) | Q(precision="exact"),
                name="event_time_only_when_exact",
            ),
            models.CheckConstraint(
                condition=Q(credibility__gte=1) & Q(credibility__lte=6),
                name="event_credibility_1_to_6",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_display}"

    @property
    def is_weak(self) -> bool:
        return is_weak(self.as_status_event())

    @property
    def grade(self) -> str:
        """The Admiralty code as analysts write it: B2, E5."""
        return f"{self.reliability}{self.credibility}"

    @property
    def occurred_display(self) -> str:
        day = self.occurred_on
        text = _DATE_SHOWN.get(self.precision, "{:%Y-%m-%d}").format(day)
        if self.occurred_time is not None:
            text += f" {self.occurred_time:%H:%M}"
        return text

    def as_status_event(self) -> StatusEvent:
        return StatusEvent(
            id=self.pk,
            kind=self.kind,
            occurred_on=self.occurred_on,
            occurred_time=self.occurred_time,
            precision=self.precision,
            reliability=self.reliability,
            credibility=self.credibility,
            source_is_icrc=self.source.kind == "icrc",
            place_id=self.place_id,
            corrects_id=self.corrects_id,
        )


class PersonStatus(models.Model):
    """The status a record's whole timeline derives (records merged into it folded in), kept
    so that statistics and filters over a national registry need not derive a million
    timelines on every request. Derived, never a source of truth: timeline.materialised keeps
    it in step in the transaction of every write that changes a timeline, and rebuilds it
    from the events at any time (`tracebureau status rebuild`). It is overwritten, unlike
    the append-only records it is derived from.

    A reader may use the row only when they see every event it was derived from: the
    ceiling, detrimental and other-agency fields say what that takes (see core.policy)."""

    person = models.OneToOneField(
        "registry.Person", on_delete=models.PROTECT, primary_key=True, related_name="kept_status"
    )
    situation = models.CharField(_("situation"), max_length=30, choices=Situation.choices)
    family_level = models.PositiveSmallIntegerField(_("family-scale level"))
    since = models.DateField(_("since"), null=True, blank=True)
    last_sign_of_life_on = models.DateField(_("last sign of life"), null=True, blank=True)
    events = models.PositiveIntegerField(_("events"), default=0)
    # The most classified event or folded-in record it was derived from.
    ceiling = models.CharField(max_length=30, choices=Classification.choices)
    detrimental = models.BooleanField(default=False)
    # A folded-in record of another agency: only readers of every agency see all of it.
    other_agency = models.BooleanField(default=False)
    derived_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("derived status")
        verbose_name_plural = _("derived statuses")
        indexes = [models.Index(fields=["situation"])]

    def __str__(self) -> str:
        return f"#{self.person_id}: {self.situation}"
