from django.urls import path

from tracebureau.identification import views

app_name = "identification"
urlpatterns = [
    path("", views.index, name="index"),
    path("batches/new/", views.batch_create, name="batch-create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch-detail"),
    path("batches/<int:pk>/progress.json", views.batch_progress, name="batch-progress"),
    path("batches/<int:pk>/match/", views.batch_match, name="batch-match"),
    path("batches/<int:pk>/remains/new/", views.remains_create, name="remains-create"),
    path("remains/<int:pk>/", views.remains_detail, name="remains-detail"),
    path("remains/<int:pk>/preliminary/", views.remains_preliminary, name="remains-preliminary"),
    path("remains/<int:pk>/burial/", views.remains_burial, name="remains-burial"),
    path("remains/<int:pk>/profile/", views.remains_profile, name="remains-profile"),
    path("candidates/<int:pk>/propose/", views.candidate_propose, name="candidate-propose"),
    path("decisions/<int:pk>/decide/", views.proposal_decide, name="proposal-decide"),
    path("profiles/<int:pk>/", views.profile_detail, name="profile-detail"),
    path("persons/<int:pk>/references/", views.person_references, name="person-references"),
    path("samples/<int:pk>/withdraw/", views.sample_withdraw, name="sample-withdraw"),
    path("frequencies/", views.frequency_upload, name="frequency-upload"),
    path("notifications/", views.notification_queue, name="notifications"),
]
