"""Writes of the press centre: drafting a release of statistics, and moving it on.

Drafting counts the figures (press.statistics), protects them (press.protection) against
small counts, recovery from totals, other tables of the release and every release published
before, and freezes the result: what is reviewed and approved is exactly what is published.
Each step is recorded with who and when; nobody reviews or approves their own draft; a
published release never changes, and a correction is a new release.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracebureau.core import policy
from tracebureau.core.policy import Can
from tracebureau.press import protection, selectors, statistics
from tracebureau.press.choices import NEXT_STATE, CheckStage, Period, ReleaseState, TableKey
from tracebureau.press.models import DisclosureCheck, Release, ReleaseStep, ReleaseTable
from tracebureau.reporting.disclosure import phrase

# The totals said in words at the top of a release ("more than 200 bodies returned").
HEADLINES = (
    (TableKey.EXCHANGES, "returned"),
    (TableKey.EXCHANGES, "bodies"),
    (TableKey.FLOWS, "captured"),
    (TableKey.FLOWS, "identified"),
    (TableKey.INQUIRIES, "received"),
)


def _parameters_errors(
    title: str, tables: Sequence[str], period: str, min_cell: int, rounding: int
) -> dict[str, str]:
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the release a title.")
    if not tables or any(key not in TableKey.values for key in tables) or len(set(tables)) != len(tables):
        errors["tables"] = _("Choose at least one table, each once.")
    if period not in Period.values:
        errors["period"] = _("Choose a period: month, quarter or year.")
    if min_cell < settings.TRACEBUREAU_PRESS_MIN_CELL:
        errors["min_cell"] = _("The smallest count published may be raised, not lowered below %(k)s.") % {
            "k": settings.TRACEBUREAU_PRESS_MIN_CELL
        }
    # Rounding blurs what two releases, or two tables, say beside each other: like k, it may be
    # raised, never lowered.
    if rounding > min_cell:
        # Coarser than k, a count of k or more could be published as 0, and a 0 read as nobody.
        errors["rounding"] = _("Round to no more than the smallest count published (%(k)s).") % {
            "k": min_cell
        }
    elif rounding < settings.TRACEBUREAU_PRESS_ROUNDING:
        errors["rounding"] = _("Counts may be rounded more coarsely, not more finely than to %(r)s.") % {
            "r": settings.TRACEBUREAU_PRESS_ROUNDING
        }
    return errors


@transaction.atomic
def release_draft(
    *,
    by: Any,
    title: str,
    tables: Sequence[str],
    note: str = "",
    period: str = Period.MONTH,
    min_cell: int | None = None,
    rounding: int | None = None,
) -> Release:
    """Count, protect and freeze a new release; it starts as a draft."""
    policy.require(by, Can.DRAFT_RELEASES)
    k = settings.TRACEBUREAU_PRESS_MIN_CELL if min_cell is None else min_cell
    base = settings.TRACEBUREAU_PRESS_ROUNDING if rounding is None else rounding
    errors = _parameters_errors(title, tables, period, k, base)
    if errors:
        raise ValidationError(errors)
    _one_at_a_time()
    counted = statistics.count_tables(tables, period=period)
    earlier, against = _earlier(exclude=None)
    figures = protection.protect_release(counted, earlier, k=k, base=base)
    release = Release.objects.create(
        reference=_reference(),
        title=title.strip(),
        note=note.strip(),
        period=period,
        min_cell=k,
        rounding=base,
        phrase_step=settings.TRACEBUREAU_PRESS_PHRASE_STEP,
        as_of=timezone.now(),
        headlines=_headlines(counted, figures, base),
        created_by=by,
    )
    for position, (table, result) in enumerate(zip(counted, figures, strict=True)):
        ReleaseTable.objects.create(
            release=release,
            position=position,
            key=table.key,
            row_dimension=table.row_dimension,
            column_dimension=table.column_dimension,
            rows=table.rows,
            columns=table.columns,
            counts=table.counts,
            published=result.published,
            reasons=result.reasons,
            definition=table.definition,
            queries=table.queries,
        )
    risks = [
        f"{table.key}: {name}"
        for table, result in zip(counted, figures, strict=True)
        for name in result.risks
    ]
    # Found when drafting, a risk is held back at once: the check passes, and says what it held,
    # unless it is a 0 (shown, never hidden), which no holding back resolves.
    unresolved = [
        f"{t.key}: {name}" for t, result in zip(counted, figures, strict=True) for name in result.unresolved
    ]
    DisclosureCheck.objects.create(
        release=release, stage=CheckStage.DRAFT, against=against, risks=risks, passed=not unresolved
    )
    return release


# One at a time: two releases drafted or published at once would each be checked without the
# other (and could take one reference). SQLite writes one transaction at a time anyway.
_PRESS_LOCK = 0x7072_6573  # "pres"


def _one_at_a_time() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PRESS_LOCK])


def _reference() -> str:
    year = timezone.localdate().year
    count = Release.objects.filter(reference__startswith=f"PR-{year}-").count()
    return f"PR-{year}-{count + 1:04d}"


def _earlier(*, exclude: Release | None) -> tuple[list[protection.Earlier], list[str]]:
    """Every table of every release published so far, as the differencing check reads it."""
    releases = selectors.published().order_by("pk")
    if exclude is not None:
        releases = releases.exclude(pk=exclude.pk)
    earlier, references = [], []
    for release in releases:
        references.append(release.reference)
        earlier += [
            protection.earlier_of(table, table.published, k=release.min_cell, base=release.rounding)
            for table in release.tables.all()
        ]
    return earlier, references


def _headlines(
    counted: Sequence[statistics.Table], figures: Sequence[protection.Figures], base: int
) -> list[dict[str, Any]]:
    """The totals said in words, from the figures as published (rounded), never the true count:
    a headline must not be more exact than the table beneath it."""
    lines = []
    for table, result in zip(counted, figures, strict=True):
        columns = [c for c, _label in table.columns]
        for key, column in HEADLINES:
            if table.key != key or column not in columns:
                continue
            published = result.published["column_totals"][columns.index(column)]
            if not published:
                continue  # held back, or nobody: nothing said about it either
            said = phrase(published, step=settings.TRACEBUREAU_PRESS_PHRASE_STEP, base=1)
            # Not rounded, a count below the step is said as it is, not "about".
            qualifier = "exactly" if said.qualifier == "about" and base == 1 else said.qualifier
            lines.append({"table": key, "column": column, "qualifier": qualifier, "value": said.value})
    return lines


def _locked(release: Release) -> Release:
    return Release.objects.select_for_update().get(pk=release.pk)


def _advance(*, by: Any, release: Release, to: str, capability: Can, note: str) -> ReleaseStep:
    policy.require(by, capability)
    policy.require_row(by, release, policy.VIEW)
    release = _locked(release)
    state = selectors.state_of(release)
    if NEXT_STATE.get(state) != to:
        raise ValidationError(
            _("This release is %(state)s: it cannot be %(to)s now.")
            % {"state": ReleaseState(state).label, "to": ReleaseState(to).label.lower()}
        )
    if to in (ReleaseState.REVIEWED, ReleaseState.APPROVED) and release.created_by_id == by.pk:
        raise ValidationError(_("You drafted this release: a colleague must review and approve it."))
    reviewed = selectors.step(release, ReleaseState.REVIEWED)
    if to == ReleaseState.APPROVED and reviewed is not None and reviewed.by_id == by.pk:
        raise ValidationError(_("You reviewed this release: its approval must be someone else's."))
    return ReleaseStep.objects.create(release=release, state=to, note=note.strip(), by=by)


@transaction.atomic
def release_review(*, by: Any, release: Release, note: str = "") -> ReleaseStep:
    """A colleague has checked the figures and what is held back."""
    return _advance(
        by=by, release=release, to=ReleaseState.REVIEWED, capability=Can.REVIEW_RELEASES, note=note
    )


@transaction.atomic
def release_approve(*, by: Any, release: Release, note: str = "") -> ReleaseStep:
    """The head of the press centre approves the release for publication."""
    return _advance(
        by=by, release=release, to=ReleaseState.APPROVED, capability=Can.APPROVE_RELEASES, note=note
    )


def release_publish(*, by: Any, release: Release, note: str = "") -> ReleaseStep:
    """Publish an approved release, once checked again against every release published since
    it was drafted. The check is recorded either way; a release that fails it is not
    published (withdraw it and draft again: the new draft holds back what it must)."""
    with transaction.atomic():
        policy.require(by, Can.PUBLISH_RELEASES)
        policy.require_row(by, release, policy.VIEW)
        release = _locked(release)
        if selectors.state_of(release) != ReleaseState.APPROVED:
            raise ValidationError(_("Only an approved release can be published."))
        _one_at_a_time()
        risks, against = _publication_risks(release)
        DisclosureCheck.objects.create(
            release=release, stage=CheckStage.PUBLICATION, against=against, risks=risks, passed=not risks
        )
        if not risks:
            return ReleaseStep.objects.create(
                release=release, state=ReleaseState.PUBLISHED, note=note.strip(), by=by
            )
    raise ValidationError(
        _(
            "Set beside releases published since it was drafted, this release would single out a few people "
            "(%(risks)s). Withdraw it and draft it again."
        )
        % {"risks": "; ".join(selectors.risks_said(release, risks))}
    )


def _publication_risks(release: Release) -> tuple[list[str], list[str]]:
    earlier, against = _earlier(exclude=release)
    risks = [
        f"{table.key}: {name}"
        for table in release.tables.all()
        for name in protection.at_risk(
            table,
            protection.keyed(table.rows, table.columns, table.published),
            earlier,
            k=release.min_cell,
            base=release.rounding,
        )
    ]
    return sorted(set(risks)), against


@transaction.atomic
def release_withdraw(*, by: Any, release: Release, reason: str) -> ReleaseStep:
    """Take a release out of the workflow before publication, with the reason."""
    if not policy.may_withdraw_release(by):
        raise PermissionDenied(_("Only the press centre withdraws a release."))
    policy.require_row(by, release, policy.VIEW)
    release = _locked(release)
    if selectors.state_of(release) in (ReleaseState.PUBLISHED, ReleaseState.WITHDRAWN):
        raise ValidationError(_("A published or withdrawn release does not change; draft a new one."))
    if not reason.strip():
        raise ValidationError({"note": _("Say why the release is withdrawn.")})
    return ReleaseStep.objects.create(
        release=release, state=ReleaseState.WITHDRAWN, note=reason.strip(), by=by
    )
