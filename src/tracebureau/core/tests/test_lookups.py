"""`in_array` finds what `in` finds, and on PostgreSQL asks it as `= ANY(ARRAY(...))`."""

from __future__ import annotations

from django.db import connection

from tracebureau.registry.models import NameVariant, Person


def test_in_array_finds_what_in_finds(scenario):
    wanted = [scenario.person(f"Шевчук{i}") for i in range(3)]
    scenario.person("Коваль")
    subquery = NameVariant.objects.filter(search_text__contains="шевчук").values("person_id")
    union = subquery.order_by().union(Person.objects.filter(pk=wanted[0].pk).order_by().values("pk"))
    for rows in (subquery, union, [p.pk for p in wanted]):
        found = Person.objects.filter(pk__in_array=rows)
        assert set(found) == set(Person.objects.filter(pk__in=rows)) == set(wanted)


def test_a_subquery_is_asked_as_an_array_on_postgresql(scenario):
    subquery = NameVariant.objects.filter(search_text__contains="шевчук").values("person_id")
    sql = str(Person.objects.filter(pk__in_array=subquery).query)
    listed = str(Person.objects.filter(pk__in_array=[1, 2]).query)
    if connection.vendor == "postgresql":
        assert '"registry_person"."id" = ANY(ARRAY(SELECT' in sql
    else:
        assert '"registry_person"."id" IN (SELECT' in sql
    assert "IN (1, 2)" in listed
