"""Name matching for lists of people against a registry, across scripts and spellings.

Ukrainian and Russian Cyrillic and their romanisations are normalised to one skeleton, names
are mapped to their Ukrainian/Russian equivalents, candidate pairs are found by blocking, each
field is compared at graded levels, and a Fellegi–Sunter model trained by EM without labels
gives every pair a calibrated probability and an explanation. In a link each list row is at
most one registry person, so its candidates share its probability. No Django here: the application
(`tracebureau.lists`) calls this library, never the other way round.

    >>> from tracebureau.engines.linkage import Record, link
    >>> matches = link([Record("L1", full_name="Dmitry Kozatsky", birth_date="1990-07-03")],
    ...                [Record("R1", "Козацький", "Дмитро", birth_date="1990-07-03")])
    >>> [(m.left_id, m.right_id, m.probability > 0.9) for m in matches]
    [('L1', 'R1', True)]
"""

from tracebureau.engines.linkage.api import dedupe, link
from tracebureau.engines.linkage.reading import read_records_csv
from tracebureau.engines.linkage.records import Contribution, LinkageInputError, Match, Record

__all__ = ["Contribution", "LinkageInputError", "Match", "Record", "dedupe", "link", "read_records_csv"]
