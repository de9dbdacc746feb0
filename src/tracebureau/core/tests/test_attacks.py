"""Attacks on the access policy and on the data (issue 3 §5).

IDOR on every API and web route with an id, stored XSS through names, formula injection
through CSV exports, SQL injection through search, CSRF on every form that writes. The
routes are read from the URLconf, so an endpoint added later is attacked without editing
this file. Schemathesis over the OpenAPI schema lives beside it, in test_attacks_schema.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tracebureau.accounts.models import ApiToken
from tracebureau.accounts.services import token_issue
from tracebureau.api_urls import router
from tracebureau.conftest import Scenario
from tracebureau.core.exports import FORMULA_START, safe_cell
from tracebureau.core.models import BreakGlass, User
from tracebureau.core.policy import VIEW, visible_to
from tracebureau.core.tests.pages import as_seen
from tracebureau.exchanges import services as exchanges
from tracebureau.exchanges.models import Exchange
from tracebureau.families import services as families
from tracebureau.families.models import Inquiry
from tracebureau.identification import services as identification
from tracebureau.identification.models import (
    GeneticProfile,
    IdentificationDecision,
    MatchCandidate,
    ReferenceSample,
    RemainsCase,
    Repatriation,
)
from tracebureau.interchange.models import Import, ImportJob, TransmissionBatch
from tracebureau.lists.models import IncomingList, ListRow
from tracebureau.lists.services import list_create
from tracebureau.press import services as press
from tracebureau.press.models import Release
from tracebureau.registry.models import Person, PersonMerge
from tracebureau.registry.selectors import persons_visible
from tracebureau.registry.services import person_merge
from tracebureau.reporting.models import StatisticsRelease
from tracebureau.reporting.services import release_create
from tracebureau.timeline.models import Event


def api_headers(user: User) -> dict[str, str]:
    """The headers that authenticate `user` to the API from outside (a real WSGI call).

    The one place that knows how API credentials look: change it here when the token model
    changes. In-process API clients use APIClient.force_authenticate instead.
    """
    _token, key = token_issue(user=user, name="attack tests")
    return {"Authorization": f"Bearer {key}"}


# --- the cast: an insider who built the world, and attackers who may not see all of it ------


@dataclass
class Cast:
    """Records seen by the insider only: a negotiation-sensitive person, a negotiation-sensitive
    event about a person the case officer does see, and a statistics release (case officers
    read live totals, not releases). `seen` is a person the case officer sees and may change."""

    insider: User
    seen: Person
    hidden: Person
    hidden_event: Event
    seen_event: Event
    release: StatisticsRelease
    scenario: Scenario


def _exchange(hidden: Person) -> None:
    """A negotiation-sensitive exchange with the hidden person on its list."""
    coordinator = User.objects.create_user(
        "exchange.insider", password=None, roles=["exchange_coordinator"], clearance="negotiation_sensitive"
    )
    exchange = exchanges.exchange_create(
        by=coordinator, reference="EX-HIDDEN", title="Hidden", kind="prisoners", counterpart="Them"
    )
    exchanges.entry_add(
        exchange=exchange, by=coordinator, expected_version=exchange.version, side="requested",
        person=hidden, category="other", reason="Held",
    )


def _press_release() -> None:
    """A press release in draft: the press centre's until it is published."""
    officer = User.objects.create_user(
        "press.insider", password=None, roles=["press_officer"], clearance="open"
    )
    press.release_draft(by=officer, title="Draft of the week", tables=["status_category"])


def _inquiry(hidden: Person) -> None:
    """A mother's tracing request about the hidden person, linked to him by a cleared liaison."""
    liaison = User.objects.create_user(
        "family.insider", password=None, roles=["family_liaison"], clearance="negotiation_sensitive"
    )
    inquiry = families.inquiry_create(
        by=liaison, requester={"family_name": "Таємна", "given_names": "Марія"}, relationship="mother",
        sought_family_name="Таємний", sought_given_names="Петро", classification="negotiation_sensitive",
    )
    families.inquiry_link(inquiry=inquiry, by=liaison, person=hidden)


