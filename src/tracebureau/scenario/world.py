"""The fixed part of the demo: agencies, places and sources, as in the seed article.

Places are real (the story happens there); every source and everything said by it is
fictional. Sources are graded as the bureau would grade such a source (Admiralty code).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracebureau.registry import services as registry
from tracebureau.registry.models import Agency
from tracebureau.timeline import services as timeline
from tracebureau.timeline.models import Place, Source

# Every demo source's description starts with this: it is how a loaded demo is recognised.
DEMO_TAG = "Fictional demo source (Azovstal 2022 scenario)."

AGENCIES = (
    ("national-guard", "National Guard of Ukraine", "Національна гвардія України", "national_guard"),
    ("navy", "Naval Forces of Ukraine", "Військово-Морські Сили ЗСУ", "armed_forces"),
    ("armed-forces", "Armed Forces of Ukraine", "Збройні Сили України", "armed_forces"),
    ("border-guard", "State Border Guard Service", "Державна прикордонна служба України", "border_guard"),
    ("police", "National Police of Ukraine", "Національна поліція України", "police"),
    ("civilian", "Civilians", "Цивільні особи", "civilian"),
)

PLACES: dict[str, dict[str, Any]] = {
    "azovstal": dict(
        name="Azovstal iron and steel works, Mariupol", name_uk="Комбінат «Азовсталь», Маріуполь",
        kind="battle_area", control="occupied", region="Donetsk", latitude="47.098", longitude="37.612",
    ),
    "novoazovsk": dict(
        name="Novoazovsk hospital", name_uk="Новоазовська лікарня", other_names=["Новоазовская больница"],
        kind="hospital", control="occupied", region="Donetsk", latitude="47.115", longitude="38.080",
    ),
    "olenivka": dict(
        name="Olenivka colony", name_uk="Оленівська виправна колонія",
        other_names=["Yelenovka", "Еленовка", "Olenovka"], kind="detention_facility",
        control="occupied", region="Donetsk", latitude="47.845", longitude="37.675",
    ),
    "bezimenne": dict(
        name="Bezimenne filtration point", name_uk="Фільтраційний пункт, Безіменне",
        other_names=["Bezymennoye", "Безыменное"], kind="detention_facility", control="occupied",
        region="Donetsk", latitude="47.107", longitude="37.935",
    ),
    "donetsk_sizo": dict(
        name="Donetsk pre-trial detention centre", name_uk="Донецький слідчий ізолятор",
        other_names=["СИЗО Донецк"], kind="detention_facility", control="occupied", region="Donetsk",
    ),
    "taganrog": dict(
        name="Taganrog pre-trial detention centre", name_uk="Слідчий ізолятор, Таганрог",
        other_names=["СИЗО-2 Таганрог"], kind="detention_facility", control="foreign",
        region="Rostov (Russia)", latitude="47.236", longitude="38.897",
    ),
    "donetsk_morgue": dict(
        name="Donetsk morgue", name_uk="Донецький морг", kind="morgue", control="occupied",
        region="Donetsk",
    ),
    "zaporizhzhia": dict(
        name="Zaporizhzhia exchange point", name_uk="Пункт обміну, Запорізька область",
        kind="crossing_point", control="government", region="Zaporizhzhia",
    ),
    "kyiv_morgue": dict(
        name="Kyiv morgue", name_uk="Київський морг", kind="morgue", control="government",
        region="Kyiv", latitude="50.450", longitude="30.523",
    ),
    "kyiv_hospital": dict(
        name="Military hospital, Kyiv", name_uk="Військовий госпіталь, Київ", kind="hospital",
        control="government", region="Kyiv",
    ),
    "pow_camp": dict(
        name="Camp for prisoners of war, Lviv region", name_uk="Табір для військовополонених, Львівщина",
        kind="detention_facility", control="government", region="Lviv",
    ),
    "pow_cemetery": dict(
        name="Cemetery for the adversary's dead, Kharkiv region",
        name_uk="Кладовище для загиблих військових противника, Харківщина", kind="cemetery",
        control="government", region="Kharkiv",
    ),
    "memorial": dict(
        name="Memorial cemetery, Kyiv", name_uk="Меморіальне кладовище, Київ",
        other_names=["Memorial to the fallen heroes of Azovstal"], kind="cemetery",
        control="government", region="Kyiv",
    ),
}

SOURCES = {
    "intel": ("GUR: coordination headquarters summary", "intelligence", "B"),
    "adversary": ("Adversary's list of prisoners (in Russian)", "adversary_list", "D"),
    "icrc": ("ICRC Central Tracing Agency notification", "icrc", "A"),
    "video": ("Proof-of-life video", "video", "C"),
    "relatives": ("Relatives' reports to the hotline", "relatives", "C"),
    "telegram": ("Anonymous Telegram channel", "media", "E"),
    "returnee": ("Returnee testimony", "returnee", "B"),
    "media": ("Media reports", "media", "D"),
    "unit": ("Unit commander's report", "official", "B"),
    "exchange": ("Exchange protocol", "official", "A"),
    "dna": ("Forensic DNA laboratory", "official", "A"),
    "cemetery": ("Cemetery register", "official", "A"),
}


@dataclass
class World:
    """Who records the story, and the agencies, places and sources it refers to."""

    officer: Any
    analyst: Any
    agencies: dict[str, Agency]
    places: dict[str, Place]
    sources: dict[str, Source]


def demo_is_loaded() -> bool:
    return Source.objects.filter(description__startswith=DEMO_TAG).exists()


def _agencies() -> dict[str, Agency]:
    """The agencies, reusing any an operator has already created under the same code."""
    existing = {a.code: a for a in Agency.objects.filter(code__in=[row[0] for row in AGENCIES])}
    return {
        code: existing.get(code) or registry.agency_create(code=code, name=name, name_uk=uk, kind=kind)
        for code, name, uk, kind in AGENCIES
    }


def _sources(by: Any) -> dict[str, Source]:
    return {
        key: timeline.source_create(
            by=by, name=name, kind=kind, reliability=grade, description=f"{DEMO_TAG} Graded {grade}."
        )
        for key, (name, kind, grade) in SOURCES.items()
    }


def world_create(*, officer: Any, analyst: Any) -> World:
    places = {key: timeline.place_create(by=officer, **fields) for key, fields in PLACES.items()}
    return World(officer, analyst, _agencies(), places, _sources(officer))
