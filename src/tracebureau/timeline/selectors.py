"""Reads of timelines and derived status, through the policy."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet

from tracebureau.core.policy import VIEW, visible_to
from tracebureau.registry.models import Person
from tracebureau.registry.selectors import person_record_ids
from tracebureau.timeline.choices import SourceKind
from tracebureau.timeline.models import Event, PersonStatus, Place, Source
from tracebureau.timeline.status import DerivedStatus, StatusEvent, derive_status


def events_visible(*, user: Any, action: str = VIEW) -> QuerySet[Event]:
    return visible_to(
        Event.objects.select_related("source", "place", "recorded_by", "person", "corrects"), user, action
    )


def places_visible(*, user: Any, action: str = VIEW) -> QuerySet[Place]:
    return visible_to(Place.objects.all(), user, action)


def sources_visible(*, user: Any, action: str = VIEW) -> QuerySet[Source]:
    return visible_to(Source.objects.all(), user, action)


def person_events(*, user: Any, person: Person) -> list[Event]:
    """The whole timeline, merged records included, in the order events happened."""
    events = events_visible(user=user).filter(person__in=person_record_ids(person))
    return sorted(events, key=lambda e: (e.occurred_on, e.occurred_time or _MIDNIGHT, e.pk))


@dataclass(frozen=True)
class TimelineView:
    """A timeline with its derived status and each event's part in it, ready to display."""

    events: list[Event]
    status: DerivedStatus
    by_id: dict[int, Event]

    def event(self, event_id: int | None) -> Event | None:
        return self.by_id.get(event_id) if event_id is not None else None

    @property
    def basis(self) -> Event | None:
        return self.event(self.status.basis_id)

    @property
    def icrc_basis(self) -> Event | None:
        return self.event(self.status.icrc_basis_id)

    @property
    def last_sign_of_life(self) -> Event | None:
        return self.event(self.status.last_sign_of_life_id)

    @property
    def last_place(self) -> Place | None:
        for event in reversed(self.events):
            if event.place_id == self.status.last_place_id and event.place is not None:
                return event.place
        return None

    @property
    def conflicts(self) -> list[tuple[Event, Event]]:
        return [(self.by_id[d], self.by_id[s]) for d, s in self.status.conflicts]


def person_timeline(*, user: Any, person: Person) -> TimelineView:
    events = person_events(user=user, person=person)
    status = derive_status(e.as_status_event() for e in events)
    return TimelineView(events=events, status=status, by_id={e.pk: e for e in events})


def timelines_for(*, user: Any, persons: list[Person]) -> dict[int, TimelineView]:
    """Each person's timeline (merged records folded in) and derived status, in a few queries."""
    views = {}
    for pk, events in _events_for(user, persons).items():
        events.sort(key=lambda e: (e.occurred_on, e.occurred_time or _MIDNIGHT, e.pk))
        status = derive_status(e.as_status_event() for e in events)
        views[pk] = TimelineView(events=events, status=status, by_id={e.pk: e for e in events})
    return views


def statuses_for(*, user: Any, persons: list[Person]) -> dict[int, DerivedStatus]:
    """Derived status of a page of persons, merged records folded in, in a few queries. Only
    the columns a status depends on are read: a page of fifty persons has a thousand events,
    and making each a model with its source, place and recorder cost more than the rest of
    the page."""
    owners = record_owners([p.pk for p in persons])
    grouped: dict[int, list[StatusEvent]] = {p.pk: [] for p in persons}
    for row in events_visible(user=user).filter(person__in=owners).values_list(*STATUS_COLUMNS).order_by():
        event = status_event(row)
        for root in owners[row[1]]:
            grouped[root].append(event)
    return {pk: derive_status(events) for pk, events in grouped.items()}


def page_statuses(*, user: Any, persons: list[Person]) -> dict[int, PersonStatus | DerivedStatus]:
    """The situation and family level of a page of persons, for list pages: the kept status
    where the user may read it (one query), statuses_for for the rest. Both answer the same
    (see timeline.materialised), but a search page of fifty persons from the kept rows is one
    short query instead of a thousand events read and derived."""
    kept = visible_to(PersonStatus.objects.filter(person__in=[p.pk for p in persons]), user)
    found: dict[int, PersonStatus | DerivedStatus] = {row.person_id: row for row in kept}
    rest = [p for p in persons if p.pk not in found]
    if rest:
        found.update(statuses_for(user=user, persons=rest))
    return found


# What a derived status depends on, read as rows (see status_event).
STATUS_COLUMNS = (
    "pk", "person_id", "kind", "occurred_on", "occurred_time", "precision", "reliability",
    "credibility", "source__kind", "place_id", "corrects_id",
)  # fmt: skip


