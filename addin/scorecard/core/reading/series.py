"""Stage 3, the period series: which columns are periods, which is current and which previous, and their names.

With ``layout.history`` the series is found from the headers: the shortest kind of period (weeks, months,
quarters, years) that heads two columns or more with figures under one of them; the current period is
the newest holding figures, the previous the column before it. Without it, the rules name the current
and previous columns. Either way the periods are named by the headers' own words, never invented.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ...errors import WorkbookError
from ..a1 import column_letter
from ..findings import Finding, Where
from ..model import Period
from ..periods import (
    TimePeriod,
    exact_date,
    mentioned_period,
    month_reading,
    parse_period,
    snapshot_period,
    week_of,
    weekly,
)
from ..rules import Rules
from .cells import norm, read_value
from .grid import Grid
from .header import Header, label_above, month_under_year
from .profile import Threshold, profile_columns


@dataclass(frozen=True)
class HistoryColumns:
    """The period columns of a history (layout.history), oldest first, and their periods' names."""

    columns: tuple[int, ...]
    periods: tuple[str, ...]


@dataclass(frozen=True)
class Series:
    """The periods the table covers and where: what stage 4 reads each KPI's figures from."""

    current: TimePeriod | None  # the current column's period, when its header names one
    previous: TimePeriod | None
    current_column: int | None  # None: no period column at all (refused before a table is read)
    previous_column: int | None  # None: a single period (a first return), or the newest figures in the first column
    columns: tuple[tuple[TimePeriod, int], ...] = ()  # every period column, oldest first (layout.history)
    history: HistoryColumns = HistoryColumns((), ())  # up to the current period, for SPC
    period: Period = Period(None, None)  # the two periods' names, as the narrative says them
    findings: tuple[Finding, ...] = field(default=())
    # a target (and floor) column for each period (a profile): period column -> {"target": column, ...}
    targets: dict[int, dict[Threshold, int]] = field(default_factory=dict)

    @property
    def all_columns(self) -> tuple[int, ...]:
        return tuple(c for _, c in self.columns)


def read_series(grid: Grid, rules: Rules, header: Header, rows: Sequence[int], override: str | None = None) -> Series:
    """Stage 3: the series of period columns (layout.history) or the rules' current and previous columns,
    and the periods' names (``override``: --period)."""
    found: list[Finding] = []
    if rules.layout.history:
        series = _history_series(grid, header, rows, found, rules.layout.hidden_columns)
    else:
        weeks = _weeks(header.cells, set(), grid.row(header.top) if header.top != header.row else ())
        current_column, previous_column = header.columns["current"], header.columns.get("previous")
        current = weeks.get(current_column) or _named_column(header.cells.get(current_column))
        previous = None
        if previous_column:
            previous = weeks.get(previous_column) or _named_column(header.cells.get(previous_column))
        if current and previous and current.kind != previous.kind:  # read as they are, or not at all
            current = weeks.get(current_column) or parse_period(header.cells.get(current_column))
            previous = weeks.get(previous_column or 0) or parse_period(header.cells.get(previous_column or 0))
        if current is None and previous is None and header.top == header.row:
            current, previous = _labelled_above(grid, header.row, current_column, previous_column)
        series = Series(current, previous, current_column, previous_column)
    period = _names(grid, rules, header, series, override, found)
    laid_out = series.columns or tuple(
        (p, c)
        for p, c in ((series.current, series.current_column), (series.previous, series.previous_column))
        if p and c
    )
    stated = rules.layout.targets_by_period == "columns"
    targets = profile_columns(grid, header, laid_out, stated) if rules.layout.targets_by_period != "rows" else {}
    return Series(
        series.current,
        series.previous,
        series.current_column,
        series.previous_column,
        series.columns,
        series.history,
        period,
        tuple(found),
        targets,
    )


