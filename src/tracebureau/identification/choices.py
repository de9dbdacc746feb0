from django.db import models
from django.utils.translation import gettext_lazy as _


class Relationship(models.TextChoices):
    """How the donor of a reference sample is related to the missing person; it places the donor
    in the family pedigree (identification.pedigrees)."""

    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    FULL_SIBLING = "full_sibling", _("Brother or sister (same parents)")
    CHILD = "child", _("Son or daughter")
    OTHER_PARENT = "other_parent", _("Other parent of the missing person's children")
    PATERNAL_HALF_SIBLING = "paternal_half_sibling", _("Half-brother or half-sister (same father)")
    MATERNAL_HALF_SIBLING = "maternal_half_sibling", _("Half-brother or half-sister (same mother)")
    PATERNAL_GRANDPARENT = "paternal_grandparent", _("Father's parent")
    MATERNAL_GRANDPARENT = "maternal_grandparent", _("Mother's parent")
    PATERNAL_UNCLE_AUNT = "paternal_uncle_aunt", _("Father's brother or sister (same parents)")
    MATERNAL_UNCLE_AUNT = "maternal_uncle_aunt", _("Mother's brother or sister (same parents)")


class DonorSex(models.IntegerChoices):
    MALE = 1, _("Male")
    FEMALE = 2, _("Female")


class ConsentScope(models.TextChoices):
    """What the donor agreed their DNA may be used for. Only the first exists today: the bureau
    asks for no wider consent, and a sample is never compared with anyone but its family's
    missing person."""

    IDENTIFICATION_OF_THIS_PERSON = (
        "identification_of_this_person",
        _("Identification of this missing person only"),
    )


class DecisionAction(models.TextChoices):
    PRELIMINARY = "preliminary", _("Preliminary identification")
    PROPOSED = "proposed", _("DNA confirmation proposed")
    CONFIRMED = "confirmed", _("Identification confirmed")
    REJECTED = "rejected", _("Proposal rejected")
    BURIED = "buried", _("Burial recorded")


class RemainsState(models.TextChoices):
    """Where a remains case stands, derived from its decisions (never stored)."""

    UNIDENTIFIED = "unidentified", _("Unidentified")
    PRELIMINARY = "preliminary", _("Preliminary identification")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting second approval")
    IDENTIFIED = "identified", _("Identified")
    BURIED = "buried", _("Identified and buried")


class TaskState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
