"""Every write to the project's own tables, and every sign-in, reaches the audit trail here.

Signals rather than a call in each service, so that a write no service foresaw (the admin, a
data migration, a new app) is recorded too. Rows inserted by bulk_create send no signal; their
service calls audit.services.audit_bulk_created.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Model
from django.db.models.signals import post_save, pre_save

from tracebureau.audit import context
from tracebureau.audit.choices import AuditAction
from tracebureau.audit.services import audit_record

# Who did it, when no request or command says: the instance's own record of its author.
# `_history_user` is django-simple-history's: services set it to the editor of this save.
AUTHOR_ATTRIBUTES = ("_history_user", "by", "recorded_by")
# The author of a record's creation, which is not the author of later changes.
CREATOR_ATTRIBUTES = ("created_by",)


def audited_models() -> list[type[Model]]:
    """The project's own models, less the audit trail itself and simple_history's copies
    (the change they copy is recorded on the model itself)."""
    return [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("tracebureau.") and config.label != "audit"
        for model in config.get_models()
        if not hasattr(model, "instance_type")
    ]


def connect() -> None:
    for model in audited_models():
        uid = f"audit-{model._meta.label_lower}"
        pre_save.connect(note_changed_fields, sender=model, dispatch_uid=f"{uid}-pre")
        post_save.connect(record_write, sender=model, dispatch_uid=f"{uid}-post")
    user_logged_in.connect(record_sign_in, dispatch_uid="audit-sign-in")
    user_logged_out.connect(record_sign_out, dispatch_uid="audit-sign-out")
    user_login_failed.connect(record_sign_in_failed, dispatch_uid="audit-sign-in-failed")


def note_changed_fields(
    sender: type[Model], instance: Model, update_fields: Any = None, **kwargs: Any
) -> None:
    """Before an update, the names (never the values) of the fields that differ from the row."""
    if instance._state.adding or instance.pk is None:
        return
    if update_fields is not None:
        instance._audit_changed = sorted(update_fields)  # type: ignore[attr-defined]
        return
    fields = [f for f in sender._meta.concrete_fields if f.attname not in instance.get_deferred_fields()]
    stored = sender._base_manager.filter(pk=instance.pk).values(*(f.attname for f in fields)).first()
    instance._audit_changed = sorted(  # type: ignore[attr-defined]
        f.name for f in fields if stored is None or stored[f.attname] != getattr(instance, f.attname)
    )


def record_write(
    sender: type[Model], instance: Model, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    if kwargs.get("raw"):
        # A row copied as it was stored elsewhere (loaddata, `tracebureau import-bureau`): its
        # writing is in the trail it came with, and an entry here would fork that chain.
        return
    if not created and update_fields is not None and set(update_fields) == {"last_login"}:
        return  # Django's own bookkeeping of a sign-in, recorded as the sign-in itself
    user = context.current().current_user() or author(instance, created)
    if created and sender._meta.label == "core.BreakGlass":
        # The user given access is the one who asked for it, with this reason.
        user, reason = user or getattr(instance, "user", None), getattr(instance, "reason", "")
        audit_record(action=AuditAction.BREAK_GLASS, user=user, obj=instance, reason=reason)
        return
    if created:
        fields = [f.name for f in sender._meta.concrete_fields if _is_set(getattr(instance, f.attname))]
    else:
        fields = getattr(instance, "_audit_changed", [])
    audit_record(
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        user=user,
        obj=instance,
        detail={"fields": sorted(fields)},
    )


def _is_set(value: Any) -> bool:
    return value not in (None, "", [], {})


def author(instance: Model, created: bool) -> Any:
    """The instance's own author, for when no request or command names the actor (a script,
    the demo loader). The one who created a record did not necessarily change it since."""
    names = AUTHOR_ATTRIBUTES + (CREATOR_ATTRIBUTES if created else ())
    for name in names:
        user = getattr(instance, name, None)
        if isinstance(user, Model):
            return user
    return None


def record_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action=AuditAction.SIGN_IN, user=user, request=request)


def record_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action=AuditAction.SIGN_OUT, user=user, request=request)


def record_sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    """Under the name tried, so that the auditor finds attempts on an account by its name; the
    password (which Django has already masked) is never read."""
    attempted = str(credentials.get("username", ""))
    audit_record(action=AuditAction.SIGN_IN_FAILED, username=attempted, request=request)
