from django.apps import AppConfig
from django.db.models.signals import pre_save


class CoreConfig(AppConfig):
    name = "tracebureau.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from tracebureau.core import lookups  # noqa: F401  (registers the lookups)
        from tracebureau.core.policy import refuse_saving_redacted

        # Any model: a masked instance must never be written back with its masks.
        pre_save.connect(refuse_saving_redacted, dispatch_uid="policy-refuse-saving-redacted")
