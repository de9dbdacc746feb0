from django.apps import AppConfig


class ExchangesConfig(AppConfig):
    name = "tracebureau.exchanges"
    label = "exchanges"
    verbose_name = "Exchanges"
