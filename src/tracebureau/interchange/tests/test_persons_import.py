"""Persons from a registry's CSV or XLSX list: mapping, dry run, matching, idempotency, and bad
files reported where they are wrong, with nothing committed."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from tracebureau.interchange.models import ExternalRecord, Import
from tracebureau.interchange.persons import guess_mapping, persons_import
from tracebureau.interchange.reports import ImportFailed
from tracebureau.registry.models import NameVariant, Person

pytestmark = pytest.mark.django_db

HEADER = "ID;Прізвище;Ім'я;По батькові;Дата народження;Стать;Особистий номер;Звання\n"
ROWS = (
    "A-1;Шевченко;Тарас;Григорович;09.03.1994;ч;ZS-100001;солдат\nA-2;Коваленко;Олена;Петрівна;1990-07;ж;;\n"
)


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(rows)).encode()


def run(
    scenario: Any,
    content: bytes,
    name: str = "registry.csv",
    *,
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
) -> Any:
    table_mapping = mapping or {
        "record_id": "ID",
        "family_name": "Прізвище",
        "given_names": "Ім'я",
        "patronymic": "По батькові",
        "birth_date": "Дата народження",
        "sex": "Стать",
        "service_number": "Особистий номер",
        "rank": "Звання",
    }
    return persons_import(
        content=content,
        file_name=name,
        mapping=table_mapping,
        system="Registry of the MoD",
        source=scenario.intel,
        by=scenario.by,
        dry_run=dry_run,
    )


def test_the_headers_say_which_column_holds_what():
    headers = HEADER.strip().split(";")
    assert guess_mapping(headers) == {
        "record_id": "ID",
        "family_name": "Прізвище",
        "given_names": "Ім'я",
        "patronymic": "По батькові",
        "birth_date": "Дата народження",
        "sex": "Стать",
        "service_number": "Особистий номер",
        "rank": "Звання",
    }


def test_a_dry_run_shows_what_committing_does_and_commits_nothing(scenario):
    before = Person.objects.count()

    dry = run(scenario, csv_file(ROWS), dry_run=True)

    assert dry.counts == {"create": 2} and not dry.committed
    assert Person.objects.count() == before and not Import.objects.exists()
    done = run(scenario, csv_file(ROWS))
    assert done.counts == dry.counts and done.committed
    assert [(o.action, o.label) for o in done.outcomes] == [(o.action, o.label) for o in dry.outcomes]
    taras = Person.objects.get(family_name="Шевченко")
    assert (taras.birth_year, taras.birth_month, taras.birth_day, taras.sex) == (1994, 3, 9, "male")
    assert Import.objects.get().summary == {"create": 2}


def test_importing_the_same_file_twice_creates_nothing_twice(scenario):
    run(scenario, csv_file(ROWS))
    counts = (Person.objects.count(), NameVariant.objects.count(), ExternalRecord.objects.count())

    with pytest.raises(ImportFailed) as refused:
        run(scenario, csv_file(ROWS))
    assert "This very file was imported on" in refused.value.messages[0]
    assert (Person.objects.count(), NameVariant.objects.count(), ExternalRecord.objects.count()) == counts

    # The same rows again in a longer list: known by their ids, only the new row is new.
    again = run(scenario, csv_file(ROWS, "A-3;Бондар;Іван;;;;;\n"))
    assert again.counts == {"unchanged": 2, "create": 1}


def test_columns_no_field_reads_are_said(scenario):
    report = run(
        scenario, csv_file(ROWS), dry_run=True, mapping={"family_name": "Прізвище", "given_names": "Ім'я"}
    )
    assert report.unread_columns == [
        "ID",
        "По батькові",
        "Дата народження",
        "Стать",
        "Особистий номер",
        "Звання",
    ]


def test_a_row_is_never_matched_to_a_record_the_importer_cannot_see(scenario, analyst):
    from tracebureau.registry import services as registry

    hidden = registry.person_create(
        by=analyst,
        family_name="Таємний",
        category="prisoner_of_war",
        service_number="ZS-100001",
        classification="negotiation_sensitive",
    )
    report = run(scenario, csv_file(ROWS), dry_run=True)  # the case officer is cleared to confidential

    taras = report.outcomes[0]
    assert taras.action == "create" and taras.person_id != hidden.pk
    assert "Таємний" not in str(report)


def test_a_known_person_gains_what_they_lack_and_disagreements_are_kept_for_review(scenario):
    known = scenario.person("Шевченко", "Тарас", service_number="ZS-100001", rank="сержант")

    report = run(scenario, csv_file(ROWS))

    taras = next(o for o in report.outcomes if o.label.startswith("Шевченко"))
    assert taras.action == "conflict" and taras.person_id == known.pk
    assert taras.changes == {"rank": ["сержант", "солдат"]}
    known.refresh_from_db()
    assert known.rank == "сержант"  # the registry's value stands
    assert (known.birth_year, known.patronymic) == (1994, "")  # blanks filled, names kept as variants
    assert known.name_variants.filter(patronymic="Григорович").exists()


def test_an_xlsx_list_reads_the_same(scenario):
    book = Workbook()
    sheet = book.active
    for line in (HEADER + ROWS).strip().split("\n"):
        sheet.append(line.split(";"))
    buffer = io.BytesIO()
    book.save(buffer)

    report = run(scenario, buffer.getvalue(), "registry.xlsx")

    assert report.counts == {"create": 2}


def failure(scenario: Any, content: bytes, name: str = "registry.csv") -> list[str]:
    before = Person.objects.count()
    with pytest.raises((ImportFailed, ValidationError)) as caught:
        run(scenario, content, name)
    assert Person.objects.count() == before and not Import.objects.exists()
    return caught.value.messages


def test_bad_rows_are_named_with_their_column_and_nothing_is_committed(scenario):
    messages = failure(
        scenario, csv_file(ROWS, "A-3;Бондар;Іван;;31.02.1990;x;;\n", "A-1;Дубль;Петро;;;;;\n")
    )

    assert "Row 4, Дата народження: 1990-02 has no day 31" in messages[0]
    assert "Row 4, Стать: not a sex we know" in messages[1]
    assert "Row 5, ID: the id A-1 is already on row 2." in messages[2]


def test_a_formula_cell_is_refused_where_it_is(scenario):
    assert failure(scenario, csv_file(ROWS, '=HYPERLINK("http://x");Тарас;;;;;;\n')) == [
        'Row 4, column “ID”: a formula (=HYPERLINK("http://x")); paste it as a value.'
    ]
    book = Workbook()
    sheet = book.active
    sheet.append(["Прізвище", "Ім'я"])
    sheet.append(["Шевченко", '=CONCATENATE("Та","рас")'])
    buffer = io.BytesIO()
    book.save(buffer)
    messages = failure(scenario, buffer.getvalue(), "registry.xlsx")
    assert messages[0].startswith("Row 2, column “Ім'я”: a formula (=CONCATENATE(")


def test_a_truncated_or_wrongly_encoded_file_is_refused_where_it_breaks(scenario):
    assert failure(scenario, csv_file(ROWS, 'A-3;"Бондар;Іван\n')) == [
        "Row 4: the file is cut short or malformed here (unexpected end of data)."
    ]
    assert failure(scenario, (HEADER + ROWS).encode("cp1251")) == [
        "Row 1: the file is not UTF-8 text (save it as CSV UTF-8)."
    ]
    content = io.BytesIO()
    book = Workbook()
    book.active.append(["Прізвище"])
    book.save(content)
    assert "cut short" in failure(scenario, content.getvalue()[:300], "registry.xlsx")[0]


def test_cells_beyond_the_header_are_refused_not_dropped(scenario):
    messages = failure(scenario, csv_file("A-3;Бондар;Іван;;;;;;зайве\n"))
    assert messages == ["Row 2 has 1 cells beyond the last named column (“зайве”)."]


def test_who_may_not_import_is_refused(scenario, analyst, django_user_model):
    liaison = django_user_model.objects.create_user(
        "liaison", password="a-long-test-password-5", roles=["family_liaison"], clearance="restricted"
    )
    scenario.by = liaison
    with pytest.raises(PermissionDenied):
        run(scenario, csv_file(ROWS))
