"""A small world for the browser test, built through the services (run by `tracebureau shell`)."""

import datetime as dt

from django_otp.plugins.otp_totp.models import TOTPDevice

from tracebureau.core.models import User
from tracebureau.registry import services as registry
from tracebureau.registry.models import Agency
from tracebureau.timeline import services as timeline

by = User.objects.create_user(
    "navy.officer", password="a-long-browser-password-1", roles=["case_officer"], clearance="confidential",
)
# A case officer signs in with a second factor; the test computes its codes from this key.
TOTPDevice.objects.create(
    user=by, name="browser", confirmed=True, key="3132333435363738393031323334353637383930"
)
navy = Agency.objects.create(code="navy", name="Navy", name_uk="Військово-морські сили", kind="armed_forces")
intel = timeline.source_create(by=by, name="GUR report", kind="intelligence", reliability="B")
icrc = timeline.source_create(by=by, name="ICRC notification", kind="icrc", reliability="A")
rumour = timeline.source_create(by=by, name="Telegram channel", kind="media", reliability="E")
mother = timeline.source_create(by=by, name="Mother", kind="relatives", reliability="C")
olenivka = timeline.place_create(
    by=by,
    name="Olenivka colony", name_uk="Оленівська колонія", other_names=["Yelenovka"],
    kind="detention_facility", control="occupied",
)
hospital = timeline.place_create(by=by, name="Novoazovsk hospital", kind="hospital", control="occupied")
person = registry.person_create(
    by=by, family_name="Козацький", given_names="Дмитро", patronymic="Олександрович",
    category="prisoner_of_war", agency=navy, rank="Senior sailor", unit="36th Marine Brigade",
    service_number="AB123456", call_sign="Орест", birth_year=1998, birth_month=3, birth_day=12,
)


def event(kind, on, source=intel, credibility=2, precision="day", **fields):
    return timeline.event_record(
        person=person, kind=kind, occurred_on=dt.date.fromisoformat(on), precision=precision,
        source=source, credibility=credibility, by=by, **fields,
    )


event("reported_missing", "2022-04-01", source=mother)
event("captured", "2022-05-01", precision="month", place=hospital, note="Wounded at Azovstal")
event("transferred", "2022-05-17", place=olenivka)
mistaken = event("hospitalised", "2022-06-02", place=hospital)
timeline.event_retract(event=mistaken, by=by, reason="Another sailor of the same name")
event("killed", "2022-07-29", source=rumour, credibility=5, note="Claimed in a Telegram post")
event("icrc_visit", "2022-09-10", source=icrc, place=olenivka)
# The review queue's own person, so that accepting a list row never adds to the timeline that
# the person page test counts.
registry.person_create(
    by=by, family_name="Бондаренко", given_names="Максим", patronymic="Ігорович",
    category="prisoner_of_war", agency=navy, service_number="CD654321",
    birth_year=1995, birth_month=7, birth_day=21,
)
for n in range(5):
    registry.person_create(by=by, family_name=f"Шевченко-{n}", given_names="Андрій", category="missing")

# Identification: two officers (a DNA identification needs a second one), a missing sailor whose
# father and mother gave references, and the batch his remains arrive in. Both parents are
# homozygous for rare alleles (p = 0.05) at three markers, so remains a/b there give
# LR = 1 / (2 · 0.05 · 0.05) = 200 per marker, 200³ = 8 000 000 in all (10^6.9).
from tracebureau.identification import services as identification  # noqa: E402

officers = []
for name in ("dna.first", "dna.second"):
    officer = User.objects.create_user(
        name, password="a-long-browser-password-1", roles=["identification_officer"],
        clearance="confidential",
    )
    TOTPDevice.objects.create(
        user=officer, name="browser", confirmed=True, key="3132333435363738393031323334353637383930"
    )
    officers.append(officer)
