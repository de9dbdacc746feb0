"""Pages of the identification officer (batches, remains cases, references, match runs and
decisions) and the family liaison's queue of in-person notifications."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracebureau.audit.services import audit_read
from tracebureau.core import policy
from tracebureau.core.policy import CHANGE, Can
from tracebureau.identification import forms, selectors, services
from tracebureau.identification.choices import DecisionAction, RemainsState, TaskState
from tracebureau.identification.models import FrequencyTable, GeneticProfile
from tracebureau.lists.choices import FINISHED
from tracebureau.registry.forms import add_service_errors
from tracebureau.registry.selectors import person_get


def _attempt(request: HttpRequest, form: Any, action: Any, success: str) -> Any:
    """Run a service; on success say so, on refusal put its errors on the form."""
    try:
        result = action()
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, success)
    return result


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, Can.IDENTIFY)
    batches = selectors.batches_visible(user=request.user)[:100]
    table = FrequencyTable.objects.order_by("-id").first()
    return render(request, "identification/index.html", {"batches": batches, "frequency_table": table})


@login_required
@require_http_methods(["GET", "POST"])
def batch_create(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, Can.IDENTIFY)
    form = forms.RepatriationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        batch = _attempt(
            request,
            form,
            lambda: services.repatriation_create(by=request.user, **form.cleaned_data),
            _("Batch recorded."),
        )
        if batch:
            return redirect(batch)
    return render(
        request, "identification/form.html", {"form": form, "title": _("A batch of returned remains")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, pk=pk)
    upload = forms.ProfileFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and upload.is_valid():
        file = upload.cleaned_data["file"]
        count = _attempt(
            request,
            upload,
            lambda: services.remains_profiles_import(
                by=request.user, repatriation=batch, file_name=file.name, content=file.read()
            ),
            _("Profiles stored."),
        )
        if count is not None:
            return redirect(batch)
    run = selectors.latest_run(batch)
    statuses = selectors.batch_statuses(batch)
    best = selectors.batch_best_candidates(user=request.user, run=run)
    remains = [
        (case, statuses.get(case.pk, selectors.RemainsStatus()), best.get(case.pk))
        for case in selectors.remains_of_batch(user=request.user, repatriation=batch)
    ]
    counts = {state: sum(1 for _c, s, _b in remains if s.state == state) for state in RemainsState.values}
    return render(
        request,
        "identification/batch_detail.html",
        {
            "batch": batch,
            "remains": remains,
            "job": run,
            "upload": upload,
            "counts": counts,
            "may_type": policy.can(request.user, Can.SEE_GENETIC_DATA),
            "threshold": _threshold(),
        },
    )


def _threshold() -> int:
    from django.conf import settings

    return settings.TRACEBUREAU_IDENTIFICATION_LOG10_LR


@login_required
@require_GET
def batch_progress(request: HttpRequest, pk: int) -> JsonResponse:
    batch = selectors.batch_get(user=request.user, pk=pk)
    run = selectors.latest_run(batch)
    if run is None:
        return JsonResponse({"status": "", "finished": True, "progress": 0, "stage": ""})
    return JsonResponse(
        {
            "status": run.status,
            "status_label": run.get_status_display(),
            "progress": run.progress,
            "stage": _(run.stage) if run.stage else "",
            "finished": run.status in FINISHED,
        }
    )


@login_required
@require_POST
def batch_match(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, pk=pk, action=CHANGE)
    try:
        services.match_run_start(by=request.user, repatriation=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Matching runs in the background."))
    return redirect(batch)


@login_required
@require_http_methods(["GET", "POST"])
def remains_create(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, pk=pk, action=CHANGE)
    form = forms.RemainsCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = _attempt(
            request,
            form,
            lambda: services.remains_case_create(by=request.user, repatriation=batch, **form.cleaned_data),
            _("Remains case opened."),
        )
        if case:
            return redirect(case)
    return render(
        request,
        "identification/form.html",
        {"form": form, "title": _("A remains case of %(batch)s") % {"batch": batch}, "back": batch},
    )


@login_required
@require_http_methods(["GET", "POST"])
def remains_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = audit_read(request, selectors.remains_get(user=request.user, pk=pk))
    custody = forms.CustodyForm(request.POST or None, prefix="custody")
    if (
        request.method == "POST"
        and custody.is_valid()
        and _attempt(
            request,
            custody,
            lambda: services.custody_record(by=request.user, remains_case=case, **custody.cleaned_data),
            _("Hand-over recorded."),
        )
    ):
        return redirect(case)
    return render(request, "identification/remains_detail.html", _remains_context(request, case, custody))


def _remains_context(request: HttpRequest, case: Any, custody: Any, **forms_: Any) -> dict[str, Any]:
    user = request.user
    run = selectors.latest_run(case.repatriation)
    status = selectors.remains_status(case)
    profile = (
        GeneticProfile.objects.filter(remains_case=case)
        .order_by("-id")
        .only("id", "entered_at", "lab_reference")
        .first()
    )
    return {
        "case": case,
        "status": status,
        "run": run,
        "custody_form": custody,
        "custody": case.custody.order_by("at", "id"),
        "candidates": selectors.candidates_of(user=user, remains_case=case, run=run),
        "outcome": selectors.outcome_of(remains_case=case, run=run),
        "profile": profile,
        "may_see_profile": policy.can(user, Can.SEE_GENETIC_DATA),
        "threshold": _threshold(),
        "may_decide": status.pending and status.pending.by_id != user.pk,
        "preliminary_form": forms_.get("preliminary_form") or forms.PreliminaryForm(prefix="preliminary"),
        "burial_form": forms_.get("burial_form") or forms.BurialForm(prefix="burial"),
        "decide_form": forms_.get("decide_form") or forms.DecideForm(prefix="decide"),
        "profile_form": forms_.get("profile_form") or forms.RemainsProfileForm(prefix="profile"),
        "open": {RemainsState.UNIDENTIFIED, RemainsState.PRELIMINARY},
    }


def _remains_action(
    request: HttpRequest, pk: int, form_class: Any, prefix: str, act: Any, done: str
) -> HttpResponse:
    """A POST of one of the remains page's action forms: run it, or show the page with its errors."""
    case = selectors.remains_get(user=request.user, pk=pk, action=CHANGE)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid() and _attempt(request, form, lambda: act(case, form.cleaned_data), done):
        return redirect(case)
    context = _remains_context(request, case, forms.CustodyForm(prefix="custody"), **{f"{prefix}_form": form})
    return render(request, "identification/remains_detail.html", context, status=400)


