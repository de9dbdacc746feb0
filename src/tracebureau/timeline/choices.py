from django.db import models
from django.utils.translation import gettext_lazy as _


class PlaceKind(models.TextChoices):
    SETTLEMENT = "settlement", _("Settlement")
    HOSPITAL = "hospital", _("Hospital")
    DETENTION_FACILITY = "detention_facility", _("Detention facility")
    MORGUE = "morgue", _("Morgue")
    CEMETERY = "cemetery", _("Cemetery")
    BATTLE_AREA = "battle_area", _("Area of fighting")
    CROSSING_POINT = "crossing_point", _("Exchange or crossing point")
    OTHER = "other", _("Other")


class PlaceControl(models.TextChoices):
    GOVERNMENT = "government", _("Government-controlled")
    OCCUPIED = "occupied", _("Occupied")
    FOREIGN = "foreign", _("Foreign territory")
    CONTESTED = "contested", _("Contested")
    UNKNOWN = "unknown", _("Unknown")


class SourceKind(models.TextChoices):
    INTELLIGENCE = "intelligence", _("Intelligence")
    ADVERSARY_LIST = "adversary_list", _("Adversary's list")
    ICRC = "icrc", _("ICRC notification")
    VIDEO = "video", _("Video")
    RELATIVES = "relatives", _("Relatives")
    RETURNEE = "returnee", _("Returnee's testimony")
    MEDIA = "media", _("Media")
    OFFICIAL = "official", _("Official record")
    OTHER = "other", _("Other")


class Reliability(models.TextChoices):
    """Admiralty code: how far the source has proved reliable."""

    A = "A", _("A: completely reliable")
    B = "B", _("B: usually reliable")
    C = "C", _("C: fairly reliable")
    D = "D", _("D: not usually reliable")
    E = "E", _("E: unreliable")
    F = "F", _("F: reliability cannot be judged")


class Credibility(models.IntegerChoices):
    """Admiralty code: how credible this piece of information is."""

    CONFIRMED = 1, _("1: confirmed by other sources")
    PROBABLY_TRUE = 2, _("2: probably true")
    POSSIBLY_TRUE = 3, _("3: possibly true")
    DOUBTFUL = 4, _("4: doubtful")
    IMPROBABLE = 5, _("5: improbable")
    CANNOT_JUDGE = 6, _("6: truth cannot be judged")


class EventKind(models.TextChoices):
    REPORTED_MISSING = "reported_missing", _("Reported missing")
    CAPTURED = "captured", _("Captured")
    PROOF_OF_LIFE = "proof_of_life", _("Proof of life")
    CONTACT = "contact", _("Contact")
    WOUNDED = "wounded", _("Wounded")
    HOSPITALISED = "hospitalised", _("Hospitalised")
    EVACUATED = "evacuated", _("Evacuated")
    TRANSFERRED = "transferred", _("Transferred")
    ICRC_VISIT = "icrc_visit", _("ICRC visit")
    HEALTH_REPORT = "health_report", _("Health report")
    ESCAPED = "escaped", _("Escaped")
    RELEASED = "released", _("Released")
    RETURNED = "returned", _("Returned")
    KILLED = "killed", _("Killed")
    DIED_IN_CUSTODY = "died_in_custody", _("Died in custody")
    REMAINS_LOCATED = "remains_located", _("Remains located")
    REMAINS_REPATRIATED = "remains_repatriated", _("Remains repatriated")
    IDENTIFIED = "identified", _("Identified")
    BURIED = "buried", _("Buried")
    RETRACTION = "retraction", _("Retraction")


class Precision(models.TextChoices):
    EXACT = "exact", _("Exact (date and time)")
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")


class Correction(models.TextChoices):
    NONE = "", _("None")
    RETRACTS = "retracts", _("Retracts")
    SUPERSEDES = "supersedes", _("Supersedes")


class Situation(models.TextChoices):
    """The derived situation (see timeline.status): computed from the timeline, and kept only
    as derived data (timeline.PersonStatus) that is rebuilt from it."""

    UNKNOWN = "unknown", _("Unknown")
    MISSING = "missing", _("Missing")
    IN_CUSTODY = "in_custody", _("In custody")
    RELEASED = "released", _("Released")
    DECEASED = "deceased", _("Deceased")
    REMAINS_REPATRIATED = "remains_repatriated", _("Remains repatriated")
    IDENTIFIED = "identified", _("Identified")
    BURIED = "buried", _("Buried")


FAMILY_LEVEL_WORDING = {
    1: _("No information"),
    2: _("Information exists; captivity not established"),
    3: _("Probably in captivity, not yet confirmed by the ICRC"),
    4: _("Captivity confirmed by the ICRC"),
    5: _("Released"),
}
