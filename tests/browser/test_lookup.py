"""The family status lookup in a real browser: a mother types the reference and the one-time
code the hotline gave her and sees her son's status and its date; the code works once; wrong
guesses lock the page, and while it is locked even a new, right code gets the same refusal."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .conftest import server_shell

pytestmark = pytest.mark.browser
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "lookup.png"
REFUSAL = "We cannot show a status for this reference and code. Check both, or call the hotline."
NEW_CODE = """
from tracebureau.core.models import User
from tracebureau.families.models import Inquiry
from tracebureau.families.services import lookup_code_issue
print(lookup_code_issue(inquiry=Inquiry.objects.get(reference={reference!r}),
                        by=User.objects.get(username="family.liaison")))
"""


def look_up(page, server_url: str, reference: str, code: str) -> None:
    page.goto(f"{server_url}/status/")
    page.get_by_label("Reference number").fill(reference)
    page.get_by_label("One-time code").fill(code)
    page.get_by_role("button", name="Show the status").click()
    page.wait_for_load_state()


def test_a_mother_sees_the_status_once_and_guessing_locks_the_page(page, server_url, data_dir, tmp_path):
    given = json.loads((data_dir / "lookup.json").read_text(encoding="utf-8"))
    reference, code = given["reference"], given["code"]

    look_up(page, server_url, reference, code)
    answer = page.get_by_role("status")
    assert answer.locator("#lookup-wording").inner_text() == "Captivity confirmed by the ICRC"
    assert "Unchanged since 2022-09-10." in answer.inner_text()
    shown = page.locator("body").inner_text()
    for secret in ("Козацьк", "Дмитро", "Brigade", "Olenivka", "Azovstal", reference, "Sign out"):
        assert secret not in shown, secret
    assert page.get_by_label("Reference number").input_value() == ""  # nothing typed stays
    target = DOCS_SCREENSHOT if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path / "lookup.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000

    # The code has been used: the same refusal as for any wrong code.
    look_up(page, server_url, reference, code)
    assert page.get_by_role("alert").inner_text() == REFUSAL
    refusal = page.locator("main").inner_text()
    assert "Captivity" not in refusal

    # Guesses, until the page locks (TRACEBUREAU_LOOKUP_MAX_FAILURES, 5 by default).
    for guess in ("22222222", "33333333", "44444444", "55555555", "66666666"):
        look_up(page, server_url, reference, guess)
        assert page.locator("main").inner_text() == refusal
    # The family calls the hotline for a new code; while the lockout lasts it is refused alike.
    new_code = server_shell(data_dir, NEW_CODE.format(reference=reference)).split()[-1]
    assert new_code.isdigit() and new_code != code
    look_up(page, server_url, reference, new_code)
    assert page.locator("main").inner_text() == refusal

    # The page, in Ukrainian, without signing in.
    page.get_by_label("Language").select_option("uk")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_url(f"{server_url}/status/")
    assert page.locator("html").get_attribute("lang") == "uk"
