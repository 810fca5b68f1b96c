"""A1 references: column letters and numbers, a cell's reference and a range, within Excel's limits.

The one home of these for the whole package: the core names cells in its findings and formulas, the file
side reads references from a sheet's XML and writes them back, the Excel side names the blocks it writes.

Excel's last cell is XFD1048576. A reference beyond it comes back as a row or column past the limits
(``within_excel`` tells), so a reader can refuse it naming the cell; nothing here converts a number of a
thousand digits or caches more than the three-letter column names.
"""

from __future__ import annotations

import re
from functools import lru_cache

MAX_ROW = 1_048_576
MAX_COLUMN = 16_384
BEYOND = MAX_COLUMN + 1  # the column number of letters past XFD (or more than three of them)

Area = tuple[int, int, int, int]  # (first row, first column, last row, last column)

# column letters -> number, as written in references: ``column_number`` fills it; a loop over a sheet's
# cells may look its letters up here first
KNOWN_COLUMNS: dict[bytes, int] = {}


def column_number(letters: str | bytes) -> int:
    """'A' -> 1, 'AA' -> 27 (cached: a sheet has few distinct columns and many cells); ``BEYOND`` for
    more than three letters, 0 for anything that is not letters."""
    key = letters.encode() if isinstance(letters, str) else letters
    number = KNOWN_COLUMNS.get(key)
    if number is None:
        if len(key) > 3:
            return BEYOND  # not cached: the cache holds at most the 3-letter spellings
        if not (key.isalpha() and key.isascii()):
            return 0
        number = 0
        for ch in key.upper():
            number = number * 26 + ch - 64
        KNOWN_COLUMNS[key] = number
    return number


@lru_cache(maxsize=4096)  # a sheet has few columns; every cell reference spells one
def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA: for messages and cell references."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


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


def cell_ref(row: int, column: int) -> str:
    """(7, 2) -> 'B7'."""
    return f"{column_letter(column)}{row}"


def range_ref(area: Area) -> str:
    """(2, 1, 9, 4) -> 'A2:D9'."""
    return f"{cell_ref(area[0], area[1])}:{cell_ref(area[2], area[3])}"


_REFERENCE = re.compile(r"\$?([A-Za-z]+)\$?(\d+)$")
_RANGE = re.compile(r"\$?([A-Za-z]*)\$?(\d*)(?::\$?([A-Za-z]*)\$?(\d*))?")


def parse_reference(text: str) -> tuple[int, int] | None:
    """'B7' (or '$B$7') -> (row 7, column 2); None for anything else. A reference beyond XFD1048576 is
    given as a row or column past the limits (see ``within_excel``), however many letters or digits."""
    match = _REFERENCE.match(text.strip())
    if not match:
        return None
    return row_number(match.group(2)), column_number(match.group(1))


def parse_range(text: str, *, whole: bool = False) -> Area | None:
    """'B2:D9' or one cell 'B2' (with or without $) -> its ``Area``; None for anything else. With ``whole``,
    whole columns ('A:B', 'H') and whole rows ('3:4') too, as a conditional format's range may give them.
    A reference beyond XFD1048576 is given as a row or column past the limits (see ``within_excel``)."""
    if not whole:
        first, _, last = text.strip().partition(":")
        start = parse_reference(first)
        end = parse_reference(last) if last else start
        if start is None or end is None:
            return None
        return (start[0], start[1], end[0], end[1])
    match = _RANGE.fullmatch(text.strip())
    if not match or not any(match.groups()):
        return None
    c1, r1, c2, r2 = match.groups()
    if c2 is None and r2 is None:
        c2, r2 = c1, r1
    return (
        row_number(r1) if r1 else 1,
        column_number(c1) if c1 else 1,
        row_number(r2) if r2 else MAX_ROW,
        column_number(c2) if c2 else MAX_COLUMN,
    )


def sqref_ranges(sqref: str) -> list[Area]:
    """A list of ranges as a sheet's XML gives them (``sqref``: 'H2:H11 J5 A:B 3:4'), each as an ``Area``;
    whole rows or columns open-ended, what is no range left out."""
    areas = (parse_range(part, whole=True) for part in sqref.split())
    return [area for area in areas if area is not None]
