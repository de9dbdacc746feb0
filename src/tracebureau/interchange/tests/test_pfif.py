"""PFIF 1.4: a person finder's file becomes persons and weak events, once; our export carries
only what may be public, and comes back as the same persons."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from lxml import etree

from tracebureau.audit.models import AuditEntry
from tracebureau.core.models import User
from tracebureau.interchange.models import ExternalRecord, Import
from tracebureau.interchange.pfif import NS, pfif_export, pfif_import, pfif_schema
from tracebureau.interchange.reports import Action, ImportFailed
from tracebureau.registry.models import NameVariant, Person
from tracebureau.timeline import services as timeline
from tracebureau.timeline.models import Event, Source
from tracebureau.timeline.selectors import person_timeline

pytestmark = pytest.mark.django_db

HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<pfif:pfif xmlns:pfif="{NS}">\n'
PERSON = """<pfif:person>
<pfif:person_record_id>finder.example.org/p1</pfif:person_record_id>
<pfif:entry_date>2022-06-01T10:00:00Z</pfif:entry_date>
<pfif:source_date>2022-05-30T08:00:00Z</pfif:source_date>
<pfif:full_name>Dmytro Kozatskyi</pfif:full_name>
<pfif:given_name>Dmytro</pfif:given_name>
<pfif:family_name>Kozatskyi</pfif:family_name>
<pfif:alternate_names>Козацький Дмитро</pfif:alternate_names>
<pfif:sex>male</pfif:sex>
<pfif:date_of_birth>1990-03-07</pfif:date_of_birth>
<pfif:home_city>Mariupol</pfif:home_city>
<pfif:note>
<pfif:note_record_id>finder.example.org/n1</pfif:note_record_id>
<pfif:author_name>A neighbour</pfif:author_name>
<pfif:source_date>2022-06-02T09:00:00Z</pfif:source_date>
<pfif:status>believed_alive</pfif:status>
<pfif:text>Seen on a video from Olenivka.</pfif:text>
</pfif:note>
</pfif:person>
"""
NOTE = """<pfif:note>
<pfif:note_record_id>finder.example.org/n2</pfif:note_record_id>
<pfif:person_record_id>finder.example.org/p1</pfif:person_record_id>
<pfif:author_name>Someone</pfif:author_name>
<pfif:source_date>2022-06-03T09:00:00Z</pfif:source_date>
<pfif:status>believed_dead</pfif:status>
<pfif:text>A rumour that he died.</pfif:text>
</pfif:note>
"""


def pfif(*records: str, head: str = HEAD) -> bytes:
    return (head + "".join(records) + "</pfif:pfif>\n").encode()


def lines_of(content: bytes, needle: str) -> list[int]:
    return [n for n, line in enumerate(content.decode("utf-8", "replace").splitlines(), 1) if needle in line]


def counts() -> dict[str, int]:
    models = (Person, NameVariant, Event, Source, ExternalRecord, Import)
    return {m.__name__: m.objects.count() for m in models}


def import_file(content: bytes, by: User, **options: Any) -> Any:
    return pfif_import(content=content, file_name="finder.xml", by=by, **options)


def failure(content: bytes, by: User) -> list[str]:
    before = counts()
    with pytest.raises(ImportFailed) as caught:
        import_file(content, by)
    assert counts() == before, "a file with a problem commits nothing"
    return [str(p) for p in caught.value.report.problems]


# --- importing ------------------------------------------------------------------------------


def test_a_person_and_notes_become_a_missing_person_with_weak_events(case_officer: User) -> None:
    report = import_file(pfif(PERSON, NOTE), case_officer)

    person = Person.objects.get()
    assert (person.family_name, person.given_names, person.birth_date_display) == (
        "Kozatskyi",
        "Dmytro",
        "1990-03-07",
    )
    assert (person.category, person.side, person.classification, person.sex) == (
        "missing",
        "own",
        "restricted",
        "male",
    )
    assert person.correspondence_address == "Mariupol"
    assert "Козацький Дмитро" in [str(v) for v in person.name_variants.all()]
    events = list(Event.objects.order_by("occurred_on"))
    assert [e.kind for e in events] == ["proof_of_life", "killed"]
    assert {(e.source.name, e.grade) for e in events} == {("PFIF: finder.example.org", "E6")}
    assert events[0].note.startswith("Seen on a video from Olenivka.")
    assert report.counts == {"create": 3}
    assert report.committed and Import.objects.get().summary == {"create": 3}
    assert ExternalRecord.objects.filter(system="finder.example.org").count() == 3


def test_imported_notes_are_unconfirmed_and_change_no_status(scenario: Any, settings: Any) -> None:
    settings.TRACEBUREAU_PFIF_DOMAIN = "nib.example"
    person = scenario.person(category="missing")
    scenario.event(person, "reported_missing", "2022-05-01")
    ours = f"nib.example/person.{person.pk}"
    alive, dead = (
        NOTE.replace("n2", f"n{n}").replace("finder.example.org/p1", ours).replace("believed_dead", status)
        for n, status in ((3, "believed_alive"), (4, "believed_dead"))
    )
    import_file(pfif(alive, dead), scenario.by)

    view = person_timeline(user=scenario.by, person=person)
    assert view.status.situation == "missing"
    assert len(view.status.unconfirmed_ids) == 2
    assert Person.objects.count() == 1, "our own record came back: it is the person it was"


def test_the_same_file_twice_creates_nothing_the_second_time(case_officer: User) -> None:
    content = pfif(PERSON, NOTE)
    first = import_file(content, case_officer)
    before = counts()

    again = import_file(content, case_officer)

    assert counts() == before
    assert {o.action for o in again.outcomes} == {Action.UNCHANGED}
    assert again.import_id == first.import_id


def test_a_dry_run_reports_what_committing_would_do_and_commits_nothing(case_officer: User) -> None:
    content = pfif(PERSON, NOTE)
    before = counts()

    dry = import_file(content, case_officer, dry_run=True)

    assert counts() == before
    assert not dry.committed
    done = import_file(content, case_officer)
    assert [(o.location, o.action, o.label) for o in dry.outcomes] == [
        (o.location, o.action, o.label) for o in done.outcomes
    ]


def test_a_changed_record_fills_blanks_and_reports_disagreements(case_officer: User) -> None:
    import_file(pfif(PERSON), case_officer)
    changed = PERSON.replace("1990-03-07", "1991-03-07").replace(
        "<pfif:sex>", "<pfif:description>Scar on the left hand</pfif:description>\n<pfif:sex>"
    )

    report = import_file(pfif(changed), case_officer)

    person = Person.objects.get()
    assert person.birth_date_display == "1990-03-07", "the registry is never overwritten"
    assert person.distinguishing_marks == "Scar on the left hand"
    [outcome] = [o for o in report.outcomes if o.label.startswith("finder.example.org/p1")]
    assert outcome.action == Action.CONFLICT
    assert outcome.changes == {"date_of_birth": ["1990-03-07", "1991-03-07"]}
    assert ExternalRecord.objects.filter(record_id="p1").count() == 2
    assert import_file(pfif(changed), case_officer).counts == {"unchanged": 2}


def test_a_full_name_alone_is_split_family_name_last(case_officer: User) -> None:
    only_full = PERSON.replace("<pfif:given_name>Dmytro</pfif:given_name>\n", "").replace(
        "<pfif:family_name>Kozatskyi</pfif:family_name>\n", ""
    )
    import_file(pfif(only_full), case_officer)
    assert Person.objects.get().full_name == "Kozatskyi Dmytro"


# --- bad files ------------------------------------------------------------------------------


def test_a_truncated_file_names_the_line_and_column(case_officer: User) -> None:
    content = pfif(PERSON)[:-60]
    [problem] = failure(content, case_officer)
    assert problem.startswith(f"line {len(content.splitlines())}, column ")
    assert "XML" in problem


def test_latin_1_bytes_in_a_file_declared_utf_8_are_refused_at_their_line(case_officer: User) -> None:
    content = pfif(PERSON.replace("Dmytro Kozatskyi", "Dmytro Kozatskyi"))
    content = content.replace(b"Mariupol", "Mariupöl".encode("latin-1"))
    [problem] = failure(content, case_officer)
    assert problem.startswith(f"line {lines_of(content, 'home_city')[0]}, column ")
    assert "encoding: Byte 0xF6 is not UTF-8" in problem


@pytest.mark.parametrize(
    ("change", "element"),
    [
        (("<pfif:sex>male", "<pfif:sex>man"), "pfif:sex"),
        (("<pfif:date_of_birth>1990-03-07", "<pfif:date_of_birth>1990-02-30"), "pfif:date_of_birth"),
        (("<pfif:full_name>Dmytro Kozatskyi</pfif:full_name>\n", ""), "pfif:given_name"),
        (("finder.example.org/p1", "no-slash"), "pfif:person_record_id"),
    ],
)
def test_a_schema_break_names_its_line_and_element(
    case_officer: User, change: tuple[str, str], element: str
) -> None:
    content = pfif(PERSON.replace(*change))
    problems = failure(content, case_officer)
    line = lines_of(content, f"<{element}>")[0]
    assert problems[0].startswith(f"line {line}, {element}: ")


def test_a_record_id_used_twice_names_both_lines(case_officer: User) -> None:
    content = pfif(PERSON, PERSON.replace("/n1", "/n9"))
    problems = failure(content, case_officer)
    first, second = lines_of(content, "<pfif:person_record_id>")
    assert (
        f"line {second}, pfif:person_record_id: finder.example.org/p1 appears twice: on line {first} "
        f"and on line {second}." in problems
    )


def test_a_doctype_and_its_entities_are_refused(case_officer: User) -> None:
    bomb = '<!DOCTYPE pfif:pfif [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    content = pfif(PERSON.replace("Dmytro Kozatskyi", "&b;"), head=HEAD.replace("\n", "\n" + bomb, 1))
    assert failure(content, case_officer) == [
        "line 2, DOCTYPE: A DOCTYPE or entity declaration is not allowed."
    ]


def test_a_note_about_an_unknown_person_is_refused(case_officer: User) -> None:
    content = pfif(NOTE)
    assert failure(content, case_officer) == [
        f"line {lines_of(content, '<pfif:person_record_id>')[0]}, pfif:person_record_id: "
        "No person finder.example.org/p1 in the file, nor imported before."
    ]


def test_a_date_in_the_future_is_refused(case_officer: User) -> None:
    future = f"{dt.date.today().year + 1}-01-01T00:00:00Z"
    content = pfif(PERSON, NOTE.replace("2022-06-03T09:00:00Z", future))
    [problem] = failure(content, case_officer)
    assert problem == f"line {lines_of(content, future)[0]}, pfif:source_date: The date is in the future."


def test_a_name_too_long_for_the_registry_is_refused(case_officer: User) -> None:
    content = pfif(PERSON.replace(">Kozatskyi<", ">" + "K" * 121 + "<"))
    [problem] = failure(content, case_officer)
    assert problem.startswith(f"line {lines_of(content, '<pfif:family_name>')[0]}, pfif:family_name: 121 ")


def test_an_importer_without_the_right_is_refused(db: Any) -> None:
    coordinator = User.objects.create_user(
        "exchanges",
        password="a-long-test-password-5",
        roles=["exchange_coordinator"],
        clearance="confidential",
    )
    with pytest.raises(PermissionDenied):
        import_file(pfif(PERSON), coordinator)
    assert counts()["Person"] == 0


# --- exporting ------------------------------------------------------------------------------


def records(content: bytes) -> dict[str, dict[str, str]]:
    """Each person and note of a document by record id, as {field: text}."""
    root = etree.fromstring(content)
    found = {}
    for element in root.iter(f"{{{NS}}}person", f"{{{NS}}}note"):
        fields = {etree.QName(c).localname: c.text for c in element if etree.QName(c).localname != "note"}
        found[fields.get("note_record_id") or fields["person_record_id"]] = fields
    return found


def valid(content: bytes) -> bytes:
    schema = pfif_schema()
    assert schema.validate(etree.fromstring(content).getroottree()), schema.error_log
    return content


def test_the_export_withholds_what_may_not_be_public(scenario: Any, analyst: User, settings: Any) -> None:
    settings.TRACEBUREAU_PFIF_DOMAIN = "nib.example"
    shown = scenario.person(
        unit="36th Marine Brigade",
        call_sign="Kozak",
        identity_disc="UA-123",
        service_number="SN-777",
        rank="Sergeant",
        next_of_kin="Olha, mother",
        correspondence_address="Kyiv, Khreshchatyk 1",
        distinguishing_marks="Tattoo: a wolf, left forearm",
        birth_year=1990,
        birth_month=3,
        birth_day=7,
        sex="male",
    )
    detrimental = scenario.person("Шевченко", "Олена", detrimental_to_disclose=True)
    sensitive = sensitive_person(analyst)
    # The adversary's prisoners go to the ICRC's Agency, never to a public person finder.
    prisoner = scenario.person("Иванов", "Иван", side="adversary", agency=None)
    scenario.event(prisoner, "captured", "2022-05-17")
    scenario.event(shown, "captured", "2022-05-17", place=scenario.olenivka, note="held with the 36th")
    scenario.event(shown, "proof_of_life", "2022-06-01", detrimental_to_disclose=True, note="secret video")
    scenario.event(shown, "transferred", "2022-07-01", classification="confidential", note="moved")
    retracted = scenario.event(shown, "health_report", "2022-06-10", note="ill")
    timeline.event_retract(event=retracted, by=scenario.by, reason="wrong person")
    scenario.event(shown, "killed", "2022-08-01", note="a death is told in person first")
    scenario.event(detrimental, "captured", "2022-05-17")

    content = valid(pfif_export(user=analyst))

    found = records(content)
    person_ids = {k for k, v in found.items() if "note_record_id" not in v}
    assert person_ids == {f"nib.example/person.{shown.pk}"}
    assert detrimental.pk and sensitive.pk and prisoner.pk
    notes = [v for v in found.values() if "note_record_id" in v]
    assert [(n["status"], n["text"]) for n in notes] == [
        ("believed_alive", "Reported alive on 2022-05-17."),
        ("believed_alive", "Reported alive on 2022-07-01."),
    ]
    text = content.decode()
    for secret in (
        "36th",
        "Kozak",
        "UA-123",
        "SN-777",
        "Sergeant",
        "Olha",
        "Khreshchatyk",
        "Tattoo",
        "Olenivka",
        "secret video",
        "GUR",
        "death",
        "believed_dead",
    ):
        assert secret not in text
    assert AuditEntry.objects.filter(detail__what="pfif", detail__rows=1).exists()


def sensitive_person(analyst: User) -> Person:
    from tracebureau.registry import services as registry

    return registry.person_create(
        by=analyst, family_name="Бондар", category="prisoner_of_war", classification="negotiation_sensitive"
    )


def test_export_then_import_gives_the_same_persons_and_notes(scenario: Any, settings: Any) -> None:
    settings.TRACEBUREAU_PFIF_DOMAIN = "nib.example"
    kozatskyi = scenario.person(
        patronymic="Олександрович", birth_year=1990, birth_month=3, birth_day=7, sex="male"
    )
    yermak = scenario.person("Єрмак", "Андрій", birth_year=1985, distinguishing_marks="Tattoo of a trident")
    scenario.event(kozatskyi, "reported_missing", "2022-03-01")
    scenario.event(kozatskyi, "captured", "2022-05-17")
    scenario.event(yermak, "reported_missing", "2022-04-02")
    first = valid(pfif_export(user=scenario.by))

    # Another registry imports our file: the records are theirs to create, graded as ours were.
    settings.TRACEBUREAU_PFIF_DOMAIN = "mirror.example"
    report = import_file(first, scenario.by, source=scenario.intel, credibility=2)
    assert report.counts == {"create": 5}

    copies = {p.full_name: p for p in Person.objects.exclude(pk__in=[kozatskyi.pk, yermak.pk])}
    assert set(copies) == {kozatskyi.full_name, yermak.full_name}
    for original in (kozatskyi, yermak):
        copy = copies[original.full_name]
        assert (copy.birth_date_display, copy.sex) == (original.birth_date_display, original.sex)
        assert copy.distinguishing_marks == ""  # never exported (a tattoo could endanger him)
        assert [e.occurred_on for e in copy.events.all()] == [e.occurred_on for e in original.events.all()]

    again = records(valid(pfif_export(user=scenario.by, persons=list(copies.values()))))
    before = records(first)
    assert set(again) == set(before), "imported records keep their original ids"
    provenance = {"entry_date", "source_date"}
    for record_id, fields in before.items():
        ignored = provenance if "note_record_id" not in fields else {"entry_date"}
        assert {k: v for k, v in again[record_id].items() if k not in ignored} == {
            k: v for k, v in fields.items() if k not in ignored
        }, record_id


# --- the command line -----------------------------------------------------------------------


def test_the_command_imports_a_file_and_prints_the_counts(case_officer: User, tmp_path: Path) -> None:
    path = tmp_path / "finder.xml"
    path.write_bytes(pfif(PERSON, NOTE))
    out = StringIO()

    call_command("pfif", "import", str(path), "--as", case_officer.username, "--dry-run", stdout=out)
    assert "finder.xml: create 3 (dry run, nothing committed)." in out.getvalue()
    assert Person.objects.count() == 0

    call_command("pfif", "import", str(path), "--as", case_officer.username, stdout=out)
    assert Person.objects.count() == 1


def test_the_command_prints_each_problem_and_fails(case_officer: User, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "finder.xml"
    path.write_bytes(pfif(PERSON.replace("<pfif:sex>male", "<pfif:sex>man")))

    with pytest.raises(CommandError, match="1 problem"):
        call_command("pfif", "import", str(path), "--as", case_officer.username)

    line = lines_of(path.read_bytes(), "<pfif:sex>")[0]
    assert f"finder.xml, line {line}, pfif:sex: " in capsys.readouterr().err
    assert Person.objects.count() == 0


def test_the_command_exports_to_a_file(scenario: Any, tmp_path: Path) -> None:
    scenario.person()
    path = tmp_path / "out.xml"
    call_command("pfif", "export", "--as", scenario.by.username, "-o", str(path), stdout=StringIO())
    assert len(records(valid(path.read_bytes()))) == 1


def test_our_own_export_coming_back_creates_nothing(scenario: Any, settings: Any) -> None:
    settings.TRACEBUREAU_PFIF_DOMAIN = "nib.example"
    person = scenario.person(birth_year=1990)
    scenario.event(person, "reported_missing", "2022-03-01")
    scenario.event(person, "captured", "2022-05-17")
    content = pfif_export(user=scenario.by)
    before = (Event.objects.count(), Person.objects.count(), NameVariant.objects.count())

    report = import_file(content, scenario.by)

    assert report.counts == {"match": 1, "unchanged": 2}
    assert (Event.objects.count(), Person.objects.count(), NameVariant.objects.count()) == before
