from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

# The background jobs' states live in core.jobs, shared with identification's match runs.
from tracebureau.core.choices import FINISHED as FINISHED
from tracebureau.core.choices import JobStatus as JobStatus


class DecisionAction(models.TextChoices):
    ACCEPT = "accept", _("Accepted")
    REJECT = "reject", _("Rejected")
    CREATE_PERSON = "create_person", _("New person created")
    UNDO = "undo", _("Decision undone")


class RowState(models.TextChoices):
    """A row's place in the review queue, derived from its decisions (never stored)."""

    UNDECIDED = "undecided", _("Undecided")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    CREATED = "created", _("New person")
    ALL = "all", _("All")


# The engine's Record fields a list column can be mapped onto, in the order the form shows them.
RECORD_FIELDS: tuple[tuple[str, Any], ...] = (
    ("id", _("Row id")),
    ("family_name", _("Family name")),
    ("given_name", _("Given name")),
    ("patronymic", _("Patronymic")),
    ("full_name", _("Full name")),
    ("birth_date", _("Date of birth")),
    ("sex", _("Sex")),
    ("service_number", _("Service number")),
    ("call_sign", _("Call sign")),
)
