"""The public family status lookup, apart from the liaison's pages: no sign-in."""

from django.urls import path

from tracebureau.families import lookup_views

app_name = "lookup"
urlpatterns = [
    path("", lookup_views.status_lookup, name="status"),
]
