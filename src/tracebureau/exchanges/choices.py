from django.db import models
from django.utils.translation import gettext_lazy as _


class ExchangeKind(models.TextChoices):
    PRISONERS = "prisoners", _("Prisoners")
    BODIES = "bodies", _("Bodies of the dead")
    MIXED = "mixed", _("Prisoners and bodies")


class ExchangeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    AGREED = "agreed", _("Agreed")
    EXECUTED = "executed", _("Executed")
    VERIFIED = "verified", _("Verified")
    CANCELLED = "cancelled", _("Cancelled")


# Where an exchange may go from each state. A proposal can go back to drafting (a counter-
# proposal) and an agreement back to negotiation; once executed, only verification remains, and
# after that only recorded amendments.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    ExchangeState.DRAFT: (ExchangeState.PROPOSED, ExchangeState.CANCELLED),
    ExchangeState.PROPOSED: (ExchangeState.AGREED, ExchangeState.DRAFT, ExchangeState.CANCELLED),
    ExchangeState.AGREED: (ExchangeState.EXECUTED, ExchangeState.PROPOSED, ExchangeState.CANCELLED),
    ExchangeState.EXECUTED: (ExchangeState.VERIFIED,),
    ExchangeState.VERIFIED: (),
    ExchangeState.CANCELLED: (),
}
# The lists are negotiated while drafting and proposing; an agreement freezes them.
LISTS_OPEN = frozenset({ExchangeState.DRAFT, ExchangeState.PROPOSED})
# The terms (counterpart, formula, dates) can change until the exchange happens.
TERMS_OPEN = frozenset({ExchangeState.DRAFT, ExchangeState.PROPOSED, ExchangeState.AGREED})


class Side(models.TextChoices):
    REQUESTED = "requested", _("Our people requested")
    OFFERED = "offered", _("Their people offered")


class EntryCategory(models.TextChoices):
    """The categories formulas are agreed in. Seriously wounded and sick first: GC III art.
    109-110 gives them direct repatriation."""

    SERIOUSLY_WOUNDED = "seriously_wounded", _("Seriously wounded or sick")
    OFFICER = "officer", _("Officer")
    CIVILIAN = "civilian", _("Civilian")
    LONG_HELD = "long_held", _("Long held")
    OTHER = "other", _("Other")
    BODY = "body", _("Body of the dead")


ANY_CATEGORY = "any"


class Condition(models.TextChoices):
    """How a person on an arrivals list came back."""

    ALIVE = "alive", _("Alive")
    DECEASED = "deceased", _("Deceased (body)")


class Outcome(models.TextChoices):
    RETURNED = "returned", _("Returned")
    NOT_RETURNED = "not_returned", _("Not returned")
    SUBSTITUTED = "substituted", _("Substituted (came instead of someone on the list)")
    DECEASED = "deceased", _("Returned deceased")
    HANDED_OVER = "handed_over", _("Handed over")
    NOT_HANDED_OVER = "not_handed_over", _("Not handed over")


# Outcomes that bring one of our people home (alive or dead) and those that leave them awaited.
CAME_BACK = frozenset({Outcome.RETURNED, Outcome.SUBSTITUTED, Outcome.DECEASED})
OUTCOMES_REQUESTED = (Outcome.RETURNED, Outcome.NOT_RETURNED, Outcome.DECEASED)
OUTCOMES_OFFERED = (Outcome.HANDED_OVER, Outcome.NOT_HANDED_OVER)


class MatchedBy(models.TextChoices):
    REGISTRY_NUMBER = "registry_number", _("Registry number")
    ENGINE = "engine", _("Name matching")
    UNNAMED = "unnamed", _("Unnamed body")
