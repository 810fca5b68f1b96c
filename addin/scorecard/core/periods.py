"""Period headers and names: months, quarters and years, as a council's workbook heads its columns.

``parse_period`` reads a header cell as a ``TimePeriod`` or None:

- a month: a date cell, "Jun-18", "June 2018", "Sept 2019", "2018-06", "06/2018", a date typed as
  text ("30/06/2018", day first as in the UK) -> "June 2018"
- a financial-year quarter (UK, April to March): "Q2 18/19", "Q2 2018/19", "2018/19 Q2", "Qtr 2 2018-19",
  "Quarter 2 2018/2019" -> "Q2 2018/19" (July to September 2018)
- a quarter labelled with one year: "Q2 2018", "2018 Q2" -> "Q2 2018". Whether that is April-June or
  July-September depends on the council, so it is named as written and only ordered among its kind.
- a three-month range: "Jul-Sep 2018", "July to September 2018" -> "July to September 2018"
- a financial year: "2018/19", "2018-19", "2018–19", "FY 2018/19", "FY18/19", "2018/2019" -> "2018/19"
- a calendar year: "2018" (text or a whole-number cell) -> "2018"

A word saying how final the figures are is read past: "Jun-18 (provisional)", "Actual Jun-18",
"Jun-18 outturn", "Jun-18*" (a footnote mark) all name June 2018. Anything else is no period: "Q2 target",
"2018/19 budget", "Target 2018", "Ref", "2018/20", "Q5 2018/19".
"2011-12" reads as the financial year 2011/12, not December 2011 (the only overlap, years 2000-2011),
except among month columns (``month_reading``).

A date column is named by its month whatever the spacing of the columns ("Sep-18" next to "Jun-18"
is "September 2018", the previous column "June 2018"): the header says a month, and a figure at a
quarter's end may be a snapshot rather than the quarter's total, so nothing more is claimed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

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
_MONTH_WORDS = {m[:3].lower(): i + 1 for i, m in enumerate(MONTHS)}
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"('?\d{2}|\d{4})"
_FY = r"(?:fy\s*)?(\d{2}|\d{4})\s*[/-]\s*(\d{2}|\d{4})"
_QUARTER = r"(?:q|qtr|quarter)\s*([1-4])"

_PATTERNS = [
    ("month", re.compile(rf"^{_MONTH}[\s\-/']*{_YEAR}$")),
    ("year-month", re.compile(rf"^(\d{{4}})[\s\-/]+{_MONTH}$")),  # "2024 JUL", as ONS time series write months
    ("range", re.compile(rf"^{_MONTH}\s*(?:-|to)\s*{_MONTH}[\s\-/']*{_YEAR}$")),
    # "Apr 2024 - Jun 2024", "Nov 2024 to Jan 2025": three months with a year on each side
    ("range-years", re.compile(rf"^{_MONTH}[\s\-/']*{_YEAR}\s+(?:-|to)\s+{_MONTH}[\s\-/']*{_YEAR}$")),
    # a financial period (month) of a financial year: "P6 24/25", "Period 6 2024/25", "M6 2024/25" (P1 is April)
    ("fy-period", re.compile(rf"^(?:p|period|m|month)\s*(\d{{1,2}})[\s,\-]*{_FY}$")),
    ("fy", re.compile(rf"^{_FY}$")),
    ("fy-quarter", re.compile(rf"^{_QUARTER}[\s,\-]*{_FY}$")),
    ("fy-quarter-after", re.compile(rf"^{_FY}[\s,\-]*{_QUARTER}$")),
    ("quarter", re.compile(rf"^{_QUARTER}[\s,\-]*(\d{{4}})$")),
    ("quarter-after", re.compile(rf"^(\d{{4}})[\s,\-]*{_QUARTER}$")),
    ("numeric-month", re.compile(r"^(\d{4})[-/](\d{1,2})$|^(\d{1,2})[-/](\d{4})$")),
    ("year", re.compile(r"^(\d{4})$")),
]
_FIRST_YEAR, _LAST_YEAR = 1990, 2100  # a four-digit number outside these is not read as a year


@dataclass(frozen=True)
class TimePeriod:
    """A span of months a header names: its kind, where it sits in time, and how it names itself.

    ``kind`` is month, quarter or year (what a history of columns is a series of). Two periods are
    equal when they cover the same months, so "Jul-Sep 2018" is "Q2 2018/19" and a date cell is
    "Jun-18"; a quarter labelled with one year ("Q2 2018") only equals the same label.
    """

    kind: str  # week | month | quarter | year
    start: int  # the first month covered, as year * 12 + month - 1 (a week: the month it starts in)
    months: int  # 1, 3 or 12; 0 for a week
    name: str = field(compare=False)  # "June 2018", "Q2 2018/19", "2018/19", "week commencing 5 August 2024" ...
    style: str = field(compare=False, default="")  # how it was written, to name its neighbours alike
    label: tuple[int, int] | None = None  # (year, quarter) of a one-year quarter label, else None
    day: int = 0  # a week's first day (a date ordinal), or its number when it is only numbered ("Week 32")

    @property
    def end(self) -> int:
        """The last month covered, as year * 12 + month - 1."""
        return self.start + max(self.months, 1) - 1

    @property
    def order(self) -> tuple[int, int, int]:
        return (self.end, self.months, self.day)

    def before(self) -> TimePeriod:
        """The period of the same kind and style just before this one."""
        if self.kind == "week":
            return _week_before(self)
        if self.style == "month":
            return _month(self.start - 1)
        if self.style == "range":
            return _range(self.start - 3)
        if self.style == "fy-quarter":
            return _fy_quarter(self.start - 3)
        if self.style == "quarter" and self.label:
            year, q = self.label
            return _quarter_label(year - 1, 4) if q == 1 else _quarter_label(year, q - 1)
        if self.style == "fy":
            return _fy(self.start // 12 - 1)
        return _year(self.start // 12 - 1)


# --- weeks --------------------------------------------------------------------------------------------

_WEEK_NUMBER = re.compile(r"^(?:week|wk|w)\.?\s*(?:no\.?\s*)?(\d{1,2})(?:\s*[,(]?\s*(.+?)\)?)?$")
_WEEK_DATED = re.compile(
    r"^(week commencing|week beginning|week ending|w/c|w\.c\.|w/b|w/e|w\.e\.|wc|wb|we)\b[\s:.]*(.+)$"
)
_ENDING = {"w/e", "we", "w.e.", "week ending"}


def week_of(first_day: dt.date, ending: bool = False) -> TimePeriod:
    """The week a date heads: commencing on it, or (``ending``) ending on it."""
    start = first_day - dt.timedelta(days=6) if ending else first_day
    said = first_day if ending else start
    words = "week ending" if ending else "week commencing"
    name = f"{words} {said.day} {MONTHS[said.month - 1]} {said.year}"
    return TimePeriod(
        "week", start.year * 12 + start.month - 1, 0, name, "week-ending" if ending else "week", None, start.toordinal()
    )


def _numbered_week(number: int, year: TimePeriod | None) -> TimePeriod:
    """A week named by its number ("Week 32", "Week 32 2024/25"): ordered by its number within its year (a
    week of no stated year is placed nowhere in time: it is ordered only among its kind)."""
    name = f"Week {number}" + (f" {year.name}" if year else "")
    start = year.start if year else 0
    return TimePeriod("week", start, 0, name, "week-number", (start, number), number)


def _week_before(week: TimePeriod) -> TimePeriod:
    """The week before: seven days earlier, or the number before (week 1 has none in its year: itself)."""
    if week.style == "week-number":
        start, number = week.label or (0, week.day)
        year = None if not start else _fy(start // 12) if start % 12 == 3 else _year(start // 12)
        return _numbered_week(number - 1, year) if number > 1 else week
    first = dt.date.fromordinal(week.day - 7)
    return week_of(first + dt.timedelta(days=6), ending=True) if week.style == "week-ending" else week_of(first)


def _week(text: str) -> TimePeriod | None:
    """ "Week 32", "Wk 32 2024/25", "w/c 05/08/2024", "Week commencing 5 August 2024", "W/E 11/08/24"."""
    match = _WEEK_NUMBER.match(text)
    if match:
        number = int(match.group(1))
        year = parse_period(match.group(2)) if match.group(2) else None
        if not 1 <= number <= 53 or (match.group(2) and (year is None or year.kind != "year")):
            return None
        return _numbered_week(number, year)
    match = _WEEK_DATED.match(text)
    if match:
        day = exact_date(match.group(2))
        return None if day is None else week_of(day, ending=match.group(1) in _ENDING)
    return None


_WORDY_DATE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-/]+([a-z]+)\.?[\s\-/,]+(\d{2}|\d{4})$")


def exact_date(value: object) -> dt.date | None:
    """A header that is one day: a date cell, "05/08/2024" (day first), "2024-08-05", "5 Aug 2024", "5-Aug-24"."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = " ".join(value.split()).lower()
    match = _TEXT_DATE.match(text)
    if match:
        day, month, year = match.groups()[:3] if match.group(1) else (match.group(6), match.group(5), match.group(4))
    else:
        wordy = _WORDY_DATE.match(text)
        if wordy is None or wordy.group(2)[:3] not in _MONTH_WORDS:
            return None
        day, month, year = wordy.group(1), str(_MONTH_WORDS[wordy.group(2)[:3]]), wordy.group(3)
    full_year = int(year) + 2000 if len(year) == 2 else int(year)
    try:
        found = dt.date(full_year, int(month), int(day))
    except ValueError:
        return None
    return found if _FIRST_YEAR <= found.year <= _LAST_YEAR else None


