from django.urls import path

from tracebureau.press import public_views

app_name = "public"
urlpatterns = [
    path("", public_views.releases, name="releases"),
    path("<str:reference>/", public_views.release, name="release"),
    path("<str:reference>/figures.csv", public_views.release_csv, name="release-csv"),
]
