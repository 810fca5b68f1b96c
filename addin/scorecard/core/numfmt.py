"""How many decimals a cell shows: Excel number format codes, read without any Excel library.

``format_decimals("0.0%")`` is 1, ``"#,##0"`` 0, ``'£#,##0.00;[Red]-£#,##0.00'`` 2 (the first
section decides: it is the one positive figures use). Codes that do not show a fixed number of
decimals give None: General (see ``general_decimals``), text (@), dates and times, scientific
(0.00E+00), fractions (# ?/?) and codes that scale by thousands (0.0,).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

MAX_DECIMALS = 10  # the rules' own limit (rules.schema.json: decimals maximum)
GENERAL_DIGITS = 10  # significant digits a General cell shows in a standard-width column


def _tokens(code: str) -> Iterator[tuple[int, str]]:
    """(position, character) of each character of the code that is not a literal: "text", \\x, _x
    (space as wide as x), *x (fill) and [..] (colour, condition, locale) are skipped."""
    i = 0
    while i < len(code):
        ch = code[i]
        if ch in '"[':
            end = code.find('"' if ch == '"' else "]", i + 1)
            i = len(code) if end < 0 else end + 1
        elif ch in "\\_*":
            i += 2
        else:
            yield i, ch
            i += 1


def _literal_free(code: str) -> str:
    """The code with its literal parts removed."""
    return "".join(ch for _, ch in _tokens(code))


def _first_section(code: str) -> str:
    """The part before the first ';' that is not inside quotes, brackets or after an escape."""
    return next((code[:i] for i, ch in _tokens(code) if ch == ";"), code)


@lru_cache(maxsize=1024)  # a workbook has a few formats and a table reads them once a cell
def is_general(code: str | None) -> bool:
    return code is not None and _literal_free(_first_section(code)).strip().casefold() in ("general", "")


def is_percent(code: str | None) -> bool:
    """A percentage format: a % that is not quoted, escaped or in brackets."""
    return code is not None and "%" in _literal_free(code)


_DATE_OR_TIME = re.compile(r"[ymdhs]|am/pm|a/p", re.IGNORECASE)


@lru_cache(maxsize=1024)
def format_decimals(code: str | None) -> int | None:
    """Decimals shown by a number format code, or None when it does not show a fixed number."""
    if code is None:
        return None
    section = _literal_free(_first_section(code))
    bare = section.strip().casefold()
    if bare in ("general", "") or "general" in bare:
        return None
    if _DATE_OR_TIME.search(section) or re.search(r"[eE][+-]", section) or "/" in section:
        return None
    if not re.search(r"[0#?]", section):
        return None  # text (@) or literal only
    if re.search(r"[0#?],+(?![0#?,])", section):
        return None  # a comma after the last digit of a part divides by 1000: 0.0, shows thousands
    _, point, fraction_part = section.partition(".")
    if not point:
        return 0
    decimals = len(fraction_part) - len(fraction_part.lstrip("0#?"))  # the digit places after the point
    return min(decimals, MAX_DECIMALS)


@dataclass(frozen=True)
class Scaled:
    """A number format that shows thousands or millions ('£#,##0.0,,"m"' shows 1,420,000 as £1.4m)."""

    thousands: int  # 1 for thousands, 2 for millions: each comma after the last digit divides by 1,000
    decimals: int  # the decimals it shows of the scaled number
    suffix: str  # the literal text after the number ("m", "k"), as shown


@lru_cache(maxsize=1024)
def scaled_format(code: str | None) -> Scaled | None:
    """How a format that divides by 1,000 shows a number, or None for any other format."""
    if code is None:
        return None
    section = _first_section(code)
    bare = _literal_free(section)
    commas = re.search(r"[0#?](,+)(?![0#?,])", bare)
    if commas is None or _DATE_OR_TIME.search(bare) or "%" in bare:
        return None
    _, point, fraction_part = bare.partition(".")
    decimals = len(fraction_part) - len(fraction_part.lstrip("0#?")) if point else 0
    tail = section[max(i for i, ch in _tokens(section) if ch in "0#?,") + 1 :]
    suffix = re.sub(r'["\\]', "", re.sub(r"_.|\*.", "", tail)).strip()
    return Scaled(len(commas.group(1)), min(decimals, MAX_DECIMALS), suffix)


def general_decimals(number: float) -> int:
    """Decimals a General cell shows for a number: as stored, to GENERAL_DIGITS significant digits."""
    if number == 0 or not math.isfinite(number):
        return 0
    text = f"{abs(number):.{GENERAL_DIGITS}g}"
    mantissa, _, exponent = text.partition("e")
    shown = len(mantissa.partition(".")[2]) - (int(exponent) if exponent else 0)
    return max(0, min(shown, MAX_DECIMALS))


def cell_decimals(number: float | None, code: str | None) -> int | None:
    """Decimals a cell shows: by its format code, or by its number when it is General.

    None when nothing can be said: no format known (the remote engine), or a format that shows no
    fixed decimals (a date, scientific, text), or a General cell without a number.
    """
    if code is None:
        return None
    if is_general(code):
        return None if number is None else general_decimals(number)
    return format_decimals(code)
