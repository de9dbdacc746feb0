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

    # What a command writes or reads is recorded as done from the command line; `serve` hands
    # each request its own surface (web, api, admin) in the audit middleware.
    with acting(surface="cli"):
        execute_from_command_line(["tracebureau", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    main()
