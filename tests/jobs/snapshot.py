# Run by test_worker_crash.py in `tracebureau shell` with LIST_ID in its environment: the list's
# latest reconciliation and its candidates, as JSON.
import json
import os

from django_tasks_db.models import DBTaskResult

from tracebureau.audit.models import AuditEntry
from tracebureau.lists.models import Candidate, Reconciliation

list_id = int(os.environ["LIST_ID"])
job = Reconciliation.objects.filter(incoming_list_id=list_id).latest()
candidates = Candidate.objects.filter(row__incoming_list_id=list_id).select_related("row")
print(json.dumps({
    "status": job.status,
    "attempt": job.attempt,
    "progress": job.progress,
    "interrupted": job.interrupted_at is not None,
    "interruptions_audited": AuditEntry.objects.filter(
        object_type="lists.Reconciliation", object_id=str(job.pk), reason__startswith="job interrupted"
    ).count(),
    "queue": sorted(DBTaskResult.objects.values_list("status", "exception_class_path")),
    "from_other_jobs": candidates.exclude(reconciliation=job).count(),
    "candidates": sorted(
        [c.row.number, c.person_id, c.rank, round(c.probability, 9)] for c in candidates
    ),
}))
