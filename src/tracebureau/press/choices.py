from django.db import models
from django.utils.translation import gettext_lazy as _


class ReleaseState(models.TextChoices):
    """Where a release stands; derived from its steps, never stored on it."""

    DRAFT = "draft", _("Draft")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The one way forward: each step needs the one before it. Any state short of publication may
# be withdrawn (a correction is a new draft); a published release never changes.
NEXT_STATE: dict[str, str] = {
    ReleaseState.DRAFT: ReleaseState.REVIEWED,
    ReleaseState.REVIEWED: ReleaseState.APPROVED,
    ReleaseState.APPROVED: ReleaseState.PUBLISHED,
}


class Period(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class TableKey(models.TextChoices):
    """The tables a release can hold; press.statistics says how each is counted."""

    BY_STATUS_AND_CATEGORY = "status_category", _("Our people by situation and category")
    BY_AGENCY_AND_STATUS = "agency_status", _("Our people by agency and situation")
    BY_SIDE_AND_STATUS = "side_status", _("People on both sides by situation")
    FLOWS = "flows", _("Captured, released, remains repatriated and identified, by period")
    EXCHANGES = "exchanges", _("Exchanges: who came home, per exchange and in all")
    INQUIRIES = "inquiries", _("Tracing requests received and answered, by period")


class CheckStage(models.TextChoices):
    DRAFT = "draft", _("When drafted")
    PUBLICATION = "publication", _("At publication")
