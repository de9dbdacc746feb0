"""Writes of the interchange: preparing, authorising, sending and withdrawing transmissions to the
ICRC Central Tracing Agency, and checking the transmission log.

A batch is prepared by one officer and authorised by another before it is marked sent: two
people stand behind what the bureau tells the Agency. Only one batch is open (prepared, neither
sent nor withdrawn) at a time, so no item is ever in two batches waiting to go.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tracebureau.audit.choices import AuditAction
from tracebureau.audit.services import audit_bulk_created, audit_record
from tracebureau.core import jobs, policy
from tracebureau.core.choices import CLASSIFICATION_ORDER, FINISHED, JobStatus
from tracebureau.core.exports import csv_lines
from tracebureau.core.policy import CHANGE, VIEW, Can
from tracebureau.interchange import cards, transmissions
from tracebureau.interchange.choices import BatchStep
from tracebureau.interchange.models import ImportJob, TransmissionBatch, TransmissionItem, TransmissionStep
from tracebureau.registry.models import Person
from tracebureau.timeline.models import Event

GENESIS = "0" * 64
CSV_HEADER = (
    "item",
    "kind",
    "prisoner_number",
    "record",
    "family_name",
    "given_names",
    "fathers_name",
    "mothers_maiden_name",
    "birth_date",
    "place_of_birth",
    "sex",
    "nationality",
    "power_served",
    "category",
    "rank",
    "unit",
    "service_number",
    "identity_disc",
    "next_of_kin",
    "address_for_correspondence",
    "event_record",
    "event",
    "event_date",
    "event_place",
    "event_note",
    "corrects_event",
    "correction",
    "correction_reason",
    "present_place",
    "state_of_health",
    "grave_date",
    "grave_place",
    "grave_particulars",
)


# --- preparing ------------------------------------------------------------------------------


@transaction.atomic
def batch_prepare(*, by: Any) -> TransmissionBatch:
    """Freeze everything not yet carried into a new batch, with its PDF, CSV and JSON files,
    chained to the batch before and sealed."""
    policy.require(by, Can.TRANSMIT_CTA)
    _lock_log()
    previous = TransmissionBatch.objects.order_by("-id").first()
    if previous is not None and batch_state(previous) is None:
        raise ValidationError(
            _("%(ref)s is prepared and not yet sent: send or withdraw it first.")
            % {"ref": previous.reference}
        )
    _refuse_unseen(by)
    items = transmissions.pending_items(user=by)
    if not items:
        raise ValidationError(_("Nothing to transmit: every card and notification has been sent."))
    prepared_at = timezone.now()
    reference = _next_reference(prepared_at.year)
    content = transmissions.content_of(items, reference=reference, previous=previous, prepared_at=prepared_at)
    batch = _frozen(
        content, previous=previous, by=by, prepared_at=prepared_at, classification=_highest(items)
    )
    rows = TransmissionItem.objects.bulk_create(
        TransmissionItem(batch=batch, kind=i.kind, person=i.person, event=i.event) for i in items
    )
    audit_bulk_created(rows, user=by)
    audit_record(
        action=AuditAction.EXPORT,
        user=by,
        obj=batch,
        detail={"what": "icrc-cta-batch", "items": len(items), "digest": batch.digest},
    )
    return batch


def _lock_log() -> None:
    """One preparation at a time: two would chain to the same batch before."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('tracebureau.transmissions'))")


def _refuse_unseen(by: Any) -> None:
    """The batch must carry everything owed, and its preparer must be able to read all of it:
    a record above their clearance is neither left out nor shown to them."""
    owed = policy.transmitted_to_cta(Person.objects.all())
    records = Person.objects.filter(Q(pk__in=owed) | Q(merged_into__in=owed))
    events = Event.objects.filter(person__in=records)
    hidden = records.count() - policy.visible_to(records, by).count()
    hidden += events.count() - policy.visible_to(events, by).count()
    if hidden:
        raise ValidationError(
            _(
                "Records owed to the Agency are above your clearance: someone cleared for them "
                "must prepare this batch."
            )
        )


def _next_reference(year: int) -> str:
    count = TransmissionBatch.objects.filter(reference__startswith=f"CTA-{year}-").count()
    return f"CTA-{year}-{count + 1:04d}"


def _highest(items: list[transmissions.Pending]) -> str:
    """The batch is as classified as the most classified record it was drawn from."""
    levels = {i.person.classification for i in items}
    levels |= {e.classification for i in items for e in i.timeline.events}
    return max(levels, key=CLASSIFICATION_ORDER.index)


