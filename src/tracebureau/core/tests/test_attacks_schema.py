"""Schemathesis over the whole OpenAPI schema, as a permitted user and as outsiders.

Every operation of /api/schema/ is called with generated requests, valid and invalid ones,
through the WSGI application: it must never answer 5xx, and an outsider (signed in without
any role, or not signed in at all) must never receive a person's data nor write anything.
Examples are few and derandomized, so a run is repeatable and takes seconds per user.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from tracebureau.core.models import User
from tracebureau.core.tests.test_attacks import api_headers
from tracebureau.registry.models import Person
from tracebureau.timeline.models import Event
from tracebureau.wsgi import application

SCHEMA_URL = "/api/schema/?format=json"
# Every boundary case of every parameter (the coverage phase) for the user who gets past the
# permission check; outsiders are refused before any parameter is read, so random cases do.
schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, application)
schema_for_outsiders = schemathesis.openapi.from_wsgi(
    SCHEMA_URL, application, config=SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
)

BOUNDED = settings(
    max_examples=10, deadline=None, derandomize=True, database=None,
    suppress_health_check=list(HealthCheck),
)
NAMES = ("Шевченко", "Franko")


@pytest.fixture
def in_one_transaction(db: Any) -> Iterator[None]:
    """The WSGI handler closes the database connection around each request, which inside the
    test's transaction would throw the world away; Django's test client unhooks it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def persons(scenario: Any, in_one_transaction: None) -> list[int]:
    people = [scenario.person(NAMES[0], "Тарас"), scenario.person(NAMES[1], "Ivan", classification="open")]
    scenario.event(people[0], "captured", place=scenario.olenivka)
    return [p.pk for p in people]


@pytest.fixture
def nobody_headers(db: Any) -> dict[str, str]:
    """The token of an active account whose roles were all taken away after the token was
    issued (a token cannot be issued without a role): it must open nothing any more."""
    user = User.objects.create_user(
        "no.roles", password=None, roles=["case_officer"], clearance="negotiation_sensitive"
    )
    headers = api_headers(user)
    user.roles = []
    user.save()
    return headers


def _aim_at(case: Any, ids: list[int]) -> None:
    """Random ids almost never exist: point generated integer ids at real records."""
    value = (case.path_parameters or {}).get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        case.path_parameters["id"] = ids[value % len(ids)]


@schema.parametrize()
@BOUNDED
def test_a_case_officer_never_meets_a_server_error(case: Any, persons: list[int], case_officer: User) -> None:
    _aim_at(case, persons)
    case.call_and_validate(headers=api_headers(case_officer), checks=[not_a_server_error])


def _assert_nothing_given_away(case: Any, response: Any) -> None:
    """No name of a person in any answer; a success is an empty list, or the description of
    the endpoint that DRF gives to OPTIONS (its fields, never its rows), or no content at all
    (a token may always revoke itself, whatever its roles)."""
    text = response.content.decode("utf-8", "replace") if response.content else ""
    assert not any(name in text for name in NAMES), text[:300]
    if response.status_code == 204:
        assert not text and case.formatted_path.startswith("/api/token/"), case.formatted_path
    elif 200 <= response.status_code < 300 and case.method.upper() != "OPTIONS":
        body = json.loads(text)
        rows = body["results"] if isinstance(body, dict) and "results" in body else body
        assert rows == [], f"{case.method} {case.formatted_path} {response.status_code}: {text[:300]}"


@schema_for_outsiders.parametrize()
@BOUNDED
def test_a_user_without_roles_gets_nothing(
    case: Any, persons: list[int], nobody_headers: dict[str, str]
) -> None:
    _aim_at(case, persons)
    before = (Person.objects.count(), Event.objects.count())
    response = case.call_and_validate(headers=nobody_headers, checks=[not_a_server_error])
    _assert_nothing_given_away(case, response)
    assert (Person.objects.count(), Event.objects.count()) == before


@schema_for_outsiders.parametrize()
@BOUNDED
def test_a_caller_without_credentials_gets_nothing(case: Any, persons: list[int]) -> None:
    _aim_at(case, persons)
    before = (Person.objects.count(), Event.objects.count())
    response = case.call_and_validate(checks=[not_a_server_error])
    # 401 as a rule; 404 where the path is no route at all, 400 for a wrong password at
    # /api/token/, and OPTIONS of /api/token/ (open to all, to sign in) describes its fields.
    # Published press releases are public by design: anyone may read them, and only them.
    if case.method.upper() != "OPTIONS" and not case.path.startswith("/api/public-releases/"):
        assert not 200 <= response.status_code < 300, f"{case.method} {case.formatted_path}"
    _assert_nothing_given_away(case, response)
    assert (Person.objects.count(), Event.objects.count()) == before
