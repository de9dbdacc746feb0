"""On a Dask cluster the LR matrix is the one computed in process, to the last bit."""

from collections.abc import Iterator

import numpy as np
import pytest

from tracebureau.engines import cluster
from tracebureau.engines.cluster import ClusterUnavailable
from tracebureau.engines.kinship import FEMALE, MALE, Case, Locus, Pedigree, Person, pairwise_lr_matrix

distributed = pytest.importorskip("distributed")


def genotype(locus: Locus, rng: np.random.Generator) -> tuple[str, str]:
    first, second = rng.choice(len(locus.alleles), size=2, p=locus.frequencies)
    return locus.alleles[first], locus.alleles[second]


def generated_case(seed: int, *, remains: int = 40, families: int = 15) -> Case:
    """Trios and mother-and-son families with random references, and random remains, some of
    known sex (barred pairs are NaN) and some untyped at a marker."""
    rng = np.random.default_rng(seed)
    loci = {}
    for m in range(4):
        frequencies = rng.dirichlet(np.ones(6))
        loci[f"M{m}"] = Locus(f"M{m}", tuple("abcdef"), frequencies)
    pedigrees, references = {}, {}
    for f in range(families):
        family = f"F{f}"
        son = Person(f"{family}-son", MALE, f"{family}-fa", f"{family}-mo", missing=True)
        pedigrees[family] = Pedigree(
            family, (Person(f"{family}-fa", MALE), Person(f"{family}-mo", FEMALE), son)
        )
        typed = ("fa", "mo") if f % 2 else ("mo",)
        for role in typed:
            references[f"{family}-{role}"] = {m: genotype(locus, rng) for m, locus in loci.items()}
    profiles = {
        f"V{r:03d}": {m: genotype(locus, rng) for m, locus in loci.items() if rng.random() > 0.1}
        for r in range(remains)
    }
    sexes = {f"V{r:03d}": int(rng.choice([0, MALE, FEMALE])) for r in range(remains)}
    return Case(pedigrees, references, profiles, loci, remains_sex=sexes)


@pytest.fixture(scope="module")
def client() -> Iterator["distributed.Client"]:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as lc,
        distributed.Client(lc) as connected,
    ):
        yield connected


def test_the_matrix_on_a_cluster_is_the_one_in_process(client: "distributed.Client") -> None:
    case = generated_case(1)
    remains, columns, here = pairwise_lr_matrix(case=case, chunk=4)
    # 40 remains in blocks of 12: four tasks, the last one short.
    there_remains, there_columns, there = pairwise_lr_matrix(
        case=case, chunk=4, scheduler=client, rows_per_task=12
    )
    assert (there_remains, there_columns) == (remains, columns)
    assert np.isnan(here).any() and np.isfinite(here).any()
    assert np.array_equal(there, here, equal_nan=True)


def test_an_unreachable_scheduler_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 0.5)
    with pytest.raises(
        ClusterUnavailable, match=r"cannot reach the Dask scheduler at 'tcp://127\.0\.0\.1:1'"
    ):
        pairwise_lr_matrix(case=generated_case(2, remains=2, families=1), scheduler="tcp://127.0.0.1:1")
