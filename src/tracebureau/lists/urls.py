from django.urls import path

from tracebureau.lists import views

app_name = "lists"
urlpatterns = [
    path("", views.list_index, name="list-index"),
    path("upload/", views.list_upload, name="list-upload"),
    path("upload/columns/", views.list_mapping, name="list-mapping"),
    path("<int:pk>/", views.list_detail, name="list-detail"),
    path("<int:pk>/progress.json", views.list_progress, name="list-progress"),
    path("<int:pk>/reconcile/", views.list_reconcile, name="list-reconcile"),
    path("<int:pk>/cancel/", views.list_cancel, name="list-cancel"),
    path("rows/<int:pk>/decide/", views.row_decide, name="row-decide"),
]
