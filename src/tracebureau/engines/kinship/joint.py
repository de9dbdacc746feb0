"""Joint identification: which remains are which missing persons, all of them at once.

Pairwise LRs weigh one remains against one missing person; when two brothers are missing and
two remains match both, the pairs are ambiguous, and only the assignments taken whole tell them
apart. An *assignment* maps each remains to a distinct missing person of its sex, or to nobody
(`*`); its log likelihood is that of all the data: every family with the assigned remains'
profiles put on its missing members, times every unassigned remains as an unrelated person.
This is dvir's `jointDVI()` (Vigeland & Egeland 2021), and it agrees with dvir's numbers.

The number of assignments grows factorially, so nothing is enumerated blindly:

* a pair whose pairwise LR is 0 (an exclusion) or whose sexes differ is never proposed; this
  is exact (every assignment holding such a pair has likelihood 0) and only spares the walk;
* optionally (`max_incompatible`), as dvir's `findExcluded(maxIncomp = 2)`: a pair is also not
  proposed when more than that many markers are incompatible *without mutation* (the remains
  cannot be the member there unless a mutation happened). This is a judgement, not an identity:
  under a mutation model no LR is 0, and a case like dvir's exclusionExample would otherwise
  enumerate every assignment. Off by default;
* an *undisputed* identification (dvir's rule: LR ≥ T and at least T times every other LR of
  that remains or that missing person) is fixed first, its profile placed in the family as a
  reference, and the LRs recomputed, until none is left; the result says which were fixed;
* the assignments left are walked by backtracking over the remains, each taking one of its
  remaining candidates or nobody, and scored from a cache: a family's likelihood depends only on
  which remains sit on *its* missing members, so each family sub-assignment is computed once.

Posteriors are under a flat prior over the assignments enumerated.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from tracebureau.engines.kinship.batch import pairwise_table_batch
from tracebureau.engines.kinship.likelihood import marker_likelihood
from tracebureau.engines.kinship.mutation import transmission_matrices
from tracebureau.engines.kinship.pairwise import PairwiseTable, pairwise_table
from tracebureau.engines.kinship.records import MALE, Case, KinshipInputError, Pedigree, Person

Progress = Callable[[str, float], None]

#: dvir's default threshold T for an undisputed identification.
UNDISPUTED = 10_000.0

#: The most assignments walked before giving up (dvir's `maxAssign` is 100 000).
MAX_ASSIGNMENTS = 2_000_000


@dataclass(frozen=True)
class Undisputed:
    """An identification fixed before the search: `remains` is `missing` of `family`."""

    remains: str
    family: str
    missing: str
    lr: float


@dataclass(frozen=True)
class JointRow:
    """One assignment: `assignment[i]` is the missing person given to remains i, None for nobody."""

    assignment: tuple[str | None, ...]
    loglik: float
    posterior: float


@dataclass(frozen=True)
class JointResult:
    """The most likely assignments, best first; `loglik_nobody` is that of "nobody identified"
    (its LR against a row is exp(row.loglik - loglik_nobody)); `count` assignments were walked,
    after `excluded` (remains, missing person) pairs were pruned (LR 0 or too many incompatible
    markers; sex-barred pairs are not counted)."""

    remains: tuple[str, ...]
    rows: tuple[JointRow, ...]
    undisputed: tuple[Undisputed, ...]
    count: int
    loglik_nobody: float
    excluded: int = 0


def joint_identification(
    *,
    case: Case,
    top: int | None = 10,
    theta: float = 0.0,
    undisputed: float | None = UNDISPUTED,
    max_assignments: int = MAX_ASSIGNMENTS,
    max_incompatible: int | None = None,
    dropout: float = 0.0,
    progress: Progress | None = None,
) -> JointResult:
    """The `top` most likely assignments of the remains of `case` to its missing persons (all of
    them with `top=None`). `undisputed=None` fixes nothing before the search. `max_incompatible`
    (dvir's `maxIncomp`, 2 there) also prunes pairs with more incompatible markers than that,
    counted without mutation; None prunes only the exact exclusions (LR 0). `dropout` is each
    remains' drop-out probability where `case.dropout` gives none (see `likelihood`); an
    undisputed remains placed in its family keeps it.

    Two remains, one missing son of a mother a/a; frequencies p_a = 0.2, p_b = 0.8. Remains V1 a/a
    (LR 1/p_a = 5) and V2 b/b (excluded). Assignments: {V1→son} with L = p_a² · p_a · p_b² and
    {nobody} with L = p_a² · p_a² · p_b², so V1→son is 5 times as likely: posterior 5/6.

    >>> import numpy as np
    >>> from tracebureau.engines.kinship.records import Locus
    >>> son = Person("son", 1, "fa", "mo", missing=True)
    >>> case = Case({"F": Pedigree("F", (Person("fa", 1), Person("mo", 2), son))},
    ...             {"mo": {"L1": ("a", "a")}}, {"V1": {"L1": ("a", "a")}, "V2": {"L1": ("b", "b")}},
    ...             {"L1": Locus("L1", ("a", "b"), np.array([0.2, 0.8]))})
    >>> result = joint_identification(case=case)
    >>> [(row.assignment, round(row.posterior, 9)) for row in result.rows]
    [(('son', None), 0.833333333), ((None, None), 0.166666667)]
    """
    _check_missing_ids(case)
    if not 0.0 <= dropout < 1.0:
        raise KinshipInputError(f"the drop-out probability must be in [0, 1), not {dropout}")
    if dropout > 0:
        case = replace(case, dropout={**{r: dropout for r in case.remains}, **case.dropout})
    original = case
    case, fixed, table = _fix_undisputed(case, theta=theta, threshold=undisputed, progress=progress)
    candidates, excluded = _candidates(case, table, max_incompatible=max_incompatible)
    scorer = _Scorer(case, theta, table=table)
    best: list[tuple[float, int, tuple[str | None, ...]]] = []
    peak, mass, count = -math.inf, 0.0, 0
    for count, assignment in enumerate(_assignments(candidates, progress=progress), start=1):
        if count > max_assignments:
            raise KinshipInputError(
                f"more than {max_assignments} joint assignments; lower the undisputed threshold "
                "or split the case"
            )
        loglik = scorer.total(dict(zip(table.remains, assignment, strict=True)))
        peak, mass = _accumulate(peak, mass, loglik)
        entry = (loglik, -count, assignment)
        if top is None or len(best) < top:
            heapq.heappush(best, entry)
        elif entry > best[0]:
            heapq.heapreplace(best, entry)
    total = peak + math.log(mass) if mass > 0 else -math.inf
    rows = tuple(
        JointRow(
            _full_assignment(original, table.remains, assignment, fixed),
            loglik,
            math.exp(loglik - total) if total > -math.inf else 0.0,
        )
        for loglik, _, assignment in sorted(best, key=lambda e: (-e[0], -e[1]))
    )
    nobody = _Scorer(original, theta).total({})
    return JointResult(tuple(original.remains), rows, fixed, count, nobody, excluded)


def assignment_loglik(*, case: Case, assignment: Mapping[str, str | None], theta: float = 0.0) -> float:
    """The natural log of the likelihood of all the data of `case` when each remains in
    `assignment` is the missing person it maps to (None or absent: unrelated to every family).

    >>> import numpy as np
    >>> from tracebureau.engines.kinship.records import Locus
    >>> one = Pedigree("F", (Person("son", 1, missing=True),))
    >>> locus = Locus("L1", ("a", "b"), np.array([0.2, 0.8]))
    >>> case = Case({"F": one}, {}, {"V1": {"L1": ("a", "b")}}, {"L1": locus})
    >>> round(math.exp(assignment_loglik(case=case, assignment={"V1": "son"})), 12)  # 2 p_a p_b either way
    0.32
    """
    _check_missing_ids(case)
    return _Scorer(case, theta).total(dict(assignment))


def _check_missing_ids(case: Case) -> None:
    """Assignments name missing persons by id alone, so an id must belong to one family."""
    for family, pedigree in case.families.items():
        for missing in pedigree.missing:
            others = [f for f, p in case.families.items() if f != family and missing in p]
            if others:
                names = ", ".join([family, *others])
                raise KinshipInputError(
                    f"missing person {missing!r} is in several families ({names}); give each its own id"
                )


class _Scorer:
    """Log likelihoods of assignments, each family sub-assignment and each lone remains once."""

    def __init__(self, case: Case, theta: float, *, table: PairwiseTable | None = None) -> None:
        self.case = case
        self.theta = theta
        self.degraded = {p: d for p, d in case.dropout.items() if p in case.references}
        self.matrices = {m: transmission_matrices(locus, case.mutations) for m, locus in case.loci.items()}
        self.family_of = {m: f for f, pedigree in case.families.items() for m in pedigree.missing}
        self.families: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
        self.alone: dict[str, float] = {}
        # One remains on one member: L(family with it) = L(family) · LR · L(remains alone), so the
        # pairwise LRs already known spare a pedigree computation for every single placement.
        self.single: dict[tuple[str, str], float] = {}
        if table is not None:
            for remains, row in zip(table.remains, table.lr, strict=True):
                for (_, missing), lr in zip(table.missing, row, strict=True):
                    if lr is not None and lr > 0:
                        self.single[(missing, remains)] = math.log(lr)

    def total(self, assignment: Mapping[str, str | None]) -> float:
        placed: dict[str, list[tuple[str, str]]] = {family: [] for family in self.case.families}
        total = 0.0
        for remains in self.case.remains:
            missing = assignment.get(remains)
            if missing is None:
                total += self._alone(remains)
            elif missing not in self.family_of:
                raise KinshipInputError(f"{missing!r} is not a missing person of any family")
            else:
                placed[self.family_of[missing]].append((missing, remains))
        for family, pairs in placed.items():
            total += self._family(family, tuple(sorted(pairs)))
        return total

    def _family(self, family: str, pairs: tuple[tuple[str, str], ...]) -> float:
        key = (family, pairs)
        if key not in self.families and len(pairs) == 1 and pairs[0] in self.single:
            self.families[key] = self._family(family, ()) + self.single[pairs[0]] + self._alone(pairs[0][1])
        if key not in self.families:
            pedigree = self.case.families[family]
            profiles = {p: self.case.references[p] for p in pedigree.ids if p in self.case.references}
            profiles.update({missing: self.case.remains[remains] for missing, remains in pairs})
            dropout = {**self.degraded, **{m: self.case.dropout.get(r, 0.0) for m, r in pairs}}
            self.families[key] = self._loglik(pedigree, profiles, dropout)
        return self.families[key]

    def _alone(self, remains: str) -> float:
        if remains not in self.alone:
            alone = Pedigree("alone", (Person(remains, MALE),))
            dropout = {remains: self.case.dropout.get(remains, 0.0)}
            self.alone[remains] = self._loglik(alone, {remains: self.case.remains[remains]}, dropout)
        return self.alone[remains]

    def _loglik(
        self,
        pedigree: Pedigree,
        profiles: Mapping[str, Mapping[str, tuple[str, str]]],
        dropout: Mapping[str, float],
    ) -> float:
        total = 0.0
        for marker, locus in self.case.loci.items():
            father, mother = self.matrices[marker]
            value = marker_likelihood(
                pedigree=pedigree,
                profiles=profiles,
                locus=locus,
                father_matrix=father,
                mother_matrix=mother,
                theta=self.theta,
                dropout=dropout,
            )
            if value <= 0:
                return -math.inf
            total += math.log(value)
        return total


def _pairwise(case: Case, theta: float) -> PairwiseTable:
    if theta > 0 or any(d > 0 for d in case.dropout.values()):  # the batch path models neither
        return pairwise_table(case=case, theta=theta)
    return pairwise_table_batch(case=case)


def _candidates(
    case: Case, table: PairwiseTable, *, max_incompatible: int | None
) -> tuple[list[list[str]], int]:
    """Each remains' possible missing persons (sex allowed, LR > 0, and not more than
    `max_incompatible` incompatible markers), and how many pairs were pruned."""
    counts = incompatible_markers(case=case) if max_incompatible is not None else {}
    candidates: list[list[str]] = []
    excluded = 0
    for remains, row in zip(table.remains, table.lr, strict=True):
        kept = []
        for (_, missing), lr in zip(table.missing, row, strict=True):
            if lr is None:
                continue
            if lr > 0 and counts.get((remains, missing), 0) <= (max_incompatible or 0):
                kept.append(missing)
            else:
                excluded += 1
        candidates.append(kept)
    return candidates, excluded


def incompatible_markers(*, case: Case) -> dict[tuple[str, str], int]:
    """For each (remains, missing person) pair of allowed sexes, the number of markers at which
    the remains cannot be that person without a mutation: the family's references are possible
    there without mutation, and the remains put in the member's place makes them impossible.
    dvir's `exclusionMatrix()` (via forrel's `findExclusions()`); a marker whose references
    already need a mutation is not counted, since it says nothing about the remains.

    A son of a mother a/a: remains b/b is incompatible at L1 (the mother must pass a), even under
    a mutation model, where its LR is small but not 0.

    >>> import numpy as np
    >>> from tracebureau.engines.kinship.records import Locus, MutationSetting
    >>> son = Person("son", 1, "fa", "mo", missing=True)
    >>> case = Case({"F": Pedigree("F", (Person("fa", 1), Person("mo", 2), son))},
    ...             {"mo": {"L1": ("a", "a")}}, {"V1": {"L1": ("a", "b")}, "V2": {"L1": ("b", "b")}},
    ...             {"L1": Locus("L1", ("a", "b"), np.array([0.2, 0.8]))},
    ...             {("L1", 2): MutationSetting("L1", 2, "equal", rate=0.01)})
    >>> incompatible_markers(case=case)
    {('V1', 'son'): 0, ('V2', 'son'): 1}
    """
    counts: dict[tuple[str, str], int] = {}
    for marker, locus in case.loci.items():
        consistent = {
            name: pedigree
            for name, pedigree in case.families.items()
            if marker_likelihood(pedigree=pedigree, profiles=case.references, locus=locus) > 0
        }
        profiles = {r: {marker: p[marker]} if marker in p else {} for r, p in case.remains.items()}
        single = replace(case, families=consistent, remains=profiles, loci={marker: locus}, mutations={})
        table = _pairwise(single, 0.0)
        for remains, row in zip(table.remains, table.lr, strict=True):
            for (_, missing), lr in zip(table.missing, row, strict=True):
                if lr is not None:
                    counts[(remains, missing)] = counts.get((remains, missing), 0) + (lr == 0)
    return counts


def _fix_undisputed(
    case: Case, *, theta: float, threshold: float | None, progress: Progress | None
) -> tuple[Case, tuple[Undisputed, ...], PairwiseTable]:
    """The case with its undisputed identifications placed in the families (as references, no
    longer missing), those identifications, and the pairwise LRs of what is left."""
    fixed: list[Undisputed] = []
    while True:
        if progress:
            progress("pairwise", 0.0)
        table = _pairwise(case, theta)
        if progress:
            progress("pairwise", 1.0)
        found = [] if threshold is None else undisputed_pairs(table, threshold=threshold)
        if not found:
            return case, tuple(fixed), table
        fixed += found
        case = _place(case, found)


def undisputed_pairs(table: PairwiseTable, *, threshold: float) -> list[Undisputed]:
    """dvir's undisputed identifications: LR ≥ T and LR ≥ T times every other LR in its row
    (the remains) and its column (the missing person). Sex-barred pairs (None) do not count.

    >>> table = PairwiseTable(("V1", "V2"), (("F", "M1"), ("F", "M2")), ((2e4, 1.0), (0.5, 3.0)))
    >>> [(u.remains, u.missing) for u in undisputed_pairs(table, threshold=1e4)]
    [('V1', 'M1')]
    """
    found: list[Undisputed] = []
    taken: set[int] = set()
    for i, row in enumerate(table.lr):
        for j, lr in enumerate(row):
            if lr is None or lr < threshold or j in taken:
                continue
            rivals = [x for k, x in enumerate(row) if k != j] + [
                r[j] for k, r in enumerate(table.lr) if k != i
            ]
            if all(lr >= threshold * (x or 0.0) for x in rivals):
                family, missing = table.missing[j]
                found.append(Undisputed(table.remains[i], family, missing, lr))
                taken.add(j)
                break
    return found


def _place(case: Case, found: Sequence[Undisputed]) -> Case:
    families = dict(case.families)
    references = dict(case.references)
    dropouts = dict(case.dropout)
    for u in found:
        pedigree = families[u.family]
        persons = tuple(replace(p, missing=False) if p.id == u.missing else p for p in pedigree.persons)
        families[u.family] = Pedigree(u.family, persons)
        references[u.missing] = case.remains[u.remains]
        if u.remains in case.dropout:
            dropouts[u.missing] = case.dropout[u.remains]  # degraded still, now as a reference
    gone = {u.remains for u in found}
    remains = {r: profile for r, profile in case.remains.items() if r not in gone}
    sexes = {r: sex for r, sex in case.remains_sex.items() if r not in gone}
    return replace(
        case, families=families, references=references, remains=remains, remains_sex=sexes, dropout=dropouts
    )


def _assignments(
    candidates: Sequence[Sequence[str]], *, progress: Progress | None = None
) -> Iterator[tuple[str | None, ...]]:
    """Every assignment of distinct candidates (or nobody) to the remains, by backtracking: each
    remains in turn takes a candidate not yet taken, then nobody. Progress counts the choices of
    the first remains.

    >>> list(_assignments([["M1"], ["M1", "M2"]]))
    [('M1', 'M2'), ('M1', None), (None, 'M1'), (None, 'M2'), (None, None)]
    """
    current: list[str | None] = [None] * len(candidates)
    used: set[str] = set()

    def walk(i: int) -> Iterator[tuple[str | None, ...]]:
        if i == len(candidates):
            yield tuple(current)
            return
        for missing in candidates[i]:
            if missing not in used:
                used.add(missing)
                current[i] = missing
                yield from walk(i + 1)
                used.discard(missing)
        current[i] = None
        yield from walk(i + 1)

    if not candidates:
        yield ()
        return
    first = [*candidates[0], None]
    for k, choice in enumerate(first):
        if progress:
            progress("joint", k / len(first))
        current[0] = choice
        used.clear()
        if choice is not None:
            used.add(choice)
        yield from walk(1)
    if progress:
        progress("joint", 1.0)


def _accumulate(peak: float, mass: float, loglik: float) -> tuple[float, float]:
    """A running log-sum-exp, as (peak, Σ exp(l - peak))."""
    if loglik == -math.inf:
        return peak, mass
    if loglik > peak:
        return loglik, mass * math.exp(peak - loglik) + 1.0
    return peak, mass + math.exp(loglik - peak)


def _full_assignment(
    case: Case, searched: Sequence[str], assignment: Sequence[str | None], fixed: Sequence[Undisputed]
) -> tuple[str | None, ...]:
    given: dict[str, str | None] = {u.remains: u.missing for u in fixed}
    given.update(zip(searched, assignment, strict=True))
    return tuple(given.get(r) for r in case.remains)
