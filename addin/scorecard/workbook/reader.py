"""Workbook files without Excel: the file adapter of the command line.

openpyxl reads the workbook's structure (sheet names, shared strings, styles and number formats,
the date system); the table sheet's cells are scanned from its XML with those, several times faster
than openpyxl's cell-by-cell reader, and with what that reader does not report (merged cells,
formulas saved without a result). Writing is ``writer.write_plan``: the package is edited in place,
never re-saved through openpyxl, which drops sparklines, x14 extensions, shapes and a ribbon's
relationship.
"""

from __future__ import annotations

import re
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Any

from lxml import etree

from ..errors import WorkbookError
from .package import OLE_MAGIC, Package, Workbook, check_file, open_zip
from .sheetxml import column_number
from ..core.table import CellError, Grid, TableArea, pick_sheet
from .writer import write_plan

__all__ = ["read_grid", "write_plan", "check_file", "OLE_MAGIC"]


# --- reading ---------------------------------------------------------------------------------


def read_grid(path: str | Path, sheet: str | None) -> Grid:
    """The sheet's values (cached results for formulas) and number formats, from A1."""
    path = Path(path)
    check_file(path)
    archive = open_zip(path)
    try:
        Workbook(Package(path, archive))  # refuses Strict Open XML and a package without its workbook part
    finally:
        archive.close()
    with warnings.catch_warnings():
        # openpyxl warns that extensions it cannot model (sparklines, x14 validation) "will be removed";
        # that is true of its writer, which we never use, so the warning would only mislead
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        return _read_grid(path, sheet)


def _read_grid(path: Path, sheet: str | None) -> Grid:
    import openpyxl  # heavy: imported only when a workbook is read
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, KeyError, InvalidFileException, etree.XMLSyntaxError, ValueError, EOFError, zlib.error) as error:
        first_line = str(error).split("\n")[0].replace(str(path), path.name)
        raise WorkbookError(f"is damaged or not a workbook: {first_line}", file=path) from None
    except Exception as error:  # defusedxml's refusals (DTDForbidden, EntitiesForbidden) and parse errors
        if type(error).__module__.startswith(("defusedxml", "xml.")):
            raise WorkbookError(f"refused: a part of the package holds an XML construct not allowed in a workbook ({type(error).__name__})", file=path) from None
        raise
    try:
        try:
            worksheet = book[pick_sheet(book.sheetnames, sheet)]
        except WorkbookError as error:
            error.file = str(path)
            raise
        if not hasattr(worksheet, "iter_rows") or worksheet.__class__.__name__ == "ReadOnlyChartsheet":
            raise WorkbookError(f"sheet '{worksheet.title}' is a chart sheet, not a worksheet", file=path)
        return _scan(path, book, worksheet)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise WorkbookError(f"is damaged: {error}", file=path) from None
    finally:
        book.close()


_ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_TEXT = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>", re.S)
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#\d+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _iso_date(text: str) -> Any:
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(text.rstrip("Z"))
    except ValueError:
        return text


def _unescape(raw: bytes) -> str:
    text = raw.decode("utf-8")
    if "&" not in text:
        return text

    def entity(match: re.Match) -> str:
        name = match.group(1)
        if name.startswith("#x"):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        return _NAMED[name]

    return _ENTITY.sub(entity, text)


