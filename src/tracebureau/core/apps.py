from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tracebureau.core"
    label = "core"
    verbose_name = "Core"
