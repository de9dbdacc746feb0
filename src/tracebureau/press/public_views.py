"""The public page of published releases: no sign-in, nothing but what was published."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tracebureau.core.exports import csv_lines
from tracebureau.press import charts, selectors


@require_GET
def releases(request: HttpRequest) -> HttpResponse:
    published = [(r, selectors.published_at(r)) for r in selectors.published()]
    return render(request, "public/releases.html", {"releases": published})


def _published(reference: str) -> object:
    release = selectors.published().filter(reference=reference).first()
    if release is None:
        raise Http404("No such release.")  # a draft's reference is not found either
    return release


@require_GET
def release(request: HttpRequest, reference: str) -> HttpResponse:
    found = _published(reference)
    views = [selectors.table_view(t) for t in found.tables.all()]  # type: ignore[attr-defined]
    return render(
        request,
        "public/release.html",
        {
            "release": found,
            "published_at": selectors.published_at(found),  # type: ignore[arg-type]
            "tables": [(v, charts.chart(v)) for v in views],
        },
    )


@require_GET
def release_csv(request: HttpRequest, reference: str) -> HttpResponse:
    found = _published(reference)
    header, *rows = selectors.csv_rows(found)  # type: ignore[arg-type]
    response = HttpResponse("".join(csv_lines(header, rows)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{reference}.csv"'
    return response
