"""The demo's press release: drafted by the press officer, reviewed by the analyst, approved by
the head of the press centre and published, so that the public page has something to show."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from tracebureau.press import services
from tracebureau.press.choices import Period, TableKey
from tracebureau.press.models import Release


def publish_release(*, analyst: Any) -> Release:
    users = get_user_model().objects
    press, head = users.get(username="press"), users.get(username="headpress")
    release = services.release_draft(
        by=press,
        title="Prisoners of war, missing and the fallen: figures after the Azovstal exchanges (demo)",
        note="Generated, fictional data: the Azovstal 2022 demo scenario.",
        # Not the tracing requests: the demo has a handful, all too few to publish.
        tables=[
            TableKey.EXCHANGES, TableKey.FLOWS, TableKey.BY_STATUS_AND_CATEGORY, TableKey.BY_AGENCY_AND_STATUS
        ],
        period=Period.QUARTER,
    )
    services.release_review(by=analyst, release=release, note="Checked against the registry.")
    services.release_approve(by=head, release=release, note="Approved for the briefing.")
    services.release_publish(by=press, release=release)
    return release
