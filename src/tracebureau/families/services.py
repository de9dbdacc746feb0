"""Every write about families: register an inquiry and its requester, check kinship, link the
person sought (or open a "reported missing" one), move the inquiry on, record consents and
every contact, issue lookup codes, and answer the family status lookup.

Whatever is conveyed to a family goes through `contact_record`, which renders the standard
message and refuses a level the policy does not allow: the family scale's level only, from the
family-facing view of the timeline, for a requester whose kinship has been checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tracebureau.audit.choices import AuditAction
from tracebureau.audit.services import audit_record
from tracebureau.core import policy
from tracebureau.core.policy import Can
from tracebureau.families import messages, selectors
from tracebureau.families.choices import CLOSE_RELATIVES, Channel, ConsentKind, InquiryState
from tracebureau.families.models import (
    ConsentChange,
    FamilyContact,
    Inquiry,
    InquiryStep,
    LookupAttempt,
    LookupCode,
    Requester,
)
from tracebureau.lists.services import normalise_birth_date
from tracebureau.registry import services as registry
from tracebureau.registry.choices import Category
from tracebureau.registry.models import Person
from tracebureau.registry.selectors import person_get
from tracebureau.timeline import services as timeline
from tracebureau.timeline.choices import Credibility, Precision, Reliability, SourceKind
from tracebureau.timeline.models import Source

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone
CODE_ALPHABET = "23456789"
RELATIVES_SOURCE = "Relatives (tracing requests)"


def _reference() -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"TR-{body[:4]}-{body[4:]}"


@transaction.atomic
def inquiry_create(
    *,
    by: Any,
    requester: dict[str, Any],
    relationship: str,
    sought_family_name: str,
    received_at: dt.datetime | None = None,
    existing_requester: Requester | None = None,
    consent_contact: bool = True,
    consent_dna: bool = False,
    **fields: Any,
) -> Inquiry:
    """Register a tracing request, and its requester unless an existing one asks again (a
    requester may ask about several people). Every field is checked; errors name the field."""
    policy.require(by, Can.HANDLE_INQUIRIES)
    who = existing_requester or Requester(created_by=by, **requester)
    errors: dict[str, Any] = {}
    if existing_requester is None:
        errors.update(_errors_of(who, exclude=["created_by"], prefix="requester_"))
    if birth := fields.get("sought_birth_date"):
        try:
            fields["sought_birth_date"] = normalise_birth_date(birth)
        except ValueError as exc:
            errors["sought_birth_date"] = str(exc)
    inquiry = Inquiry(
        reference=_unique_reference(),
        requester=who,
        relationship=relationship,
        sought_family_name=sought_family_name.strip(),
        received_at=received_at or timezone.now(),
        created_by=by,
        **fields,
    )
    errors.update(_errors_of(inquiry, exclude=["requester", "created_by", "person", "sought_birth_date"]))
    if inquiry.received_at > timezone.now():
        errors["received_at"] = _("Cannot be in the future.")
    errors.update(policy.classification_errors(by, inquiry.classification))
    if errors:
        raise ValidationError(errors)
    if existing_requester is None:
        _save(who, by)
    inquiry.requester = who
    _save(inquiry, by)
    InquiryStep.objects.create(inquiry=inquiry, state=InquiryState.OPEN, by=by, note=_("Request received"))
    for kind, given in ((ConsentKind.CONTACT, consent_contact), (ConsentKind.DNA, consent_dna)):
        ConsentChange.objects.create(
            inquiry=inquiry, kind=kind, given=given, by=by, note=_("Given when the request was registered")
        )
    return inquiry


def _errors_of(instance: Any, *, exclude: list[str], prefix: str = "") -> dict[str, Any]:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        return {f"{prefix}{k}": v for k, v in exc.message_dict.items()}
    return {}


def _save(instance: Any, by: Any, **kwargs: Any) -> None:
    instance._history_user = by
    instance.save(**kwargs)


def _unique_reference() -> str:
    while True:
        reference = _reference()
        if not Inquiry.objects.filter(reference=reference).exists():
            return reference


def _lock(inquiry: Inquiry, by: Any) -> Inquiry:
    policy.require(by, Can.HANDLE_INQUIRIES)
    policy.require_row(by, inquiry, policy.CHANGE)
    return Inquiry.objects.select_for_update().get(pk=inquiry.pk)


@transaction.atomic
def kinship_check(*, inquiry: Inquiry, by: Any, document: str) -> Inquiry:
    """Record that the requester's kinship was checked: which document was seen, by whom."""
    current = _lock(inquiry, by)
    if not document.strip():
        raise ValidationError({"document": _("Say which document was seen (e.g. birth certificate).")})
    current.kinship_document = document.strip()[:300]
    current.kinship_checked_by, current.kinship_checked_at = by, timezone.now()
    _save(current, by)
    return _as_seen(current, by)


def _as_seen(inquiry: Inquiry, by: Any) -> Inquiry:
    """The inquiry read back through the policy: its person with the actor's masks applied."""
    return selectors.inquiry_get(user=by, pk=inquiry.pk)


