"""Capture cards and transmission batches as printable PDF, in Ukrainian and English.

Drawn with ReportLab from the batch's data (transmissions.content_of), never from the
database, so that the PDF shows exactly what the JSON and CSV files of the batch hold. The
capture card follows the reverse of the model card of GC III Annex IV A, field by field and
numbered as there. The font (DejaVu Sans, shipped with the package) has Cyrillic, and output is
invariant: the same batch always gives the same bytes, so its digest can be checked.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.utils import translation
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from tracebureau.interchange.choices import ItemKind
from tracebureau.registry.choices import Category, Sex
from tracebureau.timeline.choices import EventKind

FONTS = Path(__file__).parent / "fonts"
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
INK = colors.HexColor("#1f2937")
RULE = colors.HexColor("#9ca3af")
PAPER = colors.HexColor("#f3f4f6")


@cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, FONTS / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD, FONTS / "DejaVuSans-Bold.ttf"))


def _style(size: float = 9, *, bold: bool = False, align: int = 0, grey: bool = False) -> ParagraphStyle:
    return ParagraphStyle(
        f"s{size}{bold}{align}{grey}",
        fontName=BOLD if bold else FONT,
        fontSize=size,
        leading=size * 1.25,
        alignment=align,
        textColor=colors.HexColor("#4b5563") if grey else INK,
    )


def _p(text: Any, size: float = 9, **kwargs: Any) -> Paragraph:
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), _style(size, **kwargs))


def _bilingual(english: str, ukrainian: str, size: float = 7.5) -> Paragraph:
    """A field's label as the card prints it: Ukrainian, then English in grey."""
    style = _style(size)
    return Paragraph(f"{escape(ukrainian)}<br/><font color='#6b7280'>{escape(english)}</font>", style)


# --- one capture card -----------------------------------------------------------------------

CARD_TITLE = ("CAPTURE CARD FOR PRISONER OF WAR", "КАРТКА ПРО ВЗЯТТЯ В ПОЛОН ВІЙСЬКОВОПОЛОНЕНОГО")
INTERNMENT_TITLE = ("INTERNMENT CARD", "КАРТКА ІНТЕРНОВАНОГО")
CIVILIANS = frozenset({Category.CIVILIAN_INTERNEE, Category.CIVILIAN_DETAINEE})


def _card_kind(category: str) -> tuple[tuple[str, str], str]:
    """A prisoner of war's capture card (GC III Annex IV A), or a civilian's internment card
    (GC IV art. 106, Annex III), with the same particulars."""
    if category in CIVILIANS:
        return INTERNMENT_TITLE, "Женевська конвенція (IV), додаток III · Geneva Convention (IV), Annex III"
    return CARD_TITLE, "Женевська конвенція (III), додаток IV A · Geneva Convention (III), Annex IV A"


CARD_AGENCY = (
    "Central Tracing Agency · International Committee of the Red Cross · Geneva",
    "Центральне агентство з розшуку · Міжнародний комітет Червоного Хреста · Женева",
)
CARD_FIELDS = (
    ("1", "Power on which the prisoner depends", "Держава, від якої залежить полонений"),
    ("2", "Name", "Прізвище"),
    ("3", "First names (in full)", "Імена (повністю)"),
    ("4", "First name of father", "Ім’я батька"),
    ("5", "Date of birth", "Дата народження"),
    ("6", "Place of birth", "Місце народження"),
    ("7", "Rank", "Військове звання"),
    ("8", "Service number", "Особистий номер"),
    ("9", "Address of family", "Адреса родини"),
    ("10", "Taken prisoner on (or coming from)", "Взятий у полон (або прибув з)"),
    ("11", "State of health", "Стан здоров’я"),
    ("12", "Present address: prisoner No., name of camp", "Теперішня адреса: № полоненого, табір"),
    ("13", "Date", "Дата"),
    ("14", "Signature", "Підпис"),
)
EXTRA_FIELDS = (
    ("sex", "Sex", "Стать"),
    ("nationality", "Nationality", "Громадянство"),
    ("mother_maiden_name", "Mother’s maiden name", "Дівоче прізвище матері"),
    ("category", "Category", "Категорія"),
    ("unit", "Unit", "Військова частина"),
    ("identity_disc", "Identity disc", "Особистий знак"),
)


def _card_values(item: dict, prepared_on: str) -> list[str]:
    person, event, card = item["person"], item["event"] or {}, item.get("card") or {}
    taken = " · ".join(x for x in (event.get("date", ""), _place(event.get("place"))) if x)
    health = card.get("health")
    present = _place(card.get("present_place"))
    return [
        person["power_served"],
        person["family_name"],
        person["given_names"],
        person["patronymic"],
        person["birth_date"],
        person["place_of_birth"],
        person["rank"],
        person["service_number"],
        "\n".join(x for x in (person["next_of_kin"], person["correspondence_address"]) if x),
        taken,
        _health(health),
        f"{person['number']} · {present}" if present else person["number"],
        prepared_on,
        "",
    ]


