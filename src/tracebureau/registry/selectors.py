"""Reads about persons, always through the policy (core.policy.visible_to)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet

from tracebureau.core.policy import CHANGE, RECORD_EVENT, VIEW, masked_fields, visible_to, withheld
from tracebureau.core.selectors import get_or_404
from tracebureau.core.text import fold
from tracebureau.registry.models import Agency, NameVariant, Person

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_DOTTED_DATE = re.compile(r"^(?:(\d{1,2})\.)?(\d{1,2})\.(\d{4})$")


def persons_visible(*, user: Any, action: str = VIEW) -> QuerySet[Person]:
    return visible_to(Person.objects.select_related("agency"), user, action)


def agencies_visible(*, user: Any, action: str = VIEW) -> QuerySet[Agency]:
    return visible_to(Agency.objects.all(), user, action)


def persons_changeable(*, user: Any) -> QuerySet[Person]:
    return persons_visible(user=user, action=CHANGE)


def persons_for_events(*, user: Any) -> QuerySet[Person]:
    """The persons the user may record events about (less than changing their identity)."""
    return persons_visible(user=user, action=RECORD_EVENT)


def person_get(*, user: Any, pk: Any, action: str = VIEW) -> Person:
    """The person, or 404 — the same 404 whether it does not exist or may not be seen."""
    return get_or_404(persons_visible(user=user, action=action), pk, "person")


def parse_birth_date(text: str) -> tuple[int, int | None, int | None] | None:
    """A date of birth as typed in a search box: 1998, 1998-03, 1998-03-12, 12.03.1998, 03.1998."""
    text = text.strip()
    if match := _DATE.match(text):
        year, month, day = match.groups()
        return int(year), int(month) if month else None, int(day) if day else None
    if match := _DOTTED_DATE.match(text):
        day, month, year = match.groups()
        return int(year), int(month), int(day) if day else None
    return None


def person_search(*, user: Any, query: str, include_merged: bool = False) -> QuerySet[Person]:
    """Persons whose any name variant, service number, call sign or date of birth matches.

    Every word of the query must appear in one spelling of the name; a date finds births
    compatible with it (a person born "1998" is found by 1998-03-12).
    """
    persons = persons_visible(user=user)
    if not include_merged:
        persons = persons.filter(merged_into__isnull=True)
    query = query.strip()
    if not query:
        return persons
    birth = parse_birth_date(query)
    if birth:
        return persons.filter(_birth_matches(*birth))
    return persons.filter(pk__in_array=_matching_ids(user, query))  # see core.lookups


def _matching_ids(user: Any, query: str) -> QuerySet[Any]:
    """Ids of the records a name, service number or call sign matches, as one UNION: each
    part is answered by its own index (the trigram index on name spellings, on PostgreSQL),
    where an OR across tables would read the whole registry."""
    variants = NameVariant.objects.order_by()  # a part of a UNION carries no ORDER BY
    for word in fold(query).split():
        variants = variants.filter(search_text__contains=word)
    ids = variants.values("person_id").union(
        Person.objects.filter(service_number__iexact=query).order_by().values("pk")
    )
    if "call_sign" not in masked_fields(user, "registry.Person"):
        ids = ids.union(Person.objects.filter(call_sign__iexact=query.strip("\"'«»")).order_by().values("pk"))
    return ids


def _birth_matches(year: int, month: int | None, day: int | None) -> Q:
    condition = Q(birth_year=year)
    if month:
        condition &= Q(birth_month=month) | Q(birth_month__isnull=True)
    if day:
        condition &= Q(birth_day=day) | Q(birth_day__isnull=True)
    return condition


def person_record_ids(person: Person) -> list[int]:
    """The person's own record and every record merged into it, however deep. Ids only:
    callers read the rows through visible_to, which drops those the user may not see."""
    ids, frontier = [person.pk], [person.pk]
    while frontier:
        absorbed = Person.objects.filter(merged_into__in=frontier).order_by()  # no list order: ids
        frontier = list(absorbed.values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def person_name_variants(*, user: Any, person: Person) -> QuerySet[NameVariant]:
    variants = NameVariant.objects.filter(person__in=person_record_ids(person)).select_related("source")
    return visible_to(variants, user)


def person_autocomplete(*, user: Any, query: str, limit: int = 10) -> list[Person]:
    """The first few persons a search would find, for pickers: the same policy as search."""
    if len(query.strip()) < 2:
        return []
    return list(person_search(user=user, query=query)[:limit])


def persons_by_reference(*, user: Any, references: list[str]) -> dict[str, list[Person]]:
    """Resolve references as people write them in lists: a record number ("#12" or "12") or a
    service number. Each reference maps to every visible person it could mean, so the caller
    can refuse an ambiguous one instead of guessing."""
    numbers = [int(r.lstrip("#")) for r in references if r.lstrip("#").isdigit()]
    candidates = list(persons_visible(user=user).filter(Q(pk__in=numbers) | Q(service_number__in=references)))
    return {ref: _matching(ref, candidates) for ref in references}


def _matching(reference: str, candidates: list[Person]) -> list[Person]:
    digits = reference.lstrip("#")
    by_id = [p for p in candidates if digits.isdigit() and p.pk == int(digits)]
    if reference.startswith("#"):
        return by_id
    by_number = [p for p in candidates if p.service_number == reference]
    return list({p.pk: p for p in by_id + by_number}.values())


# Columns of the CSV export of a list of persons, in order.
EXPORT_FIELDS: tuple[str, ...] = (
    "id", "family_name", "given_names", "patronymic", "birth_date", "sex", "category", "agency",
    "rank", "unit", "service_number", "call_sign", "classification",
)


def person_export_rows(*, user: Any, persons: QuerySet[Person]) -> Iterator[list[Any]]:
    """One row per person for the CSV export, masks applied: a withheld field reads "withheld"."""
    for person in persons.iterator(chunk_size=1000):
        yield [_export_value(person, name) for name in EXPORT_FIELDS]


def _export_value(person: Person, name: str) -> Any:
    if withheld(person, name):
        return "[withheld]"
    if name == "birth_date":
        return person.birth_date_display
    if name == "agency":
        return person.agency.code if person.agency else ""
    return getattr(person, name)
