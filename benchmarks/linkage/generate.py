"""A cross-script benchmark: a Ukrainian registry, and a list that names some of its people the
way the adversary's and the ICRC's lists do.

Name inventories are real ones: Faker's `uk_UA` person lists (MIT licence; 524 male and 528
female surnames, 121 male and 66 female given names) and the table of the common names of the
defenders' generation in `tracebureau.scenario.names`, which also gives the Russian equivalents
(Андрій → Андрей) and patronymics. Surnames and given names are drawn with Zipf-like weights, so
common names are common and namesakes occur as they would.

The registry is built with NumPy (a million people in seconds); only the list rows, at most some
ten thousand, are rendered one by one, because each gets its own spelling and its own mistakes.
Everything depends on the seed alone.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import iuliia
import numpy as np
import pandas as pd
import translitua
from faker import Faker

from tracebureau.scenario.names import (
    FEMALE_NAMES,
    MALE_NAMES,
    russian_family_name,
    russian_given_name,
    russian_patronymic,
)

COLUMNS = (
    "id",
    "family_name",
    "given_name",
    "patronymic",
    "full_name",
    "birth_date",
    "sex",
    "service_number",
    "call_sign",
)
SERVICE_PREFIXES = ("НГ", "ВМС", "ЗСУ", "ДПСУ", "НП")
CALL_SIGNS = (
    "Грім",
    "Сокіл",
    "Лис",
    "Тайфун",
    "Борода",
    "Док",
    "Мороз",
    "Шаман",
    "Вовк",
    "Тихий",
    "Хмара",
    "Бард",
    "Граф",
    "Ведмідь",
    "Ворон",
    "Козак",
    "Марс",
    "Юрист",
    "Фізик",
    "Сірий",
)
FIRST_BIRTH_DAY = np.datetime64("1960-01-01")
BIRTH_DAYS = int((np.datetime64("2005-01-01") - FIRST_BIRTH_DAY).astype(int))

# Share of the registry who carry the full name (surname, given name, patronymic) of someone else
# in it: the namesakes that a matcher must keep apart by birth date and service number.
REGISTRY_NAMESAKES = 0.03
# Share of the list that is nobody in the registry, and how many of those are namesakes of
# someone who is.
LIST_OUTSIDERS = 0.2
OUTSIDER_NAMESAKES = 0.5

# How the list writes a name: (key, weight, language of the Cyrillic it starts from, how to
# romanise it). The weights follow what the bureau receives: most lists come from the Russian
# side, in Cyrillic or in one of the Russian romanisations.
Romaniser = Callable[[str], str]
SPELLINGS: tuple[tuple[str, float, str, Romaniser | None], ...] = (
    ("uk_cyrillic", 0.10, "uk", None),
    ("ru_cyrillic", 0.25, "ru", None),
    ("uk_national_2010", 0.12, "uk", lambda s: translitua.translit(s, translitua.UkrainianKMU)),
    ("uk_passport_2007", 0.05, "uk", lambda s: translitua.translit(s, translitua.UkrainianPassport2007)),
    ("ru_bgn_pcgn", 0.12, "ru", iuliia.BGN_PCGN.translate),
    ("ru_gost_7_79_b", 0.06, "ru", iuliia.GOST_779_ALT.translate),
    ("ru_gost_7_79_a", 0.02, "ru", iuliia.GOST_779.translate),
    ("ru_icao_9303", 0.12, "ru", iuliia.ICAO_DOC_9303.translate),
    ("ru_news", 0.16, "ru", iuliia.WIKIPEDIA.translate),
)
DATE_ERRORS = (
    ("exact", 0.50),
    ("day_month_swapped", 0.10),
    ("year_off_by_one", 0.10),
    ("year_only", 0.10),
    ("year_month", 0.05),
    ("missing", 0.15),
)
LAYOUTS = (
    ("parts", 0.55),
    ("family_given_patronymic", 0.20),
    ("given_patronymic_family", 0.15),
    ("given_family", 0.10),
)
# Ukraine has far more surnames than Faker's 524 per sex, the commonest (Мельник, Шевченко) held by
# well under 1% of people; a flat Zipf keeps the commonest near 2% here rather than the 8% that a
# steeper one would give such a short list, which would flood the registry with namesakes.
SURNAME_ZIPF = 0.5
PATRONYMIC_DROPPED = 0.30
TYPO = 0.15
UPPER_CASE = 0.25
SERVICE_NUMBER_GIVEN = 0.35
CALL_SIGN_GIVEN = 0.5
SEX_GIVEN = 0.5


@dataclass(frozen=True)
class Inventory:
    """The names people are drawn from, each with its Russian form, as parallel tuples."""

    male_given: tuple[str, ...]
    female_given: tuple[str, ...]
    male_given_weights: np.ndarray
    female_given_weights: np.ndarray
    male_surnames: tuple[str, ...]
    female_surnames: tuple[str, ...]
    surname_weights_male: np.ndarray
    surname_weights_female: np.ndarray
    fathers: tuple[int, ...] = field(default=())  # indices into MALE_NAMES


def _zipf(n: int, exponent: float, rng: np.random.Generator) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    rng.shuffle(weights)
    return weights / weights.sum()


def _given_weights(common: int, rare: int) -> np.ndarray:
    # Nine in ten carry one of the generation's common names (names.py); the rest a rarer one.
    weights = np.concatenate([np.full(common, 0.9 / common), np.full(rare, 0.1 / max(rare, 1))])
    return weights / weights.sum()


def inventory(seed: int) -> Inventory:
    rng = np.random.default_rng(seed)
    person = Faker("uk_UA").provider("faker.providers.person")
    common_male = tuple(n.uk for n in MALE_NAMES)
    common_female = tuple(FEMALE_NAMES)
    rare_male = tuple(sorted(set(person.first_names_male) - set(common_male)))
    rare_female = tuple(sorted(set(person.first_names_female) - set(common_female)))
    male_surnames = tuple(sorted(set(person.last_names_male)))
    female_surnames = tuple(sorted(set(person.last_names_female)))
    return Inventory(
        male_given=common_male + rare_male,
        female_given=common_female + rare_female,
        male_given_weights=_given_weights(len(common_male), len(rare_male)),
        female_given_weights=_given_weights(len(common_female), len(rare_female)),
        male_surnames=male_surnames,
        female_surnames=female_surnames,
        surname_weights_male=_zipf(len(male_surnames), SURNAME_ZIPF, rng),
        surname_weights_female=_zipf(len(female_surnames), SURNAME_ZIPF, rng),
    )


@dataclass
class People:
    """Columns of integer codes, one row a person; `names` turns them into Ukrainian strings."""

    female: np.ndarray
    given: np.ndarray
    surname: np.ndarray
    father: np.ndarray
    birth_day: np.ndarray
    service_prefix: np.ndarray
    service_digits: np.ndarray  # 0: no service number on file
    call_sign: np.ndarray  # -1: none

    def __len__(self) -> int:
        return len(self.female)

    def take(self, rows: np.ndarray) -> People:
        return People(*(getattr(self, f)[rows] for f in self.__dataclass_fields__))


def draw_people(n: int, inv: Inventory, rng: np.random.Generator) -> People:
    female = rng.random(n) < 0.12  # the defenders' registry is mostly men
    given = np.where(
        female,
        rng.choice(len(inv.female_given), n, p=inv.female_given_weights),
        rng.choice(len(inv.male_given), n, p=inv.male_given_weights),
    )
    surname = np.where(
        female,
        rng.choice(len(inv.female_surnames), n, p=inv.surname_weights_female),
        rng.choice(len(inv.male_surnames), n, p=inv.surname_weights_male),
    )
    has_number = rng.random(n) < 0.7
    return People(
        female=female,
        given=given,
        surname=surname,
        father=rng.integers(0, len(MALE_NAMES), n),
        birth_day=rng.integers(0, BIRTH_DAYS, n),
        service_prefix=rng.integers(0, len(SERVICE_PREFIXES), n),
        service_digits=np.where(has_number, rng.permutation(900_000)[np.arange(n) % 900_000] + 100_000, 0),
        call_sign=np.where(rng.random(n) < 0.15, rng.integers(0, len(CALL_SIGNS), n), -1),
    )


def make_namesakes(people: People, share: float, rng: np.random.Generator) -> None:
    """Give `share` of the people the sex, given name, surname and patronymic of another."""
    n = len(people)
    copies = rng.choice(n, int(n * share), replace=False)
    originals = rng.integers(0, n, len(copies))
    for column in ("female", "given", "surname", "father"):
        values = getattr(people, column)
        values[copies] = values[originals]


def ukrainian_columns(people: People, inv: Inventory) -> dict[str, np.ndarray]:
    """The people as the registry writes them, vectorised: one NumPy take per column."""
    male_given, female_given = np.array(inv.male_given), np.array(inv.female_given)
    male_surnames, female_surnames = np.array(inv.male_surnames), np.array(inv.female_surnames)
    sons = np.array([n.uk_son for n in MALE_NAMES])
    daughters = np.array([n.uk_daughter for n in MALE_NAMES])
    f = people.female
    days = FIRST_BIRTH_DAY + people.birth_day.astype("timedelta64[D]")
    prefixes = pd.Series(np.array(SERVICE_PREFIXES)[people.service_prefix])
    numbers = (prefixes + "-" + pd.Series(people.service_digits).astype(str)).to_numpy()
    return {
        "family_name": np.where(
            f, female_surnames[np.where(f, people.surname, 0)], male_surnames[np.where(f, 0, people.surname)]
        ),
        "given_name": np.where(
            f, female_given[np.where(f, people.given, 0)], male_given[np.where(f, 0, people.given)]
        ),
        "patronymic": np.where(f, daughters[people.father], sons[people.father]),
        "birth_date": np.datetime_as_string(days, unit="D"),
        "sex": np.where(f, "F", "M"),
        "service_number": np.where(people.service_digits > 0, numbers, ""),
        "call_sign": np.where(people.call_sign >= 0, np.array(CALL_SIGNS)[people.call_sign], ""),
    }


@dataclass
class Benchmark:
    """A registry, a list, and which list row is which registry person."""

    registry: pd.DataFrame
    people_list: pd.DataFrame
    truth: set[tuple[str, str]]
    traits: dict[str, dict[str, str]]  # list id → its spelling, layout and mistakes, for the breakdowns
    namesakes: set[str]  # list ids of outsiders who carry the full name of someone in the registry


def generate(*, list_size: int, registry_size: int, seed: int) -> Benchmark:
    """Draw the registry and the list; the same arguments always give the same files.

    >>> b = generate(list_size=10, registry_size=100, seed=1)
    >>> len(b.registry), len(b.people_list), len(b.truth)
    (100, 10, 8)
    """
    rng = np.random.default_rng(seed)
    inv = inventory(seed)
    registry_people = draw_people(registry_size, inv, rng)
    make_namesakes(registry_people, REGISTRY_NAMESAKES, rng)
    registry = pd.DataFrame(
        {"id": [f"R{i:07d}" for i in range(registry_size)], **ukrainian_columns(registry_people, inv)}
    )
    registry.insert(4, "full_name", "")

    outsiders = round(list_size * LIST_OUTSIDERS)
    listed = rng.choice(registry_size, list_size - outsiders, replace=False)
    others = draw_people(outsiders, inv, rng)
    namesakes = rng.random(outsiders) < OUTSIDER_NAMESAKES
    twins = rng.integers(0, registry_size, outsiders)
    for column in ("female", "given", "surname", "father"):
        getattr(others, column)[namesakes] = getattr(registry_people, column)[twins[namesakes]]
    # An outsider's service number, where it has one, is one nobody in the registry has.
    others.service_digits = np.where(
        others.service_digits > 0, rng.integers(1_000_000, 9_999_999, outsiders), 0
    )

    subjects = pd.concat(
        [
            pd.DataFrame(ukrainian_columns(registry_people.take(listed), inv)).assign(
                truth=registry["id"].to_numpy()[listed], namesake=False
            ),
            pd.DataFrame(ukrainian_columns(others, inv)).assign(truth="", namesake=namesakes),
        ],
        ignore_index=True,
    )
    order = rng.permutation(len(subjects))
    subjects = subjects.iloc[order].reset_index(drop=True)
    renderer = ListRenderer(random.Random(seed))
    rows, traits, truth, namesake_ids = [], {}, set(), set()
    for i, subject in enumerate(subjects.itertuples(index=False)):
        list_id = f"L{i:06d}"
        row, traits[list_id] = renderer.render(subject._asdict())
        rows.append({"id": list_id, **row})
        if subject.truth:
            truth.add((list_id, subject.truth))
        if subject.namesake:
            namesake_ids.add(list_id)
    mark_identifiable(subjects, rows, traits, registry)
    return Benchmark(registry, pd.DataFrame(rows, columns=list(COLUMNS)), truth, traits, namesake_ids)


def mark_identifiable(
    subjects: pd.DataFrame,
    rows: list[dict[str, str]],
    traits: dict[str, dict[str, str]],
    registry: pd.DataFrame,
) -> None:
    """Say, for each list row, whether even a perfect reader could tell who it is.

    A perfect reader undoes every spelling and typo, so it knows the Ukrainian surname and given
    name; it then keeps the registry people whose patronymic, birth date and service number could
    have become what the list says under this generator's mistakes. A true row with more than one
    such person ("ambiguous") cannot be matched with confidence, and an outsider with one or more
    ("confusable") cannot be told apart from them: these bound what any system can score.
    """
    by_name = registry.groupby(["family_name", "given_name"]).indices
    patronymics = registry["patronymic"].to_numpy()
    births = registry["birth_date"].to_numpy()
    numbers = registry["service_number"].str.replace(r"\D", "", regex=True).to_numpy()
    for subject, row in zip(subjects.itertuples(index=False), rows, strict=True):
        listed_number = "".join(ch for ch in row["service_number"] if ch.isdigit())
        keeps_patronymic = traits[row["id"]]["patronymic"] == "given"
        compatible = 0
        for i in by_name.get((subject.family_name, subject.given_name), ()):
            if keeps_patronymic and patronymics[i] != subject.patronymic:
                continue
            if listed_number and numbers[i] != listed_number:
                continue
            if dates_compatible(row["birth_date"], births[i]):
                compatible += 1
        traits[row["id"]]["fits"] = str(compatible)
        if subject.truth:
            traits[row["id"]]["identity"] = "unique" if compatible == 1 else "ambiguous"
        else:
            traits[row["id"]]["identity"] = "confusable" if compatible else "distinct"


def attainable_f1(traits: dict[str, dict[str, str]], true_pairs: int) -> tuple[float, float]:
    """Two ceilings for F1 on this data (see mark_identifiable).

    - "clairvoyant": propose the true rows that fit their own person alone, and no outsider.
    - "perfect reader": propose every row that fits exactly one registry person, which is what
      an ideal matcher does, since it cannot know that an outsider who fits one registry person
      alone is not that person; those outsiders are its wrong pairs.

    >>> traits = {"a": {"identity": "unique", "fits": "1"}, "b": {"identity": "confusable", "fits": "1"}}
    >>> attainable_f1(traits, 2)
    (0.6666666666666666, 0.5)
    """
    unique = sum(1 for t in traits.values() if t["identity"] == "unique")
    wrong = sum(1 for t in traits.values() if t["identity"] == "confusable" and t.get("fits") == "1")
    clairvoyant = 2 * unique / (unique + true_pairs)
    reader = 2 * unique / (2 * unique + wrong + (true_pairs - unique))
    return clairvoyant, reader


def dates_compatible(listed: str, iso: str) -> bool:
    """Could this generator have written `iso` as `listed`?

    >>> [dates_compatible(d, "1990-03-07") for d in ("", "1990", "1990-03", "1990-07-03", "1991-03-07")]
    [True, True, True, True, True]
    >>> dates_compatible("1990-04", "1990-03-07"), dates_compatible("1992-03-07", "1990-03-07")
    (False, False)
    """
    if len(listed) < 10:
        return iso.startswith(listed)
    year, rest = int(listed[:4]), listed[4:]
    swapped = f"{listed[:4]}-{listed[8:10]}-{listed[5:7]}"
    if listed == iso or swapped == iso:
        return True
    # A year off keeps month and day, except that 29 February becomes the 28th.
    same_day = rest == iso[4:] or (rest[:3] == "-02" and iso[5:7] == "02")
    return same_day and abs(int(iso[:4]) - year) == 1


def _pick(rng: random.Random, choices: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


@cache
def _russian(kind: str, word: str) -> str:
    if not word:
        return ""
    return {
        "family_name": russian_family_name,
        "given_name": russian_given_name,
        "patronymic": russian_patronymic,
    }[kind](word)


@cache
def _romanise(spelling: str, word: str) -> str:
    romaniser = next(r for key, _, _, r in SPELLINGS if key == spelling)
    return romaniser(word) if romaniser and word else word


LATIN = "abcdefghijklmnopqrstuvwxyz"
CYRILLIC_UK = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
CYRILLIC_RU = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"


class ListRenderer:
    """Writes one person as a list row: a spelling, a layout, and mistakes."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def render(self, person: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        rng = self.rng
        spelling = rng.choices([s[0] for s in SPELLINGS], weights=[s[1] for s in SPELLINGS])[0]
        language = next(s[2] for s in SPELLINGS if s[0] == spelling)
        names = {}
        for kind in ("family_name", "given_name", "patronymic"):
            word = person[kind] if language == "uk" else _russian(kind, person[kind])
            names[kind] = _romanise(spelling, word)
        traits = {
            "spelling": spelling,
            "patronymic": "given" if names["patronymic"] else "none on file",
            "typo": "none",
        }
        if rng.random() < PATRONYMIC_DROPPED:
            names["patronymic"] = ""
            traits["patronymic"] = "dropped"
        if rng.random() < TYPO:
            kind = rng.choice(("family_name", "given_name"))
            alphabet = (
                CYRILLIC_UK
                if spelling == "uk_cyrillic"
                else CYRILLIC_RU
                if spelling == "ru_cyrillic"
                else LATIN
            )
            names[kind] = typo(names[kind], alphabet, rng)
            traits["typo"] = f"in {kind}"
        if rng.random() < UPPER_CASE:
            names = {k: v.upper() for k, v in names.items()}
        row = {"family_name": "", "given_name": "", "patronymic": "", "full_name": ""}
        layout = traits["layout"] = _pick(rng, LAYOUTS)
        family, given, patronymic = names["family_name"], names["given_name"], names["patronymic"]
        if layout == "parts":
            row.update(names)
        else:
            words = {
                "family_given_patronymic": (family, given, patronymic),
                "given_patronymic_family": (given, patronymic, family),
                "given_family": (given, family),
            }[layout]
            row["full_name"] = " ".join(w for w in words if w)
            if layout == "given_family" and traits["patronymic"] == "given":
                traits["patronymic"] = "dropped"  # this layout has no room for it
        row["birth_date"], traits["birth_date"] = birth_date_as_listed(person["birth_date"], rng)
        row["sex"] = person["sex"] if rng.random() < SEX_GIVEN else ""
        number = person["service_number"]
        row["service_number"] = (
            _romanise(spelling, number) if number and rng.random() < SERVICE_NUMBER_GIVEN else ""
        )
        call_sign = person["call_sign"]
        row["call_sign"] = (
            _romanise(spelling, call_sign) if call_sign and rng.random() < CALL_SIGN_GIVEN else ""
        )
        traits["service_number"] = "given" if row["service_number"] else "not given"
        return row, traits


def birth_date_as_listed(iso: str, rng: random.Random) -> tuple[str, str]:
    """The birth date with the list's usual mistakes: day and month swapped, a year off, or less."""
    year, month, day = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    error = _pick(rng, DATE_ERRORS)
    if error == "day_month_swapped" and day <= 12 and day != month:
        return f"{year:04d}-{day:02d}-{month:02d}", error
    if error == "year_off_by_one":
        year += rng.choice((-1, 1))
        day = min(day, 28) if month == 2 else day
        return f"{year:04d}-{month:02d}-{day:02d}", error
    if error == "year_only":
        return f"{year:04d}", error
    if error == "year_month":
        return f"{year:04d}-{month:02d}", error
    if error == "missing":
        return "", error
    return iso, "exact"


def typo(word: str, alphabet: str, rng: random.Random) -> str:
    """One keyboard slip inside the word: a letter dropped, doubled, replaced, or two swapped."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    letter = rng.choice(alphabet)
    if word[i].isupper():
        letter = letter.upper()
    kind = rng.choice(("delete", "insert", "replace", "transpose"))
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    if kind == "insert":
        return word[:i] + letter + word[i:]
    if kind == "replace":
        return word[:i] + letter + word[i + 1 :]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
