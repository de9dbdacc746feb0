"""Every write about identification: batches and remains cases, custody, DNA profiles and
reference samples, frequency tables, match runs, and the decisions from a preliminary
identification to a confirmed one and the burial."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tracebureau.core import jobs, policy
from tracebureau.core.choices import Classification, levels_up_to
from tracebureau.core.policy import CHANGE, RECORD_EVENT, Can
from tracebureau.engines.kinship.reading import NOT_TYPED, read_frequencies, read_profiles
from tracebureau.engines.kinship.records import KinshipInputError
from tracebureau.identification import selectors
from tracebureau.identification.choices import DecisionAction, RemainsState, TaskState
from tracebureau.identification.models import (
    CustodyEntry,
    FrequencyTable,
    GeneticProfile,
    IdentificationDecision,
    MatchCandidate,
    MatchRun,
    NotificationTask,
    ReferenceSample,
    RemainsCase,
    Repatriation,
)
from tracebureau.lists.choices import FINISHED, JobStatus
from tracebureau.registry.models import Person
from tracebureau.timeline import services as timeline
from tracebureau.timeline.choices import Credibility, EventKind, Precision, Reliability, SourceKind
from tracebureau.timeline.models import Event, Source

IDENTIFICATION_SOURCE = "DNA identification (tracebureau)"
_STR_ALLELE = re.compile(r"^\d{1,2}(\.[1-3])?$")
_PROFILE_ITEM = re.compile(r"^\s*([^\s:=]+)\s*[:= ]\s*([^\s/,]+)\s*[/,]\s*([^\s/,]+)\s*$")


def _validated(instance: Any, *, exclude: list[str] | None = None) -> Any:
    instance.full_clean(exclude=exclude)
    instance.save()
    return instance


# --- batches, remains and custody -------------------------------------------------------------


def _not_future(**dates: dt.date | dt.datetime | None) -> None:
    """A date of something that has happened cannot be later than today."""
    errors = {
        name: _("In the future: record it once it has happened.")
        for name, value in dates.items()
        if value is not None
        and (value > timezone.now() if isinstance(value, dt.datetime) else value > timezone.localdate())
    }
    if errors:
        raise ValidationError(errors)


def repatriation_create(*, by: Any, **fields: Any) -> Repatriation:
    """Record a batch of returned remains (title, arrived_on, route, counterpart, ...)."""
    policy.require(by, Can.IDENTIFY)
    _not_future(arrived_on=fields.get("arrived_on"))
    return _validated(Repatriation(created_by=by, **fields), exclude=["created_by"])


@transaction.atomic
def repatriation_receive(
    *,
    by: Any,
    exchange_reference: str,
    title: str,
    arrived_on: dt.date,
    counterpart: str,
    route: str,
    bodies: Sequence[tuple[int, str, Person | None]],
) -> Repatriation:
    """The batch of bodies received in an exchange, opened by the coordinator who verifies it:
    one remains case per body (numbered by its line of the arrivals list), with the name the
    other side's list gave it, if any. That name is what the list says, not an identification:
    the case starts unidentified, for the identification officers to work."""
    if not (policy.can(by, Can.IDENTIFY) or policy.can(by, Can.MANAGE_EXCHANGES)):
        raise PermissionDenied(_("Your roles do not allow receiving remains."))
    _not_future(arrived_on=arrived_on)
    batch = _validated(
        Repatriation(
            title=title[:200], arrived_on=arrived_on, counterpart=counterpart[:200], route=route[:300],
            exchange_reference=exchange_reference, bodies_reported=len(bodies), created_by=by,
        ),
        exclude=["created_by"],
    )
    for number, name, person in bodies:
        named = _("Named on the hand-over list as: %(name)s") % {"name": name} if name else ""
        # The record number only where whoever reads the case may read the record too.
        if person is not None and person.classification in levels_up_to(Classification.CONFIDENTIAL):
            named += " " + _("(registry record #%(id)s)") % {"id": person.pk}
        _validated(
            RemainsCase(
                repatriation=batch,
                reference=f"{exchange_reference}-{number:03d}"[:60],
                found_by=counterpart[:200],
                tags_and_documents=named,
                created_by=by,
            ),
            exclude=["created_by", "repatriation"],
        )
    return batch


def remains_case_create(*, by: Any, repatriation: Repatriation, **fields: Any) -> RemainsCase:
    """Open the post-mortem record of one body of a batch."""
    policy.require(by, Can.IDENTIFY)
    policy.require_row(by, repatriation, CHANGE)
    _not_future(found_on=fields.get("found_on"))
    case = RemainsCase(repatriation=repatriation, created_by=by, **fields)
    errors = policy.classification_errors(by, case.classification)
    if errors:
        raise ValidationError(errors)
    return _validated(case, exclude=["created_by", "repatriation"])


def custody_record(*, by: Any, remains_case: RemainsCase, **fields: Any) -> CustodyEntry:
    """A hand-over of the body or its samples (at, released_by, received_by, place, note)."""
    policy.require_row(by, remains_case, CHANGE)
    _not_future(at=fields.get("at"))
    entry = CustodyEntry(remains_case=remains_case, recorded_by=by, **fields)
    last = remains_case.custody.order_by("-at", "-id").first()
    if last and entry.at and entry.at < last.at:
        raise ValidationError(
            {
                "at": _("Before the last hand-over recorded (%(at)s): custody is recorded in order.")
                % {"at": timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M")}
            }
        )
    return _validated(entry, exclude=["remains_case", "recorded_by"])


# --- profiles ---------------------------------------------------------------------------------


def parse_profile(text: str) -> dict[str, list[str]]:
    """A profile as a laboratory writes it: one marker per line or separated by ";", as
    "D3S1358 15/16" (also "D3S1358: 15,16"). Raises ValidationError naming each bad item.

    >>> parse_profile("D3S1358 15/16; vWA: 17,17")
    {'D3S1358': ['15', '16'], 'vWA': ['17', '17']}
    """
    markers: dict[str, list[str]] = {}
    errors = []
    items = [item for item in re.split(r"[;\n]", text) if item.strip()]
    for number, item in enumerate(items, start=1):
        match = _PROFILE_ITEM.match(item)
        if not match:
            errors.append(
                _("Item %(n)s (“%(item)s”): write the marker and two alleles, as “D3S1358 15/16”.")
                % {"n": number, "item": item.strip()}
            )
            continue
        marker, first, second = match.groups()
        if marker in markers:
            errors.append(_("Item %(n)s: marker %(marker)s given twice.") % {"n": number, "marker": marker})
        elif first.casefold() not in NOT_TYPED and second.casefold() not in NOT_TYPED:
            markers[marker] = [first, second]
    if errors:
        raise ValidationError(errors)
    if not markers:
        raise ValidationError(_("No marker typed."))
    return markers


def profile_errors(markers: Mapping[str, Any]) -> list[str]:
    """What the current frequency table cannot take: a marker it lacks, or an allele that is
    neither in it nor an STR repeat number (9, 9.3, 31.2). A rare allele the table lacks is
    fine: a match run adds it at the engine's minimum frequency."""
    table = FrequencyTable.objects.order_by("-id").first()
    if table is None:
        return []
    errors = []
    for marker, pair in markers.items():
        known = table.frequencies.get(marker)
        if known is None:
            errors.append(
                _("marker %(marker)s is not in the frequency table “%(table)s”")
                % {"marker": marker, "table": table.name}
            )
            continue
        for allele in pair:
            if allele not in known and not _STR_ALLELE.match(str(allele)):
                errors.append(
                    _("%(marker)s: “%(allele)s” is not an allele") % {"marker": marker, "allele": allele}
                )
    return errors


