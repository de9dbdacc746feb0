"""The family status lookup: a public page where a relative, given a reference number and a
one-time code out of band, sees the five-level status of the person sought and the date it last
changed, and nothing else (no name, place or unit).

Every refusal (an unknown reference, a wrong, used or expired code, a lockout) is the same page,
byte for byte, so that trying cannot tell a reference that exists from one that does not. The
form is emptied after each try: nothing typed stays on a screen that a neighbour may look at.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from tracebureau.core.net import client_ip
from tracebureau.families import services
from tracebureau.families.lookup_forms import LookupForm


@never_cache  # Cache-Control: no-store: a status must not stay in a shared browser's cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def status_lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.POST if request.method == "POST" else None)
    context: dict[str, object] = {"form": form, "answer": None, "refused": False}
    if form.is_valid():
        # The address as the sign-in lockout (django-axes) reads it, proxy settings included, so
        # that both lockouts count one client alike.
        answer = services.lookup(
            reference=form.cleaned_data["reference"],
            code=form.cleaned_data["code"],
            ip=client_ip(request),
        )
        context.update(form=LookupForm(), answer=answer, refused=answer is None)
    return render(request, "lookup/status.html", context)
