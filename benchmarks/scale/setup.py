"""What the load test needs in the database before it starts: signed-in staff, things to
search for and read, and a list to reconcile while the load runs. Runs inside Django."""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracebureau.accounts.models import ApiToken
from tracebureau.accounts.services import current_code, demo_device_create, token_issue
from tracebureau.core.choices import FINISHED
from tracebureau.core.models import User
from tracebureau.core.text import latin_national
from tracebureau.lists.models import IncomingList, Reconciliation
from tracebureau.lists.services import list_create, reconciliation_cancel
from tracebureau.registry.models import Person
from tracebureau.timeline.models import Event, Source

PASSWORD = "load-test-password-2022"  # generated accounts on a generated registry
LIST_ROWS = 300


def accounts(count: int) -> list[dict[str, Any]]:
    """`count` case officers who are also analysts, each signed in (password and second
    factor, through the real sign-in pages) with an API token for writing events."""
    found = []
    for n in range(count):
        user, created = User.objects.get_or_create(
            username=f"load.staff.{n:03d}",
            defaults={"roles": ["case_officer", "analyst"], "clearance": "negotiation_sensitive"},
        )
        if created:
            user.set_password(PASSWORD)
            user.save()
            demo_device_create(user=user)
        ApiToken.objects.filter(user=user).update(expires_at=timezone.now())  # last run's
        _token, key = token_issue(user=user, name="load test", lifetime=dt.timedelta(hours=2))
        found.append({"username": user.username, "session": _sign_in(user), "token": key, "id": user.pk})
    return found


def _sign_in(user: User) -> str:
    client = Client(HTTP_HOST="127.0.0.1")
    answer = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert answer.status_code == 302, f"sign-in of {user.username} refused ({answer.status_code})"
    device = TOTPDevice.objects.get(user=user)
    for _attempt in range(2):
        answer = client.post("/accounts/two-factor/", {"code": current_code(device)})
        if answer.status_code == 302:
            break
        time.sleep(31 - time.time() % 30)  # a code is accepted once: an earlier run used this one
    assert answer.status_code == 302, f"second factor of {user.username} refused ({answer.status_code})"
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def samples(*, seed: int = 2022, persons: int = 5000, terms: int = 2000) -> dict[str, Any]:
    """Person ids to open and what staff type into search: a full name in Cyrillic, the same
    in Latin letters, a family name alone, a fragment of one, a service number."""
    rng = random.Random(seed)
    top = Person.objects.aggregate(top=Max("pk"))["top"] or 0
    ids = sorted({rng.randint(1, top) for _ in range(persons * 2)})
    found = list(Person.objects.filter(pk__in=ids).values_list("pk", "family_name", "given_names",
                                                                  "service_number")[:persons])  # fmt: skip
    words: list[str] = []
    for _pk, family, given, number in rng.sample(found, min(terms, len(found))):
        words.append(rng.choice([
            f"{family} {given}", latin_national(f"{family} {given}"), family,
            latin_national(family)[: max(4, len(family) - 2)].lower(), number or family,
        ]))  # fmt: skip
    return {"persons": [row[0] for row in found], "terms": words}


def a_list_to_reconcile(*, by: User, seed: int = 2022) -> int:
    """A list of prisoners as the adversary would send it (Russian-style Latin spellings of
    registry names, some unknown), queued for reconciliation: the worker starts it with the
    load."""
    for job in Reconciliation.objects.filter(incoming_list__title__startswith="Load test list").exclude(
        status__in=FINISHED
    ):
        reconciliation_cancel(reconciliation=job, by=by)  # an earlier run's, stopped with its worker
    rng = random.Random(seed)
    source, _created = Source.objects.get_or_create(
        name="Adversary's lists (generated)",
        defaults={"kind": "adversary_list", "reliability": "B", "created_by": by},
    )
    top = Person.objects.aggregate(top=Max("pk"))["top"] or 0
    people = Person.objects.filter(pk__in=[rng.randint(1, top) for _ in range(LIST_ROWS)])
    rows = [[str(n), latin_national(p.family_name), latin_national(p.given_names), f"{p.birth_year}"]
            for n, p in enumerate(people, start=1)]  # fmt: skip
    incoming = list_create(
        by=by, title=f"Load test list {timezone.now():%H:%M:%S}", source=source,
        received_on=timezone.localdate(), file_name="load.csv", headers=["n", "surname", "name", "born"],
        rows=rows,
        column_mapping={"id": "n", "family_name": "surname", "given_name": "name", "birth_date": "born"},
    )  # fmt: skip
    return incoming.pk


def reconciliation_state(list_id: int) -> dict[str, Any]:
    job = Reconciliation.objects.filter(incoming_list_id=list_id).order_by("-pk").first()
    if job is None:
        return {"status": "not queued"}
    return {"status": job.status, "progress": job.progress, "stage": job.stage,
            "rows": IncomingList.objects.get(pk=list_id).rows.count()}  # fmt: skip


def last_event_id() -> int:
    return Event.objects.aggregate(top=Max("pk"))["top"] or 0


def writes_counted(*, accounts: list[dict[str, Any]], since: int, accepted: list[int]) -> dict[str, Any]:
    """Every event the server said it wrote, looked for in the database: none may be missing,
    and none may be there that the server did not acknowledge."""
    ours = Event.objects.filter(pk__gt=since, recorded_by__in=[a["id"] for a in accounts])
    stored = set(ours.values_list("pk", flat=True))
    return {
        "acknowledged": len(accepted),
        "stored": len(stored),
        "lost": sorted(set(accepted) - stored),
        "unacknowledged": sorted(stored - set(accepted)),
    }
