"""Cell coordinates as a sheet's XML writes them, bounded by Excel's own limits.

Excel's last cell is XFD1048576. A reference beyond it is a damaged or crafted sheet: the reader
refuses it naming the cell, before anything is allocated for it, and nothing here converts a number of
a thousand digits or caches more than the three-letter column names.
"""

from __future__ import annotations

import re

_COLUMNS: dict[bytes, int] = {}  # column letters -> number, as written in references

MAX_ROW = 1_048_576
MAX_COLUMN = 16_384
BEYOND = MAX_COLUMN + 1  # the column number of letters past XFD (or more than three of them)


def column_number(letters: str | bytes) -> int:
    """'A' -> 1, 'AA' -> 27 (cached: a sheet has few distinct columns and many cells); ``BEYOND`` for
    more than three letters, 0 for anything that is not letters."""
    key = letters.encode() if isinstance(letters, str) else letters
    number = _COLUMNS.get(key)
    if number is None:
        if len(key) > 3:
            return BEYOND  # not cached: the cache holds at most the 3-letter spellings
        if not (key.isalpha() and key.isascii()):
            return 0
        number = 0
        for ch in key.upper():
            number = number * 26 + ch - 64
        _COLUMNS[key] = number
    return number


def row_number(digits: str | bytes) -> int:
    """A row number as written (ASCII digits); one past ``MAX_ROW`` for any number beyond it, however
    long (a thousand-digit number is not converted), 0 for anything that is not digits."""
    text = digits.decode("ascii", "replace") if isinstance(digits, bytes) else digits
    text = text.strip()
    if not text or not text.isdigit() or not text.isascii():
        return 0
    if len(text.lstrip("0")) > 7:
        return MAX_ROW + 1
    return int(text)


def within_excel(row: int, column: int) -> bool:
    return 1 <= row <= MAX_ROW and 1 <= column <= MAX_COLUMN


def shown(text: str | bytes, limit: int = 40) -> str:
    """A reference or value from the file as a message quotes it: at most ``limit`` characters."""
    value = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return value if len(value) <= limit else f"{value[:limit]}... ({len(value):,} characters)"


_REFERENCE = re.compile(r"\$?([A-Za-z]+)\$?(\d+)$")


def parse_reference(text: str) -> tuple[int, int] | None:
    """'B7' (or '$B$7') -> (row 7, column 2); None for anything else. A reference beyond XFD1048576 is
    given as a row or column past the limits (see ``within_excel``), however many letters or digits."""
    match = _REFERENCE.match(text.strip())
    if not match:
        return None
    return row_number(match.group(2)), column_number(match.group(1))


def beyond_excel(reference: str | bytes, what: str = "cell reference") -> str:
    """The message refusing a reference past Excel's last cell."""
    return (
        f"{what} {shown(reference)} is beyond Excel's last cell, XFD1048576 (column XFD, row 1,048,576): the "
        "sheet's XML is damaged or was not written by Excel. Open the workbook in Excel and save it again"
    )
