"""The REST API's router: each app contributes its viewsets from its own api.py."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from tracebureau.accounts.api import TokenRevokeView, TokenView
from tracebureau.exchanges.api import register as register_exchanges
from tracebureau.identification.api import register as register_identification
from tracebureau.press.api import register as register_press
from tracebureau.registry.api import register as register_registry
from tracebureau.reporting.api import register as register_reporting
from tracebureau.timeline.api import register as register_timeline

router = DefaultRouter()
register_registry(router)
register_timeline(router)
register_reporting(router)
register_identification(router)
register_exchanges(router)
register_press(router)

urlpatterns = [
    path("token/", TokenView.as_view(), name="api-token"),
    path("token/revoke/", TokenRevokeView.as_view(), name="api-token-revoke"),
    path("", include(router.urls)),
]
