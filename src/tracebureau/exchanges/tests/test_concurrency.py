"""Two coordinators adding to one list at the same moment, on a real database server: the row
lock and the version check let one through and refuse the other with a clear message, so
neither change is lost silently (SQLite serialises writers by itself)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from tracebureau.core.errors import ConflictError
from tracebureau.exchanges import selectors, services
from tracebureau.exchanges.tests.conftest import World

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="needs PostgreSQL (set DATABASE_URL); SQLite serialises writers itself",
)


@pytest.mark.django_db(transaction=True)
def test_one_of_two_concurrent_additions_is_refused_not_lost(
    world: World, coordinator: Any, second_coordinator: Any
) -> None:
    exchange = world.exchange(coordinator)
    barrier, errors = threading.Barrier(2), []

    def add(by: Any, person: Any) -> None:
        try:
            barrier.wait()
            services.entry_add(exchange=exchange, by=by, expected_version=1, side="requested",
                               person=person, category="other", reason="Long held")
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=add, args=(coordinator, world.ours[1])),
        threading.Thread(target=add, args=(second_coordinator, world.ours[2])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [type(e) for e in errors] == [ConflictError]
    assert "changed this exchange" in str(errors[0])
    exchange.refresh_from_db()
    assert selectors.entries_of(exchange).count() == 1 and exchange.version == 2
