from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from tracebureau.accounts.views import api_docs
from tracebureau.core.views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("tracebureau.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("persons/", include("tracebureau.registry.urls")),
    path("timeline/", include("tracebureau.timeline.urls")),
    path("statistics/", include("tracebureau.reporting.urls")),
    path("lists/", include("tracebureau.lists.urls")),
    path("identification/", include("tracebureau.identification.urls")),
    path("exchanges/", include("tracebureau.exchanges.urls")),
    path("families/", include("tracebureau.families.urls")),
    path("status/", include("tracebureau.families.lookup_urls")),
    path("press/", include("tracebureau.press.urls")),
    path("interchange/", include("tracebureau.interchange.urls")),
    path("releases/", include("tracebureau.press.public_urls")),
    path("audit/", include("tracebureau.audit.urls")),
    path("api/", include("tracebureau.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI only: ReDoc needs inline scripts, inline styles and fonts from Google, which
    # the Content-Security-Policy refuses and a bureau's visitors must not be sent to.
    path("api/docs/", api_docs, name="api-docs"),
]
