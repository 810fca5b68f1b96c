"""A stand-in for desktop Excel's xlwings objects (App, Book, Sheet, Range) over an openpyxl workbook.

Unlike the remote engine it reads back what was written (values, fills, fonts, formulas, number formats)
as desktop Excel does, so code that writes then checks (the self-test) can run here. ``App.calculate``
evaluates formulas calling the worksheet functions of ``scorecard.udfs`` the way the add-in's VBA
wrappers and xlwings' UDF bridge call them: by name, ranges passed as their values, the hidden format
arguments as the cells themselves, ``caller`` as the formula's cell, and a list of rows spilled into the
cells below and beside the formula. ``App.macro`` runs a macro of an opened add-in by reading its VBA
(decoded with olevba) and doing what its few statements say (``VbaStandIn``). Nothing else of Excel is
imitated.
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
        def read(r: int, c: int) -> Any:
            held = self.sheet.ws.cell(r, c).value
            key = (self.sheet.ws.title, r, c)
            if (held is None or (isinstance(held, str) and held.startswith("="))) and key in self.sheet.book.computed:
                return self.sheet.book.computed[key]  # a formula's result, or a cell an array spilled into
            return held

        return self._grid(read)

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

    @number_format.setter
    def number_format(self, code: str) -> None:
        for cell in self.cells():
            cell.number_format = code

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
    def __init__(self, app: App, path: Path | None):
        """A workbook opened from ``path``, or a new blank one (Workbooks.Add) for None."""
        self.app = app
        if path is None:
            self.fullname = self.name = f"Book{len(app.books.opened) + 1}"  # never saved: no folder
            self.wb, self.computed = openpyxl.Workbook(), {}
        else:
            self.fullname, self.name = str(path), Path(path).name
            self.wb = openpyxl.load_workbook(path)
            values = openpyxl.load_workbook(path, data_only=True)
            self.computed = {
                (ws.title, c.row, c.column): c.value for ws in values.worksheets for row in ws.iter_rows() for c in row
            }
        self.sheets, self.names, self.closed = Sheets(self), Names(), False

    def close(self) -> None:
        self.closed = True
        self.app.books.opened.remove(self)


class AddIn:
    """An opened .xlam: its VBA, decoded with olevba, for ``App.macro``."""

    def __init__(self, app: App, path: Path):
        from oletools.olevba import VBA_Parser

        self.app, self.fullname, self.name = app, str(path), path.name
        parser = VBA_Parser(str(path))
        self.modules = {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
        parser.close()


class Books:
    def __init__(self, app: App):
        self.app, self.opened, self.addins = app, [], {}

    def open(self, path: str) -> Book:
        if path.lower().endswith(".xlam"):  # an add-in: loaded, not one of the workbooks
            self.addins[Path(path).name.casefold()] = AddIn(self.app, Path(path))
            return self.addins[Path(path).name.casefold()]
        book = Book(self.app, Path(path))
        self.opened.append(book)
        return book

    def add(self) -> Book:
        book = Book(self.app, None)
        self.opened.append(book)
        return book

    @property
    def active(self) -> Book | None:
        return self.opened[-1] if self.opened else None

    def __getitem__(self, name: str) -> Any:
        found = self.addins.get(name.casefold()) or next((b for b in self.opened if b.name == name), None)
        if found is None:
            raise KeyError(name)
        return found

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
        """Evaluate =FUNCTION(...) formulas of scorecard.udfs as the add-in's wrappers call them through
        xlwings; a function's rows spill from its cell down and to the right."""
        from scorecard import udfs

        for book in self.books:
            for ws in book.wb.worksheets:
                for row in ws.iter_rows():
                    for cell in row:
                        match = re.fullmatch(r"=(\w+)\((.*)\)", str(cell.value or ""))
                        if match and match.group(1) in udfs.__all__:
                            function = getattr(udfs, match.group(1))
                            caller = Range(Sheet(book, ws), (cell.row, cell.column), (cell.row, cell.column))
                            result = function(*_arguments(function, caller, _split(match.group(2))))
                            _spill(book, ws.title, cell.row, cell.column, result)

    def macro(self, name: str) -> VbaStandIn:
        addin, _, procedure = name.partition("!")
        return VbaStandIn(self, self.books[addin.strip("'")], procedure)


def _arguments(function: Any, caller: Range, texts: list[str]) -> list[Any]:
    """The arguments the wrapper passes: each visible one's value; each hidden one (named in the function's
    ``__scorecard_vba__``) the cells of the argument it mirrors, None for a literal; ``caller`` the cell."""
    import inspect

    hidden = function.__scorecard_vba__
    names = [p for p in inspect.signature(function).parameters if p not in hidden]
    given = dict(zip(names, texts, strict=False))
    out = []
    for parameter in inspect.signature(function).parameters:
        if parameter == "caller":
            out.append(caller)
        elif parameter in hidden:
            text = given.get(hidden[parameter])
            out.append(_cells(caller.sheet, text) if text is not None else None)
        elif parameter in given:
            out.append(_argument(caller.sheet, given[parameter]))
        else:
            out.append(inspect.signature(function).parameters[parameter].default)
    return out


