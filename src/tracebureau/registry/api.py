"""REST endpoints for persons: /api/persons/. Persons are never deleted, so there is no DELETE.

Reads go through the selectors (the access policy), writes through the services.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.serializers import BaseSerializer

from tracebureau.audit.services import audit_read
from tracebureau.core.api import BureauViewSet
from tracebureau.core.policy import CHANGE, VIEW
from tracebureau.registry import services
from tracebureau.registry.filters import PersonFilter
from tracebureau.registry.forms import SearchForm
from tracebureau.registry.models import Person
from tracebureau.registry.selectors import (
    person_autocomplete,
    person_get,
    person_name_variants,
    persons_visible,
)
from tracebureau.registry.serializers import (
    AutocompleteSerializer,
    MergeSerializer,
    NameVariantSerializer,
    PersonCreateSerializer,
    PersonDetailSerializer,
    PersonListSerializer,
    PersonMergeSerializer,
    PersonUpdateSerializer,
    UnmergeSerializer,
)
from tracebureau.timeline.selectors import person_timeline, statuses_for
from tracebureau.timeline.serializers import TimelineSerializer

_ERRORS = OpenApiResponse(OpenApiTypes.OBJECT, description="Field name -> list of messages.")
_WRITE_ACTIONS = frozenset({"partial_update", "merge", "unmerge", "name_variants"})


def register(router: DefaultRouter) -> None:
    router.register("persons", PersonViewSet, basename="person")


@extend_schema_view(
    list=extend_schema(summary="Search and list persons, with each one's derived status."),
    retrieve=extend_schema(summary="A person's record, spellings and derived status."),
    create=extend_schema(
        summary="Register a person.", request=PersonCreateSerializer,
        responses={201: PersonDetailSerializer, 400: _ERRORS},
    ),
    partial_update=extend_schema(
        summary="Correct identity fields; `version` is the version you read.",
        request=PersonUpdateSerializer,
        responses={
            200: PersonDetailSerializer, 400: _ERRORS,
            409: OpenApiResponse(OpenApiTypes.OBJECT, description="A colleague changed the same field."),
        },
    ),
)
class PersonViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, BureauViewSet
):
    filterset_class = PersonFilter
    # The API takes a date of birth as one partial ISO string; the model keeps three parts.
    error_aliases = {"birth_year": "birth_date", "birth_month": "birth_date", "birth_day": "birth_date"}
    serializer_classes: dict[str, type[BaseSerializer]] = {
        "list": PersonListSerializer,
        "create": PersonCreateSerializer,
        "partial_update": PersonUpdateSerializer,
        "merge": MergeSerializer,
        "unmerge": UnmergeSerializer,
        "name_variants": NameVariantSerializer,
        "timeline": TimelineSerializer,
    }

    def get_queryset(self) -> QuerySet[Person]:
        return persons_visible(user=self.user)

    def get_serializer_class(self) -> type[BaseSerializer]:
        return self.serializer_classes.get(self.action, PersonDetailSerializer)

    def get_object(self) -> Person:
        # The same 404 for a person that does not exist and one the caller may not see/change.
        needed = CHANGE if self.action in _WRITE_ACTIONS else VIEW
        return person_get(user=self.user, pk=self.kwargs["pk"], action=needed)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        persons = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(persons)
        rows = list(persons) if page is None else page
        # One query for the whole page's events, however many persons it holds.
        statuses = statuses_for(user=self.user, persons=rows)
        data = PersonListSerializer(rows, many=True, context={"statuses": statuses}).data
        return Response(data) if page is None else self.get_paginated_response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail(audit_read(request, self.get_object()))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        fields = self._validated(request.data)
        person = services.person_create(by=self.user, **fields)
        return self._detail(person, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        changes = self._validated(request.data)
        version = changes.pop("version")
        person = services.person_update(
            person=person, changes=changes, expected_version=version, by=self.user
        )
        return self._detail(person)

    @extend_schema(
        summary="Show another record (`absorb`) as part of this one; nothing is moved or lost.",
        responses={201: PersonMergeSerializer, 400: _ERRORS},
    )
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        keep = self.get_object()
        data = self._validated(request.data)
        merge = services.person_merge(keep=keep, absorb=data["absorb"], by=self.user, reason=data["reason"])
        return Response(PersonMergeSerializer(merge).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Undo the merge of this record into another; it stands on its own again.",
        responses={201: PersonMergeSerializer, 400: _ERRORS},
    )
    @action(detail=True, methods=["post"])
    def unmerge(self, request: Request, pk: str) -> Response:
        absorb = self.get_object()
        reason = self._validated(request.data)["reason"]
        merge = services.person_unmerge(absorb=absorb, by=self.user, reason=reason)
        return Response(PersonMergeSerializer(merge).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="The person's events, merged records included, each with its role.")
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: str) -> Response:
        view = person_timeline(user=self.user, person=audit_read(request, self.get_object()))
        data = {"status": view.status, "events": view.events}
        return Response(TimelineSerializer(data, context={"status": view.status}).data)

    @extend_schema(
        summary="Record a spelling of the person's name (a known spelling is returned as is).",
        responses={201: NameVariantSerializer, 400: _ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="name-variants")
    def name_variants(self, request: Request, pk: str) -> Response:
        person = self.get_object()
        variant = services.name_variant_add(person=person, by=self.user, **self._validated(request.data))
        return Response(NameVariantSerializer(variant).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Up to 10 persons matching a name, number or date, for pickers (same policy as search).",
        parameters=[OpenApiParameter("q", str, required=True, description="at least 2 characters")],
        responses={200: AutocompleteSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def autocomplete(self, request: Request) -> Response:
        form = SearchForm(request.query_params)
        if not form.is_valid():  # e.g. a NUL byte, which PostgreSQL cannot compare with text
            raise ValidationError(form.errors.get_json_data())
        persons = person_autocomplete(user=self.user, query=form.cleaned_data["q"])
        return Response(AutocompleteSerializer(persons, many=True).data)

    def _validated(self, data: Any) -> dict[str, Any]:
        serializer = self.get_serializer(data=data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _detail(self, person: Person, code: int = status.HTTP_200_OK) -> Response:
        timeline = person_timeline(user=self.user, person=person)
        variants = person_name_variants(user=self.user, person=person)
        context = {"status": timeline.status, "name_variants": variants}
        return Response(PersonDetailSerializer(person, context=context).data, status=code)
