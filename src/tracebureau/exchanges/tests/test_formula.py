"""The formula check and the outcome plan, as plain functions."""

from __future__ import annotations

from tracebureau.exchanges.formula import Formula, Term, balance
from tracebureau.exchanges.outcomes import Arrived, Listed, plan


def codes(result: object) -> list[str]:
    return [b.code for b in result.breaches]  # type: ignore[attr-defined]


def test_fifty_for_fifty_holds_and_forty_nine_does_not() -> None:
    formula = Formula(total_ours=50, total_theirs=50)
    assert balance(formula, {"other": 50}, {"other": 50}).kept
    broken = balance(formula, {"other": 49}, {"other": 50})
    assert codes(broken) == ["ratio", "total_ours"]
    assert dict(broken.breaches[1].values) == {"agreed": 50, "listed": 49}


def test_a_ratio_of_one_to_two_counts_both_sides() -> None:
    formula = Formula(ratio_ours=1, ratio_theirs=2)
    assert balance(formula, {"officer": 3}, {"other": 6}).kept
    result = balance(formula, {"officer": 3}, {"other": 5})
    assert codes(result) == ["ratio"] and result.theirs_for_ours == 6


def test_terms_per_category_are_checked_on_each_side() -> None:
    formula = Formula(terms=(Term("seriously_wounded", 10, 10),))
    ours = {"seriously_wounded": 10, "other": 5}
    assert balance(formula, ours, {"seriously_wounded": 10, "other": 5}).kept
    result = balance(formula, ours, {"seriously_wounded": 8, "other": 7})
    assert codes(result) == ["term_theirs"]
    assert dict(result.breaches[0].values) == {"category": "seriously_wounded", "agreed": 10, "listed": 8}


def test_bodies_agreed_by_number_count_with_the_named() -> None:
    formula = Formula(total_ours=50, total_theirs=50)
    assert balance(formula, {"body": 4}, {}, unnamed_ours=46, unnamed_theirs=50).kept


def test_two_empty_lists_break_any_formula() -> None:
    assert codes(balance(Formula(), {}, {})) == ["empty"]


def test_the_plan_names_each_outcome() -> None:
    requested = [Listed(1, 101), Listed(2, 102), Listed(3, 103)]
    offered = [Listed(4, 201), Listed(5, 202)]
    arrived = [
        Arrived(10, 101, "alive"),
        Arrived(11, 103, "deceased"),
        Arrived(12, 104, "alive"),  # came instead of 102
        Arrived(13, None, "deceased"),  # a body nobody named
    ]
    planned = plan(requested, offered, arrived, not_handed_over={5})
    assert [(p.outcome, p.person_id, p.row_id) for p in planned] == [
        ("returned", 101, 10),
        ("not_returned", 102, None),
        ("deceased", 103, 11),
        ("substituted", 104, 12),
        ("deceased", None, 13),
        ("handed_over", 201, None),
        ("not_handed_over", 202, None),
    ]
