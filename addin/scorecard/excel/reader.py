"""Reading an open workbook through xlwings' Book API: what the engine can read, and the blocks of cells
the reading and the writes need, in as few calls as each allows. The Excel side's twin of
``workbook.reader``.

Values come in one call (``book.ExcelBook.grid``); number formats, formulas, merged cells and hidden rows
only where the engine can read them (``Capabilities``), and only in the columns and rows that matter.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import xlwings as xw

from ..core.plan import WritePlan, foreign_narrative, written_by_scorecard
from ..core.reading import Grid, RowHidden, TableArea


@dataclass(frozen=True)
class Capabilities:
    """What an engine's ``xw.Book`` API can read back, known from the engine before anything is read.

    Desktop Excel ("excel": Windows or Mac) reads everything it writes. xlwings' remote engine, the
    Office.js add-in and xlwings Lite work on a payload of values the client sent, so number formats,
    formulas, fonts, fills and conditional formats cannot be read there (their properties raise).
    Hidden rows are read through COM (``SpecialCells``): desktop Excel on Windows only. Merged cells are
    read by desktop Excel (``Range.merge_cells`` and ``merge_area``) in the columns a KPI may share with
    the rows below (target, floor, polarity); the other engines answer those only asynchronously.
    """

    engine: str
    can_read_number_formats: bool
    can_read_formulas: bool
    can_read_fonts: bool
    can_read_fills: bool
    can_read_conditional_formats: bool
    can_read_hidden_rows: bool
    can_read_tables: bool
    can_read_merged_cells: bool = False

    @classmethod
    def of(cls, book: Any) -> Capabilities:
        """The capabilities of the engine ``book`` runs on, told by its public ``app.engine.name``."""
        engine = str(book.app.engine.name)
        desktop = engine == "excel"  # any other engine (remote, officejs, Lite, one to come) sends values only
        return cls(
            engine,
            can_read_number_formats=desktop,
            can_read_formulas=desktop,
            can_read_fonts=desktop,
            can_read_fills=desktop,
            can_read_conditional_formats=desktop,
            can_read_hidden_rows=desktop and sys.platform == "win32",
            can_read_tables=True,
            can_read_merged_cells=desktop,
        )


def sheet_named(book: xw.Book, name: str) -> Any:
    for sheet in book.sheets:
        if sheet.name.casefold() == name.casefold():
            return sheet
    return None


def table_areas(sheet: Any) -> list[TableArea]:
    """The sheet's Excel Tables, as desktop Excel and the remote engine both report them."""
    areas: list[TableArea] = []
    try:
        tables = list(sheet.tables)
    except (NotImplementedError, KeyError):  # a run-time refusal: a client whose payload carries no tables
        return areas
    for table in tables:
        whole = table.range
        if whole is None:
            continue
        areas.append(
            TableArea(
                name=table.name,
                first_row=whole.row,
                first_column=whole.column,
                last_row=whole.row + whole.shape[0] - 1,
                last_column=whole.column + whole.shape[1] - 1,
                header_rows=1 if table.show_headers else 0,
                totals_rows=1 if table.show_totals else 0,
            )
        )
    return areas


XL_CELL_TYPE_VISIBLE = 12


def hidden_rows(sheet: Any, last_row: int, last_column: int) -> dict[int, RowHidden] | None:
    """Hidden rows (and those folded in a collapsed group) from desktop Excel on Windows; None where
    the engine cannot tell (the remote engine has no row visibility, and neither has a Mac's API here).

    One call for the visible areas of the used range, one per area, then one per hidden row for its
    outline level (Excel's level 1 is a row in no group). Called only where the engine can tell
    (``Capabilities.can_read_hidden_rows``); COM may still refuse at run time (a protected sheet,
    Excel busy), which makes the rows unknown rather than stopping the job.
    """
    try:
        used = sheet.api.Range(sheet.api.Cells(1, 1), sheet.api.Cells(last_row, max(last_column, 2)))
        try:
            areas = used.SpecialCells(XL_CELL_TYPE_VISIBLE).Areas
            visible = {a.Row + i for a in areas for i in range(a.Rows.Count)}
        except Exception as error:  # every row hidden: Excel says "no cells were found"
            if "No cells were found" not in str(error):
                raise
            visible = set()
        hidden: dict[int, RowHidden] = {}
        for row in range(1, last_row + 1):
            if row not in visible:
                hidden[row] = "grouped" if sheet.api.Rows(row).OutlineLevel > 1 else "hidden"
        return hidden
    except Exception:  # not Excel on Windows (COM): hidden rows are not known
        return None


