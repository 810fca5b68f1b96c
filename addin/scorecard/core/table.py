"""From a grid of cells to a table of KPIs: the reading rules, shared by every front end.

Adapters only turn their workbook into a ``Grid`` (values and number formats from A1), so the
ribbon, the cell formulas and the command line find the same table in the same workbook.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from ..errors import WorkbookError, cell_ref, column_letter
from .embedded import is_rules_sheet
from .engine import displayed
from .model import POLARITY_CHOICES, Kpi, Period, Polarity, Rag
from .months import MONTHS
from .numfmt import format_decimals, general_decimals, is_general
from .periods import TimePeriod, mentioned_period, month_reading, parse_period
from .rules import DEFAULT_HEADERS, KpiRule, Rules, check_target_and_floor
from .statuswords import DEFAULT_WORDS, read_status_words
from .thresholds import Threshold, parse_threshold
from .units import Figure, ScaleFinding, ratio_problem, scale_check, share_problem, within_scale

HEADER_SEARCH_ROWS = 30
NO_DATA_TEXT = {"", "n/a", "na", "-", "–", "—", "..", "x", "*", "tbc"}  # "nil" is zero (core/thresholds.py)
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


RowHidden = Literal["hidden", "grouped"]  # hidden, or folded into a collapsed outline group


@dataclass(frozen=True)
class CellError:
    """An Excel error value such as #DIV/0!: no data, never a number."""

    code: str


@dataclass(frozen=True)
class TableArea:
    """An Excel Table (ListObject): its name and rows; 1-based, inclusive."""

    name: str
    first_row: int
    first_column: int
    last_row: int
    last_column: int
    header_rows: int = 1  # 0 when the table shows no header row
    totals_rows: int = 0  # 1 when the table shows a totals row (its last row)

    @property
    def totals_row(self) -> int | None:
        return self.last_row if self.totals_rows else None


@dataclass
class Grid:
    """One worksheet as values (and number formats) from A1; rows and columns 1-based in calls.

    ``formats`` may be None when the adapter cannot read number formats; then percent-formatted
    fractions cannot be recognised and the rules must state values in percent points.
    """

    sheet: str
    values: Sequence[Sequence[Any]]
    formats: Sequence[Sequence[str | None]] | None = None
    merged: Sequence[tuple[int, int, int, int]] = ()  # (first row, first column, last row, last column)
    uncalculated: frozenset[tuple[int, int]] = frozenset()  # formula cells saved without a result
    # What an adapter can also tell, each empty when it cannot (the remote engine, a plain range):
    formulas: frozenset[tuple[int, int]] = frozenset()  # (row, column) of cells holding a formula
    hidden_rows: Mapping[int, RowHidden] = field(default_factory=dict)  # "grouped": in a collapsed outline
    tables: Sequence[TableArea] = ()  # Excel Tables (ListObjects) on the sheet
    hidden_rows_known: bool = True  # False: the adapter cannot tell hidden rows (remote engine, a formula's range)
    merged_known: bool = True  # False: the adapter cannot tell merged cells (remote engine, Lite, a formula's range)

    def shared_by_rows(self, row: int, column: int) -> tuple[int, int, int, int] | None:
        """The merged cells a cell is part of, below their first row, when they are one column wide: a
        target merged down across the rows of several KPIs shows its one value on each of them. (Cells
        merged across columns as well, D2:E4, show one value for two fields: no field's own.)"""
        if not self.merged:
            return None
        area = self.merged_range(row, column)
        return area if area is not None and area[0] < row <= area[2] and area[1] == area[3] else None

    def merged_range(self, row: int, column: int) -> tuple[int, int, int, int] | None:
        for area in self.merged:
            if area[0] <= row <= area[2] and area[1] <= column <= area[3]:
                return area
        return None

    @property
    def row_count(self) -> int:
        return len(self.values)

    def value(self, row: int, column: int) -> Any:
        if row > len(self.values):
            return None
        cells = self.values[row - 1]
        return cells[column - 1] if column <= len(cells) else None

    def number_format(self, row: int, column: int) -> str | None:
        if self.formats is None or row > len(self.formats):
            return None
        cells = self.formats[row - 1]
        return cells[column - 1] if column <= len(cells) else None

    def width(self, row: int) -> int:
        cells = self.values[row - 1] if row <= len(self.values) else ()
        last = len(cells)
        while last and (cells[last - 1] is None or cells[last - 1] == ""):
            last -= 1
        return last


@dataclass
class KpiTable:
    """What was read: the KPIs, where they are, and the two periods they cover."""

    sheet: str
    header_row: int
    columns: dict[str, int]
    kpis: list[Kpi]
    period: Period
    added_columns: dict[str, int] = field(default_factory=dict)  # rag/direction columns to create
    warnings: list[str] = field(default_factory=list)
    header_top: int | None = None  # the header's first row when it is written in two rows
    notes: list[str] = field(
        default_factory=list
    )  # what check reports beside warnings: rows read as not KPIs, hidden KPIs
    repeated_headers: list[int] = field(default_factory=list)  # header rows further down (stacked tables)
    history_columns: tuple[int, ...] = ()  # layout.history: the period columns, oldest period first
    rag_words: Mapping[Rag, str] = field(
        default_factory=lambda: dict(DEFAULT_WORDS)
    )  # the RAG column's spelling: Green or G

    @property
    def rag_column(self) -> int:
        return self.columns["rag"]

    @property
    def direction_column(self) -> int:
        return self.columns["direction"]


_PERCENT_FORMAT = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


@lru_cache(maxsize=1024)  # a workbook has a few formats, read once a cell
def is_percent_format(number_format: str | None) -> bool:
    """True for 0.0%, 0%;[Red]-0%; false for "%" inside quotes or escaped."""
    return number_format is not None and "%" in _PERCENT_FORMAT.sub("", number_format)


def _scaled(number: float, number_format: str | None) -> float:
    if is_percent_format(number_format):
        return float(f"{number * 100:.12g}")  # 0.575*100 is 57.49999999999999 in binary: undo that
    return float(number)


_INFINITIES = (float("inf"), float("-inf"))


def read_value(value: Any, number_format: str | None) -> tuple[float | None, str | None]:
    """A cell as a KPI figure: (number or None for no data, a note on why it is no data, or on a number
    read from text)."""
    if value is None or isinstance(value, CellError):
        return None, None
    if isinstance(value, bool):
        return None, f"{value!s} is not a figure"
    if isinstance(value, (int, float)):
        if value != value or value in _INFINITIES:
            return None, "not a finite number"
        return _scaled(value, number_format), None
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return None, "a date is not a figure"
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in NO_DATA_TEXT or text.upper() in EXCEL_ERRORS:
            return None, None
        if text.lower() in ("nil", "zero"):  # in UK statistics nil is zero, not no data
            return 0.0, None
        said = (
            parse_threshold(text) if not any(ch.isalpha() for ch in text) else None
        )  # "3 weeks": not in the KPI's unit
        if said is not None and said.bound is None:  # a number stored as text, as pasted from another system
            if "%" not in text and is_percent_format(number_format):  # "0.85" where figures are read x100: which scale?
                return None, (
                    f"holds {text[:40]!r} as text where percentages are read from fractions, so its scale is "
                    "not known; enter it as a number"
                )
            return said.value, (
                f"holds {text[:40]!r} as text, read as the number {said.value:g} (Excel's SUM and "
                "AVERAGE skip such text: convert it to a number)"
            )
        return None, f"text {text[:40]!r} is not a figure"
    return None, f"{type(value).__name__} is not a figure"


def read_threshold(value: Any, number_format: str | None) -> float | None:
    """A target or floor cell: a number, or text as analysts write it ("85%", "≥ 85%", "1,200 or fewer")."""
    if isinstance(value, str):
        said = parse_threshold(value)
        return said.value if said else None
    number, _ = read_value(value, number_format)
    return number


def threshold_text_problem(name: str, text: str, said: Threshold | None, polarity: Polarity | None) -> str | None:
    """What is wrong with a target or floor written as text, if anything: text that is no one number
    (the KPI would be rated without it), or a bound ("≥", "at most") against the KPI's polarity."""
    shown = " ".join(text.split())[:40]
    if said is None:
        if shown.casefold() in NO_DATA_TEXT:
            return None
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


