from django.db import models
from django.utils.translation import gettext_lazy as _


class Classification(models.TextChoices):
    """How sensitive a record is. A user sees it only where their clearance covers it."""

    OPEN = "open", _("Open")
    RESTRICTED = "restricted", _("Restricted")
    CONFIDENTIAL = "confidential", _("Confidential")
    NEGOTIATION_SENSITIVE = "negotiation_sensitive", _("Negotiation-sensitive")


# Lowest first: a clearance covers its own level and every level before it.
CLASSIFICATION_ORDER: tuple[str, ...] = tuple(Classification.values)


def levels_up_to(clearance: str) -> tuple[str, ...]:
    """The classification levels a clearance covers; an unknown clearance covers none."""
    if clearance not in CLASSIFICATION_ORDER:
        return ()
    return CLASSIFICATION_ORDER[: CLASSIFICATION_ORDER.index(clearance) + 1]


class Role(models.TextChoices):
    """What a member of staff does. A user can hold several; core.policy says what each allows."""

    CASE_OFFICER = "case_officer", _("Case officer")
    ANALYST = "analyst", _("Analyst")
    EXCHANGE_COORDINATOR = "exchange_coordinator", _("Exchange coordinator")
    IDENTIFICATION_OFFICER = "identification_officer", _("Identification officer")
    FAMILY_LIAISON = "family_liaison", _("Family liaison officer")
    PRESS_OFFICER = "press_officer", _("Press officer")
    HEAD_OF_PRESS = "head_of_press", _("Head of the press centre")
    AGENCY_LIAISON = "agency_liaison", _("Agency liaison")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrator")


class JobStatus(models.TextChoices):
    """Where a background job (a reconciliation, a match run) stands; core.jobs moves it."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


FINISHED = frozenset({JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED})
