"""The cell scan agrees with openpyxl's own read-only reader, value for value and format for format."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest
import xlsxwriter

from scorecard.workbook import reader as xlsx
from scorecard.core.table import CellError

from conftest import SAMPLE
from corpus import build, fixtures
from layouts import LAYOUTS, make


def openpyxl_grid(path, sheet):
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = book[sheet]
    ws.reset_dimensions()
    cells = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None and cell.value != "":
                fmt = cell.number_format if type(cell.value) in (int, float) else None
                value = CellError(cell.value) if cell.data_type == "e" else cell.value
                cells[(cell.row, cell.column)] = (value, fmt)
    book.close()
    return cells


def scanned(path, sheet):
    grid = xlsx.read_grid(path, sheet)
    return {(r + 1, c + 1): (v, grid.formats[r][c]) for r, row in enumerate(grid.values) for c, v in enumerate(row)
            if v is not None and v != ""}  # fmt: skip


def odd_cells(path):
    """Every cell type: shared and inline strings, entities, booleans, errors, dates, formulas, rich text."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Odd")
    bold = book.add_format({"bold": True})
    ws.write_string(0, 0, "A & B < C > \"D\" 'E'")
    ws.write_rich_string(0, 1, "plain ", bold, "bold", " end")
    ws.write_boolean(0, 2, True)
    ws.write_formula(0, 3, "=1/0", None, "#DIV/0!")
    ws.write_formula(0, 4, '="text"&"result"', None, "textresult")
    ws.write_formula(0, 5, "=2+2", None, 4)
    ws.write_datetime(1, 0, dt.datetime(2018, 6, 1), book.add_format({"num_format": "dd/mm/yyyy"}))
    ws.write_number(1, 1, 0.484, book.add_format({"num_format": "0.0%"}))
    ws.write_number(1, 2, -1.5e-7)
    ws.write_number(1, 3, 12345678901)
    ws.write_string(1, 4, "line one\nline two\ttab")
    ws.write_string(5, 9, "far away")
    book.close()
    return path


@pytest.mark.parametrize("which", ["sample", "odd", *[l.name for l in LAYOUTS], "everything", "everything-macros"])
def test_scan_matches_openpyxl(which, tmp_path):
    if which == "sample":
        path, sheet = tmp_path / "s.xlsx", "Scorecard"
        shutil.copyfile(SAMPLE, path)
    elif which == "odd":
        path, sheet = odd_cells(tmp_path / "odd.xlsx"), "Odd"
    elif which in {l.name for l in LAYOUTS}:
        layout = next(l for l in LAYOUTS if l.name == which)
        path, sheet = make(layout, tmp_path)[0], layout.sheet
    else:
        name, features, suffix = next(f for f in fixtures() if f[0] == which)
        path, sheet = build(tmp_path / f"{name}{suffix}", features), "Scorecard"
    assert scanned(path, sheet) == openpyxl_grid(path, sheet)


def test_iso_date_cells_as_openpyxl_writes_them(tmp_path):
    path = tmp_path / "iso.xlsx"
    book = openpyxl.Workbook(iso_dates=True)
    ws = book.active
    ws.title = "Iso"
    ws.append(["Ref", dt.datetime(2018, 5, 1), dt.datetime(2018, 6, 1)])
    ws.append(["K1", 0.5, 0.75])
    book.save(path)
    assert b't="d"' in __import__("zipfile").ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert scanned(path, "Iso") == openpyxl_grid(path, "Iso")
