"""A national-scale registry for load tests and benchmarks: a million generated persons with
twenty million events, written with PostgreSQL's COPY rather than saved one by one.

Every person is fictional: names are drawn from inventories of Ukrainian given and family
names. Each timeline is a plausible story (reported missing, captured, visits, transfers,
health reports, perhaps a release or a death in custody), graded as the bureau grades its
sources, and its derived status is written beside it with the same code that keeps it in step
in normal running (timeline.materialised), so `tracebureau status check` agrees.

What is left out, because no page or measure reads it at this scale: the edit history of each
generated record, and audit entries (this loads test data; it is not a record of anyone).
Chunks are committed one by one; an interrupted run leaves whole persons, never half a one.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import functools
import itertools
import json
import multiprocessing
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from faker.providers.person.uk_UA import Provider as UkrainianNames

from tracebureau.core.models import User
from tracebureau.core.text import latin_national, search_text
from tracebureau.registry.models import Agency, NameVariant, Person
from tracebureau.scenario.names import MALE_NAMES
from tracebureau.timeline.materialised import Timeline, status_row
from tracebureau.timeline.models import Event, PersonStatus, Place, Source
from tracebureau.timeline.status import StatusEvent

GENERATOR = "registry.generator"
# From this many persons on, indexes are dropped during the load and built after it.
BULK = 100_000
START = dt.date(2022, 2, 24)
_FAMILY = tuple(UkrainianNames.last_names_male)
_AGENCIES = (("armed-forces", "Armed Forces", "armed_forces"), ("national-guard", "National Guard",
             "national_guard"), ("border-guard", "Border Guard", "border_guard"))  # fmt: skip
# Source name, kind, reliability, the credibility its reports carry.
_SOURCES = (
    ("Relatives' reports", "relatives", "C", 3),
    ("Adversary's lists", "adversary_list", "B", 2),
    ("ICRC notifications", "icrc", "A", 1),
    ("Returnees' testimony", "returnee", "B", 2),
    ("Social media", "media", "E", 5),
    ("Official records", "official", "A", 1),
)
_MEDIA = 4  # E5: shown unconfirmed, never changes the situation
_IN_CUSTODY = ("icrc_visit", "health_report", "transferred", "contact", "proof_of_life")
_KIND_SOURCE = {"reported_missing": 0, "captured": 1, "icrc_visit": 2, "health_report": 2, "transferred": 1,
                "contact": 3, "proof_of_life": 3, "released": 5, "died_in_custody": 2}  # fmt: skip
_PERSON_COLUMNS = (
    "id", "family_name", "given_names", "patronymic", "mother_maiden_name", "birth_year", "birth_month",
    "birth_day", "place_of_birth", "sex", "nationality", "power_served", "category", "side", "rank", "unit",
    "service_number", "identity_disc", "call_sign", "next_of_kin", "correspondence_address",
    "distinguishing_marks", "classification", "detrimental_to_disclose", "version", "created_at",
    "updated_at", "agency_id", "created_by_id",
)  # fmt: skip
_VARIANT_COLUMNS = ("person_id", "family_name", "given_names", "patronymic", "script", "transliteration",
                    "search_text", "recorded_by_id", "recorded_at")  # fmt: skip
_EVENT_COLUMNS = (
    "id", "person_id", "kind", "occurred_on", "precision", "place_id", "source_id", "reliability",
    "credibility", "note", "classification", "detrimental_to_disclose", "correction", "reason",
    "recorded_by_id", "recorded_at",
)  # fmt: skip
_STATUS_COLUMNS = ("person_id", "situation", "family_level", "since", "last_sign_of_life_on", "events",
                   "ceiling", "detrimental", "other_agency", "derived_at")  # fmt: skip


_TABLES = tuple(m._meta.db_table for m in (Person, NameVariant, Event, PersonStatus))


class NeedsPostgreSQL(Exception):
    """The generator writes with COPY, which only PostgreSQL has."""


@dataclass(frozen=True)
class References:
    """The rows every generated person points at."""

    by: int
    agencies: tuple[int, ...]
    sources: tuple[tuple[int, str, int], ...]  # id, reliability, credibility
    places: tuple[int, ...]
    now: dt.datetime
    today: dt.date


@dataclass
class Counts:
    persons: int = 0
    events: int = 0
    name_variants: int = 0


def generate(
    *,
    persons: int,
    events_per_person: int = 20,
    seed: int = 1,
    chunk: int = 20_000,
    progress: Callable[[Counts], None] | None = None,
) -> Counts:
    """Add `persons` generated persons, about `events_per_person` events each on average."""
    if connection.vendor != "postgresql":
        raise NeedsPostgreSQL("The registry generator writes with COPY: point DATABASE_URL at PostgreSQL.")
    with transaction.atomic():
        refs = _references()
    # Each person's number of events is drawn first, so every chunk knows its event ids and
    # chunks can be generated in another process while the previous one is written.
    lengths = np.maximum(1, np.random.default_rng(seed).poisson(events_per_person, size=persons))
    event_ids = _next_id(Event) + np.concatenate([[0], np.cumsum(lengths)])
    first_person = _next_id(Person)
    plans = [
        _Chunk(seed, n, first_person + start, lengths[start : start + chunk].tolist(), int(event_ids[start]))
        for n, start in enumerate(range(0, persons, chunk))
    ]
    counts = Counts()
    with _indexes_built_after(enabled=persons >= BULK), _generated(plans, refs) as rows:
        for people, variants, events, statuses in rows:
            with transaction.atomic():
                _skip_reference_checks()
                for model, columns, batch in (
                    (Person, _PERSON_COLUMNS, people),
                    (NameVariant, _VARIANT_COLUMNS, variants),
                    (Event, _EVENT_COLUMNS, events),
                    (PersonStatus, _STATUS_COLUMNS, statuses),
                ):
                    _copy(model, columns, batch)
            counts.persons += len(people)
            counts.events += len(events)
            counts.name_variants += len(variants)
            if progress:
                progress(counts)
    _finish()
    return counts


@dataclass(frozen=True)
class _Chunk:
    """What one chunk of persons is generated from: it gives the same rows in any process."""

    seed: int
    number: int
    first_person: int
    lengths: list[int]
    first_event: int


@contextlib.contextmanager
def _generated(plans: list[_Chunk], refs: References) -> Iterator[Iterator[Rows]]:
    """The chunks' rows in order, generated ahead in worker processes (the database's COPY
    and Python's generation then use a core each)."""
    workers = max(1, min(len(plans), (os.cpu_count() or 2) - 1))
    with concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork")
    ) as pool:
        yield pool.map(_chunk_rows, plans, itertools.repeat(refs), chunksize=1)


