"""The engine is a library: importing and running it must never import Django."""

import subprocess
import sys

SCRIPT = """
import sys
sys.modules["django"] = None  # any `import django...` now raises ImportError
from tracebureau.engines.kinship import Pedigree, Person
Pedigree("F1", (Person("fa", 1), Person("mo", 2), Person("son", 1, "fa", "mo", missing=True)))
loaded = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
assert loaded == ["django"], loaded
print("ok")
"""


def test_it_imports_and_computes_with_django_blocked() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
