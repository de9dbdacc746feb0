"""What the API needs from the audit trail."""

from __future__ import annotations

from typing import Any

from tracebureau.audit.services import audit_read


class AuditedReadMixin:
    """Records a `view` entry whenever an action in `audited_actions` reads its object, for a
    viewset that uses DRF's get_object (put it first among the bases)."""

    audited_actions: tuple[str, ...] = ("retrieve",)

    def get_object(self) -> Any:
        obj = super().get_object()  # type: ignore[misc]
        if getattr(self, "action", None) in self.audited_actions:
            audit_read(self.request, obj)  # type: ignore[attr-defined]
        return obj
