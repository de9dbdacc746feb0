from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "tracebureau.families"
    label = "families"
    verbose_name = "Families"
