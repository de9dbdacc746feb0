"""Incoming lists, their rows, the reconciliation jobs that match them to the registry, the
candidates those jobs propose and the analysts' decisions on them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracebureau.core.base import AppendOnlyModel, ResumableJob
from tracebureau.core.choices import Classification
from tracebureau.lists.choices import DecisionAction, JobStatus
from tracebureau.timeline.choices import Credibility, EventKind

RECORD_TEXT_FIELDS = (
    "family_name",
    "given_name",
    "patronymic",
    "full_name",
    "birth_date",
    "sex",
    "service_number",
    "call_sign",
)


class IncomingList(models.Model):
    """A list of names that reached the bureau from one source ("the adversary's list of
    2022-06-10, graded C3"), kept row by row exactly as it came, matched or not. Accepting a row
    records `event_kind` on the person's timeline, dated `received_on`, with this list's source."""

    title = models.CharField(_("title"), max_length=200)
    source = models.ForeignKey(
        "timeline.Source", verbose_name=_("source"), on_delete=models.PROTECT, related_name="incoming_lists"
    )
    received_on = models.DateField(_("received on"))
    event_kind = models.CharField(
        _("what the list reports"), max_length=30, choices=EventKind.choices, default=EventKind.PROOF_OF_LIFE
    )
    credibility = models.PositiveSmallIntegerField(
        _("credibility"),
        choices=Credibility.choices,
        default=Credibility.POSSIBLY_TRUE,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    classification = models.CharField(
        _("classification"), max_length=30, choices=Classification.choices, default=Classification.RESTRICTED
    )
    file_name = models.CharField(_("file name"), max_length=255)
    headers = models.JSONField(_("columns"), default=list)
    # {record field: column header}, e.g. {"family_name": "Фамилия", "birth_date": "Дата рождения"}.
    column_mapping = models.JSONField(_("column mapping"), default=dict)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("incoming list")
        verbose_name_plural = _("incoming lists")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lists:list-detail", args=[self.pk])


class ListRow(AppendOnlyModel):
    """One line of an incoming list: its values exactly as the file had them, and the same
    values mapped onto the fields the matching engine compares."""

    incoming_list = models.ForeignKey(IncomingList, on_delete=models.PROTECT, related_name="rows")
    # The line number a spreadsheet shows: the header is line 1, the first name line 2.
    number = models.PositiveIntegerField(_("row"))
    raw = models.JSONField(_("values as received"), default=dict)
    record_id = models.CharField(_("row id"), max_length=120, blank=True)
    family_name = models.CharField(_("family name"), max_length=200, blank=True)
    given_name = models.CharField(_("given name"), max_length=200, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=200, blank=True)
    full_name = models.CharField(_("full name"), max_length=400, blank=True)
    birth_date = models.CharField(_("date of birth"), max_length=10, blank=True)
    sex = models.CharField(_("sex"), max_length=10, blank=True)
    service_number = models.CharField(_("service number"), max_length=40, blank=True)
    call_sign = models.CharField(_("call sign"), max_length=80, blank=True)

    class Meta:
        ordering = ["incoming_list", "number"]
        verbose_name = _("list row")
        verbose_name_plural = _("list rows")
        constraints = [
            models.UniqueConstraint(fields=["incoming_list", "number"], name="list_row_unique_number")
        ]

    def __str__(self) -> str:
        return self.name or f"#{self.number}"

    @property
    def name(self) -> str:
        parts = " ".join(p for p in (self.family_name, self.given_name, self.patronymic) if p)
        return parts or self.full_name


class Reconciliation(ResumableJob):
    """One run of the matching engine over a list: a background job whose row holds its state
    and progress, which the list's page shows while it runs."""

    task_path = "tracebureau.lists.tasks.reconcile"

    incoming_list = models.ForeignKey(IncomingList, on_delete=models.PROTECT, related_name="reconciliations")
    status = models.CharField(_("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0, validators=[MaxValueValidator(100)])
    stage = models.CharField(_("stage"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        get_latest_by = "id"
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")

    def __str__(self) -> str:
        return f"{self.incoming_list} #{self.pk} ({self.status})"


class Candidate(models.Model):
    """A person of the registry the engine proposes for a list row, with the probability that
    they are the same and how each field moved it. Rewritten by each run for the rows not yet
    decided; kept for the decided ones, so a decision can always be read beside its evidence."""

    row = models.ForeignKey(ListRow, on_delete=models.PROTECT, related_name="candidates")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.PROTECT, related_name="candidates")
    probability = models.FloatField(_("probability"))
    # [{"field": "family_name", "level": "exact", "weight": 7.2}, ...]: log2 Bayes factors.
    explanation = models.JSONField(_("explanation"), default=list)
    rank = models.PositiveSmallIntegerField(_("rank"))

    class Meta:
        ordering = ["row", "rank"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [models.UniqueConstraint(fields=["row", "person"], name="candidate_unique_per_row")]

    def __str__(self) -> str:
        return f"{self.row} ~ {self.person_id} ({self.probability:.2f})"

    @property
    def percent(self) -> int:
        return round(self.probability * 100)


class Decision(AppendOnlyModel):
    """What an analyst decided about a list row. Decisions are never changed: undoing one is a
    new decision (`undo`) naming it, and the latest decision not undone is the row's current one."""

    row = models.ForeignKey(ListRow, on_delete=models.PROTECT, related_name="decisions")
    action = models.CharField(_("action"), max_length=20, choices=DecisionAction.choices)
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    event = models.ForeignKey(
        "timeline.Event", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undoes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="undone_by"
    )
    probability = models.FloatField(_("probability"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.row}: {self.action}"
