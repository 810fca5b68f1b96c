"""A stand-in for desktop Excel's xlwings objects (App, Book, Sheet, Range) over an openpyxl workbook.

Unlike the remote engine it reads back what was written (values, fills, fonts, formulas) as desktop
Excel does, so code that writes then checks (the self-test) can run here. ``App.calculate``
evaluates formulas calling the worksheet functions of ``scorecard.udfs`` the way xlwings' UDF
bridge calls them: by name, with ranges passed as their values. Nothing else of Excel is imitated.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries


def _hex(color: Any) -> str | None:
    if color is None:
        return None
    if isinstance(color, str):
        return color.lstrip("#").upper()
    return "".join(f"{c:02X}" for c in color)


class Font:
    def __init__(self, rng: Range):
        object.__setattr__(self, "_range", rng)

    def __getattr__(self, name: str) -> Any:
        found = {
            getattr(cell.font, {"size": "sz", "bold": "b", "italic": "i"}.get(name, name))
            for cell in self._range.cells()
        }
        return found.pop() if len(found) == 1 else None

    def __setattr__(self, name: str, value: Any) -> None:
        for cell in self._range.cells():
            cell.font = copy.copy(cell.font).__class__(
                **{**_font_args(cell.font), {"bold": "b", "italic": "i", "size": "sz"}.get(name, name): value}
            )


def _font_args(font: Any) -> dict:
    return {"name": font.name, "sz": font.sz, "b": font.b, "i": font.i, "color": font.color, "u": font.u}


class _Nothing:
    def clear(self) -> None:
        pass

    def add_cell_value(self, *args: Any, **kwargs: Any) -> None:
        pass

    def autofit(self) -> None:
        pass

    def __iter__(self):  # no conditional formats on the sheet: the stand-in lists none
        return iter(())


class Range:
    def __init__(self, sheet: Sheet, top: tuple[int, int], bottom: tuple[int, int], ndim: int | None = None):
        self.sheet, (self.row, self.column), self.bottom, self.ndim = sheet, top, bottom, ndim
        self.shape = (bottom[0] - top[0] + 1, bottom[1] - top[1] + 1)

    def options(self, ndim: int | None = None, **_: Any) -> Range:
        return Range(self.sheet, (self.row, self.column), self.bottom, ndim)

    def cells(self) -> list[Any]:
        ws = self.sheet.ws
        return [
            ws.cell(r, c) for r in range(self.row, self.bottom[0] + 1) for c in range(self.column, self.bottom[1] + 1)
        ]

    def _grid(self, read) -> Any:
        rows = [
            [read(r, c) for c in range(self.column, self.bottom[1] + 1)] for r in range(self.row, self.bottom[0] + 1)
        ]
        if self.ndim == 2:
            return rows
        if self.shape == (1, 1):
            return rows[0][0]
        if self.shape[0] == 1:
            return rows[0]
        if self.shape[1] == 1:
            return [row[0] for row in rows]
        return rows

    @property
    def value(self) -> Any:
        return self._grid(
            lambda r, c: (
                self.sheet.book.computed.get((self.sheet.ws.title, r, c), self.sheet.ws.cell(r, c).value)
                if isinstance(self.sheet.ws.cell(r, c).value, str) and self.sheet.ws.cell(r, c).value.startswith("=")
                else self.sheet.ws.cell(r, c).value
            )
        )

    @value.setter
    def value(self, value: Any) -> None:
        rows = value if isinstance(value, list) and value and isinstance(value[0], list) else [[value]] * self.shape[0]
        for i, row in enumerate(rows):
            for j, item in enumerate(row):
                if isinstance(item, str) and item.startswith("'"):
                    item = item[1:]  # Excel keeps an apostrophe-prefixed entry as text
                self.sheet.ws.cell(self.row + i, self.column + j).value = item

    @property
    def formula(self) -> Any:
        def read(r: int, c: int) -> str:
            value = self.sheet.ws.cell(r, c).value
            return "" if value is None else str(value)

        grid = self._grid(read)
        return (
            tuple(tuple(row) for row in grid) if isinstance(grid, list) and grid and isinstance(grid[0], list) else grid
        )

    @formula.setter
    def formula(self, formula: str) -> None:
        for cell in self.cells():
            cell.value = formula

    def _merges(self) -> list[tuple[int, int, int, int]]:
        return [(m.min_row, m.min_col, m.max_row, m.max_col) for m in self.sheet.ws.merged_cells.ranges]

    @property
    def merge_cells(self) -> bool | None:
        """As desktop Excel's MergeCells: True when every cell is merged, False when none, None when some."""
        merged = [
            any(a <= r <= c and b <= k <= d for a, b, c, d in self._merges())
            for r in range(self.row, self.bottom[0] + 1)
            for k in range(self.column, self.bottom[1] + 1)
        ]
        return True if all(merged) else False if not any(merged) else None

    @property
    def merge_area(self) -> Range:
        for a, b, c, d in self._merges():
            if a <= self.row <= c and b <= self.column <= d:
                return Range(self.sheet, (a, b), (c, d))
        return self

    @property
    def number_format(self) -> str | None:
        found = {cell.number_format for cell in self.cells()}
        return found.pop() if len(found) == 1 else None

    @property
    def color(self) -> tuple[int, int, int] | None:
        cell = self.cells()[0]
        if cell.fill.fill_type != "solid":
            return None
        return tuple(bytes.fromhex(cell.fill.fgColor.rgb[-6:]))  # type: ignore[return-value]

    @color.setter
    def color(self, color: Any) -> None:
        for cell in self.cells():
            hex_ = _hex(color)
            cell.fill = PatternFill(fill_type="solid", fgColor="FF" + hex_) if hex_ else PatternFill(fill_type=None)

    def set_colors(self, colors: list[list[Any]]) -> None:
        self.sheet.book.app.calls.append("set_colors")
        if self.sheet.book.app.drop_fills:
            return
        for i, row in enumerate(colors):
            for j, color in enumerate(row):
                if color is not ...:
                    Range(self.sheet, (self.row + i, self.column + j), (self.row + i, self.column + j)).color = color

    def copy(self, destination: Range) -> None:
        for i in range(self.shape[0]):
            for j in range(self.shape[1]):
                source = self.sheet.ws.cell(self.row + i, self.column + j)
                target = destination.sheet.ws.cell(destination.row + i, destination.column + j)
                target.value, target._style = source.value, copy.copy(source._style)

    def clear_contents(self) -> None:
        for cell in self.cells():
            cell.value = None

    @property
    def font(self) -> Font:
        return Font(self)

    @property
    def column_width(self) -> None:
        return None

    @column_width.setter
    def column_width(self, width: float) -> None:
        self.sheet.ws.column_dimensions[get_column_letter(self.column)].width = width

    @property
    def wrap_text(self) -> None:
        return None

    @wrap_text.setter
    def wrap_text(self, wrap: bool) -> None:
        for cell in self.cells():
            cell.alignment = Alignment(wrap_text=wrap)

    @property
    def rows(self) -> _Nothing:
        return _Nothing()

    @property
    def conditional_formats(self) -> _Nothing:
        return _Nothing()

    def __getitem__(self, index: Any) -> Range:
        return Range(self.sheet, (self.row, self.column), (self.row, self.column))


