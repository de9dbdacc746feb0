"""The hash chain over audit entries: what is hashed, and how a stored chain is checked.

hash = sha256(prev_hash + canonical JSON of the entry's content), where the content is every
column but the database id and the hashes, the time in UTC ISO 8601 and the user as its id.
The first entry's prev_hash is GENESIS (64 zeros). Editing any column of an entry breaks its
hash; removing an entry leaves a gap in `seq`; moving one breaks the order of `seq` against the
order of insertion (the id, assigned while the audit lock is held, see services.audit_record).

The chain proves the log consistent with itself. Someone who can write to the database and
recompute every hash after the one they changed is caught only by a head noted elsewhere
earlier (`tracebureau audit verify --head`), so operators should keep the printed heads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tracebureau.audit.models import GENESIS, AuditEntry

CONTENT_FIELDS = (
    "seq", "at", "user_id", "username", "action", "object_type", "object_id", "person_id",
    "surface", "ip", "user_agent", "reason", "detail",
)


def canonical(entry: AuditEntry) -> str:
    content: dict[str, Any] = {name: getattr(entry, name) for name in CONTENT_FIELDS}
    content["at"] = entry.at.astimezone(dt.UTC).isoformat()
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256((entry.prev_hash + canonical(entry)).encode()).hexdigest()


@dataclass
class Verdict:
    """What a walk over the chain found: problems as (position, message), positions from 1."""

    count: int = 0
    head: str = GENESIS
    problems: list[tuple[int, str]] = field(default_factory=list)
    head_found: bool = False

    @property
    def intact(self) -> bool:
        return not self.problems


@dataclass
class _Walk:
    verdict: Verdict
    anchor: str = ""
    last: AuditEntry | None = None
    highest: int = 0
    # Numbers skipped so far, each with the position where the skip was seen. A number found
    # later was moved, not removed; what is left at the end is missing.
    skipped: dict[int, int] = field(default_factory=dict)

    def problem(self, position: int, message: str) -> None:
        self.verdict.problems.append((position, message))

    def step(self, position: int, entry: AuditEntry) -> None:
        if entry_hash(entry) != entry.hash:
            self.problem(position, f"entry #{entry.seq} was edited (its hash does not match its content)")
        if self.anchor and entry.hash.startswith(self.anchor):
            self.verdict.head_found = True
        self._check_order(position, entry)
        self._check_link(position, entry)
        self.highest = max(self.highest, entry.seq)
        self.last = entry
        self.verdict.count, self.verdict.head = position, entry.hash

    def _check_order(self, position: int, entry: AuditEntry) -> None:
        if entry.seq > self.highest + 1:
            self.skipped.update(dict.fromkeys(range(self.highest + 1, entry.seq), position))
        elif entry.seq <= self.highest:
            if self.skipped.pop(entry.seq, None) is None:
                self.problem(position, f"entry #{entry.seq} appears twice")
            else:
                self.problem(
                    position, f"entries reordered at position {position}: #{entry.seq} is stored after "
                    f"#{self.highest}"
                )

    def _check_link(self, position: int, entry: AuditEntry) -> None:
        if entry.seq == 1 and entry.prev_hash != GENESIS:
            self.problem(position, "chain broken at #1: the first entry does not start from the genesis")
        # Only neighbours can be compared; a gap or a move is reported by _check_order.
        if self.last is not None and entry.seq == self.last.seq + 1 and entry.prev_hash != self.last.hash:
            self.problem(position, f"chain broken at #{entry.seq}: prev_hash does not match #{self.last.seq}")

    def finish(self) -> Verdict:
        for runs in _runs(sorted(self.skipped)):
            first, last = runs[0], runs[-1]
            position = self.skipped[first]
            which = f"entry #{first} is" if first == last else f"entries #{first}–#{last} are"
            jump = f"the chain starts at #{last + 1}" if first == 1 else f"seq jumps {first - 1} → {last + 1}"
            self.problem(position, f"{which} missing ({jump})")
        self.verdict.problems.sort()
        return self.verdict


def _runs(numbers: list[int]) -> Iterator[list[int]]:
    """Consecutive runs: [3, 4, 9] -> [3, 4], [9]."""
    run: list[int] = []
    for number in numbers:
        if run and number != run[-1] + 1:
            yield run
            run = []
        run.append(number)
    if run:
        yield run


def verify(entries: Iterable[AuditEntry], *, anchor: str = "", progress: Any = None) -> Verdict:
    """Walk `entries` in the order they were stored and report every problem by position.

    `anchor`: a head noted earlier, which must still be in the chain. `progress(count)` is
    called every PROGRESS_EVERY entries.
    """
    walk = _Walk(Verdict(), anchor=anchor.lower())
    for position, entry in enumerate(entries, start=1):
        walk.step(position, entry)
        if progress is not None and position % PROGRESS_EVERY == 0:
            progress(position)
    return walk.finish()


PROGRESS_EVERY = 100_000
