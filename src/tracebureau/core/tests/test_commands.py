"""The operator's commands: `createuser` and `serve`."""

from __future__ import annotations

import sys
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tracebureau.core.models import User

GOOD_PASSWORD = "amber-lantern-harbour-42"


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def createuser(*args: str, stdin: str = f"{GOOD_PASSWORD}\n") -> str:
    out = StringIO()
    call_command("createuser", *args, "--password-stdin", stdin=StringIO(stdin), stdout=out)
    return out.getvalue()


# ---- createuser ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_creates_an_account_with_the_password_from_stdin() -> None:
    assert "Created staff account 'olena.k'" in createuser("olena.k")
    user = User.objects.get(username="olena.k")
    assert user.check_password(GOOD_PASSWORD)
    assert not user.is_superuser


@pytest.mark.django_db
def test_it_creates_a_superuser() -> None:
    createuser("chief", "--superuser")
    assert User.objects.get(username="chief").is_superuser


@pytest.mark.django_db
@pytest.mark.parametrize("weak", ["short-1", "password12345", "123456789012345"])
def test_it_refuses_a_weak_password(weak: str) -> None:
    with pytest.raises(CommandError, match="Password refused"):
        createuser("olena.k", stdin=weak)
    assert not User.objects.filter(username="olena.k").exists()


@pytest.mark.django_db
def test_it_refuses_a_name_already_taken_whatever_the_case(case_officer: User) -> None:
    with pytest.raises(CommandError, match="already exists"):
        createuser(case_officer.username.upper())


@pytest.mark.django_db
def test_it_refuses_an_empty_password_and_an_invalid_name() -> None:
    with pytest.raises(CommandError, match="No password"):
        createuser("olena.k", stdin="")
    with pytest.raises(CommandError, match="Cannot create"):
        createuser("olena k!")


@pytest.mark.django_db
def test_it_gives_roles_clearance_and_agency() -> None:
    from tracebureau.registry.models import Agency

    navy = Agency.objects.create(code="navy", name="Navy", kind="armed_forces")
    createuser("olena.k", "--role", "agency_liaison", "--role", "family_liaison",
               "--clearance", "restricted", "--agency", "navy")
    user = User.objects.get(username="olena.k")
    assert user.roles == ["agency_liaison", "family_liaison"]
    assert (user.clearance, user.agency) == ("restricted", navy)


@pytest.mark.django_db
def test_it_says_who_will_set_up_a_second_factor(settings: Any) -> None:
    settings.TRACEBUREAU_REQUIRE_TWO_FACTOR = True
    assert "authenticator app" in createuser("hq.analyst", "--role", "analyst")


@pytest.mark.django_db
@pytest.mark.parametrize(("args", "named"), [
    (["--role", "general"], "--role 'general' is not a role"),
    (["--clearance", "top_secret"], "--clearance 'top_secret' is not a level"),
    (["--agency", "marines"], "--agency 'marines' is not an agency code"),
    (["--role", "agency_liaison"], "must belong to an agency"),
])
def test_it_names_the_option_with_a_bad_value(args: list[str], named: str) -> None:
    with pytest.raises(CommandError, match=named):
        createuser("olena.k", *args)
    assert not User.objects.filter(username="olena.k").exists()


@pytest.mark.django_db
def test_it_asks_twice_and_refuses_passwords_that_differ(monkeypatch: Any) -> None:
    answers = iter([GOOD_PASSWORD, GOOD_PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    with pytest.raises(CommandError, match="differ"):
        call_command("createuser", "olena.k", stdout=StringIO())


# ---- serve ----------------------------------------------------------------------------------------


@pytest.fixture
def exec_calls(monkeypatch: Any) -> list[list[str]]:
    calls: list[list[str]] = []
    monkeypatch.setattr("os.execvp", lambda file, argv: calls.append(list(argv)))
    monkeypatch.setattr(
        "tracebureau.core.management.commands.serve.start_task_worker", lambda: calls.append(["db_worker"])
    )
    return calls


@pytest.mark.django_db
def test_serve_starts_gunicorn_with_the_wsgi_application(exec_calls: list[list[str]]) -> None:
    out = StringIO()
    call_command("serve", "--bind", "127.0.0.1:8123", "--workers", "3", stdout=out)
    worker, argv = exec_calls
    assert worker == ["db_worker"]  # the background job worker beside the server
    assert "tracebureau.wsgi:application" in argv
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
    assert argv[argv.index("--workers") + 1] == "3"
    assert argv[argv.index("--access-logfile") + 1] == "-"
    assert "http://127.0.0.1:8123/" in out.getvalue()


@pytest.mark.django_db
def test_serve_can_leave_the_job_worker_to_the_operator(exec_calls: list[list[str]]) -> None:
    call_command("serve", "--no-task-worker", stdout=StringIO())
    assert len(exec_calls) == 1 and "tracebureau.wsgi:application" in exec_calls[0]


@pytest.mark.django_db
@pytest.mark.parametrize("args", [["--bind", "localhost"], ["--bind", "1.2.3.4:99999"], ["--workers", "0"]])
def test_serve_refuses_bad_options(args: list[str], exec_calls: list[list[str]]) -> None:
    with pytest.raises(CommandError):
        call_command("serve", *args, stdout=StringIO())
    assert not exec_calls
