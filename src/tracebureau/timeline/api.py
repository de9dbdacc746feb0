"""REST endpoints for the timeline: /api/events/, /api/places/, /api/sources/.

Events are append-only: no PUT, PATCH or DELETE; a correction is a retraction or a superseding
event. Places and sources are reference data: they can be corrected (simple_history keeps every
version) but not deleted, since events point at them.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.serializers import BaseSerializer

from tracebureau.audit.api import AuditedReadMixin
from tracebureau.core.api import BureauViewSet
from tracebureau.core.policy import CHANGE, VIEW
from tracebureau.timeline import services
from tracebureau.timeline.filters import EventFilter
from tracebureau.timeline.models import Event, Place, Source
from tracebureau.timeline.selectors import events_visible, places_visible, sources_visible
from tracebureau.timeline.serializers import (
    BulkEventCreateSerializer,
    BulkEventSerializer,
    EventCreateSerializer,
    EventSerializer,
    PlaceSerializer,
    RetractSerializer,
    SourceSerializer,
    SupersedeSerializer,
)

_ERRORS = OpenApiResponse(OpenApiTypes.OBJECT, description="Field name -> list of messages.")


def register(router: DefaultRouter) -> None:
    router.register("events", EventViewSet, basename="event")
    router.register("places", PlaceViewSet, basename="place")
    router.register("sources", SourceViewSet, basename="source")


@extend_schema_view(
    create=extend_schema(
        summary="Record an event.",
        request=EventCreateSerializer,
        responses={201: EventSerializer, 400: _ERRORS},
    ),
)
class EventViewSet(AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, BureauViewSet):
    filterset_class = EventFilter
    serializer_classes: dict[str, type[BaseSerializer]] = {
        "create": EventCreateSerializer,
        "retract": RetractSerializer,
        "supersede": SupersedeSerializer,
        "bulk": BulkEventCreateSerializer,
    }

    def get_queryset(self) -> QuerySet[Event]:
        # Correcting needs the right to change the event: otherwise the same 404 as no event.
        action = CHANGE if self.action in ("retract", "supersede") else VIEW
        return events_visible(user=self.user, action=action)

    def get_serializer_class(self) -> type[BaseSerializer]:
        return self.serializer_classes.get(self.action, EventSerializer)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        event = services.event_record(by=self.user, **self._validated(request.data))
        return _created(EventSerializer(event))

    @extend_schema(
        summary="Withdraw an event: it stays on the timeline and no longer counts.",
        responses={201: EventSerializer, 400: _ERRORS},
    )
    @action(detail=True, methods=["post"])
    def retract(self, request: Request, pk: str) -> Response:
        event = self.get_object()
        retraction = services.event_retract(event=event, by=self.user, **self._validated(request.data))
        return _created(EventSerializer(retraction))

    @extend_schema(
        summary="Replace an event with a corrected one; give only the fields that change.",
        responses={201: EventSerializer, 400: _ERRORS},
    )
    @action(detail=True, methods=["post"])
    def supersede(self, request: Request, pk: str) -> Response:
        event = self.get_object()
        replacement = services.event_supersede(event=event, by=self.user, **self._validated(request.data))
        return _created(EventSerializer(replacement))

    @extend_schema(
        summary='One report about many persons, all or nothing; errors name the row ("row 3").',
        responses={201: BulkEventSerializer, 400: _ERRORS},
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        bulk = services.bulk_event_record(by=self.user, **self._validated(request.data))
        return _created(BulkEventSerializer(bulk))

    def _validated(self, data: Any) -> dict[str, Any]:
        serializer = self.get_serializer(data=data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


def _created(serializer: BaseSerializer) -> Response:
    return Response(serializer.data, status=status.HTTP_201_CREATED)


class ReferenceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BureauViewSet,
):
    """List, read, add and correct; never delete (events point at these rows)."""

    """Subclasses name their update service in `update_service`."""


class PlaceViewSet(ReferenceViewSet):
    serializer_class = PlaceSerializer

    def perform_update(self, serializer: BaseSerializer) -> None:
        services.place_update(
            place=cast(Place, serializer.instance), changes=serializer.validated_data, by=self.user
        )

    def get_queryset(self) -> QuerySet[Place]:
        return places_visible(user=self.user)

    def perform_create(self, serializer: BaseSerializer) -> None:
        serializer.instance = services.place_create(by=self.user, **serializer.validated_data)


class SourceViewSet(ReferenceViewSet):
    serializer_class = SourceSerializer

    def perform_update(self, serializer: BaseSerializer) -> None:
        services.source_update(
            source=cast(Source, serializer.instance), changes=serializer.validated_data, by=self.user
        )

    def get_queryset(self) -> QuerySet[Source]:
        return sources_visible(user=self.user)

    def perform_create(self, serializer: BaseSerializer) -> None:
        serializer.instance = services.source_create(by=self.user, **serializer.validated_data)
