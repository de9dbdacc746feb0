"""Reads about identification, always through the policy (core.policy.visible_to), and the
state of a remains case derived from its decisions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Count, Prefetch, Q, QuerySet

from tracebureau.core import policy
from tracebureau.core.policy import VIEW, Can, visible_to
from tracebureau.core.selectors import get_or_404
from tracebureau.engines.kinship.records import FEMALE, MALE, Pedigree
from tracebureau.engines.kinship.simulate import IdentificationPower, identification_power
from tracebureau.identification.choices import DecisionAction, RemainsState, TaskState
from tracebureau.identification.models import (
    FrequencyTable,
    GeneticProfile,
    IdentificationDecision,
    MatchCandidate,
    MatchOutcome,
    MatchRun,
    NotificationTask,
    ReferenceSample,
    RemainsCase,
    Repatriation,
)
from tracebureau.identification.pedigrees import Donor, family_pedigree
from tracebureau.registry.models import Person

SAMPLE_PREFIX = "S"


def batches_visible(*, user: Any, action: str = VIEW) -> QuerySet[Repatriation]:
    rows = Repatriation.objects.annotate(remains_count=Count("remains")).order_by("-arrived_on", "-id")
    return visible_to(rows, user, action)


def batch_get(*, user: Any, pk: Any, action: str = VIEW) -> Repatriation:
    return get_or_404(batches_visible(user=user, action=action), pk, "repatriation")


def remains_visible(*, user: Any, action: str = VIEW) -> QuerySet[RemainsCase]:
    return visible_to(RemainsCase.objects.select_related("repatriation"), user, action)


def remains_get(*, user: Any, pk: Any, action: str = VIEW) -> RemainsCase:
    return get_or_404(remains_visible(user=user, action=action), pk, "remains case")


def candidate_get(*, user: Any, pk: Any) -> MatchCandidate:
    rows = visible_to(
        MatchCandidate.objects.select_related("remains_case__repatriation", "person"), user, VIEW
    )
    return get_or_404(rows, pk, "candidate")


def decision_get(*, user: Any, pk: Any) -> IdentificationDecision:
    rows = visible_to(IdentificationDecision.objects.select_related("remains_case", "person"), user, VIEW)
    return get_or_404(rows, pk, "decision")


def samples_visible(*, user: Any, action: str = VIEW) -> QuerySet[ReferenceSample]:
    return visible_to(ReferenceSample.objects.select_related("person"), user, action)


def sample_get(*, user: Any, pk: Any, action: str = VIEW) -> ReferenceSample:
    return get_or_404(samples_visible(user=user, action=action), pk, "reference sample")


def latest_profile(
    *, user: Any, remains_case: RemainsCase | None = None, sample: ReferenceSample | None = None
) -> GeneticProfile | None:
    """The profile in use, for those who may see genetic data; None for everyone else. The
    caller audits the view (views wrap it in audit_read)."""
    rows = visible_to(GeneticProfile.objects.all(), user, VIEW)
    if remains_case is not None:
        rows = rows.filter(remains_case=remains_case)
    else:
        rows = rows.filter(reference_sample=sample)
    return rows.order_by("-id").first()


def latest_run(repatriation: Repatriation) -> MatchRun | None:
    return repatriation.match_runs.order_by("-id").first()


def runs_visible(*, user: Any) -> QuerySet[MatchRun]:
    return visible_to(MatchRun.objects.select_related("repatriation"), user, VIEW)


def tasks_visible(*, user: Any, action: str = VIEW) -> QuerySet[NotificationTask]:
    rows = NotificationTask.objects.select_related("person", "decision__remains_case", "completed_by")
    return visible_to(rows, user, action)


def task_get(*, user: Any, pk: Any, action: str = VIEW) -> NotificationTask:
    return get_or_404(tasks_visible(user=user, action=action), pk, "notification task")


def open_task_count(*, user: Any) -> int:
    return tasks_visible(user=user).filter(state=TaskState.OPEN).count()


# --- families ---------------------------------------------------------------------------------


def usable_samples(*, person_ids: Iterable[int]) -> QuerySet[ReferenceSample]:
    """Samples whose consent stands: the only ones a match run may use."""
    return ReferenceSample.objects.filter(person_id__in=list(person_ids), consent_withdrawn_at__isnull=True)


def family_of(person: Person, samples: Sequence[ReferenceSample]) -> Pedigree:
    """The pedigree of `person` (member "M") and the donors of `samples` (members "S<pk>")."""
    donors = [Donor(f"{SAMPLE_PREFIX}{s.pk or 'new'}", s.relationship, s.donor_sex) for s in samples]
    missing_sex = FEMALE if person.sex == "female" else MALE  # unknown: as male (it matters only for Y/X)
    return family_pedigree(family=str(person.pk), missing_sex=missing_sex, donors=donors)


def current_profiles(
    *, remains: Iterable[int] = (), samples: Iterable[int] = ()
) -> dict[tuple[str, int], dict]:
    """The latest profile of each remains case ("R", pk) and sample ("S", pk), for the match run
    (which runs for someone who may see genetic data, checked when it was started)."""
    rows = GeneticProfile.objects.filter(
        Q(remains_case_id__in=list(remains)) | Q(reference_sample_id__in=list(samples))
    ).order_by("id")
    latest: dict[tuple[str, int], dict] = {}
    for profile in rows.values("remains_case_id", "reference_sample_id", "markers"):
        key = (
            ("R", profile["remains_case_id"])
            if profile["remains_case_id"]
            else ("S", profile["reference_sample_id"])
        )
        latest[key] = profile["markers"]
    return latest


# --- the state of a remains case --------------------------------------------------------------


@dataclass
class RemainsStatus:
    state: str = RemainsState.UNIDENTIFIED
    person: Person | None = None
    preliminary: IdentificationDecision | None = None
    pending: IdentificationDecision | None = None
    confirmed: IdentificationDecision | None = None
    decisions: list[IdentificationDecision] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(RemainsState(self.state).label)


def remains_status(remains_case: RemainsCase) -> RemainsStatus:
    decisions = list(
        IdentificationDecision.objects.filter(remains_case=remains_case)
        .select_related("person", "by", "decides", "event")
        .order_by("id")
    )
    return status_from(decisions)


def remains_with_decisions(rows: QuerySet[RemainsCase]) -> QuerySet[RemainsCase]:
    """The cases, each with its decisions in the order made as `decisions_made`, for
    status_from: a list of cases reads them in one query, not one a case."""
    decisions = IdentificationDecision.objects.select_related("person", "by", "decides", "event")
    ordered = Prefetch("decisions", queryset=decisions.order_by("id"), to_attr="decisions_made")
    return rows.prefetch_related(ordered)


def status_from(decisions: list[IdentificationDecision]) -> RemainsStatus:
    """The state the decisions, in the order made, lead to: a confirmation (then a burial) ends
    it; otherwise a proposal nobody has decided yet; otherwise the latest preliminary one."""
    status = RemainsStatus(decisions=decisions)
    decided = {d.decides_id for d in decisions if d.decides_id}
    for decision in decisions:
        if decision.action == DecisionAction.PRELIMINARY:
            status.preliminary = decision
        elif decision.action == DecisionAction.PROPOSED and decision.pk not in decided:
            status.pending = decision
        elif decision.action == DecisionAction.CONFIRMED:
            status.confirmed, status.pending = decision, None
    if status.confirmed:
        buried = any(d.action == DecisionAction.BURIED for d in decisions)
        status.state = RemainsState.BURIED if buried else RemainsState.IDENTIFIED
        status.person = status.confirmed.person
    elif status.pending:
        status.state, status.person = RemainsState.AWAITING_APPROVAL, status.pending.person
    elif status.preliminary:
        status.state, status.person = RemainsState.PRELIMINARY, status.preliminary.person
    return status


def batch_statuses(repatriation: Repatriation) -> dict[int, RemainsStatus]:
    """Every remains case's status in one query."""
    decisions = (
        IdentificationDecision.objects.filter(remains_case__repatriation=repatriation)
        .select_related("person")
        .order_by("id")
    )
    by_case: dict[int, list[IdentificationDecision]] = {}
    for decision in decisions:
        by_case.setdefault(decision.remains_case_id, []).append(decision)
    return {case_id: status_from(found) for case_id, found in by_case.items()}


