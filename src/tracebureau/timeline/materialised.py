"""The derived status kept beside the timeline (PersonStatus).

Every write that changes a timeline (an event, a correction, a bulk event, a merge or its
undoing) calls `status_refresh` in its own transaction, so the kept status never lags the
events. `status_rebuild` derives it again from the events for the whole registry and
`status_check` says where the two disagree; neither is needed in normal running.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from tracebureau.core.choices import CLASSIFICATION_ORDER
from tracebureau.registry.models import Person
from tracebureau.timeline.models import Event, PersonStatus
from tracebureau.timeline.selectors import STATUS_COLUMNS, record_owners, status_event
from tracebureau.timeline.status import StatusEvent, derive_status

CHUNK = 5000
_STORED = ("situation", "family_level", "since", "last_sign_of_life_on", "events", "ceiling",
           "detrimental", "other_agency")  # fmt: skip


@dataclass
class Timeline:
    """What one record's status is derived from: its events and those of the records in it."""

    agency_id: int | None
    events: list[StatusEvent] = field(default_factory=list)
    dates: dict[int, Any] = field(default_factory=dict)
    ceiling: int = 0
    detrimental: bool = False
    other_agency: bool = False

    def fold(self, classification: str, detrimental: bool) -> None:
        """Something the status is derived from, and who may see it."""
        self.ceiling = max(self.ceiling, CLASSIFICATION_ORDER.index(classification))
        self.detrimental |= detrimental

    def add(self, event: StatusEvent, *, classification: str, detrimental: bool) -> None:
        self.events.append(event)
        self.dates[event.id] = event.occurred_on
        self.fold(classification, detrimental)


def status_refresh(*, person_ids: Iterable[int]) -> None:
    """Derive again the kept status of these records and of every record they are merged into.
    Call it inside the transaction that wrote the change."""
    ids = set(person_ids)
    if not ids:
        return
    with transaction.atomic():
        _store(derived_statuses(sorted(_locked_with_ancestors(ids))), update=True)


def _locked_with_ancestors(ids: set[int]) -> set[int]:
    """The records and every record they are merged into, locked. Writers about one person take
    turns, so the second derives from the first one's event; and the chain is read again once
    locked, because a merge that committed while we waited may have put a record under another
    (whose status must then include our event too)."""
    roots = _with_ancestors(ids)
    while True:
        locked = Person.objects.select_for_update(no_key=True).filter(pk__in=roots).order_by("pk")
        list(locked.values_list("pk"))
        again = _with_ancestors(roots)
        if again == roots:
            return roots
        roots = again


def _with_ancestors(ids: set[int]) -> set[int]:
    found, frontier = set(ids), set(ids)
    while frontier:
        parents: set[int] = {
            pk
            for pk in Person.objects.filter(pk__in=frontier).values_list("merged_into", flat=True)
            if pk is not None
        }
        frontier = parents - found
        found |= parents
    return found


def derived_statuses(roots: list[int]) -> list[PersonStatus]:
    """The status each record's timeline derives now, as unsaved rows, in a few queries."""
    owners = record_owners(roots)
    timelines: dict[int, Timeline] = {}
    records = Person.objects.filter(pk__in=owners).values_list(
        "pk", "classification", "detrimental_to_disclose", "agency_id"
    )
    by_record = {row[0]: row[1:] for row in records}
    for root in roots:
        timelines[root] = Timeline(agency_id=by_record[root][2])
    for pk, (classification, detrimental, agency) in by_record.items():
        for root in owners[pk]:
            timelines[root].fold(classification, detrimental)
            timelines[root].other_agency |= agency != timelines[root].agency_id
    columns = (*STATUS_COLUMNS, "classification", "detrimental_to_disclose")
    for row in Event.objects.filter(person__in=owners).values_list(*columns).order_by():
        event = status_event(row)
        for root in owners[row[1]]:
            timelines[root].add(event, classification=row[-2], detrimental=row[-1])
    return [status_row(root, timeline) for root, timeline in timelines.items()]


def status_row(root: int, timeline: Timeline) -> PersonStatus:
    status = derive_status(timeline.events)
    return PersonStatus(
        person_id=root,
        situation=status.situation,
        family_level=status.family_level,
        since=timeline.dates.get(status.basis_id) if status.basis_id else None,
        last_sign_of_life_on=(
            timeline.dates.get(status.last_sign_of_life_id) if status.last_sign_of_life_id else None
        ),
        events=len(timeline.events),
        ceiling=CLASSIFICATION_ORDER[timeline.ceiling],
        detrimental=timeline.detrimental,
        other_agency=timeline.other_agency,
    )


def _store(rows: list[PersonStatus], *, update: bool) -> None:
    PersonStatus.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=update,
        unique_fields=["person"] if update else None,
        update_fields=[*_STORED, "derived_at"] if update else None,
    )


def _chunks(chunk: int) -> Iterator[list[int]]:
    ids = Person.objects.order_by("pk").values_list("pk", flat=True)
    batch: list[int] = []
    for pk in ids.iterator(chunk_size=chunk):
        batch.append(pk)
        if len(batch) == chunk:
            yield batch
            batch = []
    if batch:
        yield batch


def status_rebuild(*, chunk: int = CHUNK, progress: Callable[[int, int], None] | None = None) -> int:
    """Derive every record's kept status again from its events, a chunk per transaction (a
    rebuild stopped half-way leaves each row either old or new, both derived from events).
    Returns the number of records."""
    total, done = Person.objects.count(), 0
    for batch in _chunks(chunk):
        with transaction.atomic():
            _store(derived_statuses(batch), update=True)
        done += len(batch)
        if progress:
            progress(done, total)
    return done


def status_check(*, chunk: int = CHUNK, only: Iterable[int] | None = None) -> list[int]:
    """The records whose kept status differs from what their events derive now (a missing row
    counts as differing only where there are events to derive from): every record, or `only`
    these and the records they are merged into."""
    wrong: list[int] = []
    batches = _chunks(chunk) if only is None else iter([sorted(_with_ancestors(set(only)))])
    for batch in batches:
        kept = {row.person_id: row for row in PersonStatus.objects.filter(person__in=batch)}
        for row in derived_statuses(batch):
            old = kept.get(row.person_id)
            if old is None:
                if row.events:
                    wrong.append(row.person_id)
            elif any(getattr(old, name) != getattr(row, name) for name in _STORED):
                wrong.append(row.person_id)
    return wrong