def _history_series(
    grid: Grid, header: Header, rows: Sequence[int], found: list[Finding], hidden: str | None
) -> Series:
    taken = set(header.columns.values())
    months = period_columns(grid, header, taken, rows)
    if hidden == "skip":  # layout.hidden_columns: skip: the series is what the sheet shows
        taken |= {c for _, c in months if c in grid.hidden_columns}
        months = [(p, c) for p, c in months if c not in grid.hidden_columns]
    if not months:
        raise WorkbookError(
            "layout.history is true but no header in the header row names a period "
            "(a date, a month such as 'Jun-18' or 'June 2018', a quarter such as 'Q2 2018/19', a year such "
            "as '2018/19')",
            sheet=grid.sheet,
            row=header.row,
        )
    holding = [i for i, (_, c) in enumerate(months) if _holds_figures(grid, c, rows)]
    newest = holding[-1] if holding else len(months) - 1
    found.extend(_figures_off_the_series(grid, header, months, rows))
    # oldest first, up to the current period: what SPC charts; the period names made once, shared by every KPI
    history = HistoryColumns(tuple(c for _, c in months[: newest + 1]), tuple(p.name for p, _ in months[: newest + 1]))
    current, current_column = months[newest]
    previous, previous_column = months[newest - 1] if newest > 0 else (None, None)
    spacing = min(
        (b.start - a.start for (a, _), (b, _) in zip(months, months[1:], strict=False)), default=current.months
    )
    taken |= {c for _, c in months}
    found.extend(_later_periods_not_read(grid, header, current, taken, rows, spacing))
    if hidden is None:
        found.extend(_hidden_period_columns(grid, header, months[max(newest - 1, 0) : newest + 1]))
    return Series(current, previous, current_column, previous_column, tuple(months), history)


def _hidden_period_columns(grid: Grid, header: Header, read: list[tuple[TimePeriod, int]]) -> list[Finding]:
    """The current or previous period read from a column the workbook hides (layout.hidden_columns not set)."""
    return [
        Finding(
            "SC207",
            f"the column of {period.name} ({column_letter(column)}) is hidden in the workbook, and is read as the "
            f"{'current' if column == read[-1][1] else 'previous'} period; if it is hidden because it is not ready, "
            "set layout.hidden_columns: skip to read the newest period the sheet shows (or rate, to read it "
            "without this warning)",
            Where(sheet=grid.sheet, cell=header.ref(column)),
        )
        for period, column in read
        if column in grid.hidden_columns
    ]


def _holds_figures(grid: Grid, column: int, rows: Sequence[int]) -> bool:
    return any(read_value(grid.value(r, column), grid.number_format(r, column))[0] is not None for r in rows)


def period_columns(
    grid: Grid, header: Header, taken: set[int], rows: Sequence[int] = ()
) -> list[tuple[TimePeriod, int]]:
    """The history's columns, oldest first: those headed by the shortest kind of period (months, then
    quarters, then years) that heads two columns or more, one of them holding figures in ``rows`` (the
    KPI rows) when given; and a shorter kind holding figures later than every column of that kind is the
    series instead (the first month of a year beside last years' outturns). So a year-to-date "2018/19"
    among months is not a month, last years' outturns or a year laid out ahead do not outvote this year's
    months, and empty quarters laid out ahead of a yearly history are not its series."""
    headers, top, header_row = header.cells, header.top, header.row  # a two-row header: the lower row, else the label
    weeks = _weeks(headers, taken, grid.row(top) if top != header_row else ())
    found = []
    for c, cell in headers.items():
        period = weeks.get(c) or parse_period(cell)
        if period is None and top != header_row:
            period = month_under_year(grid, top, c, cell) or _labelled_actual(grid, top, c, cell)
        if c not in taken and period is not None:
            found.append((period, c))
    if not found:
        return []
    holding = {c for _, c in found if _holds_figures(grid, c, rows)}
    series = _series_kind(found, holding)
    # (the series' columns are all its kind's, filled or not: later ones are the periods to come)
    chosen = [(p, c) for p, c in found if p.kind == series]
    if series == "month":  # "2011-12" among "2011-11" and "2012-01" is December 2011, not a financial year
        chosen += [(m, c) for _, c in found if (m := month_reading(headers.get(c))) and (m, c) not in chosen]
    chosen.sort(key=lambda pc: (pc[0].order, pc[1]))
    lines = "rows" if grid.transposed else "columns"  # read across, the periods run down the rows
    for (a, first), (b, second) in zip(chosen, chosen[1:], strict=False):
        if a == b:
            raise WorkbookError(
                f"two {lines} are headed {a.name} ({grid.ref(header_row, first)} and {grid.ref(header_row, second)}); "
                f"with layout.history each period needs one {lines[:-1]}"
                + (" (bound the periods with layout.last_row)" if grid.transposed else ""),
                sheet=grid.sheet,
                cell=grid.ref(header_row, first),
            )
    return chosen


