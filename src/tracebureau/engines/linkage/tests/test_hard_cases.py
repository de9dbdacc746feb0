"""The cases that the cross-script benchmark found hard, each small enough to check by hand."""

import numpy as np
import pytest

from tracebureau.engines.linkage import Record, link
from tracebureau.engines.linkage.blocking import candidate_pairs
from tracebureau.engines.linkage.compare import DATE_LEVELS, FIELDS, NAME_LEVELS, compare
from tracebureau.engines.linkage.normalise import normalise_code, split_full_name
from tracebureau.engines.linkage.prepare import new_vocabularies, prepare
from tracebureau.engines.linkage.score import (
    M_FLOOR,
    default_model,
    exclusive_probability,
    probability,
    train_m_by_rule,
)


def levels_of(left: list[Record], right: list[Record]) -> list[dict[str, str]]:
    vocabularies = new_vocabularies()
    a, b = prepare(left, vocabularies), prepare(right, vocabularies)
    i, j = candidate_pairs(a, b)
    found = compare(a, b, i, j, vocabularies.names.strings, vocabularies.codes.strings).levels
    names = {"family_name", "given_name", "patronymic"}
    return [
        {f: (NAME_LEVELS if f in names else DATE_LEVELS)[row[k]] for k, f in enumerate(FIELDS[:4])}
        for row in found
    ]


def test_a_service_number_is_the_same_in_either_script() -> None:
    assert normalise_code("ВМС-579810") == normalise_code("VMS 579810") == "VMS579810"
    assert normalise_code("ДПСУ-6651173") == normalise_code("DPSU-6651173")
    assert normalise_code("НП-1") != normalise_code("НГ-1")


def test_two_words_are_a_given_name_and_a_surname_even_when_one_ends_like_a_patronymic() -> None:
    assert split_full_name("Yury Andriyevich") == ("andriyevich", "yury", "")
    assert split_full_name("SAMOJLENKO PETR SERGEEVIČ") == ("samojlenko", "petr", "sergeevič")


def test_a_name_split_in_the_wrong_order_is_read_crosswise() -> None:
    # Neither word is a known given name once "Gennadii" has its typo, so the Latin order
    # "given family" is guessed, wrongly; the pair still agrees when read crosswise.
    found = levels_of(
        [Record("L", full_name="Miroshnichenko Gnenadii", service_number="VMS-745697")],
        [Record("R", "Мірошниченко", "Геннадій", service_number="ВМС-745697")],
    )
    # Read crosswise, the list's "family name" Gnenadii meets Геннадій and its "given name"
    # Miroshnichenko meets Мірошниченко; straight, both would be "different".
    assert (found[0]["family_name"], found[0]["given_name"]) == ("fuzzy", "same_after_transliteration")


def test_a_misspelt_surname_without_a_birth_date_is_still_a_candidate() -> None:
    # "Авраменко" with two letters swapped; nothing else on the row but the given name.
    found = levels_of([Record("L", full_name="Ирина вАраменко")], [Record("R", "Авраменко", "Ірина")])
    assert len(found) == 1
    assert found[0]["family_name"] == "fuzzy"


def test_a_short_name_one_slip_away_is_fuzzy() -> None:
    found = levels_of(
        [Record("L", "Komzh", "Stanislav", birth_date="1969-08-01")],
        [Record("R", "Корж", "Станіслав", birth_date="1969-08-01")],
    )
    assert found[0]["family_name"] == "fuzzy"


def test_namesakes_compete_for_one_list_row() -> None:
    # Prior 2^-20 per pair over 4 registry records: ρ = 2^-18. Row 0 has two candidates of
    # weight 20 bits, so each has λ·2^W = 1: p = 1 / ((1 − ρ) + 1 + 1) ≈ 1/3, where the
    # pairwise formula says 1/2 to each; row 1 has one: p = 1 / ((1 − ρ) + 1) ≈ 1/2.
    weights, rows = np.array([20.0, 20.0, 20.0]), np.array([0, 0, 1])
    rho = 2.0**-18
    assert exclusive_probability(weights, rows, 2.0**-20, 4).tolist() == pytest.approx(
        [1 / (3 - rho), 1 / (3 - rho), 1 / (2 - rho)], rel=1e-12
    )
    assert probability(weights, 2.0**-20).tolist() == pytest.approx([0.5, 0.5, 0.5], rel=1e-5)


def test_link_does_not_claim_one_of_two_identical_namesakes() -> None:
    registry = [
        Record("R1", "Затовканюк", "Вадим", "Русланович", birth_date="1990-01-01"),
        Record("R2", "Затовканюк", "Вадим", "Русланович", birth_date="1990-01-01"),
    ] + [Record(f"X{k}", f"Інший{k}", "Петро", birth_date="1970-01-01") for k in range(20)]
    found = link([Record("L", full_name="Vadim Zatovkanyuk")], registry, threshold=0.0)
    assert {m.right_id for m in found} == {"R1", "R2"}
    assert all(m.probability < 0.5 for m in found)
    assert found[0].probability == pytest.approx(found[1].probability)


def test_m_comes_from_the_purest_sessions_not_from_namesakes() -> None:
    """Two EM sessions. Blocked on names: 500 true matches, 300 namesakes with the same
    patronymic and another birth date, 1,200 namesakes with another patronymic and birth date.
    Blocked on the service number: 500 true matches. EM cannot tell the 300 from matches with a
    wrong birth date; trusting that session would put m(birth date different) near 0.4."""
    patronymic, date = FIELDS.index("patronymic"), FIELDS.index("birth_date")
    exact, name_differs, date_differs = 1, NAME_LEVELS.index("different"), DATE_LEVELS.index("different")
    rows = [(exact, exact)] * 500 + [(exact, date_differs)] * 300 + [(name_differs, date_differs)] * 1200
    rows += [(exact, exact)] * 500
    levels = np.zeros((len(rows), len(FIELDS)), dtype=np.int8)
    levels[:, [patronymic, date]] = rows
    levels[2000:, [FIELDS.index("family_name"), FIELDS.index("given_name")]] = exact
    by_name = np.arange(len(rows)) < 2000
    sessions = [(by_name, ("family_name", "given_name")), (~by_name, ("service_number",))]
    m = train_m_by_rule(levels, sessions, default_model(0.5))
    assert m["birth_date"][date_differs] == M_FLOOR
    assert m["birth_date"][exact] == pytest.approx(1.0, abs=1e-3)
    assert m["family_name"][exact] == pytest.approx(1.0, abs=1e-3)  # only the second session saw it


def test_two_swapped_digits_and_one_name_make_a_candidate() -> None:
    # FEBRL4's rec-1372 kind: the given name replaced, no birth date, the number's digits swapped.
    found = levels_of(
        [Record("L", "Satterley", "Matilda", service_number="7200837")],
        [Record("R", "Satterley", "Daniel", service_number="7208037")],
    )
    assert len(found) == 1 and found[0]["family_name"] == "exact"
