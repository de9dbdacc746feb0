"""Benchmarks of the name-matching engine: FEBRL4, a generated cross-script set, and scale.

`make bench-linkage` runs them all and rewrites REPORT.md and results.json beside this file;
`python -m benchmarks.linkage --quick` is the small run that CI can afford.
"""
