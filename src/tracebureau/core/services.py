"""Writes about access itself: break-glass accesses."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tracebureau.core import policy
from tracebureau.core.models import BreakGlass
from tracebureau.core.policy import Can

MIN_REASON_LENGTH = 15


@transaction.atomic
def break_glass_open(*, by: Any, person_id: int, reason: str) -> BreakGlass:
    """Open one person record above the user's clearance for a few hours, for a stated reason.

    Only the clearance is lifted: an agency liaison's scope and the family-facing rules stay.
    The reason and the access go into the audit log with the user's name.
    """
    from tracebureau.registry.models import Person

    policy.require(by, Can.BREAK_GLASS)
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        message = _("Say why you need this record (at least %(n)s characters).")
        raise ValidationError({"reason": message % {"n": MIN_REASON_LENGTH}})
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise ValidationError({"person": _("There is no record with this number.")})
    access = policy.access_of(by)
    if not access.all_agencies or access.family_facing:
        # Glass lifts only the clearance, never an agency scope or the family-facing rules.
        raise ValidationError({"person": _("Break-glass access does not extend to your roles.")})
    return BreakGlass.objects.create(
        user=by, person=person, reason=reason, expires_at=policy.break_glass_expiry()
    )
