"""Identifying the dead: batches of repatriated remains, the post-mortem record of each body,
the DNA references given by families, the matching runs over a batch and the decisions that
turn a remains case into a confirmed identification.

Genetic profiles are kept apart from everything else (GeneticProfile) so that the policy can
give them to identification officers alone and every view of one can be audited.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracebureau.core.base import AppendOnlyModel, ResumableJob
from tracebureau.core.choices import Classification
from tracebureau.identification.choices import (
    ConsentScope,
    DecisionAction,
    DonorSex,
    Relationship,
    TaskState,
)
from tracebureau.lists.choices import JobStatus


class Repatriation(models.Model):
    """A batch of returned remains: "58 bodies brought to Kyiv", with its date, route and the
    counterpart who handed them over. `exchange_reference` is the seam to the exchanges of the
    exchange coordinator (the "50 to 50" of a body exchange)."""

    title = models.CharField(_("title"), max_length=200)
    arrived_on = models.DateField(_("arrived on"))
    route = models.CharField(_("route"), max_length=300, blank=True)
    counterpart = models.CharField(_("handed over by"), max_length=200, blank=True)
    exchange_reference = models.CharField(_("exchange"), max_length=120, blank=True)
    bodies_reported = models.PositiveIntegerField(_("bodies reported"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-arrived_on", "-id"]
        verbose_name = _("repatriation")
        verbose_name_plural = _("repatriations")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("identification:batch-detail", args=[self.pk])


class RemainsCase(models.Model):
    """One body of a batch: the post-mortem record, from where it was found to its DNA."""

    repatriation = models.ForeignKey(
        Repatriation, verbose_name=_("repatriation"), on_delete=models.PROTECT, related_name="remains"
    )
    # The mortuary's or the laboratory's case number, as on the body bag and the sample tubes.
    reference = models.CharField(_("case number"), max_length=60, unique=True)
    found_place = models.CharField(_("where found"), max_length=300, blank=True)
    found_by = models.CharField(_("found by"), max_length=200, blank=True)
    found_on = models.DateField(_("found on"), null=True, blank=True)
    tags_and_documents = models.TextField(_("tags and documents found with the body"), blank=True)
    personal_effects = models.TextField(_("personal effects"), blank=True)
    note = models.TextField(_("note"), blank=True)
    classification = models.CharField(
        _("classification"),
        max_length=30,
        choices=Classification.choices,
        default=Classification.CONFIDENTIAL,
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["repatriation", "reference"]
        verbose_name = _("remains case")
        verbose_name_plural = _("remains cases")

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("identification:remains-detail", args=[self.pk])


class CustodyEntry(AppendOnlyModel):
    """One hand-over in the chain of custody of a body or its samples."""

    remains_case = models.ForeignKey(RemainsCase, on_delete=models.PROTECT, related_name="custody")
    at = models.DateTimeField(_("when"))
    released_by = models.CharField(_("released by"), max_length=200)
    received_by = models.CharField(_("received by"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["remains_case", "at", "id"]
        verbose_name = _("custody entry")
        verbose_name_plural = _("custody entries")

    def __str__(self) -> str:
        return f"{self.remains_case}: {self.released_by} → {self.received_by}"


class ReferenceSample(models.Model):
    """A relative's DNA reference for one missing person, given with consent for that person's
    identification only. Withdrawing consent takes the sample out of every later match run; the
    record stays, as every record does."""

    person = models.ForeignKey(
        "registry.Person", verbose_name=_("missing person"), on_delete=models.PROTECT, related_name="+"
    )
    sample_code = models.CharField(_("sample code"), max_length=60, unique=True)
    donor_name = models.CharField(_("donor"), max_length=200)
    donor_sex = models.PositiveSmallIntegerField(_("donor's sex"), choices=DonorSex.choices)
    relationship = models.CharField(_("relationship"), max_length=30, choices=Relationship.choices)
    consent_scope = models.CharField(
        _("consent"),
        max_length=40,
        choices=ConsentScope.choices,
        default=ConsentScope.IDENTIFICATION_OF_THIS_PERSON,
    )
    consent_given_on = models.DateField(_("consent given on"))
    consent_withdrawn_at = models.DateTimeField(_("consent withdrawn at"), null=True, blank=True)
    consent_withdrawn_reason = models.CharField(_("why withdrawn"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "id"]
        verbose_name = _("reference sample")
        verbose_name_plural = _("reference samples")

    def __str__(self) -> str:
        return f"{self.sample_code} ({self.get_relationship_display()})"

    @property
    def usable(self) -> bool:
        return self.consent_withdrawn_at is None


class GeneticProfile(AppendOnlyModel):
    """An STR profile, of remains or of a reference sample: {marker: [allele1, allele2]}. A new
    analysis adds a profile; the latest is the one used."""

    remains_case = models.ForeignKey(
        RemainsCase, on_delete=models.PROTECT, null=True, blank=True, related_name="profiles"
    )
    reference_sample = models.ForeignKey(
        ReferenceSample, on_delete=models.PROTECT, null=True, blank=True, related_name="profiles"
    )
    markers = models.JSONField(_("markers"), default=dict)
    lab_reference = models.CharField(_("laboratory reference"), max_length=120, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("genetic profile")
        verbose_name_plural = _("genetic profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(remains_case__isnull=True) ^ Q(reference_sample__isnull=True),
                name="profile_of_remains_or_reference",
            )
        ]

    def __str__(self) -> str:
        return f"profile #{self.pk} ({len(self.markers)} markers)"


class FrequencyTable(models.Model):
    """The allele frequency database match runs use: {marker: {allele: frequency}}. The latest
    table is the current one; earlier tables stay, since runs name the table they used."""

    name = models.CharField(_("name"), max_length=200)
    frequencies = models.JSONField(_("frequencies"), default=dict)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        get_latest_by = "id"
        verbose_name = _("allele frequency table")
        verbose_name_plural = _("allele frequency tables")

    def __str__(self) -> str:
        return self.name


class MatchRun(ResumableJob):
    """One run of the kinship engine over a batch against every family with usable references:
    a background job whose row holds its state and progress."""

    task_path = "tracebureau.identification.tasks.match"

    repatriation = models.ForeignKey(Repatriation, on_delete=models.PROTECT, related_name="match_runs")
    frequency_table = models.ForeignKey(
        FrequencyTable, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0, validators=[MaxValueValidator(100)])
    stage = models.CharField(_("stage"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    remains_compared = models.PositiveIntegerField(_("remains compared"), default=0)
    families_compared = models.PositiveIntegerField(_("families compared"), default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        get_latest_by = "id"
        verbose_name = _("match run")
        verbose_name_plural = _("match runs")

    def __str__(self) -> str:
        return f"{self.repatriation} #{self.pk} ({self.status})"


class MatchOutcome(models.Model):
    """What one run found for one remains case: how many families it was compared with and how
    many of them the DNA excludes (LR 0), beside the best candidates (MatchCandidate)."""

    match_run = models.ForeignKey(MatchRun, on_delete=models.PROTECT, related_name="outcomes")
    remains_case = models.ForeignKey(RemainsCase, on_delete=models.PROTECT, related_name="outcomes")
    markers_typed = models.PositiveSmallIntegerField(_("markers typed"), default=0)
    families_compared = models.PositiveIntegerField(_("families compared"), default=0)
    families_excluded = models.PositiveIntegerField(_("families excluded"), default=0)

    class Meta:
        ordering = ["match_run", "remains_case"]
        constraints = [
            models.UniqueConstraint(
                fields=["match_run", "remains_case"], name="one_outcome_per_remains_and_run"
            )
        ]

    def __str__(self) -> str:
        return f"{self.remains_case} in run {self.match_run_id}"


class MatchCandidate(models.Model):
    """A missing person the DNA supports for a remains case, with log10 of the LR."""

    match_run = models.ForeignKey(MatchRun, on_delete=models.PROTECT, related_name="candidates")
    remains_case = models.ForeignKey(RemainsCase, on_delete=models.PROTECT, related_name="candidates")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    log10_lr = models.FloatField(_("log10 LR"))
    rank = models.PositiveSmallIntegerField(_("rank"))

    class Meta:
        ordering = ["match_run", "remains_case", "rank"]
        verbose_name = _("DNA candidate")
        verbose_name_plural = _("DNA candidates")

    def __str__(self) -> str:
        return f"{self.remains_case} ~ {self.person_id} (10^{self.log10_lr:.1f})"


class IdentificationDecision(AppendOnlyModel):
    """A step of the identification of one remains case, never changed: a preliminary
    identification from documents, a proposal to confirm by DNA, a second officer's confirmation
    or rejection of that proposal (`decides`), and the burial."""

    remains_case = models.ForeignKey(RemainsCase, on_delete=models.PROTECT, related_name="decisions")
    action = models.CharField(_("action"), max_length=20, choices=DecisionAction.choices)
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    candidate = models.ForeignKey(
        MatchCandidate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    log10_lr = models.FloatField(_("log10 LR"), null=True, blank=True)
    decides = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="decided_by"
    )
    event = models.ForeignKey(
        "timeline.Event", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    basis = models.TextField(_("basis"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("identification decision")
        verbose_name_plural = _("identification decisions")

    def __str__(self) -> str:
        return f"{self.remains_case}: {self.action}"


class NotificationTask(models.Model):
    """The family-liaison queue's task to tell a family in person that their relative has been
    identified. Never sent automatically: a liaison officer visits and records it here."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    decision = models.OneToOneField(
        IdentificationDecision, on_delete=models.PROTECT, related_name="notification_task"
    )
    state = models.CharField(_("state"), max_length=10, choices=TaskState.choices, default=TaskState.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(_("what was said, to whom"), blank=True)

    class Meta:
        ordering = ["state", "opened_at"]
        verbose_name = _("notification task")
        verbose_name_plural = _("notification tasks")

    def __str__(self) -> str:
        return f"notify the family of {self.person_id} ({self.state})"
