from django.urls import path

from tracebureau.press import views

app_name = "press"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
]
