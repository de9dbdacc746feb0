"""`tracebureau createuser USERNAME [--role ROLE]... [--clearance LEVEL] [--agency CODE]`: open a
staff account with what the policy needs to know about it.

The password never appears on the command line (it would sit in the shell history and in the
process list): it is typed twice at a prompt, or piped in with --password-stdin.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracebureau.core.choices import Classification, Role
from tracebureau.core.policy import requires_two_factor


def _messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def read_password_stdin(stream: TextIO) -> str:
    """The first line of the stream, without its line ending."""
    password = stream.readline().rstrip("\r\n")
    if not password:
        raise CommandError("No password on standard input.")
    return password


def prompt_password() -> str:
    if not sys.stdin.isatty():
        raise CommandError("No terminal to ask for the password; pipe it in with --password-stdin.")
    try:
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Password (again): ")
    except (EOFError, KeyboardInterrupt):
        raise CommandError("Cancelled; no account was created.") from None
    if first != second:
        raise CommandError("The two passwords differ; no account was created.")
    return first


class Command(BaseCommand):
    help = "Create a staff account. The password is asked for twice, or read from standard input."
    # Tests hand in their own stream, as Django's createsuperuser allows.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--superuser", action="store_true", help="may do everything, administration included"
        )
        parser.add_argument("--email", default="", help="e-mail address (optional)")
        parser.add_argument("--password-stdin", action="store_true",
                            help="read the password from the first line of standard input")
        parser.add_argument("--role", action="append", default=[], dest="roles", metavar="ROLE",
                            help=f"a role (repeatable): {', '.join(Role.values)}")
        parser.add_argument("--clearance", default=Classification.OPEN.value, metavar="LEVEL",
                            help=f"the most sensitive level read: {', '.join(Classification.values)} "
                                 "(default open)")
        parser.add_argument("--agency", default="", metavar="CODE",
                            help="an agency liaison's agency, by its code (e.g. navy)")

    def handle(self, *args: Any, username: str, superuser: bool, email: str, **options: Any) -> None:
        user = self._new_user(username.strip(), email.strip(), superuser)
        _assign(user, roles=options["roles"], clearance=options["clearance"], agency=options["agency"])
        _full_clean(user)
        if options["password_stdin"]:
            password = read_password_stdin(options.get("stdin") or sys.stdin)
        else:
            password = prompt_password()
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(f"Password refused: {_messages(exc)}") from None
        user.set_password(password)
        user.save()
        kind = "superuser" if superuser else "staff account"
        self.stdout.write(self.style.SUCCESS(f"Created {kind} {user.username!r}."))
        if requires_two_factor(user):
            self.stdout.write("They set up an authenticator app (two-factor sign-in) at their first sign-in.")

    def _new_user(self, username: str, email: str, superuser: bool) -> Any:
        """An unsaved user; refuses a taken name, whatever its letter case."""
        users = get_user_model()
        if users.objects.filter(username__iexact=username).exists():
            raise CommandError(f"An account named {username!r} already exists.")
        return users(username=username, email=email, is_staff=superuser, is_superuser=superuser)


def _assign(user: Any, *, roles: list[str], clearance: str, agency: str) -> None:
    """Roles, clearance and agency from the options; a bad value is named with its option."""
    unknown = [role for role in roles if role not in Role.values]
    if unknown:
        raise CommandError(f"--role {unknown[0]!r} is not a role; use one of: {', '.join(Role.values)}.")
    if clearance not in Classification.values:
        raise CommandError(
            f"--clearance {clearance!r} is not a level; use one of: {', '.join(Classification.values)}."
        )
    user.roles = list(dict.fromkeys(roles))  # in the order given, each once
    user.clearance = clearance
    if agency:
        from tracebureau.registry.models import Agency

        user.agency = Agency.objects.filter(code=agency).first()
        if user.agency is None:
            codes = ", ".join(Agency.objects.order_by("code").values_list("code", flat=True)) or "none yet"
            raise CommandError(f"--agency {agency!r} is not an agency code; known codes: {codes}.")


def _full_clean(user: Any) -> None:
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise CommandError(f"Cannot create {user.username!r}: {_messages(exc)}") from None
