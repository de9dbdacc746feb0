"""What crosses the bureau's borders: files imported from other systems (PFIF repositories,
registries' lists) and the batches transmitted to the ICRC Central Tracing Agency.

Everything here is append-only. An import leaves one row per file committed (a dry run leaves
none) and one row per outside record it became, so the same record imported again is found and
nothing is created twice. A transmission batch is frozen when prepared, with the very bytes that
are sent and their digests, chained to the batch before it and sealed, so that what the bureau
told the Agency can be proven years later.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracebureau.core.base import AppendOnlyModel, ResumableJob
from tracebureau.core.choices import Classification, JobStatus
from tracebureau.interchange.choices import BatchStep, ImportFormat, ItemKind


class Import(AppendOnlyModel):
    """One file imported and committed."""

    format = models.CharField(_("format"), max_length=20, choices=ImportFormat.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    # Where the records come from: a PFIF repository's domain, or a registry's name.
    system = models.CharField(_("system"), max_length=200)
    source = models.ForeignKey(
        "timeline.Source", verbose_name=_("source"), on_delete=models.PROTECT, related_name="imports"
    )
    # {"created": n, "updated": n, "matched": n, "unchanged": n, "events": n}
    summary = models.JSONField(_("summary"), default=dict)
    # Every record's outcome, as the report showed it: conflicts stay here for a case officer.
    outcomes = models.JSONField(_("outcomes"), default=list)
    # The highest classification of the records it touched: who may read the outcomes.
    classification = models.CharField(_("classification"), max_length=30, choices=Classification.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.get_format_display()} {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse("interchange:import", args=[self.pk])


class ImportJob(ResumableJob):
    """A file to import, committed by the task worker rather than in the web request: its bytes,
    what the importer chose (the mapping and the defaults of a persons' list), and the job's
    state and progress. Once done it names the Import it became; a job that failed or was
    cancelled wrote nothing else. Only who asked for it sees it: the file may name anyone."""

    task_path = "tracebureau.interchange.tasks.import_file"

    format = models.CharField(_("format"), max_length=20, choices=ImportFormat.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    # Kept in the database, so that any worker, on any machine, reads the very bytes reviewed.
    content = models.BinaryField()
    # {"mapping": {...}, "system": ..., "source": pk, "category": ..., "side": ..., "classification": ...}
    options = models.JSONField(_("options"), default=dict)
    result = models.OneToOneField(
        Import, verbose_name=_("import"), on_delete=models.PROTECT, null=True, blank=True, related_name="job"
    )
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
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.file_name} #{self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("interchange:import-job", args=[self.pk])


class ExternalRecord(AppendOnlyModel):
    """A record of another system, as we imported it, and what it became here: a person, or
    one event on a person's timeline (a PFIF note). The digest is of the record's content, so a
    record sent again unchanged is recognised, and one sent again changed is told apart."""

    system = models.CharField(_("system"), max_length=200)
    record_id = models.CharField(_("record id"), max_length=500)
    sha256 = models.CharField(max_length=64)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="external_records")
    event = models.ForeignKey(
        "timeline.Event", on_delete=models.PROTECT, null=True, blank=True, related_name="external_records"
    )
    imported_in = models.ForeignKey(Import, on_delete=models.PROTECT, related_name="records")

    class Meta:
        ordering = ["id"]
        verbose_name = _("external record")
        verbose_name_plural = _("external records")
        constraints = [
            models.UniqueConstraint(
                fields=["system", "record_id", "sha256"], name="external_record_once_per_content"
            )
        ]
        indexes = [models.Index(fields=["system", "record_id"])]

    def __str__(self) -> str:
        return f"{self.system}/{self.record_id}"


class TransmissionBatch(AppendOnlyModel):
    """What was sent to the ICRC Central Tracing Agency in one transmission: every capture card,
    notification of change and notification of death not sent before, frozen when prepared.

    The three files are kept byte for byte. `digest` chains them to the batch before
    (sha256 of the previous digest, the reference, the classification and the three files'
    digests) and `seal` is an HMAC of the digest under the bureau's transmission key. The rows
    are append-only (database triggers); someone with the database owner's rights who alters a
    batch breaks the chain at it, and one who recomputes the chain without the key breaks the
    seals. Removing the newest batch is caught only against a digest noted outside the database
    (each PDF's cover prints the one before it). `content` is the JSON file parsed, for queries;
    the pages read the file itself. Steps and items are outside the chain and are recorded in
    the audit trail, which is hash-chained too."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_batch"
    )
    content = models.JSONField(_("content"))
    # The highest classification of anything the batch carries: who may read the batch.
    classification = models.CharField(_("classification"), max_length=30, choices=Classification.choices)
    item_count = models.PositiveIntegerField(_("items"))
    json_text = models.TextField()
    csv_text = models.TextField()
    pdf = models.BinaryField()
    json_sha256 = models.CharField(max_length=64)
    csv_sha256 = models.CharField(max_length=64)
    pdf_sha256 = models.CharField(max_length=64)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    seal = models.CharField(_("seal"), max_length=64)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(_("prepared at"))

    class Meta:
        ordering = ["-id"]
        verbose_name = _("transmission batch")
        verbose_name_plural = _("transmission batches")

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("interchange:batch", args=[self.pk])


class TransmissionItem(AppendOnlyModel):
    """One capture card or notification in a batch: what was sent about whom. The next batch
    leaves out what an earlier one already carried."""

    batch = models.ForeignKey(TransmissionBatch, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey("timeline.Event", on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name = _("transmitted item")
        verbose_name_plural = _("transmitted items")


class TransmissionStep(AppendOnlyModel):
    """Authorised (by someone other than who prepared it), then sent (when, and by what
    channel), or withdrawn before it was sent. Each step happens once."""

    batch = models.ForeignKey(TransmissionBatch, on_delete=models.PROTECT, related_name="steps")
    step = models.CharField(_("step"), max_length=12, choices=BatchStep.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("transmission step")
        verbose_name_plural = _("transmission steps")
        constraints = [models.UniqueConstraint(fields=["batch", "step"], name="transmission_step_once")]
