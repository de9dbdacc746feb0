from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tracebureau.core.errors import AppendOnlyError
from tracebureau.lists import reconcile, services
from tracebureau.lists.choices import DecisionAction, JobStatus, RowState
from tracebureau.lists.models import Candidate, Decision, ListRow, Reconciliation
from tracebureau.lists.selectors import current_decision, review_queue
from tracebureau.lists.tests.conftest import ROWS, upload
from tracebureau.registry.models import NameVariant, Person
from tracebureau.timeline.models import Event

ENGINE_LINK = reconcile.engine_link  # before the tests' stand-in replaces it


def row(incoming: Any, number: int) -> ListRow:
    return incoming.rows.get(number=number)


def test_it_stores_every_row_as_received_and_mapped(adversary_list: Any) -> None:
    rows = list(adversary_list.rows.all())
    assert [r.number for r in rows] == [2, 3, 4]
    first = rows[0]
    assert first.raw == dict(
        zip(["№", "Фамилия", "Имя", "Отчество", "Дата рождения", "Личный номер"], ROWS[0], strict=True)
    )
    assert (first.record_id, first.family_name, first.given_name, first.birth_date, first.service_number) == (
        "1",
        "Козацкий",
        "Дмитрий",
        "1998-03-12",
        "AB123456",
    )
    assert rows[1].birth_date == "1990"


def test_it_runs_the_job_and_stores_the_best_candidates(adversary_list: Any, registry: Any) -> None:
    job = Reconciliation.objects.get(incoming_list=adversary_list)
    assert (job.status, job.progress, job.stage) == (JobStatus.DONE, 100, "Done")
    assert job.started_at and job.finished_at
    found = {(c.row.number, c.person_id, c.probability, c.rank) for c in Candidate.objects.all()}
    assert found == {
        (2, registry.kozatskyi.pk, 0.9, 1),
        (3, registry.shevchenko.pk, 0.9, 1),
    }
    assert Candidate.objects.get(row__number=2).explanation == [
        {"field": "birth_date", "level": "year", "weight": 3.0}
    ]


def test_a_row_refers_to_its_line_and_column_when_a_value_is_wrong(analyst: Any, registry: Any) -> None:
    rows = [
        ["1", "Козацкий", "Дмитрий", "", "31.02.1998", ""],
        ["2", "", "Андрей", "", "1990", ""],
        ["3", "Шевченко", "", "", "1890", ""],
    ]
    with pytest.raises(ValidationError) as caught:
        upload(analyst, registry, rows=rows)
    assert caught.value.message_dict["rows"] == [
        "Row 2, column “Дата рождения”: 1998-02 has no day 31.",
        "Row 3: no name.",
        "Row 4, column “Дата рождения”: the year 1890 is impossible.",
    ]
    assert not ListRow.objects.exists()


def test_accept_records_one_event_and_one_name_variant(
    adversary_list: Any, registry: Any, analyst: Any
) -> None:
    person = registry.kozatskyi
    events, variants = Event.objects.count(), NameVariant.objects.filter(person=person).count()
    decision = services.row_accept(row=row(adversary_list, 2), person=person, by=analyst)
    assert (decision.action, decision.person, decision.probability) == (DecisionAction.ACCEPT, person, 0.9)
    assert Event.objects.count() == events + 1
    event = decision.event
    assert (event.person, event.kind, str(event.occurred_on), event.source) == (
        person,
        "proof_of_life",
        "2022-06-10",
        adversary_list.source,
    )
    new = NameVariant.objects.filter(person=person).order_by("-id").first()
    assert NameVariant.objects.filter(person=person).count() == variants + 1
    assert (new.family_name, new.given_names, new.patronymic, new.source) == (
        "Козацкий",
        "Дмитрий",
        "Александрович",
        adversary_list.source,
    )


def test_undo_retracts_the_event_and_reopens_the_row(
    adversary_list: Any, registry: Any, analyst: Any
) -> None:
    line = row(adversary_list, 2)
    accepted = services.row_accept(row=line, person=registry.kozatskyi, by=analyst)
    undo = services.decision_undo(row=line, by=analyst)
    assert (undo.action, undo.undoes, undo.reason) == (DecisionAction.UNDO, accepted, "decision undone")
    retraction = Event.objects.get(corrects=accepted.event)
    assert (retraction.kind, retraction.reason) == ("retraction", "decision undone")
    assert current_decision(line) is None
    assert Decision.objects.filter(row=line).count() == 2  # nothing deleted


def test_reject_then_accept(adversary_list: Any, registry: Any, analyst: Any) -> None:
    line = row(adversary_list, 3)
    services.row_reject(row=line, by=analyst, reason="different father")
    with pytest.raises(ValidationError):
        services.row_reject(row=line, by=analyst)
    accepted = services.row_accept(row=line, person=registry.shevchenko, by=analyst)
    assert current_decision(line) == accepted
    services.decision_undo(row=line, by=analyst)
    assert current_decision(line).action == DecisionAction.REJECT  # the reject stands again


def test_an_accepted_row_must_be_undone_before_another_decision(
    adversary_list: Any, registry: Any, analyst: Any
) -> None:
    line = row(adversary_list, 2)
    services.row_accept(row=line, person=registry.kozatskyi, by=analyst)
    for decide in (
        lambda: services.row_reject(row=line, by=analyst),
        lambda: services.row_accept(row=line, person=registry.shevchenko, by=analyst),
        lambda: services.row_create_person(row=line, by=analyst),
    ):
        with pytest.raises(ValidationError, match="undo that first"):
            decide()