def weekly(dates: list[dt.date]) -> bool:
    """Dates heading columns a week apart: a weekly series (week commencing), not months."""
    ordered = sorted(set(dates))
    return len(ordered) == len(dates) >= 2 and all(
        (b - a).days == 7 for a, b in zip(ordered, ordered[1:], strict=False)
    )


def _year_of(text: str) -> int:
    text = text.lstrip("'")
    return 2000 + int(text) if len(text) == 2 else int(text)


def _month(index: int) -> TimePeriod:
    year, m = divmod(index, 12)
    return TimePeriod("month", index, 1, f"{MONTHS[m]} {year}", "month")


def _range(index: int) -> TimePeriod:
    year, m = divmod(index, 12)
    end_year, end_m = divmod(index + 2, 12)
    first = MONTHS[m] if year == end_year else f"{MONTHS[m]} {year}"
    return TimePeriod("quarter", index, 3, f"{first} to {MONTHS[end_m]} {end_year}", "range")


def _fy_name(first_year: int) -> str:
    return f"{first_year}/{(first_year + 1) % 100:02d}"


def _fy(first_year: int) -> TimePeriod:
    return TimePeriod("year", first_year * 12 + 3, 12, _fy_name(first_year), "fy")


def _fy_quarter(index: int) -> TimePeriod:
    """The financial-year quarter starting at month ``index`` (April, July, October or January)."""
    year, m = divmod(index, 12)
    first_year = year if m >= 3 else year - 1
    quarter = (m - 3) % 12 // 3 + 1
    return TimePeriod("quarter", index, 3, f"Q{quarter} {_fy_name(first_year)}", "fy-quarter")