@contextlib.contextmanager
def _indexes_built_after(*, enabled: bool) -> Iterator[None]:
    """Drop the secondary indexes of the tables written, and build them again at the end:
    one sort per index instead of millions of insertions. Their definitions are saved first,
    so that a run killed half-way has them built again by the next run (or by hand)."""
    saved = settings.DATA_DIR / "generator-indexes.json"
    _rebuild_indexes(saved)
    if not enabled:
        yield
        return
    definitions = _secondary_indexes()
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps(definitions, indent=1))
    with connection.cursor() as cursor:
        for name in definitions:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    try:
        yield
    finally:
        _rebuild_indexes(saved)


def _secondary_indexes() -> dict[str, str]:
    """Name -> CREATE INDEX statement of each index that backs no constraint."""
    tables = list(_TABLES)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i
               JOIN pg_class c ON c.relname = i.indexname
               WHERE i.tablename = ANY(%s) AND i.schemaname = current_schema()
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)""",
            [tables],
        )
        return dict(cursor.fetchall())


def _rebuild_indexes(saved: Path) -> None:
    if not saved.exists():
        return
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for statement in json.loads(saved.read_text()).values():
            cursor.execute(statement.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
    saved.unlink()


def _skip_reference_checks() -> None:
    """Every reference the generator writes points at a row it wrote or read, so PostgreSQL's
    per-row foreign-key checks (the load's main cost) are switched off for the transaction,
    where the role may do so (a superuser, or a role granted the setting)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")


def _next_id(model: Any) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _references() -> References:
    by, _created = User.objects.get_or_create(
        username=GENERATOR, defaults={"is_active": False, "roles": [], "first_name": "Registry generator"}
    )
    agencies = [
        Agency.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})[0].pk
        for code, name, kind in _AGENCIES
    ]
    sources = [
        (Source.objects.get_or_create(name=f"{name} (generated)", defaults={
            "kind": kind, "reliability": reliability, "created_by": by})[0].pk, reliability, credibility)
        for name, kind, reliability, credibility in _SOURCES
    ]  # fmt: skip
    places = list(Place.objects.filter(kind="detention_facility").values_list("pk", flat=True)[:50])
    if not places:
        places = [
            Place.objects.create(
                name=f"Detention facility {n}", kind="detention_facility", control="occupied"
            ).pk
            for n in range(1, 41)
        ]
    now = timezone.now()
    return References(by.pk, tuple(agencies), tuple(sources), tuple(places), now, timezone.localdate())


Rows = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]


def _chunk_rows(plan: _Chunk, refs: References) -> Rows:
    """Persons, name spellings, events and derived statuses of one chunk."""
    rng = np.random.default_rng([plan.seed, plan.number])
    people, variants, events, statuses = [], [], [], []  # type: ignore[var-annotated]  # Rows
    event_id = plan.first_event
    for offset, length in enumerate(plan.lengths):
        person = _person(rng, refs, plan.first_person + offset)
        people.append(person)
        variants.extend(_variants(person, refs))
        story = list(_story(rng, refs, person[0], event_id, length))
        event_id += length
        events.extend(story)
        statuses.append(_status(refs, person, story))
    return people, variants, events, statuses


