"""Pages that write to the timeline: record an event, retract or correct one, bulk events.

Every write goes through timeline.services, whose ValidationError names the wrong fields;
the forms show those errors next to the fields."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from tracebureau.core.policy import CHANGE, RECORD_EVENT
from tracebureau.registry.forms import add_service_errors
from tracebureau.registry.models import Person
from tracebureau.registry.selectors import person_get
from tracebureau.timeline import services
from tracebureau.timeline.forms import EVENT_FIELDS, BulkEventForm, EventForm, RetractForm, SupersedeForm
from tracebureau.timeline.models import Event
from tracebureau.timeline.selectors import events_visible


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_get(user=request.user, pk=pk, action=RECORD_EVENT)
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_record(person=person, by=request.user, **form.event_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Event recorded."))
            return redirect(person)
    return render(request, "timeline/event_form.html", {"form": form, "person": person})


def _event_for_change(request: HttpRequest, pk: int) -> tuple[Event, Person]:
    """The event and the record it belongs to, or 404 unless the user may change that record."""
    try:
        event = events_visible(user=request.user, action=CHANGE).get(pk=pk)
    except Event.DoesNotExist:
        raise Http404("No such event.") from None
    return event, person_get(user=request.user, pk=event.person_id, action=RECORD_EVENT)


def _timeline_page(person: Person) -> Any:
    # An event of a merged-in record is shown on the kept record's page: go back there.
    return person.merged_into or person


@login_required
@require_http_methods(["GET", "POST"])
def event_retract(request: HttpRequest, pk: int) -> HttpResponse:
    event, person = _event_for_change(request, pk)
    form = RetractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_retract(event=event, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Event retracted. It stays on the timeline, struck through."))
            return redirect(_timeline_page(person))
    return render(request, "timeline/event_retract.html", {"form": form, "event": event, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def event_supersede(request: HttpRequest, pk: int) -> HttpResponse:
    event, person = _event_for_change(request, pk)
    initial = {name: getattr(event, name) for name in EVENT_FIELDS}
    initial["reliability"] = "" if event.reliability == event.source.reliability else event.reliability
    form = SupersedeForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_supersede(
                event=event, by=request.user, reason=form.cleaned_data["reason"], **form.event_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Correction recorded. The earlier event stays visible as superseded.")
            )
            return redirect(_timeline_page(person))
    return render(request, "timeline/event_supersede.html", {"form": form, "event": event, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def bulk_event_create(request: HttpRequest) -> HttpResponse:
    form = BulkEventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        lines = form.cleaned_data["persons"]
        try:
            bulk = services.bulk_event_record(
                persons=[person for _line, person in lines], label=form.cleaned_data["label"],
                by=request.user, row_names=[_("line %(n)s") % {"n": line} for line, _p in lines],
                **form.event_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            count = bulk.events.count()
            messages.success(request, ngettext(
                "%(count)d event recorded.", "%(count)d events recorded.", count
            ) % {"count": count})
            return redirect("timeline:bulk-event-create")
    return render(request, "timeline/bulk_event_form.html", {"form": form})
