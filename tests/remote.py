"""Run the ribbon macros on xlwings' remote engine and replay what they did onto a real workbook.

The remote engine runs the same ``xw.Book`` API as desktop Excel, but against a request payload,
and returns the edits as actions. Here the payload is built from a real .xlsx the way the
Office.js client builds it (values from A1, dates as ISO strings, errors and "" as None), and the
actions are replayed with openpyxl onto a copy of the file, so the result can be compared cell for
cell, value and fill, with ``scorecard refresh`` on the same file.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import xlwings as xw
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter, range_boundaries

ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"}


def _payload_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00.000Z"
    if value == "" or (isinstance(value, str) and value in ERRORS):
        return None
    return value


def _tables(ws: Any) -> list[dict]:
    """The sheet's Excel Tables as Office.js reports them (ranges as addresses)."""
    tables = []
    for table in ws.tables.values():
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        headers, totals = (table.headerRowCount if table.headerRowCount is not None else 1), (table.totalsRowCount or 0)

        def address(first: int, last: int, min_col: int = min_col, max_col: int = max_col) -> str | None:
            return f"{get_column_letter(min_col)}{first}:{get_column_letter(max_col)}{last}" if first <= last else None

        tables.append(
            {
                "name": table.displayName,
                "range_address": table.ref,
                "header_row_range_address": address(min_row, min_row) if headers else None,
                "data_body_range_address": address(min_row + headers, max_row - totals),
                "total_row_range_address": address(max_row, max_row) if totals else None,
                "show_headers": bool(headers),
                "show_totals": bool(totals),
                "show_autofilter": table.autoFilter is not None,
                "table_style": table.tableStyleInfo.name if table.tableStyleInfo else None,
            }
        )
    return tables


def payload(path: Path) -> dict:
    """The request an Office.js client would send for this workbook."""
    book = openpyxl.load_workbook(path, data_only=True, keep_vba=path.suffix == ".xlsm")
    sheets = []
    for ws in book.worksheets:
        rows = [
            [_payload_value(c.value) for c in row]
            for row in ws.iter_rows(min_row=1, min_col=1, max_row=ws.max_row, max_col=ws.max_column)
        ]
        sheets.append({"name": ws.title, "values": rows or [[None]], "pictures": [], "tables": _tables(ws)})
    _close(book)
    names = []
    for name, definition in book.defined_names.items():
        destinations = list(definition.destinations)
        sheet_index = address = None
        if destinations:
            sheet_name, address = destinations[0]
            sheet_index = book.sheetnames.index(sheet_name)
        names.append(
            {
                "name": name,
                "book_scope": True,
                "scope_sheet_name": None,
                "scope_sheet_index": None,
                "refers_to": "=" + definition.attr_text,
                "sheet_index": sheet_index,
                "address": address,
            }
        )
    return {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
        "names": names,
        "sheets": sheets,
    }


def run_macro(path: Path, macro: Callable, **kwargs: Any) -> tuple[Any, list[dict]]:
    """Run an entry point of scorecard.excel on the remote engine; returns (its result, the actions)."""
    book = xw.Book(json=payload(path))
    result = macro(book, **kwargs)
    return result, book.json()["actions"]


def _fill(value: str | None) -> PatternFill:
    if value is None:
        return PatternFill(fill_type=None)
    return PatternFill(fill_type="solid", fgColor="FF" + value.lstrip("#").upper())


def replay(source: Path, actions: list[dict], output: Path) -> Path:
    """Apply the actions to a copy of ``source`` (the values and fills they set)."""
    book = openpyxl.load_workbook(source, keep_vba=source.suffix == ".xlsm")
    for action in actions:
        func, args = action["func"], action["args"]
        sheet = book.worksheets[action["sheet_position"]] if action["sheet_position"] is not None else None
        r0, c0 = (action["start_row"] or 0) + 1, (action["start_column"] or 0) + 1
        rows, cols = action["row_count"] or 1, action["column_count"] or 1
        block = (
            [sheet.cell(r0 + i, c0 + j) for i in range(rows) for j in range(cols)]
            if sheet is not None and rows * cols < 100_000
            else []
        )
        if func == "setValues":
            for i, row in enumerate(action["values"]):
                for j, value in enumerate(row):
                    if isinstance(value, str) and value.startswith("'"):
                        value = value[1:]  # Excel keeps an apostrophe-prefixed entry as text
                    elif isinstance(value, str) and value.startswith("="):
                        raise AssertionError(f"a formula was written: {value}")
                    sheet.cell(r0 + i, c0 + j).value = value
        elif func == "setRangeColor":
            for cell in block:
                cell.fill = _fill(args[0])
        elif func == "setRangeColors":
            for i, row in enumerate(args[0]):
                for j, value in enumerate(row):
                    if value != "keep":
                        sheet.cell(r0 + i, c0 + j).fill = _fill(value)
        elif func == "rangeClearContents":
            for cell in block:
                cell.value = None
        elif func == "copyRange":
            target = book.worksheets[args[0]]
            min_col, min_row, _, _ = range_boundaries(args[1].replace("$", ""))
            for i in range(rows):
                for j in range(cols):
                    src, dst = sheet.cell(r0 + i, c0 + j), target.cell(min_row + i, min_col + j)
                    dst.value = src.value
                    for look in ("font", "fill", "border", "alignment", "protection", "number_format"):
                        setattr(
                            dst, look, copy.copy(getattr(src, look))
                        )  # public attributes, not openpyxl's private _style
        elif func == "addSheet":
            book.create_sheet(args[1], args[0])
        elif func == "sheetClear":
            title, index = sheet.title, book.worksheets.index(sheet)
            book.remove(sheet)
            book.create_sheet(title, index)
        elif func == "resizeTable":  # the range only: enough to compare where each table ends
            index, address = args
            table = list(sheet.tables.values())[index]
            table.ref = address.replace("$", "")
            if table.autoFilter is not None:
                min_col, min_row, max_col, max_row = range_boundaries(table.ref)
                table.autoFilter.ref = (
                    f"{get_column_letter(min_col)}{min_row}:"
                    f"{get_column_letter(max_col)}{max_row - (table.totalsRowCount or 0)}"
                )
        elif func == "sheetDelete":
            book.remove(sheet)
        elif func not in FORMAT_ONLY:
            raise AssertionError(f"replay does not know the action {func}")
    book.save(output)
    _close(book)
    return output


# Actions that change neither a value nor a fill: replayed as no-ops, but counted.
FORMAT_ONLY = {
    "setColumnWidth",
    "setWrapText",
    "setFontProperty",
    "setAutofit",
    "alert",
    "addConditionalFormat",
    "clearConditionalFormats",
    "setRowHeight",
    "setNumberFormat",
}


def cells_of(path: Path) -> dict[str, dict[str, tuple[Any, Any]]]:
    """Every non-empty or filled cell of every sheet: value and fill (type and colour)."""
    book = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    out = {}
    for ws in book.worksheets:
        sheet = {}
        for row in ws.iter_rows():
            for cell in row:
                fill = (cell.fill.fill_type, cell.fill.fgColor.rgb if cell.fill.fill_type else None)
                if cell.value is not None or fill[0] is not None:
                    sheet[cell.coordinate] = (cell.value, fill)
        out[ws.title] = sheet
    _close(book)
    return out


def _close(book: openpyxl.Workbook) -> None:
    if getattr(book, "vba_archive", None) is not None:  # keep_vba leaves the source zip open
        book.vba_archive.close()


def action_counts(actions: list[dict]) -> Counter:
    return Counter(a["func"] for a in actions)
