from django.urls import path

from tracebureau.interchange import views

app_name = "interchange"
urlpatterns = [
    path("", views.index, name="index"),
    path("batches/<int:pk>/", views.batch, name="batch"),
    path("batches/<int:pk>/batch.pdf", views.batch_file, {"fmt": "pdf"}, name="batch-pdf"),
    path("batches/<int:pk>/batch.csv", views.batch_file, {"fmt": "csv"}, name="batch-csv"),
    path("batches/<int:pk>/batch.json", views.batch_file, {"fmt": "json"}, name="batch-json"),
    path("capture-cards/<int:pk>.pdf", views.capture_card, name="capture-card"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("imports/jobs/<int:pk>/", views.import_job, name="import-job"),
    path("imports/jobs/<int:pk>/progress.json", views.import_job_progress, name="import-job-progress"),
    path("persons/", views.persons_upload, name="persons-upload"),
    path("persons/review/", views.persons_review, name="persons-review"),
    path("pfif/", views.pfif, name="pfif"),
    path("pfif/export.xml", views.pfif_export, name="pfif-export"),
]
