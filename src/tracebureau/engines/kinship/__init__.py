"""Kinship likelihoods for identifying the dead and the missing from DNA of their relatives.

A family gives reference samples; the bureau holds profiles of unidentified remains. Whether a
remains is the family's missing member is weighed by a likelihood ratio: how much more probable
the DNA of all of them is if it is him than if the remains is an unrelated person. The pedigree
likelihoods are exact (every untyped relative is summed over), with the mutation models of the
R package pedmut and the conventions of pedprobr and dvir (pedsuite), against whose published
answers the tests check. No Django here: the application calls this library.
"""

from tracebureau.engines.kinship.reading import read_case
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

__all__ = [
    "FEMALE",
    "MALE",
    "MIN_FREQUENCY",
    "SILENT",
    "Case",
    "Genotype",
    "KinshipInputError",
    "Locus",
    "MutationSetting",
    "Pedigree",
    "Person",
    "read_case",
]
