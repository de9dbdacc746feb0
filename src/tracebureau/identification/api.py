"""Identification in the API, read only: batches of returned remains and their cases, with each
case's state and DNA candidates (/api/identification/...). Decisions are taken on the pages,
where the second officer's approval is asked for; profiles never leave their audited page.
The policy's rules give these rows to identification officers only: anyone else sees none."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from tracebureau.audit.services import audit_read
from tracebureau.core.api import BureauViewSet
from tracebureau.identification import selectors
from tracebureau.identification.models import RemainsCase, Repatriation
from tracebureau.identification.serializers import RemainsCaseSerializer, RepatriationSerializer


def register(router: DefaultRouter) -> None:
    router.register("identification/batches", BatchViewSet, basename="identification-batch")
    router.register("identification/remains", RemainsViewSet, basename="identification-remains")


@extend_schema_view(
    list=extend_schema(summary="Batches of returned remains, newest first."),
    retrieve=extend_schema(summary="One batch."),
)
class BatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BureauViewSet):
    serializer_class = RepatriationSerializer

    def get_queryset(self) -> QuerySet[Repatriation]:
        return selectors.batches_visible(user=self.user)


@extend_schema_view(
    list=extend_schema(summary="Remains cases, with their state and best DNA candidates (?batch=ID)."),
    retrieve=extend_schema(summary="One remains case (recorded in the audit trail)."),
)
class RemainsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BureauViewSet):
    serializer_class = RemainsCaseSerializer

    def get_queryset(self) -> QuerySet[RemainsCase]:
        rows = selectors.remains_with_decisions(selectors.remains_visible(user=self.user)).order_by("id")
        batch = self.request.query_params.get("batch", "")
        return rows.filter(repatriation_id=int(batch)) if batch.isdigit() else rows

    def get_serializer_context(self) -> dict[str, Any]:
        # The latest run's candidates are read once a batch, for all of its cases on the page.
        runs: dict[int, dict[int, list[Any]]] = {}

        def candidates(case: RemainsCase) -> list[Any]:
            if case.repatriation_id not in runs:
                run = selectors.latest_run(case.repatriation)
                runs[case.repatriation_id] = selectors.candidates_by_case(user=self.user, run=run)
            return runs[case.repatriation_id].get(case.pk, [])

        def status(case: RemainsCase) -> selectors.RemainsStatus:
            return selectors.status_from(case.decisions_made)  # type: ignore[attr-defined]

        return {**super().get_serializer_context(), "statuses": status, "candidates": candidates}

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = audit_read(request, self.get_object())
        return Response(self.get_serializer(case).data)