@pytest.fixture
def cast(case_officer: User, analyst: User) -> Cast:
    insider = User.objects.create_user(
        "hq.officer", password=None, roles=["case_officer"], clearance="negotiation_sensitive", is_staff=True
    )
    scenario = Scenario(by=insider)
    seen = scenario.person("Видимий", "Іван", classification="restricted")
    hidden = scenario.person("Таємний", "Петро", classification="negotiation_sensitive")
    scenario.event(hidden, "captured", place=scenario.olenivka, classification="negotiation_sensitive")
    seen_event = scenario.event(seen, "captured", place=scenario.olenivka, classification="restricted")
    hidden_event = scenario.event(seen, "icrc_visit", "2022-07-01", source=scenario.icrc,
                                  classification="negotiation_sensitive")
    release = release_create(by=analyst, title="Briefing of 20 May")
    token_issue(user=insider, name="someone else's")
    list_create(
        by=insider, title="Negotiation list", source=scenario.intel, received_on=dt.date(2022, 6, 10),
        file_name="list.csv", headers=["Прізвище"], rows=[["Таємний"]],
        column_mapping={"family_name": "Прізвище"},
        classification="negotiation_sensitive", reconcile=False,
    )
    _identification(hidden)
    _exchange(hidden)
    _inquiry(hidden)
    _press_release()
    _transmission(scenario)
    return Cast(insider, seen, hidden, hidden_event, seen_event, release, scenario)


def _transmission(scenario: Scenario) -> None:
    """A batch to the ICRC's Agency carrying a negotiation-sensitive prisoner: above the
    attacking case officer's clearance, so the batch and its files are too."""
    from tracebureau.interchange.services import batch_prepare

    prisoner = scenario.person("Секретний", "Олег", side="adversary", agency=None,
                               classification="negotiation_sensitive")
    scenario.event(prisoner, "captured", classification="negotiation_sensitive")
    batch_prepare(by=scenario.by)
    # An import whose outcomes name a negotiation-sensitive record.
    from tracebureau.interchange.persons import Defaults, persons_import

    persons_import(
        content="Прізвище;Ім'я\nСекретна;Ольга\n".encode(), file_name="secret.csv",
        mapping={"family_name": "Прізвище", "given_names": "Ім'я"}, system="Secret registry",
        source=scenario.intel, by=scenario.by, defaults=Defaults(classification="negotiation_sensitive"),
    )
    # An import queued for the worker: only who asked for it sees it.
    from tracebureau.interchange.services import import_job_start

    import_job_start(format="pfif", file_name="queued.xml", content=b"<pfif/>", options={}, by=scenario.by)


def _identification(hidden: Person) -> None:
    """A batch, a remains case with its profile, a reference sample, a match run's candidate and
    a decision, all made by an identification officer: no attacker may reach any of them."""
    officer = User.objects.create_user(
        "dna.insider", password=None, roles=["identification_officer"], clearance="negotiation_sensitive"
    )
    identification.frequency_table_import(
        by=officer, name="test", file_name="f.csv",
        content=b"marker,allele,freq\nL1,a,0.1\nL1,b,0.2\nL1,c,0.7\n",
    )
    identification.reference_sample_create(
        by=officer, person=hidden, markers={"L1": ["a", "b"]}, sample_code="REF-1", donor_name="Мати",
        donor_sex=2, relationship="mother", consent_given_on=dt.date(2022, 6, 1),
    )
    batch = identification.repatriation_create(by=officer, title="Batch", arrived_on=dt.date(2022, 6, 14))
    identification.remains_profiles_import(
        by=officer, repatriation=batch, file_name="pm.csv", content=b"id,marker,allele1,allele2\nR-1,L1,a,c\n"
    )
    identification.match_run_start(by=officer, repatriation=batch, background=False)
    case = RemainsCase.objects.get(reference="R-1")
    identification.preliminary_identify(by=officer, remains_case=case, person=hidden, basis="A tag")