def _profile(
    *, by: Any, markers: Mapping[str, list[str]], lab_reference: str = "", **owner: Any
) -> GeneticProfile:
    policy.require(by, Can.SEE_GENETIC_DATA)
    errors = profile_errors(markers)
    if errors:
        raise ValidationError({"markers": errors})
    profile = GeneticProfile(markers=dict(markers), lab_reference=lab_reference, entered_by=by, **owner)
    profile.save()
    return profile


def remains_profile_add(
    *, by: Any, remains_case: RemainsCase, markers: Mapping[str, list[str]], lab_reference: str = ""
) -> GeneticProfile:
    policy.require_row(by, remains_case, CHANGE)
    return _profile(by=by, markers=markers, lab_reference=lab_reference, remains_case=remains_case)


@transaction.atomic
def remains_profiles_import(*, by: Any, repatriation: Repatriation, file_name: str, content: bytes) -> int:
    """The laboratory's file of post-mortem profiles for a batch (`id,marker,allele1,allele2`;
    the id is the case number). Opens a remains case for each new case number. All or nothing:
    a bad row stops it with the row and column named. Returns the number of profiles stored."""
    policy.require(by, Can.SEE_GENETIC_DATA)
    policy.require_row(by, repatriation, CHANGE)
    profiles, _sexes, where = _read_file(read_profiles, file_name, content)
    for reference, markers in profiles.items():
        case = RemainsCase.objects.filter(reference=reference).first()
        if case is not None and case.repatriation_id != repatriation.pk:
            raise ValidationError(
                _("%(place)s: case number %(ref)s belongs to another batch (%(batch)s).")
                % {"place": where[(reference, "")], "ref": reference, "batch": case.repatriation}
            )
        if case is None:
            case = remains_case_create(by=by, repatriation=repatriation, reference=reference)
        if not markers:
            raise ValidationError(
                _("%(place)s: no marker typed for %(ref)s.")
                % {"place": where[(reference, "")], "ref": reference}
            )
        for marker, pair in markers.items():
            for error in profile_errors({marker: pair}):
                raise ValidationError(
                    _("%(place)s: %(error)s.") % {"place": where[(reference, marker)], "error": error}
                )
        remains_profile_add(
            by=by,
            remains_case=case,
            markers={m: list(g) for m, g in markers.items()},
            lab_reference=file_name,
        )
    return len(profiles)