_ENDING = re.compile(r"\bweek\s+end(ed|ing)\b|^w/?e\b", re.IGNORECASE)


def _weeks(headers: dict[int, Any], taken: set[int], labels: Sequence[Any] = ()) -> dict[int, TimePeriod]:
    """Date headers a week apart are weeks, not months: column -> its week; weeks ending on their dates when a
    label of the header says so ("Week ended", "W/E"), else commencing on them."""
    numbered = _week_numbers(headers, taken, labels)
    if numbered:
        return numbered
    dates = {c: day for c, cell in headers.items() if c not in taken and (day := exact_date(cell)) is not None}
    if not weekly(list(dates.values())):
        return {}
    ending = any(isinstance(v, str) and _ENDING.search(v.strip()) for v in [*headers.values(), *labels])
    return {c: week_of(day, ending=ending) for c, day in dates.items()}


_WEEK_LABEL = re.compile(r"^(week|wk)\.?\s*(number|no\.?|num)?$", re.IGNORECASE)


def _week_numbers(headers: dict[int, Any], taken: set[int], labels: Sequence[Any]) -> dict[int, TimePeriod]:
    """Whole numbers 1 to 53 across a header labelled 'Week number' (or 'Week'), each one more than the one
    before: numbered weeks."""
    if not any(isinstance(v, str) and _WEEK_LABEL.match(v.strip()) for v in [*headers.values(), *labels]):
        return {}
    numbers = {
        c: int(v)
        for c, v in headers.items()
        if c not in taken
        and isinstance(v, (int, float))
        and not isinstance(v, bool)
        and float(v).is_integer()
        and 1 <= v <= 53
    }
    ordered = [numbers[c] for c in sorted(numbers)]
    if len(ordered) < 2 or any(b - a != 1 for a, b in zip(ordered, ordered[1:], strict=False)):
        return {}
    return {c: week for c, n in numbers.items() if (week := parse_period(f"Week {n}")) is not None}


def _labelled_actual(grid: Grid, top: int, column: int, cell: Any) -> TimePeriod | None:
    """A period label over a column headed "Actual" (or Outturn, Result ...) in a two-row header: that period's
    figures ("Apr-24" merged over Actual and Target)."""
    if not isinstance(cell, str) or parse_period(cell) is not None:
        return None
    labelled = parse_period(label_above(grid, top, column))
    if labelled is None:
        return None
    return parse_period(f"{labelled.name} {cell}")  # "April 2024 Actual": the figures word is read past


def _series_kind(found: list[tuple[TimePeriod, int]], holding: set[int]) -> str:
    """A scorecard reports at its finest cadence: the shortest kind of period that makes a series (two
    columns or more, one holding figures when any column does) is the history; longer ones beside it are
    outturns of past years, year-to-date totals, targets or years laid out ahead, however many there are.
    A shorter kind holding figures later than every column the series has laid out is the newer cadence
    (April beside last years' outturns); inside a period the series has a column for (a year-end "Mar-19"
    beside Q4 18/19, still empty), it is a figure of that period, and the series stands."""
    spans = {p.kind: p.months for p, _ in found}
    headed = {k: sum(1 for q, _ in found if q.kind == k) for k in spans}
    filled = {k: sum(1 for q, c in found if q.kind == k and c in holding) for k in spans}
    series_kinds = [k for k in spans if headed[k] >= 2 and (filled[k] >= 1 or not holding)]
    series = min(series_kinds or [k for k in spans if filled[k]] or list(spans), key=spans.__getitem__)
    if holding:
        newest = {k: max(p.end for p, c in found if p.kind == k and c in holding) for k in spans if filled[k]}
        laid_out = max(p.end for p, _ in found if p.kind == series)
        later = [k for k in newest if spans[k] < spans[series] and newest[k] > laid_out]
        series = min(later, key=spans.__getitem__) if later else series
    return series


