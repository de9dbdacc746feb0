"""The demo's people: who they are and which part of the story each one lives through.

Pure data, no database: the same seed and size always give the same cast, so the demo is
reproducible and the generator can be tested on its own. Everyone is fictional: names from
Faker's Ukrainian lists, service numbers and call signs made up here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from faker import Faker

from tracebureau.scenario.names import FEMALE_NAMES, MALE_NAMES

DEFAULT_SIZE = 600
MIN_SIZE = 60
MAX_SIZE = 20_000

# The seed article's numbers, kept exactly at the default size and scaled otherwise.
SEED_COHORTS = {"wounded": 53, "olenivka": 211, "exchange_50": 50, "kyiv_58": 58}
# How the rest of the cast divides; "missing" takes what is left over.
REST_SHARES = {"captured_later": 0.35, "killed": 0.12, "civilians": 0.08}
COHORTS = (*SEED_COHORTS, "latin_only", *REST_SHARES, "missing")

# Agency code → (share of the military cohorts, unit, ranks, service-number prefix).
AGENCIES = {
    "national-guard": (0.42, "окремий загін спеціального призначення «Азов»", "НГ"),
    "navy": (0.25, "36 окрема бригада морської піхоти", "ВМС"),
    "armed-forces": (0.10, "загін територіальної оборони м. Маріуполь", "ЗСУ"),
    "border-guard": (0.12, "Маріупольський прикордонний загін", "ДПСУ"),
    "police": (0.11, "Головне управління Національної поліції в Донецькій області", "НП"),
}
RANKS = (
    "солдат", "старший солдат", "молодший сержант", "сержант", "старший сержант",
    "головний сержант", "штаб-сержант", "молодший лейтенант", "лейтенант",
    "старший лейтенант", "капітан", "майор", "підполковник",
)
POLICE_RANKS = ("сержант поліції", "старший сержант поліції", "лейтенант поліції", "капітан поліції")
CALL_SIGNS = (
    "Грім", "Сокіл", "Лис", "Тайфун", "Борода", "Док", "Мороз", "Шаман", "Вовк", "Тихий",
    "Хмара", "Бард", "Граф", "Ведмідь", "Ворон", "Козак", "Марс", "Юрист", "Фізик", "Сірий",
    "Беркут", "Джміль", "Хорт", "Самурай", "Вітер", "Дніпро", "Скіф", "Малий", "Зілля", "Причал",
)
BIRTHPLACES = (
    "Маріуполь", "Маріуполь", "Київ", "Запоріжжя", "Дніпро", "Харків", "Бердянськ",
    "Краматорськ", "Полтава", "Львів", "Черкаси", "Нікополь",
)


@dataclass(frozen=True)
class PersonSpec:
    """One fictional person: identity fields and the part of the story they live through."""

    number: int
    cohort: str
    family_name: str
    given_names: str
    patronymic: str
    sex: str
    birth: tuple[int, int | None, int | None]
    category: str
    agency: str
    rank: str = ""
    unit: str = ""
    service_number: str = ""
    call_sign: str = ""
    place_of_birth: str = ""
    # Also on the adversary's list, written in Russian: gets Russian spellings from that source.
    listed_in_russian: bool = False

    @property
    def is_military(self) -> bool:
        return self.agency not in ("", "civilian")


def cohort_sizes(size: int) -> dict[str, int]:
    """How many people live through each part of the story, for a cast of `size`."""
    scale = size / DEFAULT_SIZE
    sizes = {name: max(1, round(count * scale)) for name, count in SEED_COHORTS.items()}
    sizes["latin_only"] = max(2, round(5 * scale))
    rest = size - sum(sizes.values()) - 1  # one more record: the duplicate that gets merged
    sizes |= {name: max(1, round(rest * share)) for name, share in REST_SHARES.items()}
    sizes["missing"] = size - sum(sizes.values()) - 1
    return sizes


class CastBuilder:
    """Draws identities from one seeded random source, in a fixed order."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.faker = Faker("uk_UA")
        self.faker.seed_instance(seed)
        self.service_numbers: set[str] = set()

    def build(self, size: int) -> list[PersonSpec]:
        cast: list[PersonSpec] = []
        for cohort, count in cohort_sizes(size).items():
            for index in range(count):
                cast.append(self.person(len(cast) + 1, cohort, index))
        return cast

    def person(self, number: int, cohort: str, index: int) -> PersonSpec:
        female = self.rng.random() < (0.4 if cohort == "civilians" else 0.05)
        return PersonSpec(
            number=number, cohort=cohort, **self._name(female), sex="female" if female else "male",
            birth=self._birth(), **self._affiliation(cohort, index, female),
            place_of_birth=self.rng.choice(BIRTHPLACES) if self.rng.random() < 0.6 else "",
            listed_in_russian=self._listed_in_russian(cohort),
        )

    def _affiliation(self, cohort: str, index: int, female: bool) -> dict[str, str]:
        if cohort == "civilians":
            return {"category": "civilian_detainee", "agency": "civilian"}
        if cohort == "latin_only":
            # Known only from the adversary's list, which names no unit.
            return {"category": "prisoner_of_war", "agency": ""}
        agency = self._agency(cohort, index)
        return {"category": "prisoner_of_war", "agency": agency, **self._service(agency, female)}

    def _agency(self, cohort: str, index: int) -> str:
        # "According to preliminary data, four of them served in the Azov regiment."
        if cohort == "kyiv_58":
            return "national-guard" if index < 4 else self.rng.choice(("navy", "border-guard", "police"))
        codes = list(AGENCIES)
        return self.rng.choices(codes, weights=[AGENCIES[c][0] for c in codes])[0]

    def _name(self, female: bool) -> dict[str, str]:
        father = self.rng.choice(MALE_NAMES)
        if female:
            given = self.rng.choice(list(FEMALE_NAMES))
            return {"family_name": self.faker.last_name_female(), "given_names": given,
                    "patronymic": father.uk_daughter}
        # Mostly the common names of the generation; now and then a rarer one from Faker's list.
        given = self.faker.first_name_male() if self.rng.random() < 0.1 else self.rng.choice(MALE_NAMES).uk
        return {"family_name": self.faker.last_name_male(), "given_names": given,
                "patronymic": father.uk_son}

    def _birth(self) -> tuple[int, int | None, int | None]:
        year, month, day = self.rng.randint(1966, 2003), self.rng.randint(1, 12), self.rng.randint(1, 28)
        shape = self.rng.random()
        if shape < 0.1:
            return (year, None, None)
        return (year, month, None) if shape < 0.25 else (year, month, day)

    def _service(self, agency: str, female: bool) -> dict[str, str]:
        _share, unit, prefix = AGENCIES[agency]
        if female:
            unit = "медична рота"
        ranks = POLICE_RANKS if agency == "police" else RANKS
        return {
            "rank": self.rng.choices(ranks, weights=range(len(ranks), 0, -1))[0],
            "unit": unit,
            "service_number": self._service_number(prefix),
            "call_sign": self.rng.choice(CALL_SIGNS) if self.rng.random() < 0.3 else "",
        }

    def _service_number(self, prefix: str) -> str:
        while True:
            number = f"{prefix}-{self.rng.randint(100000, 999999)}"
            if number not in self.service_numbers:
                self.service_numbers.add(number)
                return number

    def _listed_in_russian(self, cohort: str) -> bool:
        chance = {"captured_later": 1.0, "latin_only": 1.0, "olenivka": 0.25, "wounded": 0.2}
        return self.rng.random() < chance.get(cohort, 0.0)


def build_cast(*, seed: int, size: int = DEFAULT_SIZE) -> list[PersonSpec]:
    """The fictional cast for a seed and size (the duplicate record is made later, from it)."""
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"The demo size must be between {MIN_SIZE} and {MAX_SIZE}, not {size}.")
    return CastBuilder(seed).build(size)
