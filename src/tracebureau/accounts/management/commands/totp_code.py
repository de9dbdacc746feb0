"""`tracebureau totp-code USERNAME`: the current sign-in code of a demo account.

For a newcomer trying the demo without an authenticator app. It shows codes only of devices the
demo created (named "demo"): a real account's second factor lives on its holder's phone alone.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracebureau.accounts.services import DEMO_DEVICE_NAME, current_code


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (demo devices only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        device = TOTPDevice.objects.filter(
            user__username=username, name=DEMO_DEVICE_NAME, confirmed=True
        ).first()
        if device is None:
            raise CommandError(
                f"{username!r} has no demo authenticator; codes are shown for the demo's accounts only."
            )
        self.stdout.write(current_code(device))
