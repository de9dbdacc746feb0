from django.urls import path

from tracebureau.registry import views
from tracebureau.timeline import views as timeline_views

app_name = "registry"
urlpatterns = [
    path("", views.person_search, name="person-search"),
    path("new/", views.person_create, name="person-create"),
    path("<int:pk>/", views.person_detail, name="person-detail"),
    path("<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("<int:pk>/merge/", views.person_merge, name="person-merge"),
    path("<int:pk>/unmerge/", views.person_unmerge, name="person-unmerge"),
    # Recording an event starts from a person, so its address lives under the person's.
    path("<int:pk>/events/new/", timeline_views.event_create, name="event-create"),
]
