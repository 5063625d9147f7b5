"""The figures check: every figure in an answer is traced to data a tool returned, or flagged.

The no-fallback rule's soft half. The agent appends `FigureCheck.notice()` to an
answer with figures it cannot verify, and records `FigureCheck.record()` on the
trace; the evaluation scorer `no_fabricated_figures` reads that record, so the
two never disagree. The modules, in the order a check runs:

* `reading.py`, `words.py`: the figures a text holds, in any form a model writes;
* `evidence.py`: what the tools returned, typed by column;
* `derived.py`: what an honest answer may compute from it;
* `scope.py`: which results each sentence may draw on (this turn's, and earlier ones it names);
* `identities.py`: ids, codes, phones, versions, dates and times, matched as written;
* `check.py`: the verdict on each figure, and what stays exempt and why;
* `second_pass.py`: figures verified by the answer's other figures: `units.py` converts
  units, `two_steps.py` finds derivations two steps deep where luck is unlikely;
* `verdicts.py`: the verdicts, the notice and the trace record.

What it cannot catch: a real figure attributed to the wrong thing ("EMEA" given
APAC's revenue). That is the evaluation judges' job.
"""

from .check import check_figures
from .reading import Figure, find_figures
from .verdicts import UNVERIFIED_HEADER, FigureCheck

__all__ = ["UNVERIFIED_HEADER", "Figure", "FigureCheck", "check_figures", "find_figures"]
