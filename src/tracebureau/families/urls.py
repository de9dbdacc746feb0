from django.urls import path

from tracebureau.families import views

app_name = "families"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="inquiry-detail"),
    path("<int:pk>/another/", views.another, name="inquiry-another"),
]
