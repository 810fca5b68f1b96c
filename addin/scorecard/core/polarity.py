"""Which way is good for a KPI (its polarity), and the words analysts use for it.

On its own, below ``model`` and ``spc``, which both need it: the KPI has a polarity, and so has the
statistical process control of its history.
"""

from __future__ import annotations

import enum
import re


class Polarity(enum.Enum):
    """Which way is good for a KPI."""

    HIGHER = "higher"  # more is better: % of care leavers in education
    LOWER = "lower"  # less is better: average caseload
    TARGET = "target"  # close to the target is best: two-sided

    @classmethod
    def parse(cls, text: object) -> Polarity | None:
        """Read the words analysts use: higher/lower/target, High/Low/Target, H/L/T, Up/Down,
        "Higher is better", "Smaller is better", "Close to target" ... in any case and spacing.

        Returns None for anything else (an ambiguous "Bigger/Smaller is better" too), so the caller
        can name the cell or YAML line and list ``POLARITY_CHOICES``.
        """
        if not isinstance(text, str):
            return None
        return POLARITY_WORDS.get(" ".join(text.lower().split()).rstrip("."))

    @classmethod
    def from_cell(cls, text: object) -> Polarity | None:
        """A polarity cell of a workbook, read as ``parse`` reads the rules' words, and also as analysts write
        them in sheets: after an aim ("Aim: Minimise", "Aim to reduce"), and in two languages ("Uwch / Higher",
        the halves that name one agreeing). The rules' own words stay ``parse``'s, which their schema lists."""
        said = cls.parse(text)
        if said is not None or not isinstance(text, str):
            return said
        words = " ".join(text.lower().split()).rstrip(".")
        if (aim := _AIM.match(words)) is not None:
            return cls.parse(aim.group(1))
        if " / " in words:
            read = {p for part in words.split(" / ") if (p := cls.from_cell(part)) is not None}
            return read.pop() if len(read) == 1 else None
        return None


POLARITY_WORDS = {
    word: polarity
    for polarity, words in (
        (
            Polarity.HIGHER,
            (
                "higher",
                "high",
                "h",
                "up",
                "higher is better",
                "high is better",
                "higher is good",
                "bigger is better",
                "greater is better",
                "more is better",
                "up is good",
                "up is better",
                "high is good",
                "higher is best",
                "good if high",
                "good if higher",
                "aim high",
                "aim higher",
                "maximise",
                "maximize",
                "increase",
                "more",
                "bigger",
                "greater",
                "↑",
                "▲",
                "⬆",
            ),
        ),
        (
            Polarity.LOWER,
            (
                "lower",
                "low",
                "l",
                "down",
                "lower is better",
                "low is better",
                "lower is good",
                "smaller is better",
                "less is better",
                "fewer is better",
                "down is good",
                "down is better",
                "low is good",
                "lower is best",
                "good if low",
                "good if lower",
                "aim low",
                "aim lower",
                "minimise",
                "minimize",
                "reduce",
                "decrease",
                "less",
                "fewer",
                "smaller",
                "↓",
                "▼",
                "⬇",
            ),
        ),
        (
            Polarity.TARGET,
            (
                "target",
                "t",
                "close to target",
                "closer to target",
                "close to target is better",
                "closer to target is better",
                "near target",
                "nearer to target",
                "in range",
                "within range",
            ),
        ),
    )
    for word in words
}

_AIM = re.compile(r"^(?:aim|aims|we aim|the aim is|objective|goal)\s*(?:[:\-–]\s*|\s+to\s+|\s+)(?:be\s+)?(\S.*)$")

POLARITY_CHOICES = (
    "higher, lower, target (or H, L, T; High, Low, Target; Up, Down; ↑, ↓; Higher is better, Lower is better, "
    "Bigger is better, Smaller is better, More is better, Less is better, Maximise, Minimise, Close to target, "
    "Within range)"
)
