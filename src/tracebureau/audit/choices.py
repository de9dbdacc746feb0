from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    VIEW = "view", _("viewed")
    EXPORT = "export", _("exported")
    IMPORT = "import", _("imported")
    SIGN_IN = "sign_in", _("signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("sign-in failed")
    SIGN_OUT = "sign_out", _("signed out")
    BREAK_GLASS = "break_glass", _("break-glass access")
    PERMISSION_DENIED = "permission_denied", _("permission denied")


class Surface(models.TextChoices):
    """Where the action came from: the same user may act through several."""

    WEB = "web", _("web")
    API = "api", _("API")
    CLI = "cli", _("command line")
    ADMIN = "admin", _("admin")
    SYSTEM = "system", _("system")
