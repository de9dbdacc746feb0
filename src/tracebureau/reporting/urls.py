from django.urls import path

from tracebureau.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.statistics, name="statistics"),
    path("releases/<int:pk>/", views.release_detail, name="release-detail"),
]
