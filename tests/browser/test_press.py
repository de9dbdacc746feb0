"""A press release in a real browser, from the draft to the public page: the press officer
counts and drafts, sees each figure held back struck through with its reason, an analyst marks
it reviewed, the head of the press centre approves, the press officer publishes; then someone
who never signed in finds it at /releases/, with its tables, charts and CSV."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from .conftest import sign_in

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs"
TITLE = "Our people in captivity: figures for the briefing"


def _screenshot(page, name: str, tmp_path: Path) -> None:
    target = DOCS / name if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path / name
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000


def _signed_in(browser, server_url: str, username: str, landing: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    sign_in(page, server_url, landing=landing, username=username)
    return context, page


def _step(page, button: str, note: str) -> None:
    form = page.locator("form").filter(has=page.get_by_role("button", name=button, exact=True))
    form.get_by_label("Note").fill(note)
    form.get_by_role("button", name=button, exact=True).click()
    assert page.get_by_role("status").filter(has_text="Recorded.").is_visible()


def test_a_release_from_draft_to_the_public_page(page, browser, server_url, tmp_path):
    sign_in(page, server_url, landing="/press/", username="press.officer", second_factor=False)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Note published with the figures").fill("Counted from the registry.")
    for label in ("Our people by situation and category", "Our people by agency and situation"):
        page.get_by_label(label).check()
    page.get_by_label("Exchanges: who came home, per exchange and in all").uncheck()
    page.get_by_label("Period of the tables over time").select_option("quarter")
    assert page.get_by_label("Smallest count published").input_value() == "3"
    assert page.get_by_label("Round counts to the nearest").input_value() == "1"
    page.get_by_role("button", name="Count and draft").click()
    page.wait_for_url(re.compile(r"/press/\d+/$"))
    landing = page.url.removeprefix(server_url)
    reference = re.search(r"PR-\d{4}-\d{4}", page.locator("hgroup").inner_text()).group(0)
    assert "Draft" in page.locator("hgroup").inner_text()

    # Figures held back: the true count struck through, the reason beside it.
    held = page.locator("td.held-back")
    assert held.count() > 0
    first = held.first
    assert first.locator("s").is_visible()
    assert re.search(r"fewer than 3|protects another|paired total|differencing|held back in another table",
                     first.locator(".reason").inner_text())
    assert page.locator("td.reason-primary").count() > 0
    assert "fewer than 3" in page.locator("td.reason-primary").first.inner_text()
    assert page.get_by_role("heading", name="Disclosure checks").is_visible()
    assert "When drafted" in page.get_by_role("region", name="Disclosure checks").inner_text()
    # The drafter cannot review their own release.
    assert page.get_by_role("button", name="Mark as reviewed").count() == 0
    _screenshot(page, "press-draft.png", tmp_path)

    # Not public yet: its reference is not found.
    public = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    anonymous = public.new_page()
    assert anonymous.goto(f"{server_url}/releases/{reference}/").status == 404

    analyst_context, analyst = _signed_in(browser, server_url, "press.analyst", landing)
    _step(analyst, "Mark as reviewed", "Checked against the registry.")
    assert "Reviewed" in analyst.locator("hgroup").inner_text()
    analyst_context.close()

    head_context, head = _signed_in(browser, server_url, "press.head", landing)
    _step(head, "Approve for publication", "Approved for the briefing.")
    assert "Approved" in head.locator("hgroup").inner_text()
    head_context.close()

    page.reload()
    _step(page, "Publish", "")
    assert "Published" in page.locator("hgroup").inner_text()
    steps = page.get_by_role("region", name="Steps").inner_text()
    for who in ("press.analyst", "press.head"):
        assert who in steps
    assert "At publication" in page.get_by_role("region", name="Disclosure checks").inner_text()

    # Someone who never signed in.
    anonymous.goto(f"{server_url}/releases/")
    anonymous.get_by_role("link", name=TITLE).click()
    anonymous.wait_for_url(f"{server_url}/releases/{reference}/")
    assert anonymous.get_by_role("heading", name=TITLE).is_visible()
    tables = anonymous.locator("figure.release-table")
    assert tables.count() == 3
    assert "Our people by situation and category" in tables.first.inner_text()
    assert anonymous.locator("td.held-back abbr", has_text="×").count() > 0
    assert anonymous.locator("s").count() == 0  # no true count reaches the public
    assert anonymous.locator(".reason").count() == 0
    assert anonymous.locator(".release-chart svg").count() > 0
    assert anonymous.locator(".release-chart svg").first.is_visible()
    csv_link = anonymous.get_by_role("link", name="Download the figures (CSV)")
    assert csv_link.get_attribute("href") == f"/releases/{reference}/figures.csv"
    with anonymous.expect_download() as download:
        csv_link.click()
    assert download.value.suggested_filename == f"{reference}.csv"
    _screenshot(anonymous, "press-public.png", tmp_path)

    # A draft's reference is not found by the public either.
    page.goto(f"{server_url}/press/")
    page.get_by_label("Title").fill("A second draft, never published")
    page.get_by_role("button", name="Count and draft").click()
    page.wait_for_url(re.compile(r"/press/\d+/$"))
    draft = re.search(r"PR-\d{4}-\d{4}", page.locator("hgroup").inner_text()).group(0)
    assert draft != reference
    assert anonymous.goto(f"{server_url}/releases/{draft}/").status == 404
    assert anonymous.goto(f"{server_url}/releases/{draft}/figures.csv").status == 404
    anonymous.goto(f"{server_url}/releases/")
    assert anonymous.get_by_role("link", name="A second draft, never published").count() == 0
    public.close()