def _read_file(reader: Callable[..., Any], file_name: str, content: bytes) -> Any:
    """An engine reader on an uploaded file; its errors (which name the row and column) and a
    file that is not UTF-8 become the ValidationError the form shows."""
    try:
        return reader(io.StringIO(content.decode("utf-8-sig")), name=file_name)
    except UnicodeDecodeError as exc:
        raise ValidationError(
            _("%(file)s is not UTF-8 text (byte %(at)s).") % {"file": file_name, "at": exc.start}
        ) from exc
    except KinshipInputError as exc:
        raise ValidationError(str(exc)) from exc


# --- references -------------------------------------------------------------------------------


@transaction.atomic
def reference_sample_create(
    *, by: Any, person: Person, markers: Mapping[str, list[str]], lab_reference: str = "", **fields: Any
) -> ReferenceSample:
    """A relative's reference for `person`, with its consent and profile. The relationship must
    fit the family recorded so far (a second father is refused)."""
    policy.require(by, Can.IDENTIFY)
    policy.require(by, Can.SEE_GENETIC_DATA)
    policy.require_row(by, person, RECORD_EVENT)
    sample = ReferenceSample(person=person, created_by=by, **fields)
    sample.full_clean(exclude=["person", "created_by"])
    others = list(selectors.usable_samples(person_ids=[person.pk]))
    try:
        selectors.family_of(person, [*others, sample])
    except KinshipInputError as exc:
        raise ValidationError({"relationship": str(exc).split(": ", 1)[-1]}) from exc
    sample.save()
    _profile(by=by, markers=markers, lab_reference=lab_reference, reference_sample=sample)
    return sample


