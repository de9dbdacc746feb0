"""The statistics page: live totals for those who read records, released figures for the press."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tracebureau.core import policy
from tracebureau.core.policy import Can
from tracebureau.registry.choices import Category
from tracebureau.registry.forms import add_service_errors
from tracebureau.reporting import selectors, services
from tracebureau.reporting.forms import ReleaseForm
from tracebureau.timeline.choices import Situation


def charts(figures: dict[str, Any]) -> dict[str, Any]:
    return {
        "situations": selectors.chart_rows(figures["by_situation"], dict(Situation.choices)),
        "categories": selectors.chart_rows(figures["by_category"], dict(Category.choices)),
    }


@login_required
@require_http_methods(["GET", "POST"])
def statistics(request: HttpRequest) -> HttpResponse:
    user = request.user
    live = policy.can(user, Can.SEE_STATISTICS)
    if not live and not policy.can(user, Can.SEE_RELEASED_STATISTICS):
        raise PermissionDenied(_("Your roles do not include statistics."))
    form = ReleaseForm(request.POST or None) if policy.can(user, Can.RELEASE_STATISTICS) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Your roles do not allow releasing statistics."))
        if form.is_valid():
            try:
                release = services.release_create(by=user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Released to the press office."))
                return redirect(release)
    context: dict[str, Any] = {"form": form, "releases": selectors.releases_visible(user=user)[:20]}
    if live:
        figures = selectors.totals(user=user)
        context |= {"live": figures, **charts(figures), "min_cell": selectors.MIN_CELL}
    return render(request, "reporting/statistics.html", context)


@login_required
def release_detail(request: HttpRequest, pk: int) -> HttpResponse:
    release = selectors.releases_visible(user=request.user).filter(pk=pk).first()
    if release is None:
        raise Http404("No such release.")
    return render(request, "reporting/release_detail.html", {
        "release": release, **charts(release.figures), "min_cell": selectors.MIN_CELL,
    })
