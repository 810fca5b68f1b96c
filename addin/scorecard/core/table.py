"""From a grid of cells to a table of KPIs: the reading rules, shared by every front end.

Adapters only turn their workbook into a ``Grid`` (values and number formats from A1), so the
ribbon, the cell formulas and the command line find the same table in the same workbook.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ..errors import WorkbookError, cell_ref
from .model import Kpi, Period, Polarity
from .months import Month, month_before, month_name, parse_month
from .numfmt import format_decimals, general_decimals, is_general
from .rules import DEFAULT_HEADERS, KpiRule, Rules, check_target_and_floor, parse_number
from .units import Figure, ScaleFinding, ratio_problem, scale_check, share_problem

HEADER_SEARCH_ROWS = 30
NO_DATA_TEXT = {"", "n/a", "na", "-", "–", "—", "..", "x", "*", "tbc", "nil"}
EXCEL_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!", "#GETTING_DATA"}


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
    hidden_rows: Mapping[int, str] = field(default_factory=dict)  # row -> "hidden" or "grouped" (collapsed outline)
    tables: Sequence["TableArea"] = ()  # Excel Tables (ListObjects) on the sheet

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
    notes: list[str] = field(default_factory=list)  # worth knowing, not wrong: `check` shows them, --strict does not refuse

    @property
    def rag_column(self) -> int:
        return self.columns["rag"]

    @property
    def direction_column(self) -> int:
        return self.columns["direction"]


_PERCENT_FORMAT = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def is_percent_format(number_format: str | None) -> bool:
    """True for 0.0%, 0%;[Red]-0%; false for "%" inside quotes or escaped."""
    return bool(number_format) and "%" in _PERCENT_FORMAT.sub("", number_format)


def _scaled(number: float, number_format: str | None) -> float:
    if is_percent_format(number_format):
        return float(f"{number * 100:.12g}")  # 0.575*100 is 57.49999999999999 in binary: undo that
    return float(number)


def read_value(value: Any, number_format: str | None) -> tuple[float | None, str | None]:
    """A cell as a KPI figure: (number or None for no data, a note on why it is no data)."""
    if value is None or isinstance(value, CellError):
        return None, None
    if isinstance(value, bool):
        return None, f"{value!s} is not a figure"
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            return None, "not a finite number"
        return _scaled(value, number_format), None
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return None, "a date is not a figure"
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in NO_DATA_TEXT or text.upper() in EXCEL_ERRORS:
            return None, None
        return None, f"text {text[:40]!r} is not a figure"
    return None, f"{type(value).__name__} is not a figure"


def read_threshold(value: Any, number_format: str | None) -> float | None:
    """A target or floor cell: a number, or text such as "85%" as in the rules."""
    if isinstance(value, str):
        return parse_number(value)
    number, _ = read_value(value, number_format)
    return number


def pick_sheet(names: Sequence[str], wanted: str | None) -> str:
    """The sheet the rules name (matched ignoring case), or the first; a clear error with a
    'did you mean' otherwise. Shared by every front end, which only differ in where names come from."""
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


def find_header_row(grid: Grid, rules: Rules) -> int:
    wanted = _norm(rules.layout.columns["id"])
    if rules.layout.header_row:
        return rules.layout.header_row
    for row in range(1, min(grid.row_count, HEADER_SEARCH_ROWS) + 1):
        if any(_norm(grid.value(row, c)) == wanted for c in range(1, grid.width(row) + 1) if grid.value(row, c) is not None):
            return row
    raise WorkbookError(
        f"no header cell reading '{rules.layout.columns['id']}' (layout.columns.id) in the first "
        f"{HEADER_SEARCH_ROWS} rows; set layout.header_row or correct the header text",
        sheet=grid.sheet,
    )


def _header_matches(cell: Any, wanted: str) -> bool:
    if cell is None:
        return False
    if _norm(cell) == _norm(wanted):
        return True
    month = parse_month(cell)  # a date cell or "Jun-18" matches "June 2018" and vice versa
    return month is not None and month == parse_month(wanted)


def locate_columns(grid: Grid, rules: Rules, header_row: int) -> dict[str, int]:
    width = grid.width(header_row)
    headers = {c: grid.value(header_row, c) for c in range(1, width + 1)}
    columns: dict[str, int] = {}
    # the RAG and direction columns are looked for by their default headers too, so a column
    # scorecard added on an earlier refresh is found again rather than added twice
    for name, wanted in {**DEFAULT_HEADERS, **rules.layout.columns}.items():
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
        elif name not in DEFAULT_HEADERS:
            present = [str(h).strip() for h in headers.values() if h is not None and str(h).strip()]
            close = difflib.get_close_matches(wanted, present, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            merges = [a for a in grid.merged if a[0] <= header_row <= a[2] and a[1] != a[3]]
            if merges:
                areas = ", ".join(f"{cell_ref(a[0], a[1])}:{cell_ref(a[2], a[3])}" for a in merges)
                hint += f"; the header row has merged cells ({areas}), and a merged header names only its first column"
            raise WorkbookError(
                f"no column headed '{wanted}' (layout.columns.{name}) in the header row{hint}; "
                f"headers found: {', '.join(present) or 'none'}",
                sheet=grid.sheet,
                row=header_row,
            )
    return columns


def month_columns(grid: Grid, header_row: int, taken: set[int]) -> list[tuple[Month, int]]:
    months = []
    for c in range(1, grid.width(header_row) + 1):
        month = parse_month(grid.value(header_row, c))
        if c not in taken and month is not None:
            months.append((month, c))
    return sorted(months)


def read_table(grid: Grid, rules: Rules, *, period: str | None = None) -> KpiTable:
    """Find the KPI table the rules describe and read every KPI row of it."""
    header_row = find_header_row(grid, rules)
    columns = locate_columns(grid, rules, header_row)
    id_col = columns["id"]
    warnings: list[str] = []
    notes: list[str] = []

    current_month = previous_month = None
    if rules.layout.history:
        months = month_columns(grid, header_row, set(columns.values()))
        if not months:
            raise WorkbookError(
                "layout.history is true but no header in the header row names a month "
                "(a date, or text such as 'Jun-18' or 'June 2018')",
                sheet=grid.sheet,
                row=header_row,
            )
        data_rows = [r for r in range(header_row + 1, grid.row_count + 1) if grid.value(r, id_col) not in (None, "")]
        filled = [i for i, (_, c) in enumerate(months) if any(read_value(grid.value(r, c), grid.number_format(r, c))[0] is not None for r in data_rows)]
        newest = filled[-1] if filled else len(months) - 1
        current_month, columns["current"] = months[newest]
        if newest > 0:
            previous_month, columns["previous"] = months[newest - 1]
    else:
        current_month = parse_month(grid.value(header_row, columns["current"]))
        previous_month = parse_month(grid.value(header_row, columns["previous"]))

    last = max(grid.width(header_row), max(columns.values()))
    added: dict[str, int] = {}
    for name in ("rag", "direction"):
        if name not in columns:
            last += 1
            columns[name] = added[name] = last

    kpis: list[Kpi] = []
    seen: dict[str, int] = {}
    for row in range(header_row + 1, grid.row_count + 1):
        raw_id = grid.value(row, id_col)
        if raw_id is None or isinstance(raw_id, CellError):
            continue
        kpi_id = _id_text(raw_id)
        if not kpi_id:
            continue
        kpi = _read_kpi(grid, rules, columns, row, kpi_id, warnings, notes)
        if kpi is None:
            continue
        if kpi_id in seen:
            raise WorkbookError(
                f"KPI id '{kpi_id}' appears twice (rows {seen[kpi_id]} and {row}); each KPI needs its own id",
                sheet=grid.sheet,
                cell=cell_ref(row, id_col),
            )
        seen[kpi_id] = row
        kpis.append(kpi)
        for name in ("rag", "direction"):
            area = grid.merged_range(row, columns[name])
            if area and area[:2] != area[2:]:
                span = f"{cell_ref(area[0], area[1])}:{cell_ref(area[2], area[3])}"
                raise WorkbookError(
                    f"the {name} cell of KPI '{kpi_id}' is part of merged cells {span}; unmerge the RAG and "
                    "direction cells of KPI rows",
                    sheet=grid.sheet,
                    cell=cell_ref(row, columns[name]),
                )
        if rules.kpis and kpi_id not in rules.kpis:
            how = "an activity indicator (not rated)" if kpi.is_activity else "rated from the workbook's columns"
            warnings.append(f"KPI '{kpi_id}' (sheet '{grid.sheet}', row {row}) is not in the rules: {how}")

    if not kpis:
        raise WorkbookError(
            "no KPI rows under this header row: a KPI row needs an id in column "
            f"'{rules.layout.columns['id']}' and a value, target or floor",
            sheet=grid.sheet,
            row=header_row,
        )
    if grid.formats is None and rules.decimals_line is None and any(
        k.id not in rules.kpis or rules.kpis[k.id].decimals is None for k in kpis
    ):
        notes.append(
            f"sheet '{grid.sheet}': number formats cannot be read here, so KPIs whose rules give no decimals are "
            f"shown and compared at {rules.decimals}; give defaults.decimals in the rules to be sure"
        )
    for kpi_id, rule in rules.kpis.items():
        if kpi_id not in seen:
            warnings.append(f"KPI '{kpi_id}' is in the rules (line {rule.line}) but not in sheet '{grid.sheet}'")

    return KpiTable(
        sheet=grid.sheet,
        header_row=header_row,
        columns=columns,
        kpis=kpis,
        period=_period(rules, current_month, previous_month, period),
        added_columns=added,
        warnings=warnings,
        notes=notes,
    )


def _id_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _period(rules: Rules, current: Month | None, previous: Month | None, override: str | None) -> Period:
    if override:
        month = parse_month(override)
        return Period(override.strip(), month_name(month_before(month)) if month else None)
    if rules.period_current:
        prev = rules.period_previous
        month = parse_month(rules.period_current)
        if prev is None and month:
            prev = month_name(month_before(month))
        return Period(rules.period_current, prev)
    return Period(
        month_name(current) if current else None,
        month_name(previous) if previous else (month_name(month_before(current)) if current else None),
    )


_PERCENT_NAME = re.compile(r"%|\bper\s*cent(age)?s?\b|\bproportion\b", re.IGNORECASE)


def _read_kpi(
    grid: Grid, rules: Rules, columns: dict[str, int], row: int, kpi_id: str, warnings: list[str], notes: list[str] | None = None
) -> Kpi | None:
    rule = rules.kpis.get(kpi_id)

    def cell(name: str) -> tuple[Any, str | None]:
        c = columns.get(name)
        return (None, None) if c is None else (grid.value(row, c), grid.number_format(row, c))

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
        if name in columns and (row, columns[name]) in grid.uncalculated:
            raise WorkbookError(
                f"the {name} figure of KPI '{kpi_id}' is a formula saved without its result (the file was written "
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
            warnings.append(f"sheet '{grid.sheet}', cell {cell_ref(row, columns[name])}: {problem}; read as no data")
        return number

    def threshold(name: str) -> float | None:
        uncalculated(name)
        value, number_format = cell(name)
        return read_threshold(value, as_stored(number_format))

    current, previous = figure("current"), figure("previous")
    target = rule.target if rule and rule.target is not None else threshold("target")
    floor = rule.floor if rule and rule.floor is not None else threshold("floor")
    read = {"current": current, "previous": previous, "target": target, "floor": floor}
    from_rules = {n for n in ("target", "floor") if rule and getattr(rule, n) is not None}
    sheet_figures = [n for n, v in read.items() if v is not None and n not in from_rules and n in columns]
    where = f"sheet '{grid.sheet}', row {row}"
    title = (rule and rule.name) or cell("name")[0]
    named_percent = unit != "percent" and not (rule and rule.unit) and isinstance(title, str) and bool(_PERCENT_NAME.search(title))
    if named_percent:  # checked for scale, though its unit stays as the rules and formats say
        where += f", named '{' '.join(title.split())[:60]}' but with no percent unit or format"
    if unit == "percent" or named_percent:
        evidence = []
        for n, v in read.items():
            if v is None:
                continue
            if n in from_rules:
                evidence.append(Figure(n, v, line=rule.line_of(n)))
            elif n in sheet_figures:
                stored, number_format = cell(n)
                scaled = not isinstance(stored, str) and is_percent_format(as_stored(number_format))  # text is read as written
                evidence.append(Figure(n, v, cell=cell_ref(row, columns[n]), stored=stored, number_format=number_format, percent_cell=scaled))
        finding = scale_check(kpi_id, where, evidence)
        if finding:
            warnings.append(finding.message)
            read.update(finding.corrected)
            current, previous, target, floor = (read[n] for n in ("current", "previous", "target", "floor"))
    else:
        finding = None
    if rule is None and current is None and previous is None and target is None and floor is None:
        return None  # a section heading, a note or a blank line with an id-like label

    polarity = rule.polarity if rule and rule.polarity else None
    if polarity is None and "polarity" in columns:
        raw = grid.value(row, columns["polarity"])
        if raw not in (None, ""):
            polarity = Polarity.parse(raw)
            if polarity is None:
                raise WorkbookError(
                    f"polarity {raw!r} for KPI '{kpi_id}' is not one of higher, lower, target (or H, L, T)",
                    sheet=grid.sheet,
                    cell=cell_ref(row, columns["polarity"]),
                )
    if polarity is None and target is not None and floor is not None and target != floor:
        polarity = Polarity.HIGHER if target > floor else Polarity.LOWER
        warnings.append(f"KPI '{kpi_id}' (row {row}) has no polarity; taken as {polarity.value} from its target and floor")
    if polarity is None and (target is not None or floor is not None):
        raise WorkbookError(
            f"KPI '{kpi_id}' has a target or floor but no polarity: give it one in the rules "
            "(kpis: - id: ... polarity: higher) or in a polarity column",
            sheet=grid.sheet,
            cell=cell_ref(row, columns["id"]),
        )
    if polarity is Polarity.TARGET and target is None:
        raise WorkbookError(f"KPI '{kpi_id}' has polarity target but no target", sheet=grid.sheet, cell=cell_ref(row, columns["id"]))
    complaint = check_target_and_floor(polarity, target, floor)
    if complaint:
        where = "rules" if rule and rule.floor is not None else f"sheet '{grid.sheet}' row {row}"
        raise WorkbookError(f"KPI '{kpi_id}' ({where}): {complaint}", sheet=grid.sheet, cell=cell_ref(row, columns["id"]))

    name_cell = cell("name")[0]
    name = (rule and rule.name) or (str(name_cell).strip() if name_cell not in (None, "") else kpi_id)
    commentary = cell("commentary")[0]
    decimals = _decimals(grid, rules, rule, columns, row, kpi_id, sheet_figures, finding, as_stored, notes)
    numerator, denominator = read_value(*cell("numerator"))[0], read_value(*cell("denominator"))[0]  # counts: never scaled
    if unit == "percent":
        counted = numerator is not None and denominator is not None
        if rule and rule.share:
            why = f"share: true, rules line {rule.line_of('share')}"
        elif counted:
            why = f"it has numerator {cell_ref(row, columns['numerator'])} and denominator {cell_ref(row, columns['denominator'])}"
        else:
            why = None
        for n, v in (("current", current), ("previous", previous)):
            problem = why and v is not None and share_problem(v, cell_ref(row, columns[n]), kpi_id, why)
            if problem:
                warnings.append(f"sheet '{grid.sheet}', {problem}")
        if counted and current is not None:
            cells = (cell_ref(row, columns["current"]), cell_ref(row, columns["numerator"]), cell_ref(row, columns["denominator"]))
            problem = ratio_problem(current, numerator, denominator, decimals, cells, kpi_id)
            if problem:
                warnings.append(f"sheet '{grid.sheet}', {problem}")
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
    )


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
    fixed: dict[str, tuple[int, str]] = {}  # cell -> (decimals shown, format)
    general: list[int] = []
    for name in sheet_figures:
        if finding and name in finding.corrected:
            continue
        column = columns[name]
        stored, number_format = grid.value(row, column), grid.number_format(row, column)
        if number_format is None or not isinstance(stored, (int, float)) or isinstance(stored, bool):
            continue
        # a fraction read in percent points by layout.percent: fraction shows two decimals fewer as points
        shift = 2 if is_percent_format(as_stored(number_format)) and not is_percent_format(number_format) else 0
        shown = format_decimals(number_format)
        if shown is not None:
            fixed[cell_ref(row, column)] = (max(0, shown - shift), number_format)
        elif is_general(number_format):
            general.append(max(0, general_decimals(stored) - shift))
    given = rule.decimals if rule and rule.decimals is not None else rules.decimals if rules.decimals_line else None
    if given is None:
        return max([d for d, _ in fixed.values()] + general, default=rules.decimals)
    differ = {ref: shown for ref, shown in fixed.items() if shown[0] != given}
    if notes is not None and differ:
        line = rule.line_of("decimals") if rule and rule.decimals is not None else rules.decimals_line
        cells = ", ".join(f"{ref} shows {d} (format {f})" for ref, (d, f) in sorted(differ.items(), key=lambda i: (len(i[0]), i[0])))
        notes.append(
            f"KPI '{kpi_id}' (sheet '{grid.sheet}', row {row}): the rules give {given} decimals (line {line}) but cell "
            f"{cells}; it is rated at {given}, as the rules say: change the rules or the cell format if they should agree"
        )
    return given
