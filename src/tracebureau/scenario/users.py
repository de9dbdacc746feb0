"""The demo's staff accounts and the file that keeps their generated passwords.

Passwords are generated on the first load, never fixed in code: a demo left running on a
network must not open with a password anyone can read on GitHub. They are kept in the data
directory, readable by its owner only, so `tracebureau demo` can show them again.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password

from tracebureau.accounts.services import demo_device_create
from tracebureau.core.policy import requires_two_factor

CREDENTIALS_FILE = "demo-credentials.txt"


@dataclass(frozen=True)
class Credentials:
    password: str
    otpauth: str = ""  # the authenticator app's otpauth:// address, where a second factor is needed


@dataclass(frozen=True)
class DemoAccount:
    username: str
    description: str
    roles: tuple[str, ...]
    clearance: str
    agency_code: str = ""  # an agency liaison's agency, assigned once the world is loaded
    superuser: bool = False


ACCOUNTS = (
    DemoAccount("officer", "case officer: registers people and records what is known",
                ("case_officer",), "negotiation_sensitive"),
    DemoAccount("analyst", "analyst: reconciles lists, merges duplicate records",
                ("analyst",), "negotiation_sensitive"),
    DemoAccount("coordinator", "exchange coordinator: negotiation-sensitive lists",
                ("exchange_coordinator",), "negotiation_sensitive"),
    DemoAccount("identification", "identification officer: remains and identifications",
                ("identification_officer",), "confidential"),
    DemoAccount("identification2", "second identification officer: approves DNA identifications",
                ("identification_officer",), "confidential"),
    DemoAccount("liaison", "family liaison officer: sees no unit, no capture place, nothing detrimental",
                ("family_liaison",), "restricted"),
    DemoAccount("navy", "agency liaison of the navy: sees navy personnel only",
                ("agency_liaison",), "restricted", agency_code="navy"),
    DemoAccount("press", "press officer: drafts and publishes statistics, sees no individual",
                ("press_officer",), "open"),
    DemoAccount("headpress", "head of the press centre: approves releases before publication",
                ("head_of_press",), "open"),
    DemoAccount("auditor", "auditor: reads the audit log", ("auditor",), "open"),
    DemoAccount("admin", "administrator: accounts and reference data, no person records",
                ("administrator",), "open", superuser=True),
)


def credentials_path() -> Path:
    return Path(settings.DATA_DIR) / CREDENTIALS_FILE


def _new_password(username: str) -> str:
    password = secrets.token_urlsafe(12)
    validate_password(password, get_user_model()(username=username))
    return password


def accounts_create() -> dict[str, Credentials]:
    """Create the demo accounts that do not exist yet; their new credentials, by username.

    An account whose roles need a second factor gets a confirmed authenticator device at once,
    so that a newcomer can sign in straight away (its otpauth:// address goes to an app, or
    `tracebureau totp-code NAME` prints the code).
    """
    users = get_user_model()
    created: dict[str, Credentials] = {}
    for account in ACCOUNTS:
        if users.objects.filter(username=account.username).exists():
            continue  # an operator's own account of that name keeps its password
        password = _new_password(account.username)
        create = users.objects.create_superuser if account.superuser else users.objects.create_user
        user = create(account.username, password=password, roles=list(account.roles),
                      clearance=account.clearance)
        otpauth = demo_device_create(user=user).config_url if requires_two_factor(user) else ""
        created[account.username] = Credentials(password, otpauth)
    return created


def credentials_save(credentials: dict[str, Credentials]) -> Path:
    """Write the credentials to the data directory, readable by the owner only: one line per
    account, user name, password and (if any) otpauth:// address separated by tabs."""
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# tracebureau demo accounts (fictional data). Keep this file private."]
    lines += ["\t".join((name, c.password, c.otpauth)).rstrip("\t") for name, c in credentials.items()]
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")
    path.chmod(0o600)  # O_CREAT's mode does not apply to a file that already existed
    return path


def credentials_load() -> dict[str, Credentials]:
    """The saved credentials, by username; empty if the file is missing."""
    try:
        text = credentials_path().read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {row[0]: Credentials(*row[1:3]) for row in rows if len(row) >= 2}


def accounts_scope() -> None:
    """Give each demo agency liaison their agency (the agencies exist once the world is loaded)."""
    from tracebureau.registry.models import Agency

    users = get_user_model()
    for account in ACCOUNTS:
        if account.agency_code:
            agency = Agency.objects.get(code=account.agency_code)
            users.objects.filter(username=account.username, agency=None).update(agency=agency)