def _quarter_label(year: int, quarter: int) -> TimePeriod:
    # ordered as if calendar quarters; equal only to the same label, never to months it may not cover
    return TimePeriod("quarter", year * 12 + 3 * (quarter - 1), 3, f"Q{quarter} {year}", "quarter", (year, quarter))


def _year(year: int) -> TimePeriod:
    return TimePeriod("year", year * 12, 12, str(year), "year")


def _fy_years(first: str, second: str) -> int | None:
    """The first year of a financial year written as two years, if they are consecutive."""
    if len(first) != len(second) and len(first) == 2:
        return None  # "12/2013" is a month, not a financial year
    a = _year_of(first)
    b = int(second)
    if len(second) == 2:
        return a if (a + 1) % 100 == b else None
    return a if b == a + 1 else None


# Words that say how final a period's figures are, not which period: "Jun-18 (provisional)", "Actual
# Jun-18", "Jun-18*" all head June 2018's figures. Words that say the column holds something else
# ("target", "forecast", "budget", "YTD") are not among them, so such a header names no period.
_DATA_WORDS = {
    "actual",
    "actuals",
    "outturn",
    "provisional",
    "prov",
    "final",
    "revised",
    "validated",
    "unvalidated",
    "data",
    "figure",
    "figures",
    "result",
    "results",
}
_FOOTNOTE_MARKS = "*†‡§¹²³"
_TEXT_DATE = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})$|^(\d{4})-(\d{2})-(\d{2})$")


