"""An analyst's way through an incoming list, in a real browser with the real job worker: upload
a CSV, map its columns, wait for the matching, accept one row, reject one, register one as a
new person, and find the accepted row on the person's timeline."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from .conftest import sign_in

pytestmark = pytest.mark.browser
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "review-queue.png"
LIST_CSV = (
    "№,Фамилия,Имя,Отчество,Дата рождения,Личный номер\n"
    "1,Бондаренко,Максим,Игоревич,21.07.1995,CD654321\n"
    "2,Шевченко-1,Андрей,,,\n"
    "3,Петренко,Олег,Иванович,1985,\n"
)


def test_an_analyst_reconciles_a_list(page, server_url, tmp_path):
    sign_in(page, server_url, landing="/lists/")
    page.wait_for_url(f"{server_url}/lists/")
    page.get_by_role("button", name="Upload a list").click()
    csv_file = tmp_path / "adversary-2022-06-10.csv"
    csv_file.write_text(LIST_CSV, encoding="utf-8")
    page.get_by_label(re.compile(r"^List \(CSV or XLSX\)")).set_input_files(str(csv_file))
    page.get_by_label(re.compile(r"^Title")).fill("Adversary's list of 2022-06-10")
    page.get_by_label(re.compile(r"^Source")).select_option(label="Telegram channel (E)")
    page.get_by_label(re.compile(r"^Received on")).fill("2022-06-10")
    page.get_by_label(re.compile(r"^What the list reports")).select_option("proof_of_life")
    page.get_by_role("button", name="Next: the columns").click()

    page.wait_for_url(re.compile(r"/lists/upload/columns/$"))
    assert page.get_by_label("Family name").input_value() == "Фамилия"  # guessed from the header
    assert page.get_by_label("Date of birth").input_value() == "Дата рождения"
    page.get_by_role("button", name="Store the list and match it").click()

    page.wait_for_url(re.compile(r"/lists/\d+/$"))
    # The job runs in the worker; the page polls its progress and reloads when it is done.
    page.wait_for_selector("#job[data-status='done']", timeout=60_000)
    assert "Done" in page.locator("#job").inner_text()
    counts = page.locator(".queue-filters").inner_text()
    assert "Undecided 3" in counts and "All 3" in counts

    bondarenko = page.locator("#row-2")
    assert "Бондаренко Максим Ігорович" in bondarenko.locator(".candidates").inner_text()
    bondarenko.get_by_role("button", name="Accept: Бондаренко Максим Ігорович").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text="Row 2 accepted").is_visible()

    page.locator("#row-3").get_by_role("button", name="Reject").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text="Row 3 rejected.").is_visible()

    petrenko = page.locator("#row-4")
    petrenko.get_by_label("Category").select_option("prisoner_of_war")
    petrenko.get_by_role("button", name="Create a new person").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text="registered as a new person").is_visible()
    counts = page.locator(".queue-filters").inner_text()
    assert "Undecided 0" in counts and "Accepted 1" in counts and "Rejected 1" in counts

    page.get_by_role("link", name=re.compile(r"^All")).click()
    target = DOCS_SCREENSHOT if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path / "review-queue.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000

    page.locator("#row-2 .decision").get_by_role("link", name="Бондаренко Максим Ігорович").click()
    timeline = page.locator("table.timeline").inner_text()
    assert "Proof of life" in timeline and "2022-06-10" in timeline
    assert "Adversary's list of 2022-06-10" in timeline  # the event's note names the list
