"""tracebureau: the system of a National Information Bureau (GC III art. 122, GC IV art. 136)."""

__version__ = "0.1.0"
