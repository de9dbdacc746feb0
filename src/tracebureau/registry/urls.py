from django.urls import path

from tracebureau.registry import views
from tracebureau.timeline import views as timeline_views

app_name = "registry"
urlpatterns = [
    path("", views.person_search, name="person-search"),
    path("new/", views.person_create, name="person-create"),
    path("export.csv", views.person_export, name="person-export"),
    path("export/icrc-cta.csv", views.person_export_cta, name="person-export-cta"),
    path("break-glass/", views.break_glass, name="break-glass"),
    path("<int:pk>/", views.person_detail, name="person-detail"),
    path("<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("<int:pk>/merge/", views.person_merge, name="person-merge"),
    path("<int:pk>/unmerge/", views.person_unmerge, name="person-unmerge"),
    # Recording an event starts from a person, so its address lives under the person's.
    path("<int:pk>/events/new/", timeline_views.event_create, name="event-create"),
]
