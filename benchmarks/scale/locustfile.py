"""The load of an exchange day, for locust: staff searching the registry, reading person
pages and recording what they learn, while a list is reconciled in the background.

Run by `python -m benchmarks.scale`, which signs the accounts in and writes what this file
reads (TRACEBUREAU_LOAD_PLAN): one session and one API token per simulated user, search
terms, person ids and the source to cite. Every event the server accepts is noted with its
id, so that the run can count afterwards that none was lost.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
from pathlib import Path
from typing import Any

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser
from requests.cookies import create_cookie

PLAN = json.loads(Path(os.environ["TRACEBUREAU_LOAD_PLAN"]).read_text())
_ACCOUNTS = itertools.cycle(PLAN["accounts"])
WRITTEN: list[int] = []


class Staff(FastHttpUser):
    """A member of staff: a search every few seconds, a person page, now and then an event.

    FastHttpUser (geventhttpclient), not HttpUser (requests): the load generator shares the
    machine with the server, and requests' client spends several times the CPU per request."""

    wait_time = between(PLAN["wait"][0], PLAN["wait"][1])

    def on_start(self) -> None:
        account = next(_ACCOUNTS)
        self.client.cookiejar.set_cookie(create_cookie("sessionid", account["session"]))
        self.token = account["token"]
        self.rng = random.Random(account["username"])

    @task(5)
    def search(self) -> None:
        term = self.rng.choice(PLAN["terms"])
        self._page("/persons/", params={"q": term}, name="search")

    @task(4)
    def person_page(self) -> None:
        self._page(f"/persons/{self.rng.choice(PLAN['persons'])}/", name="person page")

    def _page(self, path: str, **options: Any) -> None:
        """A page as signed-in staff see it: a redirect (to the sign-in page, say) is a failure,
        not a success that measured the sign-in page."""
        with self.client.get(path, allow_redirects=False, catch_response=True, **options) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {path}")

    @task(1)
    def record_event(self) -> None:
        body = {
            "person": self.rng.choice(PLAN["persons"]),
            "kind": "health_report",
            "occurred_on": (dt.date.today() - dt.timedelta(days=self.rng.randint(0, 30))).isoformat(),
            "precision": "day",
            "source": PLAN["source"],
            "credibility": 2,
            "note": "Load test: reported in good health.",
        }
        headers = {"Authorization": f"Bearer {self.token}"}
        with self.client.post("/api/events/", json=body, headers=headers, name="record event",
                              catch_response=True) as response:  # fmt: skip
            if response.status_code == 201:
                WRITTEN.append(response.json()["id"])
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")


@events.test_stop.add_listener
def _note_written(**_kwargs: Any) -> None:
    Path(PLAN["written"]).write_text(json.dumps(WRITTEN))
