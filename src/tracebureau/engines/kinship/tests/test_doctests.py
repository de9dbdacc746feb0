"""The worked examples in the docstrings are tests too."""

import doctest
import importlib
import pkgutil

import pytest

import tracebureau.engines.kinship as kinship

PACKAGE = "tracebureau.engines.kinship"
MODULES = [PACKAGE] + [
    f"{PACKAGE}.{m.name}" for m in pkgutil.iter_modules(kinship.__path__) if m.name != "tests"
]


@pytest.mark.parametrize("name", MODULES)
def test_it_runs_the_examples_of(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
