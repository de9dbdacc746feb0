"""A case officer's way through the pages, in a real browser: sign in with the keyboard, find
a person, read the status and why, record an event."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django_otp.oath import totp

from .conftest import PASSWORD, TOTP_KEY, USERNAME

pytestmark = pytest.mark.browser
# The committed screenshot is refreshed only on request (UPDATE_SCREENSHOTS=1), so a test run
# leaves the working tree clean; otherwise it is still taken, into a temporary folder.
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "person-page.png"


def required(label: str) -> re.Pattern[str]:
    """A required field's label, which ends in a (visual only) asterisk."""
    return re.compile(rf"^{label}\s*\*?$")


@pytest.fixture(scope="module")
def signed_in(browser, server_url):
    """A case officer's signed-in browser state, after the password and the code, all typed.

    Signed in once for the module: a TOTP code is accepted once, so a second sign-in within
    the same 30 seconds would have to wait for the next code.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{server_url}/persons/")
    assert "/accounts/login/" in page.url
    assert page.evaluate("document.activeElement.id") == "id_username"  # autofocus
    page.keyboard.type(USERNAME)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accounts/two-factor/\?next="))
    assert page.evaluate("document.activeElement.id") == "id_code"
    page.keyboard.type(f"{totp(TOTP_KEY):06d}")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server_url}/persons/")
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def page(browser, signed_in):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", storage_state=signed_in
    )
    page = context.new_page()
    yield page
    context.close()


def sign_in_with_the_keyboard(page, server_url: str) -> None:
    """The signed-in state is the `signed_in` fixture's; open the first page with it."""
    page.goto(f"{server_url}/persons/")
    assert page.url == f"{server_url}/persons/"


def test_a_case_officer_finds_a_person_and_records_an_event(page, server_url, tmp_path):
    sign_in_with_the_keyboard(page, server_url)
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.skip-link')).position"
    ) == "absolute", "app.css did not load"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.get_by_label("Name, service number, call sign or date of birth").fill("Kozatskyi")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=Kozatskyi"))
    assert page.locator(".result-count").inner_text().strip() == "1 person found"
    page.get_by_role("link", name="Козацький Дмитро Олександрович").click()

    status = page.locator(".status-box")
    assert "In custody" in status.inner_text()
    assert "4 of 5" in status.inner_text()
    assert "Confirmed by the ICRC" in status.inner_text()
    assert "Unconfirmed report, not counted: Killed" in status.inner_text()
    timeline = page.locator("table.timeline")
    assert timeline.locator("tbody tr").count() == 7
    assert "Retracted: Another sailor of the same name" in timeline.inner_text()

    page.get_by_role("button", name="Record event").click()
    page.wait_for_url(re.compile(r"/events/new/$"))
    page.get_by_label(required("Kind")).select_option("proof_of_life")
    page.get_by_label(required("Date")).fill(dt.date(2022, 11, 3).isoformat())
    page.get_by_label("Place").select_option(label="Olenivka colony")
    page.get_by_label(required("Source")).select_option(label="ICRC notification (A)")
    page.get_by_label("Note").fill("Letter to his mother, delivered by the ICRC")
    page.get_by_role("button", name="Record event").click()

    assert page.get_by_role("status").filter(has_text="Event recorded.").is_visible()
    assert "Proof of life" in page.locator("table.timeline").inner_text()
    assert "2022-11-03" in page.locator(".status-box").inner_text()  # the last sign of life
    target = DOCS_SCREENSHOT if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path / "person-page.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000


@pytest.mark.parametrize("path", ["/persons/", "/persons/1/", "/persons/1/events/new/", "/timeline/bulk/"])
def test_pages_fit_a_phone_without_sideways_scrolling(page, server_url, path):
    sign_in_with_the_keyboard(page, server_url)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server_url}{path}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_language_switcher_shows_ukrainian(page, server_url):
    sign_in_with_the_keyboard(page, server_url)
    page.select_option("#language-select", "uk")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "uk"
    assert page.get_by_role("heading", level=1).inner_text() == "Особи"


@pytest.mark.parametrize("path", ["/persons/", "/persons/1/", "/api/docs/", "/accounts/tokens/"])
def test_pages_break_no_rule_of_the_content_security_policy(page, server_url, path):
    refused = []
    def note(message):
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", note)
    page.goto(f"{server_url}{path}")
    page.wait_for_load_state("networkidle")
    assert refused == []
    if path == "/api/docs/":
        assert page.locator(".swagger-ui .info .title").inner_text().startswith("tracebureau API")
