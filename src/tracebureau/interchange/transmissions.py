"""What the next transmission to the ICRC Central Tracing Agency must carry, as plain data.

The Conventions ask the bureau to forward, for each of the adversary's people in our hands, a
capture card (GC III art. 70 and Annex IV A), every change of situation (transfer, admission to
hospital, escape, release, repatriation: art. 122) and every death with what identifies the
grave (art. 120; GC IV art. 129, 136-138). Corrections of what was sent go too.

A batch carries everything of that kind not carried by an earlier batch that was sent or is
waiting to be: it is computed from what was transmitted, not from dates, so an event recorded
late, or recorded while another batch was being prepared, is never skipped. Weak reports
(E/F sources, credibility 5/6) and retracted events are not facts to notify; a retraction of
something already sent is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from tracebureau.core import policy
from tracebureau.interchange.choices import BatchStep, ItemKind
from tracebureau.interchange.models import TransmissionBatch, TransmissionItem
from tracebureau.registry.models import Person
from tracebureau.timeline.choices import EventKind
from tracebureau.timeline.models import Event, Place
from tracebureau.timeline.selectors import TimelineView, record_owners, timelines_for

FORMAT = "tracebureau-cta/1"
CUSTODY_KINDS = frozenset({EventKind.CAPTURED})
CHANGE_KINDS = frozenset(
    {
        EventKind.CAPTURED,  # a recapture, once the card has gone
        EventKind.TRANSFERRED,
        EventKind.HOSPITALISED,
        EventKind.EVACUATED,
        EventKind.ESCAPED,
        EventKind.RELEASED,
        EventKind.RETURNED,
    }
)
DEATH_KINDS = frozenset({EventKind.KILLED, EventKind.DIED_IN_CUSTODY, EventKind.IDENTIFIED, EventKind.BURIED})
HEALTH_KINDS = frozenset({EventKind.WOUNDED, EventKind.HOSPITALISED, EventKind.HEALTH_REPORT})
NOTE_KINDS = HEALTH_KINDS | DEATH_KINDS
IDENTITY_FIELDS = (
    "power_served",
    "family_name",
    "given_names",
    "patronymic",
    "mother_maiden_name",
    "place_of_birth",
    "sex",
    "nationality",
    "category",
    "rank",
    "unit",
    "service_number",
    "identity_disc",
    "next_of_kin",
    "correspondence_address",
)


@dataclass(frozen=True)
class Pending:
    kind: str
    person: Person
    event: Event | None
    timeline: TimelineView


def prisoner_number(person_id: int) -> str:
    return f"TB-{person_id:07d}"


def pending_items(*, user: Any) -> list[Pending]:
    """Everything the next batch must carry about the persons the user sees, person by person,
    in the order it happened. (Preparing a batch needs every record owed to be seen.)"""
    owed = policy.visible_to(policy.transmitted_to_cta(Person.objects.all()), user)
    persons = list(owed.select_related("agency").order_by("pk"))
    timelines = timelines_for(user=user, persons=persons)
    carried = _carried(record_owners([p.pk for p in persons]))
    items: list[Pending] = []
    for person in persons:
        items.extend(_pending_for(person, timelines[person.pk], carried))
    return items


@dataclass
class _Carried:
    """What earlier batches carried, by the record each person lives on in now: a card sent
    for a record since merged into another counts for the record it was merged into."""

    cards: set[int] = field(default_factory=set)
    events: set[int] = field(default_factory=set)
    # The identity each person was last sent with, and when.
    identities: dict[int, tuple[Any, dict]] = field(default_factory=dict)


def _carried(owners: dict[int, set[int]]) -> _Carried:
    """Those sent, and the one waiting to be (not withdrawn)."""
    items = TransmissionItem.objects.exclude(batch__steps__step=BatchStep.WITHDRAWN)
    rows = items.values_list("kind", "person_id", "event_id", "batch_id", "batch__prepared_at")
    carried = _Carried()
    latest: dict[int, tuple[Any, int]] = {}
    for kind, person_id, event_id, batch_id, at in rows:
        roots = owners.get(person_id, {person_id})
        if kind == ItemKind.CAPTURE_CARD:
            carried.cards |= roots
        if event_id is not None:
            carried.events.add(event_id)
        for root in roots:
            if root not in latest or latest[root][0] < at:
                latest[root] = (at, batch_id)
    carried.identities = _identities_sent(latest)
    return carried


def _identities_sent(latest: dict[int, tuple[Any, int]]) -> dict[int, tuple[Any, dict]]:
    """Each person's identity as the latest batch about them carried it (from its content)."""
    batches = TransmissionBatch.objects.filter(pk__in={b for _at, b in latest.values()})
    contents = dict(batches.values_list("pk", "content"))
    sent = {}
    for root, (at, batch_id) in latest.items():
        about = [i["person"] for i in contents[batch_id]["items"] if i["person"]["record"] == root]
        sent[root] = (at, about[-1] if about else {})
    return sent