def _frozen(
    content: dict, *, previous: TransmissionBatch | None, by: Any, prepared_at: Any, classification: str
) -> TransmissionBatch:
    json_text = json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True)
    csv_text = "".join(csv_lines(CSV_HEADER, csv_rows(content)))
    pdf = cards.render_batch(content)
    files = Files(sha256(json_text.encode()), sha256(csv_text.encode()), sha256(pdf))
    digest = chain_digest(
        previous.digest if previous else GENESIS, content["reference"], classification, files
    )
    return TransmissionBatch.objects.create(
        reference=content["reference"],
        previous=previous,
        content=content,
        classification=classification,
        item_count=len(content["items"]),
        json_text=json_text,
        csv_text=csv_text,
        pdf=pdf,
        json_sha256=files.json,
        csv_sha256=files.csv,
        pdf_sha256=files.pdf,
        digest=digest,
        seal=seal_of(digest),
        prepared_by=by,
        prepared_at=prepared_at,
    )


def csv_rows(content: dict) -> list[list[Any]]:
    return [_csv_row(item) for item in content["items"]]


def _csv_row(item: dict) -> list[Any]:
    p, e = item["person"], item["event"] or {}
    card, grave = item.get("card") or {}, item.get("grave") or {}
    health = card.get("health") or {}
    return [
        item["item"],
        item["kind"],
        p["number"],
        p["record"],
        p["family_name"],
        p["given_names"],
        p["patronymic"],
        p["mother_maiden_name"],
        p["birth_date"],
        p["place_of_birth"],
        p["sex"],
        p["nationality"],
        p["power_served"],
        p["category"],
        p["rank"],
        p["unit"],
        p["service_number"],
        p["identity_disc"],
        p["next_of_kin"],
        p["correspondence_address"],
        e.get("record", ""),
        e.get("kind", ""),
        e.get("date", ""),
        _place_name(e.get("place")),
        e.get("note", ""),
        e.get("corrects") or "",
        e.get("correction", ""),
        e.get("reason", ""),
        _place_name(card.get("present_place")),
        " ".join(x for x in (health.get("kind", ""), health.get("date", ""), health.get("note", "")) if x),
        grave.get("date", ""),
        _place_name(grave.get("place")),
        grave.get("note", ""),
    ]


def _place_name(place: dict | None) -> str:
    return place["name"] if place else ""


# --- the log --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Files:
    json: str
    csv: str
    pdf: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chain_digest(previous_digest: str, reference: str, classification: str, files: Files) -> str:
    """What links a batch to the one before: its reference, who may read it, and its files."""
    text = "\n".join((previous_digest, reference, classification, files.json, files.csv, files.pdf))
    return sha256(text.encode())


def seal_of(digest: str) -> str:
    """An HMAC of the digest under the bureau's transmission key: a chain recomputed by someone
    without the key does not carry valid seals."""
    key = settings.TRACEBUREAU_TRANSMISSION_KEY.encode()
    return hmac.new(key, digest.encode(), hashlib.sha256).hexdigest()


@dataclass
class LogCheck:
    count: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def log_verify() -> LogCheck:
    """Walk every batch from the first: each file's digest, the chain, and the seal."""
    check = LogCheck()
    previous_digest = GENESIS
    previous_id = None
    for batch in TransmissionBatch.objects.order_by("id").iterator():
        check.count += 1
        check.problems += _batch_problems(batch, previous_digest, previous_id)
        previous_digest, previous_id = batch.digest, batch.pk
    return check


def _batch_problems(batch: TransmissionBatch, previous_digest: str, previous_id: int | None) -> list[str]:
    files = Files(sha256(batch.json_text.encode()), sha256(batch.csv_text.encode()), sha256(bytes(batch.pdf)))
    problems = []
    for name in ("json", "csv", "pdf"):
        if getattr(files, name) != getattr(batch, f"{name}_sha256"):
            problems.append(
                _("%(ref)s: the %(file)s file does not match its digest.")
                % {"ref": batch.reference, "file": name.upper()}
            )
    if batch.previous_id != previous_id:
        problems.append(
            _("%(ref)s: the batch before it is missing or out of order.") % {"ref": batch.reference}
        )
    if chain_digest(previous_digest, batch.reference, batch.classification, files) != batch.digest:
        problems.append(_("%(ref)s: the chain is broken here.") % {"ref": batch.reference})
    if not hmac.compare_digest(seal_of(batch.digest), batch.seal):
        problems.append(_("%(ref)s: the seal is not the bureau's.") % {"ref": batch.reference})
    return problems


# --- steps ----------------------------------------------------------------------------------


