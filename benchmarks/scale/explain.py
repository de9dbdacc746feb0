"""The query plans of the hot paths, as the pages really ask them: each page is requested once
through Django, every SELECT it sends is run again under EXPLAIN (ANALYZE, BUFFERS), and the
report keeps each page's query count, their total execution time and the slowest one's plan."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

_EXECUTION = re.compile(r"Execution Time: ([\d.]+) ms")


def hot_paths(sample: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    person = sample["persons"][0]
    cyrillic = next(t for t in sample["terms"] if " " in t and not t.isascii())
    latin = next(t for t in sample["terms"] if " " in t and t.isascii())
    fragment = next(t for t in sample["terms"] if " " not in t and t.isascii() and t.islower())
    return [
        ("search, full name in Cyrillic", "/persons/", {"q": cyrillic}),
        ("search, full name in Latin letters", "/persons/", {"q": latin}),
        ("search, a fragment of a family name", "/persons/", {"q": fragment}),
        ("person page", f"/persons/{person}/", {}),
        ("persons list, first page", "/persons/", {}),
        ("persons list, page 1,000", "/persons/", {"page": "1000"}),
        ("statistics", "/statistics/", {}),
    ]


def plans(*, session: str, sample: dict[str, Any]) -> list[dict[str, Any]]:
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session
    found = []
    for name, path, params in hot_paths(sample):
        client.get(path, params)  # caches warm, as on a server that has been running
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(path, params)
        assert answer.status_code == 200, f"{path}: {answer.status_code}"
        selects = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith("SELECT")]
        explained = [_explain(sql) for sql in selects]
        slowest = max(explained, key=lambda e: e["ms"])
        found.append({
            "name": name, "path": path, "params": params, "queries": len(queries.captured_queries),
            "selects_ms": round(sum(e["ms"] for e in explained), 2), "slowest_ms": slowest["ms"],
            "slowest_sql": slowest["sql"], "slowest_plan": slowest["plan"],
        })  # fmt: skip
    return found


def _explain(sql: str) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    match = _EXECUTION.search(plan)
    return {"sql": sql, "plan": plan, "ms": float(match.group(1)) if match else 0.0}
