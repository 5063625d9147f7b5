"""What a figures check finds: each figure's verdict, and the notice and trace record
built from them. The agent shows `FigureCheck.notice()` under an answer and records
`FigureCheck.record()` on its trace; the evaluation scorer reads that record.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .reading import Figure

MAX_LISTED = 12
UNVERIFIED_HEADER = (
    "Note: these figures do not match any data returned in this conversation, the question, "
    "or a calculation from them; treat them as unverified:"
)
BIDI_WARNING = (
    "Note: this answer contained invisible text-direction characters, which can make figures "
    "display in another order than written; they were removed before the figures were checked."
)


@dataclasses.dataclass(frozen=True)
class Verdict:
    figure: Figure
    how: str | None  # None: not verified
    value: float = 0.0  # the exact value that verified it (a returned or derived value)
    refuted: str = ""  # why the data contradicts it, where it does


@dataclasses.dataclass(frozen=True)
class FigureCheck:
    """Every figure of one answer and how it was verified."""

    verdicts: list[Verdict]
    warnings: list[str]

    @property
    def unverified(self) -> list[str]:
        return list(dict.fromkeys(v.figure.text for v in self.verdicts if v.how is None))

    @property
    def flagged(self) -> bool:
        return bool(self.unverified or self.warnings)

    def notice(self) -> str:
        """The agent's note under the answer: the figures it could not verify, in its own words."""
        parts = list(self.warnings)
        listed = self.unverified
        if listed:
            quoted = ", ".join(f"“{text}”" for text in listed[:MAX_LISTED])
            more = f" and {len(listed) - MAX_LISTED} more" if len(listed) > MAX_LISTED else ""
            parts.append(f"{UNVERIFIED_HEADER} {quoted}{more}.")
        return "\n\n".join(parts)

    def record(self) -> dict[str, Any]:
        """For the trace: each figure, and how it was verified (or `null`)."""
        return {
            "figures": [
                {
                    "text": v.figure.text,
                    "kind": v.figure.kind,
                    "verified": v.how,
                    "refuted": v.refuted or None,
                }
                for v in self.verdicts
            ],
            "unverified": self.unverified,
            "warnings": self.warnings,
        }
