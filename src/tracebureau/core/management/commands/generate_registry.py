"""`tracebureau generate-registry --persons N`: a generated national-scale registry, for load
tests and benchmarks, written with PostgreSQL's COPY. Every person in it is fictional."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracebureau.scenario.national import Counts, NeedsPostgreSQL, generate


class Command(BaseCommand):
    help = (
        "Add generated, fictional persons with their timelines, name spellings and derived status "
        "to a PostgreSQL database (for load tests and benchmarks; never on a live registry)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=1_000_000, help="how many (default 1,000,000)")
        parser.add_argument("--events-per-person", type=int, default=20, help="on average (default 20)")
        parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same registry")
        parser.add_argument("--chunk", type=int, default=20_000, help="persons per transaction")

    def handle(
        self, *args: Any, persons: int, events_per_person: int, seed: int, chunk: int, **opts: Any
    ) -> None:
        for name, value in (
            ("--persons", persons),
            ("--events-per-person", events_per_person),
            ("--chunk", chunk),
        ):
            if value < 1:
                raise CommandError(f"{name} must be at least 1, not {value}.")
        started = time.monotonic()

        def progress(counts: Counts) -> None:
            rate = counts.events / max(time.monotonic() - started, 1e-9)
            self.stderr.write(
                f"\r{counts.persons:,} of {persons:,} persons, {counts.events:,} events"
                f" ({rate:,.0f} events/s)",
                ending="",
            )

        try:
            counts = generate(
                persons=persons,
                events_per_person=events_per_person,
                seed=seed,
                chunk=chunk,
                progress=progress,
            )
        except NeedsPostgreSQL as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write("")
        self.stdout.write(
            f"Added {counts.persons:,} persons, {counts.events:,} events and {counts.name_variants:,} "
            f"name spellings in {time.monotonic() - started:,.0f} s."
        )
