"""The `tracebureau` console script: Django's management commands under the product's name.

`tracebureau demo`, `tracebureau serve`, `tracebureau createuser`, and every Django command an
operator needs (`migrate`, `check --deploy`, `createsuperuser`, ...).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracebureau.settings")
    from django.core.management import execute_from_command_line

    from tracebureau.audit.context import acting

    args = list(argv if argv is not None else sys.argv[1:])
    if args and not args[0].startswith("-"):
        # Commands are modules, so their names have underscores; the README writes them with
        # hyphens (`totp-code`), and both work. No Django command has a hyphen in its name.
        args[0] = args[0].replace("-", "_")
    # What a command writes or reads is recorded as done from the command line; `serve` hands
    # each request its own surface (web, api, admin) in the audit middleware.
    with acting(surface="cli"):
        execute_from_command_line(["tracebureau", *args])


if __name__ == "__main__":
    main()
