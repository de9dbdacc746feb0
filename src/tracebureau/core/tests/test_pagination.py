"""`page_counted_once` gives the page and count Paginator.get_page gives, in one query where the
page exists, and falls back to Paginator's own answer at the edges."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracebureau.core.pagination import page_counted_once
from tracebureau.registry.models import Person


@pytest.fixture
def persons(scenario):
    for i in range(7):
        scenario.person("Шевчук", f"Тарас{i}")
    scenario.person("Коваль", "Іван")  # not among the matches
    return Person.objects.filter(family_name="Шевчук").order_by("given_names", "pk")


def _as_paginator(objects, number):
    page = Paginator(objects, 3).get_page(number)
    return list(page), page.number, page.paginator.count, page.paginator.num_pages


def _counted_once(objects, number):
    with CaptureQueriesContext(connection) as captured:
        page = page_counted_once(objects, number, per_page=3)
        answer = list(page), page.number, page.paginator.count, page.paginator.num_pages
    return answer, len(captured)


@pytest.mark.parametrize("number", [None, "1", "2", "3", 3])
def test_a_page_that_exists_and_its_count_come_from_one_query(persons, number):
    answer, queries = _counted_once(persons, number)
    assert answer == _as_paginator(persons, number)
    assert queries == 1
    assert answer[2] == 7  # all the matches, not the page's three


@pytest.mark.parametrize("number", ["4", "99", "0", "-1", "abc", "2.5", ""])
def test_past_the_end_or_not_a_page_it_answers_as_get_page_does(persons, number):
    answer, _queries = _counted_once(persons, number)
    assert answer == _as_paginator(persons, number)


def test_nothing_found_is_one_empty_page_from_one_query(persons):
    nothing = persons.filter(given_names="Нікого")
    answer, queries = _counted_once(nothing, "1")
    assert answer == _as_paginator(nothing, "1") == ([], 1, 0, 1)
    assert queries == 1
