"""`tracebureau demo`: load the fictional Azovstal 2022 data set, once, and say how to sign in."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from tracebureau.scenario.azovstal import load
from tracebureau.scenario.cast import DEFAULT_SIZE, MAX_SIZE, MIN_SIZE
from tracebureau.scenario.users import (
    ACCOUNTS,
    Credentials,
    accounts_create,
    accounts_scope,
    credentials_load,
    credentials_path,
    credentials_save,
)
from tracebureau.scenario.world import demo_is_loaded

DEFAULT_SEED = 2022
SIGN_IN_URL = "http://127.0.0.1:8000/"


class Command(BaseCommand):
    help = (
        "Load a generated, fictional data set modelled on the Azovstal evacuation of 2022: "
        "persons, sources, places and their timelines, and demo staff accounts. Runs once; "
        "a second run only shows how to sign in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help=f"random seed; the same seed gives the same people (default {DEFAULT_SEED})")
        parser.add_argument("--size", type=int, default=DEFAULT_SIZE,
                            help=f"number of persons, {MIN_SIZE}-{MAX_SIZE} (default {DEFAULT_SIZE})")

    def handle(self, *args: Any, seed: int, size: int, **options: Any) -> None:
        if not MIN_SIZE <= size <= MAX_SIZE:
            raise CommandError(f"--size must be between {MIN_SIZE} and {MAX_SIZE}, not {size}.")
        _require_migrated()
        if demo_is_loaded():
            self.stdout.write("The demo data set is already loaded; nothing to do.")
        else:
            self._load(seed, size)
        self._sign_in()

    def _load(self, seed: int, size: int) -> None:
        started = time.monotonic()
        self.stdout.write(f"Loading the Azovstal 2022 demo (fictional): seed {seed}, {size} persons")
        created = accounts_create()
        users = get_user_model().objects
        officer, analyst = (users.get(username=name) for name in ("officer", "analyst"))
        self.stdout.write(f"  accounts: {', '.join(created) or 'already there'}")
        try:
            load(seed=seed, size=size, officer=officer, analyst=analyst, say=self._progress)
            accounts_scope()
        except ValidationError as exc:
            raise CommandError(f"The demo data did not pass validation: {exc}") from exc
        if created:
            credentials_save(credentials_load() | created)
        self.stdout.write(self.style.SUCCESS(f"Loaded in {time.monotonic() - started:.1f} s."))

    def _progress(self, line: str) -> None:
        self.stdout.write(f"  {line}")

    def _sign_in(self) -> None:
        credentials = credentials_load()
        if not credentials:
            self.stdout.write(
                f"No demo passwords found in {credentials_path()}; set one with "
                "`tracebureau changepassword officer`."
            )
            return
        self.stdout.write("Start the server with `tracebureau serve`, then:")
        for account in ACCOUNTS:
            if account.username in credentials:
                self._account(account.username, account.description, credentials[account.username])
        self.stdout.write(
            "Accounts marked 2FA then ask for a code: add the otpauth:// address to an authenticator "
            "app, or print the current code with `tracebureau totp-code NAME`."
        )
        self.stdout.write(f"(The passwords are kept in {credentials_path()}, readable by you only.)")

    def _account(self, username: str, description: str, credentials: Credentials) -> None:
        mark = " [2FA]" if credentials.otpauth else ""
        self.stdout.write(f"  Sign in at {SIGN_IN_URL} as {username} / {credentials.password}{mark}"
                          f"   ({description})")
        if credentials.otpauth:
            self.stdout.write(f"      authenticator: {credentials.otpauth}")


def _require_migrated() -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CommandError("The database is not up to date; run `tracebureau migrate` first.")
