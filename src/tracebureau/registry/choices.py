from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    ARMED_FORCES = "armed_forces", _("Armed forces")
    NATIONAL_GUARD = "national_guard", _("National guard")
    BORDER_GUARD = "border_guard", _("Border guard")
    POLICE = "police", _("Police")
    INTELLIGENCE = "intelligence", _("Intelligence")
    CIVILIAN = "civilian", _("Civilian")
    OTHER = "other", _("Other")


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    UNKNOWN = "unknown", _("Unknown")


class Category(models.TextChoices):
    """The protected status under the Geneva Conventions, as far as it is known."""

    PRISONER_OF_WAR = "prisoner_of_war", _("Prisoner of war")
    CIVILIAN_DETAINEE = "civilian_detainee", _("Civilian detainee")
    CIVILIAN_INTERNEE = "civilian_internee", _("Civilian internee")
    MISSING = "missing", _("Missing")
    DECEASED = "deceased", _("Deceased")
    OTHER = "other", _("Other")


class Side(models.TextChoices):
    """The bureau registers both our people held by the adversary and the adversary's held by us."""

    OWN = "own", _("Our person (held by the adversary or missing)")
    ADVERSARY = "adversary", _("Adversary's person (held by us)")


class Script(models.TextChoices):
    CYRILLIC_UK = "cyrillic_uk", _("Ukrainian Cyrillic")
    CYRILLIC_RU = "cyrillic_ru", _("Russian Cyrillic")
    LATIN = "latin", _("Latin")
    OTHER = "other", _("Other")


class Transliteration(models.TextChoices):
    """The Latin spelling standard a variant follows, where it is known."""

    NONE = "", _("Not transliterated / unknown")
    UK_NATIONAL_2010 = "uk_national_2010", _("Ukrainian national 2010 (KMU)")
    UK_PASSPORT_2004 = "uk_passport_2004", _("Ukrainian passport, 2004–2010")
    BGN_PCGN = "bgn_pcgn", _("BGN/PCGN")
    GOST_7_79 = "gost_7_79", _("GOST 7.79")
    ICAO_9303 = "icao_9303", _("ICAO 9303")
    NEWS = "news", _("Common news spelling")


class MergeAction(models.TextChoices):
    MERGED = "merged", _("Merged")
    UNMERGED = "unmerged", _("Merge undone")
