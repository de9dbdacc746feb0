from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tracebureau.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Registers the bearer scheme with drf-spectacular, which finds extensions by import.
        from tracebureau.accounts import schema  # noqa: F401
