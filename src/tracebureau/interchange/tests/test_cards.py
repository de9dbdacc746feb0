"""The capture card and the batch as printed: rendered to PDF, turned into PNG pages, read back.

`UPDATE_SCREENSHOTS=1 make test` also writes the first card's page to docs/capture-card.png,
the picture in the README."""

from __future__ import annotations

import os
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from tracebureau.interchange import cards, services
from tracebureau.interchange.tests.test_transmissions import held, officer, world  # noqa: F401

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).resolve().parents[4] / "docs"


def pages_of(pdf: bytes) -> list[tuple[str, object]]:
    """Each page's text and its picture at 100 dpi."""
    document = pdfium.PdfDocument(pdf)
    pages = []
    for page in document:
        text = page.get_textpage().get_text_range()
        pages.append((text, page.render(scale=100 / 72).to_pil()))
    return pages


def test_a_batch_prints_as_a_cover_a_card_per_prisoner_and_the_lists(world, officer):  # noqa: F811
    prisoner = held(
        world,
        birth_year=1999,
        birth_month=4,
        birth_day=2,
        place_of_birth="Курськ / Kursk",
        sex="male",
        nationality="Russian Federation",
        unit="в/ч 12345",
        identity_disc="Р-123456",
        next_of_kin="Иванова Мария Ивановна (mother), ул. Садовая 5, Курск",
    )
    world.event(prisoner, "captured", "2022-05-17", place=world.olenivka)
    world.event(prisoner, "health_report", "2022-05-18", note="Сильний забій, ходить сам")
    dead = held(world, "Сидоров", category="deceased")
    world.event(dead, "died_in_custody", "2022-06-03", note="Heart failure")
    world.event(dead, "buried", "2022-06-06", note="Plot 7, grave 21")

    batch = services.batch_prepare(by=officer)
    pages = pages_of(bytes(batch.pdf))

    assert len(pages) == 3  # cover, one capture card, the death list
    cover, card, deaths = (text for text, _ in pages)
    assert batch.reference in cover and "Transmission to the ICRC Central Tracing Agency" in cover
    for expected in (
        "CAPTURE CARD FOR PRISONER OF WAR",
        "КАРТКА ПРО ВЗЯТТЯ В ПОЛОН",
        "Иванов",
        "Петрович",
        "Р-123456",
        "Russian Federation",
        "Оленівська колонія",
        "Сильний забій, ходить сам",
        "TB-",
    ):
        assert expected in card, expected
    for expected in ("Сидоров", "Died in custody", "Plot 7, grave 21", "art. 120"):
        assert expected in deaths, expected
    image = pages[1][1]
    assert image.size == (827, 1170)  # A4 at 100 dpi
    darkest, lightest = image.convert("L").getextrema()
    assert darkest < 100 and lightest == 255  # ink on white paper, not a blank page
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        image.save(DOCS / "capture-card.png", optimize=True)


def test_the_same_batch_always_prints_the_same_bytes(world, officer):  # noqa: F811
    prisoner = held(world)
    world.event(prisoner, "captured", place=world.olenivka)
    batch = services.batch_prepare(by=officer)

    assert cards.render_batch(batch.content) == bytes(batch.pdf)


def test_a_civilian_internee_gets_an_internment_card(world, officer):  # noqa: F811
    internee = held(world, "Орлова", category="civilian_internee", sex="female")
    world.event(internee, "captured", place=world.olenivka)
    batch = services.batch_prepare(by=officer)

    card = pages_of(bytes(batch.pdf))[1][0]

    assert "INTERNMENT CARD" in card and "Annex III" in card and "PRISONER OF WAR" not in card
