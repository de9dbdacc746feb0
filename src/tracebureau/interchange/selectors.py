"""Reads of the interchange, through the policy."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from tracebureau.core import policy
from tracebureau.interchange import transmissions
from tracebureau.interchange.models import Import, ImportJob, TransmissionBatch
from tracebureau.interchange.reports import Outcome
from tracebureau.registry.models import Person


def batches_visible(*, user: Any) -> QuerySet[TransmissionBatch]:
    """The batches, each with its steps (services.batch_state reads them for every batch)."""
    batches = policy.visible_to(TransmissionBatch.objects.all(), user)
    return batches.select_related("prepared_by").prefetch_related("steps")


def import_job_get(*, user: Any, pk: int, action: str = policy.VIEW) -> ImportJob:
    """One of the user's own import jobs, or 404 (another's answers as one that does not exist)."""
    # The file itself stays in the database: the pages never show it.
    jobs = policy.visible_to(ImportJob.objects.defer("content"), user, action)
    job = jobs.select_related("result").filter(pk=pk).first()
    if job is None:
        raise Http404("No such import job.")
    return job


def imports_visible(*, user: Any) -> QuerySet[Import]:
    return policy.visible_to(Import.objects.all(), user).select_related("by", "source")


def import_outcomes(*, user: Any, done: Import) -> tuple[list[Outcome], int]:
    """The import's outcomes about records the user sees, and how many others there are."""
    ids = {o["person_id"] for o in done.outcomes if o["person_id"]}
    seen = set(policy.visible_to(Person.objects.filter(pk__in=ids), user).values_list("pk", flat=True))
    shown = [Outcome(**o) for o in done.outcomes if not o["person_id"] or o["person_id"] in seen]
    return shown, len(done.outcomes) - len(shown)


def pending_counts(*, user: Any) -> dict[str, int]:
    """How many capture cards and notifications the next batch would carry, by kind."""
    return dict(Counter(item.kind for item in transmissions.pending_items(user=user)))


def card_person(*, user: Any, pk: int) -> Person | None:
    """A person whose capture card the user may print: one of the adversary's people in our
    hands that the user sees. Anyone else is a 404, as if there were no such record."""
    persons = policy.transmitted_to_cta(policy.visible_to(Person.objects.all(), user))
    return persons.filter(pk=pk).first()
