"""Kinship likelihoods for identifying the dead and the missing from DNA of their relatives.

A family gives reference samples; the bureau holds profiles of unidentified remains. Whether a
remains is the family's missing member is weighed by a likelihood ratio: how much more probable
the DNA of all of them is if it is him than if the remains is an unrelated person. The pedigree
likelihoods are exact (every untyped relative is summed over), with the mutation models of the
R package pedmut and the conventions of pedprobr and dvir (pedsuite), against whose published
answers the tests check. No Django here: the application calls this library.

Where we follow pedsuite and where we differ (each module says more):

* Likelihoods (`likelihood`): as pedprobr. Founders, typed or not, draw from the population
  frequencies and every transmission goes through the mutation matrix, untyped founders'
  included, with no stationarity assumed. θ (F_ST) applies to the founder alleles, as pedprobr
  does.
* Mutation models (`mutation`): pedmut's `mutationMatrix()` definitions, exactly.
* Pairwise LRs (`pairwise`): dvir's `pairwiseLR()`; the "unrelated" denominator is the remains'
  profile alone, with the θ correction when θ > 0, as Familias computes it.
* Joint identification (`joint`): dvir's `jointDVI()`, with its undisputed rule and exclusion
  pruning (`findExcluded()`'s `maxIncomp` as `max_incompatible`, off by default). We differ in
  not disabling mutations in families consistent without them (dvir's `disableMutations = NA`):
  the model given is the model used.
* Drop-out (`likelihood`, `pairwise_lr(dropout=)`): pedsuite has none. We take Bonaparte's and
  LRmix's model: each allele of a remains drops independently with probability d, no drop-in, so
  a remains showing one allele may be a heterozygote.
* Familias files (`familias`): read as pedFamilias' `readFam()` reads them and the `[DVI]`
  section as dvir's `familias2dvir()` turns it into a case; a stationary stepwise model and a
  silent allele in the database are refused.

    >>> from tracebureau.engines.kinship import Locus, Pedigree, Person, pairwise_lr
    >>> import numpy as np
    >>> son = Person("son", 1, father="fa", mother="mo", missing=True)
    >>> family = Pedigree("F1", (Person("fa", 1), Person("mo", 2), son))
    >>> locus = Locus("L1", ("a", "b"), np.array([0.1, 0.9]))
    >>> lr = pairwise_lr(pedigree=family, missing="son", remains={"L1": ("a", "a")},
    ...                  references={"mo": {"L1": ("a", "a")}}, loci={"L1": locus})
    >>> round(lr, 9)  # 1 / p_a: the son's maternal a is certain, his paternal one has p_a
    10.0
"""

from tracebureau.engines.kinship.batch import marker_lr_table, pairwise_lr_matrix, pairwise_table_batch
from tracebureau.engines.kinship.familias import FamiliasFile, read_familias
from tracebureau.engines.kinship.joint import (
    MAX_ASSIGNMENTS,
    UNDISPUTED,
    JointResult,
    JointRow,
    Undisputed,
    assignment_loglik,
    incompatible_markers,
    joint_identification,
)
from tracebureau.engines.kinship.likelihood import log_likelihood, marker_likelihood, member_genotype_table
from tracebureau.engines.kinship.mutation import mutation_matrix
from tracebureau.engines.kinship.pairwise import PairwiseTable, pairwise_lr, pairwise_table
from tracebureau.engines.kinship.reading import read_case, read_case_files
from tracebureau.engines.kinship.records import (
    FEMALE,
    MALE,
    MIN_FREQUENCY,
    SILENT,
    Case,
    Genotype,
    KinshipInputError,
    Locus,
    MutationSetting,
    Pedigree,
    Person,
)
from tracebureau.engines.kinship.simulate import (
    IdentificationPower,
    identification_power,
    simulate_alleles,
    simulate_profiles,
)

__all__ = [
    "FEMALE",
    "MALE",
    "MAX_ASSIGNMENTS",
    "MIN_FREQUENCY",
    "SILENT",
    "UNDISPUTED",
    "Case",
    "FamiliasFile",
    "Genotype",
    "IdentificationPower",
    "JointResult",
    "JointRow",
    "KinshipInputError",
    "Locus",
    "MutationSetting",
    "PairwiseTable",
    "Pedigree",
    "Person",
    "Undisputed",
    "assignment_loglik",
    "identification_power",
    "incompatible_markers",
    "joint_identification",
    "log_likelihood",
    "marker_likelihood",
    "marker_lr_table",
    "member_genotype_table",
    "mutation_matrix",
    "pairwise_lr",
    "pairwise_lr_matrix",
    "pairwise_table",
    "pairwise_table_batch",
    "read_case",
    "read_case_files",
    "read_familias",
    "simulate_alleles",
    "simulate_profiles",
]
