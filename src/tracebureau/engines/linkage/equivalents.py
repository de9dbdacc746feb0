"""Ukrainian↔Russian name equivalents: Андрій/Андрей, Олександр/Александр, Дмитро/Дмитрий.

The data is `names-translator` 2.1 (Dmitry Chaplinsky, MIT licence; installed with its `fast`
extra, the DAWG2 C reader): validated lists of ~11k given names, ~17k patronymics and ~118k
surnames with their ranked Russian forms, and the historical ua2ru dictionary as a fallback;
the bundled `manifest.json` records the source files, thresholds and checksums. No table here
is written by hand: a name's *canonical key* is the skeleton of its most frequent Russian
form, so the Ukrainian form, the Russian form and any romanisation of either meet on one key:

    Андрій → Андрей → "andrei";   "Andriy" → skeleton "andri" → (Андрій) → "andrei".

Given names and patronymics are mapped on the skeleton, so Latin spellings of Ukrainian forms
("Oleksandr", "Andriyovych") find their Russian equivalents too. Surnames (118k) are looked up
only for Cyrillic input, one lookup per distinct surname; their endings (-ський/-ский,
-ій/-ий/-ый, -ьов/-ев) already meet in the skeleton, and -ів meets -ов by one rule.
"""

from __future__ import annotations

from collections import Counter
from functools import cache, lru_cache
from typing import Literal

from names_translator.dicts import default_dicts

from tracebureau.engines.linkage.normalise import is_cyrillic
from tracebureau.engines.linkage.transliterate import skeleton

NameKind = Literal["first", "patronymic", "last"]


@cache
def _skeleton_map(pool: str) -> dict[str, str]:
    """skeleton(Ukrainian form) → skeleton(its Russian form), where they differ.

    Several spellings of one name share a skeleton (миколайович, миколаййович, микколайович),
    and the dictionary's top Russian form of a misspelt one can be a hybrid ("Миколаевич"):
    the skeleton takes, of its entries' top forms, the one the dictionary gives most often
    among all its Russian forms ("Николаевич").
    """
    entries = default_dicts().as_dict(pool)
    popularity = Counter(skeleton(t.casefold()) for translations in entries.values() for t in translations)
    candidates: dict[str, list[str]] = {}
    for key, translations in entries.items():
        source, target = skeleton(key), skeleton(translations[0].casefold())
        if source != target:
            candidates.setdefault(source, []).append(target)
    return {source: max(targets, key=popularity.__getitem__) for source, targets in candidates.items()}


@lru_cache(maxsize=1 << 18)
def _russian_surname(name: str) -> str:
    found = default_dicts().lookup_key(name, "last", 1)
    return found[0].casefold() if found else name


def _surname_ending(key: str) -> str:
    """The Ukrainian possessive ending -ів is the Russian -ов (Гаврилів, Гаврилов), a rule of the
    language rather than an entry of the dictionary, which lacks many such pairs."""
    return key[:-2] + "ov" if len(key) > 4 and key.endswith("iv") else key


def canonical(name: str, kind: NameKind) -> str:
    """The key on which a normalised name meets its equivalents in both languages and scripts.

    >>> canonical("андрій", "first") == canonical("andrey", "first") == canonical("андрей", "first")
    True
    >>> canonical("олександрович", "patronymic") == canonical("aleksandrovich", "patronymic")
    True
    >>> canonical("ковальов", "last") == canonical("kovalev", "last")
    True
    >>> canonical("миколайович", "patronymic") == canonical("nikolaevich", "patronymic")
    True
    >>> canonical("гаврилів", "last") == canonical("gavrilov", "last") == canonical("gavryliv", "last")
    True
    """
    if not name:
        return ""
    if kind == "last":
        return _surname_ending(skeleton(_russian_surname(name) if is_cyrillic(name) else name))
    key = skeleton(name)
    return _skeleton_map(kind).get(key, key)


@cache
def _given_name_keys() -> frozenset[str]:
    mapping = _skeleton_map("first")
    return (
        frozenset(mapping)
        | frozenset(mapping.values())
        | frozenset(skeleton(k) for k in default_dicts().as_dict("first"))
    )


def is_given_name(name: str) -> bool:
    """Whether a normalised word is a known given name in either language or any spelling.

    >>> is_given_name("dmitry"), is_given_name("kozatsky")
    (True, False)
    """
    return skeleton(name) in _given_name_keys()
