"""Who is acting now, and through which surface: set once per request or command, read by the
audit service when it records an entry.

A contextvar rather than a thread-local, so that it is right under ASGI too. It holds the request
itself rather than its user: DRF authenticates a token inside the view, long after the middleware
ran, and then sets the user on the underlying HttpRequest, so the user is read at record time.
This module imports no models: the console script uses it before Django is set up.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

USER_AGENT_LENGTH = 300


@dataclass(frozen=True)
class Actor:
    surface: str = "system"
    request: Any = None
    user: Any = None  # set by commands that act as a named account (`--as`)

    def current_user(self) -> Any:
        """The signed-in user now, or None (anonymous visitors are recorded as nobody)."""
        user = self.user
        if user is None and self.request is not None:
            user = getattr(self.request, "user", None)
        return user if user is not None and user.is_authenticated else None

    @property
    def ip(self) -> str | None:
        # As the lockouts read it (core.net), so that they and the trail agree.
        if self.request is None:
            return None
        from tracebureau.core.net import client_ip

        return client_ip(self.request)

    @property
    def user_agent(self) -> str:
        if self.request is None:
            return ""
        return str(self.request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_LENGTH]


# Outside any request or command (tests, a shell): the system, acting for nobody in particular.
SYSTEM = Actor()
_current: ContextVar[Actor] = ContextVar("tracebureau_audit_actor", default=SYSTEM)


def current() -> Actor:
    return _current.get()


@contextmanager
def acting(*, surface: str | None = None, request: Any = None, user: Any = None) -> Iterator[Actor]:
    """Record everything inside as done through `surface` (by `request`'s user or `user`).
    Unset arguments keep the enclosing values, so a command may name its user inside `cli`."""
    outer = _current.get()
    actor = Actor(
        surface=surface or outer.surface,
        request=request if request is not None else outer.request,
        user=user if user is not None else outer.user,
    )
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def surface_of(path: str) -> str:
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "web"
