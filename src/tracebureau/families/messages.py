"""The standard messages to families, in Ukrainian and English. They are rendered with the
language's own translation, never assembled from free text: what a family is told about the
person is the five-level wording and the date, and nothing else (no place, unit or health)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracebureau.timeline.choices import FAMILY_LEVEL_WORDING


@dataclass(frozen=True)
class Template:
    code: str
    label: Any
    conveys_status: bool


TEMPLATES = (
    Template("received", gettext_lazy("Request received"), conveys_status=False),
    Template("status", gettext_lazy("Status of the person sought"), conveys_status=True),
    Template("kinship_documents", gettext_lazy("Documents needed to confirm kinship"), conveys_status=False),
    Template("lookup_code", gettext_lazy("How to use the status lookup"), conveys_status=False),
)
BY_CODE = {t.code: t for t in TEMPLATES}


def render(
    code: str,
    language: str,
    *,
    reference: str,
    name: str,
    level: int | None = None,
    since: dt.date | None = None,
) -> str:
    """The message, in `language`. The lookup code itself is never part of it: it is given out
    of band and never stored."""
    with translation.override(language):
        if code == "received":
            return _(
                "Your request %(ref)s about %(name)s has been registered by the National Information "
                "Bureau. We will contact you when we have information."
            ) % {"ref": reference, "name": name}
        if code == "status":
            assert level is not None
            text = _("About %(name)s (request %(ref)s): %(wording)s.") % {
                "name": name,
                "ref": reference,
                "wording": str(FAMILY_LEVEL_WORDING[level]),
            }
            if since is not None:
                text += " " + _("This has not changed since %(date)s.") % {"date": date_format(since)}
            return text
        if code == "kinship_documents":
            return _(
                "To answer your request %(ref)s we need to see a document showing your relationship "
                "to %(name)s (a birth or marriage certificate). Please bring it or send a copy."
            ) % {"ref": reference, "name": name}
        if code == "lookup_code":
            return _(
                "You can see the status of your request %(ref)s at any time on the bureau's status "
                "page, with the one-time code we give you separately."
            ) % {"ref": reference}
    raise ValueError(f"no message template {code!r}")
