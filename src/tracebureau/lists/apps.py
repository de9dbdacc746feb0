from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "tracebureau.lists"
    label = "lists"
    verbose_name = "Incoming lists"
