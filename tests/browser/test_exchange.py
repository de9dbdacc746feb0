"""One exchange in a real browser, from the draft to the verified return: the coordinator lists
two of ours and two of theirs, proposes, sees the formula hold, agrees, records the execution,
uploads the arrivals list (Russian spellings, one of ours did not come), verifies, and finds
the return on the person's page."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from .conftest import sign_in

pytestmark = pytest.mark.browser
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "exchange.png"
ARRIVALS = "№,Фамилия,Имя,Отчество,Дата рождения\n1,Ярошенко,Тарас,Богданович,09.04.1991\n"


def _record_number(page, server_url: str, name: str) -> str:
    page.goto(f"{server_url}/persons/?q={name}")
    page.get_by_role("link", name=re.compile(name)).first.click()
    return "#" + re.search(r"/persons/(\d+)/", page.url).group(1)


def _status(page, text: str) -> None:
    assert page.get_by_role("status").filter(has_text=text).is_visible()


def test_an_exchange_from_proposal_to_verification(page, server_url, tmp_path):
    sign_in(page, server_url, landing="/exchanges/", username="exchange.coordinator")
    names = ("Ярошенко", "Гнатюк", "Соколов", "Волков")
    numbers = {name: _record_number(page, server_url, name) for name in names}
    page.goto(f"{server_url}/exchanges/")
    page.get_by_role("button", name="Draft a new exchange").click()
    page.get_by_label("Reference").fill("EX-2022-10-06")
    page.get_by_label("Title").fill("Exchange of prisoners, two for two")
    page.get_by_label("Kind").select_option("prisoners")
    page.get_by_label("Counterpart").fill("Russian Federation")
    page.get_by_label("Mediator").fill("ICRC")
    page.get_by_label("Agreed number, ours").fill("2")
    page.get_by_label("Agreed number, theirs").fill("2")
    page.get_by_role("button", name="Save").click()
    _status(page, "Exchange drafted")

    for name, side in (("Ярошенко", "requested"), ("Гнатюк", "requested"), ("Соколов", "offered"),
                       ("Волков", "offered")):
        form = page.locator("#add-form")
        form.get_by_label("List").select_option(side)
        form.get_by_label("Person").fill(numbers[name])
        form.get_by_label("Reason").fill("Held in Olenivka since May 2022")
        form.get_by_role("button", name="Add to the list").click()
        _status(page, "Added to the list.")
    assert "The lists keep the formula." in page.locator("#formula-kept").inner_text()

    step = page.locator("#step-form")
    step.get_by_label("Reason").fill("Proposed through the ICRC on 2022-09-30")
    page.get_by_role("button", name="Propose", exact=True).click()
    _status(page, "The exchange is now Proposed")
    step.get_by_label("Reason").fill("Agreed by both sides on 2022-10-04")
    page.get_by_role("button", name="Agree", exact=True).click()
    _status(page, "The exchange is now Agreed")
    step.get_by_label("Reason").fill("Carried out at the crossing point")
    step.get_by_label("Executed on").fill("2022-10-06")
    page.get_by_role("button", name="Record as executed").click()
    _status(page, "The exchange is now Executed")

    arrivals = tmp_path / "arrivals-2022-10-06.csv"
    arrivals.write_text(ARRIVALS, encoding="utf-8")
    page.get_by_label(re.compile(r"^Arrivals list")).set_input_files(str(arrivals))
    page.get_by_role("button", name="Match the arrivals list").click()
    _status(page, "Arrivals list matched")
    outcome = page.locator("#outcome-table").inner_text()
    assert re.search(r"Ярошенко Тарас Богданович.*Returned", outcome)
    assert re.search(r"Гнатюк Василь Романович.*Not returned", outcome)

    page.get_by_label("How the returns were verified").fill("Checked by face and documents at the point")
    page.get_by_role("button", name="Verify the exchange").click()
    _status(page, "Verified")
    assert "Verified" in page.locator("#exchange-state").inner_text()
    target = DOCS_SCREENSHOT if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path / "exchange.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000

    page.get_by_role("link", name="Ярошенко Тарас Богданович").first.click()
    assert "EX-2022-10-06" in page.locator("#person-exchanges").inner_text()
    assert "Released" in page.locator("#status-heading").locator("..").inner_text()
    page.goto(f"{server_url}/exchanges/")
    assert "Гнатюк Василь Романович" in page.get_by_role("region", name="Still awaited").inner_text()
