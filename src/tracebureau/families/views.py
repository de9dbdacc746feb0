"""The family liaison's pages: the queue of tracing requests, a first call, and one request
with everything done about it: kinship, the person sought, what the family was told, consents,
steps and the one-time code of the status lookup.

The request page takes every change as a POST naming its `action`; a refused change shows the
page again with the form and the services' errors, and nothing is written. Family liaisons are
family-facing: the pages show the person through the policy's masks and never print a unit,
call sign or place of capture; the unit the family typed is theirs and is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tracebureau.audit.services import audit_read
from tracebureau.core import policy
from tracebureau.core.policy import CHANGE, Can
from tracebureau.core.views import form_action
from tracebureau.families import forms, selectors, services
from tracebureau.families import messages as family_messages
from tracebureau.families.choices import ConsentKind, InquiryState, Language
from tracebureau.families.models import Inquiry
from tracebureau.registry.forms import add_service_errors
from tracebureau.registry.selectors import persons_visible
from tracebureau.timeline.choices import FAMILY_LEVEL_WORDING

Forms = dict[str, Any]


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, Can.HANDLE_INQUIRIES)
    include_closed = request.GET.get("all") == "1"
    rows = selectors.dashboard(user=request.user, include_closed=include_closed)
    return render(
        request,
        "families/index.html",
        {
            "rows": rows,
            "overdue": sum(r.overdue for r in rows),
            "include_closed": include_closed,
            "may_notify": policy.can(request.user, Can.NOTIFY_FAMILIES),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, Can.HANDLE_INQUIRIES)
    form = forms.InquiryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        inquiry = _create(request, form)
        if inquiry is not None:
            return redirect(inquiry)
    return render(request, "families/form.html", {"form": form, "title": _("A new tracing request")})


@login_required
@require_http_methods(["GET", "POST"])
def another(request: HttpRequest, pk: int) -> HttpResponse:
    """The same requester asks about someone else: a new request, their details kept."""
    source = selectors.inquiry_get(user=request.user, pk=pk, action=CHANGE)
    initial = {"relationship": source.relationship, "channel": source.channel}
    form = forms.InquiryForm(request.POST or None, initial=initial, with_requester=False)
    if request.method == "POST" and form.is_valid():
        inquiry = _create(request, form, existing=source)
        if inquiry is not None:
            return redirect(inquiry)
    title = _("Another request from %(name)s") % {"name": source.requester}
    return render(request, "families/form.html", {"form": form, "title": title, "source": source})


def _create(request: HttpRequest, form: forms.InquiryForm, existing: Inquiry | None = None) -> Inquiry | None:
    try:
        inquiry = services.inquiry_create(
            by=request.user,
            existing_requester=existing.requester if existing else None,
            **form.service_arguments(),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(
        request,
        _("Request registered. Its reference, to give the family: %(ref)s") % {"ref": inquiry.reference},
    )
    return inquiry


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = audit_read(request, selectors.inquiry_get(user=request.user, pk=pk))
    bound: Forms = {}
    if request.method == "POST":
        handler = HANDLERS.get(request.POST.get("action", ""))
        if handler is None:
            messages.error(request, _("Unknown action."))
            return redirect(inquiry)
        changeable = selectors.inquiry_get(user=request.user, pk=pk, action=CHANGE)
        outcome = handler(request, changeable)
        if isinstance(outcome, HttpResponse):
            return outcome
        bound = outcome
        # Read again through the policy: a service hands back its own unmasked row.
        inquiry = selectors.inquiry_get(user=request.user, pk=pk)
    response = render(request, "families/detail.html", _context(request, inquiry, bound))
    if "issued_code" in bound:
        response["Cache-Control"] = "no-store"  # the code is shown once, and kept nowhere
    return response


def _context(request: HttpRequest, inquiry: Inquiry, bound: Forms) -> dict[str, Any]:
    user = request.user
    state = selectors.state_of(inquiry)
    status = selectors.family_status_of(person=inquiry.person) if inquiry.person else None
    template = "status" if inquiry.person else "received"
    convey = bound.get("convey") or forms.ConveyForm(
        initial={"template": template, "language": inquiry.requester.language}
    )
    return {
        "inquiry": inquiry,
        "state": state,
        "state_label": InquiryState(state).label,
        "steps": selectors.steps_of(inquiry),
        "contacts": selectors.contacts_of(inquiry),
        "group": selectors.group_of(user=user, inquiry=inquiry),
        "others": selectors.requester_inquiries(user=user, inquiry=inquiry),
        "candidates": [] if inquiry.person else selectors.candidates_for(user=user, inquiry=inquiry),
        "status": status,
        "wording": FAMILY_LEVEL_WORDING[status.level] if status else None,
        "consents": _consents(inquiry, bound),
        "kinship_form": bound.get("kinship") or forms.KinshipForm(),
        "link_form": bound.get("link") or forms.LinkForm(),
        "open_form": bound.get("open") or forms.OpenPersonForm(),
        "convey_form": convey,
        "preview": _preview(inquiry, convey),
        "step_form": bound.get("step") or forms.StepForm(),
        "code_form": bound.get("code") or forms.CodeForm(),
        "issued_code": bound.get("issued_code"),
    }


def _consents(inquiry: Inquiry, bound: Forms) -> list[tuple[str, Any, bool | None, forms.ConsentForm]]:
    """Each consent: its kind, label, the latest word (None: never asked), and the form that
    records the opposite."""
    latest = selectors.consents_of(inquiry)
    rows = []
    for kind, label in ConsentKind.choices:
        given = latest.get(kind)
        form = bound.get(f"consent_{kind}") or forms.ConsentForm(
            kind=kind, initial={"kind": kind, "given": "0" if given else "1"}
        )
        rows.append((kind, label, given, form))
    return rows


def _preview(inquiry: Inquiry, form: forms.ConveyForm) -> dict[str, str]:
    """The exact text `contact_record` would log for the form's message and language now, or
    why it would be refused."""
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    code = data.get("template") or form["template"].value()
    language = data.get("language") or form["language"].value() or inquiry.requester.language
    template = family_messages.BY_CODE.get(code)
    if template is None:
        return {}
    level, since = None, None
    if template.conveys_status:
        problems = services.status_errors(inquiry)
        if problems:
            return {"problem": " ".join(problems.values())}
        status = selectors.family_status_of(person=inquiry.person)  # type: ignore[arg-type]
        level, since = status.level, status.since
    text = family_messages.render(
        code, language, reference=inquiry.reference, name=inquiry.sought_name, level=level, since=since
    )
    label = str(Language(language).label) if language in Language.values else language
    return {"text": text, "label": str(template.label), "language": language, "language_label": label}


def _run(
    request: HttpRequest, inquiry: Inquiry, name: str, form: Any, action: Callable[[], Any], success: str
) -> Any:
    return form_action(request, name=name, form=form, action=action, success=success, then=inquiry)


def _kinship(request: HttpRequest, inquiry: Inquiry) -> Any:
    form = forms.KinshipForm(request.POST)
    return _run(
        request,
        inquiry,
        "kinship",
        form,
        lambda: services.kinship_check(
            inquiry=inquiry, by=request.user, document=form.cleaned_data["document"]
        ),
        _("Kinship checked."),
    )


def _link(request: HttpRequest, inquiry: Inquiry) -> Any:
    form = forms.LinkForm(request.POST)
    if form.is_valid():
        person = persons_visible(user=request.user).filter(pk=form.cleaned_data["person"]).first()
        if person is None:
            form.add_error(None, _("No such person."))
            return {"link": form}
        return _run(
            request,
            inquiry,
            "link",
            form,
            lambda: services.inquiry_link(inquiry=inquiry, by=request.user, person=person),
            _("Linked: the request is about %(name)s.") % {"name": person},
        )
    return {"link": form}


def _open(request: HttpRequest, inquiry: Inquiry) -> Any:
    form = forms.OpenPersonForm(request.POST)
    return _run(
        request,
        inquiry,
        "open",
        form,
        lambda: services.inquiry_open_person(inquiry=inquiry, by=request.user),
        _("Registered as reported missing, and linked to the request."),
    )


def _convey(request: HttpRequest, inquiry: Inquiry) -> Any:
    form = forms.ConveyForm(request.POST)
    if "preview" in request.POST:
        form.is_valid()
        return {"convey": form}
    data = form.cleaned_data if form.is_valid() else {}
    return _run(
        request,
        inquiry,
        "convey",
        form,
        lambda: services.contact_record(
            inquiry=inquiry,
            by=request.user,
            template=data["template"],
            channel=data["channel"],
            language=data["language"],
        ),
        _("Recorded in the log of contacts."),
    )


def _consent(request: HttpRequest, inquiry: Inquiry) -> Any:
    kind = request.POST.get("kind", "")
    form = forms.ConsentForm(request.POST, kind=kind if kind in ConsentKind.values else "unknown")
    given = request.POST.get("given") == "1"
    return _run(
        request,
        inquiry,
        f"consent_{kind}",
        form,
        lambda: services.consent_set(
            inquiry=inquiry,
            by=request.user,
            kind=form.cleaned_data["kind"],
            given=form.cleaned_data["given"],
            note=form.cleaned_data["note"],
        ),
        _("Consent recorded as given.") if given else _("Consent recorded as withdrawn."),
    )


def _step(request: HttpRequest, inquiry: Inquiry) -> Any:
    form = forms.StepForm(request.POST)
    return _run(
        request,
        inquiry,
        "step",
        form,
        lambda: services.inquiry_step(
            inquiry=inquiry, by=request.user, state=form.cleaned_data["state"], note=form.cleaned_data["note"]
        ),
        _("Step recorded."),
    )


def _code(request: HttpRequest, inquiry: Inquiry) -> Any:
    """A new lookup code, shown in this response only: no redirect, no message in the session."""
    form = forms.CodeForm(request.POST)
    try:
        code = services.lookup_code_issue(inquiry=inquiry, by=request.user)
    except ValidationError as error:
        add_service_errors(form, error)
        return {"code": form}
    return {"issued_code": code}


HANDLERS: dict[str, Callable[[HttpRequest, Inquiry], Any]] = {
    "kinship": _kinship,
    "link": _link,
    "open": _open,
    "convey": _convey,
    "consent": _consent,
    "step": _step,
    "code": _code,
}
