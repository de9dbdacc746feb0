"""Pages of the interchange: transmissions to the ICRC Central Tracing Agency, persons' lists
from other registries, and PFIF in and out."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from tracebureau.audit.services import audit_export, audit_read
from tracebureau.core import policy
from tracebureau.core.choices import FINISHED
from tracebureau.core.policy import CHANGE, Can
from tracebureau.core.views import form_action
from tracebureau.interchange import cards, selectors, services, transmissions
from tracebureau.interchange.choices import ImportFormat, ItemKind
from tracebureau.interchange.forms import MappingForm, NoteForm, PersonsUploadForm, PfifImportForm
from tracebureau.interchange.persons import Defaults, guess_mapping, persons_import
from tracebureau.interchange.reports import Action, ImportFailed, ImportReport
from tracebureau.lists.tables import read_table
from tracebureau.timeline.choices import EventKind
from tracebureau.timeline.selectors import sources_visible

UPLOAD = "interchange.persons_upload"
# Kept in the session between the dry run and the import: a list is read twice, not uploaded twice.
MAX_SESSION_BYTES = 5 * 1024 * 1024


def _require_any(user: Any, *capabilities: Can) -> None:
    if not any(policy.can(user, c) for c in capabilities):
        raise PermissionDenied(_("Your roles do not include exchanging records with other organisations."))


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_any(user, Can.TRANSMIT_CTA, Can.IMPORT_RECORDS, Can.EXPORT)
    transmit = policy.can(user, Can.TRANSMIT_CTA)
    if request.method == "POST":
        return _index_action(request, transmit)
    context: dict[str, Any] = {"transmit": transmit, "import_records": policy.can(user, Can.IMPORT_RECORDS)}
    if transmit:
        counts = selectors.pending_counts(user=user)
        context["pending"], context["pending_total"] = _pending_rows(counts), sum(counts.values())
        context["batches"] = [(b, services.batch_state(b)) for b in selectors.batches_visible(user=user)[:50]]
    if context["import_records"]:
        context["imports"] = [(i, _counted(i.summary)) for i in selectors.imports_visible(user=user)[:50]]
    context["export_pfif"] = policy.can(user, Can.EXPORT)
    return render(request, "interchange/index.html", context)


def _pending_rows(counts: dict[str, int]) -> list[tuple[Any, int]]:
    return [(label, counts.get(kind, 0)) for kind, label in ItemKind.choices]


def _index_action(request: HttpRequest, transmit: bool) -> HttpResponse:
    if not transmit:
        raise PermissionDenied(_("Your roles do not allow transmissions to the Agency."))
    if request.POST.get("action") == "verify":
        check = services.log_verify()
        if check.intact:
            messages.success(
                request,
                _(
                    "The transmission log is intact: %(n)s batches, each file matching its "
                    "digest, chained and sealed."
                )
                % {"n": check.count},
            )
        for problem in check.problems:
            messages.error(request, problem)
        return redirect("interchange:index")
    try:
        batch = services.batch_prepare(by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("interchange:index")
    messages.success(
        request,
        _("%(ref)s is prepared: check it, then a colleague authorises it.") % {"ref": batch.reference},
    )
    return redirect(batch)


# --- a batch --------------------------------------------------------------------------------


def _batch(request: HttpRequest, pk: int) -> Any:
    batch = selectors.batches_visible(user=request.user).filter(pk=pk).first()
    if batch is None:
        raise Http404("No such batch.")
    return batch


_STEPS: dict[str, tuple[Callable[..., Any], Any]] = {
    "authorise": (services.batch_authorise, gettext_lazy("Authorised: it may now be sent.")),
    "send": (services.batch_send, gettext_lazy("Recorded as sent.")),
    "withdraw": (
        services.batch_withdraw,
        gettext_lazy("Withdrawn: what it carried goes into the next batch."),
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    batch = audit_read(request, _batch(request, pk))
    forms: dict[str, Any] = {name: NoteForm(prefix=name) for name in _STEPS}
    if request.method == "POST":
        name = request.POST.get("action", "")
        if name not in _STEPS:
            raise Http404("No such step.")
        service, success = _STEPS[name]
        form = NoteForm(request.POST, prefix=name)
        outcome = form_action(
            request,
            name=name,
            form=form,
            success=str(success),
            then=batch,
            action=lambda: service(batch=batch, by=request.user, note=form.cleaned_data["note"]),
        )
        if not isinstance(outcome, dict):
            return outcome
        forms |= outcome
    state = services.batch_state(batch)
    return render(
        request,
        "interchange/batch.html",
        {
            "batch": batch,
            "state": state,
            "steps": batch.steps.select_related("by"),
            # Read from the JSON file itself, which the digest covers, not from its parsed copy.
            "items": _item_rows(json.loads(batch.json_text)["items"]),
            "forms": forms,
            "actions": _actions(request.user, batch, state),
        },
    )


def _item_rows(items: list[dict]) -> list[tuple[dict, str, str]]:
    """Each item with its kind and its event named in the reader's language."""
    kinds = dict(ItemKind.choices)
    events = dict(EventKind.choices)
    return [
        (
            item,
            str(kinds.get(item["kind"], item["kind"])),
            str(events.get((item["event"] or {}).get("kind", ""), "")),
        )
        for item in items
    ]