def test_create_person_registers_the_row_and_undo_keeps_them(adversary_list: Any, analyst: Any) -> None:
    line = row(adversary_list, 4)
    decision = services.row_create_person(row=line, by=analyst, category="missing")
    person = decision.person
    assert (person.family_name, person.given_names, person.category, person.classification) == (
        "Невідомий",
        "Іван",
        "missing",
        "restricted",
    )
    assert list(Event.objects.filter(person=person).values_list("kind", flat=True)) == ["proof_of_life"]
    undo = services.decision_undo(row=line, by=analyst)
    assert Person.objects.filter(pk=person.pk).exists()
    assert f"#{person.pk}" in undo.reason
    assert Event.objects.filter(person=person, kind="retraction").count() == 1


def test_decisions_are_append_only(adversary_list: Any, registry: Any, analyst: Any) -> None:
    decision = services.row_reject(row=row(adversary_list, 2), by=analyst)
    with pytest.raises(AppendOnlyError):
        decision.delete()
    with pytest.raises(AppendOnlyError):
        ListRow.objects.filter(incoming_list=adversary_list).update(family_name="x")


def test_a_rerun_replaces_unreviewed_candidates_and_keeps_decided_ones(
    adversary_list: Any,
    registry: Any,
    analyst: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    services.row_accept(row=row(adversary_list, 2), person=registry.kozatskyi, by=analyst)
    kept = Candidate.objects.get(row__number=2)
    monkeypatch.setattr(
        reconcile,
        "engine_link",
        lambda left, right, progress: [(r["id"], str(registry.kozatskyi.pk), 0.55, []) for r in left],
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = services.reconciliation_start(incoming_list=adversary_list, by=analyst)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert Candidate.objects.get(row__number=2) == kept  # decided: untouched
    assert {
        (c.row.number, c.probability, c.reconciliation_id) for c in Candidate.objects.exclude(pk=kept.pk)
    } == {(3, 0.55, job.pk), (4, 0.55, job.pk)}
    # Run the same job again (a worker crashed and the task was delivered twice): nothing changes.
    assert reconcile.reconciliation_run(job.pk) == JobStatus.DONE
    assert Candidate.objects.count() == 3


def test_a_cancelled_job_stops_and_stores_nothing(
    analyst: Any, registry: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    incoming = upload(analyst, registry, reconcile=False)
    job = Reconciliation.objects.create(incoming_list=incoming, requested_by=analyst)

    def cancelled_midway(left: Any, right: Any, progress: Any) -> list[Any]:
        services.reconciliation_cancel(reconciliation=job, by=analyst)
        progress("comparing", 0.9)
        return [(left[0]["id"], right[0]["id"], 0.99, [])]

    monkeypatch.setattr(reconcile, "engine_link", cancelled_midway)
    assert reconcile.reconciliation_run(job.pk) == JobStatus.CANCELLED
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert not Candidate.objects.exists()


def test_progress_is_written_on_the_job_row(
    analyst: Any, registry: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    incoming = upload(analyst, registry, reconcile=False)
    job = Reconciliation.objects.create(incoming_list=incoming, requested_by=analyst)
    seen = []

    def watching(left: Any, right: Any, progress: Any) -> list[Any]:
        progress("blocking", 0.5)
        seen.append(Reconciliation.objects.values_list("status", "progress", "stage").get(pk=job.pk))
        return []

    monkeypatch.setattr(reconcile, "engine_link", watching)
    reconcile.reconciliation_run(job.pk)
    assert seen == [("running", 50, "blocking")]


def test_a_failing_engine_fails_the_job_with_its_error(
    analyst: Any, registry: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    incoming = upload(analyst, registry, reconcile=False)
    job = Reconciliation.objects.create(incoming_list=incoming, requested_by=analyst)
    monkeypatch.setattr(reconcile, "engine_link", lambda *a: 1 / 0)
    assert reconcile.reconciliation_run(job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "ZeroDivisionError: division by zero")


def test_the_queue_counts_rows_per_state(adversary_list: Any, registry: Any, analyst: Any) -> None:
    services.row_accept(row=row(adversary_list, 2), person=registry.kozatskyi, by=analyst)
    services.row_reject(row=row(adversary_list, 3), by=analyst)
    queue = review_queue(user=analyst, incoming_list=adversary_list, state=RowState.UNDECIDED)
    assert queue.counts == {"undecided": 1, "accepted": 1, "rejected": 1, "created": 0, "all": 3}
    assert [q.row.number for q in queue.rows] == [4]


def test_a_candidate_the_viewer_may_not_see_is_not_shown(
    adversary_list: Any, registry: Any, analyst: Any, case_officer: Any
) -> None:
    secret = services.registry.person_create(
        by=analyst,
        family_name="Козацький",
        given_names="Петро",
        birth_year=1998,
        category="missing",
        classification="negotiation_sensitive",
    )
    job = Reconciliation.objects.create(incoming_list=adversary_list, requested_by=analyst)
    reconcile.reconciliation_run(job.pk)
    assert Candidate.objects.filter(person=secret).exists()
    queue = review_queue(user=case_officer, incoming_list=adversary_list, state=RowState.ALL)
    shown = {c.person_id for q in queue.rows for c in q.candidates}
    assert secret.pk not in shown and registry.kozatskyi.pk in shown


def test_the_real_engine_finds_the_russian_spelling_of_a_registered_name(
    analyst: Any, registry: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr(reconcile, "engine_link", ENGINE_LINK)
    with django_capture_on_commit_callbacks(execute=True):
        incoming = upload(analyst, registry)
    assert Reconciliation.objects.get(incoming_list=incoming).status == JobStatus.DONE
    best = Candidate.objects.get(row__number=2, rank=1)
    assert best.person == registry.kozatskyi and best.probability > 0.9
    assert {part["field"] for part in best.explanation} >= {"family_name", "birth_date", "service_number"}
