"""Benchmarks of the engines; not part of the package, not part of `make test`."""
