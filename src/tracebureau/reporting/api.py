"""Statistics in the API: released figures (/api/statistics/releases/) and live totals."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from tracebureau.core import policy
from tracebureau.core.api import BureauViewSet
from tracebureau.core.policy import Can
from tracebureau.reporting.models import StatisticsRelease
from tracebureau.reporting.selectors import releases_visible, totals
from tracebureau.reporting.serializers import FiguresSerializer, StatisticsReleaseSerializer


def register(router: DefaultRouter) -> None:
    router.register("statistics/releases", ReleaseViewSet, basename="statistics-release")


@extend_schema_view(
    list=extend_schema(summary="Figures released to the press office, newest first."),
    retrieve=extend_schema(summary="One release, exactly as it was released."),
)
class ReleaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BureauViewSet):
    serializer_class = StatisticsReleaseSerializer

    def get_queryset(self) -> QuerySet[StatisticsRelease]:
        return releases_visible(user=self.user)

    @extend_schema(
        summary="Live totals over the persons you may see (not for publication).",
        responses={200: FiguresSerializer},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def live(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        policy.require(self.user, Can.SEE_STATISTICS)
        return Response(FiguresSerializer(totals(user=self.user)).data)
