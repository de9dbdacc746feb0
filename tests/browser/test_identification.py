"""An identification in a real browser with the real job worker: a batch's laboratory file
arrives, the batch is matched against the families, the first officer records a hand-over and
proposes the identification the DNA supports, and a second officer approves it; the person's
timeline then says "Identified"."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from .conftest import sign_in

pytestmark = pytest.mark.browser
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "identification.png"
LAB_FILE = "id,marker,allele1,allele2\nR-001,L1,a,b\nR-001,L2,a,b\nR-001,L3,b,a\nR-002,L1,c,c\nR-002,L2,c,c\n"


def test_a_remains_case_from_arrival_to_a_confirmed_identification(page, server_url, tmp_path):
    sign_in(page, server_url, landing="/identification/", username="dna.first")
    page.get_by_role("link", name="58 bodies to Kyiv").click()
    lab = tmp_path / "lab-2022-06-20.csv"
    lab.write_text(LAB_FILE, encoding="utf-8")
    page.get_by_label(re.compile(r"^Post-mortem profiles")).set_input_files(str(lab))
    page.get_by_role("button", name="Store the profiles").click()
    assert page.get_by_role("status").filter(has_text="Profiles stored.").is_visible()

    page.get_by_role("button", name="Match against all families").click()
    # The job runs in the worker; the page polls its progress and reloads when it is done.
    page.wait_for_selector("#job[data-status='done']", timeout=60_000)
    assert "2 typed remains against 1 families" in page.locator("#job").inner_text()

    page.get_by_role("link", name="R-001").click()
    candidates = page.locator("#candidates").inner_text()
    assert "Мельник Олег Іванович" in candidates and "106.9" in candidates  # 10^6.9, superscript
    page.get_by_text("Record a hand-over").click()
    page.get_by_label("When").fill("2022-06-14T10:30")
    page.get_by_label("Released by").fill("ICRC delegate")
    page.get_by_label("Received by").fill("Kyiv city morgue")
    page.get_by_role("button", name="Record the hand-over").click()
    assert page.get_by_role("status").filter(has_text="Hand-over recorded.").is_visible()

    page.get_by_role("button", name="Propose: Мельник Олег Іванович").click()
    assert (
        page.get_by_role("status")
        .filter(has_text="A second identification officer must approve")
        .is_visible()
    )
    assert "Awaiting second approval" in page.locator("#remains-state").inner_text()
    case_path = re.sub(r"^https?://[^/]+", "", page.url)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, server_url, landing=case_path, username="dna.second")
    page.get_by_label("Reason").fill("Both parents' references agree on every marker.")
    page.get_by_role("button", name="Approve the identification").click()
    assert page.get_by_role("status").filter(has_text="Identification confirmed").is_visible()
    assert "Identified" in page.locator("#remains-state").inner_text()
    target = (
        DOCS_SCREENSHOT if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path / "identification.png"
    )
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000

    page.locator("#remains-state").get_by_role("link", name="Мельник Олег Іванович").click()
    timeline = page.locator("table.timeline").inner_text()
    assert "Identified" in timeline and "Remains repatriated" in timeline and "2022-06-14" in timeline
