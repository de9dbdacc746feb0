"""The generated cross-script benchmark, run through both systems.

Splink gets what a careful user without our engine would give it: every name lower-cased and
passed through `unidecode` (so Андрій becomes "andrii" and Андрей "andrei"), a `full_name` split
on spaces in the registry's order (surname, given name, patronymic), and a sensible model: the
names compared by Splink's NameComparison (Jaro-Winkler and Levenshtein levels) with
term-frequency adjustments, the patronymic by Jaro-Winkler, the birth date by
DateOfBirthComparison, the service number by Damerau-Levenshtein, the call sign exactly; m and u
trained without labels as in Splink's FEBRL4 example.
"""

from __future__ import annotations

import pandas as pd
from unidecode import unidecode

from benchmarks.linkage.systems import Run, Scored, quiet_splink, run_ours, splink_pairs, timed

NAME_PARTS = ("family_name", "given_name", "patronymic")


def _naive(text: object) -> str:
    return unidecode(str(text)).lower().strip() if isinstance(text, str) and text else ""


def naive_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Lower case and unidecode, the full name split in the registry's order; empty is NULL.

    >>> row = naive_frame(pd.DataFrame([{"id": "L1", "family_name": "", "given_name": "",
    ...     "patronymic": "", "full_name": "КОЗАЦЬКИЙ Андрій", "birth_date": "1990",
    ...     "service_number": "", "call_sign": ""}])).iloc[0]
    >>> row.family_name, row.given_name, row.patronymic, row.birth_year, row.birth_date
    ("kozats'kii", 'andrii', None, '1990', '1990')
    """
    out = pd.DataFrame({"unique_id": frame["id"]})
    for column in (*NAME_PARTS, "full_name", "birth_date", "service_number", "call_sign"):
        out[column] = frame[column].map(_naive)
    split = out["full_name"].str.split(n=2, expand=True).reindex(columns=range(3)).fillna("")
    from_full_name = (out[list(NAME_PARTS)] == "").all(axis=1)
    for i, column in enumerate(NAME_PARTS):
        out.loc[from_full_name, column] = split.loc[from_full_name, i]
    out["birth_year"] = out["birth_date"].str[:4]
    out = out.drop(columns="full_name")
    return out.replace("", None)


def run_splink_naive(people_list: pd.DataFrame, registry: pd.DataFrame) -> Run:
    def body() -> Scored:
        import splink.comparison_library as cl
        from splink import DuckDBAPI, Linker, SettingsCreator, block_on

        quiet_splink()
        settings = SettingsCreator(
            link_type="link_only",
            blocking_rules_to_generate_predictions=[
                block_on("family_name"),
                block_on("given_name", "birth_year"),
                block_on("substr(family_name, 1, 3)", "birth_year"),
                block_on("birth_date"),
                block_on("service_number"),
            ],
            comparisons=[
                cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
                cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
                cl.JaroWinklerAtThresholds("patronymic"),
                cl.DateOfBirthComparison(
                    "birth_date", input_is_string=True, datetime_format="%Y-%m-%d", invalid_dates_as_null=True
                ),
                cl.DamerauLevenshteinAtThresholds("service_number", [1, 2]),
                cl.ExactMatch("call_sign"),
            ],
        )
        db_api = DuckDBAPI()
        tables = [db_api.register(naive_frame(frame)) for frame in (people_list, registry)]
        linker = Linker(tables, settings)
        linker.training.estimate_probability_two_random_records_match(
            [block_on("service_number"), block_on("family_name", "given_name", "birth_date")], recall=0.7
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("birth_date"), estimate_without_term_frequencies=True
        )
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("family_name"), estimate_without_term_frequencies=True
        )
        predictions = linker.inference.predict(threshold_match_probability=0.5)
        return splink_pairs(predictions, set(people_list["id"]))

    return timed("splink (lower-case + unidecode)", body)


def run_ours_crossscript(people_list: pd.DataFrame, registry: pd.DataFrame) -> Run:
    return run_ours(people_list, registry, threshold=0.5)
