"""The grid: one worksheet as its adapter hands it over, values and what else the engine can tell.

Adapters (the workbook file, an ``xw.Book``, a worksheet function's range) only turn their workbook into
a ``Grid``; everything after it is the same reading on every engine. Rows and columns are 1-based.

A grid holds the rows present, not every row up to the last: a sheet whose one cell is far down costs
what its cells cost, whatever their coordinates (``SparseRows``). Loops over a grid's rows go through
``Grid.row_numbers``, which lists the rows that hold something.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, overload

from ..a1 import cell_ref, column_letter
from ..findings import Where

RowHidden = Literal["hidden", "grouped"]  # hidden, or folded into a collapsed outline group
Area = tuple[int, int, int, int]  # (first row, first column, last row, last column), inclusive


@dataclass(frozen=True)
class CellError:
    """An Excel error value such as #DIV/0!: never a number."""

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


class SparseRow(Sequence[Any]):
    """One row of cells by column, holding only the cells present (a transposed sheet's far cells cost
    nothing); ``row[i]`` is column ``i + 1``, None when absent."""

    def __init__(self, cells: dict[int, Any]):
        self._cells = cells
        self._length = max(cells, default=0)

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(index)
        return self._cells.get(index + 1)


def _dense(cells: dict[int, Any]) -> Sequence[Any]:
    return SparseRow(cells)


class SparseRows(Sequence[Sequence[Any]]):
    """Rows by number, holding only the rows present: ``rows[i]`` is row ``i + 1``, empty when absent.

    Its length is the last row's number, as a dense list of rows would have; ``present`` lists the rows
    that hold something, in order, so a loop over them costs what the sheet holds.
    """

    def __init__(self, rows: Mapping[int, Sequence[Any]] | None = None):
        self._rows: dict[int, Sequence[Any]] = {}
        self.present: list[int] = []
        for number in sorted(rows or {}):
            self.set(number, rows[number])  # type: ignore[index]

    def set(self, number: int, cells: Sequence[Any]) -> None:
        if number not in self._rows:
            bisect.insort(self.present, number)
        self._rows[number] = cells

    def __len__(self) -> int:
        return self.present[-1] if self.present else 0

    @overload
    def __getitem__(self, index: int) -> Sequence[Any]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Sequence[Any]]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._rows.get(index + 1, ())

    def __iter__(self) -> Iterator[Sequence[Any]]:
        return (self[i] for i in range(len(self)))


@dataclass
class Grid:
    """One worksheet as values (and number formats) from A1; rows and columns 1-based in calls.

    ``formats`` may be None when the adapter cannot read number formats; then percent-formatted
    fractions cannot be recognised and the rules must state values in percent points.
    """

    sheet: str
    values: Sequence[Sequence[Any]]
    formats: Sequence[Sequence[str | None]] | None = None
    merged: Sequence[Area] = ()
    uncalculated: frozenset[tuple[int, int]] = frozenset()  # formula cells saved without a result
    # What an adapter can also tell, each empty when it cannot (the remote engine, a plain range):
    formulas: frozenset[tuple[int, int]] = frozenset()  # (row, column) of cells holding a formula
    hidden_rows: Mapping[int, RowHidden] = field(default_factory=dict)  # "grouped": in a collapsed outline
    tables: Sequence[TableArea] = ()  # Excel Tables (ListObjects) on the sheet
    hidden_rows_known: bool = True  # False: the adapter cannot tell hidden rows (remote engine, a formula's range)
    hidden_columns: frozenset[int] = frozenset()  # columns hidden in the workbook (width 0 or hidden)
    hidden_columns_known: bool = True  # False: the adapter cannot tell hidden columns
    merged_known: bool = True  # False: the adapter cannot tell merged cells (remote engine, Lite, a formula's range)
    # list data validations by column (the words a cell may hold, as the validation lists them)
    choices: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    choices_known: bool = True  # False: the adapter cannot read data validations (xlwings' engines)
    transposed: bool = False  # the sheet read across: rows here are the sheet's columns (layout.kpis_in: columns)

    def shared_by_rows(self, row: int, column: int) -> Area | None:
        """The merged cells a cell is part of, below their first row, when they are one column wide: a
        target merged down across the rows of several KPIs shows its one value on each of them. (Cells
        merged across columns as well, D2:E4, show one value for two fields: no field's own.)"""
        if not self.merged:
            return None
        area = self.merged_range(row, column)
        return area if area is not None and area[0] < row <= area[2] and area[1] == area[3] else None

    def merged_range(self, row: int, column: int) -> Area | None:
        for area in self.merged:
            if area[0] <= row <= area[2] and area[1] <= column <= area[3]:
                return area
        return None

    @property
    def row_count(self) -> int:
        return len(self.values)

    def row_numbers(self, first: int = 1, last: int | None = None) -> list[int]:
        """The numbers of the rows from ``first`` to ``last`` (default: the last row) that hold a value."""
        last = self.row_count if last is None else min(last, self.row_count)
        if isinstance(self.values, SparseRows):
            present = self.values.present
            return present[bisect.bisect_left(present, first) : bisect.bisect_right(present, last)]
        return [r for r in range(max(first, 1), last + 1) if self.values[r - 1]]

    def row(self, row: int) -> Sequence[Any]:
        return self.values[row - 1] if 0 < row <= len(self.values) else ()

    def row_formats(self, row: int) -> Sequence[str | None]:
        if self.formats is None or not 0 < row <= len(self.formats):
            return ()
        return self.formats[row - 1]

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

    def ref(self, row: int, column: int) -> str:
        """The cell's name on the sheet, for messages: H7 (of a transposed grid, the sheet's own cell)."""
        return cell_ref(column, row) if self.transposed else cell_ref(row, column)

    def line(self, row: int) -> Where:
        """A row of the grid as a place on the sheet: the row, or (transposed) the sheet's column."""
        if self.transposed:
            return Where(sheet=self.sheet, column=column_letter(row))
        return Where(sheet=self.sheet, row=row)

    def across(self) -> Grid:
        """The sheet read across: one KPI per column becomes one KPI per row (layout.kpis_in: columns). Cell
        names in findings stay the sheet's own; what cannot be turned (hidden rows, Excel Tables, data
        validations) is left out, as an engine that cannot read it leaves it out."""
        cells: dict[int, dict[int, Any]] = {}
        formats: dict[int, dict[int, str | None]] = {}
        for r in self.row_numbers():
            for c, value in enumerate(self.row(r), start=1):
                if value is not None:
                    cells.setdefault(c, {})[r] = value
            for c, number_format in enumerate(self.row_formats(r), start=1):
                if number_format is not None:
                    formats.setdefault(c, {})[r] = number_format
        return Grid(
            sheet=self.sheet,
            values=SparseRows({c: _dense(row) for c, row in cells.items()}),
            formats=None if self.formats is None else SparseRows({c: _dense(row) for c, row in formats.items()}),
            merged=[(a[1], a[0], a[3], a[2]) for a in self.merged],
            uncalculated=frozenset((c, r) for r, c in self.uncalculated),
            formulas=frozenset((c, r) for r, c in self.formulas),
            merged_known=self.merged_known,  # hidden columns are not read: read across, no KPI is hidden
            transposed=True,
        )
