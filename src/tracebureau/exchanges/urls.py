from django.urls import path

from tracebureau.exchanges import views

app_name = "exchanges"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/terms/", views.edit, name="edit"),
    path("<int:pk>/priority/", views.priority, name="priority"),
    path("<int:pk>/lists.csv", views.lists_csv, name="lists-csv"),
]
