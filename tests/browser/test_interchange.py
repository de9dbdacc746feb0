"""The interchange in a real browser, as a case officer uses it: a batch for the ICRC Central
Tracing Agency prepared, downloaded, authorised by a colleague, recorded as sent and the
transmission log checked; then a registry's list of persons read, its dry run checked against
the registry, imported; and a list with a formula refused."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from .conftest import server_worker, sign_in

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs"
PRISONERS = ("Кузнецов Игорь Павлович", "Морозов Денис Олегович", "Павлов Егор Сергеевич")
HEADER = "ID;Прізвище;Ім'я;По батькові;Дата народження;Стать;Особистий номер\n"
# Generated people: no such family names anywhere else in the browser world.
LIST = HEADER + (
    "R-101;Вигаданенко;Остап;Тестович;14.02.1993;ч;TB-900001\n"
    "R-102;Вигаданенко;Тарас;Тестович;03.11.1995;ч;TB-900002\n"
)
FORMULA_LIST = HEADER + (
    "R-201;Придуманчук;Богдан;Тестович;01.01.1990;ч;TB-900003\n"
    "R-202;Придуманчук;Марко;Тестович;02.02.1991;ч;=1+1\n"
)


@pytest.fixture(scope="module")
def officer_context(browser, server_url: str):
    """The case officer, signed in once for the module: a second factor's code is used once, so
    signing in again soon means waiting for the next."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    sign_in(context.new_page(), server_url, landing="/persons/", username="cta.officer")
    yield context
    context.close()


@pytest.fixture
def officer(officer_context):
    page = officer_context.new_page()
    yield page
    page.close()


def _screenshot(page, name: str, tmp_path: Path) -> None:
    target = DOCS / name if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path / name
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000


def _status(page, text: str) -> None:
    assert page.get_by_role("status").filter(has_text=text).is_visible()


def _step(page, summary: str):
    """The form of one step of a batch, its <details> opened."""
    details = page.locator("details").filter(has=page.locator("summary", has_text=re.compile(f"^{summary}$")))
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details


def _pending(page) -> dict[str, int]:
    table = page.locator("table.pending")
    assert table.locator("caption").inner_text() == "Waiting for the next batch"
    rows = table.locator("tbody tr")
    return {
        rows.nth(n).locator("th").inner_text(): int(rows.nth(n).locator("td").inner_text())
        for n in range(rows.count())
    }


def _found(page, server_url: str, query: str) -> str:
    page.goto(f"{server_url}/persons/?q={query}")
    return page.locator("p.result-count").inner_text()


def test_a_batch_prepared_authorised_sent_and_the_log_checked(officer, browser, server_url, tmp_path):
    page = officer
    page.goto(f"{server_url}/persons/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Interchange").click()
    page.wait_for_url(f"{server_url}/interchange/")
    pending = _pending(page)
    assert pending["Capture card"] >= len(PRISONERS)
    assert pending["Notification of death"] == 2  # Павлов's death, and his grave
    assert "Notification of change of situation" in pending
    page.get_by_role("button", name="Prepare a batch").click()
    page.wait_for_url(re.compile(r"/interchange/batches/\d+/$"))
    landing = page.url.removeprefix(server_url)
    heading = page.locator("hgroup").inner_text()
    reference = re.search(r"CTA-\d{4}-\d{4}", heading).group(0)
    _status(page, f"{reference} is prepared")
    assert "Prepared, not yet authorised" in heading

    items = page.get_by_role("region", name=re.compile(r"\d+ items?"))
    assert f"{sum(pending.values())} items" in items.get_by_role("heading").inner_text()
    listed = items.locator("tbody").inner_text()
    for name in PRISONERS:
        assert name in listed
    assert "Kharkiv collection point" in listed
    assert re.search(r"Notification of death\s+TB-\d{7}\s+Павлов Егор Сергеевич\s+Buried", listed)
    facts = page.locator("dl.facts").inner_text()
    assert re.search(r"Digest \(chained\)\s+[0-9a-f]{64}", facts)
    assert re.search(r"Seal\s+\S{16,}", facts)
    # Its preparer may not authorise it; a colleague must.
    assert page.locator("summary", has_text="Authorise").count() == 0
    assert page.get_by_text("A colleague other than who prepared it authorises it.").is_visible()

    with page.expect_download() as download:
        page.get_by_role("button", name="PDF", exact=True).click()
    assert download.value.suggested_filename == f"{reference}.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # A colleague authorises it, in their own browser.
    colleague = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    second = colleague.new_page()
    sign_in(second, server_url, landing=landing, username="cta.analyst")
    form = _step(second, "Authorise")
    form.get_by_label("Note").fill("Checked against the collection point's register.")
    form.get_by_role("button", name="Authorise this batch").click()
    _status(second, "Authorised: it may now be sent.")
    assert "Authorised" in second.locator("hgroup").inner_text()
    colleague.close()

    # The preparer records it as sent, and must say how.
    page.reload()
    assert "Authorised" in page.locator("hgroup").inner_text()
    form = _step(page, "Record as sent")
    form.get_by_role("button", name="It was sent").click()
    form = _step(page, "Record as sent")
    assert "Say how it was sent" in form.inner_text()
    assert "Sent" not in page.locator("hgroup").inner_text()
    form.get_by_label("Note").fill("Secure e-mail to the ICRC delegation, acknowledged.")
    form.get_by_role("button", name="It was sent").click()
    _status(page, "Recorded as sent.")
    assert "Sent" in page.locator("hgroup").inner_text()
    steps = page.get_by_role("region", name="Steps").inner_text()
    assert re.search(
        r"Authorised: cta\.analyst, .* — Checked against the collection point's register\.", steps
    )
    assert re.search(r"Sent: cta\.officer, .* — Secure e-mail to the ICRC delegation", steps)
    assert page.locator("details").count() == 0  # nothing left to do with it
    _screenshot(page, "interchange-batch.png", tmp_path)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Interchange").click()
    batches = page.locator("table.striped").filter(has_text=reference).inner_text()
    assert re.search(rf"{reference}\s+Sent", batches)
    assert all(n == 0 for n in _pending(page).values())
    page.get_by_role("button", name="Check the transmission log").click()
    _status(page, "The transmission log is intact")


