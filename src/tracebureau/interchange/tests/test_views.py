"""The interchange pages as a case officer uses them."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tracebureau.audit.models import AuditEntry
from tracebureau.interchange.models import Import, TransmissionBatch
from tracebureau.interchange.tests.test_persons_import import HEADER, ROWS
from tracebureau.interchange.tests.test_transmissions import colleague, held, officer, world  # noqa: F401
from tracebureau.registry.models import Person

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_batch_is_prepared_authorised_and_sent_from_the_pages(world, officer, colleague):  # noqa: F811
    prisoner = held(world)
    world.event(prisoner, "captured", place=world.olenivka)
    web = client_of(officer)

    page = web.get("/interchange/")
    assert page.status_code == 200
    assert [n for _label, n in page.context["pending"]] == [1, 0, 0, 0]
    prepared = web.post("/interchange/", {"action": "prepare"}, follow=True)
    batch = TransmissionBatch.objects.get()
    assert prepared.redirect_chain[-1][0] == f"/interchange/batches/{batch.pk}/", prepared.redirect_chain
    assert prepared.context["actions"] == ["withdraw"]  # the preparer may not authorise it
    assert "Иванов" in prepared.content.decode()

    second = client_of(colleague)
    assert second.get(f"/interchange/batches/{batch.pk}/").context["actions"] == ["authorise", "withdraw"]
    second.post(f"/interchange/batches/{batch.pk}/", {"action": "authorise", "authorise-note": "Checked"})
    refused = web.post(f"/interchange/batches/{batch.pk}/", {"action": "send", "send-note": ""})
    assert refused.context["forms"]["send"].errors == {"note": ["Say how it was sent (channel, to whom)."]}
    web.post(f"/interchange/batches/{batch.pk}/", {"action": "send", "send-note": "By hand, ICRC Kyiv"})
    assert [s.step for s in batch.steps.all()] == ["authorised", "sent"]

    pdf = web.get(f"/interchange/batches/{batch.pk}/batch.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content == bytes(batch.pdf)
    assert json.loads(web.get(f"/interchange/batches/{batch.pk}/batch.json").content) == batch.content
    assert AuditEntry.objects.filter(detail__what="icrc-cta-batch-pdf").exists()
    checked = web.post("/interchange/", {"action": "verify"}, follow=True)
    assert "The transmission log is intact: 1 batches" in checked.content.decode()


def test_nothing_to_send_is_said_not_prepared(world, officer):  # noqa: F811
    assert "Nothing waits to be sent." in client_of(officer).get("/interchange/").content.decode()
    answer = client_of(officer).post("/interchange/", {"action": "prepare"}, follow=True)
    assert "Nothing to transmit" in answer.content.decode()
    assert not TransmissionBatch.objects.exists()


def test_a_prisoners_capture_card_prints_and_our_own_people_have_none(world, officer):  # noqa: F811
    prisoner = held(world)
    world.event(prisoner, "captured")
    ours = world.person("Козак")
    web = client_of(officer)

    card = web.get(f"/interchange/capture-cards/{prisoner.pk}.pdf")
    assert card.status_code == 200 and card.content.startswith(b"%PDF")
    assert web.get(f"/interchange/capture-cards/{ours.pk}.pdf").status_code == 404
    assert "Capture card (PDF)" in web.get(f"/persons/{prisoner.pk}/").content.decode()


def test_a_list_is_read_mapped_tried_dry_and_imported(
    scenario, case_officer, django_capture_on_commit_callbacks
):
    web = client_of(case_officer)
    upload = SimpleUploadedFile("registry.csv", (HEADER + ROWS).encode(), content_type="text/csv")
    answer = web.post(
        "/interchange/persons/",
        {
            "file": upload,
            "system": "MoD registry",
            "source": scenario.intel.pk,
            "category": "missing",
            "side": "own",
            "classification": "restricted",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == "/interchange/persons/review/"

    review = web.get("/interchange/persons/review/")
    assert review.context["report"].dry_run and review.context["report"].counts == {"create": 2}
    assert review.context["form"].initial["family_name"] == "Прізвище"
    assert not Person.objects.filter(family_name="Шевченко").exists()

    mapping = {name: value for name, value in review.context["form"].initial.items()}
    with django_capture_on_commit_callbacks(execute=True):  # the task worker commits it
        queued = web.post("/interchange/persons/review/", {**mapping, "action": "commit"})
    assert queued["Location"].startswith("/interchange/imports/jobs/")
    assert "Imported registry.csv: 2 new." in web.get(queued["Location"]).content.decode()
    assert Person.objects.filter(family_name="Шевченко").exists() and Import.objects.count() == 1


def test_a_bad_file_is_refused_at_upload_with_its_row(scenario, case_officer):
    web = client_of(case_officer)
    upload = SimpleUploadedFile("registry.csv", (HEADER + "=1+1;Тарас\n").encode(), content_type="text/csv")
    answer = web.post(
        "/interchange/persons/",
        {
            "file": upload,
            "system": "MoD registry",
            "source": scenario.intel.pk,
            "category": "missing",
            "side": "own",
            "classification": "restricted",
        },
    )
    assert answer.status_code == 200
    assert answer.context["form"].errors["file"] == [
        "Row 2, column “ID”: a formula (=1+1); paste it as a value."
    ]


def test_who_neither_transmits_nor_imports_has_no_interchange(db, django_user_model):
    press = django_user_model.objects.create_user("press", password=None, roles=["press_officer"])
    assert client_of(press).get("/interchange/").status_code == 403


def test_an_imports_conflicts_stay_on_its_page_for_review(scenario, case_officer):
    known = scenario.person("Шевченко", "Тарас", service_number="ZS-100001", rank="сержант")
    from tracebureau.interchange.persons import persons_import
    from tracebureau.interchange.tests.test_persons_import import run

    report = run(scenario, (HEADER + ROWS).encode())
    done = Import.objects.get(pk=report.import_id)

    page = client_of(case_officer).get(f"/interchange/imports/{done.pk}/")
    assert page.status_code == 200
    conflict = next(o for o in page.context["report"].outcomes if o.action == "conflict")
    assert conflict.person_id == known.pk and conflict.changes == {"rank": ["сержант", "солдат"]}
    assert "disagrees: for review" in page.content.decode()
    assert persons_import  # the page reads what the import stored, not the file again


def test_an_import_naming_records_above_ones_clearance_is_not_found(scenario, case_officer, analyst):
    from tracebureau.interchange.persons import Defaults, persons_import

    report = persons_import(
        content=(HEADER + ROWS).encode(),
        file_name="secret.csv",
        mapping={"family_name": "Прізвище"},
        system="HQ",
        source=scenario.intel,
        by=analyst,
        defaults=Defaults(classification="negotiation_sensitive"),
    )
    assert client_of(case_officer).get(f"/interchange/imports/{report.import_id}/").status_code == 404
    assert client_of(analyst).get(f"/interchange/imports/{report.import_id}/").status_code == 200
