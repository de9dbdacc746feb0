"""`tracebureau demo` at a small size: loads once, deterministic, and tells the whole story."""

from __future__ import annotations

import datetime as dt
import stat
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from tracebureau.core.models import User
from tracebureau.exchanges import selectors
from tracebureau.exchanges.models import Exchange, ExchangeOutcome
from tracebureau.registry.models import NameVariant, Person, PersonMerge
from tracebureau.scenario.cast import DEFAULT_SIZE, SEED_COHORTS, PersonSpec, build_cast, cohort_sizes
from tracebureau.scenario.names import russian_latin_spelling, russian_spelling
from tracebureau.scenario.users import ACCOUNTS
from tracebureau.timeline.models import BulkEvent, Event
from tracebureau.timeline.selectors import TimelineView, person_timeline, statuses_for

SIZE, SEED = 120, 7
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Demo:
    output: str
    data_dir: Path


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Demo]:
    """The demo loaded once for the whole module (it takes a few seconds), rolled back after."""
    data_dir = tmp_path_factory.mktemp("data")
    fast = override_settings(DATA_DIR=data_dir, PASSWORD_HASHERS=FAST_HASHER)
    with django_db_blocker.unblock(), fast, transaction.atomic():
        out = StringIO()
        call_command("demo", size=SIZE, seed=SEED, stdout=out)
        yield Demo(out.getvalue(), data_dir)
        transaction.set_rollback(True)


@pytest.fixture
def timelines(demo: Demo, db: Any) -> list[TimelineView]:
    officer = User.objects.get(username="officer")
    return [
        person_timeline(user=officer, person=p) for p in Person.objects.filter(merged_into__isnull=True)
    ]


# ---- the cast, without a database ------------------------------------------------------------


def test_the_same_seed_gives_the_same_people() -> None:
    first, again = build_cast(seed=SEED, size=SIZE), build_cast(seed=SEED, size=SIZE)
    assert first == again
    assert [p.family_name for p in build_cast(seed=SEED + 1, size=SIZE)] != [p.family_name for p in first]


def test_the_default_size_keeps_the_seed_articles_numbers() -> None:
    sizes = cohort_sizes(DEFAULT_SIZE)
    assert {name: sizes[name] for name in SEED_COHORTS} == {
        "wounded": 53, "olenivka": 211, "exchange_50": 50, "kyiv_58": 58,
    }
    assert sum(sizes.values()) + 1 == DEFAULT_SIZE  # plus the duplicate that gets merged


def test_the_adversary_spells_names_in_russian() -> None:
    russian = russian_spelling("Козацький", "Андрій", "Сергійович")
    names = (russian.family_name, russian.given_names, russian.patronymic)
    assert names == ("Козацкий", "Андрей", "Сергеевич")
    assert russian_latin_spelling(russian).given_names == "Andrey"
    assert russian_latin_spelling(russian, "icao_9303").given_names == "Andrei"


def test_a_size_out_of_range_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="--size must be between"):
        call_command("demo", size=5)


# ---- the loaded demo --------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_loads_as_many_people_as_asked_with_the_evacuation_as_bulk_events(demo: Demo) -> None:
    # As many of ours as asked; the other side's prisoners offered in the exchanges come on top,
    # and so does the husband a wife reported missing at the hotline.
    assert Person.objects.filter(side="own").exclude(created_by__username="liaison").count() == SIZE
    assert Person.objects.filter(created_by__username="liaison").count() == 1
    sizes = cohort_sizes(SIZE)
    bulk_sizes = {b.label: b.events.count() for b in BulkEvent.objects.all()}
    assert bulk_sizes["Seriously wounded evacuated from Azovstal to Novoazovsk"] == sizes["wounded"]
    assert bulk_sizes["Evacuated through the humanitarian corridor to Olenivka"] == sizes["olenivka"]
    assert bulk_sizes["Bodies of Azovstal defenders brought to Kyiv"] == sizes["kyiv_58"]
    assert "Sign in at http://127.0.0.1:8000/ as officer / " in demo.output