class Sheet:
    def __init__(self, book: Book, ws: Any):
        self.book, self.ws = book, ws

    @property
    def name(self) -> str:
        return self.ws.title

    def range(self, first: Any, second: Any = None) -> Range:
        if isinstance(first, str):
            if re.fullmatch(r"[A-Z]+:[A-Z]+", first):
                a, b = first.split(":")
                return Range(self, (1, column_index_from_string(a)), (self.ws.max_row, column_index_from_string(b)))
            c1, r1, c2, r2 = range_boundaries(first)
            return Range(self, (r1, c1), (r2, c2))
        return Range(self, first, second or first)

    @property
    def used_range(self) -> Range:
        ws = self.ws
        return Range(self, (ws.min_row, ws.min_column), (ws.max_row, ws.max_column))

    @property
    def tables(self) -> list[Table]:
        return [Table(self, table) for table in self.ws.tables.values()]

    def clear(self) -> None:
        index = self.book.wb.worksheets.index(self.ws)
        title = self.ws.title
        self.book.wb.remove(self.ws)
        self.ws = self.book.wb.create_sheet(title, index)

    def delete(self) -> None:
        self.book.wb.remove(self.ws)


class Table:
    """An Excel Table (ListObject) as xlwings reports it: name, range, header and totals rows; resizable."""

    def __init__(self, sheet: Sheet, table: Any):
        self.sheet, self.table, self.name = sheet, table, table.displayName
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        self.range = Range(sheet, (min_row, min_col), (max_row, max_col))
        self.show_headers = table.headerRowCount != 0
        self.show_totals = bool(table.totalsRowCount)

    def resize(self, rng: Range) -> None:
        first = f"{get_column_letter(rng.column)}{rng.row}"
        self.table.ref = f"{first}:{get_column_letter(rng.bottom[1])}{rng.bottom[0]}"


