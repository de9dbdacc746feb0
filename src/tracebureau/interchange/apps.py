from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "tracebureau.interchange"
    label = "interchange"
    verbose_name = "Interchange"