# headers that name a period but say the column holds something other than its figures
NOT_FIGURES = re.compile(
    r"\b(targets?|forecasts?|budgets?|plans?|planned|profiles?|profiled|projections?|projected|"
    r"trajector(?:y|ies)|ytd|year to date|cumulative|benchmarks?|averages?|national|england|"
    r"regional|region|neighbours?|comparators?|goals?|aims?|ambitions?|comments?|commentary|notes?|"
    r"narrative|rag|status|direction|dot|trend|rank|quartile|numerator|denominator|estimated?|"
    r"estimates|expected|stretch|predicted|predictions?|thresholds?|tolerances?|floors?)\b",
    re.IGNORECASE,
)
_CADENCE = {"week": "weekly", "month": "monthly", "quarter": "quarterly", "year": "yearly"}


def _figures_off_the_series(
    grid: Grid, header: Header, series: list[tuple[TimePeriod, int]], rows: Sequence[int]
) -> list[Finding]:
    """KPI rows whose figures are all under period headers of another kind than the history's (annual KPIs'
    years on a monthly sheet): they read as no data, so check names them (a note: councils mix cadences
    on one sheet on purpose, and the counts say No data)."""
    ours = {c for _, c in series}
    taken = set(header.columns.values())
    others = {
        c: p
        for c, cell in header.cells.items()
        if c not in ours and c not in taken and (p := parse_period(cell)) is not None
    }
    if not others:
        return []

    def has(r: int, c: int) -> bool:
        return read_value(grid.value(r, c), grid.number_format(r, c))[0] is not None

    stranded = [r for r in rows if not any(has(r, c) for c in ours) and any(has(r, c) for c in others)]
    if not stranded:
        return []
    names = ", ".join(sorted({p.name for p in others.values()})[:6])
    kind = _CADENCE.get(series[0][0].kind, series[0][0].kind)
    listed = ", ".join(map(str, stranded[:10])) + (", ..." if len(stranded) > 10 else "")
    rows_hold = f"KPI row {listed} holds" if len(stranded) == 1 else f"KPI rows {listed} hold"
    return [
        Finding(
            "SC202",
            f"{rows_hold} figures only under period headers outside the {kind} history ({names}), so they read as "
            f"no data; give those KPIs {kind} figures, or put them on a sheet of their own",
            Where(sheet=grid.sheet),
        )
    ]


def labelled_not_figures(grid: Grid, top: int | None, header_row: int, column: int) -> bool:
    """A two-row header whose upper label (in the column, or merged across it) says targets, forecast ..."""
    if top is None or top == header_row:
        return False
    label = label_above(grid, top, column)
    return isinstance(label, str) and bool(NOT_FIGURES.search(label))


def _later_periods_not_read(
    grid: Grid, header: Header, current: TimePeriod, taken: set[int], rows: Sequence[int], spacing: int = 1
) -> list[Finding]:
    """Headers that name a period later than the current one but are not read as period columns
    ("Jul-18 (unaudited)") while their column holds figures in KPI rows: if one holds the latest
    figures, the narrative would report an older period, so each is named. Headers that say they hold
    a target, forecast, budget, commentary ... are left alone, and so are empty columns."""
    found = []
    for c, cell in header.cells.items():
        if (
            c in taken
            or (isinstance(cell, str) and NOT_FIGURES.search(cell))
            or labelled_not_figures(grid, header.top, header.row, c)
        ):
            continue
        if not any(read_value(grid.value(r, c), None)[0] is not None for r in rows):
            continue  # no figures under it (a column laid out for a month to come)
        message = _later_period(cell, current, spacing)
        if message:
            found.append(Finding("SC201", message, Where(sheet=grid.sheet, cell=header.ref(c))))
    return found


