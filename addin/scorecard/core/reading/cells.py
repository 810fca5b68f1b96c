"""Cell values: what one cell says as a KPI figure, a target or floor, an id or a label.

Every reading that is not a plain number comes with a ``Doubt``: why it is no data, or how a number
was read from text, and the code of the finding it makes (core/findings.py), so the stage that knows
the cell's place can name it. An Excel error value (#N/A, #REF!) is always a doubt, never a quiet blank.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from ..model import Polarity
from ..thresholds import Threshold, parse_threshold
from .grid import CellError

# "no figure" marks: blanks and dashes, "to be confirmed", and the Government Statistical Service's shorthand
# for suppressed (c, [c]), not applicable (z, [z]), not available (x, [x], ":"), low ([low]) and unreliable ([u])
NO_DATA_TEXT = {
    *("", "n/a", "na", "-", "–", "—", "..", ".", ":", "x", "*", "tbc", "tba", "n/k", "nk", "not available"),
    *("c", "z", "[c]", "[z]", "[x]", "[low]", "[u]", "[w]", "suppressed"),
}  # "nil" is zero (core/thresholds.py)
# what a target or floor cell says of a measure that has none by design: reported, not rated, quietly
NO_TARGET_TEXT = {
    *("monitor", "monitor only", "monitoring", "monitoring only", "for monitoring", "for monitoring only"),
    *("contextual", "context", "context only", "contextual only", "for context", "data only", "for information"),
    *("for information only", "info only", "information only", "none", "no target", "not set", "not applicable"),
    *("trend", "trend only", "baseline", "baseline year", "activity", "activity only", "demand", "demand led"),
}
EXCEL_ERRORS = {
    "#DIV/0!",
    "#N/A",
    "#NAME?",
    "#NULL!",
    "#NUM!",
    "#REF!",
    "#VALUE!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
}


@dataclass(frozen=True)
class Doubt:
    """Why a cell reads as no data, or how its number was read: a finding's code and words."""

    code: str
    text: str


_PERCENT_FORMAT = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


@lru_cache(maxsize=1024)  # a workbook has a few formats, read once a cell
def is_percent_format(number_format: str | None) -> bool:
    """True for 0.0%, 0%;[Red]-0%; false for "%" inside quotes or escaped."""
    return number_format is not None and "%" in _PERCENT_FORMAT.sub("", number_format)


def scaled(number: float, number_format: str | None) -> float:
    """A number as people read it: x100 under a percent format."""
    if is_percent_format(number_format):
        return float(f"{number * 100:.12g}")  # 0.575*100 is 57.49999999999999 in binary: undo that
    return float(number)


_INFINITIES = (float("inf"), float("-inf"))


def error_value(value: Any) -> str | None:
    """The Excel error a cell holds (#N/A ...), as an error value or as the text an engine sends for one."""
    if isinstance(value, CellError):
        return value.code
    if isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS:
        return value.strip().upper()
    return None


def read_value(value: Any, number_format: str | None) -> tuple[float | None, Doubt | None]:
    """A cell as a KPI figure: (number, or None for no data; and a doubt: why it is no data, or how a
    number was read from text). A blank or a "no data" mark (n/a, -, TBC) is no data without doubt."""
    if value is None:
        return None, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != value or value in _INFINITIES:
            return None, Doubt("SC301", "not a finite number")
        return scaled(value, number_format), None
    error = error_value(value)
    if error is not None:
        return None, Doubt("SC304", f"holds the error value {error}")
    if isinstance(value, bool):
        return None, Doubt("SC301", f"{value!s} is not a figure")
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return None, Doubt("SC301", "a date is not a figure")
    if isinstance(value, str):
        return _read_text(value.strip(), number_format)
    return None, Doubt("SC301", f"{type(value).__name__} is not a figure")


def _read_text(text: str, number_format: str | None) -> tuple[float | None, Doubt | None]:
    if text.lower() in NO_DATA_TEXT:
        return None, None
    if text.lower() in ("nil", "zero"):  # in UK statistics nil is zero, not no data
        return 0.0, None
    bracketed = _BRACKETED.match(text)  # "(5)": an accountant's minus five, as Excel reads it when typed
    inner = bracketed.group(1) if bracketed else text
    said = parse_threshold(inner) if not any(ch.isalpha() for ch in inner) else None  # "3 weeks": not in its unit
    if said is None or said.bound is not None:
        return None, Doubt("SC301", f"text {text[:40]!r} is not a figure")
    if bracketed:
        said = replace(said, value=-said.value)
    if "%" not in text and is_percent_format(number_format):  # "0.85" where figures are read x100: which scale?
        return None, Doubt(
            "SC305",
            f"holds {text[:40]!r} as text where percentages are read from fractions, so its scale is not known; "
            "enter it as a number",
        )
    return said.value, Doubt(
        "SC302",
        f"holds {text[:40]!r} as text, read as the number {said.value:g} (Excel's SUM and AVERAGE skip such "
        "text: convert it to a number)",
    )


_BRACKETED = re.compile(r"^\(\s*([\d.,]+\s*%?)\s*\)$")


def read_threshold(value: Any, number_format: str | None) -> float | None:
    """A target or floor cell: a number, or text as analysts write it ("85%", "≥ 85%", "1,200 or fewer")."""
    if isinstance(value, str) and error_value(value) is None:
        said = parse_threshold(value)
        return said.value if said else None
    number, _ = read_value(value, number_format)
    return number


def threshold_text_problem(name: str, text: str, said: Threshold | None, polarity: Polarity | None) -> str | None:
    """What is wrong with a target or floor written as text, if anything: text that is no one number
    (the KPI would be rated without it), or a bound ("≥", "at most") against the KPI's polarity."""
    shown = " ".join(text.split())[:40]
    if said is None:
        if shown.casefold() in NO_DATA_TEXT or shown.casefold().rstrip(".") in NO_TARGET_TEXT:
            return None
        if error_value(text) is not None:
            return None  # an error value is its own finding
        return (
            f"{name} {shown!r} is not one number, so the KPI is rated without a {name}; type the number "
            f"(85, 85%, \u2265 85%) or give the {name} in the rules"
        )
    if polarity is None or said.bound is None:
        return None
    if polarity is Polarity.TARGET:
        return (
            f"{name} {shown!r} says the figure should be {said.bound} {said.value:g}, but the KPI is close to "
            f"target, rated by its distance from {said.value:g} either way; check the polarity or the {name}"
        )
    if (said.bound == "at least") != (polarity is Polarity.HIGHER):
        return (
            f"{name} {shown!r} says the figure should be {said.bound} {said.value:g}, but the KPI is "
            f"{polarity.value} is better; check the polarity or the {name}"
        )
    return None


def norm(text: Any) -> str:
    """A header or label as compared: spaces collapsed, case folded."""
    return " ".join(str(text).split()).casefold()


def filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def says_something(value: Any) -> bool:
    """Filled with more than a "no data" mark (N/A, -, TBC)."""
    return filled(value) and not (isinstance(value, str) and value.strip().lower() in NO_DATA_TEXT)


def id_key(kpi_id: str) -> str:
    """An id as matched loosely: without spaces, case folded ("CIC 01" finds CIC01)."""
    return "".join(kpi_id.split()).casefold()


def id_text(value: Any) -> str:
    """An id cell as text: 12.0 as "12"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def as_written(value: Any) -> str | None:
    """A rank or quartile cell as its text: 3.0 as "3", blanks and errors as None."""
    if value is None or isinstance(value, (bool, dt.date, dt.datetime, dt.time)) or error_value(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return text if text and text.lower() not in NO_DATA_TEXT else None