def consent_withdraw(*, by: Any, sample: ReferenceSample, reason: str) -> ReferenceSample:
    """The donor withdraws consent: the sample is used in no further match run. Identifications
    already confirmed stand (they were made with consent), and the record stays."""
    policy.require(by, Can.IDENTIFY)
    policy.require_row(by, sample, CHANGE)
    if not reason.strip():
        raise ValidationError({"consent_withdrawn_reason": _("Say why, or who asked.")})
    updated = ReferenceSample.objects.filter(pk=sample.pk, consent_withdrawn_at__isnull=True).update(
        consent_withdrawn_at=timezone.now(), consent_withdrawn_reason=reason.strip()[:500]
    )
    if not updated:
        raise ValidationError(_("Consent for this sample was already withdrawn."))
    sample.refresh_from_db()
    return sample


def frequency_table_import(*, by: Any, name: str, file_name: str, content: bytes) -> FrequencyTable:
    """An allele frequency database (`marker,allele,freq`), checked as the engine reads it."""
    policy.require(by, Can.IDENTIFY)
    loci = _read_file(read_frequencies, file_name, content)
    frequencies = {
        marker: dict(zip(locus.alleles, (float(f) for f in locus.frequencies), strict=True))
        for marker, locus in loci.items()
    }
    return _validated(
        FrequencyTable(name=name, frequencies=frequencies, uploaded_by=by), exclude=["uploaded_by"]
    )


# --- match runs -------------------------------------------------------------------------------


def match_run_start(*, by: Any, repatriation: Repatriation, background: bool = True) -> MatchRun:
    """Queue a run of the kinship engine over the batch; one run at a time per batch. With
    `background=False` (the demo loader, scripts) it runs here and returns finished."""
    policy.require(by, Can.SEE_GENETIC_DATA)
    policy.require_row(by, repatriation, CHANGE)
    table = FrequencyTable.objects.order_by("-id").first()
    if table is None:
        raise ValidationError(_("Load an allele frequency table first."))
    with transaction.atomic():
        Repatriation.objects.select_for_update().filter(pk=repatriation.pk).exists()
        active = repatriation.match_runs.exclude(status__in=FINISHED).first()
        if active and active.abandoned:  # its worker died: "Run again" is its next attempt
            jobs.job_requeue(job=active)
            active.refresh_from_db()
        if active:
            return active
        run = MatchRun.objects.create(
            repatriation=repatriation, frequency_table=table, requested_by=by, stage=gettext_noop("Queued")
        )
        if background:
            transaction.on_commit(lambda: jobs.job_enqueue(run))
    if not background:
        from tracebureau.identification.matching import match_run_run

        match_run_run(run.pk)
        run.refresh_from_db()
    return run


def match_run_cancel(*, by: Any, run: MatchRun) -> MatchRun:
    policy.require_row(by, run.repatriation, CHANGE)
    updated = (
        MatchRun.objects.filter(pk=run.pk)
        .exclude(status__in=FINISHED)
        .update(status=JobStatus.CANCELLED, stage=gettext_noop("Cancelled"), finished_at=timezone.now())
    )
    if not updated:
        raise ValidationError(_("This match run has already finished."))
    run.refresh_from_db()
    return run


# --- decisions --------------------------------------------------------------------------------


def _decision(**fields: Any) -> IdentificationDecision:
    decision = IdentificationDecision(**fields)
    decision.save()
    return decision


def _require_state(remains_case: RemainsCase, allowed: set[str], message: str) -> selectors.RemainsStatus:
    status = selectors.remains_status(remains_case)
    if status.state not in allowed:
        raise ValidationError(message % {"state": RemainsState(status.state).label})
    return status


@transaction.atomic
def preliminary_identify(
    *, by: Any, remains_case: RemainsCase, person: Person, basis: str
) -> IdentificationDecision:
    """A presumptive identification from tags or documents: it stays preliminary until DNA
    confirms it, and adds nothing to the person's timeline."""
    _lock(by, remains_case)
    policy.require_row(by, person, RECORD_EVENT)
    if not basis.strip():
        raise ValidationError({"basis": _("Say what it rests on: the tag, the document, the effects.")})
    _require_state(
        remains_case,
        {RemainsState.UNIDENTIFIED, RemainsState.PRELIMINARY},
        _("This case is already %(state)s."),
    )
    return _decision(
        remains_case=remains_case,
        action=DecisionAction.PRELIMINARY,
        person=person,
        basis=basis.strip(),
        by=by,
    )