def _registered_name(spec: PersonSpec) -> str:
    if spec.cohort == "latin_only":
        russian = russian_spelling(spec.family_name, spec.given_names, spec.patronymic)
        return russian_latin_spelling(russian).family_name
    return spec.family_name


@pytest.mark.django_db
def test_it_registers_the_cast_of_its_seed_in_order(demo: Demo) -> None:
    cast = build_cast(seed=SEED, size=SIZE)
    registered = Person.objects.order_by("pk").values_list("family_name", flat=True)
    assert list(registered)[: len(cast)] == [_registered_name(spec) for spec in cast]


@pytest.mark.django_db
def test_a_second_run_creates_nothing(demo: Demo) -> None:
    counts = Person.objects.count(), Event.objects.count(), User.objects.count()
    out = StringIO()
    call_command("demo", size=SIZE, seed=SEED, stdout=out)
    assert "already loaded" in out.getvalue()
    assert "as officer / " in out.getvalue()
    assert (Person.objects.count(), Event.objects.count(), User.objects.count()) == counts


def test_the_passwords_are_kept_for_the_owner_only(demo: Demo) -> None:
    path = demo.data_dir / "demo-credentials.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    usernames = {line.split("\t")[0] for line in path.read_text().splitlines()[1:]}
    assert usernames == {account.username for account in ACCOUNTS}


def test_accounts_that_need_a_second_factor_get_a_demo_authenticator(demo: Demo) -> None:
    rows = {row[0]: row[1:] for row in (line.split("\t") for line in
            (demo.data_dir / "demo-credentials.txt").read_text().splitlines()[1:])}
    with_codes = {name for name, row in rows.items() if len(row) == 2 and row[1].startswith("otpauth://totp/")}
    assert with_codes == {
        "officer", "analyst", "coordinator", "identification", "identification2", "liaison", "admin",
        "headpress",
    }
    assert "officer / " in demo.output and "authenticator: otpauth://totp/" in demo.output
    assert "tracebureau totp-code NAME" in demo.output


@pytest.mark.django_db
def test_no_event_is_in_the_future(demo: Demo) -> None:
    assert not Event.objects.filter(occurred_on__gt=timezone.localdate()).exists()
    assert Event.objects.filter(occurred_on__lt=dt.date(2022, 3, 1)).count() == 0


def test_families_are_at_every_level_of_the_scale(timelines: list[TimelineView]) -> None:
    assert {t.status.family_level for t in timelines} >= {2, 3, 4, 5}


def test_every_situation_of_the_story_occurs(timelines: list[TimelineView]) -> None:
    assert {t.status.situation for t in timelines} >= {
        "missing", "in_custody", "released", "deceased", "remains_repatriated", "identified", "buried",
    }


@pytest.mark.django_db
def test_the_58_are_identified_through_the_two_officer_workflow(demo: Demo) -> None:
    from tracebureau.identification.models import IdentificationDecision, MatchRun, RemainsCase

    kyiv = "Bodies of Azovstal defenders brought to Kyiv"
    batch_cases = RemainsCase.objects.filter(repatriation__title=kyiv)
    assert batch_cases.count() == cohort_sizes(SIZE)["kyiv_58"]
    assert MatchRun.objects.get().status == "done"
    confirmed = IdentificationDecision.objects.filter(action="confirmed")
    assert confirmed.exists()
    assert all(d.by_id != d.decides.by_id for d in confirmed.select_related("decides"))
    assert all(d.event.kind == "identified" for d in confirmed.select_related("event"))


def test_a_death_report_contradicted_by_a_later_video_is_flagged(timelines: list[TimelineView]) -> None:
    flagged = [t for t in timelines if t.conflicts]
    assert flagged
    video = [
        t for t in flagged for death, sign in t.conflicts
        if (death.kind, death.grade, sign.kind) == ("killed", "D3", "proof_of_life")
    ]
    assert video and video[0].status.situation == "in_custody"