def _actions(user: Any, batch: Any, state: str | None) -> list[str]:
    """The steps this user may take now; the services refuse the others anyway."""
    if state is None:
        return ["withdraw"] if batch.prepared_by_id == user.pk else ["authorise", "withdraw"]
    return ["send", "withdraw"] if state == "authorised" else []


FILES = {
    "pdf": ("application/pdf", lambda b: bytes(b.pdf)),
    "csv": ("text/csv; charset=utf-8", lambda b: b.csv_text.encode()),
    "json": ("application/json", lambda b: b.json_text.encode()),
}


@login_required
@require_GET
def batch_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    batch = _batch(request, pk)
    if fmt not in FILES:
        raise Http404("No such file.")
    content_type, content = FILES[fmt]
    audit_export(
        user=request.user, what=f"icrc-cta-batch-{fmt}", query=batch.reference, count=batch.item_count
    )
    return _attachment(content(batch), content_type, f"{batch.reference}.{fmt}")


def _attachment(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def capture_card(request: HttpRequest, pk: int) -> HttpResponse:
    """One prisoner's capture card, printed from the record as it stands."""
    person = selectors.card_person(user=request.user, pk=pk)
    if person is None or not (
        policy.can(request.user, Can.TRANSMIT_CTA) or policy.can(request.user, Can.EXPORT_CTA)
    ):
        raise Http404("No such prisoner.")
    item = transmissions.card_for(user=request.user, person=person)
    pdf = cards.render_card(
        item,
        bureau=settings.TRACEBUREAU_BUREAU_NAME,
        reference=item["person"]["number"],
        prepared_on=timezone.localdate().isoformat(),
    )
    audit_export(user=request.user, what="capture-card", query=str(person.pk), count=1)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="capture-card-{item["person"]["number"]}.pdf"'
    return response


# --- imports --------------------------------------------------------------------------------


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """What an import did, row by row, conflicts included: kept for a case officer to decide."""
    done = selectors.imports_visible(user=request.user).filter(pk=pk).first()
    if done is None:
        raise Http404("No such import.")
    audit_read(request, done)
    outcomes, unseen = selectors.import_outcomes(user=request.user, done=done)
    report = ImportReport(
        file_name=done.file_name, sha256=done.sha256, dry_run=False, import_id=done.pk, outcomes=outcomes
    )
    return render(request, "interchange/import.html", {"done": done, "report": report, "unseen": unseen})


@login_required
@require_http_methods(["GET", "POST"])
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """An import the task worker commits: its progress, then what it did; "Cancel" meanwhile."""
    if request.method == "POST":
        return _import_job_action(request, selectors.import_job_get(user=request.user, pk=pk, action=CHANGE))
    job = selectors.import_job_get(user=request.user, pk=pk)
    counts = _counted(job.result.summary) if job.result else ""
    return render(request, "interchange/import_job.html", {"job": job, "counts": counts})


_JOB_ACTIONS: dict[str, tuple[Callable[..., Any], Any]] = {
    "cancel": (
        services.import_job_cancel,
        gettext_lazy("Import cancelled: nothing of the file was committed."),
    ),
    "rerun": (services.import_job_rerun, gettext_lazy("Import queued again.")),
}


def _import_job_action(request: HttpRequest, job: Any) -> HttpResponse:
    if request.POST.get("action") not in _JOB_ACTIONS:
        raise Http404("No such action.")
    service, success = _JOB_ACTIONS[request.POST["action"]]
    try:
        service(job=job, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, str(success))
    return redirect(job)


@login_required
@require_GET
def import_job_progress(request: HttpRequest, pk: int) -> JsonResponse:
    job = selectors.import_job_get(user=request.user, pk=pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": job.progress,
            "stage": _(job.stage) if job.stage else "",
            "finished": job.status in FINISHED,
            "attempt": job.attempt,
            "abandoned": job.abandoned,
        }
    )


