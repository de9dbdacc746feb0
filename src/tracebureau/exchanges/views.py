"""The exchange coordinator's pages: the exchanges and their history, one exchange with its
two lists, formula balance, negotiation and outcome, and the priority-aid proposal.

An exchange page takes every change as a POST naming its `action`; a refused change shows the
page again with the form and the services' errors, a change made on a stale page (the
optimistic lock) says who changed the exchange meanwhile and shows their version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from tracebureau.audit.services import audit_export, audit_read
from tracebureau.core import policy
from tracebureau.core.errors import ConflictError
from tracebureau.core.exports import csv_lines
from tracebureau.core.policy import CHANGE, Can
from tracebureau.core.selectors import get_or_404
from tracebureau.core.views import form_action
from tracebureau.exchanges import forms, selectors, services
from tracebureau.exchanges.choices import LISTS_OPEN, TRANSITIONS, EntryCategory, ExchangeState, Outcome, Side
from tracebureau.exchanges.models import Exchange, ExchangeEntry
from tracebureau.registry.forms import add_service_errors

Forms = dict[str, Any]


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    services.require_viewer(request.user)
    exchanges = selectors.with_counts(selectors.exchanges_visible(user=request.user))
    points = selectors.history(user=request.user)
    return render(
        request,
        "exchanges/index.html",
        {
            "open": [
                e for e in exchanges if e.state not in (ExchangeState.VERIFIED, ExchangeState.CANCELLED)
            ],
            "closed": sorted(
                (e for e in exchanges if e.state in (ExchangeState.VERIFIED, ExchangeState.CANCELLED)),
                key=lambda e: e.executed_on or e.planned_on or e.created_at.date(),
                reverse=True,
            ),
            "points": points,
            "chart": history_chart(points),
            "outstanding": selectors.outstanding(user=request.user),
            "may_manage": policy.can(request.user, Can.MANAGE_EXCHANGES),
        },
    )


def history_chart(
    points: list[selectors.HistoryPoint], width: int = 640, height: int = 220
) -> dict[str, Any]:
    """Bars of the people back from each exchange (returned, came instead, bodies) and the line
    of all returned so far, in SVG coordinates."""
    if not points:
        return {}
    top = max(p.cumulative for p in points) or 1
    left, bottom, plot_h = 40, height - 30, height - 50
    step = (width - left - 10) / len(points)
    bars, line = [], []
    for i, p in enumerate(points):
        x = left + i * step + step * 0.15
        y: float = bottom
        segments = []
        for key, n in (("returned", p.returned), ("substituted", p.substituted), ("deceased", p.deceased)):
            h = plot_h * n / top
            y -= h
            segments.append({"key": key, "y": round(y, 1), "h": round(h, 1), "n": n})
        bars.append(
            {
                "x": round(x, 1),
                "w": round(step * 0.7, 1),
                "segments": segments,
                "point": p,
                "label_x": round(x + step * 0.35, 1),
            }
        )
        line.append(f"{x + step * 0.35:.1f},{bottom - plot_h * p.cumulative / top:.1f}")
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "line": " ".join(line),
        "top": top,
        "top_y": bottom - plot_h,
        "bottom": bottom,
        "left": left,
    }


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, Can.MANAGE_EXCHANGES)
    form = forms.ExchangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        try:
            exchange = services.exchange_create(
                by=request.user, reference=form.cleaned_data["reference"], **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Exchange drafted. Put people on its lists."))
            return redirect(exchange)
    return render(request, "exchanges/form.html", {"form": form, "title": _("A new exchange")})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = selectors.exchange_get(user=request.user, pk=pk, action=CHANGE)
    form = forms.ExchangeForm(request.POST or None, instance=exchange, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.exchange_update(
                exchange=exchange,
                by=request.user,
                expected_version=form.cleaned_data["version"] or 0,
                changes=form.changes(),
            )
        except ConflictError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(exchange)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Terms saved."))
            return redirect(exchange)
    exchange.refresh_from_db()  # the bound form changed the instance in memory
    return render(
        request,
        "exchanges/form.html",
        {"form": form, "title": _("Terms of %(ref)s") % {"ref": exchange.reference}, "exchange": exchange},
    )


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = audit_read(request, selectors.exchange_get(user=request.user, pk=pk))
    bound: Forms = {}
    if request.method == "POST":
        handler = HANDLERS.get(request.POST.get("action", ""))
        if handler is None:
            messages.error(request, _("Unknown action."))
            return redirect(exchange)
        changeable = selectors.exchange_get(user=request.user, pk=pk, action=CHANGE)
        try:
            outcome = handler(request, changeable)
        except ConflictError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(_next(request) or exchange)
        if isinstance(outcome, HttpResponse):
            return outcome
        bound = outcome
        exchange.refresh_from_db()
    return render(request, "exchanges/detail.html", _context(request, exchange, bound))


def _context(request: HttpRequest, exchange: Exchange, bound: Forms) -> dict[str, Any]:
    user = request.user
    requested = selectors.entries_visible(user=user, exchange=exchange, side=Side.REQUESTED)
    offered = selectors.entries_visible(user=user, exchange=exchange, side=Side.OFFERED)
    live = selectors.entries_of(exchange)
    balance = selectors.formula_balance(exchange)
    lines = selectors.outcome_lines(user=user, exchange=exchange)
    arrivals = selectors.latest_arrivals(exchange)
    version = {"version": exchange.version}
    may_manage = selectors.may_change(user=user, exchange=exchange)
    next_states = [s for s in TRANSITIONS.get(exchange.state, ()) if s != ExchangeState.VERIFIED]
    return {
        "exchange": exchange,
        "requested": requested,
        "offered": offered,
        "hidden_requested": live.filter(side=Side.REQUESTED).count() - len(requested),
        "hidden_offered": live.filter(side=Side.OFFERED).count() - len(offered),
        "withdrawn": selectors.entries_visible(
            user=user, exchange=exchange, side=Side.REQUESTED, withdrawn=True
        )
        + selectors.entries_visible(user=user, exchange=exchange, side=Side.OFFERED, withdrawn=True),
        "balance": balance,
        "breaches": selectors.breach_messages(balance),
        "terms": [(EntryCategory(t["category"]).label, t["ours"], t["theirs"]) for t in exchange.terms],
        "lines": lines,
        "counts": _counts(exchange, lines),
        "arrivals": arrivals,
        "repatriation": selectors.repatriation_of(user=user, exchange=exchange),
        "arrival_rows": selectors.arrival_rows(user=user, arrivals=arrivals) if arrivals else [],
        "steps": selectors.negotiation(exchange),
        "overrides": exchange.transitions.filter(formula_override=True).count(),
        "may_manage": may_manage,
        "lists_open": exchange.state in LISTS_OPEN,
        "next_states": [(s, _step_label(exchange, s)) for s in next_states],
        "entry_form": bound.get("add") or forms.EntryForm(initial=version, user=user),
        "transition_form": bound.get("transition") or forms.TransitionForm(initial=version),
        "transition_to": request.POST.get("to_state", "") if "transition" in bound else "",
        "arrivals_form": bound.get("arrivals") or forms.ArrivalsForm(initial=version),
        "verify_form": bound.get("verify") or forms.VerifyForm(initial=version, offered=offered),
        "amend_form": bound.get("amend") or forms.AmendForm(initial=version, user=user),
        "withdraw_error": bound.get("withdraw"),
        "outcome_choices": Outcome.choices,
    }


def _counts(exchange: Exchange, lines: list[selectors.OutcomeLine]) -> dict[str, int]:
    counts = selectors.outcome_counts(lines)
    if exchange.state == ExchangeState.VERIFIED:
        counts[Outcome.HANDED_OVER] += exchange.unnamed_theirs  # agreed by number, handed over
    return counts


STEP_LABELS = {
    ExchangeState.PROPOSED: _lazy("Propose"),
    ExchangeState.AGREED: _lazy("Agree"),
    ExchangeState.EXECUTED: _lazy("Record as executed"),
    ExchangeState.DRAFT: _lazy("Back to draft"),
    ExchangeState.CANCELLED: _lazy("Cancel the exchange"),
}


def _entry(request: HttpRequest, exchange: Exchange) -> ExchangeEntry:
    return get_or_404(ExchangeEntry.objects.filter(exchange=exchange), request.POST.get("entry"), "entry")


def _run(
    request: HttpRequest, exchange: Exchange, name: str, form: Any, action: Callable[[], Any], success: str
) -> Any:
    return form_action(
        request, name=name, form=form, action=action, success=success, then=_next(request) or exchange,
        aliases={"to_state": "__all__", "side": "side"},
    )


def _next(request: HttpRequest) -> str:
    """Where a form asked to go back to (the priority page adds and comes back), if ours."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if safe and target.startswith("/exchanges/") else ""