def _later_period(cell: Any, current: TimePeriod, spacing: int) -> str | None:
    other = parse_period(cell)  # a period of another kind than the history's: dates among quarters
    # (a later year beside months is most often next year's target: not warned of)
    # (and only where the history runs at that cadence: quarter-end dates, not months beside profiled quarters)
    if other is not None and other.kind != current.kind and other.start > current.end and other.months <= spacing < 12:
        shown = " ".join(cell.split()) if isinstance(cell, str) else other.name
        return (
            f"the header '{shown}' is a {other.kind}, later than the current period {current.name}, but the "
            f"history is of {current.kind}s, so {current.name} is reported as the latest; head the period "
            "columns alike (all quarters, or all months)"
        )
    named = mentioned_period(cell) if isinstance(cell, str) else None
    if named is not None and named.kind == current.kind and named.order > current.order:
        return (
            f"the header '{' '.join(cell.split())}' names {named.name}, later than the current period "
            f"{current.name}, but is not read as a period column, so {current.name} is reported as the latest; if "
            f"that column holds {named.name}'s figures, head it as a period (e.g. '{named.name}')"
        )
    return None


# --- the periods' names --------------------------------------------------------------------------------

_SPACING_WORDS = {"month": "month", "months": "month", "quarter": "quarter", "qtr": "quarter", "year": "year"}


def _labelled_above(
    grid: Grid, row: int, current_column: int, previous_column: int | None
) -> tuple[TimePeriod | None, TimePeriod | None]:
    """Columns headed in words ('Previous', 'Current') under a row naming their periods ('Aug-24', 'Sep-24'):
    those periods, when the current's is later than the previous's and of its kind (else none)."""
    if row <= 1:
        return None, None
    current = parse_period(grid.value(row - 1, current_column))
    previous = parse_period(grid.value(row - 1, previous_column)) if previous_column else None
    if current is None or (previous_column and (previous is None or previous.kind != current.kind)):
        return None, None
    if previous is not None and previous.order >= current.order:
        return None, None
    return current, previous


def _named_column(cell: Any) -> TimePeriod | None:
    """The period a figure column the rules name stands for: its header as a period, the period it says the
    measure stands at ("Capacity at May 2019"), or the one period its header names ("2021 Current smokers %").
    The two columns must agree in kind, or neither is read so (``read_series``)."""
    return parse_period(cell) or snapshot_period(cell) or mentioned_period(cell)


def _period_name(text: str) -> str:
    parsed = parse_period(text)
    return parsed.name if parsed else " ".join(text.split())


