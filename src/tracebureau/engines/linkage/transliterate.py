"""Transliteration: every spelling of a name, Cyrillic or Latin, to one comparable Latin skeleton.

A skeleton is not a transliteration a person would write; it is where all of them meet. The
Ukrainian national standard (KMU 2010: "Kozatskyi", "Yermak", "Hryhorii"), older Ukrainian
passport styles ("Kozatskiy", "Grigoriy"), Russian BGN/PCGN ("Yermak", "Dmitriy"), GOST 7.79
("Dmitrij", "Čajka", "Ŝukin"), ICAO 9303 ("Dmitrii", "Iurii"), German and news spellings
("Dmitri", "Jurij", "Schewtschenko") and the Cyrillic itself all reduce to the same letters:

- г ґ h g are one sound class (Ukrainian г is "h", Russian г is "g"); х kh is another;
- и і ї й ы y j i are one vowel; є е э ё and "ye" "ie" "je" are one;
- ж zh ž, ч ch č tch tsch, ш щ sh shch sch š ŝ, ц ts tz c cz are one letter each (Latin
  "c" is ц as GOST 7.79, ISO 9 and Polish spellings write it, and "cz" is GOST 7.79 B's ц,
  "Daczyuk", not the Polish ч: lists here follow the Russian standard, not Polish);
- soft and hard signs and apostrophes vanish; doubled letters collapse ("Savchenkko").

So "Kozatsky", "Kozatskyi", "Козацький" and "Козацкий" all become "kozaTki" (a capital marks
a letter that stands for one sound, here ц), and "Yermak", "Ermak", "Єрмак" and "Ермак" all
become "ermak".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CYRILLIC_TO_SKELETON = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "ґ": "g",
        "д": "d",
        "е": "e",
        "є": "ie",
        "ё": "e",
        "ж": "Z",
        "з": "z",
        "и": "i",
        "і": "i",
        "ї": "i",
        "й": "i",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "X",
        "ц": "T",
        "ч": "C",
        "ш": "S",
        "щ": "S",
        "ъ": "",
        "ы": "i",
        "ь": "",
        "э": "e",
        "ю": "iu",
        "я": "ia",
        "-": "",
        " ": "",
    }
)

# Letters with diacritics of the scholarly and GOST schemes, before the marks are stripped.
_LATIN_LETTERS = str.maketrans(
    {
        "č": "C",
        "š": "S",
        "ŝ": "S",
        "ž": "Z",
        "ĉ": "C",
        "ë": "e",
        "è": "e",
        "é": "e",
        "û": "iu",
        "â": "ia",
        "ŭ": "u",
        "ǐ": "i",
        "ĭ": "i",
        "ȳ": "i",
        "ʹ": "",
        "ʺ": "",
        "ß": "ss",
        "ø": "o",
    }
)

# Digraphs first, longest first; then the letters that several schemes write differently.
_LATIN_RULES: tuple[tuple[str, str], ...] = (
    ("shch", "S"),
    ("tsch", "C"),
    ("shh", "S"),
    ("sch", "S"),
    ("tch", "C"),
    ("ch", "C"),
    ("sh", "S"),
    ("zh", "Z"),
    ("kh", "X"),
    ("ts", "T"),
    ("tz", "T"),
    ("cz", "T"),
    ("c", "T"),
    ("x", "ks"),
    ("w", "v"),
    ("ph", "f"),
    ("q", "k"),
    ("h", "g"),
    ("y", "i"),
    ("j", "i"),
)
_VOWEL_RULES: tuple[tuple[str, str], ...] = (("ie", "e"), ("ei", "ei"))
_DOUBLES = re.compile(r"(.)\1+")
_INITIAL_X = re.compile(r"(?:^|(?<=[\s-]))x")
_NOT_LETTER = re.compile(r"[^a-zA-Z]")


@lru_cache(maxsize=1 << 18)
def skeleton(name: str) -> str:
    """The Latin skeleton of a normalised name in any script (see the module docstring).

    >>> [skeleton(n) for n in ("kozatsky", "козацький", "kozatskyi", "козацкий")]
    ['kozaTki', 'kozaTki', 'kozaTki', 'kozaTki']
    >>> [skeleton(n) for n in ("yermak", "єрмак", "ermak")]
    ['ermak', 'ermak', 'ermak']
    >>> [skeleton(n) for n in ("hryhorii", "grigoriy", "григорій")]
    ['grigori', 'grigori', 'grigori']
    >>> [skeleton(n) for n in ("xoma", "хома", "maxim")]
    ['Xoma', 'Xoma', 'maksim']
    """
    text = name.casefold().translate(_CYRILLIC_TO_SKELETON).translate(_LATIN_LETTERS)
    # A word-initial "x" is GOST 7.79 B's х ("Xoma", "Xristich"): no Slavic name begins with кс.
    text = _INITIAL_X.sub("kh", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    for old, new in _LATIN_RULES:
        text = text.replace(old, new)
    text = _NOT_LETTER.sub("", text)
    text = _DOUBLES.sub(r"\1", text)
    for old, new in _VOWEL_RULES:
        text = text.replace(old, new)
    return _DOUBLES.sub(r"\1", text)
