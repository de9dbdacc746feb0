"""The engine is a library: importing and running it must never import Django."""

import subprocess
import sys

SCRIPT = """
import sys
sys.modules["django"] = None  # any `import django...` now raises ImportError
import numpy as np
from tracebureau.engines.kinship import Locus, Pedigree, Person, pairwise_lr
family = Pedigree("F1", (Person("fa", 1), Person("mo", 2), Person("son", 1, "fa", "mo", missing=True)))
locus = Locus("L1", ("a", "b"), np.array([0.5, 0.5]))
lr = pairwise_lr(pedigree=family, missing="son", remains={"L1": ("a", "a")},
                 references={"mo": {"L1": ("a", "a")}}, loci={"L1": locus})
assert abs(lr - 2) < 1e-12, lr
loaded = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
assert loaded == ["django"], loaded
print("ok")
"""


def test_it_imports_and_computes_with_django_blocked() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
