"""Pages about persons: search, register, edit, the person page, merge and unmerge.

Views only translate between HTTP and the services/selectors: every read goes through a
selector (so the policy applies) and every write through a service (so the rules do)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tracebureau.audit.services import audit_export, audit_read
from tracebureau.core import policy
from tracebureau.core.exports import csv_lines
from tracebureau.core.pagination import page_counted_once
from tracebureau.core.policy import CHANGE, Can
from tracebureau.core.services import break_glass_open
from tracebureau.registry import selectors, services
from tracebureau.registry.forms import (
    PERSON_FIELDS,
    BreakGlassForm,
    MergeForm,
    PersonForm,
    ReasonForm,
    SearchForm,
    add_service_errors,
)
from tracebureau.registry.models import Person
from tracebureau.timeline.choices import FAMILY_LEVEL_WORDING, Situation
from tracebureau.timeline.selectors import cta_export_rows, page_statuses, person_timeline

PAGE_SIZE = 50


@login_required
def person_search(request: HttpRequest) -> HttpResponse:
    form, query, persons = _searched(request)
    number = request.GET.get("page")
    # The whole registry is listed in index order, and counted apart; a search's matches once.
    if query:
        page = page_counted_once(persons, number, per_page=PAGE_SIZE)
    else:
        page = Paginator(persons, PAGE_SIZE).get_page(number)
    statuses = page_statuses(user=request.user, persons=list(page))
    rows = [(person, status_display(statuses[person.pk])) for person in page]
    return render(request, "registry/person_search.html", {
        "form": form, "query": query, "page": page, "rows": rows,
    })


def _searched(request: HttpRequest) -> tuple[SearchForm, str, QuerySet[Person]]:
    """The search form, its query and what it finds; a refused query (a NUL byte, which
    PostgreSQL cannot store in text) finds nothing rather than everything."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        return form, "", selectors.persons_visible(user=request.user).none()
    query = form.cleaned_data["q"]
    return form, query, selectors.person_search(user=request.user, query=query)