@transaction.atomic
def confirmation_propose(*, by: Any, candidate: MatchCandidate, basis: str = "") -> IdentificationDecision:
    """Propose to confirm the identification the DNA supports; a second officer decides."""
    remains_case = candidate.remains_case
    _lock(by, remains_case)
    policy.require_row(by, candidate, policy.VIEW)
    _require_state(
        remains_case,
        {RemainsState.UNIDENTIFIED, RemainsState.PRELIMINARY},
        _("This case is already %(state)s."),
    )
    threshold = settings.TRACEBUREAU_IDENTIFICATION_LOG10_LR
    if candidate.log10_lr < threshold:
        raise ValidationError(
            _("The LR is 10^%(lr).1f, below the 10^%(t)s a DNA identification needs.")
            % {"lr": candidate.log10_lr, "t": threshold}
        )
    latest = selectors.latest_run(remains_case.repatriation)
    if latest is None or candidate.match_run_id != latest.pk:
        raise ValidationError(_("A newer match run exists: propose from its candidates."))
    _require_not_identified_elsewhere(candidate.person, remains_case)
    _require_references(candidate.person)
    return _decision(
        remains_case=remains_case,
        action=DecisionAction.PROPOSED,
        person=candidate.person,
        candidate=candidate,
        log10_lr=candidate.log10_lr,
        basis=basis.strip(),
        by=by,
    )


def _require_references(person: Person) -> None:
    """The DNA evidence rests on references given with consent: none may be used once all of
    them have been withdrawn (a new match run then has nothing for this family)."""
    if not selectors.usable_samples(person_ids=[person.pk]).exists():
        raise ValidationError(
            _(
                "Consent for every reference of %(person)s was withdrawn: the evidence cannot be used."
            )
            % {"person": person}
        )


def _require_not_identified_elsewhere(person: Person, remains_case: RemainsCase) -> None:
    other = selectors.remains_identified_as(person).exclude(pk=remains_case.pk).first()
    if other is not None:
        raise ValidationError(
            _("%(person)s is already identified as remains case %(ref)s. Review both cases first.")
            % {"person": person, "ref": other.reference}
        )


@transaction.atomic
def confirmation_decide(
    *,
    by: Any,
    proposal: IdentificationDecision,
    approve: bool,
    reason: str = "",
    identified_on: dt.date | None = None,
) -> IdentificationDecision:
    """A second identification officer approves or rejects a proposal. Approval records
    "identified" on the person's timeline, dated `identified_on` (today unless a decision taken
    earlier is being entered), and "remains repatriated", dated the batch's arrival, if the
    timeline lacks it; and it opens the in-person notification task."""
    remains_case, person = proposal.remains_case, proposal.person
    _lock(by, remains_case)
    if proposal.action != DecisionAction.PROPOSED or person is None:
        raise ValidationError(_("Only a proposal can be approved or rejected."))
    if proposal.by_id == by.pk:
        raise ValidationError(_("A second identification officer must decide on your proposal."))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Say why the proposal is rejected.")})
    event = None
    if approve:
        _require_not_identified_elsewhere(person, remains_case)
        _require_references(person)
        event = _record_identified(proposal, by, identified_on or timezone.localdate())
    try:
        with transaction.atomic():
            decision = _decision(
                remains_case=remains_case,
                action=DecisionAction.CONFIRMED if approve else DecisionAction.REJECTED,
                person=proposal.person,
                candidate=proposal.candidate,
                log10_lr=proposal.log10_lr,
                decides=proposal,
                basis=reason.strip(),
                event=event,
                by=by,
            )
    except IntegrityError as exc:  # decided a moment ago by another officer: nothing is kept
        raise ValidationError(_("This proposal has already been decided.")) from exc
    if approve:
        NotificationTask.objects.create(person=person, decision=decision)
    return decision


