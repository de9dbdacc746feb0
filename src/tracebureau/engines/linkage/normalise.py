"""Normalisation: one spelling per written name, before any transliteration.

Unicode compatibility forms, case, the many apostrophes (ʼ ' ` ’ ‘ ʹ ′), soft and hard signs
kept or dropped consistently, dashes unified, and a full name split into its parts whatever
the order it was written in.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

from tracebureau.engines.linkage.records import LinkageInputError
from tracebureau.engines.linkage.transliterate import skeleton

_APOSTROPHES = re.compile("[\u02bc'`\u2019\u2018\u02b9\u2032\u00b4\"\u02ee]")
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2212-]+")
_NOT_NAME = re.compile(r"[^\w\- ]+")
_SPACES = re.compile(r"\s+")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_CODE_RUNS = re.compile(r"\d+|[^\W\d_]+")

# Endings of Ukrainian and Russian patronymics, in Cyrillic and in every common romanisation.
_PATRONYMIC = re.compile(
    r"(ович|евич|євич|йович|ьович|івна|ївна|овна|евна|ична|інічна|"
    r"ovych|ovich|evych|evich|yovych|yevich|ievich|iovych|ivna|ovna|evna|yivna|ichna)$"
)


@lru_cache(maxsize=1 << 20)  # names repeat: a registry has far fewer distinct spellings than rows
def normalise_text(text: str) -> str:
    """NFKC, case-folded, apostrophes dropped, dashes and spaces unified, punctuation removed.

    >>> normalise_text("  О’ЛЕНІВКА ")
    'оленівка'
    >>> normalise_text("Petrenko–Ivanenko, D.")
    'petrenko-ivanenko d'
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _APOSTROPHES.sub("", text)
    text = _DASHES.sub("-", text)
    text = _NOT_NAME.sub(" ", text.replace("_", " "))
    text = _SPACES.sub(" ", text).strip(" -")
    return re.sub(r" ?- ?", "-", text)


def is_cyrillic(text: str) -> bool:
    """Whether the text has any Cyrillic letter (names are never mixed on purpose)."""
    return _CYRILLIC.search(text) is not None


_PATRONYMIC_SKELETON = re.compile(r"(oviC|eviC|ivna|ovna|evna|iCna)$")


def looks_like_patronymic(word: str) -> bool:
    """Whether a normalised word ends like a patronymic, in any script or romanisation.

    >>> [looks_like_patronymic(w) for w in ("олександрович", "ivanovna", "sergeevič", "petrenko")]
    [True, True, True, False]
    """
    if len(word) <= 5:
        return False
    return _PATRONYMIC.search(word) is not None or _PATRONYMIC_SKELETON.search(skeleton(word)) is not None


def split_full_name(full_name: str, is_given_name: object = None) -> tuple[str, str, str]:
    """(family, given, patronymic) from a full name in any order and case.

    A patronymic is found by its ending, among three words or more; the given name stands before
    it. Two words are a given name and a surname, since lists never leave the surname out, and
    surnames such as Андрієвич or Василевич end like patronymics. Without a patronymic, a word
    that `is_given_name` (a callable) knows as a given name, where the other is not one, is the
    given name; otherwise Cyrillic is read in the official order "family given" and Latin in
    the order of romanised lists and the news, "given family".

    >>> split_full_name("КОЗАЦЬКИЙ Дмитро Олександрович")
    ('козацький', 'дмитро', 'олександрович')
    >>> split_full_name("Dmitry Aleksandrovich Kozatsky")
    ('kozatsky', 'dmitry', 'aleksandrovich')
    >>> split_full_name("Kozatsky Dmitry", lambda w: w == "dmitry")
    ('kozatsky', 'dmitry', '')
    >>> split_full_name("Andrey Yermak")
    ('yermak', 'andrey', '')
    >>> split_full_name("Yury Andriyevich")
    ('andriyevich', 'yury', '')
    """
    words = normalise_text(full_name).split()
    if not words:
        return "", "", ""
    if len(words) == 1:
        return words[0], "", ""
    for i, word in enumerate(words):
        if i > 0 and len(words) > 2 and looks_like_patronymic(word):
            rest = words[: i - 1] + words[i + 1 :]
            return " ".join(rest), words[i - 1], word
    if callable(is_given_name):
        first, last = bool(is_given_name(words[0])), bool(is_given_name(words[-1]))
        if first != last:
            return (" ".join(words[1:]), words[0], "") if first else (" ".join(words[:-1]), words[-1], "")
    if is_cyrillic(words[0]):
        return " ".join(words[:-1]), words[-1], ""
    return " ".join(words[1:]), words[0], ""


_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def parse_birth_date(text: str) -> tuple[int, int, int]:
    """(year, month, day) with 0 for what is not known; raises ValueError for an impossible date.

    Accepts YYYY-MM-DD, YYYY-MM, YYYY, and also YYYYMMDD and DD.MM.YYYY as lists often write them.

    >>> parse_birth_date("1990-07")
    (1990, 7, 0)
    >>> parse_birth_date("")
    (0, 0, 0)
    """
    text = text.strip()
    if not text:
        return 0, 0, 0
    if found := _DATE.match(text):
        year, month, day = (int(g) if g else 0 for g in found.groups())
    elif found := _DATE_COMPACT.match(text):
        year, month, day = (int(g) for g in found.groups())
    elif found := _DATE_DOTTED.match(text):
        day, month, year = (int(g) for g in found.groups())
    else:
        raise ValueError(f"not a date: {text!r} (expected YYYY-MM-DD, YYYY-MM or YYYY)")
    if not 1850 <= year <= 2100:
        raise ValueError(f"impossible year in {text!r}")
    if month and not 1 <= month <= 12:
        raise ValueError(f"impossible month in {text!r}")
    if day:
        try:
            date(year, month, day)
        except ValueError:
            raise ValueError(f"impossible date {text!r}") from None
    return year, month, day


def check_birth_date(text: str, where: str) -> tuple[int, int, int]:
    """`parse_birth_date`, with a failure reported as a LinkageInputError naming `where`."""
    try:
        return parse_birth_date(text)
    except ValueError as error:
        raise LinkageInputError(f"{where}, column birth_date: {error}") from None


def normalise_code(text: str) -> str:
    """A service number or similar code: its letters as the cross-script skeleton, its digits
    as written, upper case, nothing else. The branch prefix of a Ukrainian service number comes
    back from the other side in Russian Cyrillic or romanised ("ВМС-579810", "VMS 579810"), and
    it must still be the same number.

    >>> normalise_code(" ab-12 345 ")
    'AB12345'
    >>> normalise_code("ВМС-579810") == normalise_code("VMS 579810") == 'VMS579810'
    True
    >>> normalise_code("ДПСУ-1") == normalise_code("dpsu1")
    True
    """
    runs = _CODE_RUNS.findall(unicodedata.normalize("NFKC", text).casefold())
    return "".join(run if run.isdigit() else skeleton(run).upper() for run in runs)
