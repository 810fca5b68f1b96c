"""Writing scorecard workbooks as Excel users lay them out: XlsxWriter for what it can write, openpyxl for the rest.

A sheet is written from rows of cells. A cell is a plain value (text, number, date) or one of the small
types below, which say how Excel would have stored it: a number with a format (``N``), a formula with the
result Excel cached (``F``), a cached error value (``Err``), or a date shown in a given format (``D``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

PCT = "0.0%"
PCT0 = "0%"
ONE = "0.0"
WHOLE = "#,##0"
MONTH = "mmm-yy"


@dataclass(frozen=True)
class N:
    """A number shown in a number format: ``N(0.952, "0.0%")`` is 95.2% as Excel stores it."""

    value: float
    fmt: str


@dataclass(frozen=True)
class F:
    """A formula with the result Excel saved with it."""

    formula: str
    value: Any
    fmt: str | None = None


@dataclass(frozen=True)
class Err:
    """An error value cached in a formula cell, as Excel saves ``=VLOOKUP(...)`` that found nothing."""

    code: str  # "#N/A", "#REF!", "#DIV/0!", "#VALUE!"
    formula: str = ""

    def as_formula(self) -> str:
        if self.formula:
            return self.formula
        return {
            "#N/A": "=VLOOKUP(A1,Data!A:B,2,FALSE)",
            "#REF!": "=#REF!",
            "#DIV/0!": "=Data!B2/Data!C2",
            "#VALUE!": '=Data!B2+"n/a"',
        }[self.code]


@dataclass(frozen=True)
class D:
    """A date cell shown in a given format (default: Jun-24)."""

    value: dt.date
    fmt: str = MONTH


@dataclass(frozen=True)
class T:
    """A text cell with a format (bold headers and the like)."""

    value: str
    bold: bool = True


Cell = Any  # None, str, int, float, dt.date, N, F, Err, D, T


def month(year: int, number: int) -> dt.date:
    return dt.date(year, number, 1)


class Book:
    """One workbook being written with XlsxWriter; ``close()`` saves it."""

    def __init__(self, path: Path, *, macros: bool = False) -> None:
        self.path = path
        self.wb = xlsxwriter.Workbook(
            str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "in_memory": True}
        )
        self._formats: dict[tuple, Any] = {}
        if macros:
            from xlwings_vba import vba_project  # a real VBA project, as in tests/corpus.py

            self.wb.add_vba_project(str(vba_project()))

    def fmt(self, num: str | None = None, **props: Any) -> Any:
        key = (num, tuple(sorted(props.items())))
        if key not in self._formats:
            options = dict(props)
            if num:
                options["num_format"] = num
            self._formats[key] = self.wb.add_format(options)
        return self._formats[key]

    def sheet(self, name: str) -> Worksheet:
        return self.wb.add_worksheet(name)

    def put(self, ws: Worksheet, top_left: str, rows: Iterable[Sequence[Cell]], col_fmt: dict[int, str] | None = None):
        """Write ``rows`` from ``top_left``; ``col_fmt`` maps a 0-based offset in the row to a number format
        for plain numbers written there (so a column of fractions is shown as percentages)."""
        r0, c0 = xl_cell_to_rowcol(top_left)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                self.write(ws, r0 + i, c0 + j, value, (col_fmt or {}).get(j))

    def write(self, ws: Worksheet, r: int, c: int, value: Cell, num: str | None = None) -> None:
        if value is None:
            return
        if isinstance(value, N):
            ws.write_number(r, c, value.value, self.fmt(value.fmt))
        elif isinstance(value, F):
            ws.write_formula(r, c, value.formula, self.fmt(value.fmt) if value.fmt else None, value.value)
        elif isinstance(value, Err):
            ws.write_formula(r, c, value.as_formula(), None, value.code)
        elif isinstance(value, D):
            ws.write_datetime(r, c, dt.datetime.combine(value.value, dt.time()), self.fmt(value.fmt))
        elif isinstance(value, dt.date):
            ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), self.fmt(MONTH))
        elif isinstance(value, T):
            ws.write_string(r, c, value.value, self.fmt(bold=value.bold))
        elif isinstance(value, str):
            ws.write_string(r, c, value)
        elif isinstance(value, bool):
            ws.write_boolean(r, c, value)
        else:
            ws.write_number(r, c, value, self.fmt(num) if num else None)

    def close(self) -> Path:
        self.wb.close()
        return self.path


def cell(row: int, col: int) -> str:
    """A1 reference of a 1-based row and 0-based column, as the truth files name cells."""
    return xl_rowcol_to_cell(row - 1, col)


def patch(path: Path, edit: Callable[[Any], None]) -> Path:
    """Open a workbook with openpyxl, let ``edit`` change it, save it back: for what XlsxWriter cannot write
    (an error value typed as a constant rather than cached from a formula)."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    edit(wb)
    wb.save(path)
    return path
