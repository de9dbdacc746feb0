"""Exchanges of prisoners and of bodies: the negotiated lists, the formula, every step of the
negotiation, the list of who actually came back, and the outcome for each person.

The lists and the terms change while the exchange is negotiated (each change raises
`Exchange.version`, the optimistic lock two coordinators work under, and is kept by
django-simple-history); transitions, arrivals, outcomes and amendments are append-only.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracebureau.core.base import AppendOnlyModel, ChoiceLabels
from tracebureau.core.choices import Classification
from tracebureau.exchanges.choices import (
    Condition,
    EntryCategory,
    ExchangeKind,
    ExchangeState,
    MatchedBy,
    Outcome,
    Side,
)


class Exchange(ChoiceLabels):
    """One exchange with the other side, from the first draft of our request to the verified
    return of each person. Negotiation-sensitive unless classified otherwise: a list that leaks
    can cost the people on it their place in the exchange."""

    # The reference the negotiators use; identification's repatriation batches cite it.
    reference = models.CharField(_("reference"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=ExchangeKind.choices)
    counterpart = models.CharField(_("counterpart"), max_length=200)
    mediator = models.CharField(
        _("mediator"), max_length=200, blank=True, help_text=_("The ICRC, a third state, or nobody.")
    )
    # The formula: our people and theirs in this ratio ("1 to 1"), optionally a total agreed
    # for each side ("50 to 50"), and optionally counts per category (`terms`).
    ratio_ours = models.PositiveSmallIntegerField(
        _("ratio, ours"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    ratio_theirs = models.PositiveSmallIntegerField(
        _("ratio, theirs"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    total_ours = models.PositiveIntegerField(_("agreed number, ours"), null=True, blank=True)
    total_theirs = models.PositiveIntegerField(_("agreed number, theirs"), null=True, blank=True)
    # Bodies, and sometimes people, are agreed by number before anyone can name them.
    unnamed_ours = models.PositiveIntegerField(
        _("unnamed, ours"), default=0, help_text=_("Agreed by number, not by name (bodies, usually).")
    )
    unnamed_theirs = models.PositiveIntegerField(
        _("unnamed, theirs"), default=0, help_text=_("Agreed by number, not by name (bodies, usually).")
    )
    # [{"category": "seriously_wounded", "ours": 10, "theirs": 10}, ...]: see formula.py.
    terms = models.JSONField(_("counts per category"), default=list, blank=True)
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    executed_on = models.DateField(_("executed on"), null=True, blank=True)
    place = models.ForeignKey(
        "timeline.Place",
        verbose_name=_("place of exchange"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exchanges",
    )
    note = models.TextField(_("note"), blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=ExchangeState.choices, default=ExchangeState.DRAFT, editable=False
    )
    classification = models.CharField(
        _("classification"),
        max_length=30,
        choices=Classification.choices,
        default=Classification.NEGOTIATION_SENSITIVE,
    )
    # Raised by every change to the exchange or its lists: a write that names an older version
    # was made on a stale page and is refused (services._lock).
    version = models.PositiveIntegerField(default=1, editable=False)
    # The source the returnees' events cite: "Exchange EX-2022-06-29", created on verification.
    source = models.ForeignKey(
        "timeline.Source", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-planned_on", "-id"]
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("exchanges:detail", args=[self.pk])


class ExchangeEntry(ChoiceLabels):
    """A person on one of the two lists, with their place in the order of priority and why.

    Taking someone off a list withdraws the entry (who, when, why); it is never deleted."""

    exchange = models.ForeignKey(Exchange, on_delete=models.PROTECT, related_name="entries")
    side = models.CharField(_("list"), max_length=10, choices=Side.choices)
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="exchange_entries"
    )
    priority = models.PositiveIntegerField(_("priority"), validators=[MinValueValidator(1)])
    category = models.CharField(_("category"), max_length=20, choices=EntryCategory.choices)
    reason = models.TextField(_("reason"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["side", "priority", "id"]
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        constraints = [
            models.UniqueConstraint(
                fields=["exchange", "person"],
                condition=Q(withdrawn_at__isnull=True),
                name="exchange_entry_once_per_exchange",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawal_reason=""),
                name="exchange_entry_withdrawal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} #{self.priority}: {self.person_id}"


class Transition(AppendOnlyModel):
    """One step of the negotiation: who moved the exchange from one state to the next, when and
    why. An agreement reached although the lists break the formula records the override and
    what it overrode, so that overrides can be counted."""

    exchange = models.ForeignKey(Exchange, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(_("from"), max_length=12, choices=ExchangeState.choices)
    to_state = models.CharField(_("to"), max_length=12, choices=ExchangeState.choices)
    reason = models.TextField(_("reason"))
    formula_override = models.BooleanField(_("formula overridden"), default=False)
    breaches = models.JSONField(_("formula breaches"), default=list, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")


class ArrivalList(AppendOnlyModel):
    """The list of who actually came back, as it arrived (usually a file from the exchange
    point). A corrected list is uploaded again; the latest one counts until verification."""

    exchange = models.ForeignKey(Exchange, on_delete=models.PROTECT, related_name="arrival_lists")
    file_name = models.CharField(_("file name"), max_length=255)
    headers = models.JSONField(_("columns"), default=list)
    column_mapping = models.JSONField(_("column mapping"), default=dict)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("arrivals list")
        verbose_name_plural = _("arrivals lists")


class ArrivalRow(AppendOnlyModel):
    """One line of an arrivals list, as received, and the registry person it was matched to."""

    arrival_list = models.ForeignKey(ArrivalList, on_delete=models.PROTECT, related_name="rows")
    number = models.PositiveIntegerField(_("row"))
    raw = models.JSONField(_("values as received"), default=dict)
    name = models.CharField(_("name as written"), max_length=400, blank=True)
    birth_date = models.CharField(_("date of birth"), max_length=10, blank=True)
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices)
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="arrivals"
    )
    matched_by = models.CharField(_("matched by"), max_length=20, choices=MatchedBy.choices)
    probability = models.FloatField(_("match probability"), null=True, blank=True)

    class Meta:
        ordering = ["arrival_list", "number"]
        verbose_name = _("arrival")
        verbose_name_plural = _("arrivals")


class Amendment(AppendOnlyModel):
    """A recorded correction of an executed exchange: the only way it changes."""

    exchange = models.ForeignKey(Exchange, on_delete=models.PROTECT, related_name="amendments")
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")


class ExchangeOutcome(AppendOnlyModel):
    """What became of one person in a verified exchange. An amendment adds a newer outcome for
    the person; the latest one counts and the earlier stays on record."""

    exchange = models.ForeignKey(Exchange, on_delete=models.PROTECT, related_name="outcomes")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="exchange_outcomes"
    )
    entry = models.ForeignKey(
        ExchangeEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="outcomes"
    )
    arrival = models.ForeignKey(
        ArrivalRow, on_delete=models.PROTECT, null=True, blank=True, related_name="outcomes"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    # The timeline events this outcome recorded (released, returned, remains repatriated).
    event_ids = models.JSONField(default=list, blank=True)
    amendment = models.ForeignKey(
        Amendment, on_delete=models.PROTECT, null=True, blank=True, related_name="outcomes"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(arrival__isnull=False),
                name="exchange_outcome_names_someone",
            )
        ]