def status_event(row: tuple[Any, ...]) -> StatusEvent:
    """A row of STATUS_COLUMNS as the status derivation takes it (Event.as_status_event, without
    making a model of the row)."""
    pk, _person, kind, day, time, precision, reliability, credibility, source_kind, place, corrects = row[:11]
    return StatusEvent(
        id=pk, kind=kind, occurred_on=day, occurred_time=time, precision=precision, reliability=reliability,
        credibility=credibility, source_is_icrc=source_kind == SourceKind.ICRC, place_id=place,
        corrects_id=corrects,
    )  # fmt: skip


def situation_counts(*, user: Any, persons: QuerySet[Person], chunk: int = 500) -> Counter[str]:
    """How many of these persons are in each derived situation, as the user would see each
    timeline: read from the kept status where the user may read it (one query however many
    persons), derived from their visible events for the rest (records the user sees only in
    part, and any not yet derived: see timeline.materialised)."""
    kept = visible_to(PersonStatus.objects.filter(person__in=persons.values("pk")), user)
    counts: Counter[str] = Counter(
        dict(kept.order_by().values_list("situation").annotate(n=Count("pk")).values_list("situation", "n"))
    )
    # An anti-join: NOT IN (a million kept rows) would be compared row by row.
    readable = visible_to(PersonStatus.objects.filter(person=OuterRef("pk")), user)
    rest = persons.filter(~Exists(readable)).order_by("pk")
    batch: list[Person] = []
    for person in rest.iterator(chunk_size=chunk):
        batch.append(person)
        if len(batch) == chunk:
            counts.update(s.situation for s in statuses_for(user=user, persons=batch).values())
            batch = []
    if batch:
        counts.update(s.situation for s in statuses_for(user=user, persons=batch).values())
    return counts


def _events_for(user: Any, persons: list[Person]) -> dict[int, list[Event]]:
    """Each listed person's visible events, those of the records merged into it included."""
    owners = record_owners([p.pk for p in persons])
    grouped: dict[int, list[Event]] = {p.pk: [] for p in persons}
    for event in events_visible(user=user).filter(person__in=owners):
        for root in owners[event.person_id]:
            grouped[root].append(event)
    return grouped


def record_owners(roots: list[int]) -> dict[int, set[int]]:
    """Each record id -> the listed records whose timeline includes it: itself, and every
    listed record it is merged into (a page may list both a kept and an absorbed record)."""
    owners: dict[int, set[int]] = {pk: {pk} for pk in roots}
    frontier = set(roots)
    while frontier:
        rows = Person.objects.filter(merged_into__in=frontier).values_list("pk", "merged_into")
        frontier = set()
        for pk, parent in rows:
            owners.setdefault(pk, set()).update(owners[parent])  # type: ignore[index]  # filtered on it
            frontier.add(pk)
    return owners


_MIDNIGHT = dt.time(0, 0)


CTA_HEADER = (
    "record", "family_name", "given_names", "fathers_name", "mothers_maiden_name", "birth_date",
    "place_of_birth", "sex", "nationality", "power_served", "category", "rank", "service_number",
    "identity_disc", "next_of_kin", "address_for_correspondence", "situation", "situation_since",
    "last_known_place", "last_sign_of_life", "icrc_confirmed", "detrimental_to_disclose",
)
_CTA_CHUNK = 500


def cta_export_rows(*, user: Any) -> tuple[tuple[str, ...], Iterator[list[Any]]]:
    """The header and rows of the export to the ICRC Central Tracing Agency: the identity
    fields of GC III art. 122 and each person's derived situation. Merged records appear once,
    under the record they were merged into."""
    from tracebureau.registry.selectors import persons_visible

    persons = persons_visible(user=user).filter(merged_into__isnull=True).order_by("pk")
    return CTA_HEADER, _cta_rows(user, persons)


def _cta_rows(user: Any, persons: QuerySet[Person]) -> Iterator[list[Any]]:
    places = {p.pk: p.name for p in places_visible(user=user)}
    chunk: list[Person] = []
    for person in persons.iterator(chunk_size=_CTA_CHUNK):
        chunk.append(person)
        if len(chunk) == _CTA_CHUNK:
            yield from _cta_chunk(user, chunk, places)
            chunk = []
    yield from _cta_chunk(user, chunk, places)


def _cta_chunk(user: Any, persons: list[Person], places: dict[int, str]) -> Iterator[list[Any]]:
    if not persons:
        return
    for p, events in zip(persons, _events_for(user, persons).values(), strict=True):
        s = derive_status(e.as_status_event() for e in events)
        dates = {e.pk: e.occurred_on.isoformat() for e in events}
        yield [
            p.pk, p.family_name, p.given_names, p.patronymic, p.mother_maiden_name,
            p.birth_date_display, p.place_of_birth, p.sex, p.nationality, p.power_served, p.category,
            p.rank, p.service_number, p.identity_disc, p.next_of_kin, p.correspondence_address,
            s.situation, dates.get(s.basis_id or 0, ""), places.get(s.last_place_id or 0, ""),
            dates.get(s.last_sign_of_life_id or 0, ""),
            "yes" if s.icrc_basis_id else "no", "yes" if p.detrimental_to_disclose else "no",
        ]