@pytest.fixture
def nobody(db: Any) -> User:
    """Signed in, active, and without any role."""
    return User.objects.create_user("no.roles", password=None, roles=[], clearance="negotiation_sensitive")


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _web(user: User, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def _row_counts() -> dict[str, int]:
    """How many rows every table holds: a refused write must leave all of them as they were."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


# --- 1. IDOR: every route with an id, read from the URLconf --------------------------------

MISSING = 2**31 - 7  # an id no test creates
# A body that passes validation wherever it is read, so a refusal cannot hide behind a 400.
WRITE_BODY = {"reason": "Attempt on a record I may not see", "version": 1, "rank": "sergeant",
              "family_name": "Перейменований", "script": "latin", "title": "x"}


@dataclass(frozen=True)
class ApiRoute:
    name: str
    pattern: str
    actions: dict[str, str]
    viewset: type

    def model(self, user: User) -> type:
        request = SimpleNamespace(user=user, query_params={})
        for method, action in self.actions.items():
            view = self.viewset(request=request, action=action, kwargs={}, format_kwarg=None)
            view.request = request
            if method == "get" or len(self.actions) == 1:
                return view.get_queryset().model
        raise AssertionError(self.name)


def _api_routes() -> list[ApiRoute]:
    routes = []
    for pattern in router.urls:
        callback = pattern.callback
        actions = getattr(callback, "actions", None)
        if actions is None or "format" in pattern.pattern.regex.groupindex:
            continue  # the API root, and the same routes again with a .json suffix
        routes.append(ApiRoute(pattern.name, str(pattern.pattern), dict(actions), callback.cls))
    return routes


API_ROUTES = _api_routes()
DETAIL_ROUTES = [r for r in API_ROUTES if "pk" in re.compile(r.pattern).groupindex]
# A route with another key in its address (a public release's reference) is no list.
LIST_ROUTES = [
    r for r in API_ROUTES
    if r not in DETAIL_ROUTES and "get" in r.actions and not re.compile(r.pattern).groupindex
]


def test_the_router_is_enumerated() -> None:
    names = {r.name for r in DETAIL_ROUTES}
    assert {"person-detail", "person-merge", "person-unmerge", "person-name-variants", "person-timeline",
            "event-detail", "event-retract", "event-supersede", "statistics-release-detail"} <= names
    assert {"person-list", "event-list", "person-autocomplete"} <= {r.name for r in LIST_ROUTES}


def _hidden_pk(model: type, user: User) -> int | None:
    visible = visible_to(model._default_manager.all(), user, VIEW).values("pk")
    row = model._default_manager.exclude(pk__in=visible).order_by("pk").first()
    return None if row is None else row.pk


@pytest.mark.parametrize("route", DETAIL_ROUTES, ids=lambda r: r.name)
def test_a_hidden_record_answers_every_method_like_a_missing_one(
    route: ApiRoute, cast: Cast, case_officer: User, nobody: User
) -> None:
    attacked = 0
    for attacker in (case_officer, nobody):
        hidden = _hidden_pk(route.model(attacker), attacker)
        if hidden is None:
            continue  # reference data such as places is open to every reader
        client = _api(attacker)
        for method in route.actions:
            before = _row_counts()
            answers = [
                getattr(client, method)(reverse(route.name, kwargs={"pk": pk}), WRITE_BODY, format="json")
                for pk in (MISSING, hidden)
            ]
            missing, attempt = ((a.status_code, a.json()) for a in answers)
            assert attempt == missing, f"{attacker} {method.upper()} {route.pattern}"
            assert attempt[0] == 404
            assert _row_counts() == before
            attacked += 1
    assert attacked, f"no attacker was refused anything on {route.pattern}"


@pytest.mark.parametrize("route", LIST_ROUTES, ids=lambda r: r.name)
def test_a_list_never_holds_a_hidden_record(
    route: ApiRoute, cast: Cast, case_officer: User, nobody: User
) -> None:
    for attacker in (case_officer, nobody):
        model = route.model(attacker)
        visible = set(visible_to(model._default_manager.all(), attacker, VIEW).values_list("pk", flat=True))
        url = reverse(route.name)
        for params in ({"page_size": 500}, {"q": "Таємний"}, {"q": "Петро"}, {"include_merged": "true"}):
            response = _api(attacker).get(url, params)
            assert response.status_code in (200, 403)
            body = response.json() if response.status_code == 200 else []
            rows = body["results"] if isinstance(body, dict) and "results" in body else body
            if isinstance(rows, list):
                assert {row["id"] for row in rows} <= visible, f"{attacker} {url} {params}"
    hidden_names = [cast.hidden.family_name, cast.hidden.given_names]
    content = _api(case_officer).get(reverse(route.name), {"q": "Таємний"}).content.decode()
    assert not any(name in content for name in hidden_names)


def _web_routes() -> list[tuple[str, str]]:
    """(name, route) of every page whose address carries a record's id, admin aside."""
    found = []

    def walk(patterns: list, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin" or "api" in str(pattern.pattern):
                    continue
                ns = f"{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif "<int:pk>" in str(pattern.pattern):
                found.append((namespace + pattern.name, prefix + str(pattern.pattern)))

    walk(get_resolver().url_patterns, "", "")
    return found


WEB_ROUTES = _web_routes()
# Which record a page's id names: a new page with an id must be added here to be attacked.
WEB_ROUTE_MODELS = {
    "registry:person-detail": Person, "registry:person-edit": Person, "registry:person-merge": Person,
    "registry:person-unmerge": Person, "registry:event-create": Person,
    "timeline:event-retract": Event, "timeline:event-supersede": Event,
    "reporting:release-detail": StatisticsRelease,
    "accounts:token-revoke": ApiToken,
    "lists:list-detail": IncomingList, "lists:list-progress": IncomingList,
    "lists:list-reconcile": IncomingList, "lists:list-cancel": IncomingList, "lists:row-decide": ListRow,
    **dict.fromkeys(
        ("identification:batch-detail", "identification:batch-progress", "identification:batch-match",
         "identification:remains-create"), Repatriation),
    **dict.fromkeys(
        ("identification:remains-detail", "identification:remains-preliminary",
         "identification:remains-burial", "identification:remains-profile"), RemainsCase),
    "identification:candidate-propose": MatchCandidate,
    "identification:proposal-decide": IdentificationDecision,
    "identification:profile-detail": GeneticProfile, "identification:person-references": Person,
    "identification:sample-withdraw": ReferenceSample,
    **dict.fromkeys(
        ("exchanges:detail", "exchanges:edit", "exchanges:priority", "exchanges:lists-csv"), Exchange
    ),
    "families:inquiry-detail": Inquiry, "families:inquiry-another": Inquiry,
    "press:detail": Release,
    **dict.fromkeys(
        ("interchange:batch", "interchange:batch-pdf", "interchange:batch-csv", "interchange:batch-json"),
        TransmissionBatch,
    ),
    "interchange:capture-card": Person,
    "interchange:import": Import,
    "interchange:import-job": ImportJob, "interchange:import-job-progress": ImportJob,
}

def test_every_web_page_with_an_id_is_attacked() -> None:
    assert {name for name, _route in WEB_ROUTES} == set(WEB_ROUTE_MODELS)


@pytest.mark.parametrize(("name", "route"), WEB_ROUTES, ids=[name for name, _r in WEB_ROUTES])
def test_a_hidden_record_has_no_web_page(name: str, route: str, cast: Cast, case_officer: User,
                                         nobody: User) -> None:
    for attacker in (case_officer, nobody):
        hidden = _hidden_pk(WEB_ROUTE_MODELS[name], attacker)
        assert hidden is not None
        client = _web(attacker)
        body = {**WRITE_BODY, "other": cast.seen.pk}
        for method in ("get", "post"):
            before = _row_counts()
            paths = [reverse(name, kwargs={"pk": pk}) for pk in (MISSING, hidden)]
            missing, attempt = (as_seen(getattr(client, method)(path, body), path) for path in paths)
            # 405 where a page takes POST only: still the same answer for hidden and missing.
            assert attempt == missing and attempt[0] in (404, 405), f"{attacker} {method.upper()} {route}"
            assert _row_counts() == before


def test_a_draft_release_is_not_public(cast: Cast, case_officer: User) -> None:
    """The public API finds a release by reference: a draft's answers like one that does not exist."""
    draft = Release.objects.get()
    answers = [
        APIClient().get(reverse("public-release-detail", kwargs={"reference": reference}))
        for reference in ("PR-1999-0001", draft.reference)
    ]
    assert [a.status_code for a in answers] == [404, 404]
    assert answers[0].json() == answers[1].json()
    assert APIClient().get(reverse("public-release-list")).json()["count"] == 0
    assert _api(case_officer).get(f"/api/press-releases/{draft.pk}/").status_code == 404


def test_the_case_officer_still_reaches_what_they_may(cast: Cast, case_officer: User) -> None:
    """The 404s above are not everyone's 404s: the same attacker reaches the records they see."""
    assert _api(case_officer).get(f"/api/persons/{cast.seen.pk}/").status_code == 200
    assert _api(case_officer).get(f"/api/events/{cast.seen_event.pk}/").status_code == 200
    assert _web(case_officer).get(f"/persons/{cast.seen.pk}/edit/").status_code == 200
    assert _web(case_officer).get(f"/timeline/events/{cast.seen_event.pk}/retract/").status_code == 200


def test_a_merge_cannot_pull_in_a_hidden_record(cast: Cast, case_officer: User) -> None:
    """The other record of a merge is named in the body, not the path: refused alike too."""
    before = PersonMerge.objects.count()
    answers = [
        _api(case_officer).post(f"/api/persons/{cast.seen.pk}/merge/",
                                {"absorb": pk, "reason": "Same man"}, format="json")
        for pk in (MISSING, cast.hidden.pk)
    ]
    bodies = [
        a.content.decode().replace(str(pk), "N")
        for a, pk in zip(answers, (MISSING, cast.hidden.pk), strict=True)
    ]
    assert answers[0].status_code == answers[1].status_code == 400
    assert bodies[0] == bodies[1] and "absorb" in bodies[0]
    pages = [
        _web(case_officer).post(f"/persons/{cast.seen.pk}/merge/", {"other": pk, "reason": "Same man"})
        for pk in (MISSING, cast.hidden.pk)
    ]
    assert pages[0].status_code == pages[1].status_code == 200
    errors = [page.context["form"].errors for page in pages]
    assert errors[0] == errors[1] == {"other": ["There is no such record, or you may not change it."]}
    assert PersonMerge.objects.count() == before


# --- 2. stored XSS through names -------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE_BREAKER = '"><img src=x onerror=alert(1)>'
RAW = (SCRIPT, "<img src=x onerror=alert(1)>")


@pytest.fixture
def xss(scenario: Any, case_officer: User) -> Person:
    person = scenario.person(SCRIPT, ATTRIBUTE_BREAKER)
    scenario.event(person, "captured", place=scenario.olenivka)
    other = scenario.person("Злитий", "Олег")
    person_merge(keep=person, absorb=other, by=case_officer, reason="Same man, two reports")
    case_officer.is_staff = True  # the admin is one more page that shows names
    case_officer.save()
    return person


def test_names_are_escaped_on_every_page_that_shows_them(xss: Person, case_officer: User) -> None:
    event = Event.objects.filter(person=xss).first()
    absorbed = Person.objects.get(merged_into=xss)
    shows_name = [
        "/persons/", f"/persons/?q={quote('alert')}", f"/persons/{xss.pk}/", f"/persons/{xss.pk}/edit/",
        f"/persons/{xss.pk}/merge/", f"/persons/{xss.pk}/events/new/", f"/persons/{absorbed.pk}/unmerge/",
        f"/timeline/events/{event.pk}/retract/", f"/timeline/events/{event.pk}/supersede/",
        "/admin/registry/person/", f"/admin/registry/person/{xss.pk}/change/",
    ]
    others = ["/statistics/", "/timeline/bulk/", "/persons/break-glass/", "/admin/"]
    client = _web(case_officer)
    for url in shows_name + others:
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert not any(raw in page for raw in RAW), url
        if url in shows_name:
            assert escape(SCRIPT) in page, url
    # The attribute breaker is escaped inside a form field's value, too.
    assert f'value="{escape(ATTRIBUTE_BREAKER)}"' in client.get(f"/persons/{xss.pk}/edit/").content.decode()


def test_the_api_answers_names_as_json_not_html(xss: Person, case_officer: User) -> None:
    for url in (f"/api/persons/{xss.pk}/", "/api/persons/", "/api/persons/autocomplete/?q=alert"):
        response = _api(case_officer).get(url)
        assert response["Content-Type"] == "application/json", url
        assert SCRIPT in json.dumps(response.json(), ensure_ascii=False)  # data kept as typed
    assert _api(case_officer).get(f"/api/persons/{xss.pk}/").json()["given_names"] == ATTRIBUTE_BREAKER


# --- 3. formula injection through CSV exports ------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.fixture
def formulas(scenario: Any) -> list[Person]:
    return [scenario.person(formula, formula, call_sign=formula) for formula in FORMULAS]


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _assert_defused(text: str, persons: list[Person], columns: tuple[str, ...]) -> None:
    rows = _cells(text)
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_START)]
    header = rows[0]
    by_id = {row[header.index(columns[0])]: row for row in rows[1:]}
    for person in persons:
        row = by_id[str(person.pk)]
        stored = person.family_name
        assert stored.startswith(FORMULA_START)  # the service kept what makes it dangerous
        assert row[header.index(columns[1])] == "'" + stored


