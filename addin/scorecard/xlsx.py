"""Workbook files without Excel: the file adapter of the command line.

Reading uses openpyxl in read-only mode (cached formula results, number formats), plus a look at
the sheet's XML for what openpyxl's reader does not report (merged cells, formulas saved without
a result). Writing is ``writer.write_plan``: the package is edited in place, never re-saved
through openpyxl, which drops sparklines, x14 extensions, shapes and a ribbon's relationship.
"""

from __future__ import annotations

import re
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Any

from lxml import etree

from .errors import WorkbookError
from .package import OLE_MAGIC, Package, Workbook, check_file, open_zip
from .sheetxml import column_number
from .table import EXCEL_ERRORS, CellError, Grid
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
        if not book.sheetnames:
            raise WorkbookError("has no worksheets", file=path)
        if sheet is None:
            worksheet = book.worksheets[0]
        elif sheet in book.sheetnames:
            worksheet = book[sheet]
        else:
            by_case = {name.casefold(): name for name in book.sheetnames}
            if sheet.casefold() in by_case:
                worksheet = book[by_case[sheet.casefold()]]
            else:
                import difflib

                close = difflib.get_close_matches(sheet, book.sheetnames, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise WorkbookError(
                    f"no sheet named '{sheet}' (layout.sheet){hint}; sheets: {', '.join(book.sheetnames)}", file=path
                )
        if not hasattr(worksheet, "iter_rows") or worksheet.__class__.__name__ == "ReadOnlyChartsheet":
            raise WorkbookError(f"sheet '{worksheet.title}' is a chart sheet, not a worksheet", file=path)
        worksheet.reset_dimensions()
        return _grid_of(path, worksheet)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise WorkbookError(f"is damaged: {error}", file=path) from None
    finally:
        book.close()


def _grid_of(path: Path, worksheet: Any) -> Grid:
    """Values and number formats row by row from A1; rows absent from the file are empty.

    Formats matter only for numbers (a percentage format scales them), so only numbers' formats
    are looked up, once per cell style: this loop runs for every cell of the sheet.
    """
    values: list[list[Any]] = []
    formats: list[list[str | None]] = []
    by_style: dict[int, str] = {}
    last_row = 0
    for row in worksheet.iter_rows():
        if not row:
            values.append([])
            formats.append([])
            continue
        r = row[0].row if hasattr(row[0], "row") else len(values) + 1
        while len(values) < r - 1:
            values.append([])
            formats.append([])
        row_values, row_formats = [], []
        for cell in row:
            value = cell.value
            kind = value.__class__
            if kind is float or kind is int:
                style = getattr(cell, "_style_id", None)
                number_format = by_style.get(style)
                if number_format is None:
                    number_format = by_style[style] = cell.number_format
                row_formats.append(number_format)
            else:
                if kind is str and (cell.data_type == "e" or value in EXCEL_ERRORS):
                    value = CellError(value)
                row_formats.append(None)
            row_values.append(value)
        values.append(row_values)
        formats.append(row_formats)
        last_row = r
    del values[last_row:], formats[last_row:]
    merged, uncalculated = _sheet_facts(path, worksheet.title)
    return Grid(sheet=worksheet.title, values=values, formats=formats, merged=merged, uncalculated=uncalculated)


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_UNCALCULATED = re.compile(
    rb'<(?:\w+:)?c\b[^>]*\br="([A-Z]+)(\d+)"[^>]*>\s*<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>)'
    rb'\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>'
)


def _sheet_facts(path: Path, sheet: str) -> tuple[list[tuple[int, int, int, int]], frozenset[tuple[int, int]]]:
    """What openpyxl's read-only reader does not tell: merged cells, and formulas saved without a result."""
    with zipfile.ZipFile(path) as archive:
        package = Package(path, archive)
        part = Workbook(package).sheet_part(sheet)
        data = archive.read(part) if part else b""
    merged = []
    for m in _MERGE.finditer(data):
        first_col, first_row = column_number(m.group(1).decode()), int(m.group(2))
        last_col = column_number(m.group(3).decode()) if m.group(3) else first_col
        last_row = int(m.group(4)) if m.group(4) else first_row
        merged.append((first_row, first_col, last_row, last_col))
    uncalculated = frozenset((int(m.group(2)), column_number(m.group(1).decode())) for m in _UNCALCULATED.finditer(data))
    return merged, uncalculated



