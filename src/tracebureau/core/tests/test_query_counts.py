"""Query counts: every list page and API list endpoint asks the database a fixed number of times.

For each endpoint in LISTS the page is read with 3 rows and again with 12: the number of queries
must not grow with the rows (no N+1), and must equal the pinned number, so a change that adds a
query updates the pin on purpose. The guard at the end fails for a list route that is neither
pinned here nor named in NOT_LISTS: a new list is pinned from its first day.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from tracebureau.accounts import services as accounts
from tracebureau.conftest import Scenario
from tracebureau.core.models import User
from tracebureau.exchanges import services as exchanges
from tracebureau.families import services as families
from tracebureau.identification import services as identification
from tracebureau.identification.models import IdentificationDecision, NotificationTask, Repatriation
from tracebureau.interchange.models import Import, TransmissionBatch, TransmissionStep
from tracebureau.lists import services as lists
from tracebureau.lists.models import Candidate, IncomingList, ListRow, Reconciliation
from tracebureau.press import services as press
from tracebureau.press.choices import TableKey
from tracebureau.reporting import services as reporting
from tracebureau.timeline import services as timeline

FEW, MANY = 3, 12
SAVEPOINT = re.compile(r'SAVEPOINT "[^"]+"')  # named anew each time: no difference to show
ALL_ROLES = [
    "case_officer", "analyst", "exchange_coordinator", "identification_officer", "family_liaison",
    "press_officer", "head_of_press", "auditor", "administrator",
]


@dataclass
class Bureau:
    """Who reads the lists (every role, cleared for everything) and who else a workflow needs."""

    scenario: Scenario
    staff: User
    reviewer: User
    head: User
    shared: dict[str, Any] = field(default_factory=dict)

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        """A parent row every built row hangs from (the batch of remains cases, ...)."""
        if key not in self.shared:
            self.shared[key] = make()
        return self.shared[key]


# --- one row of each list, numbered so that unique fields stay unique -------------------------


def a_person(bureau: Bureau, i: int) -> None:
    person = bureau.scenario.person("Лічильник", f"Особа{i}", birth_year=1980 + i, unit="36th Brigade")
    bureau.scenario.event(person, "captured", "2022-05-17", place=bureau.scenario.olenivka)


def an_adversary_held_by_us(bureau: Bureau, i: int) -> None:
    """One of theirs in our hands: a capture card for the Agency, pending in the interchange."""
    person = bureau.scenario.person("Иванов", f"Пленный{i}", side="adversary", agency=None, sex="male")
    bureau.scenario.event(person, "captured", "2022-03-20", place=bureau.scenario.olenivka)


def one_person(bureau: Bureau) -> Any:
    return bureau.once("person", lambda: bureau.scenario.person("Подія", "Одна"))


def an_event(bureau: Bureau, i: int) -> None:
    person = one_person(bureau)
    bureau.scenario.event(person, "proof_of_life", f"2022-06-{i + 1:02d}", place=bureau.scenario.novoazovsk)


def a_place(bureau: Bureau, i: int) -> None:
    timeline.place_create(by=bureau.staff, name=f"Place {i}", kind="hospital", control="occupied")


def a_source(bureau: Bureau, i: int) -> None:
    timeline.source_create(by=bureau.staff, name=f"Report {i}", kind="media", reliability="D")


def a_token(bureau: Bureau, i: int) -> None:
    accounts.token_issue(user=bureau.staff, name=f"script {i}", roles=["analyst"])


def an_incoming_list(bureau: Bureau, i: int) -> None:
    lists.list_create(
        by=bureau.staff, title=f"List {i}", source=bureau.scenario.rumour, received_on=dt.date(2022, 6, 10),
        file_name=f"list-{i}.csv", headers=["Фамилия", "Имя"], rows=[["Козацкий", "Дмитрий"]],
        column_mapping={"family_name": "Фамилия", "given_name": "Имя"}, reconcile=False,
    )


def a_repatriation(bureau: Bureau, i: int) -> Repatriation:
    return identification.repatriation_create(
        by=bureau.staff, title=f"Batch {i}", arrived_on=dt.date(2022, 6, 4), counterpart="Russian side"
    )


def a_remains_case(bureau: Bureau, i: int) -> Any:
    batch = bureau.once("batch", lambda: a_repatriation(bureau, 0))
    return identification.remains_case_create(by=bureau.staff, repatriation=batch, reference=f"R-{i}")


def a_notification(bureau: Bureau, i: int) -> None:
    case = a_remains_case(bureau, i)
    person = bureau.scenario.person("Загиблий", f"Особа{i}", category="missing")
    decision = IdentificationDecision.objects.create(
        remains_case=case, action="confirmed", person=person, by=bureau.staff
    )
    NotificationTask.objects.create(person=person, decision=decision)


def _requested(bureau: Bureau, exchange: Any, given_names: str) -> None:
    """One of ours, captured, put on the exchange's list of those requested."""
    person = bureau.scenario.person("Обмін", given_names)
    bureau.scenario.event(person, "captured", "2022-05-17", place=bureau.scenario.olenivka)
    exchange.refresh_from_db()
    exchanges.entry_add(
        exchange=exchange, by=bureau.staff, expected_version=exchange.version, side="requested",
        person=person, category="other", reason="Held since the evacuation",
    )


