"""The engine on cases small enough to check by hand."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracebureau.engines.linkage import Record, dedupe, link
from tracebureau.engines.linkage.blocking import MAX_BLOCK, candidate_pairs
from tracebureau.engines.linkage.compare import DATE_LEVELS, FIELDS, NAME_LEVELS, compare, date_levels
from tracebureau.engines.linkage.equivalents import canonical
from tracebureau.engines.linkage.normalise import normalise_text, split_full_name
from tracebureau.engines.linkage.prepare import new_vocabularies, prepare
from tracebureau.engines.linkage.score import default_model, pair_weights, probability, train_em
from tracebureau.engines.linkage.transliterate import skeleton


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Yermak", "Єрмак"),
        ("Kozatsky", "Козацький"),
        ("Kozatskyi", "Козацкий"),
        ("Yelenovka", "Еленовка"),
        ("Shevchenko", "Шевченко"),
        ("Hryhorii", "Григорий"),
        ("Olha", "Ольга"),
        ("Yuriy", "Юрій"),
    ],
)
def test_it_transliterates_both_ways_to_one_skeleton(latin: str, cyrillic: str) -> None:
    assert skeleton(normalise_text(latin)) == skeleton(normalise_text(cyrillic))


@pytest.mark.parametrize(
    ("one", "other", "kind"),
    [
        ("Andrey", "Андрій", "first"),
        ("Dmitry", "Дмитро", "first"),
        ("Олександр", "Aleksandr", "first"),
        ("Oleksandr", "Александр", "first"),
        ("Андрійович", "Andreyevich", "patronymic"),
        ("Ковальов", "Kovalev", "last"),
    ],
)
def test_it_knows_ukrainian_and_russian_equivalents(one: str, other: str, kind: str) -> None:
    assert canonical(normalise_text(one), kind) == canonical(normalise_text(other), kind)  # type: ignore[arg-type]


def test_it_keeps_different_names_apart() -> None:
    assert canonical("андрій", "first") != canonical("дмитро", "first")
    assert skeleton("козацький") != skeleton("козак")


def test_it_reads_a_full_name_in_any_order() -> None:
    assert split_full_name("ЄРМАК Андрій Петрович") == ("єрмак", "андрій", "петрович")
    assert split_full_name("Andrey Petrovich Yermak") == ("yermak", "andrey", "petrovich")


def test_it_grades_birth_dates() -> None:
    left = np.array([[1990, 7, 3]] * 8 + [[0, 0, 0], [1990, 0, 0]])
    right = np.array(
        [
            [1990, 7, 3],
            [1990, 3, 7],
            [1992, 7, 3],
            [1989, 7, 3],
            [1990, 7, 0],
            [1990, 0, 0],
            [1990, 11, 21],
            [1975, 1, 1],
            [1990, 7, 3],
            [1990, 0, 0],
        ]
    )
    assert [DATE_LEVELS[k] for k in date_levels(left, right)] == [
        "exact",
        "day_month_swapped",
        "one_digit",
        "year_off_by_one",
        "year_month",
        "year_only",
        "same_year",  # both know the day: the same year is no longer agreement but conflict
        "different",
        "missing",
        "year_only",  # two lists that give only the year agree on no more than the year
    ]


LIST = [
    Record("L1", "Козацький", "Дмитро", birth_date="1990-07-03"),
    Record("L2", "Єрмак", "Андрій", birth_date="1985-03-12"),
    Record("L3", "Петренко", "Іван", birth_date="1971"),
]
REGISTRY = [
    Record("R1", full_name="Dmitry Kozatsky", birth_date="1990-03-07"),
    Record("R2", "Yermak", "Andrey", birth_date="1985-03-12"),
    Record("R3", "Shevchenko", "Olena", birth_date="1995-01-01"),
]


def test_it_scores_a_three_by_three_link_by_hand() -> None:
    vocabularies = new_vocabularies()
    left, right = prepare(LIST, vocabularies), prepare(REGISTRY, vocabularies)
    i, j = candidate_pairs(left, right)
    assert list(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 0), (1, 1)]  # 2 of the 9 pairs compared
    levels = compare(left, right, i, j, vocabularies.names.strings, vocabularies.codes.strings).levels
    names = [[NAME_LEVELS[k] for k in row[:2]] + [DATE_LEVELS[row[3]]] for row in levels]
    assert names == [
        ["same_after_transliteration", "equivalent_name", "day_month_swapped"],
        ["same_after_transliteration", "equivalent_name", "exact"],
    ]
    model = default_model(prior=1 / 9)
    # Bayes factors chosen to be powers of two: surname same skeleton m/u = 0.5/(0.5/64) = 64
    # (6 bits), given name equivalent 0.25/(0.25/16) = 16 (4 bits), birth date swapped
    # 0.04/(0.04/8) = 8 (3 bits), birth date exact 0.8/(0.8/1024) = 1024 (10 bits).
    model.m["family_name"][2], model.u["family_name"][2] = 0.5, 0.5 / 64
    model.m["given_name"][3], model.u["given_name"][3] = 0.25, 0.25 / 16
    model.m["birth_date"][2], model.u["birth_date"][2] = 0.04, 0.04 / 8
    model.m["birth_date"][1], model.u["birth_date"][1] = 0.8, 0.8 / 1024
    weights = pair_weights(levels, model, {})
    assert weights[:, :4].tolist() == [[6.0, 4.0, 0.0, 3.0], [6.0, 4.0, 0.0, 10.0]]
    # Prior odds 1/9 : 8/9 = 2^-3. Pair 1: 2^(13-3) = 1024 → p = 1024/1025; pair 2: 2^17 → p = 2^17/(2^17+1).
    assert probability(weights.sum(axis=1), model.prior).tolist() == pytest.approx(
        [1024 / 1025, 2**17 / (2**17 + 1)], rel=1e-12
    )


def test_it_links_a_russian_transliteration_to_the_registry() -> None:
    matches = link(REGISTRY, LIST)
    assert [(m.left_id, m.right_id) for m in matches] == [("R1", "L1"), ("R2", "L2")]
    assert all(m.probability > 0.99 for m in matches)
    assert matches[1].explain().startswith("family_name same_after_transliteration +")
    assert "given_name equivalent_name +" in matches[1].explain()
    assert "birth_date day_month_swapped +" in matches[0].explain()


def test_it_learns_m_and_u_by_em_without_labels() -> None:
    rng = np.random.default_rng(7)
    n, prior = 20_000, 0.3
    m_true, u_true = np.array([0.9, 0.8, 0.85]), np.array([0.1, 0.2, 0.05])
    is_match = rng.random(n) < prior
    agree = rng.random((n, 3)) < np.where(is_match[:, None], m_true, u_true)
    levels = np.zeros((n, len(FIELDS)), dtype=np.int8)
    # family_name, given_name, birth_date: level 1 (exact) or "different".
    different = np.array([NAME_LEVELS.index("different")] * 2 + [DATE_LEVELS.index("different")])
    levels[:, [0, 1, 3]] = np.where(agree, 1, different)
    start = default_model(prior=0.1)
    trained = train_em(levels, start)
    assert trained.prior == pytest.approx(prior, abs=0.02)
    for k, field in enumerate(("family_name", "given_name", "birth_date")):
        assert trained.m[field][1] == pytest.approx(m_true[k], abs=0.02)
        assert trained.u[field][1] == pytest.approx(u_true[k], abs=0.02)


def test_a_common_surname_weighs_less_than_a_rare_one() -> None:
    registry = [
        Record(f"S{k}", "Шевченко", f"Ім{k}", birth_date=f"{1950 + k % 40}-01-0{1 + k % 9}")
        for k in range(60)
    ]
    registry += [
        Record("SHEV", "Шевченко", "Іван", birth_date="1990-05-05"),
        Record("KOZ", "Козацький", "Іван", birth_date="1990-05-05"),
    ]
    list_ = [
        Record("a", "Shevchenko", "Ivan", birth_date="1990-05-05"),
        Record("b", "Kozatsky", "Ivan", birth_date="1990-05-05"),
    ]
    found = {(m.left_id, m.right_id): m for m in link(list_, registry, threshold=0.0)}
    common = next(c for c in found["a", "SHEV"].explanation if c.field == "family_name")
    rare = next(c for c in found["b", "KOZ"].explanation if c.field == "family_name")
    assert common.level == rare.level == "same_after_transliteration"
    assert common.weight < rare.weight - 4  # 61 Shevchenkos against 1 Kozatsky: log2 61 ≈ 5.9 bits


def test_blocking_never_compares_all_pairs() -> None:
    rng = np.random.default_rng(1)
    syllables = ["ko", "va", "len", "pet", "ren", "shev", "chen", "mar", "dos", "tus"]
    surnames = [a + b + c + "ko" for a in syllables for b in syllables for c in syllables[:4]]
    given = [a + b for a in syllables for b in syllables[:6]]

    def people(prefix: str, n: int) -> list[Record]:
        return [
            Record(
                f"{prefix}{k}",
                surnames[rng.integers(400)],
                given[rng.integers(60)],
                birth_date=f"{rng.integers(1950, 2000)}-0{rng.integers(1, 10)}-1{rng.integers(0, 10)}",
            )
            for k in range(n)
        ]

    vocabularies = new_vocabularies()
    left, right = prepare(people("l", 3000), vocabularies), prepare(people("r", 3000), vocabularies)
    i, _ = candidate_pairs(left, right)
    assert len(i) < 3000 * 3000 / 100  # under 1% of the 9 million pairs
    crowded = prepare([Record(f"c{k}", "Same", "Name") for k in range(MAX_BLOCK + 1)], vocabularies)
    assert len(candidate_pairs(crowded, crowded)[0]) == 0  # a key shared by too many names no one


NAMES = [
    ("Козацький", "Дмитро"),
    ("Kozatsky", "Dmitry"),
    ("Єрмак", "Андрій"),
    ("Yermak", "Andrey"),
    ("Петренко", "Іван"),
    ("Petrenko", "Ivan"),
    ("Шевченко", "Олена"),
]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(NAMES), st.sampled_from(["1990-07-03", "1990-03-07", "1985", ""])),
        min_size=2,
        max_size=8,
    )
)
def test_dedupe_is_symmetric(rows: list[tuple[tuple[str, str], str]]) -> None:
    records = [
        Record(str(k), family, first, birth_date=born) for k, ((family, first), born) in enumerate(rows)
    ]

    def pairs(found: list) -> dict[frozenset[str], float]:  # type: ignore[type-arg]
        return {frozenset((m.left_id, m.right_id)): round(m.probability, 9) for m in found}

    assert pairs(dedupe(records)) == pairs(dedupe(records[::-1]))


@given(st.text())
def test_normalising_twice_changes_nothing(text: str) -> None:
    assert normalise_text(normalise_text(text)) == normalise_text(text)


def test_a_record_with_an_impossible_date_is_refused() -> None:
    from tracebureau.engines.linkage import LinkageInputError

    with pytest.raises(LinkageInputError, match="record 'x', column birth_date: impossible date"):
        link([Record("x", "A", birth_date="1990-02-30")], [])
