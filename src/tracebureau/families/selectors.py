"""Reads about families, through the policy: inquiries and their groups, the liaison's
dashboard, candidate persons for an inquiry, and what a family may be told."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from tracebureau.core.policy import VIEW, told_to_families, visible_to
from tracebureau.core.selectors import get_or_404
from tracebureau.families.choices import InquiryState
from tracebureau.families.models import ConsentChange, FamilyContact, Inquiry, InquiryStep
from tracebureau.families.status import FamilyStatus, family_status
from tracebureau.registry.models import Person
from tracebureau.registry.selectors import person_record_ids, persons_visible
from tracebureau.timeline.choices import FAMILY_LEVEL_WORDING
from tracebureau.timeline.models import Event


def inquiries_visible(*, user: Any, action: str = VIEW) -> QuerySet[Inquiry]:
    return visible_to(Inquiry.objects.select_related("requester", "person"), user, action)


def inquiry_get(*, user: Any, pk: Any, action: str = VIEW) -> Inquiry:
    return get_or_404(inquiries_visible(user=user, action=action), pk, "inquiry")


def state_of(inquiry: Inquiry) -> str:
    step = InquiryStep.objects.filter(inquiry=inquiry).order_by("-at", "-id").first()
    return step.state if step else InquiryState.OPEN


def steps_of(inquiry: Inquiry) -> QuerySet[InquiryStep]:
    return InquiryStep.objects.filter(inquiry=inquiry).select_related("by").order_by("at", "id")


def consents_of(inquiry: Inquiry) -> dict[str, bool]:
    """The latest word on each consent (a kind never recorded is absent)."""
    latest: dict[str, bool] = {}
    for change in ConsentChange.objects.filter(inquiry=inquiry).order_by("at", "id"):
        latest[change.kind] = change.given
    return latest


def contacts_of(inquiry: Inquiry) -> QuerySet[FamilyContact]:
    return FamilyContact.objects.filter(inquiry=inquiry).select_related("by").order_by("at", "id")


def group_of(*, user: Any, inquiry: Inquiry) -> list[Inquiry]:
    """The other inquiries about the same person: several relatives asking about one son."""
    if inquiry.person_id is None:
        return []
    return list(inquiries_visible(user=user).filter(person_id=inquiry.person_id).exclude(pk=inquiry.pk))


def requester_inquiries(*, user: Any, inquiry: Inquiry) -> list[Inquiry]:
    """The requester's other inquiries: one mother asking about two sons."""
    return list(inquiries_visible(user=user).filter(requester=inquiry.requester).exclude(pk=inquiry.pk))


# --- the dashboard -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardRow:
    inquiry: Inquiry
    state: str
    state_label: str
    overdue: bool
    waiting_hours: int
    group_size: int


def dashboard(*, user: Any, include_closed: bool = False) -> list[DashboardRow]:
    """The liaison's queue: every inquiry not answered or closed (all of them with
    `include_closed`), oldest first, the overdue ones (unanswered beyond
    TRACEBUREAU_INQUIRY_ANSWER_HOURS) flagged."""
    inquiries = list(inquiries_visible(user=user).order_by("received_at", "id"))
    latest: dict[int, str] = {}
    for step in InquiryStep.objects.filter(inquiry__in=[i.pk for i in inquiries]).order_by("at", "id"):
        latest[step.inquiry_id] = step.state
    groups: dict[int, int] = {}
    for inquiry in inquiries:
        if inquiry.person_id:
            groups[inquiry.person_id] = groups.get(inquiry.person_id, 0) + 1
    now, limit = timezone.now(), dt.timedelta(hours=settings.TRACEBUREAU_INQUIRY_ANSWER_HOURS)
    rows = []
    for inquiry in inquiries:
        state = latest.get(inquiry.pk, InquiryState.OPEN)
        if not include_closed and state in (InquiryState.ANSWERED, InquiryState.CLOSED):
            continue
        waiting = now - inquiry.received_at
        unanswered = state in (InquiryState.OPEN, InquiryState.IN_PROGRESS)
        rows.append(
            DashboardRow(
                inquiry,
                state,
                str(InquiryState(state).label),
                unanswered and waiting > limit,
                int(waiting.total_seconds() // 3600),
                groups.get(inquiry.person_id or 0, 1),
            )
        )
    return sorted(rows, key=lambda r: (not r.overdue, r.inquiry.received_at))


# --- finding the person sought ------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonCandidate:
    person: Person
    probability: float


def candidates_for(*, user: Any, inquiry: Inquiry, limit: int = 5) -> list[PersonCandidate]:
    """Registered persons who may be the one sought, by the lists engine: the family's
    spelling against every spelling the registry holds, with the date of birth."""
    from tracebureau.lists.reconcile import engine_link, person_record

    record = {
        "id": "inquiry",
        "family_name": inquiry.sought_family_name,
        "given_name": inquiry.sought_given_names,
        "patronymic": inquiry.sought_patronymic,
        "birth_date": inquiry.sought_birth_date,
    }
    persons = {p.pk: p for p in persons_visible(user=user).filter(merged_into__isnull=True)}
    if not persons:
        return []
    matches = engine_link([record], [person_record(p) for p in persons.values()], lambda s, f: None)
    ranked = sorted(matches, key=lambda m: -m[2])[:limit]
    return [PersonCandidate(persons[int(m[1])], m[2]) for m in ranked]


# --- what a family may be told -------------------------------------------------------------------------


def family_status_of(*, person: Person) -> FamilyStatus:
    """The five-level status a family may be told, from the family-facing view of the timeline:
    nothing detrimental to disclose (GC IV art. 137) and nothing negotiation-sensitive. A
    person whose whole record is detrimental to disclose: "no information"."""
    if person.detrimental_to_disclose:
        return FamilyStatus(1, None)
    timeline = Event.objects.filter(person__in=person_record_ids(person)).select_related("source")
    events = told_to_families(timeline)
    return family_status([e.as_status_event() for e in events])


@dataclass(frozen=True)
class LookupAnswer:
    level: int
    wording: str
    since: dt.date | None


def lookup_answer(inquiry: Inquiry) -> LookupAnswer:
    """What the lookup page shows: the level and the date it last changed; "no information"
    while the inquiry is linked to no registered person yet."""
    if inquiry.person is None:
        return LookupAnswer(1, str(FAMILY_LEVEL_WORDING[1]), None)
    status = family_status_of(person=inquiry.person)
    return LookupAnswer(status.level, str(FAMILY_LEVEL_WORDING[status.level]), status.since)
