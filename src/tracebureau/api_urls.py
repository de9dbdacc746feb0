"""The REST API's router: each app contributes its viewsets from its own api.py."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from tracebureau.registry.api import register as register_registry
from tracebureau.reporting.api import register as register_reporting
from tracebureau.timeline.api import register as register_timeline

router = DefaultRouter()
register_registry(router)
register_timeline(router)
register_reporting(router)

urlpatterns = [
    path("token/", obtain_auth_token, name="api-token"),
    path("", include(router.urls)),
]
