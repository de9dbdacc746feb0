"""What every REST endpoint shares: who may call it, how service errors reach the client, and
related fields limited to what the caller may see."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.viewsets import GenericViewSet

from tracebureau.core.errors import ConflictError
from tracebureau.core.policy import is_staff_member

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY
# The largest id a BigAutoField holds. Larger numbers overflow the database driver (a 500)
# before the database could answer "no such row".
MAX_ID = 2**63 - 1


class WholeNumberFilter(django_filters.NumberFilter):
    """A filter on an id or a year: a whole number that a database column can hold. NumberFilter
    takes decimals such as 3.7e16 and numbers of any size, which overflow the database driver
    (a 500) on foreign keys, where Django's guard for integer lookups does not apply."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", -MAX_ID)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class Conflict(exceptions.APIException):
    """Someone else saved a change to the same field since the client read the record."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record changed since you read it."
    default_code = "conflict"


class StaffMember(BasePermission):
    """Only active, signed-in staff reach the API at all; the selectors then decide which rows.

    IsAuthenticated alone would let a switched-off account write: writes create rows that no
    queryset filters.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_staff_member(request.user)


def field_errors(exc: DjangoValidationError, aliases: Mapping[str, str] | None = None) -> dict:
    """A service's ValidationError as DRF's error body, keeping the field names the client sent.

    `aliases` maps a model field to the API field that carries it (birth_day -> birth_date).
    """
    if not hasattr(exc, "error_dict"):
        return {NON_FIELD: exc.messages}
    errors: dict[str, list[str]] = {}
    for name, messages in exc.message_dict.items():
        key = NON_FIELD if name == "__all__" else (aliases or {}).get(name, name)
        errors.setdefault(key, []).extend(messages)
    return errors


def as_api_exception(exc: Exception, aliases: Mapping[str, str] | None = None) -> Exception:
    # ConflictError is a ValidationError too, so it must be tested first.
    if isinstance(exc, ConflictError):
        return Conflict(field_errors(exc, aliases))
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(field_errors(exc, aliases))
    return exc


class BureauViewSet(GenericViewSet):
    """Base of every viewset: staff only, and service errors answered as 400/409 by field."""

    permission_classes = [StaffMember]
    # Model field -> API field, for errors raised on a field the API exposes under another name.
    error_aliases: Mapping[str, str] = {}

    def get_authenticate_header(self, request: Request) -> str:
        # DRF asks only the first authenticator (session, which has no header) and so answers
        # 403 to a missing or bad token; the token's header makes that a proper 401.
        headers = (auth.authenticate_header(request) for auth in self.get_authenticators())
        return next((header for header in headers if header), "")

    def handle_exception(self, exc: Exception) -> Response:
        return super().handle_exception(as_api_exception(exc, self.error_aliases))

    @property
    def user(self) -> Any:
        return self.request.user


Selector = Callable[..., QuerySet]


@extend_schema_field(OpenApiTypes.INT)
class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key given by id, accepted only if the caller may see that row.

    The queryset comes from a selector called with the requesting user, so an id the caller
    may not see reads exactly like one that does not exist.
    """

    def __init__(self, *, selector: Selector, **kwargs: Any) -> None:
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        return self.selector(user=self.context["request"].user)


class MaskedSerializer(serializers.Serializer):
    """Base of serializers of masked rows: a field the policy withheld is null, and named in
    `withheld`, so a client can tell "withheld from you" from "not known"."""

    withheld = serializers.SerializerMethodField(
        help_text="Fields withheld from you by the access policy; their values are null."
    )

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_withheld(self, instance: Any) -> list[str]:
        return sorted(getattr(instance, "_withheld", ()))

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        for name in getattr(instance, "_withheld", ()):
            if name in data:
                data[name] = None
        return data