def test_the_web_export_defuses_formulas(formulas: list[Person], case_officer: User) -> None:
    response = _web(case_officer).get("/persons/export.csv")
    _assert_defused(b"".join(response.streaming_content).decode(), formulas, ("id", "family_name"))


def test_the_cta_export_defuses_formulas(formulas: list[Person], case_officer: User) -> None:
    response = _web(case_officer).get("/persons/export/icrc-cta.csv")
    _assert_defused(b"".join(response.streaming_content).decode(), formulas, ("record", "family_name"))


def test_the_cli_export_defuses_formulas(formulas: list[Person], case_officer: User, capsys: Any) -> None:
    call_command("export", "persons", "--as", case_officer.username)
    _assert_defused(capsys.readouterr().out, formulas, ("id", "family_name"))


@given(st.sampled_from(FORMULA_START), st.text())
def test_safe_cell_prefixes_whatever_starts_like_a_formula(start: str, rest: str) -> None:
    assert safe_cell(start + rest) == "'" + start + rest


@given(st.text().filter(lambda text: not text.startswith(FORMULA_START)))
def test_safe_cell_leaves_anything_else_alone(text: str) -> None:
    assert safe_cell(text) == text


def test_safe_cell_of_values_that_are_not_text() -> None:
    assert (safe_cell(None), safe_cell(-5), safe_cell(12)) == ("", "'-5", "12")