def status_display(status: Any) -> dict[str, Any]:
    """What the pages show of a derived status: labels instead of codes."""
    return {
        "status": status,
        "situation": Situation(status.situation).label,
        "family_level": status.family_level,
        "family_wording": FAMILY_LEVEL_WORDING[status.family_level],
    }


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in PERSON_FIELDS}
        try:
            person = services.person_create(by=request.user, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Registered %(name)s.") % {"name": person})
            return redirect(person)
    return render(request, "registry/person_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk, action=CHANGE)
    if request.method != "POST":
        form = PersonForm(instance=person, initial={"expected_version": person.version})
        return render(request, "registry/person_form.html", {"form": form, "person": person})
    version = _int_or(request.POST.get("expected_version"), person.version)
    # Compare with the record as it was when the form was opened, so only the fields this
    # user changed are sent, and a colleague's change to another field is not undone.
    form = PersonForm(request.POST, instance=_as_of(person, version))
    if form.is_valid():
        try:
            services.person_update(
                person=person, changes=form.changes(), expected_version=version, by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(person)
    return render(request, "registry/person_form.html", {"form": form, "person": person})


def _int_or(text: str | None, default: int) -> int:
    try:
        return int(text or "")
    except ValueError:
        return default


def _as_of(person: Person, version: int) -> Person:
    then = person.history.filter(version=version).order_by("-history_id").first()
    return then.instance if then is not None else person


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = audit_read(request, selectors.person_get(user=request.user, pk=pk))
    timeline = person_timeline(user=request.user, person=person)
    return render(request, "registry/person_detail.html", {
        "person": person,
        "identity": identity_rows(person),
        "variants": selectors.person_name_variants(user=request.user, person=person),
        "absorbed": selectors.persons_visible(user=request.user).filter(merged_into=person).order_by("pk"),
        "timeline": timeline,
        "status": status_display(timeline.status),
        "rows": timeline_rows(timeline),
        "exchange_entries": _exchange_entries(request, person),
    })


def _exchange_entries(request: HttpRequest, person: Person) -> list[Any]:
    """Every exchange list the person has been on, for those who follow exchanges."""
    from tracebureau.exchanges.selectors import person_entries

    if not policy.can(request.user, Can.SEE_EXCHANGES):
        return []
    return person_entries(user=request.user, person=person)


def identity_rows(person: Person) -> list[tuple[Any, Any, bool]]:
    """(label, value, withheld) for every identity field, the parts of the birth date as one."""
    rows: list[tuple[Any, Any, bool]] = []
    for name in PERSON_FIELDS:
        if name in ("birth_month", "birth_day"):
            continue
        if name == "birth_year":
            rows.append((_("Date of birth"), person.birth_date_display, False))
            continue
        field: Any = Person._meta.get_field(name)
        if policy.withheld(person, name):
            rows.append((field.verbose_name, "", True))
            continue
        value = getattr(person, f"get_{name}_display")() if field.choices else getattr(person, name)
        rows.append((field.verbose_name, value, False))
    return rows


def timeline_rows(timeline: Any) -> list[dict[str, Any]]:
    """Each event with its part in the status: void (and by which correction), unconfirmed."""
    status = timeline.status
    correction_of = {
        e.corrects_id: e for e in timeline.events if e.corrects_id and e.pk not in status.void_ids
    }
    return [
        {
            "event": event,
            "void": event.pk in status.void_ids,
            "corrected_by": correction_of.get(event.pk),
            "unconfirmed": event.pk in status.unconfirmed_ids,
            "is_basis": event.pk == status.basis_id,
        }
        for event in timeline.events
    ]


@login_required
@require_http_methods(["GET", "POST"])
def person_merge(request: HttpRequest, pk: int) -> HttpResponse:
    keep = selectors.person_get(user=request.user, pk=pk, action=CHANGE)
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            other, reason = form.cleaned_data["other"], form.cleaned_data["reason"]
            absorb = selectors.person_get(user=request.user, pk=other, action=CHANGE)
            services.person_merge(keep=keep, absorb=absorb, by=request.user, reason=reason)
        except ValidationError as error:
            add_service_errors(form, error, aliases={"absorb": "other"})
        except Http404:
            form.add_error("other", _("There is no such record, or you may not change it."))
        else:
            messages.success(
                request, _("Record #%(absorb)s is now shown as part of this one.") % {"absorb": absorb.pk}
            )
            return redirect(keep)
    return render(request, "registry/person_merge.html", {"form": form, "person": keep})


@login_required
@require_http_methods(["GET", "POST"])
def person_unmerge(request: HttpRequest, pk: int) -> HttpResponse:
    absorb = selectors.person_get(user=request.user, pk=pk, action=CHANGE)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_unmerge(absorb=absorb, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The merge is undone; this record stands on its own again."))
            return redirect(absorb)
    return render(request, "registry/person_unmerge.html", {"form": form, "person": absorb})


@login_required
def person_export(request: HttpRequest) -> StreamingHttpResponse:
    """The persons a search finds, as CSV: the same policy and masks as the page."""
    policy.require(request.user, Can.EXPORT)
    _form, query, persons = _searched(request)
    rows = selectors.person_export_rows(user=request.user, persons=persons)
    audit_export(user=request.user, what="persons", query=query, count=persons.count())
    return _csv_download(csv_lines(selectors.EXPORT_FIELDS, rows), "persons.csv")


@login_required
def person_export_cta(request: HttpRequest) -> StreamingHttpResponse:
    """Every person the user sees, in the shape of GC III art. 122 notifications, for the ICRC
    Central Tracing Agency. Not family-facing: nothing detrimental to disclose is withheld."""
    policy.require(request.user, Can.EXPORT_CTA)
    header, rows = cta_export_rows(user=request.user)
    audit_export(user=request.user, what="icrc-cta")
    return _csv_download(csv_lines(header, rows), "icrc-cta.csv")


def _csv_download(lines: Any, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # personal data must not sit in a shared cache
    return response


@login_required
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest) -> HttpResponse:
    """Open one record above one's clearance, for a stated reason that the audit log keeps."""
    policy.require(request.user, Can.BREAK_GLASS)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = break_glass_open(
                by=request.user, person_id=form.cleaned_data["person"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.warning(request, _("Break-glass access open until %(until)s. It is in the audit log.")
                             % {"until": grant.expires_at.strftime("%Y-%m-%d %H:%M")})
            return redirect(grant.person)
    return render(request, "registry/break_glass.html", {"form": form, "hours": policy.BREAK_GLASS_HOURS})
