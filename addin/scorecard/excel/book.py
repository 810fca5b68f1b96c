"""An open workbook (``xw.Book``) for a job: the Excel side's ``GridSource`` and ``PlanSink``.

``ExcelBook`` reads the table's sheet through ``reader``, says what the book holds that a refresh must
warn of (``conditional``; sparklines, which no xlwings engine draws), and applies a plan as the journalled
steps ``writer`` builds. It is the Excel side's twin of ``workbook.book.WorkbookFile``.
"""

from __future__ import annotations

from typing import Any

import xlwings as xw

from ..core import kept
from ..core.a1 import range_ref
from ..core.findings import Finding
from ..core.plan import WritePlan, tables_to_widen
from ..core.reading import Grid, figure_columns, pick_sheet
from ..core.rules import Rules
from ..errors import ScorecardError
from .conditional import hiding_formats
from .journal import apply_steps
from .reader import (
    Capabilities,
    existing_narrative,
    hidden_columns,
    hidden_rows,
    merged_areas,
    number_formats,
    rag_formula_rows,
    rag_formulas,
    table_areas,
)
from .writer import cell_steps, narrative_steps, table_steps


class ExcelBook:
    """An ``xw.Book`` as the use cases' ``GridSource`` and ``PlanSink`` (``scorecard.core.ports``).

    ``grid`` reads the table's sheet (values in one call, number formats in one call per figure
    column, where the engine can read them); ``apply`` writes a plan as journalled steps (``apply_steps``):
    a write Excel refuses is undone and the error says exactly what could not be put back.
    """

    def __init__(self, book: xw.Book, rules: Rules):
        self.book, self.rules = book, rules
        can = self.capabilities = Capabilities.of(book)
        self.can_read_number_formats, self.can_read_formulas = can.can_read_number_formats, can.can_read_formulas
        self.can_read_hidden_rows, self.can_read_merged_cells = can.can_read_hidden_rows, can.can_read_merged_cells
        self.sheet: Any = None  # the table's sheet, once read
        self.writing = False  # apply has begun: its refusals name the cells or sheet themselves

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def peek(self, sheet: str, rows: int) -> Grid:
        found = self.book.sheets[sheet]
        used = found.used_range
        last_column = used.column + used.shape[1] - 1
        values = found.range((1, 1), (max(rows, 1), max(last_column, 1))).options(ndim=2).value
        return Grid(sheet=found.name, values=[list(row) for row in values], merged_known=False)

    def grid(self, sheet: str | None) -> Grid:
        found = self.book.sheets[pick_sheet([s.name for s in self.book.sheets], sheet)]
        used = found.used_range
        last_row, last_column = used.row + used.shape[0] - 1, used.column + used.shape[1] - 1
        values = found.range((1, 1), (last_row, last_column)).options(ndim=2).value
        tables = table_areas(found) if self.capabilities.can_read_tables else []
        grid = Grid(sheet=found.name, values=[list(row) for row in values], tables=tables)
        hidden = hidden_rows(found, last_row, last_column) if self.can_read_hidden_rows else None
        if hidden is None:
            grid.hidden_rows_known = False
        else:
            grid.hidden_rows = hidden
        grid.formats = None
        grid.merged_known = self.can_read_merged_cells
        grid.choices_known = False  # xlwings reads no data validation on any engine
        self.sheet = found
        try:  # the reading's own first stages, on the values: which columns' formats, formulas and merges matter
            header_row, figures, columns = figure_columns(grid, self.rules)
        except ScorecardError:
            return grid  # evaluate_grid reports it, from the same grid
        if self.can_read_number_formats:  # scaling (layout.percent: format) and decimals shown
            grid.formats = number_formats(found, grid, header_row, figures)
        hidden_figures = hidden_columns(found, figures) if self.can_read_hidden_rows else None
        if hidden_figures is None:
            grid.hidden_columns_known = False
        else:
            grid.hidden_columns = hidden_figures
        if self.can_read_formulas and "rag" in columns:
            grid.formulas = rag_formulas(found, grid, header_row, columns["rag"])
        if self.can_read_merged_cells:
            grid.merged = merged_areas(found, grid, header_row, columns)
        return grid

    def findings(self, plan: WritePlan) -> list[Finding]:
        notes = _sparkline_note(self.sheet, plan)  # no engine of xlwings draws sparklines
        if not self.capabilities.can_read_conditional_formats:
            return notes  # the engine cannot list conditional formats: none found, as before a refresh there
        return hiding_formats(self.sheet, plan) + notes

    def apply(self, plan: WritePlan) -> None:
        """Write the RAG and direction columns and the Narrative sheet: refused before the first write
        (a Narrative sheet scorecard did not write, a write inside another table) or undone after it."""
        self.writing = True
        sheet, book = self.sheet, self.book
        if not plan.rag:  # a table read across (one KPI per column): only the Narrative sheet is written
            apply_steps(narrative_steps(book, plan, existing_narrative(book, plan)))
            return
        formula_rows = rag_formula_rows(sheet, plan) if self.can_read_formulas else None
        narrative_sheet = existing_narrative(book, plan)  # refuse before writing anything
        widen = tables_to_widen(plan, table_areas(sheet) if self.capabilities.can_read_tables else [])  # likewise
        # everything is decided before the first write; a write Excel refuses is undone (see apply_steps)
        steps = cell_steps(sheet, plan, formula_rows) + table_steps(sheet, plan, widen)
        apply_steps(steps + narrative_steps(book, plan, narrative_sheet))


def read_grid(book: xw.Book, rules: Rules) -> tuple[Any, Grid]:
    """The table's sheet and its Grid, as ``ExcelBook.grid`` reads them."""
    excel = ExcelBook(book, rules)
    grid = excel.grid(rules.layout.sheet)
    return excel.sheet, grid


def _sparkline_note(sheet: Any, plan: WritePlan) -> list[Finding]:
    """xlwings has no sparklines (on any engine), so the trend column's are drawn by the command line only."""
    spark = plan.sparklines
    if spark is None:
        return []
    cells = range_ref((spark.first_row, spark.column, spark.last_row, spark.column))
    trend = spark.trend_sheet
    return [kept.sparklines_not_drawn_here(sheet.name, cells, trend.name if trend else None)]