def an_exchange(bureau: Bureau, i: int) -> Any:
    exchange = exchanges.exchange_create(
        by=bureau.staff, reference=f"EX-{i}", title=f"Exchange {i}", kind="prisoners",
        counterpart="Russian Federation", mediator="ICRC",
    )
    _requested(bureau, exchange, f"Особа{i}")
    return exchange


def an_inquiry(bureau: Bureau, i: int) -> None:
    families.inquiry_create(
        by=bureau.staff, relationship="mother", sought_family_name=f"Шуканий{i}",
        sought_given_names="Дмитро", requester={"family_name": f"Мати{i}", "given_names": "Олена"},
    )


def a_press_release(bureau: Bureau, i: int) -> Any:
    tables = [TableKey.BY_STATUS_AND_CATEGORY]
    return press.release_draft(by=bureau.staff, title=f"Release {i}", tables=tables)


def a_published_release(bureau: Bureau, i: int) -> None:
    release = a_press_release(bureau, i)
    press.release_review(by=bureau.reviewer, release=release)
    press.release_approve(by=bureau.head, release=release)
    press.release_publish(by=bureau.staff, release=release)


def a_statistics_release(bureau: Bureau, i: int) -> None:
    reporting.release_create(by=bureau.staff, title=f"Figures {i}")


def a_transmission_batch(bureau: Bureau, i: int) -> TransmissionBatch:
    """A batch as the Agency's log holds it; its files do not matter to the index."""
    batch = TransmissionBatch.objects.create(
        reference=f"CTA-{i}", content={}, classification="restricted", item_count=0, json_text="",
        csv_text="", pdf=b"", json_sha256="", csv_sha256="", pdf_sha256="", digest=f"{i:064d}", seal="",
        prepared_by=bureau.staff, prepared_at=timezone.now(),
    )
    TransmissionStep.objects.create(batch=batch, step="authorised", by=bureau.reviewer)
    return batch


def an_import(bureau: Bureau, i: int) -> None:
    Import.objects.create(
        format="pfif", file_name=f"import-{i}.xml", sha256=f"{i:064d}", system="example.org",
        source=bureau.scenario.icrc, summary={"created": 1}, classification="restricted", by=bureau.staff,
    )


def an_audit_entry(bureau: Bureau, i: int) -> None:
    a_place(bureau, i)  # recording a place is audited


def a_list_row(bureau: Bureau, i: int) -> None:
    """A row of one incoming list, with a candidate from one reconciliation."""
    def reconciled() -> Reconciliation:
        an_incoming_list(bureau, 0)
        incoming = IncomingList.objects.get(title="List 0")
        return Reconciliation.objects.create(incoming_list=incoming, status="done", requested_by=bureau.staff)

    job = bureau.once("reconciliation", reconciled)
    row = ListRow.objects.create(
        incoming_list=job.incoming_list, number=100 + i, family_name="Козацкий", given_name=f"Дмитрий{i}"
    )
    person = bureau.scenario.person("Козацький", f"Дмитро{i}")
    Candidate.objects.create(row=row, person=person, reconciliation=job, probability=0.9, rank=1)