def _add(request: HttpRequest, exchange: Exchange) -> Any:
    form = forms.EntryForm(request.POST, user=request.user)
    return _run(
        request,
        exchange,
        "add",
        form,
        lambda: services.entry_add(
            exchange=exchange,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            side=form.cleaned_data["side"],
            person=form.cleaned_data["person"],
            category=form.cleaned_data["category"],
            reason=form.cleaned_data["reason"],
            priority=form.cleaned_data["priority"],
        ),
        _("Added to the list."),
    )


def _move(request: HttpRequest, exchange: Exchange) -> Any:
    form = forms.MoveForm(request.POST)
    entry = _entry(request, exchange)
    return _run(
        request,
        exchange,
        "move",
        form,
        lambda: services.entry_move(
            entry=entry,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            priority=form.cleaned_data["priority"],
        ),
        _("Order changed."),
    )


def _withdraw(request: HttpRequest, exchange: Exchange) -> Any:
    form = forms.WithdrawForm(request.POST)
    entry = _entry(request, exchange)
    result = _run(
        request,
        exchange,
        "withdraw",
        form,
        lambda: services.entry_withdraw(
            entry=entry,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        ),
        _("Taken off the list; the entry stays on record as withdrawn."),
    )
    if isinstance(result, dict):
        messages.error(request, _("To take someone off a list, say why."))
        return redirect(exchange)
    return result