missing = registry.person_create(
    by=by, family_name="Мельник", given_names="Олег", patronymic="Іванович", category="missing", sex="male",
    agency=navy, birth_year=1999,
)
timeline.event_record(
    person=missing, kind="reported_missing", occurred_on=dt.date(2022, 5, 20), precision="day",
    source=mother, credibility=3, by=by,
)
frequencies = "marker,allele,freq\n" + "".join(
    f"L{n},{allele},{freq}\n" for n in (1, 2, 3) for allele, freq in (("a", 0.05), ("b", 0.05), ("c", 0.9))
)
identification.frequency_table_import(
    by=officers[0], name="Generated test population", file_name="freqs.csv", content=frequencies.encode()
)
for code, donor, sex, relationship, allele in (
    ("REF-1", "Мельник Іван", 1, "father", "a"), ("REF-2", "Мельник Ганна", 2, "mother", "b"),
):
    identification.reference_sample_create(
        by=officers[0], person=missing, sample_code=code, donor_name=donor, donor_sex=sex,
        relationship=relationship, consent_given_on=dt.date(2022, 6, 1),
        markers={f"L{n}": [allele, allele] for n in (1, 2, 3)},
    )
identification.repatriation_create(
    by=officers[0], title="58 bodies to Kyiv", arrived_on=dt.date(2022, 6, 14), counterpart="Russian side",
    route="Zaporizhzhia – Kyiv", bodies_reported=58,
)

# Exchanges: a coordinator, two of ours held in Olenivka and two of theirs held by us; the
# browser test negotiates, executes and verifies their exchange.
coordinator = User.objects.create_user(
    "exchange.coordinator", password="a-long-browser-password-1", roles=["exchange_coordinator"],
    clearance="negotiation_sensitive",
)
TOTPDevice.objects.create(
    user=coordinator, name="browser", confirmed=True, key="3132333435363738393031323334353637383930"
)
for family, given, patronymic, born, side in (
    ("Ярошенко", "Тарас", "Богданович", (1991, 4, 9), "own"),
    ("Гнатюк", "Василь", "Романович", (1986, 10, 30), "own"),
    ("Соколов", "Артём", "Игоревич", (1994, 1, 17), "adversary"),
    ("Волков", "Никита", "Андреевич", (1992, 6, 5), "adversary"),
):
    held = registry.person_create(
        by=by, family_name=family, given_names=given, patronymic=patronymic, category="prisoner_of_war",
        side=side, agency=navy if side == "own" else None, sex="male",
        birth_year=born[0], birth_month=born[1], birth_day=born[2],
    )
    timeline.event_record(
        person=held, kind="captured", occurred_on=dt.date(2022, 5, 17), precision="day", source=intel,
        credibility=2, by=by, place=olenivka if side == "own" else None,
    )

# Families: a hotline liaison, and a mother's tracing request about Козацький Дмитро, linked to
# his record and her kinship checked. The lookup's browser test reads her reference and the
# one-time code (random, shown only once) from lookup.json in the data folder.
import json  # noqa: E402
import os  # noqa: E402
from pathlib import Path  # noqa: E402

from tracebureau.families import services as families  # noqa: E402
from tracebureau.registry.models import Person  # noqa: E402

liaison = User.objects.create_user(
    "family.liaison", password="a-long-browser-password-1", roles=["family_liaison"],
    clearance="confidential",
)
TOTPDevice.objects.create(
    user=liaison, name="browser", confirmed=True, key="3132333435363738393031323334353637383930"
)
inquiry = families.inquiry_create(
    by=liaison, requester={"family_name": "Козацька", "given_names": "Олена", "phone": "+380 67 000 00 00"},
    relationship="mother", sought_family_name="Козацький", sought_given_names="Дмитро",
    sought_birth_date="1998-03-12", sought_unit="36th Marine Brigade", last_contact_place="Azovstal",
)
families.inquiry_link(inquiry=inquiry, by=liaison, person=Person.objects.get(service_number="AB123456"))
families.kinship_check(inquiry=inquiry, by=liaison, document="Birth certificate of the son")
(Path(os.environ["TRACEBUREAU_DATA_DIR"]) / "lookup.json").write_text(
    json.dumps({
        "reference": inquiry.reference, "code": families.lookup_code_issue(inquiry=inquiry, by=liaison)
    }),
    encoding="utf-8",
)