def an_exchange_entry(bureau: Bureau, i: int) -> None:
    _requested(bureau, bureau.once("exchange", lambda: an_exchange(bureau, 0)), f"Ще{i}")


def interchange_index(bureau: Bureau, i: int) -> None:
    a_transmission_batch(bureau, i)
    an_import(bureau, i)
    an_adversary_held_by_us(bureau, i)


# --- the lists --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """A list and how to fill it: its URL name, its address, one row, and its pinned count by
    database vendor (a vendor not named has the sqlite count)."""

    name: str
    path: str | Callable[[Bureau], str]
    row: Callable[[Bureau, int], Any]
    queries: dict[str, int]
    api: bool = False
    xfail: str = ""

    def address(self, bureau: Bureau) -> str:
        return self.path if isinstance(self.path, str) else self.path(bureau)

    def pinned(self) -> int:
        return self.queries.get(connection.vendor, self.queries["sqlite"])


def audited(queries: int) -> dict[str, int]:
    """The count of a page that records its reading in the audit trail: on PostgreSQL one more,
    the advisory lock that keeps the audit chain in order (audit.services)."""
    return {"sqlite": queries, "postgresql": queries + 1}


LISTS = [
    # The web pages.
    Listing("accounts:token-list", "/accounts/tokens/", a_token, {"sqlite": 3}),
    Listing("registry:person-search", "/persons/", a_person, {"sqlite": 5}),
    # A search: its matches counted by the page's own query (core.pagination), one query fewer.
    Listing("registry:person-search", "/persons/?q=Лічильник", a_person, {"sqlite": 4}),
    Listing("reporting:statistics", "/statistics/", a_statistics_release, {"sqlite": 6}),
    Listing("lists:list-index", "/lists/", an_incoming_list, {"sqlite": 3}),
    Listing("identification:index", "/identification/", a_repatriation, {"sqlite": 4}),
    Listing("identification:notifications", "/identification/notifications/", a_notification, {"sqlite": 4}),
    Listing("exchanges:index", "/exchanges/", an_exchange, {"sqlite": 6}),
    Listing("families:index", "/families/", an_inquiry, {"sqlite": 4}),
    Listing("press:index", "/press/", a_press_release, {"sqlite": 6}),
    Listing("interchange:index", "/interchange/", interchange_index, {"sqlite": 10}),
    Listing("public:releases", "/releases/", a_published_release, {"sqlite": 6}),
    Listing("audit:log", "/audit/", an_audit_entry, {"sqlite": 4}),
    # Exports: every row the user sees, in a file.
    Listing("registry:person-export", "/persons/export.csv", a_person, audited(7)),
    Listing("registry:person-export-cta", "/persons/export/icrc-cta.csv", a_person, audited(6)),
    Listing("interchange:pfif-export", "/interchange/pfif/export.xml", a_person, audited(13)),
    Listing("exchanges:lists-csv", lambda b: f"/exchanges/{b.shared['exchange'].pk}/lists.csv",
            an_exchange_entry, audited(10)),
    # One record's page and the rows under it.
    Listing("registry:person-detail", lambda b: f"/persons/{one_person(b).pk}/", an_event, audited(14)),
    Listing("lists:list-detail", lambda b: f"/lists/{b.shared['reconciliation'].incoming_list_id}/?state=all",
            a_list_row, audited(11)),
    Listing("exchanges:detail", lambda b: f"/exchanges/{b.shared['exchange'].pk}/", an_exchange_entry,
            audited(28)),
    Listing("identification:batch-detail", lambda b: f"/identification/batches/{b.shared['batch'].pk}/",
            a_remains_case, {"sqlite": 6}),
    # The API's lists.
    Listing("person-list", "/api/persons/", a_person, {"sqlite": 6}, api=True),
    Listing("event-list", "/api/events/", an_event, {"sqlite": 4}, api=True),
    Listing("place-list", "/api/places/", a_place, {"sqlite": 4}, api=True),
    Listing("source-list", "/api/sources/", a_source, {"sqlite": 4}, api=True),
    Listing("statistics-release-list", "/api/statistics/releases/", a_statistics_release, {"sqlite": 4},
            api=True),
    Listing("identification-batch-list", "/api/identification/batches/", a_repatriation, {"sqlite": 4},
            api=True),
    Listing("identification-remains-list", "/api/identification/remains/", a_remains_case, {"sqlite": 6},
            api=True),
    Listing("exchange-list", "/api/exchanges/", an_exchange, {"sqlite": 4}, api=True),
    Listing("press-release-list", "/api/press-releases/", a_press_release, {"sqlite": 7}, api=True),
    Listing("public-release-list", "/api/public-releases/", a_published_release, {"sqlite": 6}, api=True),
    Listing("person-autocomplete", "/api/persons/autocomplete/?q=Лічильник", a_person, {"sqlite": 3},
            api=True),
    Listing("person-timeline", lambda b: f"/api/persons/{one_person(b).pk}/timeline/", an_event,
            audited(9), api=True),
    Listing("exchange-detail", lambda b: f"/api/exchanges/{b.shared['exchange'].pk}/", an_exchange_entry,
            audited(21), api=True),
]


@pytest.fixture
def bureau(db: Any) -> Bureau:
    staff = User.objects.create_user(
        "every.role", password=None, roles=ALL_ROLES, clearance="negotiation_sensitive", is_staff=True
    )
    reviewer = User.objects.create_user("press.reviewer", password=None, roles=["analyst", "press_officer"],
                                        clearance="negotiation_sensitive")
    head = User.objects.create_user("press.head", password=None, roles=["head_of_press"], clearance="open")
    return Bureau(Scenario(by=staff), staff, reviewer, head)


def _client(listing: Listing, user: User) -> Any:
    client = APIClient() if listing.api else Client()
    client.force_login(user)
    return client


def _read(client: Any, path: str) -> tuple[list[str], int]:
    """The queries the page asks, and how long its answer is."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return [query["sql"] for query in captured.captured_queries], len(body)