@transaction.atomic
def inquiry_link(*, inquiry: Inquiry, by: Any, person: Person) -> Inquiry:
    """The person sought is this registered person. Other inquiries about them join its group."""
    current = _lock(inquiry, by)
    person = person_get(user=by, pk=person.pk)
    if person.merged_into_id:
        person = person_get(user=by, pk=person.merged_into_id)
    current.person, current.linked_by, current.linked_at = person, by, timezone.now()
    _save(current, by)
    if selectors.state_of(current) == InquiryState.OPEN:
        InquiryStep.objects.create(
            inquiry=current,
            state=InquiryState.IN_PROGRESS,
            by=by,
            note=_("Linked to record #%(id)s") % {"id": person.pk},
        )
    return _as_seen(current, by)


@transaction.atomic
def inquiry_open_person(*, inquiry: Inquiry, by: Any, category: str = Category.MISSING) -> Person:
    """Nobody registered is the person sought: register them as the family describes them,
    with "reported missing" on their timeline (source: relatives), and link the inquiry."""
    current = _lock(inquiry, by)
    birth = [int(p) for p in current.sought_birth_date.split("-")] if current.sought_birth_date else []
    person = registry.person_report_missing(
        by=by,
        family_name=current.sought_family_name,
        given_names=current.sought_given_names,
        patronymic=current.sought_patronymic,
        category=category,
        **dict(zip(("birth_year", "birth_month", "birth_day"), birth, strict=False)),
    )
    timeline.missing_report_record(
        person=person,
        by=by,
        occurred_on=current.last_contact_on or current.received_at.date(),
        precision=Precision.DAY if current.last_contact_on else Precision.BEFORE,
        source=relatives_source(by),
        credibility=Credibility.POSSIBLY_TRUE,
        note=_("Tracing request %(ref)s") % {"ref": current.reference},
    )
    inquiry_link(inquiry=current, by=by, person=person)
    return person_get(user=by, pk=person.pk)


def relatives_source(by: Any) -> Source:
    source, _created = Source.objects.get_or_create(
        name=RELATIVES_SOURCE,
        defaults={
            "kind": SourceKind.RELATIVES,
            "reliability": Reliability.C,
            "description": "What relatives reported in their tracing requests.",
            "created_by": by,
        },
    )
    return source


@transaction.atomic
def inquiry_step(*, inquiry: Inquiry, by: Any, state: str, note: str = "") -> InquiryStep:
    current = _lock(inquiry, by)
    if state not in InquiryState.values:
        raise ValidationError({"state": _("Choose a state.")})
    if state == selectors.state_of(current):
        raise ValidationError({"state": _("The request is already in that state.")})
    return InquiryStep.objects.create(inquiry=current, state=state, by=by, note=note.strip())


@transaction.atomic
def consent_set(*, inquiry: Inquiry, by: Any, kind: str, given: bool, note: str = "") -> ConsentChange:
    """The requester gives (or withdraws) a consent; withdrawing is always possible."""
    current = _lock(inquiry, by)
    if kind not in ConsentKind.values:
        raise ValidationError({"kind": _("Choose a consent.")})
    if selectors.consents_of(current).get(kind, False) == given:
        raise ValidationError({"kind": _("That is already recorded.")})
    return ConsentChange.objects.create(inquiry=current, kind=kind, given=given, note=note.strip(), by=by)


@transaction.atomic
def contact_record(
    *, inquiry: Inquiry, by: Any, template: str, channel: str, language: str | None = None
) -> FamilyContact:
    """Tell the family one of the standard messages, and log it. A status is conveyed only to
    a close relative whose kinship was checked, about a linked person, and only the level the
    family-facing view of the timeline allows, with the date it last changed."""
    current = _lock(inquiry, by)
    if template not in messages.BY_CODE:
        raise ValidationError({"template": _("Choose a message.")})
    language = language or current.requester.language
    if not selectors.consents_of(current).get(ConsentKind.CONTACT, True) and template != "received":
        raise ValidationError({"template": _("The requester withdrew their consent to be contacted.")})
    level, since = None, None
    if messages.BY_CODE[template].conveys_status:
        errors = status_errors(current)
        if errors:
            raise ValidationError(errors)
        status = selectors.family_status_of(person=current.person)  # type: ignore[arg-type]
        level, since = status.level, status.since
    text = messages.render(
        template, language, reference=current.reference, name=current.sought_name, level=level, since=since
    )
    contact = FamilyContact.objects.create(
        inquiry=current,
        channel=channel,
        template=template,
        language=language,
        level=level,
        status_since=since,
        message=text,
        by=by,
    )
    if level is not None and selectors.state_of(current) in (InquiryState.OPEN, InquiryState.IN_PROGRESS):
        InquiryStep.objects.create(
            inquiry=current,
            state=InquiryState.ANSWERED,
            by=by,
            note=_("Status conveyed (level %(level)s)") % {"level": level},
        )
    return contact


def status_errors(inquiry: Inquiry) -> dict[str, str]:
    if inquiry.person_id is None:
        return {"template": _("Link the request to a registered person before conveying a status.")}
    if inquiry.relationship not in CLOSE_RELATIVES:
        return {"template": _("A status is conveyed to relatives only.")}
    if inquiry.kinship_checked_at is None:
        return {"template": _("Check the requester's kinship (a document) before conveying a status.")}
    return {}


