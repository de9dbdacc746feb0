"""The press centre's pages: releases in the making, with every figure held back marked and
the reason for it, and the steps from draft to publication."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tracebureau.core import policy
from tracebureau.core.policy import Can
from tracebureau.core.views import form_action
from tracebureau.press import charts, selectors, services
from tracebureau.press.choices import ReleaseState
from tracebureau.press.forms import DraftForm, StepForm, WithdrawForm
from tracebureau.registry.forms import add_service_errors


def _require_press(user: Any) -> None:
    if not policy.in_press_centre(user):
        raise PermissionDenied(_("Your roles do not include the press centre."))


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    _require_press(request.user)
    can_draft = policy.can(request.user, Can.DRAFT_RELEASES)
    form = DraftForm(request.POST or None) if can_draft else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Your roles do not allow drafting a release."))
        if form.is_valid():
            try:
                release = services.release_draft(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect(release)
    releases = [(r, selectors.state_of(r)) for r in selectors.releases_visible(user=request.user)[:100]]
    return render(request, "press/index.html", {"form": form, "releases": releases})


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    # No role check first: outside the press centre a release, like a missing one, is a 404.
    release = selectors.releases_visible(user=request.user).filter(pk=pk).first()
    if release is None:
        raise Http404("No such release.")
    forms: dict[str, Any] = {"step_form": StepForm(), "withdraw_form": WithdrawForm()}
    if request.method == "POST":
        outcome = _act(request, release)
        if not isinstance(outcome, dict):
            return outcome
        forms |= outcome
    views = [selectors.table_view(t) for t in release.tables.all()]
    return render(
        request,
        "press/detail.html",
        {
            "release": release,
            "state": selectors.state_of(release),
            "tables": [(v, charts.chart(v)) for v in views],
            "actions": _actions(request.user, release),
            "checks": [(c, selectors.risks_said(release, c.risks)) for c in release.checks.all()],
            **forms,
        },
    )


_STEPS = {
    "review": (services.release_review, Can.REVIEW_RELEASES),
    "approve": (services.release_approve, Can.APPROVE_RELEASES),
    "publish": (services.release_publish, Can.PUBLISH_RELEASES),
}


def _act(request: HttpRequest, release: Any) -> Any:
    action = request.POST.get("action", "")
    if action == "withdraw":
        form: Any = WithdrawForm(request.POST)
        return form_action(
            request,
            name="withdraw_form",
            form=form,
            success=_("Withdrawn."),
            then=release,
            action=lambda: services.release_withdraw(
                by=request.user, release=release, reason=form.cleaned_data["note"]
            ),
        )
    if action not in _STEPS:
        raise Http404("No such action.")
    service = _STEPS[action][0]
    form = StepForm(request.POST)
    return form_action(
        request,
        name="step_form",
        form=form,
        success=_("Recorded."),
        then=release,
        action=lambda: service(by=request.user, release=release, note=form.cleaned_data["note"]),
    )


_OFFERED: dict[str, str] = {
    ReleaseState.DRAFT: "review",
    ReleaseState.REVIEWED: "approve",
    ReleaseState.APPROVED: "publish",
}


def _barred(release: Any, action: str) -> set[int]:
    """Who may not take the step (the services refuse them; the page does not offer it): the
    drafter neither reviews nor approves, the reviewer does not approve."""
    if action == "review":
        return {release.created_by_id}
    if action == "approve":
        reviewed = selectors.step(release, ReleaseState.REVIEWED)
        return {release.created_by_id, getattr(reviewed, "by_id", None)} - {None}
    return set()


def _actions(user: Any, release: Any) -> list[str]:
    """The steps this user could take now (the services decide; this only offers them)."""
    state = selectors.state_of(release)
    offered = _OFFERED.get(state)
    actions = []
    if offered and policy.can(user, _STEPS[offered][1]) and user.pk not in _barred(release, offered):
        actions.append(offered)
    if state not in (ReleaseState.PUBLISHED, ReleaseState.WITHDRAWN) and policy.may_withdraw_release(user):
        actions.append("withdraw")
    return actions
