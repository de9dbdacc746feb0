"""Every write about a person: register, correct identity fields, add a spelling, merge."""

from __future__ import annotations

import calendar
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tracebureau.core import policy
from tracebureau.core.errors import ConflictError
from tracebureau.core.policy import CHANGE, Can
from tracebureau.core.text import guess_script, is_cyrillic, latin_national, search_text
from tracebureau.registry.choices import Category, MergeAction, Transliteration
from tracebureau.registry.models import Agency, NameVariant, Person, PersonMerge

NAME_FIELDS = ("family_name", "given_names", "patronymic")
EDITABLE_FIELDS = frozenset(
    f.name
    for f in Person._meta.get_fields()
    if getattr(f, "editable", False)
    and f.concrete
    and not f.primary_key
    and f.name not in {"created_by", "created_at", "updated_at"}
)


def agency_create(*, code: str, name: str, kind: str, name_uk: str = "") -> Agency:
    agency = Agency(code=code, name=name, kind=kind, name_uk=name_uk)
    agency.full_clean()
    agency.save()
    return agency


def _check_birth_date(person: Person) -> None:
    year, month, day = person.birth_year, person.birth_month, person.birth_day
    if day is not None and month is None:
        raise ValidationError({"birth_day": _("A day of birth needs the month.")})
    if month is not None and year is None:
        raise ValidationError({"birth_month": _("A month of birth needs the year.")})
    if year and month and day and day > calendar.monthrange(year, month)[1]:
        raise ValidationError(
            {
                "birth_day": _("%(year)s-%(month)02d has no day %(day)s.")
                % {"year": year, "month": month, "day": day}
            }
        )


def _validate(person: Person) -> None:
    errors: dict[str, list[str]] = {}
    for check in (person.full_clean, lambda: _check_birth_date(person)):
        try:
            check()
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _check_clearance(person: Person, by: Any) -> None:
    if errors := policy.classification_errors(by, person.classification):
        raise ValidationError(errors)


@transaction.atomic
def person_create(*, by: Any, family_name: str, category: str, **fields: Any) -> Person:
    """Register a person. The name as given becomes the first name variant, and a Cyrillic name
    also gets its national-standard Latin spelling, so either script finds it."""
    policy.require(by, Can.EDIT_PERSONS)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({name: _("Not a field of a person.") for name in sorted(unknown)})
    person = Person(family_name=family_name, category=category, created_by=by, **fields)
    _validate(person)
    _check_clearance(person, by)
    person.save()
    _record_own_name(person, by=by)
    return person


@transaction.atomic
def person_report_missing(
    *, by: Any, family_name: str, category: str = Category.MISSING, **fields: Any
) -> Person:
    """Register a person a family reports missing, as they describe them: the family liaison's
    one way to add to the registry (they change no one's identity afterwards)."""
    if not policy.can(by, Can.EDIT_PERSONS):
        policy.require(by, Can.REPORT_MISSING)
        by_liaison = {"given_names", "patronymic", "birth_year", "birth_month", "birth_day", "sex"}
        unknown = set(fields) - by_liaison
        if unknown:
            raise ValidationError({name: _("Not a field a family reports.") for name in sorted(unknown)})
    person = Person(family_name=family_name, category=category, created_by=by, **fields)
    _validate(person)
    _check_clearance(person, by)
    person.save()
    _record_own_name(person, by=by)
    return person


def _record_own_name(person: Person, *, by: Any) -> None:
    names = {f: getattr(person, f) for f in NAME_FIELDS}
    full = " ".join(v for v in names.values() if v)
    # The creator's own record of the name they just registered: no further check.
    _name_variant(person=person, by=by, script=guess_script(full), **names)
    if is_cyrillic(full):
        latin = {f: latin_national(v) for f, v in names.items()}
        _name_variant(
            person=person,
            by=by,
            script="latin",
            transliteration=Transliteration.UK_NATIONAL_2010,
            **latin,
        )


def name_variant_add(
    *,
    person: Person,
    by: Any,
    family_name: str,
    given_names: str = "",
    patronymic: str = "",
    script: str | None = None,
    transliteration: str = "",
    source: Any = None,
) -> NameVariant:
    """Record a spelling of the person's name; a spelling already recorded is returned as is."""
    policy.require_row(by, person, CHANGE)
    return _name_variant(
        person=person, by=by, family_name=family_name, given_names=given_names, patronymic=patronymic,
        script=script, transliteration=transliteration, source=source,
    )


def _name_variant(
    *,
    person: Person,
    by: Any,
    family_name: str,
    given_names: str = "",
    patronymic: str = "",
    script: str | None = None,
    transliteration: str = "",
    source: Any = None,
) -> NameVariant:
    full = " ".join(v for v in (family_name, given_names, patronymic) if v)
    key = {
        "person": person,
        "family_name": family_name.strip(),
        "given_names": given_names.strip(),
        "patronymic": patronymic.strip(),
        "script": script or guess_script(full),
        "transliteration": transliteration,
    }
    existing = NameVariant.objects.filter(**key).first()
    if existing:
        return existing
    variant = NameVariant(
        **key, source=source, recorded_by=by, search_text=search_text(family_name, given_names, patronymic)
    )
    # Uniqueness was just checked above; the constraint in the database backs it up.
    variant.full_clean(exclude=["search_text"], validate_unique=False, validate_constraints=False)
    variant.save()
    return variant