# The press centre: a press officer who drafts, an analyst who reviews, the head of the press
# centre who approves; and our people in numbers the press test can count (eight still held,
# six captured and released), beside the handful above that are too few to publish.
for name, role, clearance in (
    ("press.officer", "press_officer", "open"), ("press.analyst", "analyst", "confidential"),
    ("press.head", "head_of_press", "open"),
):
    member = User.objects.create_user(
        name, password="a-long-browser-password-1", roles=[role], clearance=clearance
    )
    if role != "press_officer":  # who sees no individual and approves nothing signs in without
        TOTPDevice.objects.create(
            user=member, name="browser", confirmed=True, key="3132333435363738393031323334353637383930"
        )
for n in range(14):
    counted = registry.person_create(
        by=by, family_name=f"Лисенко-{n}", given_names="Петро", category="prisoner_of_war", agency=navy,
        sex="male", birth_year=1990 + n,
    )
    timeline.event_record(
        person=counted, kind="captured", occurred_on=dt.date(2022, 6, 10), precision="day", source=intel,
        credibility=2, by=by,
    )
    if n >= 8:
        timeline.event_record(
            person=counted, kind="released", occurred_on=dt.date(2022, 9, 21), precision="day",
            source=icrc, credibility=1, by=by,
        )

# Interchange: a case officer who prepares a transmission and an analyst who authorises it (their
# own accounts, so that their codes never collide with another test's sign-in), a place we
# control, and three of the adversary's soldiers in our hands, one of whom died in custody and
# was buried. The interchange test prepares, authorises and sends their batch.
for name, role in (("cta.officer", "case_officer"), ("cta.analyst", "analyst")):
    member = User.objects.create_user(
        name, password="a-long-browser-password-1", roles=[role], clearance="confidential"
    )
    TOTPDevice.objects.create(
        user=member, name="browser", confirmed=True, key="3132333435363738393031323334353637383930"
    )
collection_point = timeline.place_create(
    by=by, name="Kharkiv collection point", name_uk="Харківський пункт збору", kind="detention_facility",
    control="government",
)
cemetery = timeline.place_create(
    by=by, name="Kharkiv city cemetery No. 18", kind="cemetery", control="government"
)
for family, given, patronymic, rank, number, died in (
    ("Кузнецов", "Игорь", "Павлович", "Private", "RU-100201", False),
    ("Морозов", "Денис", "Олегович", "Junior sergeant", "RU-100202", False),
    ("Павлов", "Егор", "Сергеевич", "Corporal", "RU-100203", True),
):
    prisoner = registry.person_create(
        by=by, family_name=family, given_names=given, patronymic=patronymic, category="prisoner_of_war",
        side="adversary", agency=None, power_served="Russian Federation", nationality="Russian",
        rank=rank, service_number=number, sex="male", birth_year=1996,
    )
    timeline.event_record(
        person=prisoner, kind="captured", occurred_on=dt.date(2022, 9, 12), precision="day", source=intel,
        credibility=2, by=by, place=collection_point,
    )
    if died:
        timeline.event_record(
            person=prisoner, kind="died_in_custody", occurred_on=dt.date(2022, 9, 30), precision="day",
            source=intel, credibility=1, by=by, place=collection_point, note="Died of his wounds",
        )
        timeline.event_record(
            person=prisoner, kind="buried", occurred_on=dt.date(2022, 10, 4), precision="day",
            source=intel, credibility=1, by=by, place=cemetery,
            note="Plot 12, row 3, grave 7; numbered marker",
        )
