"""REST endpoints for press releases of statistics.

/api/press-releases/: the press centre's, staff only. Reads go through the selectors (the
access policy: a release the caller may not see answers 404, as one that does not exist),
writes through the services, which decide who may take which step: a role that does not allow
it answers 403, a step out of order or one's own draft to review or approve answers 400.

/api/public-releases/: anyone's, signed in or not, read-only: published releases only, by
reference, with the published figures and nothing else (no true count, no reason).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.serializers import BaseSerializer
from rest_framework.viewsets import GenericViewSet

from tracebureau.core.api import BureauViewSet
from tracebureau.core.selectors import get_or_404
from tracebureau.press import selectors, services
from tracebureau.press.models import Release
from tracebureau.press.serializers import (
    PublicReleaseDetailSerializer,
    PublicReleaseSerializer,
    ReleaseDetailSerializer,
    ReleaseDraftSerializer,
    ReleaseSerializer,
    StepNoteSerializer,
    WithdrawSerializer,
)

_ERRORS = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Field name -> list of messages; a step out of order, or a review or approval of "
    "one's own draft, is refused here.",
)
_DENIED = OpenApiResponse(OpenApiTypes.OBJECT, description="Your roles do not allow this step.")


def _write(summary: str, request: Any, code: int = 200) -> Any:
    return extend_schema(
        summary=summary,
        request=request,
        responses={code: ReleaseDetailSerializer, 400: _ERRORS, 403: _DENIED},
    )


def register(router: DefaultRouter) -> None:
    router.register("press-releases", PressReleaseViewSet, basename="press-release")
    router.register("public-releases", PublicReleaseViewSet, basename="public-release")


@extend_schema_view(
    list=extend_schema(summary="Press releases in the making and published, newest first (press centre)."),
    retrieve=extend_schema(
        summary="A release with its true counts, what is held back and why, its steps and its checks."
    ),
    create=_write("Count, protect and freeze a new release: a draft.", ReleaseDraftSerializer, 201),
)
class PressReleaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, BureauViewSet
):
    serializer_classes: dict[str, type[BaseSerializer]] = {
        "list": ReleaseSerializer,
        "create": ReleaseDraftSerializer,
        "review": StepNoteSerializer,
        "approve": StepNoteSerializer,
        "publish": StepNoteSerializer,
        "withdraw": WithdrawSerializer,
    }

    def get_queryset(self) -> QuerySet[Release]:
        return selectors.releases_visible(user=self.user)

    def get_serializer_class(self) -> type[BaseSerializer]:
        return self.serializer_classes.get(self.action, ReleaseDetailSerializer)

    def get_object(self) -> Release:
        # get_or_404 also answers 404 to an id that is not a number.
        return get_or_404(self.get_queryset(), self.kwargs["pk"], "release")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        release = services.release_draft(by=self.user, **self._validated(request.data))
        return self._detail(release, status.HTTP_201_CREATED)

    @_write("A colleague has checked the figures and what is held back.", StepNoteSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        return self._step(services.release_review, request)

    @_write("The head of the press centre approves the release for publication.", StepNoteSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return self._step(services.release_approve, request)

    @_write(
        "Publish an approved release, once checked again against every release published since it "
        "was drafted (the check is recorded either way).",
        StepNoteSerializer,
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        return self._step(services.release_publish, request)

    @_write("Take a release out of the workflow before publication, with the reason.", WithdrawSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        release = self.get_object()
        services.release_withdraw(by=self.user, release=release, reason=self._validated(request.data)["note"])
        return self._detail(release)

    def _step(self, service: Callable[..., Any], request: Request) -> Response:
        release = self.get_object()
        service(by=self.user, release=release, note=self._validated(request.data)["note"])
        return self._detail(release)

    def _validated(self, data: Any) -> dict[str, Any]:
        serializer = self.get_serializer(data=data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _detail(self, release: Release, code: int = status.HTTP_200_OK) -> Response:
        fresh = get_or_404(self.get_queryset(), release.pk, "release")  # its steps read again
        return Response(ReleaseDetailSerializer(fresh).data, status=code)


@extend_schema_view(
    list=extend_schema(summary="Published press releases, for anyone (no sign-in)."),
    retrieve=extend_schema(summary="A published release by its reference: the published figures only."),
)
class PublicReleaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """No sign-in, and none read: a published release is the same for everyone."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    lookup_field = "reference"
    lookup_value_regex = r"[A-Za-z0-9-]+"

    def get_queryset(self) -> QuerySet[Release]:
        return selectors.published()

    def get_serializer_class(self) -> type[BaseSerializer]:
        return PublicReleaseSerializer if self.action == "list" else PublicReleaseDetailSerializer