# --- 4. SQL injection through search ---------------------------------------------------------

INJECTIONS = ["' OR 1=1 --", "%' OR '1'='1", '"; DROP TABLE registry_person; --', "\\", "%", "_",
              "Таємний' OR '1'='1", "a\x00b", "\x00", "1998-03-12' OR 1=1 --", "%%", "' UNION SELECT 1 --"]


def _search_everywhere(user: User, query: str) -> list[tuple[str, int, set[int]]]:
    """(surface, status, ids found) for the search page, the API list and autocomplete."""
    web = _web(user).get("/persons/", {"q": query})
    found = [("web", web.status_code,
              {p.pk for p, _s in web.context["rows"]} if web.status_code == 200 else set())]
    for url in ("/api/persons/", "/api/persons/autocomplete/"):
        api = _api(user).get(url, {"q": query})
        body = api.json() if api.status_code == 200 else []
        rows = body["results"] if isinstance(body, dict) else body
        found.append((url, api.status_code, {row["id"] for row in rows}))
    export = _web(user).get("/persons/export.csv", {"q": query})
    ids = set()
    if export.status_code == 200:
        ids = {int(row[0]) for row in _cells(b"".join(export.streaming_content).decode())[1:]}
    found.append(("export", export.status_code, ids))
    return found