def _names(
    grid: Grid, rules: Rules, header: Header, series: Series, override: str | None, found: list[Finding]
) -> Period:
    """The names of the two periods, never one that no column or rule names.

    The current period: ``--period``, else the rules' ``period.current``, else the current column's
    header. The previous: the rules' ``period.previous`` (without ``--period``), else the previous
    column's header. A named current period's predecessor ("May 2018" before "June 2018") is used
    only when a header holds it, or when the previous column's header says its spacing ("Last
    month"). What stays unnamed is called by its header ("the period headed 'Current'") or "the
    period before June 2018", with a warning saying how to name it. A named period of another kind
    than the columns' (a quarter over monthly columns) is refused: it would put another period's name
    on these figures.
    """
    override = override.strip() if override and override.strip() else None
    named = override or rules.period_current
    parsed = parse_period(named) if named else None
    _check_kind(grid, header, series, named, parsed, "--period" if override else "period.current in the rules")
    now = _period_name(named) if named else (series.current.name if series.current else None)
    where = "--period" if override else "period.current in the rules"
    current_cell = Where(sheet=grid.sheet, cell=header.ref(series.current_column or 1))
    current = series.current
    if parsed and current and parsed.kind == current.kind and parsed != current:
        now = current.name  # the figures are named as their column is: never another period's name on them
        found.append(
            Finding(
                "SC203",
                f"{where} names {parsed.name} but the current column is headed {current.name}: its figures are "
                f"called {current.name}, as the column says; correct the one that is wrong",
                current_cell,
            )
        )
    before = _previous_name(grid, rules, header, series, override, parsed, found)
    advice = "name both periods in the rules (period: {current: ..., previous: ...})" + (
        "" if override else " or with --period"
    )
    if now is None:
        text = " ".join(str(header.cells.get(series.current_column or 0)).split())
        now = f"the period headed ‘{text}’"
        found.append(
            Finding(
                "SC205",
                f"the current column's header '{text}' names no period, so the narrative calls it {now}; {advice}",
                current_cell,
            )
        )
    if before is None and series.previous_column is None:
        return Period(now, None)  # a single period: nothing before it to compare with
    if before is None:
        text = " ".join(str(header.cells.get(series.previous_column or 0)).split())
        before = f"the period before {now}" if named or current else f"the period headed ‘{text}’"
        found.append(
            Finding(
                "SC206",
                f"the previous column's header '{text}' names no period, so the narrative calls it {before}; {advice}",
                Where(sheet=grid.sheet, cell=header.ref(series.previous_column or 1)),
            )
        )
    return Period(now, before)


def _previous_name(
    grid: Grid,
    rules: Rules,
    header: Header,
    series: Series,
    override: str | None,
    parsed: TimePeriod | None,
    found: list[Finding],
) -> str | None:
    current, previous = series.current, series.previous
    if rules.period_previous and not override:
        stated = parse_period(rules.period_previous)
        if stated and previous and stated.kind == previous.kind and stated != previous:
            found.append(
                Finding(
                    "SC204",
                    f"period.previous in the rules names {stated.name} but the previous column is headed "
                    f"{previous.name}: its figures are called {previous.name}, as the column says; correct the one "
                    "that is wrong",
                    Where(sheet=grid.sheet, cell=header.ref(series.previous_column or 1)),
                )
            )
            return previous.name
        return _period_name(rules.period_previous)
    if previous is not None:
        if parsed and parsed.kind != previous.kind and current and current.end - previous.end == parsed.months:
            return parsed.before().name  # "Q2 2018/19" over columns a quarter apart: the one before is Q1
        return previous.name
    if parsed and series.previous_column is not None:
        candidate = parsed.before()
        held = {parse_period(v) for v in grid.row(header.row)}
        text = header.cells.get(series.previous_column)
        words = {_SPACING_WORDS[w] for w in re.findall(r"[a-z]+", norm(text)) if w in _SPACING_WORDS} if text else set()
        if candidate in held or words == {parsed.kind}:
            return candidate.name
    return None


def _check_kind(
    grid: Grid, header: Header, series: Series, named: str | None, parsed: TimePeriod | None, where: str
) -> None:
    """A period named for the current column must be of the columns' kind: "Q2 2022/23" over monthly
    columns would call September's figures the quarter's. Over columns a quarter apart (quarter-end
    months), a quarter ending in the current column's month is that column's period."""
    current = series.current
    if named is None or current is None:
        return
    if parsed is not None and parsed.kind == current.kind:
        return
    if parsed is not None and parsed.end == current.end and _spacing(series) == parsed.months:
        return
    kind = f"a {parsed.kind}" if parsed else "no period scorecard can read"
    column = header.ref(series.current_column or 1)
    raise WorkbookError(
        f"{where} names '{' '.join(named.split())}', {kind}, but the current column {column} is headed "
        f"{current.name}, a {current.kind}; name the period as the columns do (e.g. '{current.name}')",
        sheet=grid.sheet,
        cell=header.ref(series.current_column or 1),
    )


def _spacing(series: Series) -> int | None:
    if series.current is None or series.previous is None:
        return None
    return series.current.end - series.previous.end
