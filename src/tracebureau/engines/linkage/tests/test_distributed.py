"""On a Dask cluster the engine gives the matches it gives in process: same pairs, same floats, same order."""

from collections.abc import Iterator

import numpy as np
import pytest

from tracebureau.engines import cluster
from tracebureau.engines.cluster import ClusterUnavailable
from tracebureau.engines.linkage import Record, dedupe, link
from tracebureau.engines.linkage.blocking import candidate_pairs
from tracebureau.engines.linkage.prepare import new_vocabularies, prepare

distributed = pytest.importorskip("distributed")

SURNAMES = [
    ("Коваленко", "Kovalenko"),
    ("Шевченко", "Shevchenko"),
    ("Бондаренко", "Bondarenko"),
    ("Ткаченко", "Tkachenko"),
    ("Кравченко", "Kravchenko"),
    ("Олійник", "Oliinyk"),
]
GIVEN = [("Андрій", "Andrii"), ("Дмитро", "Dmytro"), ("Іван", "Ivan"), ("Олег", "Oleh")]


def people(seed: int) -> tuple[list[Record], list[Record]]:
    """A registry in Cyrillic and a list that romanises some of it, with namesakes aplenty, so
    that blocking finds thousands of candidate pairs among a few hundred records."""
    rng = np.random.default_rng(seed)
    registry = []
    for k in range(400):
        family, given = SURNAMES[rng.integers(len(SURNAMES))], GIVEN[rng.integers(len(GIVEN))]
        date = f"{rng.integers(1970, 1976)}-{rng.integers(1, 13):02d}-{rng.integers(1, 29):02d}"
        registry.append(Record(f"R{k}", family[0], given[0], birth_date=date))
    listed = [
        Record(f"L{k}", SURNAMES_LATIN[r.family_name], GIVEN_LATIN[r.given_name], birth_date=r.birth_date)
        for k, r in enumerate(registry[::5])
    ]
    return listed, registry


SURNAMES_LATIN = dict(SURNAMES)
GIVEN_LATIN = dict(GIVEN)


@pytest.fixture(scope="module")
def client() -> Iterator["distributed.Client"]:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as lc,
        distributed.Client(lc) as connected,
    ):
        yield connected


def chunk_for_three(left: list[Record], right: list[Record] | None) -> int:
    """A chunk size that splits the candidate pairs into at least three chunks."""
    vocabularies = new_vocabularies()
    prepared = prepare(left, vocabularies)
    i, _ = candidate_pairs(prepared, None if right is None else prepare(right, vocabularies))
    assert len(i) >= 1000  # enough for EM, so the cluster's levels train the model too
    return len(i) // 4


def test_it_links_on_a_cluster_as_in_process(client: "distributed.Client") -> None:
    listed, registry = people(1)
    here = link(listed, registry)
    there = link(listed, registry, scheduler=client, chunk_pairs=chunk_for_three(listed, registry))
    assert here
    assert there == here


def test_it_dedupes_on_a_cluster_as_in_process(client: "distributed.Client") -> None:
    listed, registry = people(2)
    everyone = registry + listed  # the list's romanised rows are the registry's duplicates
    here = dedupe(everyone)
    there = dedupe(everyone, scheduler=client, chunk_pairs=chunk_for_three(everyone, None))
    assert here
    assert there == here


def test_an_unreachable_scheduler_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 0.5)
    with pytest.raises(
        ClusterUnavailable, match=r"cannot reach the Dask scheduler at 'tcp://127\.0\.0\.1:1'"
    ):
        link([Record("L1", "Koval")], [Record("R1", "Коваль")], scheduler="tcp://127.0.0.1:1")


def test_a_local_scheduler_needs_a_count() -> None:
    with pytest.raises(ClusterUnavailable, match="'local:many'"):
        link([Record("L1", "Koval")], [Record("R1", "Коваль")], scheduler="local:many")


def test_an_empty_scheduler_runs_in_process() -> None:
    assert [
        (m.left_id, m.right_id)
        for m in link([Record("L1", "Koval", "Ivan")], [Record("R1", "Коваль", "Іван")], scheduler="")
    ] == [("L1", "R1")]
