"""Pages that belong to no domain app: where a signed-in user lands."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tracebureau.core import policy
from tracebureau.core.policy import Can

# The first page a user's roles open, in order of preference.
LANDING = (
    (Can.SEE_INDIVIDUALS, "registry:person-search"),
    (Can.SEE_STATISTICS, "reporting:statistics"),
    (Can.SEE_RELEASED_STATISTICS, "reporting:statistics"),
    (Can.READ_AUDIT, "audit:log"),
    (Can.MANAGE_USERS, "admin:index"),
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    access = policy.access_of(request.user)
    if access.family_facing and Can.HANDLE_INQUIRIES in access.can:
        return redirect("families:index")  # a family liaison's day starts at the request queue
    for capability, url_name in LANDING:
        if policy.can(request.user, capability):
            return redirect(url_name)
    return render(request, "no_access.html", status=403)
