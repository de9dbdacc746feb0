from django.apps import AppConfig


class PressConfig(AppConfig):
    name = "tracebureau.press"
    label = "press"
    verbose_name = "Press centre"