def _health(health: dict | None) -> str:
    if not health:
        return "— (no report / немає відомостей)"
    english, ukrainian = label(EventKind, health["kind"])
    note = f": {health['note']}" if health["note"] else ""
    return f"{ukrainian} / {english}, {health['date']}{note}"


def _place(place: dict | None) -> str:
    if not place:
        return ""
    if place.get("name_uk") and place["name_uk"] != place["name"]:
        return f"{place['name_uk']} / {place['name']}"
    return place["name"]


def card_flowables(item: dict, *, bureau: str, reference: str, prepared_on: str) -> list[Flowable]:
    """One capture card, framed, on its own page."""
    _register_fonts()
    title, convention = _card_kind(item["person"]["category"])
    rows: list[list[Any]] = [
        [_p(title[1], 12, bold=True, align=TA_CENTER)],
        [_p(title[0], 10, bold=True, align=TA_CENTER)],
        [_p(f"{CARD_AGENCY[1]}\n{CARD_AGENCY[0]}", 7.5, align=TA_CENTER, grey=True)],
        [
            _p(
                convention,
                7,
                align=TA_CENTER,
                grey=True,
            )
        ],
    ]
    values = _card_values(item, prepared_on)
    fields = [
        [_p(n, 9, bold=True), _bilingual(en, uk), _p(value, 10)]
        for (n, en, uk), value in zip(CARD_FIELDS, values, strict=True)
    ]
    extra = [
        [_p("", 8), _bilingual(en, uk), _p(_extra_value(item["person"], key), 9)]
        for key, en, uk in EXTRA_FIELDS
    ]
    body = Table(fields + extra, colWidths=[9 * mm, 62 * mm, 99 * mm])
    body.setStyle(_grid())
    head = Table(rows, colWidths=[170 * mm])
    head.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), PAPER), ("BOX", (0, 0), (-1, -1), 1.2, INK)]))
    footer = _p(
        f"{bureau} · {reference}, item {item['item']} · record {item['person']['record']}\n"
        "Prepared by the bureau from its records for the Agency (GC III art. 70, 122); field 14 is "
        "the prisoner’s own signature where the card was written by them. · Складено бюро за його "
        "записами; поле 14 — власноручний підпис полоненого, якщо картку заповнював він.",
        6.5,
        grey=True,
    )
    return [KeepTogether([head, body, Spacer(1, 3 * mm), footer]), PageBreak()]


def _extra_value(person: dict, key: str) -> str:
    value = person.get(key, "")
    if key == "sex":
        english, ukrainian = label(Sex, value)
        return f"{ukrainian} / {english}"
    if key == "category":
        english, ukrainian = label(Category, value)
        return f"{ukrainian} / {english}"
    return value


def _grid() -> TableStyle:
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BOX", (0, 0), (-1, -1), 1.2, INK),
            ("INNERGRID", (0, 0), (-1, -1), 0.4, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
    )


# --- a batch --------------------------------------------------------------------------------

KIND_TITLES: dict[str, tuple[str, str]] = {
    ItemKind.CAPTURE_CARD: ("Capture cards", "Картки про взяття в полон"),
    ItemKind.CHANGE: (
        "Notifications of change of situation (GC III art. 122)",
        "Повідомлення про зміну становища (ЖК III ст. 122)",
    ),
    ItemKind.DEATH: (
        "Notifications of death and certified list, with graves (GC III art. 120)",
        "Повідомлення про смерть і засвідчений список, з похованнями (ЖК III ст. 120)",
    ),
    ItemKind.IDENTITY: ("Corrections of identity", "Виправлення особових даних"),
}


def render_batch(content: dict) -> bytes:
    """The batch as one PDF: a cover with its counts, the capture cards, then the lists."""
    _register_fonts()
    items = content["items"]
    prepared_on = content["prepared_at"][:10]
    story: list[Flowable] = _cover(content)
    for item in items:
        if item["kind"] == ItemKind.CAPTURE_CARD:
            story += card_flowables(
                item, bureau=content["bureau"], reference=content["reference"], prepared_on=prepared_on
            )
    for kind in (ItemKind.CHANGE, ItemKind.DEATH, ItemKind.IDENTITY):
        chosen = [i for i in items if i["kind"] == kind]
        if chosen:
            story += _list_section(kind, chosen)
    return _build(
        story,
        title=f"{content['reference']} — ICRC Central Tracing Agency",
        footer=f"{content['bureau']} · {content['reference']}",
    )


