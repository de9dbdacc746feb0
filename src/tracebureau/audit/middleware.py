"""Tell the audit trail who is acting during a request, and record the refusals."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tracebureau.audit import context
from tracebureau.audit.choices import AuditAction
from tracebureau.audit.services import audit_record


class AuditContextMiddleware:
    """Binds the request (its user, address and user agent) to everything recorded while it is
    served, and records a 403 answered to a signed-in user as a refused access.

    Anonymous 403s (a missing token, a stale CSRF cookie) are not recorded: anyone on the
    network could fill the log with them, and they concern no one's record.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with context.acting(surface=context.surface_of(request.path), request=request) as actor:
            response = self.get_response(request)
            if response.status_code == 403 and actor.current_user() is not None:
                audit_record(
                    action=AuditAction.PERMISSION_DENIED,
                    detail={"method": request.method, "path": request.path},
                )
        return response