def remains_identified_as(person: Person) -> QuerySet[RemainsCase]:
    return RemainsCase.objects.filter(
        decisions__action=DecisionAction.CONFIRMED, decisions__person=person
    ).distinct()


def candidates_of(*, user: Any, remains_case: RemainsCase, run: MatchRun | None) -> list[MatchCandidate]:
    if run is None:
        return []
    rows = MatchCandidate.objects.filter(match_run=run, remains_case=remains_case).select_related("person")
    return list(visible_to(rows, user, VIEW).order_by("rank"))


def candidates_by_case(*, user: Any, run: MatchRun | None) -> dict[int, list[MatchCandidate]]:
    """candidates_of for every case of the run at once, by the case's id."""
    if run is None:
        return {}
    rows = visible_to(MatchCandidate.objects.filter(match_run=run).select_related("person"), user, VIEW)
    by_case: dict[int, list[MatchCandidate]] = {}
    for candidate in rows.order_by("rank"):
        by_case.setdefault(candidate.remains_case_id, []).append(candidate)
    return by_case


def outcome_of(*, remains_case: RemainsCase, run: MatchRun | None) -> MatchOutcome | None:
    if run is None:
        return None
    return MatchOutcome.objects.filter(match_run=run, remains_case=remains_case).first()


def batch_best_candidates(*, user: Any, run: MatchRun | None) -> dict[int, MatchCandidate]:
    if run is None:
        return {}
    rows = visible_to(
        MatchCandidate.objects.filter(match_run=run, rank=1).select_related("person"), user, VIEW
    )
    return {c.remains_case_id: c for c in rows}