def _differ(few: list[str], many: list[str]) -> str:
    def short(queries: list[str]) -> list[str]:
        return [SAVEPOINT.sub("SAVEPOINT", query)[:160] for query in queries]

    diff = difflib.unified_diff(short(few), short(many), f"{FEW} rows", f"{MANY} rows", lineterm="", n=1)
    return "\n".join(diff)


def _case(listing: Listing) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=listing.xfail)] if listing.xfail else []
    return pytest.param(listing, id=listing.name, marks=marks)


@pytest.mark.parametrize("listing", [_case(listing) for listing in LISTS])
def test_queries_do_not_grow_with_rows_and_are_pinned(bureau: Bureau, listing: Listing) -> None:
    for i in range(FEW):
        listing.row(bureau, i)
    client, path = _client(listing, bureau.staff), listing.address(bureau)
    _read(client, path)  # the first read fills what Django caches (content types, ...)
    few, few_length = _read(client, path)
    for i in range(FEW, MANY):
        listing.row(bureau, i)
    many, many_length = _read(client, path)
    assert many_length > few_length, f"{path} shows no more with more rows: it does not list them"
    assert len(many) == len(few), f"{path}: the queries grow with the rows:\n{_differ(few, many)}"
    assert len(many) == listing.pinned(), (
        f"{path} asks {len(many)} queries on {connection.vendor}, pinned {listing.pinned()}:\n"
        + "\n".join(many)
    )


# --- the guard ---------------------------------------------------------------------------------

FORM = "a form or an action on one record: no list of rows"
RECORD = "one record's page, whose rows under it are few by nature"
FILE = "served from a frozen file (the digest covers it), not from rows"
PROGRESS = "a job's progress: one row"
API = "the API's own machinery"

