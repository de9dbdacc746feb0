"""Running an engine's chunks on a Dask distributed cluster, for either engine.

An engine given a scheduler splits its work into chunks that need only what it scattered once
to every worker, runs them there and puts the answers back in order, so the result is the one
the engine computes in one process, to the last bit. `distributed` is imported only here and
only when a scheduler is given: the engines stay light to import, and a bureau that runs them in
process never loads it.

A scheduler is an address ("tcp://host:8786", "tls://host:8786"), "local" or "local:N" (a cluster
of N worker processes on this machine, one per core by default), or a `distributed.Client`
already connected, which the caller keeps and closes.

    >>> spans(10, 4)
    [(0, 4), (4, 8), (8, 10)]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar

if TYPE_CHECKING:
    from distributed import Client, Future

__all__ = [
    "CONNECT_TIMEOUT",
    "ClusterUnavailable",
    "Scheduler",
    "Whole",
    "connect",
    "results",
    "share",
    "spans",
    "submit",
]

Scheduler: TypeAlias = "str | Client"
T = TypeVar("T")

#: Seconds to wait for a scheduler before saying it cannot be reached.
CONNECT_TIMEOUT = 10.0


class ClusterUnavailable(RuntimeError):
    """The scheduler named cannot be reached, or its name is not one we understand."""


def spans(total: int, size: int) -> list[tuple[int, int]]:
    """[start, stop) of consecutive chunks of at most `size` items covering `total` items."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, not {size}")
    return [(start, min(start + size, total)) for start in range(0, total, size)]


def _local_workers(scheduler: str) -> int | None:
    """N of "local:N", None for plain "local" (one per core); refuses anything else after "local"."""
    if scheduler == "local":
        return None
    count = scheduler.removeprefix("local:")
    if not count.isdigit() or int(count) < 1:
        raise ClusterUnavailable(f"scheduler {scheduler!r}: expected 'local' or 'local:N' with N ≥ 1")
    return int(count)


@contextmanager
def connect(scheduler: Scheduler, *, timeout: float | None = None) -> Iterator[Client]:
    """A client of `scheduler`, closed on leaving (unless the caller gave a client of its own)."""
    import distributed

    if isinstance(scheduler, distributed.Client):
        yield scheduler
        return
    if scheduler == "local" or scheduler.startswith("local:"):
        workers = _local_workers(scheduler) or os.cpu_count() or 1
        # Processes, not threads: the engines' Python-level work holds the GIL.
        with (
            distributed.LocalCluster(  # type: ignore[no-untyped-call]  # distributed's own annotations stop here
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,  # type: ignore[no-untyped-call]
        ):
            yield client
        return
    with _client(scheduler, timeout if timeout is not None else CONNECT_TIMEOUT) as client:
        yield client


def _client(address: str, timeout: float) -> Client:
    import distributed

    try:
        return distributed.Client(address, timeout=timeout)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as error:
        raise ClusterUnavailable(
            f"cannot reach the Dask scheduler at {address!r} within {timeout:g} s: {error}"
        ) from error


@dataclass(frozen=True)
class Whole(Generic[T]):
    """A value that distributed sends as one pickle. Bare, a list or tuple would be serialised
    element by element: 35 s for a vocabulary of 200,000 strings, against 0.1 s whole."""

    value: T


def share(client: Client, value: T) -> Future[Whole[T]]:
    """`value` sent once to every worker, wrapped whole; the task unwraps it. Under a random key,
    not a hash of it: hashing a million-record side costs about as much as sending it."""
    future: Future[Whole[T]] = client.scatter(  # type: ignore[no-untyped-call]
        Whole(value), broadcast=True, hash=False
    )
    return future


def submit(client: Client, function: Callable[..., T], *args: Any) -> Future[T]:
    """One task; futures among `args` (or in lists among them) arrive at `function` as their values.
    Never merged with an equal-looking task: each chunk is its own work."""
    future: Future[T] = client.submit(function, *args, pure=False)  # type: ignore[no-untyped-call]
    return future


def results(futures: list[Future[T]]) -> Iterator[T]:
    """The futures' results in their order, each let go of once read, so that the workers free
    a chunk's answer as soon as the caller has it."""
    for future in futures:
        yield future.result()
        future.release()  # type: ignore[no-untyped-call]