def remains_of_batch(*, user: Any, repatriation: Repatriation) -> QuerySet[RemainsCase]:
    """The batch's cases, each with `profile_count` (whether the laboratory has typed it yet)."""
    return (
        remains_visible(user=user).filter(repatriation=repatriation).annotate(profile_count=Count("profiles"))
    )


def profile_get(*, user: Any, pk: Any) -> GeneticProfile:
    rows = GeneticProfile.objects.select_related("remains_case", "reference_sample__person", "entered_by")
    return get_or_404(visible_to(rows, user, VIEW), pk, "genetic profile")


POWER_DRAWS = 2000


def family_power(*, user: Any, person: Person, threshold_log10: int) -> IdentificationPower | None:
    """How likely this family's usable references are to identify the person if his remains are
    found, by simulation (the kinship engine's identification_power) over the current frequency
    table. None when there is nothing to weigh, or for someone who may not see genetic data.
    Seeded by the person, so the page shows the same figures on every visit."""
    if not policy.can(user, Can.SEE_GENETIC_DATA):
        return None
    table = FrequencyTable.objects.order_by("-id").first()
    samples = list(usable_samples(person_ids=[person.pk]))
    profiles = current_profiles(samples=[s.pk for s in samples])
    typed = [s for s in samples if ("S", s.pk) in profiles]
    if table is None or not typed:
        return None
    from tracebureau.identification.matching import build_case

    case = build_case(typed, profiles, table.frequencies)
    return identification_power(
        pedigree=case.families[str(person.pk)],
        missing="M",
        references=case.references,
        loci=case.loci,
        rng=np.random.default_rng(person.pk),
        draws=POWER_DRAWS,
        threshold=10.0**threshold_log10,
    )