@transaction.atomic
def person_update(*, person: Person, changes: dict[str, Any], expected_version: int, by: Any) -> Person:
    """Change identity fields, without losing a colleague's edit made in the meantime.

    `expected_version` is the version the editor started from. If someone saved since, their
    changes stay; ours apply on top unless both of us changed the same field to different
    values, which is refused as a conflict that names the field.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({name: _("Not a field that can be edited.") for name in sorted(unknown)})
    policy.require_row(by, person, CHANGE)
    current = Person.objects.select_for_update().get(pk=person.pk)
    if current.merged_into_id:
        raise ValidationError(
            _("This record is merged into #%(id)s; edit that one.") % {"id": current.merged_into_id}
        )
    if current.version != expected_version:
        _refuse_conflicts(current, changes, expected_version)
    changed = {k: v for k, v in changes.items() if getattr(current, k) != v}
    if not changed:
        return current
    for name, value in changed.items():
        setattr(current, name, value)
    _validate(current)
    _check_clearance(current, by)
    current.version += 1
    current._change_reason = "edit"  # type: ignore[attr-defined]
    current._history_user = by  # type: ignore[attr-defined]  # history and audit name the editor
    current.save()
    if set(changed) & set(NAME_FIELDS):
        _record_own_name(current, by=by)
    if set(changed) & {"classification", "detrimental_to_disclose", "agency"}:
        _refresh_status(current)  # who may read the kept status changes with them
    return current


def _refuse_conflicts(current: Person, changes: dict[str, Any], expected_version: int) -> None:
    then = current.history.filter(version=expected_version).order_by("-history_id").first()
    if then is None:
        raise ConflictError("This record changed since you opened it; reload it and try again.")
    conflicts = {
        name: (
            _("Changed by someone else since you opened this record (now %(value)r).")
            % {"value": getattr(current, name)}
        )
        for name, value in changes.items()
        if getattr(then, name) != getattr(current, name) and value != getattr(current, name)
    }
    if conflicts:
        raise ConflictError(conflicts)


def _merge_root_chain(person: Person) -> list[int]:
    chain: list[int] = []
    node: Person | None = person
    while node is not None:
        chain.append(node.pk)
        node = node.merged_into
    return chain


@transaction.atomic
def person_merge(*, keep: Person, absorb: Person, by: Any, reason: str) -> PersonMerge:
    """Two records turn out to be one person: `absorb` is shown as part of `keep`.

    Nothing moves or is deleted: both timelines and all spellings stay on their own records,
    and `person_unmerge` puts everything back as it was.
    """
    policy.require_row(by, keep, CHANGE)
    policy.require_row(by, absorb, CHANGE)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why these records are the same person.")})
    if keep.pk == absorb.pk:
        raise ValidationError({"absorb": _("A person cannot be merged into itself.")})
    keep, absorb = (Person.objects.select_for_update().get(pk=p.pk) for p in (keep, absorb))
    if absorb.merged_into_id:
        raise ValidationError({"absorb": _("Already merged into #%(id)s.") % {"id": absorb.merged_into_id}})
    if keep.merged_into_id:
        raise ValidationError(
            {"keep": _("Merged into #%(id)s; merge into that one.") % {"id": keep.merged_into_id}}
        )
    if absorb.pk in _merge_root_chain(keep):
        raise ValidationError({"keep": _("That would merge a record into one merged into it.")})
    absorb.merged_into = keep
    absorb.version += 1
    absorb._change_reason = f"merged into #{keep.pk}"  # type: ignore[attr-defined]  # reason: PersonMerge
    absorb._history_user = by  # type: ignore[attr-defined]
    absorb.save()
    _refresh_status(keep)
    return PersonMerge.objects.create(
        keep=keep, absorb=absorb, action=MergeAction.MERGED, reason=reason, by=by
    )


@transaction.atomic
def person_unmerge(*, absorb: Person, by: Any, reason: str) -> PersonMerge:
    """Undo a merge: `absorb` stands on its own again, with its own timeline intact."""
    policy.require_row(by, absorb, CHANGE)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the merge is being undone.")})
    absorb = Person.objects.select_for_update().get(pk=absorb.pk)
    if absorb.merged_into is None:
        raise ValidationError({"absorb": _("This record is not merged into another.")})
    keep = absorb.merged_into
    absorb.merged_into = None
    absorb.version += 1
    absorb._change_reason = f"merge into #{keep.pk} undone"  # type: ignore[attr-defined]  # reason: PersonMerge
    absorb._history_user = by  # type: ignore[attr-defined]
    absorb.save()
    _refresh_status(keep)
    return PersonMerge.objects.create(
        keep=keep, absorb=absorb, action=MergeAction.UNMERGED, reason=reason, by=by
    )


def _refresh_status(keep: Person) -> None:
    """The kept record's derived status gains or loses the absorbed record's timeline (and
    the absorbed record, standing alone again, keeps its own)."""
    from tracebureau.timeline.materialised import status_refresh  # timeline depends on registry

    status_refresh(person_ids=[keep.pk])