def render_card(item: dict, *, bureau: str, reference: str, prepared_on: str) -> bytes:
    """A single capture card, for printing one person's card outside a batch."""
    _register_fonts()
    story = card_flowables(item, bureau=bureau, reference=reference, prepared_on=prepared_on)
    return _build(story[:-1], title=CARD_TITLE[0], footer=bureau)


def _build(story: list[Flowable], *, title: str, footer: str) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=footer,
        invariant=True,
    )

    def number_pages(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(colors.HexColor("#6b7280"))
        canvas.drawString(20 * mm, 10 * mm, footer)
        canvas.drawRightString(190 * mm, 10 * mm, str(document.page))
        canvas.restoreState()

    doc.build(story, onFirstPage=number_pages, onLaterPages=number_pages)
    return buffer.getvalue()


def _cover(content: dict) -> list[Flowable]:
    counts = content["counts"]
    rows = [
        [_p(f"{uk}\n{en}", 9), _p(counts.get(kind, 0), 11, bold=True)]
        for kind, (en, uk) in KIND_TITLES.items()
    ]
    table = Table(rows, colWidths=[140 * mm, 30 * mm])
    table.setStyle(_grid())
    previous = content["previous"] or "—"
    return [
        _p(content["bureau"], 10, grey=True),
        Spacer(1, 4 * mm),
        _p("Передання до Центрального агентства з розшуку МКЧХ", 15, bold=True),
        _p("Transmission to the ICRC Central Tracing Agency", 13, bold=True),
        Spacer(1, 6 * mm),
        _p(f"Reference / Номер: {content['reference']}", 10),
        _p(f"Prepared / Складено: {content['prepared_at']}", 10),
        _p(f"Follows / Після: {previous} · {content['previous_digest'] or ''}", 8, grey=True),
        Spacer(1, 6 * mm),
        table,
        Spacer(1, 6 * mm),
        _p(
            "The digests of this PDF and of its CSV and JSON files are kept in the bureau’s "
            "transmission log, chained to the batch before. · Хеші цього PDF і файлів CSV та JSON "
            "зберігаються в журналі передань бюро, у ланцюжку з попередньою партією.",
            8,
            grey=True,
        ),
        PageBreak(),
    ]


def _list_section(kind: str, items: list[dict]) -> list[Flowable]:
    english, ukrainian = KIND_TITLES[kind]
    header = [
        "№",
        "Prisoner No. / № полоненого",
        "Name / Ім’я",
        "Born / Нар.",
        "What / Що",
        "When, where / Коли, де",
        "Particulars / Подробиці",
    ]
    rows = [[_p(h, 7, bold=True) for h in header]]
    rows += [_list_row(item) for item in items]
    table = Table(
        rows, colWidths=[8 * mm, 21 * mm, 32 * mm, 16 * mm, 25 * mm, 32 * mm, 36 * mm], repeatRows=1
    )
    style = _grid()
    style.add("BACKGROUND", (0, 0), (-1, 0), PAPER)
    table.setStyle(style)
    return [_p(ukrainian, 12, bold=True), _p(english, 10, bold=True), Spacer(1, 3 * mm), table, PageBreak()]


def _list_row(item: dict) -> list[Paragraph]:
    person, event = item["person"], item["event"] or {}
    name = " ".join(x for x in (person["family_name"], person["given_names"], person["patronymic"]) if x)
    what = ""
    if event:
        english, ukrainian = label(EventKind, event["kind"])
        what = f"{ukrainian} / {english}"
        if event["correction"]:
            what += f"\n({event['correction']} #{event['corrects']})"
    elif item["kind"] == ItemKind.IDENTITY:
        what = "Особові дані / Identity"
    when = " · ".join(x for x in (event.get("date", ""), _place(event.get("place"))) if x)
    particulars = [event.get("note", ""), event.get("reason", "")]
    grave = item.get("grave")
    if grave:
        particulars.append(f"Поховання / Grave: {grave['date']} · {_place(grave['place'])} · {grave['note']}")
    if item["kind"] == ItemKind.IDENTITY:
        particulars.append(f"{person['rank']} · {person['service_number']} · {person['power_served']}")
    return [
        _p(item["item"], 7),
        _p(person["number"], 7),
        _p(name, 7.5),
        _p(person["birth_date"], 7),
        _p(what, 7),
        _p(when, 7),
        _p("\n".join(p for p in particulars if p), 7),
    ]


def label(choices: Any, value: str) -> tuple[str, str]:
    """A choice's label in English and Ukrainian; the value itself if it is not a choice."""
    try:
        return both_languages(choices(value).label)
    except ValueError:
        return value, value


def both_languages(label: Any) -> tuple[str, str]:
    """A label in English and in Ukrainian, whatever the reader's language: the Agency's files
    are bilingual."""
    with translation.override("en"):
        english = str(label)
    with translation.override("uk"):
        ukrainian = str(label)
    return english, ukrainian
