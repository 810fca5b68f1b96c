"""Month headers and period names: "Jun-18", "June 2018", a date cell, all mean June 2018."""

from __future__ import annotations

import datetime as dt
import re

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTH_WORDS = {word: i + 1 for i, m in enumerate(MONTHS) for word in (m.lower(), m[:3].lower())} | {"sept": 9}
_WORDY = re.compile(r"^([A-Za-z]{3,9})\.?[\s\-/']*('?\d{2}|\d{4})$")
_NUMERIC = re.compile(r"^(\d{4})[-/](\d{1,2})$|^(\d{1,2})[-/](\d{4})$")

Month = tuple[int, int]  # (year, month)


def parse_month(value: object) -> Month | None:
    """The (year, month) a header names, or None when it names no month."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year, value.month
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _WORDY.match(text)
    if match:
        word, year = match.group(1).lower(), match.group(2).lstrip("'")
        month = _MONTH_WORDS.get(word)  # "Jun", "June" and "Sept"; not "Junk"
        if month is None:
            return None
        return (2000 + int(year) if len(year) == 2 else int(year)), month
    match = _NUMERIC.match(text)
    if match:
        year, number = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        if 1 <= int(number) <= 12:
            return int(year), int(number)
    return None


def month_name(month: Month) -> str:
    """(2018, 6) -> 'June 2018': how a cover report names a period."""
    return f"{MONTHS[month[1] - 1]} {month[0]}"


def month_before(month: Month) -> Month:
    year, m = month
    return (year - 1, 12) if m == 1 else (year, m - 1)


def between(previous: str, current: str) -> str:
    """'May 2018', 'June 2018' -> 'May and June 2018'; different years keep both years."""
    a, b = parse_month(previous), parse_month(current)
    if a and b and a[0] == b[0]:
        return f"{MONTHS[a[1] - 1]} and {current}"
    return f"{previous} and {current}"