def _scan(path: Path, book: Any, worksheet: Any) -> Grid:
    """The sheet's cells as a Grid, scanned from the part's bytes.

    openpyxl has already read what the scan needs to interpret them (shared strings, cell styles
    and their number formats, the date system); the scan itself does what openpyxl's read-only
    reader would do cell by cell, several times faster, and also sees what that reader does not
    report: merged cells, and formulas saved without a result.
    """
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE, is_date_format
    from openpyxl.utils.datetime import from_excel

    title = worksheet.title
    with zipfile.ZipFile(path) as archive:
        part = Workbook(Package(path, archive)).sheet_part(title)
        data = archive.read(part) if part else b""
        hidden_rows, tables = _sheet_extras(archive, part, data) if part else ({}, [])
    # openpyxl's parsed shared strings and styles (private names, stable across openpyxl 3.1: pinned)
    shared = worksheet._shared_strings
    formats: list[str] = []
    for style in book._cell_styles:
        number_id = style.numFmtId
        if number_id < BUILTIN_FORMATS_MAX_SIZE:
            formats.append(BUILTIN_FORMATS.get(number_id, "General"))
        else:
            formats.append(book._number_formats[number_id - BUILTIN_FORMATS_MAX_SIZE])
    dates = {i for i, f in enumerate(formats) if is_date_format(f)}
    epoch = book.epoch

    prefix_match = re.search(rb"<([A-Za-z_][\w.-]*:)?worksheet\b", data)
    p = re.escape(prefix_match.group(1) or b"") if prefix_match else b""
    rows = re.compile(rb"<" + p + rb"row\b([^>]*?)(?:/>|>(.*?)</" + p + rb"row>)", re.S)
    cells = re.compile(rb"<" + p + rb"c\b([^>]*?)(?:/>|>(.*?)</" + p + rb"c>)", re.S)
    formula = b"<" + (prefix_match.group(1) or b"" if prefix_match else b"") + b"f"

    values: list[list[Any]] = []
    number_formats: list[list[str | None]] = []
    uncalculated: set[tuple[int, int]] = set()
    row_number = 0
    for row in rows.finditer(data):
        r = re.search(rb'\br="(\d+)"', row.group(1))
        row_number = int(r.group(1)) if r else row_number + 1
        while len(values) < row_number:
            values.append([])
            number_formats.append([])
        row_values, row_formats = values[row_number - 1], number_formats[row_number - 1]
        column = 0
        for cell in cells.finditer(row.group(2) or b""):
            attributes = dict(_ATTRIBUTE.findall(cell.group(1)))
            reference = attributes.get(b"r")
            column = column_number(reference.rstrip(b"0123456789")) if reference else column + 1
            content = cell.group(2) or b""
            kind = attributes.get(b"t", b"n")
            style = int(attributes.get(b"s", 0))
            found = _VALUE.search(content)
            raw = found.group(1) if found else None
            value: Any = None
            number_format = None
            if kind == b"inlineStr":
                value = "".join(_unescape(t) for t in _TEXT.findall(content)) or None
            elif raw is None or raw == b"":
                if formula in content:
                    uncalculated.add((row_number, column))
            elif kind == b"s":
                value = shared[int(raw)]
            elif kind == b"str":
                value = _unescape(raw)
            elif kind == b"b":
                value = raw.strip() in (b"1", b"true")
            elif kind == b"e":
                value = CellError(raw.decode())
            elif kind == b"d":  # an ISO 8601 date, as some writers store dates
                value = _iso_date(raw.decode())
            else:
                text = raw.decode()
                try:
                    number = int(text) if text.lstrip("-").isdigit() else float(text)
                except ValueError:  # not a number after all: keep the text, which reads as no data
                    value = _unescape(raw)
                else:
                    number_format = formats[style] if style < len(formats) else None
                    value = from_excel(number, epoch) if style in dates else number
                    if value.__class__ is not int and value.__class__ is not float:
                        number_format = None
            if value is None and number_format is None:
                continue
            while len(row_values) < column:
                row_values.append(None)
                row_formats.append(None)
            row_values[column - 1] = value
            row_formats[column - 1] = number_format
    while values and not values[-1]:
        values.pop()
        number_formats.pop()
    merged = []
    for m in _MERGE.finditer(data, data.rfind(b"</" + (prefix_match.group(1) or b"" if prefix_match else b"") + b"sheetData>")):
        first_col, first_row = column_number(m.group(1)), int(m.group(2))
        last_col = column_number(m.group(3)) if m.group(3) else first_col
        merged.append((first_row, first_col, int(m.group(4)) if m.group(4) else first_row, last_col))
    return Grid(sheet=title, values=values, formats=number_formats, merged=merged, uncalculated=frozenset(uncalculated),
                hidden_rows=hidden_rows, tables=tables, formulas=formula_cells(data))