def _person(rng: np.random.Generator, refs: References, pk: int) -> tuple[Any, ...]:
    given = MALE_NAMES[int(rng.integers(len(MALE_NAMES)))]
    father = MALE_NAMES[int(rng.integers(len(MALE_NAMES)))]
    year, month, day = int(rng.integers(1960, 2004)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
    roll = rng.random()
    classification = "open" if roll < 0.05 else "confidential" if roll > 0.9 else "restricted"
    return (
        pk, _FAMILY[int(rng.integers(len(_FAMILY)))], given.uk, father.uk_son, "", year, month, day, "",
        "male", "Ukraine", "Ukraine", "prisoner_of_war", "own" if rng.random() < 0.92 else "adversary", "",
        "", f"Ф{pk:08d}", "", "", "", "", "", classification, bool(rng.random() < 0.01), 1, refs.now,
        refs.now, refs.agencies[pk % len(refs.agencies)], refs.by,
    )  # fmt: skip


def _variants(person: tuple[Any, ...], refs: References) -> Iterator[tuple[Any, ...]]:
    family, given, patronymic = person[1:4]
    yield (person[0], family, given, patronymic, "cyrillic_uk", "", _search(family, given, patronymic),
           refs.by, refs.now)  # fmt: skip
    latin = (_latin(family), _latin(given), _latin(patronymic))
    yield (person[0], *latin, "latin", "uk_national_2010", _search(*latin), refs.by, refs.now)


@functools.lru_cache(maxsize=8192)
def _latin(word: str) -> str:
    return latin_national(word)


@functools.lru_cache(maxsize=200_000)
def _search(*parts: str) -> str:
    return search_text(*parts)


def _story(
    rng: np.random.Generator, refs: References, person: int, first_id: int, length: int
) -> Iterator[tuple[Any, ...]]:
    """Reported missing, then (mostly) captured, then life in custody; perhaps a release or a
    death at the end. Dates move forward and stop at today."""
    day = START + dt.timedelta(days=int(rng.integers(0, 120)))
    kinds, captured = ["reported_missing"], bool(rng.random() < 0.85)
    if captured:
        kinds.append("captured")
        kinds += [_IN_CUSTODY[int(i)] for i in rng.integers(len(_IN_CUSTODY), size=max(0, length - 3))]
        ending = rng.random()
        kinds.append("released" if ending < 0.35 else "died_in_custody" if ending < 0.38 else "icrc_visit")
    else:
        kinds += ["proof_of_life"] * (length - 1)  # never found: only sightings on social media
    for n, kind in enumerate(kinds[:length]):
        source, reliability, credibility = refs.sources[_KIND_SOURCE[kind] if captured or not n else _MEDIA]
        roll = rng.random()
        classification = (
            "negotiation_sensitive" if roll < 0.005 else "confidential" if roll < 0.03 else "restricted"
        )
        place = refs.places[int(rng.integers(len(refs.places)))] if kind != "reported_missing" else None
        yield (first_id + n, person, kind, day, "day", place, source, reliability, credibility, "",
               classification, False, "", "", refs.by, refs.now)  # fmt: skip
        day = min(day + dt.timedelta(days=int(rng.integers(1, 45))), refs.today)


def _status(refs: References, person: tuple[Any, ...], story: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    timeline = Timeline(agency_id=person[27])
    timeline.fold(person[22], person[23])
    for row in story:
        event = StatusEvent(
            id=row[0],
            kind=row[2],
            occurred_on=row[3],
            precision=row[4],
            reliability=row[7],
            credibility=row[8],
            source_is_icrc=row[6] == refs.sources[2][0],
            place_id=row[5],
        )
        timeline.add(event, classification=row[10], detrimental=row[11])
    status = status_row(person[0], timeline)
    return (person[0], status.situation, status.family_level, status.since, status.last_sign_of_life_on,
            status.events, status.ceiling, status.detrimental, status.other_agency, refs.now)  # fmt: skip


def _copy(model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _finish() -> None:
    """Identity sequences past the ids written; then VACUUM ANALYZE, as PostgreSQL advises
    after a bulk load: fresh planner statistics, and every page marked all-visible with its
    hint bits set now, rather than written again by its first readers (a load test run straight
    after generating, on a server whose autovacuum is off or has not come round yet)."""
    with connection.cursor() as cursor:
        for table in (Person._meta.db_table, Event._meta.db_table):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        # VACUUM cannot run in a transaction: a caller inside one gets the statistics only.
        verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        for table in _TABLES:
            cursor.execute(f"{verb} {table}")
