"""Pages that belong to no domain app: where a signed-in user lands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tracebureau.core import policy
from tracebureau.core.errors import ConflictError
from tracebureau.core.policy import Can

# The first page a user's roles open, in order of preference.
LANDING = (
    (Can.SEE_INDIVIDUALS, "registry:person-search"),
    (Can.SEE_STATISTICS, "reporting:statistics"),
    (Can.DRAFT_RELEASES, "press:index"),  # the press centre's day starts at its releases
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


def form_action(
    request: HttpRequest,
    *,
    name: str,
    form: Any,
    action: Callable[[], Any],
    success: str,
    then: Any,
    aliases: dict[str, str] | None = None,
) -> Any:
    """One form of a page that takes several (an exchange's, a tracing request's): validate it
    and run the service; on success say so and go to `then`, else give back {name: bound form}
    with the services' errors on it, for the page to show. A ConflictError (a stale page) is
    the caller's to explain."""
    from tracebureau.registry.forms import add_service_errors

    if not form.is_valid():
        return {name: form}
    try:
        action()
    except ConflictError:
        raise
    except ValidationError as error:
        add_service_errors(form, error, aliases=aliases)
        return {name: form}
    messages.success(request, success)
    return redirect(then)

