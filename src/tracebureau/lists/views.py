"""Pages of incoming lists: upload with a column mapping, the reconciliation's progress, and
the review queue where each row is decided."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracebureau.audit.services import audit_read
from tracebureau.core import policy
from tracebureau.core.policy import CHANGE, Can
from tracebureau.lists import selectors, services
from tracebureau.lists.choices import RECORD_FIELDS, RowState
from tracebureau.lists.forms import CreatePersonForm, MappingForm, UploadForm
from tracebureau.lists.models import IncomingList, Reconciliation
from tracebureau.lists.tables import guess_mapping, read_table
from tracebureau.registry.forms import add_service_errors
from tracebureau.registry.selectors import person_get
from tracebureau.timeline.selectors import sources_visible

STASH = "lists_upload"
PREVIEW_ROWS = 5


@login_required
@require_GET
def list_index(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, Can.RECONCILE_LISTS)
    lists = selectors.lists_visible(user=request.user)[:100]
    return render(request, "lists/list_index.html", {"lists": lists})


@login_required
@require_http_methods(["GET", "POST"])
def list_upload(request: HttpRequest) -> HttpResponse:
    """Step 1: the file and what it is; the file is read here and kept for step 2."""
    user = request.user
    policy.require(user, Can.RECONCILE_LISTS)
    form = UploadForm(request.POST or None, request.FILES or None, sources=sources_visible(user=user))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table = read_table(upload.name, upload.read())
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            data = form.cleaned_data
            request.session[STASH] = {
                "file_name": upload.name,
                "headers": table.headers,
                "rows": table.rows,
                "title": data["title"],
                "source": data["source"].pk,
                "received_on": data["received_on"].isoformat(),
                "event_kind": data["event_kind"],
                "credibility": data["credibility"],
                "classification": data["classification"],
            }
            return redirect("lists:list-mapping")
    return render(request, "lists/list_upload.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def list_mapping(request: HttpRequest) -> HttpResponse:
    """Step 2: which column holds what (guessed from the header), then the list is stored."""
    user = request.user
    policy.require(user, Can.RECONCILE_LISTS)
    stash = request.session.get(STASH)
    if not stash:
        return redirect("lists:list-upload")
    headers = stash["headers"]
    form = MappingForm(request.POST or None, headers=headers, initial_mapping=guess_mapping(headers))
    if request.method == "POST" and form.is_valid():
        try:
            incoming = services.list_create(
                by=user,
                title=stash["title"],
                received_on=dt.date.fromisoformat(stash["received_on"]),
                source=sources_visible(user=user).get(pk=stash["source"]),
                file_name=stash["file_name"],
                headers=headers,
                rows=stash["rows"],
                column_mapping=form.mapping(),
                event_kind=stash["event_kind"],
                credibility=stash["credibility"],
                classification=stash["classification"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            del request.session[STASH]
            messages.success(
                request,
                _("List stored: %(n)s rows. Matching runs in the background.") % {"n": len(stash["rows"])},
            )
            return redirect(incoming)
    return render(
        request,
        "lists/list_mapping.html",
        {
            "form": form,
            "stash": stash,
            "headers": headers,
            "preview": stash["rows"][:PREVIEW_ROWS],
        },
    )


def _state(request: HttpRequest) -> str:
    state = request.GET.get("state", RowState.UNDECIDED)
    return state if state in RowState.values else RowState.UNDECIDED


@login_required
@require_GET
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The review queue: each row beside its candidates, and the decision on it."""
    user = request.user
    incoming = audit_read(request, selectors.list_get(user=user, pk=pk))
    state = _state(request)
    queue = selectors.review_queue(user=user, incoming_list=incoming, state=state)
    job = selectors.reconciliation_latest(incoming_list=incoming)
    filters = [(s, RowState(s).label, queue.counts[s]) for s in RowState.values]
    return render(
        request,
        "lists/list_detail.html",
        {
            "list": incoming,
            "queue": queue,
            "state": state,
            "filters": filters,
            "job": job,
            "mapped": [label for name, label in RECORD_FIELDS if name in incoming.column_mapping],
            "may_decide": policy.allows(user, IncomingList, CHANGE),
            "create_form": CreatePersonForm(),
        },
    )


def progress_of(job: Reconciliation | None) -> dict[str, Any]:
    if job is None:
        return {"status": None, "progress": 0, "stage": "", "finished": True}
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "progress": job.progress,
        "stage": _(job.stage) if job.stage else "",
        "error": job.error,
        "finished": job.status in ("done", "failed", "cancelled"),
        "attempt": job.attempt,
        "abandoned": job.abandoned,
    }


@login_required
@require_GET
def list_progress(request: HttpRequest, pk: int) -> JsonResponse:
    incoming = selectors.list_get(user=request.user, pk=pk)
    return JsonResponse(progress_of(selectors.reconciliation_latest(incoming_list=incoming)))


@login_required
@require_POST
def list_reconcile(request: HttpRequest, pk: int) -> HttpResponse:
    incoming = selectors.list_get(user=request.user, pk=pk, action=CHANGE)
    services.reconciliation_start(incoming_list=incoming, by=request.user)
    messages.success(request, _("Matching queued."))
    return redirect(incoming)


@login_required
@require_POST
def list_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    incoming = selectors.list_get(user=request.user, pk=pk, action=CHANGE)
    job = selectors.reconciliation_latest(incoming_list=incoming)
    try:
        if job is None:
            raise ValidationError(_("Nothing to cancel."))
        services.reconciliation_cancel(reconciliation=job, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Matching cancelled."))
    return redirect(incoming)


@login_required
@require_POST
def row_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept a candidate, reject them all, create a person, or undo: one form per button."""
    user = request.user
    row = selectors.row_get(user=user, pk=pk, action=CHANGE)
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "").strip()
    try:
        if action == "accept":
            person = person_get(user=user, pk=request.POST.get("person"))
            services.row_accept(row=row, person=person, by=user, reason=reason)
            done = _("Row %(row)s accepted as %(person)s.") % {"row": row.number, "person": person}
        elif action == "reject":
            services.row_reject(row=row, by=user, reason=reason)
            done = _("Row %(row)s rejected.") % {"row": row.number}
        elif action == "create_person":
            form = CreatePersonForm(request.POST)
            category = form.cleaned_data["category"] if form.is_valid() else "missing"
            decision = services.row_create_person(row=row, by=user, category=category, reason=reason)
            done = _("Row %(row)s registered as a new person, %(person)s.") % {
                "row": row.number,
                "person": decision.person,
            }
        elif action == "undo":
            services.decision_undo(row=row, by=user, reason=reason)
            done = _("Decision on row %(row)s undone.") % {"row": row.number}
        else:
            raise Http404("No such action.")
    except ValidationError as error:
        messages.error(
            request, _("Row %(row)s: %(errors)s") % {"row": row.number, "errors": " ".join(error.messages)}
        )
    else:
        messages.success(request, done)
    state = _state(request)
    return redirect(
        f"{reverse('lists:list-detail', args=[row.incoming_list_id])}?state={state}#row-{row.number}"
    )