def _record_identified(proposal: IdentificationDecision, by: Any, on: dt.date) -> Event:
    """The events of a confirmed identification; returns the "identified" one."""
    person, remains_case = proposal.person, proposal.remains_case
    assert person is not None
    source = identification_source(by)
    batch = remains_case.repatriation
    if not Event.objects.filter(person=person, kind=EventKind.REMAINS_REPATRIATED).exists():
        _event(
            person,
            EventKind.REMAINS_REPATRIATED,
            batch.arrived_on,
            source,
            by,
            _("Remains returned in %(batch)s (case %(ref)s).")
            % {"batch": batch, "ref": remains_case.reference},
        )
    return _event(
        person,
        EventKind.IDENTIFIED,
        on,
        source,
        by,
        _("Identified by DNA: remains case %(ref)s, LR 10^%(lr).1f.")
        % {"ref": remains_case.reference, "lr": proposal.log10_lr or 0},
    )


def _event(person: Person, kind: str, on: dt.date, source: Source, by: Any, note: str) -> Event:
    return timeline.event_record(
        person=person,
        kind=kind,
        occurred_on=on,
        precision=Precision.DAY,
        source=source,
        credibility=Credibility.CONFIRMED,
        by=by,
        note=note,
    )


def identification_source(by: Any) -> Source:
    """The source of the events an identification records. Made on first use, outside the
    reference-data screens: it is the system's own source, not one an officer chooses."""
    source, _created = Source.objects.get_or_create(
        name=IDENTIFICATION_SOURCE,
        defaults={
            "kind": SourceKind.OFFICIAL,
            "reliability": Reliability.A,
            "description": "Identifications confirmed by DNA and a second officer.",
            "created_by": by,
        },
    )
    return source


@transaction.atomic
def burial_record(
    *, by: Any, remains_case: RemainsCase, buried_on: dt.date, place: str
) -> IdentificationDecision:
    """The identified remains were buried: "buried" on the person's timeline."""
    _lock(by, remains_case)
    status = _require_state(
        remains_case,
        {RemainsState.IDENTIFIED},
        _("Only identified remains can be recorded as buried; this case is %(state)s."),
    )
    if not place.strip():
        raise ValidationError({"place": _("Say where: the cemetery, the plot.")})
    _not_future(buried_on=buried_on)
    if buried_on < remains_case.repatriation.arrived_on:
        raise ValidationError(
            {
                "buried_on": _("Before the remains came home (%(day)s).")
                % {"day": remains_case.repatriation.arrived_on.isoformat()}
            }
        )
    assert status.person is not None
    event = _event(
        status.person,
        EventKind.BURIED,
        buried_on,
        identification_source(by),
        by,
        _("Buried at %(place)s.") % {"place": place.strip()},
    )
    return _decision(
        remains_case=remains_case,
        action=DecisionAction.BURIED,
        person=status.person,
        event=event,
        basis=place.strip(),
        by=by,
    )


def _lock(by: Any, remains_case: RemainsCase) -> None:
    """Decisions on one case one at a time, by someone who may change it."""
    policy.require(by, Can.IDENTIFY)
    policy.require_row(by, remains_case, CHANGE)
    RemainsCase.objects.select_for_update().filter(pk=remains_case.pk).exists()


# --- the family-liaison queue -----------------------------------------------------------------


def notification_complete(*, by: Any, task: NotificationTask, outcome: str) -> NotificationTask:
    """The family was told, in person; say who was told, where, and anything they asked."""
    policy.require(by, Can.NOTIFY_FAMILIES)
    policy.require_row(by, task, CHANGE)
    if len(outcome.strip()) < 10:
        raise ValidationError({"outcome": _("Say who was told, where and by whom.")})
    updated = NotificationTask.objects.filter(pk=task.pk, state=TaskState.OPEN).update(
        state=TaskState.DONE, completed_by=by, completed_at=timezone.now(), outcome=outcome.strip()
    )
    if not updated:
        raise ValidationError(_("This notification has already been recorded."))
    task.refresh_from_db()
    # The families' side: the visit goes into the contact log of each request about the person.
    from tracebureau.families.services import in_person_notification_logged

    in_person_notification_logged(person_id=task.person_id, by=by, outcome=task.outcome)
    return task