@pytest.mark.parametrize("query", INJECTIONS, ids=repr)
def test_search_injections_find_nothing_they_should_not(query: str, cast: Cast, case_officer: User) -> None:
    persons = Person.objects.count()
    for surface, status, ids in _search_everywhere(case_officer, query):
        assert status in (200, 400), surface
        assert ids == set(), f"{surface}: {query!r} matched {ids}"  # no name holds these
    assert Person.objects.count() == persons  # the table is still there, and whole


def test_a_nul_byte_is_refused_with_a_message(cast: Cast, case_officer: User) -> None:
    page = _web(case_officer).get("/persons/", {"q": "Ива\x00н"})
    assert "Null characters are not allowed." in page.content.decode()
    for url in ("/api/persons/", "/api/persons/autocomplete/"):
        response = _api(case_officer).get(url, {"q": "Ива\x00н"})
        assert response.status_code == 400, url
        assert "q" in response.json(), url


def test_wildcards_are_literal(scenario: Any, case_officer: User) -> None:
    percent = scenario.person("Сто%ний", "Іван")
    scenario.person("Стоматний", "Іван")
    for query, expected in (("сто%", {percent.pk}), ("сто_", set()), ("о%н", {percent.pk})):
        assert all(ids == expected for _s, _code, ids in _search_everywhere(case_officer, query)), query


