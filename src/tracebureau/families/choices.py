from django.db import models
from django.utils.translation import gettext_lazy as _


class Relationship(models.TextChoices):
    """How the requester is related to the person sought, as they state it (and as the
    document seen shows)."""

    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    SPOUSE = "spouse", _("Wife or husband")
    CHILD = "child", _("Son or daughter")
    SIBLING = "sibling", _("Brother or sister")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    OTHER = "other", _("Not a relative")


# Relatives a status may be conveyed to once their kinship has been checked.
CLOSE_RELATIVES = frozenset(
    {
        Relationship.MOTHER,
        Relationship.FATHER,
        Relationship.SPOUSE,
        Relationship.CHILD,
        Relationship.SIBLING,
        Relationship.GRANDPARENT,
        Relationship.OTHER_RELATIVE,
    }
)


class InquiryState(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline call")
    PHONE = "phone", _("Phone call")
    IN_PERSON = "in_person", _("In person")
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")
    SMS = "sms", _("Text message")


class ConsentKind(models.TextChoices):
    CONTACT = "contact", _("To be contacted by the bureau")
    DNA = "dna", _("To give a DNA reference sample, for identification only")


class Language(models.TextChoices):
    UK = "uk", _("Ukrainian")
    EN = "en", _("English")
