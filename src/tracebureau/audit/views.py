"""The auditor's page: who did what, when, through which surface."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tracebureau.audit import selectors
from tracebureau.audit.forms import AuditSearchForm
from tracebureau.core import policy
from tracebureau.core.policy import Can

PAGE_SIZE = 50


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    # A 403, not a 404: that an audit log exists is no secret, only what it holds.
    policy.require(request.user, Can.READ_AUDIT)
    form = AuditSearchForm(request.GET)
    if form.is_valid():
        entries = selectors.entries_search(user=request.user, **form.filters())
    else:  # a filter that cannot be read shows nothing rather than everything
        entries = selectors.entries_visible(user=request.user).none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/log.html", {"form": form, "page": page, "query": query.urlencode()})