def _transition(request: HttpRequest, exchange: Exchange) -> Any:
    form = forms.TransitionForm(request.POST)
    return _run(
        request,
        exchange,
        "transition",
        form,
        lambda: services.transition(
            exchange=exchange,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            to_state=form.cleaned_data["to_state"],
            reason=form.cleaned_data["reason"],
            override_formula=form.cleaned_data["override_formula"],
            executed_on=form.cleaned_data["executed_on"],
        ),
        _("The exchange is now %(state)s.") % {"state": _state_label(request.POST.get("to_state", ""))},
    )


def _step_label(exchange: Exchange, state: str) -> str:
    if state == ExchangeState.PROPOSED and exchange.state == ExchangeState.AGREED:
        return _("Reopen the negotiation")
    return str(STEP_LABELS.get(ExchangeState(state), state))


def _state_label(state: str) -> str:
    return str(ExchangeState(state).label) if state in ExchangeState.values else state


def _arrivals(request: HttpRequest, exchange: Exchange) -> Any:
    form = forms.ArrivalsForm(request.POST, request.FILES)
    return _run(
        request,
        exchange,
        "arrivals",
        form,
        lambda: services.arrivals_upload(
            exchange=exchange,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            file_name=form.cleaned_data["file"].name,
            content=form.cleaned_data["file"].read(),
        ),
        _("Arrivals list matched; check the outcomes, then verify."),
    )


def _verify(request: HttpRequest, exchange: Exchange) -> Any:
    offered = selectors.entries_visible(user=request.user, exchange=exchange, side=Side.OFFERED)
    form = forms.VerifyForm(request.POST, offered=offered)
    return _run(
        request,
        exchange,
        "verify",
        form,
        lambda: services.verify(
            exchange=exchange,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
            not_handed_over=form.cleaned_data["not_handed_over"],
        ),
        _("Verified: the returnees' timelines now show their return."),
    )


def _amend(request: HttpRequest, exchange: Exchange) -> Any:
    form = forms.AmendForm(request.POST, user=request.user)
    return _run(
        request,
        exchange,
        "amend",
        form,
        lambda: services.amend_outcome(
            exchange=exchange,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            person=form.cleaned_data["person"],
            outcome=form.cleaned_data["outcome"],
            reason=form.cleaned_data["reason"],
        ),
        _("Amendment recorded."),
    )


HANDLERS: dict[str, Callable[[HttpRequest, Exchange], Any]] = {
    "add": _add,
    "move": _move,
    "withdraw": _withdraw,
    "transition": _transition,
    "arrivals": _arrivals,
    "verify": _verify,
    "amend": _amend,
}


LIST_COLUMNS = (
    "list",
    "priority",
    "record",
    "family_name",
    "given_names",
    "patronymic",
    "birth_date",
    "service_number",
    "category",
    "reason",
    "outcome",
)


@login_required
@require_GET
def lists_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """Both lists as CSV, in order of priority, as the negotiators hand them over: only the
    persons the reader may see, with their outcome once verified. Recorded as an export."""
    exchange = selectors.exchange_get(user=request.user, pk=pk)
    policy.require(request.user, Can.EXPORT)
    outcomes = selectors.current_outcomes(exchange)
    rows = [
        [
            entry.side,
            entry.priority,
            entry.person_id,
            entry.person.family_name,
            entry.person.given_names,
            entry.person.patronymic,
            entry.person.birth_date_display,
            entry.person.service_number,
            entry.category,
            entry.reason,
            getattr(outcomes.get(entry.person_id), "outcome", ""),
        ]
        for side in Side.values
        for entry in selectors.entries_visible(user=request.user, exchange=exchange, side=side)
    ]
    audit_export(user=request.user, what="exchange-lists", query=exchange.reference, count=len(rows))
    response = StreamingHttpResponse(csv_lines(LIST_COLUMNS, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exchange.reference}-lists.csv"'
    response["Cache-Control"] = "no-store"  # negotiation lists must not sit in a shared cache
    return response


@login_required
@require_GET
def priority(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = audit_read(request, selectors.exchange_get(user=request.user, pk=pk))
    candidates, total = selectors.priority_candidates(user=request.user, exchange=exchange)
    return render(
        request,
        "exchanges/priority.html",
        {
            "exchange": exchange,
            "candidates": candidates,
            "total": total,
            "may_add": exchange.state in LISTS_OPEN and policy.can(request.user, Can.MANAGE_EXCHANGES),
        },
    )