def hidden_columns(sheet: Any, columns: list[int]) -> frozenset[int] | None:
    """Which of the figure columns (the period series among them) desktop Excel on Windows hides: one call a
    column; None where the engine cannot tell, as for hidden rows."""
    try:
        return frozenset(c for c in columns if sheet.api.Columns(c).Hidden)
    except Exception:  # not Excel on Windows (COM): hidden columns are not known
        return None


def rag_formulas(sheet: Any, grid: Grid, header_row: int, column: int) -> frozenset[tuple[int, int]]:
    """The RAG column's formula cells (one call), for the core's check of their results against the rules.
    Only for an engine that can read formulas (``Capabilities``)."""
    if grid.row_count <= header_row:
        return frozenset()
    formulas = sheet.range((header_row + 1, column), (grid.row_count, column)).options(ndim=2).formula
    return frozenset(
        (header_row + 1 + i, column)
        for i, (f, *_) in enumerate(formulas or [])
        if isinstance(f, str) and f.startswith("=")
    )


def number_formats(sheet: Any, grid: Grid, header_row: int, columns: list[int]) -> list[list[str | None]]:
    """Formats of the figure columns only (the rest is never scaled nor compared), for an engine that can read them."""
    formats: list[list[str | None]] = [[None] * len(row) for row in grid.values]
    first, last = header_row + 1, grid.row_count
    if last < first:
        return formats
    for column in columns:
        cells = column_formats(sheet, column, first, last)
        for offset, number_format in enumerate(cells):
            row = formats[first - 1 + offset]
            if column <= len(row):
                row[column - 1] = number_format
    return formats


def merged_areas(sheet: Any, grid: Grid, header_row: int, columns: dict[str, int]) -> list[tuple[int, int, int, int]]:
    """The merged cells of the columns a KPI may share with the rows below it (target, floor, polarity:
    merged down over several KPIs, one value shows on each), in the KPI rows; for desktop Excel, which
    answers whether a block holds merged cells in one call, so the calls grow with the merges, not the rows."""
    first, last = header_row + 1, grid.row_count
    areas: set[tuple[int, int, int, int]] = set()
    for name in ("target", "floor", "polarity"):
        if name in columns and last >= first:
            _merges_in(sheet, columns[name], first, last, areas)
    return sorted(areas)


def _merges_in(sheet: Any, column: int, first: int, last: int, areas: set[tuple[int, int, int, int]]) -> None:
    if sheet.range((first, column), (last, column)).merge_cells is False:  # True: all merged; None: some
        return
    if first == last:
        area = sheet.range((first, column)).merge_area
        areas.add((area.row, area.column, area.row + area.shape[0] - 1, area.column + area.shape[1] - 1))
        return
    middle = (first + last) // 2
    _merges_in(sheet, column, first, middle, areas)
    _merges_in(sheet, column, middle + 1, last, areas)


def column_formats(sheet: Any, column: int, first: int, last: int) -> list[str | None]:
    """Number formats of rows first..last of a column, in as few calls as the column allows.

    Desktop Excel answers a block's format when all its cells share it, and None when they differ;
    a mixed block is split in halves, so the calls grow with the number of format changes down the
    column, not with the number of rows.
    """
    uniform = sheet.range((first, column), (last, column)).number_format
    if uniform is not None or first == last:
        return [uniform] * (last - first + 1)
    middle = (first + last) // 2
    return column_formats(sheet, column, first, middle) + column_formats(sheet, column, middle + 1, last)


def rag_formula_rows(sheet: Any, plan: WritePlan) -> set[int]:
    """Rows whose RAG cell holds a formula, for an engine that can read formulas."""
    rows: set[int] = set()
    for first, last in row_runs(w.row for w in plan.rag):
        formulas = sheet.range((first, plan.rag_column), (last, plan.rag_column)).options(ndim=2).formula
        rows |= {first + i for i, (f,) in enumerate(formulas) if isinstance(f, str) and f.startswith("=")}
    return rows


def existing_narrative(book: xw.Book, plan: WritePlan) -> Any:
    """The existing Narrative sheet if scorecard wrote it; refuses one it did not write."""
    sheet = sheet_named(book, plan.narrative_sheet)
    if sheet is None:
        return None
    values = sheet.used_range.options(ndim=2).value or []
    if not written_by_scorecard(v for row in values for v in row):
        raise foreign_narrative(plan.narrative_sheet)
    return sheet


def row_runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive rows as (first, last) runs: each run is written in one call per column."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs
