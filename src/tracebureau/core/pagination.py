"""A page of search results and the number of all matches, from one query.

Django's Paginator asks the database twice: COUNT(*) of the matches, then the page. For a
search each of the two finds the matches again (on the national registry the trigram lookup and
a read of every matching record: a quarter of a search's time in PostgreSQL). Here the page's query
carries the count as a window, COUNT(*) OVER (), computed over the same matches before LIMIT.

Only for narrowed queries: on a whole table the window makes the database read every row, where
the page alone stops after the first rows of an index. The queryset must not use DISTINCT (the
window counts rows before it).
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

MATCHES = "_matches"


def page_counted_once(objects: QuerySet[Any], number: Any, *, per_page: int) -> Page:
    """What `Paginator(objects, per_page).get_page(number)` gives, in one query where the page
    asked for exists or nothing is found; a page past the end or a number below 1 fall back to
    Paginator (which counts first, so as to show the last page instead)."""
    paginator = Paginator(objects, per_page)
    try:
        wanted = int(number) if number is not None else 1
    except (TypeError, ValueError):
        wanted = 1  # as get_page does with "abc"
    if wanted < 1:
        return paginator.get_page(number)
    bottom = (wanted - 1) * per_page
    rows = list(objects.annotate(**{MATCHES: Window(Count("*"))})[bottom : bottom + per_page])
    if rows:
        # Paginator.count is a cached property: set, it is not asked of the database.
        paginator.__dict__["count"] = getattr(rows[0], MATCHES)
        return Page(rows, wanted, paginator)
    if wanted == 1:
        paginator.__dict__["count"] = 0
        return Page([], 1, paginator)
    return paginator.get_page(number)
