"""REST endpoints for exchanges: /api/exchanges/. An exchange is never deleted; it moves on by
its transitions, its lists change by entries added and withdrawn.

Reads go through the selectors (the access policy), writes through the services, each naming
the version of the exchange it was made on (`expected_version`): a stale one answers 409.
Whoever may see the exchange but not manage exchanges is refused a write with 403; an exchange
the caller may not see answers 404, as one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.serializers import BaseSerializer

from tracebureau.audit.services import audit_read
from tracebureau.core import policy
from tracebureau.core.api import BureauViewSet
from tracebureau.core.policy import Can, visible_to
from tracebureau.core.selectors import get_or_404
from tracebureau.exchanges import selectors, services
from tracebureau.exchanges.choices import Side
from tracebureau.exchanges.models import Exchange, ExchangeEntry
from tracebureau.exchanges.serializers import (
    ArrivalsUploadSerializer,
    EntryAddSerializer,
    EntryWithdrawSerializer,
    ExchangeCreateSerializer,
    ExchangeDetailSerializer,
    ExchangeSerializer,
    TransitionSerializer,
    VerifySerializer,
)

_ERRORS = OpenApiResponse(OpenApiTypes.OBJECT, description="Field name -> list of messages.")
_CONFLICT = OpenApiResponse(
    OpenApiTypes.OBJECT, description="A colleague changed the exchange since you read it: read it again."
)
_DENIED = OpenApiResponse(OpenApiTypes.OBJECT, description="Your roles do not allow managing exchanges.")


def _write(summary: str, request: Any, code: int = 200) -> Any:
    return extend_schema(
        summary=summary,
        request=request,
        responses={code: ExchangeDetailSerializer, 400: _ERRORS, 403: _DENIED, 409: _CONFLICT},
    )


def register(router: DefaultRouter) -> None:
    router.register("exchanges", ExchangeViewSet, basename="exchange")


@extend_schema_view(
    list=extend_schema(summary="Exchanges the caller may see, the latest planned first."),
    retrieve=extend_schema(
        summary="An exchange with its formula balance, both lists, outcomes and negotiation "
        "(recorded in the audit trail)."
    ),
    create=_write("Draft an exchange.", ExchangeCreateSerializer, 201),
)
class ExchangeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, BureauViewSet
):
    serializer_classes: dict[str, type[BaseSerializer]] = {
        "list": ExchangeSerializer,
        "create": ExchangeCreateSerializer,
        "entries": EntryAddSerializer,
        "withdraw": EntryWithdrawSerializer,
        "transition": TransitionSerializer,
        "arrivals": ArrivalsUploadSerializer,
        "verify": VerifySerializer,
    }

    def get_queryset(self) -> QuerySet[Exchange]:
        return selectors.exchanges_visible(user=self.user)

    def get_serializer_class(self) -> type[BaseSerializer]:
        return self.serializer_classes.get(self.action, ExchangeDetailSerializer)

    def get_object(self) -> Exchange:
        # Read with VIEW, so that a reader who may not manage exchanges hears 403 from the
        # service rather than a 404 that would deny what they can see. get_or_404 also answers
        # 404 to an id that is not a number, where selectors.exchange_get would fail with a 500.
        return get_or_404(self.get_queryset(), self.kwargs["pk"], "exchange")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail(audit_read(request, self.get_object()))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        policy.require(self.user, Can.MANAGE_EXCHANGES)
        fields = self._validated(request.data)
        if "terms" in fields:
            fields["terms"] = [dict(term) for term in fields["terms"]]
        exchange = services.exchange_create(by=self.user, **fields)
        return self._detail(exchange, status.HTTP_201_CREATED)

    @_write("Put a person on one of the lists, at `priority` or at the end.", EntryAddSerializer, 201)
    @action(detail=True, methods=["post"])
    def entries(self, request: Request, pk: str) -> Response:
        exchange = self._writable()
        services.entry_add(exchange=exchange, by=self.user, **self._validated(request.data))
        return self._detail(exchange, status.HTTP_201_CREATED)

    @_write(
        "Take a person off a list; the entry stays, withdrawn, with who, when and why.",
        EntryWithdrawSerializer,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        # The entry goes in the body, not the URL: every id in a URL is the exchange's.
        exchange = self._writable()
        data = self._validated(request.data)
        entries = visible_to(ExchangeEntry.objects.filter(exchange=exchange), self.user)
        entry = entries.filter(pk=data.pop("entry")).first()
        if entry is None:
            raise DjangoValidationError({"entry": _("No such entry on this exchange's lists.")})
        services.entry_withdraw(entry=entry, by=self.user, **data)
        return self._detail(exchange)

    @_write(
        "Move the exchange one step on (proposed, agreed, executed, back, or cancelled).",
        TransitionSerializer,
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str) -> Response:
        exchange = self._writable()
        services.transition(exchange=exchange, by=self.user, **self._validated(request.data))
        return self._detail(exchange)

    @_write(
        "Upload the list of who came back (CSV or XLSX); every line that cannot be matched is "
        "named and nothing is kept.",
        {"multipart/form-data": ArrivalsUploadSerializer},
        201,
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def arrivals(self, request: Request, pk: str) -> Response:
        exchange = self._writable()
        data = self._validated(request.data)
        upload = data.pop("file")
        try:
            services.arrivals_upload(
                exchange=exchange, by=self.user, file_name=upload.name, content=upload.read(), **data
            )
        except DjangoValidationError as exc:
            # A file that cannot be read at all is refused without naming a field: it is the file's.
            if hasattr(exc, "error_dict"):
                raise
            raise DjangoValidationError({"file": exc.messages}) from exc
        return self._detail(exchange, status.HTTP_201_CREATED)

    @_write(
        "Verify the exchange from its arrivals list: outcomes, and events on each returnee's timeline.",
        VerifySerializer,
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str) -> Response:
        exchange = self._writable()
        services.verify(exchange=exchange, by=self.user, **self._validated(request.data))
        return self._detail(exchange)

    def _writable(self) -> Exchange:
        """The exchange, for a write: refused (403) before the body is read if the caller may
        not manage exchanges; the service checks again, with the row and the version."""
        exchange = self.get_object()
        policy.require(self.user, Can.MANAGE_EXCHANGES)
        return exchange

    def _validated(self, data: Any) -> dict[str, Any]:
        serializer = self.get_serializer(data=data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _detail(self, exchange: Exchange, code: int = status.HTTP_200_OK) -> Response:
        exchange.refresh_from_db()
        balance = selectors.formula_balance(exchange)
        context = {
            "formula": {
                "ours": balance.ours,
                "theirs": balance.theirs,
                "kept": balance.kept,
                "breaches": selectors.breach_messages(balance),
            },
            "requested": selectors.entries_visible(user=self.user, exchange=exchange, side=Side.REQUESTED),
            "offered": selectors.entries_visible(user=self.user, exchange=exchange, side=Side.OFFERED),
            "outcomes": selectors.outcome_lines(user=self.user, exchange=exchange),
            "negotiation": selectors.negotiation(exchange),
        }
        return Response(ExchangeDetailSerializer(exchange, context=context).data, status=code)
