"""Names for the demo cast, and how the adversary's lists would spell them.

The adversary writes our people's names in Russian Cyrillic (Андрей for Андрій) and romanises
them with Russian schemes ("Andrey"), which is exactly what the bureau's analysts must match
against the registry. This is a small table for fictional data, not a linguistic resource: the
matching engine has its own, complete rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import iuliia

from tracebureau.registry.choices import Transliteration


@dataclass(frozen=True)
class GivenName:
    """A given name in both languages, with the patronymics it forms for a son and a daughter."""

    uk: str
    ru: str
    uk_son: str
    uk_daughter: str
    ru_son: str
    ru_daughter: str


def _table(text: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(line.split()) for line in text.strip().splitlines())


# Ukrainian, Russian, patronymic of a son and a daughter in each: the names common among the
# defenders' generation, so most people in the demo carry one of them.
MALE_NAMES = tuple(GivenName(*row) for row in _table("""
Андрій Андрей Андрійович Андріївна Андреевич Андреевна
Олександр Александр Олександрович Олександрівна Александрович Александровна
Дмитро Дмитрий Дмитрович Дмитрівна Дмитриевич Дмитриевна
Сергій Сергей Сергійович Сергіївна Сергеевич Сергеевна
Микола Николай Миколайович Миколаївна Николаевич Николаевна
Іван Иван Іванович Іванівна Иванович Ивановна
Юрій Юрий Юрійович Юріївна Юрьевич Юрьевна
Олег Олег Олегович Олегівна Олегович Олеговна
Віктор Виктор Вікторович Вікторівна Викторович Викторовна
Володимир Владимир Володимирович Володимирівна Владимирович Владимировна
Василь Василий Васильович Василівна Васильевич Васильевна
Петро Петр Петрович Петрівна Петрович Петровна
Михайло Михаил Михайлович Михайлівна Михайлович Михайловна
Павло Павел Павлович Павлівна Павлович Павловна
Богдан Богдан Богданович Богданівна Богданович Богдановна
Тарас Тарас Тарасович Тарасівна Тарасович Тарасовна
Ігор Игорь Ігорович Ігорівна Игоревич Игоревна
Євген Евгений Євгенович Євгенівна Евгеньевич Евгеньевна
Олексій Алексей Олексійович Олексіївна Алексеевич Алексеевна
Максим Максим Максимович Максимівна Максимович Максимовна
Артем Артем Артемович Артемівна Артемович Артемовна
Денис Денис Денисович Денисівна Денисович Денисовна
Роман Роман Романович Романівна Романович Романовна
Вадим Вадим Вадимович Вадимівна Вадимович Вадимовна
Віталій Виталий Віталійович Віталіївна Витальевич Витальевна
Анатолій Анатолий Анатолійович Анатоліївна Анатольевич Анатольевна
Ярослав Ярослав Ярославович Ярославівна Ярославович Ярославовна
Владислав Владислав Владиславович Владиславівна Владиславович Владиславовна
Святослав Святослав Святославович Святославівна Святославович Святославовна
Костянтин Константин Костянтинович Костянтинівна Константинович Константиновна
Кирило Кирилл Кирилович Кирилівна Кириллович Кирилловна
Назар Назар Назарович Назарівна Назарович Назаровна
Руслан Руслан Русланович Русланівна Русланович Руслановна
Валерій Валерий Валерійович Валеріївна Валерьевич Валерьевна
Григорій Григорий Григорович Григорівна Григорьевич Григорьевна
Степан Степан Степанович Степанівна Степанович Степановна
Леонід Леонид Леонідович Леонідівна Леонидович Леонидовна
Геннадій Геннадий Геннадійович Геннадіївна Геннадьевич Геннадьевна
Станіслав Станислав Станіславович Станіславівна Станиславович Станиславовна
"""))

FEMALE_NAMES: dict[str, str] = {uk: ru for uk, ru in _table("""
Олена Елена
Ольга Ольга
Наталія Наталья
Тетяна Татьяна
Ірина Ирина
Юлія Юлия
Марія Мария
Анна Анна
Катерина Екатерина
Світлана Светлана
Оксана Оксана
Людмила Людмила
Вікторія Виктория
Анастасія Анастасия
Дарина Дарья
Христина Кристина
""")}

_RUSSIAN_BY_UKRAINIAN = {n.uk: n.ru for n in MALE_NAMES} | FEMALE_NAMES
_PATRONYMICS = {n.uk_son: n.ru_son for n in MALE_NAMES} | {
    n.uk_daughter: n.ru_daughter for n in MALE_NAMES
}

# Endings first (a Ukrainian -ський is a Russian -ский), then letter by letter.
_ENDINGS = (
    (re.compile(r"([сцз])ький$"), r"\1кий"),
    (re.compile(r"([сцз])ька$"), r"\1кая"),
    (re.compile(r"ець$"), "ец"),
    (re.compile(r"ів$"), "ов"),
    (re.compile(r"ійович$"), "ьевич"),
    (re.compile(r"ійовна$"), "ьевна"),
    (re.compile(r"ївна$"), "евна"),
    (re.compile(r"івна$"), "овна"),
    (re.compile(r"йович$"), "евич"),
)
_LETTERS = str.maketrans({
    "і": "и", "ї": "и", "є": "е", "ґ": "г", "І": "И", "Ї": "И", "Є": "Е", "Ґ": "Г",
    "ʼ": "ь", "'": "ь", "’": "ь",
})


def _russify(word: str) -> str:
    """A rule-of-thumb Russian spelling of a Ukrainian name (Козацький → Козацкий)."""
    for pattern, replacement in _ENDINGS:
        word = pattern.sub(replacement, word)
    return word.replace("ьо", "е").translate(_LETTERS)


def russian_given_name(uk: str) -> str:
    return _RUSSIAN_BY_UKRAINIAN.get(uk) or _russify(uk)


def russian_patronymic(uk: str) -> str:
    return _PATRONYMICS.get(uk) or _russify(uk)


def russian_family_name(uk: str) -> str:
    return _russify(uk)


@dataclass(frozen=True)
class Spelling:
    """One way of writing a full name, and the standard it follows."""

    family_name: str
    given_names: str
    patronymic: str
    script: str
    transliteration: str = ""


def russian_spelling(family_name: str, given_names: str, patronymic: str) -> Spelling:
    """The name as the adversary's list writes it in Cyrillic: Андрей for Андрій."""
    return Spelling(
        russian_family_name(family_name), russian_given_name(given_names),
        russian_patronymic(patronymic), script="cyrillic_ru",
    )


# The Russian romanisations that the adversary's lists and foreign media use.
RUSSIAN_SCHEMES: dict[str, Any] = {
    Transliteration.BGN_PCGN: iuliia.BGN_PCGN,
    Transliteration.ICAO_9303: iuliia.ICAO_DOC_9303,
    Transliteration.GOST_7_79: iuliia.GOST_779,
}


def russian_latin_spelling(russian: Spelling, scheme: str = Transliteration.BGN_PCGN) -> Spelling:
    """The Russian spelling romanised by a Russian scheme: Andrey (BGN/PCGN), Andrei (ICAO).

    >>> russian_latin_spelling(russian_spelling("Козацький", "Андрій", "Сергійович")).given_names
    'Andrey'
    """
    schema = RUSSIAN_SCHEMES[scheme]
    parts = (russian.family_name, russian.given_names, russian.patronymic)
    family, given, patronymic = (schema.translate(p) if p else "" for p in parts)
    return Spelling(family, given, patronymic, script="latin", transliteration=str(scheme))