def test_a_registry_list_read_dry_then_imported(officer, server_url, data_dir, tmp_path):
    page = officer
    page.goto(f"{server_url}/interchange/")
    page.get_by_role("link", name=re.compile(r"^Import persons from a registry's list")).click()
    page.wait_for_url(f"{server_url}/interchange/persons/")
    listed = tmp_path / "register-extract.csv"
    listed.write_text(LIST, encoding="utf-8")
    page.get_by_label("CSV or XLSX file").set_input_files(str(listed))
    page.get_by_label("Where the list comes from").fill("Register of persons missing (generated)")
    page.get_by_label("Source").select_option(label="ICRC notification (A)")
    page.get_by_role("button", name="Read the file").click()
    page.wait_for_url(f"{server_url}/interchange/persons/review/")

    report = page.get_by_role("region", name="Dry run: what the import would do")
    assert report.is_visible()
    assert report.locator("ul.state-counts").inner_text().split() == ["new", "2"]
    rows = report.locator("tbody").inner_text()
    assert "Вигаданенко Остап Тестович" in rows
    assert "Вигаданенко Тарас Тестович" in rows
    _screenshot(page, "interchange-import.png", tmp_path)

    # A dry run writes nothing: the registry does not know them yet.
    other = page.context.new_page()
    assert _found(other, server_url, "Вигаданенко") == "0 persons found"

    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url(re.compile(rf"^{re.escape(server_url)}/interchange/imports/jobs/\d+/$"))
    assert page.get_by_role("button", name="Cancel the import").is_visible()
    server_worker(data_dir)  # the task worker commits it; the page follows and reloads itself
    page.get_by_role("status").filter(has_text="Imported register-extract.csv").wait_for(timeout=10_000)
    _status(page, "Imported register-extract.csv: 2 new.")
    page.get_by_role("link", name="What the import did, record by record").click()
    page.wait_for_url(re.compile(rf"^{re.escape(server_url)}/interchange/imports/\d+/$"))
    page.goto(f"{server_url}/interchange/")
    assert "register-extract.csv" in page.get_by_role("region", name="Records in and out").inner_text()
    assert _found(other, server_url, "Вигаданенко") == "2 persons found"
    assert other.get_by_role("link", name="Вигаданенко Остап Тестович").is_visible()
    other.close()


def test_a_list_with_a_formula_is_refused(officer, server_url, tmp_path):
    page = officer
    page.goto(f"{server_url}/interchange/persons/")
    listed = tmp_path / "with-a-formula.csv"
    listed.write_text(FORMULA_LIST, encoding="utf-8")
    page.get_by_label("CSV or XLSX file").set_input_files(str(listed))
    page.get_by_label("Where the list comes from").fill("Register of persons missing (generated)")
    page.get_by_label("Source").select_option(label="ICRC notification (A)")
    page.get_by_role("button", name="Read the file").click()
    page.wait_for_load_state()
    assert page.url == f"{server_url}/interchange/persons/"
    error = page.locator(".field-error").filter(has=page.get_by_label("CSV or XLSX file")).inner_text()
    assert "Row 3, column “Особистий номер”: a formula (=1+1); paste it as a value." in error
    assert _found(page, server_url, "Придуманчук") == "0 persons found"
