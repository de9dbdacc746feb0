"""The demo's transmissions to the ICRC Central Tracing Agency: the prisoners we hold get their
capture cards, a few are moved, fall ill or die, and one batch is prepared by the case officer,
authorised by the analyst and sent. A later transfer waits for the next batch, so the page has
something to prepare."""

from __future__ import annotations

from typing import Any

from tracebureau.interchange import services
from tracebureau.registry.models import Person


def transmit(story: Any) -> None:
    held = list(Person.objects.filter(side="adversary", merged_into__isnull=True).order_by("pk"))
    if len(held) < 4:
        return
    moved, ill, dead, later = held[0], held[1], held[2], held[3]
    story.record(
        moved,
        "transferred",
        story.between("2022-07-01", "2022-07-10"),
        "unit",
        1,
        place="pow_camp",
        note="Transferred with his unit's prisoners to the camp.",
    )
    story.record(
        ill,
        "hospitalised",
        story.between("2022-07-01", "2022-07-10"),
        "unit",
        1,
        place="kyiv_hospital",
        note="Admitted with pneumonia.",
    )
    story.record(
        dead,
        "died_in_custody",
        story.between("2022-07-11", "2022-07-20"),
        "unit",
        1,
        place="kyiv_hospital",
        note="Died of his wounds in hospital; death certificate No. 2022/417.",
    )
    story.record(
        dead,
        "buried",
        story.between("2022-07-21", "2022-07-25"),
        "unit",
        1,
        place="pow_cemetery",
        note="Plot 3, row 2, grave 11; numbered marker; identity disc kept with the file.",
    )
    batch = services.batch_prepare(by=story.world.officer)
    services.batch_authorise(batch=batch, by=story.world.analyst, note="Checked against the camp register.")
    services.batch_send(
        batch=batch,
        by=story.world.officer,
        note="Secure e-mail to the ICRC delegation in Kyiv, acknowledged.",
    )
    story.record(
        later,
        "transferred",
        story.between("2022-08-01", "2022-08-10"),
        "unit",
        1,
        place="pow_camp",
        note="Transferred to the camp.",
    )
    story.say(
        f"ICRC Central Tracing Agency: {batch.reference} sent ({batch.item_count} capture cards and "
        "notifications); one transfer waits for the next batch"
    )