def _spill(book: Book, sheet: str, row: int, column: int, result: Any) -> None:
    rows = result if isinstance(result, list) and result and isinstance(result[0], list) else [[result]]
    for i, values in enumerate(rows):
        for j, value in enumerate(values):
            book.computed[(sheet, row + i, column + j)] = value


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


_REFERENCE = re.compile(r"(?:(?:'((?:[^']|'')+)'|([^'!]+))!)?\$?([A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?)")


def _cells(sheet: Sheet, text: str) -> Range | None:
    """The cells a reference names (Scorecard!H6:H32, 'O''Neil''s'!A1, B4 on the formula's own sheet)."""
    reference = _REFERENCE.fullmatch(text.strip())
    if not reference:
        return None
    quoted, bare, address = reference.groups()
    name = quoted.replace("''", "'") if quoted else bare
    target = Sheet(sheet.book, sheet.book.wb[name]) if name else sheet
    return target.range(address.replace("$", ""))


def _argument(sheet: Sheet, text: str) -> Any:
    text = text.strip()
    if text.startswith('"'):
        return text[1:-1].replace('""', '"')
    cells = _cells(sheet, text)
    if cells is not None:
        return cells.value
    return float(text)


class VbaStandIn:
    """A macro of the add-in, run by reading its VBA: the few statements RunSelfTest and the buttons use.

    ``Set X = OpenStandIn()`` adds a blank workbook when none is open; ``RunPython "..." & NAME & "..."``
    evaluates its string (literals, the module's string constants and the macro's arguments) and runs the
    Python in this process with ``xw.Book.caller()`` answering the active workbook, as xlwings' RunPython
    runs it in the recorded interpreter; ``CloseStandIn X`` closes what OpenStandIn added. Any other
    statement fails the test: it is not imitated."""

    def __init__(self, app: App, addin: AddIn, name: str):
        self.app, self.addin = app, addin
        module, _, self.procedure = name.rpartition(".")
        self.code = (
            addin.modules[module]
            if module
            else next(code for code in addin.modules.values() if re.search(rf"^\s*(Public )?Sub {name}\b", code, re.M))
        )
        self.ran: list[str] = []  # the Python commands run, for the tests

    def __call__(self, *arguments: Any) -> None:
        found = re.search(rf"^(?:Public )?Sub {self.procedure}\((.*?)\)\r?\n(.*?)^End Sub", self.code, re.M | re.S)
        assert found, f"no Sub {self.procedure} in the add-in"
        names = [re.sub(r"^Optional\s+|\s+As\s+\w+.*$", "", p.strip()) for p in found.group(1).split(",") if p.strip()]
        scope = {**_constants(self.code), **dict(zip(names, map(str, arguments), strict=False))}
        scope.update({name: "" for name in names if name not in scope})
        stand_in = None
        for line in found.group(2).splitlines():
            statement = line.strip()
            if statement.startswith("'"):
                continue
            if not statement or statement.startswith("Dim "):
                continue
            if re.fullmatch(r"Set \w+ = OpenStandIn\(\)", statement):
                stand_in = self.app.books.add() if self.app.books.active is None else None
            elif statement.startswith("RunPython "):
                self._run_python(_vba_string(statement[len("RunPython ") :], scope))
            elif re.fullmatch(r"CloseStandIn \w+", statement):
                if stand_in is not None:
                    stand_in.close()
            else:
                raise AssertionError(f"the VBA stand-in does not imitate: {statement}")

    def _run_python(self, command: str) -> None:
        from unittest import mock

        import xlwings as xw

        self.ran.append(command)
        with mock.patch.object(xw.Book, "caller", staticmethod(lambda: self.app.books.active)):
            exec(command, {})  # noqa: S102 - the add-in's own command, as RunPython runs it


def _constants(code: str) -> dict[str, str]:
    return {
        name: value.replace('""', '"')
        for name, value in re.findall(r'^(?:Private |Public )?Const (\w+) As String = "((?:[^"]|"")*)"', code, re.M)
    }


def _vba_string(expression: str, scope: dict[str, str]) -> str:
    """A VBA string expression: literals ("..." with "" for a quote) and names joined by &, up to a comment."""
    out = []
    for literal, name, comment in re.findall(r'"((?:[^"]|"")*)"|(\w+)|(\')', expression):
        if comment:
            break
        out.append(literal.replace('""', '"') if not name else scope[name])
    return "".join(out)