def in_person_notification_logged(*, person_id: int, by: Any, outcome: str) -> list[FamilyContact]:
    """An identification was told to the family in person (identification's notification
    task): the visit is logged on every tracing request about the person, and they are
    answered. No status level is conveyed: a death is never told on the scale."""
    contacts = []
    for inquiry in Inquiry.objects.filter(person_id=person_id):
        contacts.append(
            FamilyContact.objects.create(
                inquiry=inquiry,
                channel=Channel.IN_PERSON,
                template="death_in_person",
                language=inquiry.requester.language,
                level=None,
                message=outcome,
                by=by,
            )
        )
        if selectors.state_of(inquiry) in (InquiryState.OPEN, InquiryState.IN_PROGRESS):
            InquiryStep.objects.create(
                inquiry=inquiry,
                state=InquiryState.ANSWERED,
                by=by,
                note=_("Told in person of the identification"),
            )
    return contacts


# --- the family status lookup --------------------------------------------------------------------


@transaction.atomic
def lookup_code_issue(*, inquiry: Inquiry, by: Any) -> str:
    """A new one-time code for the inquiry's status lookup, returned once to be read out or
    sent to the requester; only its hash is kept, and earlier unused codes stop working."""
    current = _lock(inquiry, by)
    errors = status_errors(current)
    if errors:
        raise ValidationError({"code": list(errors.values())})
    now = timezone.now()
    LookupCode.objects.filter(inquiry=current, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    LookupCode.objects.create(
        inquiry=current,
        code_hash=make_password(code),
        created_by=by,
        expires_at=now + dt.timedelta(days=settings.TRACEBUREAU_LOOKUP_CODE_DAYS),
    )
    return code


def reference_hash(reference: str) -> str:
    """A keyed hash of a reference, to count attempts without storing what was typed."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, reference.strip().upper().encode(), hashlib.sha256).hexdigest()


def lookup_locked(*, ip: str | None, reference: str) -> bool:
    """Too many failed attempts from this address, or at this reference, lately."""
    window = timezone.now() - dt.timedelta(minutes=settings.TRACEBUREAU_LOOKUP_LOCKOUT_MINUTES)
    failed = LookupAttempt.objects.filter(at__gte=window, succeeded=False, locked=False)
    limit = settings.TRACEBUREAU_LOOKUP_MAX_FAILURES
    by_ip = ip is not None and failed.filter(ip=ip).count() >= limit
    return by_ip or failed.filter(reference_hash=reference_hash(reference)).count() >= limit


@transaction.atomic
def lookup(*, reference: str, code: str, ip: str | None) -> selectors.LookupAnswer | None:
    """The family status lookup: the answer for a valid reference and unused code, else None,
    the same None for an unknown reference, a wrong code, a used or expired code and a locked
    out address, so that nothing can be learnt by trying. Every attempt is audited."""
    locked = lookup_locked(ip=ip, reference=reference)
    inquiry = Inquiry.objects.filter(reference=reference.strip().upper()).select_related("person").first()
    valid = _valid_code(None if locked else inquiry, code)
    answer = selectors.lookup_answer(valid.inquiry) if valid is not None else None
    if valid is not None and answer is not None:
        valid.used_at = timezone.now()
        valid.save(update_fields=["used_at"])
    hashed = reference_hash(reference)
    if locked and _lockout_recorded(ip, hashed):
        return None  # already on record for this window: nothing more to learn, nothing to write
    LookupAttempt.objects.create(ip=ip, reference_hash=hashed, succeeded=answer is not None, locked=locked)
    audit_record(
        action=AuditAction.VIEW if answer is not None else AuditAction.PERMISSION_DENIED,
        obj=inquiry if answer is not None else None,
        surface="web",
        detail={"lookup": "answered" if answer is not None else ("locked" if locked else "refused")},
    )
    return answer


def _lockout_recorded(ip: str | None, hashed: str) -> bool:
    window = timezone.now() - dt.timedelta(minutes=settings.TRACEBUREAU_LOOKUP_LOCKOUT_MINUTES)
    locked = LookupAttempt.objects.filter(at__gte=window, locked=True)
    return locked.filter(Q(ip=ip) | Q(reference_hash=hashed)).exists()


_DUMMY_HASH: list[str] = []


def _valid_code(inquiry: Inquiry | None, code: str) -> LookupCode | None:
    """The inquiry's unused, unexpired code that `code` is. At least one hash is always checked,
    so that an unknown reference takes as long to refuse as a wrong code."""
    codes = (
        list(
            LookupCode.objects.select_for_update().filter(
                inquiry=inquiry, used_at__isnull=True, expires_at__gt=timezone.now()
            )
        )
        if inquiry is not None
        else []
    )
    cleaned = "".join(code.split())
    if not codes:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(make_password(secrets.token_hex(8)))
        check_password(cleaned, _DUMMY_HASH[0])
        return None
    return next((c for c in codes if check_password(cleaned, c.code_hash)), None)
