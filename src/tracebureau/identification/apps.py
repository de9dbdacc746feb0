from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "tracebureau.identification"
    label = "identification"
    verbose_name = "DNA identification"
