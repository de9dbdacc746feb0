"""The press releases API: /api/press-releases/ for the press centre, /api/public-releases/ for
anyone."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from tracebureau.core.models import User
from tracebureau.press import services
from tracebureau.press.choices import TableKey
from tracebureau.press.models import Release
from tracebureau.press.tests.conftest import World


def client_of(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def draft(by: User, title: str = "Weekly") -> Release:
    return services.release_draft(by=by, title=title, tables=[TableKey.BY_STATUS_AND_CATEGORY])


def published(by: User, *, reviewer: User, head: User) -> Release:
    release = draft(by, "Published")
    services.release_review(by=reviewer, release=release)
    services.release_approve(by=head, release=release)
    services.release_publish(by=by, release=release)
    return release


def true_total(body: dict[str, Any]) -> int:
    return sum(sum(row) for row in body["tables"][0]["counts"])


# --- the press centre


def test_the_press_centre_lists_and_reads_releases_with_true_counts(
    world: World, press_officer: User
) -> None:
    release = draft(press_officer)
    api = client_of(press_officer)
    listed = api.get("/api/press-releases/")
    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 1
    assert body["results"][0]["reference"] == release.reference
    assert body["results"][0]["state"] == "draft"
    assert "tables" not in body["results"][0]

    detail = api.get(f"/api/press-releases/{release.pk}/").json()
    assert detail["state"] == "draft"
    table = detail["tables"][0]
    assert table["key"] == TableKey.BY_STATUS_AND_CATEGORY
    assert set(table["published"]) == {"cells", "row_totals", "column_totals", "total"}
    assert set(table["reasons"]) == {"cells", "row_totals", "column_totals", "total"}
    assert true_total(detail) == 19 and table["published"]["total"] == 19
    assert [step["state"] for step in detail["steps"]] == []
    assert [check["stage"] for check in detail["checks"]] == ["draft"]


def test_whoever_is_not_in_the_press_centre_sees_no_release(
    world: World, press_officer: User, case_officer: User
) -> None:
    release = draft(press_officer)
    api = client_of(case_officer)
    assert api.get("/api/press-releases/").json()["count"] == 0
    assert api.get(f"/api/press-releases/{release.pk}/").status_code == 404
    assert api.post(f"/api/press-releases/{release.pk}/review/", {"note": ""}).status_code == 404
    drafted = api.post("/api/press-releases/", {"title": "x", "tables": ["flows"]}, format="json")
    assert drafted.status_code == 403


def test_a_draft_is_made_through_the_api(world: World, press_officer: User) -> None:
    response = client_of(press_officer).post(
        "/api/press-releases/",
        {"title": "  Quarterly  ", "tables": ["status_category", "flows"], "period": "quarter"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["title"], body["state"], body["period"]) == ("Quarterly", "draft", "quarter")
    assert [t["key"] for t in body["tables"]] == ["status_category", "flows"]
    release = Release.objects.get()
    assert body["id"] == release.pk and release.created_by == press_officer


def test_a_draft_with_bad_parameters_is_refused_by_field(world: World, press_officer: User) -> None:
    api = client_of(press_officer)
    response = api.post(
        "/api/press-releases/", {"title": "Low", "tables": ["flows"], "min_cell": 2}, format="json"
    )
    assert response.status_code == 400
    assert "min_cell" in response.json()
    response = api.post("/api/press-releases/", {"title": "None", "tables": ["nope"]}, format="json")
    assert response.status_code == 400 and "tables" in response.json()
    assert not Release.objects.exists()


def test_nobody_reviews_or_approves_their_own_draft(
    world: World, press_officer: User, head_of_press: User
) -> None:
    release = draft(head_of_press)
    api = client_of(head_of_press)
    response = api.post(f"/api/press-releases/{release.pk}/review/", {"note": "fine"}, format="json")
    assert response.status_code == 400
    assert "colleague" in str(response.json())
    reviewed = client_of(press_officer).post(
        f"/api/press-releases/{release.pk}/review/", {"note": "checked"}, format="json"
    )
    assert reviewed.status_code == 200 and reviewed.json()["state"] == "reviewed"
    response = api.post(f"/api/press-releases/{release.pk}/approve/", {"note": ""}, format="json")
    assert response.status_code == 400
    assert client_of(press_officer).get(f"/api/press-releases/{release.pk}/").json()["state"] == "reviewed"


def test_steps_out_of_order_are_refused_and_a_role_without_the_step_is_denied(
    world: World, press_officer: User, second_press_officer: User
) -> None:
    release = draft(press_officer)
    api = client_of(second_press_officer)
    assert api.post(f"/api/press-releases/{release.pk}/publish/", {}, format="json").status_code == 400
    assert api.post(f"/api/press-releases/{release.pk}/review/", {}, format="json").status_code == 200
    # A press officer may not approve: that is the head of the press centre's.
    assert api.post(f"/api/press-releases/{release.pk}/approve/", {}, format="json").status_code == 403


def test_the_whole_way_through_the_api_and_a_withdrawal(
    world: World, press_officer: User, second_press_officer: User, head_of_press: User
) -> None:
    release = draft(press_officer)
    path = f"/api/press-releases/{release.pk}"
    assert client_of(second_press_officer).post(f"{path}/review/", {"note": "ok"}).status_code == 200
    assert client_of(head_of_press).post(f"{path}/approve/", {"note": "go"}).status_code == 200
    body = client_of(press_officer).post(f"{path}/publish/", {"note": ""}).json()
    assert body["state"] == "published"
    assert [s["state"] for s in body["steps"]] == ["reviewed", "approved", "published"]
    assert [c["stage"] for c in body["checks"]] == ["draft", "publication"]
    assert client_of(press_officer).post(f"{path}/withdraw/", {"note": "late"}).status_code == 400

    other = draft(press_officer, "Other")
    api = client_of(press_officer)
    assert api.post(f"/api/press-releases/{other.pk}/withdraw/", {}).status_code == 400
    withdrawn = api.post(f"/api/press-releases/{other.pk}/withdraw/", {"note": "wrong period"})
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"


# --- the public


def test_the_public_reads_only_published_figures_without_signing_in(
    world: World, press_officer: User, second_press_officer: User, head_of_press: User
) -> None:
    done = published(press_officer, reviewer=second_press_officer, head=head_of_press)
    pending = draft(press_officer, "Pending")
    api = APIClient()
    listed = api.get("/api/public-releases/")
    assert listed.status_code == 200
    assert [r["reference"] for r in listed.json()["results"]] == [done.reference]
    assert listed.json()["results"][0]["published_at"]

    response = api.get(f"/api/public-releases/{done.reference}/")
    assert response.status_code == 200
    body = response.json()
    table = body["tables"][0]
    assert set(table) == {"key", "title", "rows", "columns", "published", "definition"}
    assert table["published"]["total"] == 19
    text = response.content.decode()
    assert "counts" not in text and "reasons" not in text and "queries" not in text
    assert api.get(f"/api/public-releases/{pending.reference}/").status_code == 404
    assert api.get("/api/public-releases/PR-1999-0001/").status_code == 404


def test_the_public_endpoint_is_read_only(world: World, press_officer: User) -> None:
    api = APIClient()
    assert api.post("/api/public-releases/", {"title": "x"}).status_code == 405
    assert api.get("/api/press-releases/").status_code in (401, 403)