_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_CELL_REF = re.compile(r"^\$?([A-Z]+)\$?(\d+)$")
TABLE_REL = "/relationships/table"


def _sheet_extras(archive: zipfile.ZipFile, part: str, data: bytes) -> tuple[dict[int, str], list[TableArea]]:
    """What the sheet says beyond its cells: hidden rows and its Excel Tables.

    A row with hidden="1" is "hidden", or "grouped" when it also has an outlineLevel (folded into a
    collapsed group); a table part gives the table's range, and whether it shows a header and a
    totals row. A table part that cannot be read is left out (the cells are still read).
    """
    from .ooxml import PARSER
    from .package import _rels_name, _resolve

    hidden: dict[int, str] = {}
    for match in _ROW_TAG.finditer(data):
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        number = attributes.get(b"r")
        if number and number.isdigit() and attributes.get(b"hidden") in (b"1", b"true"):
            level = attributes.get(b"outlineLevel", b"0")
            hidden[int(number)] = "grouped" if level.isdigit() and int(level) > 0 else "hidden"
    tables: list[TableArea] = []
    if b"tablePart" not in data:
        return hidden, tables
    try:
        rels = etree.fromstring(archive.read(_rels_name(part)), PARSER)
    except (KeyError, etree.XMLSyntaxError):
        return hidden, tables
    for rel in rels:
        if not rel.get("Type", "").endswith(TABLE_REL) or rel.get("TargetMode") == "External":
            continue
        try:
            table = etree.fromstring(archive.read(_resolve(part, rel.get("Target", ""))), PARSER)
        except (KeyError, etree.XMLSyntaxError):
            continue
        first, _, last = (table.get("ref") or "").partition(":")
        start, end = _CELL_REF.match(first), _CELL_REF.match(last or first)
        if not (start and end):
            continue
        tables.append(TableArea(
            name=table.get("displayName") or table.get("name") or "",
            first_row=int(start.group(2)), first_column=column_number(start.group(1)),
            last_row=int(end.group(2)), last_column=column_number(end.group(1)),
            header_rows=0 if table.get("headerRowCount") == "0" else 1,
            totals_rows=1 if (table.get("totalsRowCount") or "0").strip() not in ("0", "") else 0,
        ))
    return hidden, tables


def formula_cells(data: bytes) -> frozenset[tuple[int, int]]:
    """(row, column) of every cell of a worksheet part holding a formula (an <f> element, shared or not)."""
    root = re.search(rb"<([A-Za-z_][\w.-]*:)?worksheet\b", data)
    prefix = re.escape(root.group(1) or b"") if root else b""
    start = data.find(b"sheetData")
    end = data.rfind(b"sheetData")
    has_formula = re.compile(rb"<" + prefix + rb"f[\s>/]")
    if start < 0 or not has_formula.search(data, start, end):
        return frozenset()
    rows = re.compile(rb"<" + prefix + rb"row\b([^>]*?)(?:/>|>(.*?)</" + prefix + rb"row>)", re.S)
    cells = re.compile(rb"<" + prefix + rb'c\b([^>]*?)(?:/>|>(.*?)</' + prefix + rb"c>)", re.S)
    found, row_number = set(), 0
    for row in rows.finditer(data, start, end):
        r = re.search(rb'\br="(\d+)"', row.group(1))
        row_number = int(r.group(1)) if r else row_number + 1
        column = 0
        for cell in cells.finditer(row.group(2) or b""):
            reference = re.search(rb'\br="([A-Z]+)\d+"', cell.group(1))
            column = column_number(reference.group(1)) if reference else column + 1
            if cell.group(2) and has_formula.search(cell.group(2)):
                found.add((row_number, column))
    return frozenset(found)