def batch_state(batch: TransmissionBatch) -> str | None:
    """The latest step, or None while the batch is only prepared."""
    steps = {s.step for s in batch.steps.all()}
    for step in (BatchStep.WITHDRAWN, BatchStep.SENT, BatchStep.AUTHORISED):
        if step in steps:
            return step
    return None


@transaction.atomic
def batch_authorise(*, batch: TransmissionBatch, by: Any, note: str = "") -> TransmissionStep:
    """A second officer checks the batch and authorises it to go."""
    policy.require(by, Can.TRANSMIT_CTA)
    policy.require_row(by, batch, VIEW)
    batch = _locked(batch)
    if batch.prepared_by_id == by.pk:
        raise ValidationError(_("Someone other than who prepared the batch must authorise it."))
    _require_state(batch, None)
    return _step(batch, BatchStep.AUTHORISED, by, note)


@transaction.atomic
def batch_send(*, batch: TransmissionBatch, by: Any, note: str) -> TransmissionStep:
    """Record that the authorised batch went to the Agency, and how."""
    policy.require(by, Can.TRANSMIT_CTA)
    policy.require_row(by, batch, VIEW)
    batch = _locked(batch)
    if not note.strip():
        raise ValidationError({"note": _("Say how it was sent (channel, to whom).")})
    _require_state(batch, BatchStep.AUTHORISED)
    return _step(batch, BatchStep.SENT, by, note)


@transaction.atomic
def batch_withdraw(*, batch: TransmissionBatch, by: Any, note: str) -> TransmissionStep:
    """Withdraw a batch before it is sent; what it carried goes into the next one."""
    policy.require(by, Can.TRANSMIT_CTA)
    policy.require_row(by, batch, VIEW)
    batch = _locked(batch)
    if not note.strip():
        raise ValidationError({"note": _("Give the reason for withdrawing it.")})
    if batch_state(batch) in (BatchStep.SENT, BatchStep.WITHDRAWN):
        raise ValidationError(_("A batch that was sent or withdrawn cannot be withdrawn."))
    return _step(batch, BatchStep.WITHDRAWN, by, note)


def _locked(batch: TransmissionBatch) -> TransmissionBatch:
    return TransmissionBatch.objects.select_for_update().get(pk=batch.pk)


def _require_state(batch: TransmissionBatch, expected: str | None) -> None:
    if batch_state(batch) != expected:
        raise ValidationError(
            _("%(ref)s cannot take this step now (it is %(state)s).")
            % {"ref": batch.reference, "state": batch_state(batch) or _("prepared")}
        )


def _step(batch: TransmissionBatch, step: str, by: Any, note: str) -> TransmissionStep:
    row = TransmissionStep.objects.create(batch=batch, step=step, by=by, note=note)
    audit_record(action=AuditAction.UPDATE, user=by, obj=batch, detail={"step": step, "note": note})
    return row


# --- imports run by the task worker ---------------------------------------------------------


def import_job_start(
    *, format: str, file_name: str, content: bytes, options: dict[str, Any], by: Any
) -> ImportJob:
    """Queue the import of a file (its dry run already seen) for the task worker. `options` are
    what the importer chose: a persons' list's mapping, system, source and defaults."""
    policy.require(by, Can.IMPORT_RECORDS)
    with transaction.atomic():
        job = ImportJob.objects.create(
            format=format,
            file_name=file_name[:255],
            content=content,
            options=options,
            requested_by=by,
            stage=gettext_noop("Queued"),
        )
        transaction.on_commit(lambda: jobs.job_enqueue(job))
    return job


def import_job_cancel(*, job: ImportJob, by: Any) -> ImportJob:
    """Stop a queued or running import; the worker notices at its next progress report, or at
    the latest when it comes to commit, and commits nothing."""
    policy.require_row(by, job, CHANGE)
    updated = (
        ImportJob.objects.filter(pk=job.pk)
        .exclude(status__in=FINISHED)
        .update(status=JobStatus.CANCELLED, stage=gettext_noop("Cancelled"), finished_at=timezone.now())
    )
    if not updated:
        raise ValidationError(_("This import has already finished."))
    job.refresh_from_db()
    return job


def import_job_rerun(*, job: ImportJob, by: Any) -> ImportJob:
    """Run again an import whose worker died ("Run again" on its page), as its next attempt."""
    policy.require_row(by, job, CHANGE)
    if not job.abandoned or not jobs.job_requeue(job=job):
        raise ValidationError(_("This import is not stopped: it needs no new attempt."))
    job.refresh_from_db()
    return job
