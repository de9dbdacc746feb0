"""`tracebureau jobs recover`: queue again the background jobs whose worker died (core.jobs).

Every `tracebureau worker` does this as it starts; run it yourself, or from cron, where workers
stay up for weeks on several machines.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tracebureau.core.jobs import jobs_recover


class Command(BaseCommand):
    help = "Queue again the background jobs whose worker died (a new attempt each)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["recover"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        recovered = jobs_recover()
        for job in recovered:
            self.stdout.write(f"{job._meta.label} #{job.pk}: {job.status}, attempt {job.attempt}")
        self.stdout.write(f"{len(recovered)} interrupted job(s) recovered.")
