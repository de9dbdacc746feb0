"""The reconciliation job: match a list's undecided rows against the registry with the linkage
engine, and store each row's best candidates. Run by the task worker (tasks.reconcile).

Safe to run again, after a crash or on request: it replaces the candidates of the rows nobody
has decided yet, and never touches decisions or the candidates they were made on. It writes
them in one transaction with its DONE status, so a worker killed at any moment leaves all of
them or none, and the next attempt (core.jobs) finds the same ones again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import nullcontext
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from tracebureau.audit.services import audit_bulk_created
from tracebureau.core.jobs import Reporter, job_hold, run_job
from tracebureau.core.policy import masked_fields
from tracebureau.lists.choices import JobStatus
from tracebureau.lists.models import Candidate, IncomingList, ListRow, Reconciliation
from tracebureau.lists.selectors import decided_row_ids
from tracebureau.registry.models import Person, birth_date_text
from tracebureau.registry.selectors import persons_visible

TOP_CANDIDATES = 3
# Candidates put before the analyst go lower than the CLI's 0.5: in a link, a list row's
# candidates share its probability (two namesakes that fit equally well get under one half
# each), and the analyst must see both of them rather than neither.
THRESHOLD = 0.1
Match = tuple[str, str, float, list[dict[str, Any]]]
Progress = Callable[[str, float], None]


def engine_link(left: list[dict[str, str]], right: list[dict[str, str]], progress: Progress) -> list[Match]:
    """The linkage engine's matches as (row id, person id, probability, explanation). The only
    place that imports the engine, so that tests can put a predictable one in its stead."""
    from django.conf import settings

    from tracebureau.engines.linkage import Record, link

    matches = link(
        [Record(**r) for r in left],
        [Record(**r) for r in right],
        threshold=THRESHOLD,
        progress=progress,
        scheduler=settings.TRACEBUREAU_DASK_SCHEDULER,
    )
    return [
        (
            m.left_id,
            m.right_id,
            m.probability,
            [{"field": c.field, "level": c.level, "weight": round(c.weight, 2)} for c in m.explanation],
        )
        for m in matches
    ]


def row_record(row: ListRow) -> dict[str, str]:
    return {
        "id": str(row.pk),
        "family_name": row.family_name,
        "given_name": row.given_name,
        "patronymic": row.patronymic,
        "full_name": row.full_name,
        "birth_date": row.birth_date,
        "sex": row.sex,
        "service_number": row.service_number,
        "call_sign": row.call_sign,
    }


# What the engine compares of a registered person.
PERSON_FIELDS = ("family_name", "given_names", "patronymic", "birth_year", "birth_month", "birth_day", "sex",
                 "service_number", "call_sign")  # fmt: skip


def person_record(person: Person) -> dict[str, str]:
    """One record per person, with the registered name: the engine compares one name per
    record, and it does its own transliteration and Ukrainian/Russian equivalents."""
    return _record(person.pk, {name: getattr(person, name) for name in PERSON_FIELDS})


def _record(pk: int, values: dict[str, Any]) -> dict[str, str]:
    sex = values["sex"]
    return {
        "id": str(pk),
        "family_name": values["family_name"],
        "given_name": values["given_names"],
        "patronymic": values["patronymic"],
        "birth_date": birth_date_text(values["birth_year"], values["birth_month"], values["birth_day"]),
        "sex": sex if sex in ("male", "female") else "",
        "service_number": values["service_number"],
        "call_sign": values["call_sign"],
    }


def registry_records(user: Any) -> list[dict[str, str]]:
    """Every unmerged person the user may see, as the engine's records. Read as plain values, not
    models (a tenth of the time for a million persons); the fields withheld from the user are
    neither read nor compared."""
    persons = persons_visible(user=user).filter(merged_into__isnull=True)
    hidden = masked_fields(user, "registry.Person")
    read = [name for name in PERSON_FIELDS if name not in hidden]
    # In a transaction on PostgreSQL, so that the rows stream as they are fetched. Outside one,
    # Django declares the cursor WITH HOLD, and the server first copies the whole result into a
    # temporary file (190 MB for a million whole rows, measured) while the staff's pages wait.
    # Not on SQLite, whose transactions here take the write lock (IMMEDIATE) for their length.
    with transaction.atomic() if connection.vendor == "postgresql" else nullcontext():
        rows = persons.values("pk", *read).iterator(chunk_size=2000)
        return [_record(row["pk"], {**dict.fromkeys(hidden, ""), **row}) for row in rows]


def reconciliation_run(reconciliation_id: int) -> str:
    """Run the job; returns the status it ended in."""
    return run_job(Reconciliation, reconciliation_id, _run)


def _run(job: Reconciliation, report: Reporter) -> None:
    incoming = job.incoming_list
    report(gettext_noop("Reading the list"), 1)
    decided = decided_row_ids(incoming_list=incoming)
    rows = [row for row in ListRow.objects.filter(incoming_list=incoming) if row.pk not in decided]
    report(gettext_noop("Reading the registry"), 5)
    # The persons the one who asked for the run may see, and no others: the candidates must not
    # show anyone a person they could not look up themselves.
    right = registry_records(job.requested_by)
    matches = engine_link([row_record(r) for r in rows], right, report.engine) if rows and right else []
    report(gettext_noop("Saving the candidates"), 92)
    _store(job, incoming, matches)


@transaction.atomic
def _store(job: Reconciliation, incoming: IncomingList, matches: Iterable[Match]) -> None:
    IncomingList.objects.select_for_update().filter(pk=incoming.pk).exists()  # beside decisions
    job_hold(job)
    decided = decided_row_ids(incoming_list=incoming)  # again: analysts work while the job runs
    Candidate.objects.filter(row__incoming_list=incoming).exclude(row__in=decided).delete()
    best: dict[int, list[Match]] = {}
    for match in matches:
        best.setdefault(int(match[0]), []).append(match)
    candidates = [
        Candidate(
            row_id=row_id,
            person_id=int(m[1]),
            reconciliation=job,
            probability=m[2],
            explanation=m[3],
            rank=rank,
        )
        for row_id, found in best.items()
        if row_id not in decided
        for rank, m in enumerate(sorted(found, key=lambda m: -m[2])[:TOP_CANDIDATES], start=1)
    ]
    Candidate.objects.bulk_create(candidates)
    audit_bulk_created(candidates, user=job.requested_by)
    Reconciliation.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, progress=100, stage=gettext_noop("Done"), finished_at=timezone.now()
    )
