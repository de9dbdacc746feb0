from django.urls import path

from tracebureau.timeline import views

app_name = "timeline"
urlpatterns = [
    path("events/<int:pk>/retract/", views.event_retract, name="event-retract"),
    path("events/<int:pk>/supersede/", views.event_supersede, name="event-supersede"),
    path("bulk/", views.bulk_event_create, name="bulk-event-create"),
]