@login_required
@require_POST
def remains_preliminary(request: HttpRequest, pk: int) -> HttpResponse:
    def act(case: Any, data: dict[str, Any]) -> Any:
        person = person_get(user=request.user, pk=data["person"])
        return services.preliminary_identify(
            by=request.user, remains_case=case, person=person, basis=data["basis"]
        )

    return _remains_action(
        request,
        pk,
        forms.PreliminaryForm,
        "preliminary",
        act,
        _("Preliminary identification recorded. It stays preliminary until DNA confirms it."),
    )


@login_required
@require_POST
def remains_burial(request: HttpRequest, pk: int) -> HttpResponse:
    return _remains_action(
        request,
        pk,
        forms.BurialForm,
        "burial",
        lambda case, data: services.burial_record(by=request.user, remains_case=case, **data),
        _("Burial recorded on the person's timeline."),
    )


@login_required
@require_POST
def remains_profile(request: HttpRequest, pk: int) -> HttpResponse:
    return _remains_action(
        request,
        pk,
        forms.RemainsProfileForm,
        "profile",
        lambda case, data: services.remains_profile_add(by=request.user, remains_case=case, **data),
        _("Profile stored."),
    )


@login_required
@require_POST
def candidate_propose(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.candidate_get(user=request.user, pk=pk)
    try:
        services.confirmation_propose(
            by=request.user, candidate=candidate, basis=request.POST.get("basis", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Proposed. A second identification officer must approve it."))
    return redirect(candidate.remains_case)


@login_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.decision_get(user=request.user, pk=pk)
    approve = request.POST.get("approve") == "yes"

    def act(case: Any, data: dict[str, Any]) -> Any:
        return services.confirmation_decide(
            by=request.user, proposal=proposal, approve=approve, reason=data["reason"]
        )

    done = (
        _("Identification confirmed; the family-liaison queue has the in-person notification.")
        if approve
        else _("Proposal rejected.")
    )
    return _remains_action(request, proposal.remains_case_id, forms.DecideForm, "decide", act, done)


@login_required
@require_GET
def profile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One genetic profile: identification officers only, and every view is in the audit trail."""
    # The policy gives profiles to those who may see genetic data only: anyone else gets the
    # 404 of a profile that does not exist.
    profile = selectors.profile_get(user=request.user, pk=pk)
    audit_read(request, profile)
    return render(request, "identification/profile_detail.html", {"profile": profile})


@login_required
@require_http_methods(["GET", "POST"])
def person_references(request: HttpRequest, pk: int) -> HttpResponse:
    """The DNA references given for one missing person, and the form to add one."""
    person = person_get(user=request.user, pk=pk)  # a hidden person: 404, as a missing one
    policy.require(request.user, Can.IDENTIFY)
    audit_read(request, person)
    form = forms.ReferenceSampleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "consent_confirmed"}
        if _attempt(
            request,
            form,
            lambda: services.reference_sample_create(by=request.user, person=person, **data),
            _("Reference sample stored."),
        ):
            return redirect("identification:person-references", pk=person.pk)
    samples = (
        selectors.samples_visible(user=request.user)
        .filter(person=person)
        .annotate(profile_count=Count("profiles"))
    )
    identified = selectors.remains_identified_as(person).first()
    power = selectors.family_power(user=request.user, person=person, threshold_log10=_threshold())
    return render(
        request,
        "identification/person_references.html",
        {
            "person": person,
            "samples": samples,
            "form": form,
            "identified": identified,
            "withdraw_form": forms.WithdrawForm(),
            "power": power,
            "threshold": _threshold(),
        },
    )


@login_required
@require_POST
def sample_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    sample = selectors.sample_get(user=request.user, pk=pk, action=CHANGE)
    form = forms.WithdrawForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(list(form.errors["reason"]))
        services.consent_withdraw(by=request.user, sample=sample, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Consent withdrawn: the sample takes part in no further match run."))
    return redirect("identification:person-references", pk=sample.person_id)


@login_required
@require_http_methods(["GET", "POST"])
def frequency_upload(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, Can.IDENTIFY)
    form = forms.FrequencyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        if _attempt(
            request,
            form,
            lambda: services.frequency_table_import(
                by=request.user, name=form.cleaned_data["name"], file_name=file.name, content=file.read()
            ),
            _("Frequency table loaded; the next match runs use it."),
        ):
            return redirect("identification:index")
    return render(
        request,
        "identification/form.html",
        {"form": form, "title": _("Allele frequencies"), "multipart": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def notification_queue(request: HttpRequest) -> HttpResponse:
    """The family liaison's queue: identified persons whose families must be told in person."""
    user = request.user
    if not (policy.can(user, Can.NOTIFY_FAMILIES) or policy.can(user, Can.IDENTIFY)):
        policy.require(user, Can.NOTIFY_FAMILIES)
    form = forms.NotificationForm(request.POST or None)
    if request.method == "POST":
        task = selectors.task_get(user=user, pk=request.POST.get("task"), action=CHANGE)
        if form.is_valid() and _attempt(
            request,
            form,
            lambda: services.notification_complete(by=user, task=task, outcome=form.cleaned_data["outcome"]),
            _("Notification recorded."),
        ):
            return redirect("identification:notifications")
    tasks = selectors.tasks_visible(user=user)
    return render(
        request,
        "identification/notifications.html",
        {
            "open_tasks": tasks.filter(state=TaskState.OPEN),
            "done_tasks": tasks.filter(state=TaskState.DONE)[:50],
            "form": form,
            "may_complete": policy.can(user, Can.NOTIFY_FAMILIES),
            "confirmed": DecisionAction.CONFIRMED,
        },
    )
