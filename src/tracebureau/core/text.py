"""Text helpers for search: one folded form of a name, whatever the script or apostrophe."""

from __future__ import annotations

import re
import unicodedata

from translitua import UkrainianKMU, translit

_APOSTROPHES = re.compile("['ʼ’‘`´ʹ\u02bb]")
_SPACES = re.compile(r"[\s\-]+")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_UKRAINIAN_ONLY = re.compile("[іїєґІЇЄҐ]")
_RUSSIAN_ONLY = re.compile("[ыэъёЫЭЪЁ]")


def fold(text: str) -> str:
    """Case-folded, apostrophe-free, single-spaced: how names are compared in search.

    >>> fold("  Мар'яна   ОЛІЙНИК-Коваль ")
    'маряна олійник коваль'
    """
    text = unicodedata.normalize("NFKC", text)
    text = _APOSTROPHES.sub("", text)
    return _SPACES.sub(" ", text).strip().casefold()


def is_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


def guess_script(text: str) -> str:
    """The script a name is written in, as registry.choices.Script values."""
    if not is_cyrillic(text):
        return "latin"
    if _RUSSIAN_ONLY.search(text) and not _UKRAINIAN_ONLY.search(text):
        return "cyrillic_ru"
    return "cyrillic_uk"


def latin_national(text: str) -> str:
    """Ukrainian Cyrillic in the national 2010 (KMU) transliteration.

    >>> latin_national("Андрій Козацький")
    'Andrii Kozatskyi'
    """
    return str(translit(text, UkrainianKMU))


def search_text(*parts: str) -> str:
    """What a name variant is searched by: the folded name, plus its KMU spelling if Cyrillic."""
    name = " ".join(p for p in parts if p)
    folded = fold(name)
    if is_cyrillic(name):
        return f"{folded} | {fold(latin_national(name))}"
    return folded