def pick_sheet(names: Sequence[str], wanted: str | None) -> str:
    """The sheet the rules name (matched ignoring case), or the first; a clear error with a
    'did you mean' otherwise. Shared by every front end, which only differ in where names come from."""
    if wanted is not None and is_rules_sheet(wanted):
        raise WorkbookError(f"sheet '{wanted}' (layout.sheet) holds the embedded rules, not a KPI table")
    names = [name for name in names if not is_rules_sheet(name)]  # never rated, whatever its place
    if not names:
        raise WorkbookError("has no worksheets")
    if wanted is None:
        return names[0]
    by_case = {name.casefold(): name for name in names}
    if wanted.casefold() in by_case:
        return by_case[wanted.casefold()]
    close = difflib.get_close_matches(wanted, list(names), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise WorkbookError(f"no sheet named '{wanted}' (layout.sheet){hint}; sheets: {', '.join(names)}")


def _norm(text: Any) -> str:
    return " ".join(str(text).split()).casefold()


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _says_something(value: Any) -> bool:
    """Filled with more than a "no data" mark (N/A, -, TBC)."""
    return _filled(value) and not (isinstance(value, str) and value.strip().lower() in NO_DATA_TEXT)


def _leftmost(grid: Grid, row: int) -> int | None:
    return next((c for c in range(1, grid.width(row) + 1) if _filled(grid.value(row, c))), None)


def _is_header_pair(grid: Grid, rules: Rules, top: int, bottom: int) -> bool:
    """Whether rows ``top`` and ``bottom`` are one header written in two rows.

    The id header sits in one of the two rows, with nothing under it in the other (a KPI row would
    have an id there), and: a header cell is merged down across both rows ("Ref" merged A4:A5); or
    the lower row holds a header the rules name ("Target", a month) that the upper row does not, so
    the header goes on below the id header (this needs no merge information, which not every engine
    has); or, with layout.history, bare month names in the lower row stand under a year label in the
    upper ("2018/19" over Apr, May ...); or the upper row holds a group label merged across columns
    ("Thresholds" over Target and Floor) above headers in the lower row. A title merged across the whole
    table covers its first column, so it is never taken for a group label.
    """
    if top < 1 or bottom > grid.row_count:
        return False
    if any(a[0] == top and a[2] == bottom and _filled(grid.value(a[0], a[1])) for a in grid.merged):
        return True
    wanted_id = _norm(rules.layout.columns["id"])
    ids = [
        (r, c) for r in (top, bottom) for c in range(1, grid.width(r) + 1) if _norm(grid.value(r, c) or "") == wanted_id
    ]
    if not ids:
        return False
    row, column = ids[0]
    if row == top:
        if _filled(grid.value(bottom, column)):
            return False
        named = [text for key, text in rules.layout.columns.items() if key != "id"] + list(
            rules.layout.benchmarks.values()
        )

        def headers(r: int) -> set[str]:
            found = set()
            for c in range(1, grid.width(r) + 1):
                cell = grid.value(r, c)
                found |= {text for text in named if _header_matches(cell, text)}
                if rules.layout.history and parse_period(cell) is not None:
                    found.add(f"period {parse_period(cell)}")
            return found

        if headers(bottom) - headers(top):
            return True
    if rules.layout.history and any(
        _month_under_year(grid, top, c, grid.value(bottom, c)) for c in range(1, grid.width(bottom) + 1)
    ):
        return True  # bare month names under a year label ("2018/19" over Apr, May ...): no merge information needed
    starts = [c for c in (_leftmost(grid, top), _leftmost(grid, bottom)) if c is not None]
    first = min(starts) if starts else 1
    for a in grid.merged:
        if a[0] == a[2] == top and a[3] > a[1] and not a[1] <= first <= a[3] and _filled(grid.value(top, a[1])):
            if any(_filled(grid.value(bottom, c)) for c in range(a[1], a[3] + 1)):
                return True
    return False


def header_span(grid: Grid, rules: Rules, row: int) -> tuple[int, int]:
    """The header's first and last row around ``row`` (the row found holding the id header, or
    layout.header_row): (row, row), or two rows when the header is written in two (see above)."""
    if _is_header_pair(grid, rules, row, row + 1):
        return row, row + 1
    if _is_header_pair(grid, rules, row - 1, row):
        return row - 1, row
    return row, row


def header_cells(grid: Grid, top: int, bottom: int) -> dict[int, Any]:
    """The header text of each column: the lower row's, else the upper row's (a header merged down
    across both rows, or one written in the upper row only). A merged label names its first column."""
    width = max(grid.width(top), grid.width(bottom))
    cells = {}
    for c in range(1, width + 1):
        value = grid.value(bottom, c)
        cells[c] = value if _filled(value) or top == bottom else grid.value(top, c)
    return cells


def header_top(grid: Grid, rules: Rules, header_row: int) -> int:
    return header_row - 1 if _is_header_pair(grid, rules, header_row - 1, header_row) else header_row


def find_header_row(grid: Grid, rules: Rules) -> int:
    """The header's last row (two-row headers: the lower one); KPI rows start below it."""
    wanted = _norm(rules.layout.columns["id"])
    if rules.layout.header_row:
        return header_span(grid, rules, rules.layout.header_row)[1]
    tables = sorted(t.first_row for t in grid.tables if t.header_rows)  # an Excel Table's header, however far down
    for row in [*range(1, min(grid.row_count, HEADER_SEARCH_ROWS) + 1), *(t for t in tables if t > HEADER_SEARCH_ROWS)]:
        if any(
            _norm(grid.value(row, c)) == wanted for c in range(1, grid.width(row) + 1) if grid.value(row, c) is not None
        ):
            return header_span(grid, rules, row)[1]
    raise WorkbookError(
        f"no header cell reading '{rules.layout.columns['id']}' (layout.columns.id) in the first "
        f"{HEADER_SEARCH_ROWS} rows{' or the header rows of its Excel tables' if tables else ''}; set "
        "layout.header_row "
        "or correct the header text",
        sheet=grid.sheet,
    )


def _header_matches(cell: Any, wanted: str) -> bool:
    if cell is None:
        return False
    if _norm(cell) == _norm(wanted):
        return True
    period = parse_period(cell)  # a date cell or "Jun-18" matches "June 2018"; "Q2 18/19" matches "Q2 2018/19"
    return period is not None and period == parse_period(wanted)


def locate_columns(grid: Grid, rules: Rules, header_row: int) -> dict[str, int]:
    top = header_top(grid, rules, header_row)
    headers = header_cells(grid, top, header_row)
    columns: dict[str, int] = {}
    missing: dict[str, str] = {}
    # the RAG and direction columns are looked for by their default headers too, so a column
    # scorecard added on an earlier refresh is found again rather than added twice; the SPC columns
    # (variation, assurance) are written columns too, when the rules name them
    written = {*DEFAULT_HEADERS, *(name for name in SPC_COLUMNS if name in rules.layout.columns)}
    benchmarks = {f"benchmarks.{label}": header for label, header in rules.layout.benchmarks.items()}
    for name, wanted in {**DEFAULT_HEADERS, **rules.layout.columns, **benchmarks}.items():
        found = [c for c, cell in headers.items() if _header_matches(cell, wanted)]
        if len(found) > 1:
            cells = " and ".join(cell_ref(header_row, c) for c in found)
            raise WorkbookError(
                f"two columns are headed '{wanted}' ({cells}); layout.columns.{name} must match one",
                sheet=grid.sheet,
                cell=cell_ref(header_row, found[0]),
            )
        if found:
            columns[name] = found[0]
        elif name in written:
            missing[name] = wanted
        else:
            present = [str(h).strip() for h in headers.values() if h is not None and str(h).strip()]
            close = difflib.get_close_matches(wanted, present, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            merges = [a for a in grid.merged if a[0] <= header_row and top <= a[2] and a[1] != a[3]]
            if merges:
                areas = ", ".join(f"{cell_ref(a[0], a[1])}:{cell_ref(a[2], a[3])}" for a in merges)
                hint += f"; the header row has merged cells ({areas}), and a merged header names only its first column"
            raise WorkbookError(
                f"no column headed '{wanted}' (layout.columns.{name}) in the header "
                f"{'row' if top == header_row else f'rows {top}-{header_row}'}{hint}; "
                f"headers found: {', '.join(present) or 'none'}",
                sheet=grid.sheet,
                row=header_row,
            )
    taken = set(columns.values())  # a header another field claims is never the missing column
    for name, wanted in missing.items():
        _missing_written_column(grid, rules, header_row, name, wanted, headers, taken)
    return columns


def period_columns(
    grid: Grid, header_row: int, taken: set[int], top: int | None = None, rows: Sequence[int] = ()
) -> list[tuple[TimePeriod, int]]:
    """The history's columns, oldest first: those headed by the shortest kind of period (months, then
    quarters, then years) that heads two columns or more, one of them holding figures in ``rows`` (the
    KPI rows) when given; and a shorter kind holding figures later than every column of that kind is the
    series instead (the first month of a year beside last years' outturns). So a year-to-date "2018/19"
    among months is not a month, last years' outturns or a year laid out ahead do not outvote this year's
    months, and empty quarters laid out ahead of a yearly history are not its series."""
    found = []
    headers = header_cells(grid, top or header_row, header_row)  # a two-row header: the lower row, else the label above
    for c, cell in headers.items():
        period = parse_period(cell)
        if period is None and top is not None and top != header_row:
            period = _month_under_year(grid, top, c, cell)
        if c not in taken and period is not None:
            found.append((period, c))
    if not found:
        return []
    # a scorecard reports at its finest cadence: the shortest kind of period that makes a series (two columns
    # or more) is the history; longer ones beside it are outturns of past years, year-to-date totals, targets
    # or years laid out ahead, however many there are. One column of each kind: the shortest.
    # given the KPI rows, a kind is a series only with figures under it (quarters laid out ahead, still empty, are not)
    holding = {
        c for _, c in found if any(read_value(grid.value(r, c), grid.number_format(r, c))[0] is not None for r in rows)
    }
    spans = {p.kind: p.months for p, _ in found}
    headed = {k: sum(1 for q, _ in found if q.kind == k) for k in spans}
    filled = {k: sum(1 for q, c in found if q.kind == k and c in holding) for k in spans}
    series_kinds = [k for k in spans if headed[k] >= 2 and (filled[k] >= 1 or not holding)]
    series = min(series_kinds or [k for k in spans if filled[k]] or list(spans), key=spans.__getitem__)
    if holding:  # a shorter kind holding figures later than every column the series has laid out is the newer
        # cadence (April beside last years' outturns); inside a period the series has a column for (a year-end
        # "Mar-19" beside Q4 18/19, still empty), it is a figure of that period, and the series stands
        newest = {k: max(p.end for p, c in found if p.kind == k and c in holding) for k in spans if filled[k]}
        laid_out = max(p.end for p, _ in found if p.kind == series)
        later = [k for k in newest if spans[k] < spans[series] and newest[k] > laid_out]
        series = min(later, key=spans.__getitem__) if later else series
    # (the series' columns are all its kind's, filled or not: later ones are the periods to come)
    chosen = [(p, c) for p, c in found if p.kind == series]
    if series == "month":  # "2011-12" among "2011-11" and "2012-01" is December 2011, not a financial year
        chosen += [(m, c) for _, c in found if (m := month_reading(headers.get(c))) and (m, c) not in chosen]
    chosen.sort(key=lambda pc: (pc[0].order, pc[1]))
    for (a, first), (b, second) in zip(chosen, chosen[1:], strict=False):
        if a == b:
            raise WorkbookError(
                f"two columns are headed {a.name} ({cell_ref(header_row, first)} and {cell_ref(header_row, second)}); "
                "with layout.history each period needs one column",
                sheet=grid.sheet,
                cell=cell_ref(header_row, first),
            )
    return chosen


month_columns = period_columns  # its earlier name, still used by the Excel adapter


def _month_under_year(grid: Grid, top: int, column: int, cell: Any) -> TimePeriod | None:
    """A bare month name ('Apr') in a two-row header under a year label ('2018/19' or '2018', merged across
    the months or written over the first of them): that month of that year, April to March for a
    financial year (the label: ``_label_above``)."""
    if not isinstance(cell, str) or _norm(cell).rstrip(".") not in _MONTH_NAMES:
        return None
    year = parse_period(_label_above(grid, top, column))
    if year is None or year.kind != "year":
        return None
    month = next(i for i, m in enumerate(MONTHS) if _norm(cell).rstrip(".")[:3] == m[:3].lower())
    index = next(k for k in range(year.start, year.start + 12) if k % 12 == month)
    return parse_period(f"{MONTHS[month]} {index // 12}")


# headers that name a period but say the column holds something other than its figures
_NOT_FIGURES = re.compile(
    r"\b(targets?|forecasts?|budgets?|plans?|planned|profiles?|profiled|projections?|projected|"
    r"trajector(?:y|ies)|ytd|year to date|cumulative|benchmarks?|averages?|national|england|"
    r"regional|region|neighbours?|comparators?|goals?|aims?|ambitions?|comments?|commentary|notes?|"
    r"narrative|rag|status|direction|dot|trend|rank|quartile|numerator|denominator|estimated?|"
    r"estimates|expected|stretch|predicted|predictions?|thresholds?|tolerances?|floors?)\b",
    re.IGNORECASE,
)


def _figures_off_the_series(
    grid: Grid,
    header_row: int,
    top: int | None,
    series: list[tuple[TimePeriod, int]],
    taken: set[int],
    rows: Sequence[int],
) -> list[str]:
    """KPI rows whose figures are all under period headers of another kind than the history's (annual KPIs'
    years on a monthly sheet): they read as no data, so check names them (a note: councils mix cadences
    on one sheet on purpose, and the counts say No data)."""
    ours = {c for _, c in series}
    others = {
        c: p
        for c, cell in header_cells(grid, top or header_row, header_row).items()
        if c not in ours and c not in taken and (p := parse_period(cell)) is not None
    }
    if not others:
        return []

    def has(r: int, c: int) -> bool:
        return read_value(grid.value(r, c), grid.number_format(r, c))[0] is not None

    stranded = [r for r in rows if not any(has(r, c) for c in ours) and any(has(r, c) for c in others)]
    if not stranded:
        return []
    names = ", ".join(sorted({p.name for p in others.values()}, key=lambda n: n)[:6])
    kind = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}.get(series[0][0].kind, series[0][0].kind)
    listed = ", ".join(map(str, stranded[:10])) + (", ..." if len(stranded) > 10 else "")
    rows_hold = f"KPI row {listed} holds" if len(stranded) == 1 else f"KPI rows {listed} hold"
    return [
        f"sheet '{grid.sheet}': {rows_hold} figures only under period headers outside the {kind} history "
        f"({names}), so they read as no data; give those KPIs {kind} figures, or put them on a sheet of their own"
    ]


def _labelled_not_figures(grid: Grid, top: int | None, header_row: int, column: int) -> bool:
    """A two-row header whose upper label (in the column, or merged across it) says targets, forecast ..."""
    if top is None or top == header_row:
        return False
    label = _label_above(grid, top, column)
    return isinstance(label, str) and bool(_NOT_FIGURES.search(label))


def _label_above(grid: Grid, top: int, column: int) -> Any:
    """The group label over a column in a two-row header: the nearest filled cell of the upper row at or
    left of it. A merged label is in its first cell on every engine, merges known or not, so the file and
    Excel read alike."""
    return next((grid.value(top, c) for c in range(column, 0, -1) if _filled(grid.value(top, c))), None)


def _later_periods_not_read(
    grid: Grid,
    header_row: int,
    top: int | None,
    current: TimePeriod,
    taken: set[int],
    rows: Sequence[int],
    spacing: int = 1,
) -> list[str]:
    """Headers that name a period later than the current one but are not read as period columns
    ("Jul-18 (unaudited)") while their column holds figures in KPI rows: if one holds the latest
    figures, the narrative would report an older period, so each is named. Headers that say they hold
    a target, forecast, budget, commentary ... are left alone, and so are empty columns."""
    found = []
    for c, cell in header_cells(grid, top or header_row, header_row).items():
        if (
            c in taken
            or (isinstance(cell, str) and _NOT_FIGURES.search(cell))
            or _labelled_not_figures(grid, top, header_row, c)
        ):
            continue
        if not any(read_value(grid.value(r, c), None)[0] is not None for r in rows):
            continue  # no figures under it (a column laid out for a month to come)
        other = parse_period(cell)  # a period of another kind than the history's: dates among quarters
        # (a later year beside months is most often next year's target: not warned of)
        # (and only where the history runs at that cadence: quarter-end dates, not months beside profiled quarters)
        if (
            other is not None
            and other.kind != current.kind
            and other.start > current.end
            and other.months <= spacing < 12
        ):
            shown = " ".join(cell.split()) if isinstance(cell, str) else other.name
            found.append(
                f"sheet '{grid.sheet}', cell {cell_ref(header_row, c)}: the header '{shown}' is a {other.kind}, "
                f"later than the current period {current.name}, but the history is of {current.kind}s, so "
                f"{current.name} is reported as the latest; head the period columns alike (all quarters, or all months)"
            )
            continue
        named = mentioned_period(cell) if isinstance(cell, str) else None
        if named is not None and named.kind == current.kind and named.order > current.order:
            found.append(
                f"sheet '{grid.sheet}', cell {cell_ref(header_row, c)}: the header '{' '.join(cell.split())}' names "
                f"{named.name}, later than the current period {current.name}, but is not read as a period column, "
                f"so {current.name} is reported as the latest; if that column holds {named.name}'s figures, head it "
                f"as a period (e.g. '{named.name}')"
            )
    return found


HIDDEN_WORDS = {"hidden": "in a hidden row", "grouped": "in a collapsed group"}


def _header_norms(columns: dict[str, int], headers: dict[int, Any]) -> list[tuple[str, int, str]]:
    """(name, column, header as compared) of each located column with a header: worked out once a table."""
    return [(name, c, _norm(headers[c])) for name, c in columns.items() if _filled(headers.get(c))]


def _repeats_header(
    grid: Grid,
    row: int,
    columns: dict[str, int],
    headers: dict[int, Any],
    wanted: list[tuple[str, int, str]] | None = None,
) -> bool:
    """A header written again further down (stacked tables): the id cell reads as the id header, or
    two or more cells read as their column's header (the id header may be spelt differently)."""
    same = 0
    cells = grid.values[row - 1] if row <= len(grid.values) else ()
    for name, c, header in _header_norms(columns, headers) if wanted is None else wanted:
        value = cells[c - 1] if c <= len(cells) else None
        if value is not None and _norm(value) == header:  # a blank reads as "", never as a header
            if name == "id":
                return True
            same += 1
    return same >= 2


def _check_repeated_header(
    grid: Grid, row: int, columns: dict[str, int], headers: dict[int, Any], header_row: int
) -> None:
    """A repeated header must put each column where the first header does, or its rows would be misread."""
    for c in columns.values():
        wanted = headers.get(c)
        if not _filled(wanted):
            continue
        moved = [
            k
            for k in range(1, grid.width(row) + 1)
            if k != c and _filled(grid.value(row, k)) and _norm(grid.value(row, k)) == _norm(wanted)
        ]
        if moved and _norm(grid.value(row, c) or "") != _norm(wanted):
            raise WorkbookError(
                f"the header repeated in row {row} has '{str(wanted).strip()}' in column "
                f"{cell_ref(row, moved[0]).rstrip('0123456789')}, "
                f"not in column {cell_ref(row, c).rstrip('0123456789')} as in header row {header_row}; tables "
                "stacked on one "
                "sheet must share their columns (or give each its own sheet)",
                sheet=grid.sheet,
                cell=cell_ref(row, moved[0]),
            )


# words that mark a header as probably the RAG or direction column under another name
_WRITTEN_WORDS = {
    "rag": ("rag", "rating", "status"),
    "direction": ("direction", "travel", "dot"),
    "variation": ("variation", "spc"),
    "assurance": ("assurance",),
}
_WRITTEN_WHAT = {
    "rag": "RAG ratings",
    "direction": "direction of travel",
    "variation": "SPC variation",
    "assurance": "SPC assurance",
}
SPC_COLUMNS = ("variation", "assurance")  # optional written columns: Making Data Count's two verdicts


_MONTH_NAMES = {name for m in MONTHS for name in (m.lower(), m[:3].lower())} | {"sept"}


def _missing_written_column(
    grid: Grid, rules: Rules, header_row: int, name: str, wanted: str, headers: dict[int, Any], taken: set[int]
) -> None:
    """A RAG or direction column that is not in the header row.

    A silent add is how a mistyped header left last month's ratings standing in the real column, so:
    a header close to the wanted one (a typo) is always an error with "did you mean"; a column the
    rules name is added only when they say so (layout.add_missing_columns: true); a column the rules
    do not name is added under its default header unless a header looks like that column already
    ('RAG Status', 'Direction of travel'), which the rules must then name."""
    everything = {c: " ".join(str(h).split()) for c, h in headers.items() if h is not None and str(h).strip()}
    present = {c: h for c, h in everything.items() if c not in taken}  # candidates: not another field's column
    named = name in rules.layout.columns
    key = f"layout.columns.{name}"
    which = key if named else f"the default when {key} is not given"
    # a period header is never a typo of RAG or DOT ('Oct' is as close to 'DOT' as a typo would be)
    spelled = {c: h for c, h in present.items() if parse_period(h) is None and _norm(h).rstrip(".") not in _MONTH_NAMES}
    close = difflib.get_close_matches(_norm(wanted), [_norm(h) for h in spelled.values()], n=1, cutoff=0.6)
    if close:
        column = next(c for c, h in spelled.items() if _norm(h) == close[0])
        fix = f"correct {key} or the header" if named else f"set {key}: {present[column]}"
        raise WorkbookError(
            f"no column headed '{wanted}' ({which}) in the header row (did you mean '{present[column]}' in "
            f"{cell_ref(header_row, column)}?); {fix}",
            sheet=grid.sheet,
            row=header_row,
        )
    if rules.layout.add_missing_columns:
        return
    what = _WRITTEN_WHAT[name]
    likely = [c for c, h in present.items() if set(re.findall(r"[a-z]+", _norm(h))) & set(_WRITTEN_WORDS[name])]
    if named:
        hint = f" (is it '{present[likely[0]]}' in {cell_ref(header_row, likely[0])}?)" if likely else ""
        raise WorkbookError(
            f"no column headed '{wanted}' for the {what} ({key}) in the header row{hint}; headers found: "
            f"{', '.join(everything.values()) or 'none'}. Correct {key} to the header of the column that holds them, "
            f"or set layout.add_missing_columns: true to have refresh add a '{wanted}' column after the last one",
            sheet=grid.sheet,
            row=header_row,
        )
    if likely:
        column = likely[0]
        raise WorkbookError(
            f"no column headed '{wanted}' ({which}) for the {what}, but '{present[column]}' in "
            f"{cell_ref(header_row, column)} looks like it: set {key}: {present[column]} to write there, or "
            f"layout.add_missing_columns: true to add a new '{wanted}' column after the last one",
            sheet=grid.sheet,
            row=header_row,
        )


def read_table(grid: Grid, rules: Rules, *, period: str | None = None) -> KpiTable:
    """Find the KPI table the rules describe and read every KPI row of it.

    Not KPIs, whatever they hold: the totals row of an Excel Table, a table's header row, and a
    header row repeated further down (stacked tables). KPI rows hidden in the workbook are rated or
    skipped as ``layout.hidden_rows`` says, and named either way.
    """
    header_row = find_header_row(grid, rules)
    top = header_top(grid, rules, header_row)
    columns = locate_columns(grid, rules, header_row)
    headers = header_cells(grid, top, header_row)
    id_col = columns["id"]
    warnings: list[str] = []
    notes: list[str] = []
    skip_hidden = rules.layout.hidden_rows == "skip"

    # rows that are never KPIs: table totals and header rows, and repeated headers
    not_kpi: dict[int, str] = {}
    for area in grid.tables:
        if area.totals_row and area.totals_row > header_row:
            not_kpi[area.totals_row] = f"the totals row of the Excel table '{area.name}'"
        if area.header_rows and area.first_row > header_row:
            not_kpi[area.first_row] = f"the header row of the Excel table '{area.name}'"
    repeated: list[int] = []
    wanted = _header_norms(columns, headers)
    for row in range(header_row + 1, grid.row_count + 1):
        if row not in not_kpi and _repeats_header(grid, row, columns, headers, wanted):
            _check_repeated_header(grid, row, columns, headers, header_row)
            not_kpi[row] = "a repeat of the header row"
    for row, what in sorted(not_kpi.items()):
        if "header" in what and "header" not in not_kpi.get(row + 1, ""):  # of a two-row header, the lower row
            repeated.append(row)
        if _filled(grid.value(row, id_col)) and not isinstance(grid.value(row, id_col), CellError):
            notes.append(f"row {row} is {what}: read as such, not as a KPI")

    def candidate(row: int) -> bool:
        return row not in not_kpi and not (skip_hidden and row in grid.hidden_rows)

    current_month = previous_month = None
    history_columns: tuple[int, ...] = ()  # every period column, for the trend sparklines
    history = HistoryColumns((), ())  # up to the current period, with the periods' names, for SPC
    if rules.layout.history:
        data_rows = [
            r
            for r in range(header_row + 1, grid.row_count + 1)
            if candidate(r) and grid.value(r, id_col) not in (None, "")
        ]
        months = period_columns(grid, header_row, set(columns.values()), top, data_rows)
        history_columns = tuple(c for _, c in months)
        if not months:
            raise WorkbookError(
                "layout.history is true but no header in the header row names a period "
                "(a date, a month such as 'Jun-18' or 'June 2018', a quarter such as 'Q2 2018/19', a year such "
                "as '2018/19')",
                sheet=grid.sheet,
                row=header_row,
            )
        filled = [
            i
            for i, (_, c) in enumerate(months)
            if any(read_value(grid.value(r, c), grid.number_format(r, c))[0] is not None for r in data_rows)
        ]
        newest = filled[-1] if filled else len(months) - 1
        notes.extend(_figures_off_the_series(grid, header_row, top, months, set(columns.values()), data_rows))
        # oldest first, up to the current period: what SPC charts; the period names made once, shared by every KPI
        history = HistoryColumns(
            tuple(c for _, c in months[: newest + 1]), tuple(p.name for p, _ in months[: newest + 1])
        )
        current_month, columns["current"] = months[newest]
        if newest > 0:
            previous_month, columns["previous"] = months[newest - 1]
        spacing = min(
            (b.start - a.start for (a, _), (b, _) in zip(months, months[1:], strict=False)),
            default=current_month.months,
        )
        warnings.extend(
            _later_periods_not_read(
                grid, header_row, top, current_month, set(history_columns) | set(columns.values()), data_rows, spacing
            )
        )
    else:
        current_month = parse_period(headers.get(columns["current"]))
        previous_month = parse_period(headers.get(columns["previous"]))

    last = max(max(headers, default=0), max(columns.values()))
    added: dict[str, int] = {}
    written = ("rag", "direction", *(name for name in SPC_COLUMNS if name in rules.layout.columns))
    for name in written:
        if name not in columns:
            last += 1
            columns[name] = added[name] = last

    # the merged areas across each written column, found once (a KPI's cell in one is refused below)
    merges = {name: [a for a in grid.merged if a[1] <= columns[name] <= a[3]] for name in written}
    kpis: list[Kpi] = []
    seen: dict[str, int] = {}
    by_key: dict[str, list[str]] = {}  # the rules' ids by their key ignoring case and spaces: "CIC 01" finds CIC01
    for rules_id in rules.kpis:
        by_key.setdefault(id_key(rules_id), []).append(rules_id)
    hidden_rated: list[str] = []
    skipped: set[str] = set()
    unlisted: list[Kpi] = []  # KPIs the rules leave out and their rows describe fully
    for row in range(header_row + 1, grid.row_count + 1):
        raw_id = grid.value(row, id_col)
        if row in not_kpi or raw_id is None or isinstance(raw_id, CellError):
            continue
        kpi_id = _id_text(raw_id)
        if not kpi_id:
            continue
        if kpi_id not in rules.kpis and len(by_key.get(id_key(kpi_id), ())) == 1:
            listed = by_key[id_key(kpi_id)][0]
            notes.append(
                f"row {row}'s id '{kpi_id}' (sheet '{grid.sheet}', cell {cell_ref(row, id_col)}) is read as KPI "
                f"'{listed}' of the rules (line {rules.kpis[listed].line}): ids match whatever their case and spaces"
            )
            kpi_id = listed
        hidden = grid.hidden_rows.get(row)
        if hidden and skip_hidden:
            probe: object
            try:
                probe = _read_kpi(grid, rules, columns, row, kpi_id, [])
            except WorkbookError:
                probe = True  # an id with figures that would not read: still a KPI row left out
            if probe is not None:
                skipped.add(kpi_id)
                notes.append(
                    f"KPI '{kpi_id}' (sheet '{grid.sheet}', row {row}) is {HIDDEN_WORDS.get(hidden, hidden)}: "
                    "skipped (layout.hidden_rows: skip), not rated or counted"
                )
            continue
        kpi = _read_kpi(grid, rules, columns, row, kpi_id, warnings, notes, history)
        if kpi is None:
            continue
        if kpi_id in seen:
            raise WorkbookError(
                f"KPI id '{kpi_id}' appears twice (rows {seen[kpi_id]} and {row}"
                + (
                    f", where it is written '{_id_text(raw_id)}': ids match whatever their case and spaces"
                    if _id_text(raw_id) != kpi_id
                    else ""
                )
                + "); each KPI needs its own id",
                sheet=grid.sheet,
                cell=cell_ref(row, id_col),
            )
        seen[kpi_id] = row
        kpis.append(kpi)
        if hidden:
            where = f"KPI '{kpi_id}' (row {row}, {HIDDEN_WORDS.get(hidden, hidden)})"
            if rules.layout.hidden_rows is None:
                hidden_rated.append(where)
            else:
                notes.append(f"{where[:-1]}, sheet '{grid.sheet}'): rated (layout.hidden_rows: rate)")
        for name in written:
            merged = next((a for a in merges[name] if a[0] <= row <= a[2]), None)  # as grid.merged_range finds it
            if merged and merged[:2] != merged[2:]:
                span = f"{cell_ref(merged[0], merged[1])}:{cell_ref(merged[2], merged[3])}"
                raise WorkbookError(
                    f"the {name} cell of KPI '{kpi_id}' is part of merged cells {span}; unmerge the RAG and "
                    "direction cells of KPI rows",
                    sheet=grid.sheet,
                    cell=cell_ref(row, columns[name]),
                )
        if rules.kpis and kpi_id not in rules.kpis:
            if _described_by_row(grid, columns, row, kpi):
                unlisted.append(kpi)
            else:
                how = "an activity indicator (not rated)" if kpi.is_activity else "rated from the workbook's columns"
                warnings.append(f"KPI '{kpi_id}' (sheet '{grid.sheet}', row {row}) is not in the rules: {how}")

    if not grid.hidden_rows_known:
        if skip_hidden:
            warnings.append(
                f"sheet '{grid.sheet}': this engine cannot tell which rows are hidden, so every KPI row is rated and "
                "layout.hidden_rows: skip is not applied; refresh from the command line or desktop Excel to skip them"
            )
        else:
            notes.append(
                f"sheet '{grid.sheet}': hidden rows are not known on this engine; every KPI row is rated, hidden or not"
            )
    fields = {columns[name]: name for name in _SHARED_FIELDS if name in columns}
    for block in grid.merged:  # merged across columns as well as down: one value for two fields is no field's own
        crossed = sorted({fields[c] for c in range(block[1], block[3] + 1) if c in fields})
        if (
            block[1] != block[3]
            and block[2] > header_row
            and crossed
            and any(block[0] <= k.row <= block[2] for k in kpis)
        ):
            warnings.append(
                f"sheet '{grid.sheet}', cells {cell_ref(block[0], block[1])}:{cell_ref(block[2], block[3])}: "
                "merged across "
                f"columns, so the {' and '.join(crossed)} of the KPIs in rows {block[0]}-{block[2]} cannot be told "
                "apart and are read as blank below its first row; unmerge them and give each column its own value"
            )
    if not grid.merged_known and any(kpi.target is None or kpi.floor is None or kpi.polarity is None for kpi in kpis):
        notes.append(
            f"sheet '{grid.sheet}': merged cells are not known on this engine, so a target, floor or polarity "
            "merged down over several KPIs' rows is read for its first row only; refresh from the command line "
            "or desktop Excel to read it for each"
        )
    if hidden_rated:
        warnings.append(
            f"sheet '{grid.sheet}': {len(hidden_rated)} KPI "
            f"{'row is' if len(hidden_rated) == 1 else 'rows are'} hidden in the "
            f"workbook and rated like the others: {'; '.join(hidden_rated)}. Set layout.hidden_rows to skip to leave "
            "hidden KPIs out, or to rate to keep them without this warning"
        )
    if not kpis:
        raise WorkbookError(
            "no KPI rows under this header row: a KPI row needs an id in column "
            f"'{rules.layout.columns['id']}' and a value, target or floor"
            + (" (hidden KPI rows are skipped: layout.hidden_rows)" if skipped else ""),
            sheet=grid.sheet,
            row=header_row,
        )
    if (
        grid.formats is None
        and rules.decimals_line is None
        and any(k.id not in rules.kpis or rules.kpis[k.id].decimals is None for k in kpis)
    ):
        notes.append(
            f"sheet '{grid.sheet}': number formats cannot be read here, so KPIs whose rules give no decimals are "
            f"shown and compared at {rules.decimals}; give defaults.decimals in the rules to be sure"
        )
    for kpi_id, rule in rules.kpis.items():
        if kpi_id not in seen and kpi_id not in skipped:
            warnings.append(f"KPI '{kpi_id}' is in the rules (line {rule.line}) but not in sheet '{grid.sheet}'")

    rag_cells = [grid.value(k.row, columns["rag"]) for k in kpis] if "rag" in columns and "rag" not in added else []
    # RAG formulas are kept and coloured by what they show: their spelling decides, whatever the rules choose
    shown_by_formulas = any((k.row, columns["rag"]) in grid.formulas for k in kpis) if rag_cells else False
    rag_words, mixed = read_status_words(rag_cells, None if shown_by_formulas else rules.layout.rag_text)
    where = f"sheet '{grid.sheet}', column {column_letter(columns['rag'])}" if "rag" in columns else ""
    if shown_by_formulas and rules.layout.rag_text and rag_words != read_status_words([], rules.layout.rag_text)[0]:
        notes.append(
            f"{where}: the RAG formulas show the statuses as "
            f"{', '.join(rag_words[r] for r in (Rag.GREEN, Rag.AMBER, Rag.RED))}, "
            f"so their colours, and any status scorecard writes in that column, follow that spelling, not "
            f"layout.rag_text: {rules.layout.rag_text}"
        )
    if mixed:
        (notes if rules.layout.rag_text and not shown_by_formulas else warnings).append(f"{where}: {mixed}")

    for activity, how in (
        (False, "rated by the workbook's polarity, target and floor columns"),
        (True, "with no polarity, target or floor in the workbook: not rated, as activity indicators"),
    ):
        ids = [k.id for k in unlisted if k.is_activity is activity]
        if ids:
            notes.append(f"{_count(len(ids))} not in the rules, {how}: {', '.join(ids)}")
    return KpiTable(
        sheet=grid.sheet,
        header_row=header_row,
        columns=columns,
        kpis=kpis,
        period=_period(grid, rules, header_row, columns, current_month, previous_month, period, warnings),
        added_columns=added,
        warnings=warnings,
        notes=notes,
        header_top=top,
        repeated_headers=repeated,
        history_columns=history_columns,
        rag_words=rag_words,
    )


def _count(n: int) -> str:
    return f"{n} KPI" if n == 1 else f"{n} KPIs"


def _described_by_row(grid: Grid, columns: dict[str, int], row: int, kpi: Kpi) -> bool:
    """Whether a KPI the rules leave out is fully described by its row, so needs no warning.

    Rules that list only some KPIs are normal. A row whose polarity column gives the polarity and
    which has a target and a floor is rated as the workbook says; in a table with target and floor
    columns, a row with none of polarity, target and floor is plainly an activity indicator.
    Anything in between (a polarity inferred, a floor missing) keeps the warning.
    """
    if "target" not in columns or "floor" not in columns:
        return False
    given = None
    shown = grid.value(row, columns["polarity"]) if "polarity" in columns else None
    if shown is None and "polarity" in columns and (area := grid.shared_by_rows(row, columns["polarity"])):
        shown = grid.value(area[0], area[1])  # merged down over several KPIs' rows
    if _says_something(shown):
        given = Polarity.parse(shown)
        if given is None:
            return False
    if kpi.is_activity:
        return given is None
    return given is not None and given is kpi.polarity and kpi.target is not None and kpi.floor is not None


def id_key(kpi_id: str) -> str:
    return "".join(kpi_id.split()).casefold()


def _id_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_SPACING_WORDS = {"month": "month", "months": "month", "quarter": "quarter", "qtr": "quarter", "year": "year"}


def _period_name(text: str) -> str:
    parsed = parse_period(text)
    return parsed.name if parsed else " ".join(text.split())


def _period(
    grid: Grid,
    rules: Rules,
    header_row: int,
    columns: dict[str, int],
    current: TimePeriod | None,
    previous: TimePeriod | None,
    override: str | None,
    warnings: list[str],
) -> Period:
    """The names of the two periods, never one that no column or rule names.

    The current period: ``--period``, else the rules' ``period.current``, else the current column's
    header. The previous: the rules' ``period.previous`` (without ``--period``), else the previous
    column's header. A named current period's predecessor ("May 2018" before "June 2018") is used
    only when a header holds it, or when the previous column's header says its spacing ("Last
    month"). What stays unnamed is called by its header ("the period headed 'Current'") or "the
    period before June 2018", with a warning saying how to name it.
    """
    override = override.strip() if override and override.strip() else None
    named = override or rules.period_current
    parsed = parse_period(named) if named else None
    now = _period_name(named) if named else (current.name if current else None)
    where = "--period" if override else "period.current in the rules"
    current_cell = cell_ref(header_row, columns["current"])
    if parsed and current and parsed.kind == current.kind and parsed != current:
        warnings.append(
            f"sheet '{grid.sheet}', cell {current_cell}: {where} names {parsed.name} but the current column is "
            f"headed {current.name}; check which is right"
        )

    before = None
    if rules.period_previous and not override:
        before = _period_name(rules.period_previous)
        stated = parse_period(rules.period_previous)
        if stated and previous and stated.kind == previous.kind and stated != previous:
            warnings.append(
                f"sheet '{grid.sheet}', cell {cell_ref(header_row, columns['previous'])}: period.previous in the rules "
                f"names {stated.name} but the previous column is headed {previous.name}; check which is right"
            )
    elif previous is not None:
        before = previous.name
        if parsed and parsed.kind != previous.kind and current and current.end - previous.end == parsed.months:
            before = parsed.before().name  # "Q2 2018/19" over columns a quarter apart: the one before is Q1
    elif parsed:
        candidate = parsed.before()
        held = {parse_period(grid.value(header_row, c)) for c in range(1, grid.width(header_row) + 1)}
        header = grid.value(header_row, columns["previous"]) if "previous" in columns else None
        words = (
            {_SPACING_WORDS[w] for w in re.findall(r"[a-z]+", _norm(header)) if w in _SPACING_WORDS}
            if header
            else set()
        )
        if candidate in held or words == {parsed.kind}:
            before = candidate.name

    advice = "name both periods in the rules (period: {current: ..., previous: ...})" + (
        "" if override else " or with --period"
    )
    if now is None:
        text = " ".join(str(grid.value(header_row, columns["current"])).split())
        now = f"the period headed ‘{text}’"
        warnings.append(
            f"sheet '{grid.sheet}', cell {current_cell}: the current column's header '{text}' names no period, "
            f"so the narrative calls it {now}; {advice}"
        )
    if before is None and "previous" not in columns:
        before = f"the period before {now}"  # a history whose newest figures are in its first column
    elif before is None:
        text = " ".join(str(grid.value(header_row, columns["previous"])).split())
        before = f"the period before {now}" if named or current else f"the period headed ‘{text}’"
        warnings.append(
            f"sheet '{grid.sheet}', cell {cell_ref(header_row, columns['previous'])}: the previous column's header "
            f"'{text}' names no period, so the narrative calls it {before}; {advice}"
        )
    return Period(now, before)


_PERCENT_NAME = re.compile(r"%|\bper\s*cent(age)?s?\b|\bproportion\b", re.IGNORECASE)


_SHARED_FIELDS = {"target", "floor", "polarity"}  # fields a sheet may merge down over several KPIs' rows


def _read_kpi(
    grid: Grid,
    rules: Rules,
    columns: dict[str, int],
    row: int,
    kpi_id: str,
    warnings: list[str],
    notes: list[str] | None = None,
    history_columns: HistoryColumns | None = None,
) -> Kpi | None:
    rule = rules.kpis.get(kpi_id)
    values = (
        grid.values[row - 1] if row <= len(grid.values) else ()
    )  # the row's cells, read once (as Grid.value reads them)
    formats = grid.formats[row - 1] if grid.formats is not None and row <= len(grid.formats) else ()

    def cell(name: str) -> tuple[Any, str | None]:
        c = columns.get(name)
        if c is None:
            return None, None
        value = values[c - 1] if c <= len(values) else None
        if value is None and name in _SHARED_FIELDS and (area := grid.shared_by_rows(row, c)) is not None:
            # a target, floor or polarity merged down over several KPIs' rows: each of them shows it
            shared[name] = area
            return grid.value(area[0], area[1]), grid.number_format(area[0], area[1])
        return value, formats[c - 1] if c <= len(formats) else None

    shared: dict[str, tuple[int, int, int, int]] = {}  # fields read from cells merged down from a row above

    percent = rules.layout.percent
    # a percentage when either period's cell is formatted as one (a General cell beside them is checked for scale)
    percent_cell = is_percent_format(cell("current")[1]) or is_percent_format(cell("previous")[1])
    unit = (rule and rule.unit) or ("percent" if percent == "format" and percent_cell else rules.unit)

    def as_stored(number_format: str | None) -> str | None:
        """The number format that decides scaling, by layout.percent."""
        if percent == "format":
            return number_format
        return "0%" if percent == "fraction" and unit == "percent" else None

    def uncalculated(name: str) -> None:
        if grid.uncalculated and name in columns and (row, columns[name]) in grid.uncalculated:
            what = f"{name.split('.', 1)[1]} benchmark" if name.startswith("benchmarks.") else f"{name} figure"
            raise WorkbookError(
                f"the {what} of KPI '{kpi_id}' is a formula saved without its result (the file was written "
                "by a program that does not calculate); open and save the workbook in Excel or LibreOffice first",
                sheet=grid.sheet,
                cell=cell_ref(row, columns[name]),
            )

    def figure(name: str) -> float | None:
        if name not in columns:
            return None
        uncalculated(name)
        value, number_format = cell(name)
        number, problem = read_value(value, as_stored(number_format))
        if problem:
            warnings.append(
                f"sheet '{grid.sheet}', cell {cell_ref(row, columns[name])}: {problem}"
                + ("; read as no data" if number is None else "")
            )
        return number

    # thresholds typed as text, checked once the polarity is known
    written: dict[str, tuple[str, Threshold | None]] = {}

    def threshold(name: str) -> float | None:
        uncalculated(name)
        value, number_format = cell(name)
        if isinstance(value, str):
            written[name] = (value, parse_threshold(value))
        return read_threshold(value, as_stored(number_format))

    current, previous = figure("current"), figure("previous")
    target = rule.target if rule and rule.target is not None else threshold("target")
    floor = rule.floor if rule and rule.floor is not None else threshold("floor")
    # benchmarks: read as the KPI's own figures are (same scaling), named "<label> benchmark" in the scale check
    compared = {f"{label} benchmark": f"benchmarks.{label}" for label in rules.layout.benchmarks}
    benchmark_values = {name: figure(column) for name, column in compared.items()}
    read = {"current": current, "previous": previous, "target": target, "floor": floor}
    from_rules = {n for n in ("target", "floor") if rule and getattr(rule, n) is not None}
    sheet_figures = [n for n, v in read.items() if v is not None and n not in from_rules and n in columns]
    where = f"sheet '{grid.sheet}', row {row}"
    title = (rule and rule.name) or cell("name")[0]
    named_percent = (
        unit != "percent" and not (rule and rule.unit) and isinstance(title, str) and bool(_PERCENT_NAME.search(title))
    )
    if named_percent:  # checked for scale, though its unit stays as the rules and formats say
        where += f", named '{' '.join(title.split())[:60]}' but with no percent unit or format"
    finding = None
    checked = [v for v in read.values() if v is not None] + [v for v in benchmark_values.values() if v is not None]
    if (unit == "percent" or named_percent) and not within_scale(checked):
        evidence = []
        for n, v in read.items():
            if v is None:
                continue
            if n in from_rules and rule is not None:
                evidence.append(Figure(n, v, line=rule.line_of(n)))
            elif n in sheet_figures:
                stored, number_format = cell(n)
                scaled = not isinstance(stored, str) and is_percent_format(
                    as_stored(number_format)
                )  # text is read as written
                evidence.append(
                    Figure(
                        n,
                        v,
                        cell=cell_ref(row, columns[n]),
                        stored=stored,
                        number_format=number_format,
                        percent_cell=scaled,
                    )
                )
        for n, v in benchmark_values.items():
            if v is not None:
                stored, number_format = cell(compared[n])
                scaled = is_percent_format(as_stored(number_format))
                evidence.append(
                    Figure(
                        n,
                        v,
                        cell=cell_ref(row, columns[compared[n]]),
                        stored=stored,
                        number_format=number_format,
                        percent_cell=scaled,
                    )
                )
        finding = scale_check(kpi_id, where, evidence)
        if finding:
            warnings.append(finding.message)
            read.update({n: v for n, v in finding.corrected.items() if n in read})
            benchmark_values.update({n: v for n, v in finding.corrected.items() if n in benchmark_values})
            current, previous, target, floor = (read[n] for n in ("current", "previous", "target", "floor"))
    own_target, own_floor = (None if "target" in shared else target), (None if "floor" in shared else floor)
    if rule is None and current is None and previous is None and own_target is None and own_floor is None:
        return None  # a section heading, a note or a blank line with an id-like label

    polarity = rule.polarity if rule and rule.polarity else None
    if polarity is None and "polarity" in columns:
        raw = cell("polarity")[0]
        if _says_something(raw):  # "N/A" or "-" in the polarity column: no polarity, as a blank
            polarity = Polarity.parse(raw)
            if polarity is None:
                raise WorkbookError(
                    f"polarity {raw!r} for KPI '{kpi_id}' is not one of {POLARITY_CHOICES}",
                    sheet=grid.sheet,
                    cell=cell_ref(row, columns["polarity"]),
                )
    bounds = {
        said.bound
        for name, (_, said) in written.items()
        if said and said.bound and not (rule and getattr(rule, name) is not None)
    }
    if polarity is None and len(bounds) == 1:
        polarity = Polarity.HIGHER if bounds == {"at least"} else Polarity.LOWER
        said_by = ", ".join(
            f"{n} {cell_ref(row, columns[n])} {' '.join(t.split())!r}" for n, (t, x) in written.items() if x and x.bound
        )
        warnings.append(f"KPI '{kpi_id}' (row {row}) has no polarity; taken as {polarity.value} from its {said_by}")
    if polarity is None and target is not None and floor is not None and target != floor:
        polarity = Polarity.HIGHER if target > floor else Polarity.LOWER
        warnings.append(
            f"KPI '{kpi_id}' (row {row}) has no polarity; taken as {polarity.value} from its target and floor"
        )
    if polarity is None and (target is not None or floor is not None):
        raise WorkbookError(
            f"KPI '{kpi_id}' has a target or floor but no polarity: give it one in the rules "
            "(kpis: - id: ... polarity: higher) or in a polarity column",
            sheet=grid.sheet,
            cell=cell_ref(row, columns["id"]),
        )
    if polarity is Polarity.TARGET and target is None:
        raise WorkbookError(
            f"KPI '{kpi_id}' has polarity target but no target", sheet=grid.sheet, cell=cell_ref(row, columns["id"])
        )
    for name, (text, said) in written.items():
        if rule and getattr(rule, name) is not None:
            continue  # the rules' value is the one used
        doubt = threshold_text_problem(name, text, said, polarity)
        if doubt:
            warnings.append(f"sheet '{grid.sheet}', cell {cell_ref(row, columns[name])}: KPI '{kpi_id}': {doubt}")
    complaint = check_target_and_floor(polarity, target, floor)
    if complaint:
        where = "rules" if rule and rule.floor is not None else f"sheet '{grid.sheet}' row {row}"
        raise WorkbookError(
            f"KPI '{kpi_id}' ({where}): {complaint}", sheet=grid.sheet, cell=cell_ref(row, columns["id"])
        )

    name_cell = cell("name")[0]
    name = (rule and rule.name) or (str(name_cell).strip() if name_cell not in (None, "") else kpi_id)
    commentary = cell("commentary")[0]
    decimals = _decimals(grid, rules, rule, columns, row, kpi_id, sheet_figures, finding, as_stored, notes)
    numerator, denominator = (
        read_value(*cell("numerator"))[0],
        read_value(*cell("denominator"))[0],
    )  # counts: never scaled
    if unit == "percent":
        counted = numerator is not None and denominator is not None
        if rule and rule.share:
            why = f"share: true, rules line {rule.line_of('share')}"
        elif counted:
            why = (
                f"it has numerator {cell_ref(row, columns['numerator'])} and denominator "
                f"{cell_ref(row, columns['denominator'])}"
            )
        else:
            why = None
        for n, v in (("current", current), ("previous", previous)):
            problem = why and v is not None and share_problem(v, cell_ref(row, columns[n]), kpi_id, why)
            if problem:
                warnings.append(f"sheet '{grid.sheet}', {problem}")
        if current is not None and numerator is not None and denominator is not None:  # counted
            cells = (
                cell_ref(row, columns["current"]),
                cell_ref(row, columns["numerator"]),
                cell_ref(row, columns["denominator"]),
            )
            problem = ratio_problem(current, numerator, denominator, decimals, cells, kpi_id)
            if problem:
                warnings.append(f"sheet '{grid.sheet}', {problem}")
    for name, (
        text,
        said,
    ) in written.items():  # "> 85%": a figure on the value does not meet it, but is rated as meeting it
        if (
            said
            and said.strict
            and not (rule and getattr(rule, name) is not None)
            and current is not None
            and displayed(current, decimals) == displayed(said.value, decimals)
        ):
            warnings.append(
                f"sheet '{grid.sheet}', cell {cell_ref(row, columns[name])}: KPI '{kpi_id}': the {name} "
                f"{' '.join(text.split())!r} excludes {said.value:g} itself, but the current figure is "
                f"{said.value:g} and "
                f"scorecard rates a figure on its {name} as reaching it; write the {name} as the figure that reaches it"
            )
    history = _history(
        grid, row, kpi_id, history_columns, columns, current, previous, percent, unit == "percent", warnings
    )
    for name, area in shared.items():
        if notes is not None:
            notes.append(
                f"KPI '{kpi_id}' (sheet '{grid.sheet}', row {row}): its {name} is read from the merged cells "
                f"{cell_ref(area[0], area[1])}:{cell_ref(area[2], area[3])}, which show one {name} for rows "
                f"{area[0]}-{area[2]}"
            )
    return Kpi(
        id=kpi_id,
        name=" ".join(name.split()),
        polarity=polarity,
        current=current,
        previous=previous,
        target=target,
        floor=floor,
        unit=unit,
        decimals=decimals,
        compare=(rule and rule.compare) or rules.compare,
        green_within=rule.green_within if rule else None,
        amber_within=rule.amber_within if rule else None,
        numerator=numerator,
        denominator=denominator,
        commentary="" if commentary is None or isinstance(commentary, CellError) else str(commentary).strip(),
        row=row,
        history=history,
        history_periods=history_columns.periods if history_columns else (),
        benchmarks={label: benchmark_values[f"{label} benchmark"] for label in rules.layout.benchmarks}
        if compared
        else None,
        rank=_as_written(cell("rank")[0]),
        quartile=_as_written(cell("quartile")[0]),
    )


def _as_written(value: Any) -> str | None:
    """A rank or quartile cell as its text: 3.0 as "3", blanks and errors as None."""
    if value is None or isinstance(value, (CellError, bool, dt.date, dt.datetime, dt.time)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return text if text and text.lower() not in NO_DATA_TEXT else None


@dataclass(frozen=True)
class HistoryColumns:
    """The period columns of a history (layout.history), oldest first, and their periods' names."""

    columns: tuple[int, ...]
    periods: tuple[str, ...]


@lru_cache(maxsize=1024)
def _read_as_percent(mode: str, percent_unit: bool, number_format: str | None) -> bool:
    """Whether a figure is read x100, by layout.percent (``mode``), as ``_read_kpi``'s ``as_stored`` decides."""
    if mode == "format":
        return is_percent_format(number_format)
    return mode == "fraction" and percent_unit


def _history(
    grid: Grid,
    row: int,
    kpi_id: str,
    spec: HistoryColumns | None,
    columns: dict[str, int],
    current: float | None,
    previous: float | None,
    mode: str,
    percent_unit: bool,
    warnings: list[str],
) -> tuple[float | None, ...]:
    """A KPI's figures in every period column up to the current one (layout.history), oldest first, read
    as its current figure is (the same percent scaling). The current and previous figures are taken as
    read above (a scale slip corrected there stays corrected here); a blank is None, and a text, a date
    or an uncalculated formula in an older period is no data, with a warning naming the cell."""
    if not spec or not spec.columns:
        return ()
    out: list[float | None] = []
    now, before = columns.get("current"), columns.get("previous")
    values = grid.values[row - 1] if row <= len(grid.values) else ()
    formats = grid.formats[row - 1] if grid.formats is not None and row <= len(grid.formats) else ()
    uncalculated = grid.uncalculated  # formula cells saved without a result: usually none
    for column in spec.columns:
        if column == now:
            out.append(current)
            continue
        if column == before:
            out.append(previous)
            continue
        stored = values[column - 1] if column <= len(values) else None
        number_format = formats[column - 1] if column <= len(formats) else None
        if stored is None and not (uncalculated and (row, column) in uncalculated):
            out.append(None)
            continue
        if (
            isinstance(stored, (int, float))
            and type(stored) is not bool
            and stored - stored == 0
            and not (uncalculated and (row, column) in uncalculated)
        ):
            # a finite number, the common case, made quick: scaled as _scaled does
            out.append(
                float(f"{stored * 100:.12g}") if _read_as_percent(mode, percent_unit, number_format) else float(stored)
            )
            continue
        value, problem = read_value(stored, "0%" if _read_as_percent(mode, percent_unit, number_format) else None)
        if uncalculated and (row, column) in uncalculated:
            value, problem = (
                None,
                "a formula saved without its result (open and save the workbook in Excel or LibreOffice first)",
            )
        if problem:
            read = "read as no data" if value is None else "read so"
            warnings.append(
                f"sheet '{grid.sheet}', cell {cell_ref(row, column)}: {problem}; {read} in the "
                f"history of KPI '{kpi_id}'"
            )
        out.append(value)
    return tuple(out)


def _decimals(
    grid: Grid,
    rules: Rules,
    rule: KpiRule | None,
    columns: dict[str, int],
    row: int,
    kpi_id: str,
    sheet_figures: list[str],
    finding: ScaleFinding | None,
    as_stored: Any,
    notes: list[str] | None,
) -> int:
    """The decimals a KPI is shown and compared at: the rules' when they give any (the KPI's, else
    defaults.decimals), else the most its figure cells display, else 1 (formats unknown).

    A cell with a fixed format shows its format's decimals (0.0% shows 1, of percent points); a
    General cell shows its number as stored, to 10 significant digits (84.96 shows 2). A figure read
    in another scale than its cell shows (a corrected one) says nothing about precision.
    """
    fixed: dict[int, tuple[int, str]] = {}  # column -> (decimals shown, format)
    general: list[int] = []
    values = grid.values[row - 1] if row <= len(grid.values) else ()
    formats = grid.formats[row - 1] if grid.formats is not None and row <= len(grid.formats) else ()
    for name in sheet_figures:
        if finding and name in finding.corrected:
            continue
        column = columns[name]
        number_format = formats[column - 1] if column <= len(formats) else None
        stored = values[column - 1] if column <= len(values) else None
        if number_format is None or not isinstance(stored, (int, float)) or isinstance(stored, bool):
            continue
        # a fraction read in percent points by layout.percent: fraction shows two decimals fewer as points
        shift = 2 if is_percent_format(as_stored(number_format)) and not is_percent_format(number_format) else 0
        shown = format_decimals(number_format)
        if shown is not None:
            fixed[column] = (max(0, shown - shift), number_format)
        elif is_general(number_format):
            general.append(max(0, general_decimals(stored) - shift))
    given = rule.decimals if rule and rule.decimals is not None else rules.decimals if rules.decimals_line else None
    if given is None:
        return max([d for d, _ in fixed.values()] + general, default=rules.decimals)
    differ = (
        {cell_ref(row, column): shown for column, shown in fixed.items() if shown[0] != given}
        if notes is not None
        else {}
    )
    if notes is not None and differ:
        line = rule.line_of("decimals") if rule and rule.decimals is not None else rules.decimals_line
        cells = ", ".join(
            f"{ref} shows {d} (format {f})" for ref, (d, f) in sorted(differ.items(), key=lambda i: (len(i[0]), i[0]))
        )
        notes.append(
            f"KPI '{kpi_id}' (sheet '{grid.sheet}', row {row}): the rules give {given} decimals (line {line}) but cell "
            f"{cells}; it is rated at {given}, as the rules say: change the rules or the cell format if they "
            "should agree"
        )
    return given