_NOTE = re.compile(r"(?:\s*[\[(]\s*(?:notes?|footnote)\s*\d+[a-z]?\s*[\])])+\s*$")  # "[note 16] [note 17]"
_SNAPSHOT = re.compile(r"^(?:as at|as of|at|position at|snapshot at)\s+")
_END_OF = re.compile(r"\s*\((?:end of|as at|at|to)\s[^)]*\)\s*$")
_STATUS_MARK = re.compile(r"(?<=\d)[pr]$")  # "2021/22p" provisional, "2019r" revised, as official statistics mark them


def _clean(text: str) -> str:
    text = (
        " ".join(text.replace("–", "-").replace("—", "-").replace(": ", " ").split())
        .lower()
        .rstrip(_FOOTNOTE_MARKS)
        .rstrip()
    )
    text = _STATUS_MARK.sub("", _NOTE.sub("", text)).rstrip(_FOOTNOTE_MARKS).rstrip()  # "2021/22p [note 4]"
    text = _SNAPSHOT.sub("", _END_OF.sub("", text)).strip()  # "at 31 mar 2025 (end of q4 2024/25)": the day
    if text.endswith(")") and "(" in text:  # "jun-18 (provisional)": a qualifier in brackets
        head, _, inside = text[:-1].rpartition("(")
        if inside.strip() in _DATA_WORDS or inside.strip().rstrip(".") in _DATA_WORDS:
            text = head.strip()
    words = text.split(" ")
    while len(words) > 1 and words[-1].rstrip(".:") in _DATA_WORDS:
        words.pop()
    while len(words) > 1 and words[0].rstrip(".:") in _DATA_WORDS:
        words.pop(0)
    return " ".join(words)


def _text_date(text: str) -> TimePeriod | None:
    """A date typed as text, as a UK council types it: "30/06/2018", "30.06.18", or ISO "2018-06-30"."""
    match = _TEXT_DATE.match(text)
    if match is None:
        return None
    day, month, year = match.groups()[:3] if match.group(1) else (match.group(6), match.group(5), match.group(4))
    full_year = int(year) + 2000 if len(year) == 2 else int(year)
    try:
        dt.date(full_year, int(month), int(day))
    except ValueError:
        return None
    return _month(full_year * 12 + int(month) - 1) if _FIRST_YEAR <= full_year <= _LAST_YEAR else None


def parse_period(value: object) -> TimePeriod | None:
    """The period a header names, or None when it names none."""
    if isinstance(value, (dt.date, dt.datetime)):
        return _month(value.year * 12 + value.month - 1)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _year(value) if _FIRST_YEAR <= value <= _LAST_YEAR else None
    if not isinstance(value, str):
        return None
    text = _clean(value)
    for style, pattern in _PATTERNS:
        match = pattern.match(text)
        if match:
            period = _read(style, match.groups())
            if period is not None:
                return period
    return _week(text) or _text_date(text) or _day_month(text) or _bilingual(value)


def _bilingual(value: str) -> TimePeriod | None:
    """A header in two languages ("Medi 2024 / September 2024", as Welsh councils write them): the period its
    halves name, when those that name one agree."""
    parts = [part for part in value.split(" / ") if part.strip()]
    if len(parts) < 2:
        return None
    read = {period for part in parts if (period := parse_period(part)) is not None}
    return read.pop() if len(read) == 1 else None


def _day_month(text: str) -> TimePeriod | None:
    """A day written in words ("31 Mar 2025", "30 June 2024"): the month it falls in, as a date cell is."""
    day = exact_date(text)
    return None if day is None else _month(day.year * 12 + day.month - 1)


_AT = re.compile(r"\s(?:as at|as of|at)\s+(\S.*)$", re.IGNORECASE)


def snapshot_period(value: object) -> TimePeriod | None:
    """The period a measure's header says it stands at: "Capacity at May 2019", "Children in care as at
    31/03/2024". Only the whole text after the last "at" counts; used where the rules name the column as a
    figure's, never to find period columns (a "Target at Mar-25" column is no period's figures)."""
    if not isinstance(value, str):
        return None
    match = _AT.search(" ".join(value.split()))
    return parse_period(match.group(1)) if match else None


