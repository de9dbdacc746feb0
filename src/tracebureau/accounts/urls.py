from django.urls import path

from tracebureau.accounts import views

app_name = "accounts"

urlpatterns = [
    path("two-factor/setup/", views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/", views.two_factor_verify, name="two-factor-verify"),
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