def test_a_weak_rumour_of_death_changes_nothing(timelines: list[TimelineView]) -> None:
    rumoured = [t for t in timelines if any(e.kind == "killed" and e.is_weak for e in t.events)]
    assert rumoured
    assert all(t.status.situation == "in_custody" and t.status.family_level == 4 for t in rumoured)


@pytest.mark.django_db
def test_corrections_keep_the_old_event_with_a_reason(demo: Demo) -> None:
    retraction = Event.objects.get(kind="retraction")
    assert retraction.corrects.kind == "released" and retraction.reason
    superseding = Event.objects.get(correction="supersedes")
    assert (superseding.corrects.place.name, superseding.place.name) == (
        "Donetsk pre-trial detention centre", "Taganrog pre-trial detention centre",
    )


@pytest.mark.django_db
def test_a_duplicate_from_the_adversarys_list_is_merged(demo: Demo) -> None:
    merge = PersonMerge.objects.get()
    assert merge.absorb.merged_into == merge.keep and merge.reason
    officer = User.objects.get(username="officer")
    view = person_timeline(user=officer, person=merge.keep)
    assert any(e.person_id == merge.absorb.pk for e in view.events)


@pytest.mark.django_db
def test_some_are_known_only_by_a_russian_romanisation(demo: Demo) -> None:
    latin_only = [
        p for p in Person.objects.filter(merged_into__isnull=True, side="own")
        if not p.name_variants.filter(script="cyrillic_uk").exists()
    ]
    assert len(latin_only) == cohort_sizes(SIZE)["latin_only"]
    from_their_list = {"script": "cyrillic_ru", "source__kind": "adversary_list"}
    assert all(p.name_variants.filter(**from_their_list).exists() for p in latin_only)


@pytest.mark.django_db
def test_about_a_fifth_have_russian_spellings_from_the_adversarys_list(demo: Demo) -> None:
    ours = NameVariant.objects.filter(script="cyrillic_ru", person__side="own")
    spelled = ours.values("person").distinct().count()
    assert 0.15 * SIZE <= spelled <= 0.35 * SIZE


# ---- the exchanges, told through the exchanges services ---------------------------------------


def _outcomes(reference: str) -> tuple[Exchange, Counter[str]]:
    exchange = Exchange.objects.get(reference=reference)
    outcomes = ExchangeOutcome.objects.filter(exchange=exchange).values_list("outcome", flat=True)
    return exchange, Counter(outcomes)


@pytest.mark.django_db
def test_past_exchanges_are_verified_and_two_are_still_negotiated(demo: Demo) -> None:
    assert dict(Exchange.objects.values_list("reference", "state")) == {
        "EX-2022-06-02": "verified", "EX-2022-06-29": "verified", "EX-2022-09-21": "verified",
        "EX-2022-11-17": "proposed", "EX-2022-12-DRAFT": "draft",
    }
    coordinator = User.objects.get(username="coordinator")
    assert set(Exchange.objects.values_list("created_by", flat=True)) == {coordinator.pk}
    assert "EX-2022-09-21 (verified): " in demo.output and "EX-2022-11-17 (proposed): " in demo.output


@pytest.mark.django_db
def test_the_seriously_wounded_come_home_one_for_one(demo: Demo) -> None:
    exchange, outcomes = _outcomes("EX-2022-06-29")
    wounded = round(cohort_sizes(SIZE)["wounded"] * 0.5)
    assert outcomes == {"returned": wounded, "handed_over": wounded}
    assert exchange.terms == [{"category": "seriously_wounded", "ours": wounded, "theirs": wounded}]
    assert not exchange.transitions.filter(formula_override=True).exists()
    back = Event.objects.filter(source=exchange.source, person__side="own")
    assert Counter(back.values_list("kind", flat=True)) == {"released": wounded, "returned": wounded}