# --- persons' lists -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def persons_upload(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, Can.IMPORT_RECORDS)
    sources = sources_visible(user=request.user)
    form = PersonsUploadForm(request.POST or None, request.FILES or None, sources=sources)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            if len(content) > MAX_SESSION_BYTES:
                raise ValidationError(_("The file is larger than 5 MB; import it with the command line."))
            read_table(upload.name, content)
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            request.session[UPLOAD] = {
                "name": upload.name,
                "content": base64.b64encode(content).decode(),
                "system": form.cleaned_data["system"],
                "source": form.cleaned_data["source"].pk,
                "category": form.cleaned_data["category"],
                "side": form.cleaned_data["side"],
                "classification": form.cleaned_data["classification"],
            }
            return redirect("interchange:persons-review")
    return render(request, "interchange/persons_upload.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def persons_review(request: HttpRequest) -> HttpResponse:
    """The mapping, and what the import does with it: a dry run first, then the import."""
    policy.require(request.user, Can.IMPORT_RECORDS)
    staged = request.session.get(UPLOAD)
    if not staged:
        return redirect("interchange:persons-upload")
    content = base64.b64decode(staged["content"])
    headers = read_table(staged["name"], content).headers
    form = MappingForm(request.POST or None, headers=headers, initial=guess_mapping(headers))
    valid = form.is_bound and form.is_valid()
    mapping = form.mapping() if valid else guess_mapping(headers)
    if valid and request.POST.get("action") == "commit":
        # Committed by the task worker: a long list would hold the request for minutes.
        options = {key: staged[key] for key in ("system", "source", "category", "side", "classification")}
        job = services.import_job_start(
            format=ImportFormat.PERSONS,
            file_name=staged["name"],
            content=content,
            options={**options, "mapping": mapping},
            by=request.user,
        )
        del request.session[UPLOAD]
        return redirect(job)
    report, errors = _run_persons(request, staged, content, mapping)
    return render(
        request,
        "interchange/persons_review.html",
        {
            "form": form,
            "staged": staged,
            "report": report,
            "errors": errors,
            "headers": headers,
        },
    )


def _run_persons(
    request: HttpRequest, staged: dict, content: bytes, mapping: dict[str, str]
) -> tuple[ImportReport | None, list[str]]:
    """The dry run: what the import would do, shown before it is committed."""
    source = sources_visible(user=request.user).filter(pk=staged["source"]).first()
    defaults = Defaults(staged["category"], staged["side"], staged["classification"])
    try:
        report = persons_import(
            content=content,
            file_name=staged["name"],
            mapping=mapping,
            system=staged["system"],
            source=source,
            by=request.user,
            defaults=defaults,
            dry_run=True,
        )
    except ImportFailed as failed:
        return failed.report, []
    except ValidationError as error:
        return None, error.messages
    return report, []


def _counted(counts: dict[str, int]) -> str:
    """ "2 new, 1 disagrees: for review", in the reader's language."""
    said = [f"{counts[a]} {label}" for a, label in Action.LABELS.items() if counts.get(a)]
    return ", ".join(said) or _("nothing")


# --- PFIF -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def pfif(request: HttpRequest) -> HttpResponse:
    from tracebureau.interchange import pfif as pfif_format

    policy.require(request.user, Can.IMPORT_RECORDS)
    form = PfifImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        if len(content) > pfif_format.MAX_BYTES:
            form.add_error(
                "file",
                _("The file is larger than %(mb)s MB; split it.") % {"mb": pfif_format.MAX_BYTES // 2**20},
            )
        elif not form.cleaned_data["dry_run"]:
            job = services.import_job_start(
                format=ImportFormat.PFIF, file_name=upload.name, content=content, options={}, by=request.user
            )
            return redirect(job)
        else:
            try:
                report = pfif_format.pfif_import(
                    content=content, file_name=upload.name, by=request.user, dry_run=True
                )
            except ImportFailed as failed:
                report = failed.report
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("file", message)
    return render(request, "interchange/pfif.html", {"form": form, "report": report})


@login_required
@require_GET
def pfif_export(request: HttpRequest) -> HttpResponse:
    from tracebureau.interchange import pfif as pfif_format

    policy.require(request.user, Can.EXPORT)
    return _attachment(pfif_format.pfif_export(user=request.user), "application/xml", "tracebureau-pfif.xml")
