from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportFormat(models.TextChoices):
    PFIF = "pfif", _("PFIF 1.4 (XML)")
    PERSONS = "persons", _("Persons (CSV or XLSX)")


class BatchStep(models.TextChoices):
    """What happens to a transmission batch after it is prepared (and frozen)."""

    AUTHORISED = "authorised", _("Authorised")
    SENT = "sent", _("Sent")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ItemKind(models.TextChoices):
    """What one line of a transmission to the ICRC Central Tracing Agency is."""

    CAPTURE_CARD = "capture_card", _("Capture card")
    CHANGE = "change", _("Notification of change of situation")
    DEATH = "death", _("Notification of death")
    IDENTITY = "identity", _("Correction of identity")