class Sheets:
    def __init__(self, book: Book):
        self.book = book

    def _all(self) -> list[Sheet]:
        return [Sheet(self.book, ws) for ws in self.book.wb.worksheets]

    def __iter__(self):
        return iter(self._all())

    def __len__(self) -> int:
        return len(self.book.wb.worksheets)

    def __getitem__(self, key: Any) -> Sheet:
        if isinstance(key, int):
            return self._all()[key]
        return Sheet(self.book, self.book.wb[key])

    def add(self, name: str, after: Sheet | None = None) -> Sheet:
        index = self.book.wb.worksheets.index(after.ws) + 1 if after is not None else 0
        return Sheet(self.book, self.book.wb.create_sheet(name, index))


class Names:
    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)


class Book:
    def __init__(self, app: App, path: Path):
        self.app, self.fullname, self.name = app, str(path), Path(path).name
        self.wb = openpyxl.load_workbook(path)
        values = openpyxl.load_workbook(path, data_only=True)
        self.computed = {
            (ws.title, c.row, c.column): c.value for ws in values.worksheets for row in ws.iter_rows() for c in row
        }
        self.sheets, self.names, self.closed = Sheets(self), Names(), False

    def close(self) -> None:
        self.closed = True
        self.app.books.opened.remove(self)


class Books:
    def __init__(self, app: App):
        self.app, self.opened = app, []

    def open(self, path: str) -> Book:
        book = Book(self.app, Path(path))
        self.opened.append(book)
        return book

    def __iter__(self):
        return iter(self.opened)


class Engine:
    """xlwings' public ``app.engine``: the stand-in is desktop Excel."""

    name = "excel"
    type = "desktop"


class App:
    version = "16.0 (stand-in)"
    engine = Engine()

    def __init__(self, drop_fills: bool = False):
        self.books, self.alerts, self.calls, self.drop_fills = Books(self), [], [], drop_fills

    def alert(self, message: str, title: str = "") -> None:
        self.alerts.append(message)

    def calculate(self) -> None:
        """Evaluate =FUNCTION(...) formulas of scorecard.udfs, as xlwings' UDF bridge would."""
        from scorecard import udfs

        for book in self.books:
            for ws in book.wb.worksheets:
                for row in ws.iter_rows():
                    for cell in row:
                        match = re.fullmatch(r"=(\w+)\((.*)\)", str(cell.value or ""))
                        if match and match.group(1) in udfs.__all__:
                            args = [_argument(book, a) for a in _split(match.group(2))]
                            book.computed[(ws.title, cell.row, cell.column)] = getattr(udfs, match.group(1))(*args)


def _split(text: str) -> list[str]:
    parts, depth, quoted, current = [], 0, False, ""
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += {"(": 1, ")": -1}.get(char, 0) if not quoted else 0
        current += char
    return parts + [current]


def _argument(book: Book, text: str) -> Any:
    text = text.strip()
    if text.startswith('"'):
        return text[1:-1].replace('""', '"')
    reference = re.fullmatch(r"'?(.*?)'?!\$?([A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?)", text)
    if reference:
        sheet = Sheet(book, book.wb[reference.group(1)])
        return sheet.range(reference.group(2).replace("$", "")).value
    return float(text)
