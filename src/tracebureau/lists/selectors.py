"""Reads about incoming lists, always through the policy (core.policy.visible_to)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from tracebureau.core.policy import VIEW, visible_to
from tracebureau.core.selectors import get_or_404
from tracebureau.lists.choices import DecisionAction, RowState
from tracebureau.lists.models import Candidate, Decision, IncomingList, ListRow, Reconciliation

STATE_OF_ACTION: dict[str, str] = {
    DecisionAction.ACCEPT: RowState.ACCEPTED,
    DecisionAction.REJECT: RowState.REJECTED,
    DecisionAction.CREATE_PERSON: RowState.CREATED,
}


def lists_visible(*, user: Any, action: str = VIEW) -> QuerySet[IncomingList]:
    return visible_to(IncomingList.objects.select_related("source", "uploaded_by"), user, action)


def list_get(*, user: Any, pk: Any, action: str = VIEW) -> IncomingList:
    """The list, or 404: the same whether it does not exist or may not be seen."""
    return get_or_404(lists_visible(user=user, action=action), pk, "list")


def row_get(*, user: Any, pk: Any, action: str = VIEW) -> ListRow:
    rows = visible_to(ListRow.objects.select_related("incoming_list__source"), user, action)
    return get_or_404(rows, pk, "list row")


def reconciliation_latest(*, incoming_list: IncomingList) -> Reconciliation | None:
    return incoming_list.reconciliations.order_by("-id").first()


def current_decisions(decisions: list[Decision]) -> dict[int, Decision]:
    """Each row's current decision from its decisions in the order they were made: an undo
    takes back the latest decision still standing, which brings back the one before it."""
    standing: dict[int, list[Decision]] = {}
    for decision in decisions:
        stack = standing.setdefault(decision.row_id, [])
        if decision.action == DecisionAction.UNDO:
            if stack:
                stack.pop()
        else:
            stack.append(decision)
    return {row_id: stack[-1] for row_id, stack in standing.items() if stack}


def current_decision(row: ListRow) -> Decision | None:
    decisions = list(Decision.objects.filter(row=row).select_related("event", "person").order_by("id"))
    return current_decisions(decisions).get(row.pk)


def decided_row_ids(*, incoming_list: IncomingList) -> set[int]:
    decisions = list(Decision.objects.filter(row__incoming_list=incoming_list).order_by("id"))
    return set(current_decisions(decisions))


@dataclass
class QueueRow:
    row: ListRow
    decision: Decision | None
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def state(self) -> str:
        return STATE_OF_ACTION[self.decision.action] if self.decision else RowState.UNDECIDED


@dataclass
class Queue:
    rows: list[QueueRow]
    counts: dict[str, int]


def review_queue(*, user: Any, incoming_list: IncomingList, state: str = RowState.UNDECIDED) -> Queue:
    """The list's rows in the given state, each with its current decision and the candidates
    the user may see (best first), and how many rows are in each state."""
    candidates = visible_to(Candidate.objects.select_related("person__agency"), user, VIEW)
    rows = visible_to(ListRow.objects.filter(incoming_list=incoming_list), user, VIEW).prefetch_related(
        Prefetch("candidates", queryset=candidates.order_by("rank"), to_attr="visible_candidates")
    )
    decisions = visible_to(Decision.objects.filter(row__incoming_list=incoming_list), user, VIEW)
    current = current_decisions(list(decisions.select_related("person", "event", "by").order_by("id")))
    queue = [QueueRow(row, current.get(row.pk), row.visible_candidates) for row in rows]
    counts = Counter(entry.state for entry in queue)
    counts[RowState.ALL] = len(queue)
    shown = queue if state == RowState.ALL else [q for q in queue if q.state == state]
    return Queue(shown, {s.value: counts.get(s.value, 0) for s in RowState})
