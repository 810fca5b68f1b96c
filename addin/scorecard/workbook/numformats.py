"""Number formats and dates as a workbook file stores them (ECMA-376 Part 1), without a spreadsheet library.

- ``BUILTIN_FORMATS``: the codes of the built-in number formats a cell format names by id alone
  (18.8.30 numFmt), with the currency and accounting forms (5-8, 41-44) an English-language Excel
  uses for the ids the standard leaves to the locale.
- ``is_date_format`` / ``is_duration_format``: a cell whose number format shows a date or time holds a
  date serial (18.17.4); an elapsed-time code ([h]:mm) shows a duration.
- ``from_serial``: a date serial as Python's datetime, in the workbook's date system: 1900 (serial 1 is
  1 January 1900, and serial 60 is the 29 February 1900 Excel counts though it never was, kept from
  Lotus 1-2-3; it reads as 28 February) or 1904 (serial 0 is 1 January 1904, as Excel for Mac used).
  A serial below 1 with no whole days is a time of day; an elapsed-time format gives a timedelta.
- ``from_iso8601``: the value of a cell of type ``d`` (18.17.4.1), as some writers store dates.

The answers are the ones openpyxl gives (tests/test_numformats.py holds it to them), so the reader
reads a workbook as it did when it used openpyxl's helpers; only this small module is imported.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

BUILTIN_FORMATS: dict[int, str] = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    5: '"$"#,##0_);("$"#,##0)',
    6: '"$"#,##0_);[Red]("$"#,##0)',
    7: '"$"#,##0.00_);("$"#,##0.00)',
    8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    12: "# ?/?",
    13: "# ??/??",
    14: "mm-dd-yy",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "m/d/yy h:mm",
    37: "#,##0_);(#,##0)",
    38: "#,##0_);[Red](#,##0)",
    39: "#,##0.00_);(#,##0.00)",
    40: "#,##0.00_);[Red](#,##0.00)",
    41: r'_(* #,##0_);_(* \(#,##0\);_(* "-"_);_(@_)',
    42: r'_("$"* #,##0_);_("$"* \(#,##0\);_("$"* "-"_);_(@_)',
    43: r'_(* #,##0.00_);_(* \(#,##0.00\);_(* "-"??_);_(@_)',
    44: r'_("$"* #,##0.00_)_("$"* \(#,##0.00\)_("$"* "-"??_)_(@_)',
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
    48: "##0.0E+0",
    49: "@",
}
BUILTIN_LIMIT = 164  # ids below this are Excel's own; a workbook's custom formats start here

EPOCH_1900 = dt.datetime(1899, 12, 30)  # day 0 of the 1900 system, counting its 29 February 1900
EPOCH_1904 = dt.datetime(1904, 1, 1)
_SECONDS_PER_DAY = 86400


def _first_section(code: str) -> str:
    """The part of the code before its first ';' (positive numbers use it)."""
    return code.split(";", 1)[0]


def _without_literals(section: str) -> str:
    """The section without quoted text and [..] brackets other than elapsed time ([h], [mm], [ss]).

    An unclosed quote or bracket is kept as written, and what follows it is read on."""
    out = []
    i = 0
    while i < len(section):
        ch = section[i]
        end = section.find('"' if ch == '"' else "]", i + 1) if ch in '"[' else -1
        if end >= 0 and (ch == '"' or not _is_elapsed(section[i + 1 : end])):
            i = end + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _is_elapsed(inside: str) -> bool:
    """[h], [hh], [m], [mm], [s], [ss]: elapsed hours, minutes or seconds."""
    return inside in ("h", "hh", "m", "mm", "s", "ss")


@lru_cache(maxsize=1024)  # a workbook has a few dozen formats
def is_date_format(code: str | None) -> bool:
    """True when the code shows a date or a time: a d, m, y, h or s outside quotes and brackets (other
    than elapsed-time ones) that is not escaped (backslash) or a space's width (underscore)."""
    if code is None:
        return False
    section = _without_literals(_first_section(code))
    previous = ""
    for ch in section:
        if ch in "dmhysDMHYS" and previous not in ("_", "\\"):
            return True
        previous = ch
    return False


_ELAPSED = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.IGNORECASE)


@lru_cache(maxsize=1024)
def is_duration_format(code: str | None) -> bool:
    """True when the code shows elapsed time ([h]:mm:ss, [mm]:ss, [s]): the cell holds a duration in days."""
    return code is not None and _ELAPSED.search(_first_section(code)) is not None


def from_serial(serial: float, date1904: bool = False, duration: bool = False) -> dt.datetime | dt.time | dt.timedelta:
    """A date serial as Excel shows it: a datetime, a time (below 1, no whole day) or, for an
    elapsed-time format, a timedelta. Raises OverflowError or ValueError outside Python's dates."""
    if duration:
        span = dt.timedelta(days=serial)
        if span.microseconds:  # to the millisecond, as Excel keeps times
            span = dt.timedelta(seconds=span.total_seconds() // 1, microseconds=round(span.microseconds, -3))
        return span
    day, fraction = divmod(serial, 1)
    time = dt.timedelta(milliseconds=round(fraction * _SECONDS_PER_DAY * 1000))
    if 0 <= serial < 1 and time.days == 0:
        minutes, seconds = divmod(time.seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return dt.time(hours, minutes, seconds, time.microseconds)
    if date1904:
        return EPOCH_1904 + dt.timedelta(days=day) + time
    if 0 < serial < 60:  # before Excel's 29 February 1900 the count is one day ahead of the calendar
        day += 1
    return EPOCH_1900 + dt.timedelta(days=day) + time


_ISO = re.compile(
    r"(?P<date>(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2}))?T?"
    r"(?P<time>(?P<hour>\d{2}):(?P<minute>\d{2})(:(?P<second>\d{2})(?P<fraction>\.\d{1,3})?)?)?Z?"
)
_ISO_DURATION = re.compile(r"PT((?P<hours>\d+)H)?((?P<minutes>\d+)M)?((?P<seconds>\d+(\.\d{1,3})?)S)?")


def from_iso8601(text: str) -> dt.datetime | dt.date | dt.time | dt.timedelta | None:
    """The value of an ISO 8601 cell (type ``d``): a date, a time, a date and time, or a duration
    (PT1H30M, which Excel writes in strict mode). Raises ValueError for anything else."""
    if not text:
        return None
    found = _ISO.match(text)
    if found and any(found.groups()):
        parts = {
            key: int(value) if value else 0
            for key, value in found.groupdict().items()
            if key not in ("date", "time", "fraction")
        }
        micro = int(float(found["fraction"]) * 1_000_000) if found["fraction"] else 0
        if not found["date"]:
            return dt.time(parts["hour"], parts["minute"], parts["second"], micro)
        if not found["time"]:
            return dt.date(parts["year"], parts["month"], parts["day"])
        return dt.datetime(
            parts["year"], parts["month"], parts["day"], parts["hour"], parts["minute"], parts["second"], micro
        )
    found = _ISO_DURATION.match(text)
    if found and any(found.groups()):
        return dt.timedelta(
            hours=float(found["hours"] or 0), minutes=float(found["minutes"] or 0), seconds=float(found["seconds"] or 0)
        )
    raise ValueError(f"not an ISO 8601 date, time or duration: {text!r}")