def mentioned_period(value: object) -> TimePeriod | None:
    """A period named anywhere in a header that is not itself a period header: "Jun-18 Forecast",
    "Target Q2 2018/19" name June 2018 and Q2 2018/19. The longest run of words that reads as one."""
    if not isinstance(value, str):
        return None
    words = " ".join(value.replace("(", " ").replace(")", " ").split()).split(" ")
    best: tuple[int, TimePeriod] | None = None
    for start in range(len(words)):
        for end in range(len(words), start, -1):
            if best and end - start <= best[0]:
                break
            period = parse_period(" ".join(words[start:end]))
            if period is not None:
                best = (end - start, period)
                break
    return best[1] if best else None


def month_reading(value: object) -> TimePeriod | None:
    """A header read as a month only: "2011-12" is December 2011 among month columns."""
    if not isinstance(value, str):
        return parse_period(value) if isinstance(value, (dt.date, dt.datetime)) else None
    text = _clean(value)
    for style, pattern in _PATTERNS:
        match = pattern.match(text) if style in ("month", "year-month", "numeric-month") else None
        if match:
            return _read(style, match.groups())
    return None


def _read(style: str, groups: tuple[str, ...]) -> TimePeriod | None:
    if style == "month":
        return _month(_year_of(groups[1]) * 12 + _MONTH_WORDS[groups[0][:3]] - 1)
    if style == "year-month":
        return _month(int(groups[0]) * 12 + _MONTH_WORDS[groups[1][:3]] - 1)
    if style == "range":
        first_month, last_month = _MONTH_WORDS[groups[0][:3]], _MONTH_WORDS[groups[1][:3]]
        in_one_year = last_month - first_month == 2  # three months within one year
        return _range(_year_of(groups[2]) * 12 + first_month - 1) if in_one_year else None
    if style == "range-years":
        start = _year_of(groups[1]) * 12 + _MONTH_WORDS[groups[0][:3]] - 1
        end = _year_of(groups[3]) * 12 + _MONTH_WORDS[groups[2][:3]] - 1
        return _range(start) if end - start == 2 else None
    if style == "fy-period":
        number, first_year = int(groups[0]), _fy_years(groups[1], groups[2])
        if first_year is None or not 1 <= number <= 12:  # a thirteenth four-week period is no month
            return None
        return _month(first_year * 12 + 3 + number - 1)
    if style == "fy":
        first_year = _fy_years(*groups)
        return _fy(first_year) if first_year is not None and _FIRST_YEAR <= first_year <= _LAST_YEAR else None
    if style in ("fy-quarter", "fy-quarter-after"):
        quarter, first, second = (
            (groups[0], groups[1], groups[2]) if style == "fy-quarter" else (groups[2], groups[0], groups[1])
        )
        first_year = _fy_years(first, second)
        if first_year is None:
            return None
        return _fy_quarter(first_year * 12 + 3 + 3 * (int(quarter) - 1))
    if style in ("quarter", "quarter-after"):
        number, label_year = (
            (int(groups[0]), int(groups[1])) if style == "quarter" else (int(groups[1]), int(groups[0]))
        )
        return _quarter_label(label_year, number) if _FIRST_YEAR <= label_year <= _LAST_YEAR else None
    if style == "numeric-month":
        y, m = (int(groups[0]), int(groups[1])) if groups[0] else (int(groups[3]), int(groups[2]))
        return _month(y * 12 + m - 1) if 1 <= m <= 12 else None
    plain_year = int(groups[0])
    return _year(plain_year) if _FIRST_YEAR <= plain_year <= _LAST_YEAR else None


def between(previous: str, current: str) -> str:
    """Two period names joined as people write them, the shared year said once:
    'May and June 2018', 'Q1 and Q2 2018/19', 'June and September 2018', '2017/18 and 2018/19',
    'December 2017 and January 2018'. Names that are not periods are joined whole."""
    a, b = parse_period(previous), parse_period(current)
    if a and b and a.style == b.style and a.name != b.name:
        head, _, tail = a.name.rpartition(" ")
        same_year = head and not re.search(r"\d{4}", head) and b.name.endswith(f" {tail}")
        if same_year and a.style in ("month", "range", "fy-quarter", "quarter"):
            return f"{head} and {b.name}"
        return f"{a.name} and {b.name}"
    return f"{previous} and {current}"