def _pending_for(person: Person, timeline: TimelineView, carried: _Carried) -> Iterable[Pending]:
    counted = _counting(timeline)
    card_event = None
    if person.pk not in carried.cards:
        card_event = next((e for e in counted if e.kind in CUSTODY_KINDS), None)
        if card_event is None and timeline.status.situation == "in_custody":
            card_event = timeline.basis
        if card_event is not None:
            yield Pending(ItemKind.CAPTURE_CARD, person, card_event, timeline)
    elif _identity_changed(person, carried):
        yield Pending(ItemKind.IDENTITY, person, None, timeline)
    for event in timeline.events:
        if event.pk in carried.events or event is card_event:
            continue
        if event.corrects_id in carried.events and event.pk not in timeline.status.void_ids:
            yield Pending(ItemKind.CHANGE, person, event, timeline)
        elif event in counted and event.kind in DEATH_KINDS:
            yield Pending(ItemKind.DEATH, person, event, timeline)
        elif event in counted and event.kind in CHANGE_KINDS and (card_event or person.pk in carried.cards):
            yield Pending(ItemKind.CHANGE, person, event, timeline)


def _identity_changed(person: Person, carried: _Carried) -> bool:
    """Whether the identity differs from what was last sent: a save that changed no identity
    field (a reclassification, a merge) tells the Agency nothing."""
    at, sent = carried.identities.get(person.pk, (None, {}))
    if at is not None and person.updated_at <= at:
        return False
    return identity(person) != sent


def _counting(timeline: TimelineView) -> list[Event]:
    """The events that are facts to notify: not retracted or superseded, not weak."""
    status = timeline.status
    leave_out = set(status.void_ids) | set(status.unconfirmed_ids)
    return [e for e in timeline.events if e.pk not in leave_out and e.kind != EventKind.RETRACTION]


# --- content --------------------------------------------------------------------------------


def content_of(items: list[Pending], *, reference: str, previous: Any, prepared_at: Any) -> dict:
    """The batch as data: what the JSON file holds and the CSV and PDF are drawn from."""
    return {
        "format": FORMAT,
        "reference": reference,
        "bureau": settings.TRACEBUREAU_BUREAU_NAME,
        "prepared_at": prepared_at.isoformat(),
        "previous": previous.reference if previous else None,
        "previous_digest": previous.digest if previous else None,
        "counts": {kind: sum(1 for i in items if i.kind == kind) for kind in ItemKind.values},
        "items": [_item(n, item) for n, item in enumerate(items, start=1)],
    }


def _item(n: int, item: Pending) -> dict:
    data: dict[str, Any] = {
        "item": n,
        "kind": item.kind,
        "person": identity(item.person),
        "event": event_data(item.event) if item.event else None,
    }
    if item.kind == ItemKind.CAPTURE_CARD:
        data["card"] = _card(item)
    if item.kind == ItemKind.DEATH:
        data["grave"] = _grave(item.timeline)
    return data


def identity(person: Person) -> dict[str, Any]:
    data: dict[str, Any] = {"number": prisoner_number(person.pk), "record": person.pk}
    data.update({name: getattr(person, name) for name in IDENTITY_FIELDS})
    data["birth_date"] = person.birth_date_display
    # The agency's own name, not the reader's translation: the same identity reads the same.
    data["agency"] = person.agency.name if person.agency else ""
    return data


def event_data(event: Event) -> dict[str, Any]:
    return {
        "record": event.pk,
        "kind": event.kind,
        "date": event.occurred_display,
        "precision": event.precision,
        "place": place_data(event.place),
        # Officers' notes name units and informants as freely as anyone writes them: sent only
        # where they are the substance of the notification (health, death, the grave).
        "note": event.note if event.kind in NOTE_KINDS else "",
        "grade": event.grade,
        "corrects": event.corrects_id,
        "correction": event.correction,
        "reason": event.reason,
    }


def place_data(place: Place | None) -> dict[str, str] | None:
    if place is None:
        return None
    return {"name": place.name, "name_uk": place.name_uk, "kind": place.kind, "region": place.region}


def _card(item: Pending) -> dict[str, Any]:
    """What Annex IV A asks beyond identity: when and where captured, present address, health."""
    counted = _counting(item.timeline)
    health = [e for e in counted if e.kind in HEALTH_KINDS]
    return {
        "present_place": place_data(item.timeline.last_place),
        "health": event_data(health[-1]) if health else None,
    }


def _grave(timeline: TimelineView) -> dict[str, Any] | None:
    """Art. 120: the date and place of burial and what identifies the grave, once known."""
    burials = [e for e in _counting(timeline) if e.kind == EventKind.BURIED]
    return event_data(burials[-1]) if burials else None


def card_for(*, user: Any, person: Person) -> dict[str, Any]:
    """One person's capture card as a batch would carry it, to print outside a batch."""
    timeline = timelines_for(user=user, persons=[person])[person.pk]
    event = next((e for e in _counting(timeline) if e.kind in CUSTODY_KINDS), None) or timeline.basis
    return _item(1, Pending(ItemKind.CAPTURE_CARD, person, event, timeline))