# Every other named address, and why it is not pinned here: a new route must be put in one of
# the two, so a list is never added without its count.
NOT_LISTS: dict[str, str] = {
    "home": "a redirect to the user's first page",
    "login": FORM, "logout": FORM, "set_language": FORM,
    "accounts:two-factor-setup": FORM, "accounts:two-factor-verify": FORM, "accounts:token-revoke": FORM,
    "registry:person-create": FORM, "registry:break-glass": FORM, "registry:person-edit": FORM,
    "registry:person-merge": FORM, "registry:person-unmerge": FORM, "registry:event-create": FORM,
    "timeline:event-retract": FORM, "timeline:event-supersede": FORM, "timeline:bulk-event-create": FORM,
    "reporting:release-detail": "the frozen figures of one release, no rows",
    "lists:list-upload": FORM, "lists:list-mapping": FORM, "lists:list-reconcile": FORM,
    "lists:list-cancel": FORM, "lists:row-decide": FORM, "lists:list-progress": PROGRESS,
    "identification:batch-create": FORM, "identification:batch-progress": PROGRESS,
    "identification:batch-match": FORM, "identification:remains-create": FORM,
    "identification:remains-detail": RECORD, "identification:remains-preliminary": FORM,
    "identification:remains-burial": FORM, "identification:remains-profile": RECORD,
    "identification:candidate-propose": FORM, "identification:proposal-decide": FORM,
    "identification:profile-detail": RECORD, "identification:person-references": RECORD,
    "identification:sample-withdraw": FORM, "identification:frequency-upload": FORM,
    "exchanges:create": FORM, "exchanges:edit": FORM, "exchanges:priority": FORM,
    "families:create": FORM, "families:inquiry-detail": RECORD, "families:inquiry-another": FORM,
    "lookup:status": "the public lookup: one answer",
    "press:detail": RECORD,
    "interchange:batch": FILE, "interchange:batch-pdf": FILE, "interchange:batch-csv": FILE,
    "interchange:batch-json": FILE, "interchange:capture-card": RECORD,
    "interchange:import": "an import's outcomes, kept in its own JSON column",
    "interchange:import-job": "one import job's row and the import it became",
    "interchange:import-job-progress": PROGRESS,
    "interchange:persons-upload": FORM,
    "interchange:persons-review": "the upload being reviewed, from the session",
    "interchange:pfif": FORM,
    "public:release": RECORD, "public:release-csv": RECORD,
    "api-token": API, "api-token-revoke": API, "api-root": API, "schema": API, "api-docs": API,
    "person-detail": RECORD, "person-merge": FORM, "person-unmerge": FORM, "person-name-variants": FORM,
    "event-bulk": FORM, "event-detail": RECORD, "event-retract": FORM, "event-supersede": FORM,
    "place-detail": RECORD, "source-detail": RECORD,
    "statistics-release-live": "live totals: a few GROUP BY queries, no rows",
    "statistics-release-detail": RECORD,
    "identification-batch-detail": RECORD, "identification-remains-detail": RECORD,
    "exchange-arrivals": FORM, "exchange-entries": FORM, "exchange-transition": FORM,
    "exchange-verify": FORM, "exchange-withdraw": FORM,
    "press-release-detail": RECORD, "press-release-review": FORM, "press-release-approve": FORM,
    "press-release-publish": FORM, "press-release-withdraw": FORM,
    "public-release-detail": RECORD,
}


def _names(patterns: list[Any], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue  # Django's own admin, pinned by Django
            inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
            names |= _names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


# A name that ends like a list's: a router's "-list", or the words the apps' list pages use.
LISTY = re.compile(r"(^|[-:])(list|index|search|log|releases|notifications|statistics|queue)$")


def test_every_route_is_pinned_or_said_not_to_be_a_list() -> None:
    pinned = {listing.name for listing in LISTS}
    names = _names(get_resolver().url_patterns)
    assert names - pinned - set(NOT_LISTS) == set(), "routes nobody has classified: pin them in LISTS"
    assert set(NOT_LISTS) - names == set(), "NOT_LISTS names a route that no longer exists"


def test_no_route_named_like_a_list_is_left_unpinned() -> None:
    names = _names(get_resolver().url_patterns)
    listy = {name for name in names if LISTY.search(name)}
    assert listy - {listing.name for listing in LISTS} == set()
    assert not set(NOT_LISTS) & {listing.name for listing in LISTS}
