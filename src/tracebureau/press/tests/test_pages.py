"""The press centre's pages and the public page."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tracebureau.core.models import User
from tracebureau.press import services
from tracebureau.press.choices import TableKey
from tracebureau.press.models import Release
from tracebureau.press.tests.conftest import World


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def published_release(press: User, analyst: User, head: User) -> Release:
    release = services.release_draft(
        by=press, title="Weekly figures", tables=[TableKey.FLOWS, TableKey.EXCHANGES]
    )
    services.release_review(by=analyst, release=release)
    services.release_approve(by=head, release=release)
    services.release_publish(by=press, release=release)
    return release


def test_the_public_reads_published_releases_without_signing_in(
    world: World, press_officer: User, analyst: User, head_of_press: User
) -> None:
    release = published_release(press_officer, analyst, head_of_press)
    draft = services.release_draft(by=press_officer, title="Not yet", tables=[TableKey.FLOWS])
    public = Client()
    listing = public.get("/releases/").content.decode()
    assert "Weekly figures" in listing and "Not yet" not in listing
    page = public.get(f"/releases/{release.reference}/")
    assert page.status_code == 200 and b"<svg" in page.content
    assert b"Sign in" not in page.content or b"/accounts/login/" not in page.content
    assert public.get(f"/releases/{draft.reference}/").status_code == 404
    assert public.get(f"/releases/{draft.reference}/figures.csv").status_code == 404
    csv = public.get(f"/releases/{release.reference}/figures.csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "table,row,column,value,note"
    # The public never gets the true count of what is held back.
    assert "true count" not in page.content.decode()


def test_the_press_officer_sees_what_is_held_back_and_why(
    world: World, press_officer: User, settings: Any
) -> None:
    settings.TRACEBUREAU_PRESS_MIN_CELL = 5
    response = signed_in(press_officer).post(
        "/press/",
        {
            "title": "Weekly",
            "note": "",
            "tables": [TableKey.BY_STATUS_AND_CATEGORY],
            "period": "month",
            "min_cell": 5,
            "rounding": 1,
        },
    )
    release = Release.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/press/{release.pk}/"
    page = signed_in(press_officer).get(f"/press/{release.pk}/").content.decode()
    assert "fewer than 5" in page and "reason-primary" in page
    assert "Mark as reviewed" not in page  # not by the one who drafted it


def test_a_bad_draft_form_names_the_field(world: World, press_officer: User) -> None:
    response = signed_in(press_officer).post(
        "/press/",
        {
            "title": "Weekly",
            "tables": [TableKey.FLOWS],
            "period": "month",
            "min_cell": 2,
            "rounding": 1,
        },
    )
    assert response.status_code == 200 and not Release.objects.exists()
    assert "may be raised, not lowered" in response.content.decode()


def test_the_workflow_on_the_page(
    world: World, press_officer: User, analyst: User, head_of_press: User
) -> None:
    release = services.release_draft(by=press_officer, title="Weekly", tables=[TableKey.FLOWS])
    url = f"/press/{release.pk}/"
    assert signed_in(analyst).post(url, {"action": "review", "note": "ok"}).status_code == 302
    refused = signed_in(analyst).post(url, {"action": "approve", "note": ""})
    assert refused.status_code == 403
    assert signed_in(head_of_press).post(url, {"action": "approve", "note": ""}).status_code == 302
    assert signed_in(press_officer).post(url, {"action": "publish", "note": ""}).status_code == 302
    assert [s.state for s in release.steps.all()] == ["reviewed", "approved", "published"]


def test_others_do_not_see_the_press_centre(world: World, case_officer: User, press_officer: User) -> None:
    release = services.release_draft(by=press_officer, title="Weekly", tables=[TableKey.FLOWS])
    assert signed_in(case_officer).get("/press/").status_code == 403
    assert signed_in(case_officer).get(f"/press/{release.pk}/").status_code == 404


def test_the_page_offers_no_step_its_reader_may_not_take(
    world: World, press_officer: User, head_of_press: User, analyst: User
) -> None:
    release = services.release_draft(by=press_officer, title="Weekly", tables=[TableKey.FLOWS])
    services.release_review(by=head_of_press, release=release)
    page = signed_in(head_of_press).get(f"/press/{release.pk}/").content.decode()
    assert "Approve for publication" not in page  # the head reviewed it: someone else approves
    assert "Withdraw the release" in page
    assert "Withdraw the release" not in signed_in(analyst).get(f"/press/{release.pk}/").content.decode()
