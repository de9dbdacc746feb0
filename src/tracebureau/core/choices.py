from django.db import models
from django.utils.translation import gettext_lazy as _


class Classification(models.TextChoices):
    """How sensitive a record is. A user sees it only where their clearance covers it."""

    OPEN = "open", _("Open")
    RESTRICTED = "restricted", _("Restricted")
    CONFIDENTIAL = "confidential", _("Confidential")
    NEGOTIATION_SENSITIVE = "negotiation_sensitive", _("Negotiation-sensitive")
