"""A target or floor typed as text into a cell, read as an analyst reads it.

Scorecards write thresholds in words and signs as often as in numbers: "≥ 85%", ">=85", "85% or
above", "At least 85%", "Max 10%", "1,200", "£1,200", "12 days", "−5" (a typographic minus), "85%*"
(a footnote mark). ``parse_threshold`` reads the number and the bound it states (at least, at most),
so the rating can use the number and the table reader can check the bound against the KPI's polarity.
Text it cannot read as one number (a range "95-100%", "see note") is ``None``: the caller says so,
because a target silently dropped changes a KPI's colour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Bound = Literal["at least", "at most"]

# (words or sign, bound, strict): longest first, so ">=" is not read as ">"
_PREFIXES: list[tuple[str, Bound, bool]] = sorted(
    [
        ("≥", "at least", False),
        (">=", "at least", False),
        ("=>", "at least", False),
        ("⩾", "at least", False),
        (">", "at least", True),
        ("at least", "at least", False),
        ("no less than", "at least", False),
        ("not less than", "at least", False),
        ("minimum of", "at least", False),
        ("minimum", "at least", False),
        ("min.", "at least", False),
        ("min", "at least", False),
        ("more than", "at least", True),
        ("greater than", "at least", True),
        ("over", "at least", True),
        ("above", "at least", True),
        ("≤", "at most", False),
        ("<=", "at most", False),
        ("=<", "at most", False),
        ("⩽", "at most", False),
        ("<", "at most", True),
        ("at most", "at most", False),
        ("no more than", "at most", False),
        ("not more than", "at most", False),
        ("maximum of", "at most", False),
        ("maximum", "at most", False),
        ("max.", "at most", False),
        ("max", "at most", False),
        ("up to", "at most", False),
        ("less than", "at most", True),
        ("fewer than", "at most", True),
        ("under", "at most", True),
        ("below", "at most", True),
    ],
    key=lambda p: -len(p[0]),
)
_SUFFIXES: list[tuple[str, Bound]] = sorted(
    [
        ("or above", "at least"),
        ("and above", "at least"),
        ("or more", "at least"),
        ("or higher", "at least"),
        ("or over", "at least"),
        ("or greater", "at least"),
        ("+", "at least"),
        ("or below", "at most"),
        ("and below", "at most"),
        ("or less", "at most"),
        ("or fewer", "at most"),
        ("or lower", "at most"),
        ("or under", "at most"),
    ],
    key=lambda p: -len(p[0]),
)
# units a threshold may carry after its number: they say what it counts, not how big it is
_UNITS = {
    "day",
    "days",
    "week",
    "weeks",
    "wk",
    "wks",
    "month",
    "months",
    "hour",
    "hours",
    "hr",
    "hrs",
    "minute",
    "minutes",
    "min",
    "mins",
    "year",
    "years",
    "yrs",
    "percent",
    "per cent",
    "pct",
    "pts",
    "points",
    "ppts",
}
_NUMBER = re.compile(r"([-+]?)\s*[£$€]?\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d*)?|\.\d+)\s*(%?)")
_DASHES = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\u00a0": " ", "\u202f": " "})
_FOOTNOTES = "*†‡§¹²³"


@dataclass(frozen=True)
class Threshold:
    value: float  # as people read it: "85%" is 85
    bound: Bound | None = None  # what the text says the figure must be: at least or at most the value
    strict: bool = False  # "> 85%": the value itself does not meet it


def parse_threshold(text: str) -> Threshold | None:
    """The number a threshold's text states and its bound; None when it is not one number."""
    rest = " ".join(text.translate(_DASHES).split()).rstrip(_FOOTNOTES).strip().casefold()
    bound: Bound | None = None
    strict = False
    for words, said, is_strict in _PREFIXES:
        if rest.startswith(words) and (not words[-1].isalpha() or rest[len(words) : len(words) + 1] in ("", " ", ":")):
            bound, strict, rest = said, is_strict, rest[len(words) :].lstrip(" :")
            break
    for words, said in _SUFFIXES:
        if rest.endswith(words) and (words == "+" or rest[: -len(words)].endswith(" ")):
            if bound is not None and bound != said:
                return None  # "at least 5 or less": no reading
            bound, rest = said, rest[: -len(words)].rstrip()
            break
    if rest in ("nil", "zero"):  # in UK statistics nil is zero, not no data
        return Threshold(0.0, bound, strict)
    match = _NUMBER.fullmatch(rest) or _NUMBER.match(rest)
    if match is None:
        return None
    tail = rest[match.end() :].strip()
    if tail and (match.group(3) or tail not in _UNITS):
        return None  # "95-100%", "85 (national)": not one number
    number = float(match.group(2).replace(",", ""))
    return Threshold(-number if match.group(1) == "-" else number, bound, strict)


_TOLERANCE = re.compile(r"^(?:within\s+)?(?:\+\s*/\s*-|±|\+-)?\s*(\d+(?:\.\d+)?)\s*(%|pp|points?|percentage points?)?$")


def parse_tolerance(value: object) -> float | None:
    """How far from its target a close-to-target KPI is still Green, as a tolerance column says it: 2, "+/- 2%",
    "±5", "within 1.5pp". None for anything else (a negative number, a range, words)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if value >= 0 else None
    if not isinstance(value, str):
        return None
    match = _TOLERANCE.match(" ".join(value.lower().split()))
    return float(match.group(1)) if match else None