@pytest.mark.django_db
def test_in_september_one_did_not_come_and_another_came_instead(demo: Demo) -> None:
    exchange, outcomes = _outcomes("EX-2022-09-21")
    assert outcomes["not_returned"] == 1 and outcomes["substituted"] == 1
    assert outcomes["returned"] == outcomes["handed_over"] - 1
    assert exchange.entries.filter(withdrawn_at__isnull=False).count() == 1  # refused at the table
    upload = exchange.arrival_lists.get()
    assert any(row.name != str(row.person) for row in upload.rows.select_related("person"))  # Russian rows
    coordinator = User.objects.get(username="coordinator")
    left = [person for person, references in selectors.outstanding(user=coordinator)]
    no_show = ExchangeOutcome.objects.get(exchange=exchange, outcome="not_returned").person
    substitute = ExchangeOutcome.objects.get(exchange=exchange, outcome="substituted").person
    assert left == [no_show]
    statuses = statuses_for(user=coordinator, persons=[no_show, substitute])
    assert statuses[substitute.pk].situation == "released"
    assert statuses[no_show.pk].situation != "released"


@pytest.mark.django_db
def test_no_one_is_released_twice(demo: Demo) -> None:
    twice = Event.objects.filter(kind="released").values("person").annotate(n=Count("id")).filter(n__gt=1)
    assert not twice.exists()


@pytest.mark.django_db
def test_the_bodies_exchange_opens_an_identification_batch(demo: Demo) -> None:
    from tracebureau.identification.models import RemainsCase

    exchange, outcomes = _outcomes("EX-2022-06-02")
    dead = cohort_sizes(SIZE)["exchange_50"]
    unnamed = max(1, round(dead * 0.2))
    assert exchange.kind == "bodies" and outcomes == {"deceased": dead}
    assert ExchangeOutcome.objects.filter(exchange=exchange, person__isnull=True).count() == unnamed
    assert RemainsCase.objects.filter(repatriation__exchange_reference="EX-2022-06-02").count() == dead
    named = exchange.entries.values("person")
    repatriated = Event.objects.filter(kind="remains_repatriated", person__in=named)
    assert repatriated.count() == dead - unnamed  # once each, by the verification


@pytest.mark.django_db
def test_the_proposal_left_for_the_coordinator_breaks_its_formula(demo: Demo) -> None:
    exchange = Exchange.objects.get(reference="EX-2022-11-17")
    balance = selectors.formula_balance(exchange)
    assert (balance.ours, balance.theirs) == (4, 3) and not balance.kept
    # The one who did not come in September, and the one refused at the table, come first.
    september = Exchange.objects.get(reference="EX-2022-09-21")
    no_show = ExchangeOutcome.objects.get(exchange=september, outcome="not_returned").person
    refused = september.entries.get(withdrawn_at__isnull=False).person
    first = selectors.entries_of(exchange).filter(side="requested").order_by("priority")[:2]
    assert [e.person for e in first] == [no_show, refused]
    assert "formula is not kept" in demo.output


@pytest.mark.django_db
def test_the_liaison_has_requests_in_every_state_and_a_code_for_the_lookup(demo: Demo) -> None:
    from tracebureau.families import selectors as families
    from tracebureau.families.models import FamilyContact, Inquiry

    liaison = User.objects.get(username="liaison")
    rows = families.dashboard(user=liaison, include_closed=True)
    assert len(rows) == Inquiry.objects.count() == 6
    assert [r.inquiry.relationship for r in rows if r.overdue] == ["father"]
    assert {r.state for r in rows} == {"answered", "in_progress", "open"}
    assert FamilyContact.objects.filter(level__isnull=False).count() == 2
    assert "the status lookup at /status/ answers reference TR-" in demo.output