@given(st.text(max_size=40))
@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_search_text_breaks_the_server(cast: Cast, case_officer: User, query: str) -> None:
    visible = set(persons_visible(user=case_officer).values_list("pk", flat=True))
    for surface, status, ids in _search_everywhere(case_officer, query):
        assert status < 500 and ids <= visible, (surface, query)


def test_ids_too_large_for_the_database_are_refused_not_crashed(cast: Cast, case_officer: User) -> None:
    api = _api(case_officer)
    for params in ({"place": "3.7e16"}, {"bulk": "-4.1e228"}, {"person": str(10**30)}):
        assert api.get("/api/events/", params).status_code in (200, 400), params
    assert api.get("/api/persons/", {"birth_year": "1e300"}).status_code == 400
    bulk = api.post("/api/events/bulk/", {
        "label": "List of 20 May", "persons": [cast.seen.pk, 10**30], "kind": "released",
        "occurred_on": "2022-05-20", "precision": "day", "source": cast.scenario.icrc.pk, "credibility": 2,
    }, format="json")
    assert bulk.status_code == 400 and "persons" in bulk.json()
    for url in (f"/persons/{10**30}/", f"/api/persons/{10**30}/", f"/api/events/{10**30}/"):
        client = api if url.startswith("/api") else _web(case_officer)
        assert client.get(url).status_code == 404, url


# --- 5. CSRF ---------------------------------------------------------------------------------


def _post(client: Client, url: str, data: dict[str, Any], *, token: bool) -> Any:
    if token:
        client.get(url)  # the form page sets the CSRF cookie
        data = {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    return client.post(url, data)


def _forms(cast: Cast) -> list[tuple[str, str, dict[str, Any], Callable[[], int]]]:
    """(who, url, form data, rows that a successful post adds to) for every form that writes."""
    seen, other = cast.seen, cast.scenario.person("Дубль", "Іван", classification="restricted")
    return [
        ("officer", "/persons/new/", {
            "family_name": "Новий", "category": "missing", "side": "own", "sex": "unknown",
            "classification": "restricted"}, Person.objects.count),
        ("officer", f"/persons/{seen.pk}/events/new/", {
            "kind": "icrc_visit", "occurred_on": "2022-08-01", "precision": "day", "credibility": 2,
            "source": cast.scenario.icrc.pk, "classification": "restricted"}, Event.objects.count),
        ("officer", f"/persons/{seen.pk}/merge/", {"other": other.pk, "reason": "Same man in two lists"},
         PersonMerge.objects.count),
        ("officer", "/persons/break-glass/", {"person": cast.hidden.pk,
                                               "reason": "Exchange list of 20 May names him"},
         BreakGlass.objects.count),
        ("analyst", "/statistics/", {"title": "Briefing", "note": ""}, StatisticsRelease.objects.count),
    ]


def test_every_form_that_writes_needs_the_csrf_token(cast: Cast, case_officer: User, analyst: User) -> None:
    users = {"officer": case_officer, "analyst": analyst}
    for who, url, data, rows in _forms(cast):
        client = _web(users[who], enforce_csrf_checks=True)
        before = rows()
        assert _post(client, url, data, token=False).status_code == 403, url
        assert rows() == before, url
        response = _post(client, url, data, token=True)
        assert response.status_code == 302, (url, getattr(response.context.get("form"), "errors", None))
        assert rows() == before + 1, url


def test_the_api_with_a_session_needs_the_csrf_token(case_officer: User) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(case_officer)
    person = {"family_name": "Новий", "category": "missing"}
    refused = client.post("/api/persons/", person, format="json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert not Person.objects.exists()
    client.get("/persons/new/")
    token = client.cookies["csrftoken"].value
    assert client.post("/api/persons/", person, format="json", HTTP_X_CSRFTOKEN=token).status_code == 201
    assert Person.objects.filter(family_name="Новий").exists()
