"""`tracebureau createuser USERNAME`: open a staff account.

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

    def handle(self, *args: Any, username: str, superuser: bool, email: str, **options: Any) -> None:
        user = self._new_user(username.strip(), email.strip(), superuser)
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

    def _new_user(self, username: str, email: str, superuser: bool) -> Any:
        """An unsaved, validated user; refuses a taken name, whatever its letter case."""
        users = get_user_model()
        if users.objects.filter(username__iexact=username).exists():
            raise CommandError(f"An account named {username!r} already exists.")
        user = users(username=username, email=email, is_staff=superuser, is_superuser=superuser)
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            raise CommandError(f"Cannot create {username!r}: {_messages(exc)}") from None
        return user
