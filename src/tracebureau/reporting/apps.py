from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "tracebureau.reporting"
    label = "reporting"
    verbose_name = "Reporting"
