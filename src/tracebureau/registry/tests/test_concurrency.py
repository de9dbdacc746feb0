"""Two officers saving the same person at the same moment, on a real database server.

SQLite serialises writers by itself (IMMEDIATE transactions); PostgreSQL is where row locks and
the version check must do the work, so this runs there.
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection

from tracebureau.core.errors import ConflictError
from tracebureau.registry import services
from tracebureau.registry.models import Person

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="needs PostgreSQL (set DATABASE_URL); SQLite serialises writers itself",
)


def _save_concurrently(person: Person, edits: list[tuple[object, dict[str, str]]]) -> list[Exception]:
    barrier, errors = threading.Barrier(len(edits)), []

    def save(by: object, changes: dict[str, str]) -> None:
        try:
            barrier.wait()
            services.person_update(person=person, changes=changes, expected_version=1, by=by)
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=edit) for edit in edits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_it_keeps_both_concurrent_edits_of_different_fields(case_officer, analyst):
    person = services.person_create(by=case_officer, family_name="Мельник", category="missing")
    errors = _save_concurrently(person, [(case_officer, {"rank": "Sergeant"}), (analyst, {"unit": "12th"})])
    person.refresh_from_db()
    assert errors == []
    assert (person.rank, person.unit, person.version) == ("Sergeant", "12th", 3)


@pytest.mark.django_db(transaction=True)
def test_it_refuses_the_second_of_two_concurrent_edits_of_one_field(case_officer, analyst):
    person = services.person_create(by=case_officer, family_name="Мельник", category="missing")
    errors = _save_concurrently(
        person, [(case_officer, {"rank": "Sergeant"}), (analyst, {"rank": "Captain"})]
    )
    person.refresh_from_db()
    assert [type(e) for e in errors] == [ConflictError]
    assert person.rank in {"Sergeant", "Captain"} and person.version == 2
