"""Many writers appending at once still make one chain, on a real database server.

SQLite serialises writers by itself (IMMEDIATE transactions); on PostgreSQL the advisory lock
in services._append does that work, so this runs there.
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection

from tracebureau.audit import chain
from tracebureau.audit.models import AuditEntry
from tracebureau.audit.services import audit_record

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="needs PostgreSQL (set DATABASE_URL); SQLite serialises writers itself",
)

WRITERS, EACH = 8, 10


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_make_one_unbroken_chain():
    barrier, errors = threading.Barrier(WRITERS), []

    def write(number: int) -> None:
        try:
            barrier.wait()
            for attempt in range(EACH):
                audit_record(action="sign_in_failed", username=f"writer-{number}-{attempt}")
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    verdict = chain.verify(AuditEntry.objects.order_by("pk").iterator())
    assert verdict.problems == []
    assert verdict.count == WRITERS * EACH
