"""The reader agrees with openpyxl, value for value and format for format, on many generated workbooks,
and reads the same workbook spelled other legal ways (quotes, prefixes, whitespace, references, CDATA,
comments, a LibreOffice save) as it reads the original; a refresh of each spelling writes the same."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest
import xlsxwriter

from clirun import run_cli
from conftest import SAMPLE, sweep
from corpus import build, fixtures
from layouts import LAYOUTS, make
from scorecard.core.reading import CellError, TableArea
from scorecard.errors import WorkbookError
from scorecard.workbook import book as xlsx
from zipparts import rewrite

# openpyxl, the oracle, warns of the out-of-range date serials the varied workbooks hold on purpose
pytestmark = pytest.mark.filterwarnings("ignore:Cell .* is marked as a date:UserWarning")


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
    return {
        (r + 1, c + 1): (v, grid.formats[r][c])
        for r, row in enumerate(grid.values)
        for c, v in enumerate(row)
        if v is not None and v != ""
    }


def odd_cells(path):
    """Every cell type: shared and inline strings, entities, booleans, errors, dates, formulas, rich text."""
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
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


@pytest.mark.parametrize(
    "which", ["sample", "odd", *[layout.name for layout in LAYOUTS], "everything", "everything-macros"]
)
def test_scan_matches_openpyxl(which, tmp_path):
    if which == "sample":
        path, sheet = tmp_path / "s.xlsx", "Scorecard"
        shutil.copyfile(SAMPLE, path)
    elif which == "odd":
        path, sheet = odd_cells(tmp_path / "odd.xlsx"), "Odd"
    elif which in {layout.name for layout in LAYOUTS}:
        layout = next(entry for entry in LAYOUTS if entry.name == which)
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


# --- the reader against openpyxl, on many generated workbooks ----------------------------------------

import random  # noqa: E402
import re  # noqa: E402
import zipfile  # noqa: E402

from scorecard.workbook.book import open_workbook  # noqa: E402
from spellings import SPELLINGS, respell  # noqa: E402

FORMATS = [
    "0",
    "0.0",
    "0.00%",
    "0.0%",
    "#,##0",
    "£#,##0.00",
    "dd/mm/yyyy",
    "mmm-yy",
    "d mmmm yyyy",
    "[h]:mm:ss",
    "hh:mm",
    "0.0E+00",
    "@",
    '"£"#,##0;[Red]-"£"#,##0',
    "General",
]
WORDS = [
    "Ref",
    "Indicator",
    "A & B",
    "<tag>",
    '"quoted"',
    "it's",
    "  spaced  ",
    "line\nbreak",
    "tab\there",
    "£ € ✓",
    "=not a formula",
]


def varied_book(path, seed: int):
    """A workbook of random cells of every kind XlsxWriter writes, with merged areas, hidden and grouped
    rows, a formula of every result type, an Excel Table; sometimes inline strings, sometimes 1904 dates."""
    rng = random.Random(seed)
    options = {"constant_memory": seed % 3 == 1, "date_1904": seed % 4 == 2}
    book = xlsxwriter.Workbook(str(path), options)
    formats = [book.add_format({"num_format": f}) for f in FORMATS]
    bold = book.add_format({"bold": True})
    ws = book.add_worksheet("Data")
    rows, columns = rng.randint(8, 30), rng.randint(4, 12)
    for r in range(rows):
        if rng.random() < 0.15:
            ws.set_row(r, None, None, {"hidden": True})
        for c in range(columns):
            kind = rng.random()
            fmt = rng.choice(formats) if rng.random() < 0.6 else None
            if kind < 0.25:
                ws.write_number(
                    r,
                    c,
                    rng.choice([rng.randint(-1000, 1000), rng.random(), rng.uniform(-1e6, 1e6), 1e-7, 12345678901]),
                    fmt,
                )
            elif kind < 0.45:
                ws.write_string(r, c, rng.choice(WORDS) + str(rng.randint(0, 9)), fmt)
            elif kind < 0.5:
                ws.write_datetime(
                    r, c, dt.datetime(rng.randint(1905, 2030), rng.randint(1, 12), rng.randint(1, 28)), formats[6]
                )
            elif kind < 0.55:
                ws.write_boolean(r, c, rng.random() < 0.5)
            elif kind < 0.62:
                ws.write_formula(
                    r,
                    c,
                    rng.choice(["=1/0", "=NA()", "=A1*2", '="a"&"b"', "=TRUE()"]),
                    fmt,
                    rng.choice(["#DIV/0!", "#N/A", 42, "ab", True, 0.5]),
                )
            elif kind < 0.66 and not options["constant_memory"]:
                ws.write_rich_string(r, c, "plain ", bold, "bold", " tail")
            elif kind < 0.7:
                ws.write_blank(r, c, None, fmt or formats[0])
    if not options["constant_memory"]:  # these need the whole sheet in memory
        ws.merge_range(rows + 1, 0, rows + 2, 2, "merged", bold)
        ws.add_table(
            rows + 4,
            1,
            rows + 8,
            3,
            {
                "name": f"Table{seed}",
                "total_row": seed % 2 == 0,
                "columns": [{"header": "K"}, {"header": "V"}, {"header": "W"}],
            },
        )
        ws.write_array_formula(rows + 10, 0, rows + 10, 0, "{=SUM(B1:B3*C1:C3)}", None, 7)
    for level, r in ((1, rows + 12), (1, rows + 13), (2, rows + 14)):
        ws.set_row(r, None, None, {"level": level, "hidden": seed % 2 == 0})
        ws.write_number(r, 0, r)
    ws.set_row(rows + 15, None, None, {"collapsed": seed % 2 == 0})
    book.close()
    return path


def openpyxl_everything(path, sheet):
    """What openpyxl's full (not read-only) reader finds beyond values: merged areas, formula cells,
    hidden rows (with their outline level) and Excel Tables."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    merged = sorted((m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges)
    formulas = {(c.row, c.column) for row in ws.iter_rows() for c in row if c.data_type == "f"}
    hidden = {r: "grouped" if d.outline_level else "hidden" for r, d in ws.row_dimensions.items() if d.hidden}
    tables = []
    for table in ws.tables.values():
        first, last = table.ref.split(":")
        (r1, c1), (r2, c2) = (
            openpyxl.utils.cell.coordinate_to_tuple(first),
            openpyxl.utils.cell.coordinate_to_tuple(last),
        )
        tables.append(
            (
                table.displayName,
                r1,
                c1,
                r2,
                c2,
                1 if table.headerRowCount is None else table.headerRowCount,
                table.totalsRowCount or 0,
            )
        )
    return {"merged": merged, "formulas": formulas, "hidden": hidden, "tables": sorted(tables)}


def everything(grid):
    return {
        "merged": sorted(grid.merged),
        "formulas": set(grid.formulas),
        "hidden": dict(grid.hidden_rows),
        "tables": sorted(
            (t.name, t.first_row, t.first_column, t.last_row, t.last_column, t.header_rows, t.totals_rows)
            for t in grid.tables
        ),
    }


def whole(grid):
    """Every field of a grid, rows and cells trimmed the same way, to compare two readings."""
    values = {
        (r + 1, c + 1): (v, grid.formats[r][c])
        for r, row in enumerate(grid.values)
        for c, v in enumerate(row)
        if v is not None
    }
    return {"sheet": grid.sheet, "cells": values, "uncalculated": set(grid.uncalculated), **everything(grid)}


@pytest.mark.parametrize("seed", sweep(range(12), fast={0, 1}))
def test_reader_matches_openpyxl_on_varied_workbooks(seed, tmp_path):
    path = varied_book(tmp_path / f"varied{seed}.xlsx", seed)
    assert scanned(path, "Data") == openpyxl_grid(path, "Data")
    grid = xlsx.read_grid(path, "Data")
    assert everything(grid) == openpyxl_everything(path, "Data")
    assert grid.uncalculated == frozenset()  # XlsxWriter saves every formula with a result


@pytest.mark.parametrize("seed", range(4))
def test_reader_matches_openpyxl_on_workbooks_openpyxl_wrote(seed, tmp_path):
    rng = random.Random(seed)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Data"
    for r in range(1, 15):
        for c in range(1, 8):
            choice = rng.random()
            cell = ws.cell(r, c)
            if choice < 0.3:
                cell.value = rng.choice([rng.randint(-50, 50), rng.random() * 100])
                cell.number_format = rng.choice(FORMATS[:6])
            elif choice < 0.5:
                cell.value = rng.choice(WORDS)
            elif choice < 0.6:
                cell.value = dt.datetime(2018, rng.randint(1, 12), 1)
            elif choice < 0.7:
                cell.value = f"=A{r}+1"
    ws.merge_cells("J2:K3")
    ws.row_dimensions[4].hidden = True
    ws.row_dimensions[5].outline_level, ws.row_dimensions[5].hidden = 1, True
    path = tmp_path / "openpyxl.xlsx"
    book.save(path)
    assert scanned(path, "Data") == openpyxl_grid(path, "Data")
    grid = xlsx.read_grid(path, "Data")
    assert everything(grid) == openpyxl_everything(path, "Data")
    assert grid.uncalculated == grid.formulas  # openpyxl saves formulas without results
    assert grid.hidden_rows == {4: "hidden", 5: "grouped"}


def test_hidden_rows_grouped_rows_and_tables_by_hand(tmp_path):
    path = tmp_path / "shapes.xlsx"
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    ws = book.add_worksheet("Shapes")
    for r in range(12):
        ws.write_row(r, 0, [f"r{r + 1}", r, r * 2])
    ws.set_row(1, None, None, {"hidden": True})  # row 2: hidden by hand
    ws.set_row(3, None, None, {"level": 1, "hidden": True})  # rows 4-5: a collapsed group
    ws.set_row(4, None, None, {"level": 1, "hidden": True})
    ws.set_row(5, None, None, {"collapsed": True})
    ws.set_row(6, None, None, {"level": 1})  # row 7: grouped but open: not hidden
    ws.add_table("E2:G6", {"name": "Plain", "columns": [{"header": h} for h in "ABC"]})
    ws.add_table("E9:F12", {"name": "WithTotals", "total_row": True, "columns": [{"header": "X"}, {"header": "Y"}]})
    ws.add_table("I2:I4", {"name": "Headless", "header_row": False})
    book.close()
    grid = xlsx.read_grid(path, "Shapes")
    assert grid.hidden_rows == {2: "hidden", 4: "grouped", 5: "grouped"}
    assert sorted(grid.tables, key=lambda t: t.name) == [
        TableArea("Headless", 2, 9, 4, 9, header_rows=0, totals_rows=0),
        TableArea("Plain", 2, 5, 6, 7, header_rows=1, totals_rows=0),
        TableArea("WithTotals", 9, 5, 12, 6, header_rows=1, totals_rows=1),
    ]
    assert grid.tables[0].totals_row is None and next(t for t in grid.tables if t.name == "WithTotals").totals_row == 12


def test_shared_formulas_arrays_and_uncalculated_cells(tmp_path):
    path = tmp_path / "plain.xlsx"
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    ws = book.add_worksheet("F")
    for r in range(4):
        ws.write_row(r, 0, [r + 1, 10])
    book.close()
    # C1:C4 a shared formula (C1 the master, C2:C4 its children), D1 an array formula, E1 a formula
    # without its result, F1 a text formula whose result is the empty string
    cells = (
        b'<c r="C1"><f t="shared" ref="C1:C4" si="0">A1+B1</f><v>11</v></c><c r="D1"><f t="array" '
        b'ref="D1">SUM(A1:A4)</f>'
        b'<v>10</v></c><c r="E1"><f>A1*2</f></c><c r="F1" t="str"><f>""</f><v></v></c>'
    )

    def sheet(data):
        data = data.replace(b"</c></row>", b"</c>" + cells + b"</row>", 1)
        for r in (2, 3, 4):
            data = data.replace(
                b'<c r="B%d"><v>10</v></c>' % r,
                b'<c r="B%d"><v>10</v></c><c r="C%d"><f t="shared" si="0"/><v>%d</v></c>' % (r, r, r + 10),
            )
        return data

    changed = tmp_path / "formulas.xlsx"
    changed.write_bytes(rewrite(path, {"xl/worksheets/sheet1.xml": sheet}))
    grid = xlsx.read_grid(changed, "F")
    assert grid.formulas == {(1, 3), (2, 3), (3, 3), (4, 3), (1, 4), (1, 5), (1, 6)}
    assert grid.uncalculated == {(1, 5)}
    assert [grid.value(r, 3) for r in (1, 2, 3, 4)] == [11, 12, 13, 14]
    assert grid.value(1, 6) == ""


def test_escaped_characters_in_text_are_read_as_excel_shows_them(tmp_path):
    path = tmp_path / "plain.xlsx"
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    ws = book.add_worksheet("X")
    ws.write_string(0, 0, "one")
    ws.write_string(0, 1, "two")
    book.close()

    def strings(data):
        return data.replace(b"<t>one</t>", b"<t>a_x000D_b_x000a_c_x0009_</t>").replace(
            b"<t>two</t>", b'<t xml:space="preserve">_x005F_x000D_ is text; _x00e9_t_x00E9_ _xD800_ _x12_</t>'
        )

    def sheet(data):
        return data.replace(
            b"</row>",
            b'<c r="C1" t="inlineStr"><is><r><t>rich_x0020_</t></r><r><t>run</t></r>'
            b'<rPh sb="0" eb="1"><t>phonetic</t></rPh></is></c></row>',
            1,
        )

    changed = tmp_path / "escaped.xlsx"
    changed.write_bytes(rewrite(path, {"xl/sharedStrings.xml": strings, "xl/worksheets/sheet1.xml": sheet}))
    grid = xlsx.read_grid(changed, "X")
    assert grid.value(1, 1) == "a\rb\nc\t"
    assert grid.value(1, 2) == "_x000D_ is text; été _xD800_ _x12_"  # a lone surrogate is no character: kept as written
    assert grid.value(1, 3) == "rich run"  # runs joined, the phonetic guide left out


def test_text_is_escaped_as_excel_escapes_it():
    from scorecard.workbook.strings import escape_text, unescape_text

    assert escape_text("a\rb\x01c\nd\te") == "a_x000D_b_x0001_c\nd\te"
    assert escape_text("_x000D_ and _x00e9_") == "_x005F_x000D_ and _x005F_x00e9_"
    assert escape_text("_x12_ _xZZZZ_ plain") == "_x12_ _xZZZZ_ plain"
    for text in ["a\rb", "_x000D_", "_x005F_x000D_", "\x00\x1f", "plain", "x_x0041_y\r"]:
        assert unescape_text(escape_text(text)) == text


def test_a_refresh_writes_escaped_text_and_reads_it_back(tmp_path):
    from conftest import write_book

    rows = [
        ["Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18"],
        ["K1", "Cases_x0041_ closed\r", "H", 85, 75, 80, 90],
    ]
    book = write_book(tmp_path / "book.xlsx", rows)
    (tmp_path / "rules.yaml").write_text(
        "version: 1\nlayout:\n  columns: {id: Ref, name: Indicator, polarity: Polarity, "
        "target: Target, floor: Floor, current: Jun-18, previous: May-18}\n"
    )
    assert xlsx.read_grid(book, "Scorecard").value(2, 2) == "Cases_x0041_ closed\r"
    assert run_cli("refresh", book, "--rules", tmp_path / "rules.yaml").returncode == 0
    with open_workbook(book) as opened:
        narrative = opened.grid("Narrative")
    texts = [v for row in narrative.values for v in row if isinstance(v, str)]
    assert any("Cases_x0041_ closed" in t for t in texts), texts
    with zipfile.ZipFile(book) as archive:
        names = {n for n in archive.namelist() if n.startswith("xl/worksheets/")}
        data = b"".join(archive.read(n) for n in names)
    assert b"Cases_x005F_x0041_ closed" in data


# --- the same workbook, spelled other legal ways -----------------------------------------------------


def _original(which, tmp_path):
    if which == "sample":
        shutil.copyfile(SAMPLE, tmp_path / "original.xlsx")
        return tmp_path / "original.xlsx", "Scorecard"
    if which == "odd":
        return odd_cells(tmp_path / "original.xlsx"), "Odd"
    return varied_book(tmp_path / "original.xlsx", int(which[len("varied") :])), "Data"


@pytest.mark.parametrize("which", ["sample", "odd", "varied0", "varied1", "varied2"])
@pytest.mark.parametrize("spelling", sweep(SPELLINGS, fast={"everything"}))
def test_every_spelling_reads_the_same(which, spelling, tmp_path):
    original, sheet = _original(which, tmp_path)
    variant = respell(original, tmp_path / "variant.xlsx", SPELLINGS[spelling])
    sheet_part = next(n for n in zipfile.ZipFile(original).namelist() if n.startswith("xl/worksheets/sheet"))
    assert zipfile.ZipFile(variant).read(sheet_part) != zipfile.ZipFile(original).read(sheet_part)
    assert whole(xlsx.read_grid(variant, sheet)) == whole(xlsx.read_grid(original, sheet))


def _refresh(path, rules):
    from scorecard.core.rules import load_rules
    from scorecard.usecases import refresh_file

    return refresh_file(path, load_rules(rules))


@pytest.mark.parametrize("spelling", sweep(SPELLINGS, fast={"everything"}))
def test_every_spelling_refreshes_the_same_and_keeps_what_it_does_not_write(spelling, tmp_path):
    from lxml import etree

    from conftest import SAMPLE_RULES

    original = tmp_path / "original.xlsx"
    shutil.copyfile(SAMPLE, original)
    variant = respell(original, tmp_path / "variant.xlsx", SPELLINGS[spelling])
    before = {n: zipfile.ZipFile(variant).read(n) for n in zipfile.ZipFile(variant).namelist()}
    expected = _refresh(original, SAMPLE_RULES)
    result = _refresh(variant, SAMPLE_RULES)
    assert result.plan == expected.plan
    for name in ("Scorecard", "Narrative"):
        assert whole(xlsx.read_grid(variant, name)) == whole(xlsx.read_grid(original, name))
    after = {n: zipfile.ZipFile(variant).read(n) for n in zipfile.ZipFile(variant).namelist()}
    changed = {n for n in before if after[n] != before[n]}
    assert changed <= {
        "xl/worksheets/sheet1.xml",
        "xl/styles.xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
    }
    # inside the scorecard sheet, rows the plan does not write keep their bytes, in the variant's spelling
    written = {w.row for w in (*result.plan.rag, *result.plan.direction, *result.plan.headers)}
    new_sheet = after["xl/worksheets/sheet1.xml"]
    old_root = etree.fromstring(before["xl/worksheets/sheet1.xml"])
    for row in old_root.iter("{*}row"):
        if int(row.get("r")) not in written:
            text = etree.tostring(row, with_tail=False)
            assert (
                etree.tostring(
                    etree.fromstring(new_sheet).xpath(f"//*[local-name()='row'][@r='{row.get('r')}']")[0],
                    with_tail=False,
                )
                == text
            )
    head = before["xl/worksheets/sheet1.xml"].split(b"sheetData")[0]
    assert new_sheet.startswith(head[: head.rfind(b"<")])  # what comes before the cells is untouched
    etree.fromstring(new_sheet)  # well formed
    # refreshing again finds the styles the first refresh added, however the styles part is spelt
    _refresh(variant, SAMPLE_RULES)
    again = {n: zipfile.ZipFile(variant).read(n) for n in zipfile.ZipFile(variant).namelist()}
    assert [n for n in after if again[n] != after[n]] == []


@pytest.mark.slow
def test_a_workbook_libreoffice_saved_reads_as_openpyxl_reads_it_and_refreshes(tmp_path):
    from conftest import SAMPLE_RULES
    from test_libreoffice import convert

    out = tmp_path / "lo"
    out.mkdir()
    shutil.copyfile(SAMPLE, tmp_path / "sample.xlsx")
    saved = convert(tmp_path / "sample.xlsx", "xlsx:Calc MS Excel 2007 XML", out)
    assert zipfile.ZipFile(saved).read("xl/workbook.xml") != zipfile.ZipFile(SAMPLE).read("xl/workbook.xml")
    assert scanned(saved, "Scorecard") == openpyxl_grid(saved, "Scorecard")
    ours, theirs = xlsx.read_grid(saved, "Scorecard"), xlsx.read_grid(SAMPLE, "Scorecard")
    assert {k: v[0] for k, v in whole(ours)["cells"].items()} == {k: v[0] for k, v in whole(theirs)["cells"].items()}
    assert sorted(ours.merged) == sorted(theirs.merged)
    expected = _refresh(tmp_path / "sample.xlsx", SAMPLE_RULES)
    assert _refresh(saved, SAMPLE_RULES).plan == expected.plan
    assert xlsx.read_grid(saved, "Narrative").values == xlsx.read_grid(tmp_path / "sample.xlsx", "Narrative").values


def test_a_shared_string_index_beyond_the_table_is_reported_as_damage(tmp_path):
    path = odd_cells(tmp_path / "odd.xlsx")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(
        rewrite(
            path,
            {
                "xl/worksheets/sheet1.xml": lambda d: d.replace(
                    b'<c r="A1" t="s"><v>0</v>', b'<c r="A1" t="s"><v>999</v>'
                )
            },
        )
    )
    with pytest.raises(WorkbookError, match="cell A1 refers to shared string 999"):
        xlsx.read_grid(broken, "Odd")


def test_a_sheet_without_its_part_is_reported_as_damage(tmp_path):
    path = odd_cells(tmp_path / "odd.xlsx")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(
        rewrite(path, {"xl/_rels/workbook.xml.rels": lambda d: re.sub(rb'<Relationship Id="rId1"[^>]*/>', b"", d)})
    )
    with pytest.raises(WorkbookError, match="lists sheet 'Odd' but not the part that holds it"):
        xlsx.read_grid(broken, "Odd")


@pytest.mark.parametrize("spelling", sweep(SPELLINGS, fast={"everything"}))
def test_every_spelling_gains_rag_and_direction_columns_the_same(spelling, tmp_path):
    """Columns a refresh creates (header cells, widths in <cols>, cells in rows that did not reach them)
    are written in the variant's own prefix and read back as in the original."""
    from lxml import etree

    from conftest import write_book
    from scorecard.core.rules import parse_rules
    from scorecard.usecases import refresh_file

    rows = [
        ["Ref", "Polarity", "Target", "Floor", "May-18", "Jun-18"],
        ["K1", "H", 85, 75, 80, 90],
        ["K2", "L", 10, 12, 11, 13],
    ]
    original = write_book(tmp_path / "original.xlsx", rows)
    variant = respell(original, tmp_path / "variant.xlsx", SPELLINGS[spelling])
    rules = parse_rules(
        "version: 1\nlayout:\n  columns: {id: Ref, current: Jun-18, previous: May-18, polarity: Polarity, "
        "target: Target, floor: Floor}\n"
    )
    assert refresh_file(variant, rules).plan == refresh_file(original, rules).plan
    grid = xlsx.read_grid(variant, "Scorecard")
    assert whole(grid) == whole(xlsx.read_grid(original, "Scorecard"))
    assert [grid.value(r, c) for r in (1, 2, 3) for c in (7, 8)] == [
        "RAG",
        "DOT",
        "Green",
        "↑ improved",
        "Red",
        "↓ declined",
    ]
    sheet = etree.fromstring(zipfile.ZipFile(variant).read("xl/worksheets/sheet1.xml"))
    widths = {(c.get("min"), c.get("width")) for c in sheet.iter("{*}col")}
    assert {("7", "12"), ("8", "12")} <= widths
    if spelling in ("x-prefix", "everything"):  # new elements carry the sheet's own prefix, no new declaration
        data = zipfile.ZipFile(variant).read("xl/worksheets/sheet1.xml")
        assert b"<x:col " in data and b'<x:c r="G2"' in data and len(re.findall(rb"xmlns:x\s*=", data)) == 1


def test_the_splice_finds_what_it_edits_in_any_spelling():
    from scorecard.workbook.sheetxml import SheetSplice

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    data = (
        f"<?xml version='1.0'?><!-- <worksheet> --><s:worksheet xmlns:s='{main}' xmlns:r = \"r-ns\">"
        "<s:dimension ref = 'A1:C2' /><s:cols><s:col min='1' max='1' width='9' style='4'/></s:cols>"
        "<s:sheetData><s:row r='1' spans='1:3'><s:c r='A1' s='2' t='inlineStr'><s:is><s:t>a &gt; b</s:t></s:is></s:c>"
        "<s:c foo='x r=\"Z9\" s=\"5\"' r='C1'><s:v>1</s:v></s:c></s:row>"
        "<s:row r='2'/></s:sheetData>"
        "<s:conditionalFormatting sqref = 'G5:G9'><s:cfRule type='cellIs' priority='1'/></s:conditionalFormatting>"
        "</s:worksheet>"
    ).encode()
    splice = SheetSplice(data)
    assert splice.dimension() == "A1:C2"
    assert splice.tail_mentions(b'sqref="G5:G9"') and not splice.tail_mentions(b'sqref="G5:G8"')
    row = splice.row(1)
    assert (row.style(1), row.style(2), row.style(3)) == (2, None, 0)  # C1's r inside foo's value is not its reference
    assert splice.implicit_style(2, 1) == 4  # the column's style
    row.set(2, "x < y", 7)
    splice.row(2).set(1, "new", 3)
    splice.set_dimension("A1:D2")
    out = splice.render()
    assert b'<s:c r="B1" s="7" t="inlineStr"><s:is><s:t>x &lt; y</s:t></s:is></s:c><s:c foo=' in out
    assert b'<s:row r=\'2\'><s:c r="A2" s="3" t="inlineStr">' in out
    assert b"<s:dimension ref = 'A1:D2' />" in out and b"spans='1:3'" in out
    assert out.replace(b"A1:D2", b"A1:C2").startswith(data[: data.index(b"<s:sheetData>")])


@pytest.mark.parametrize("prefix", ["", "x:", "ns.a-1:"])
@pytest.mark.parametrize("end", ["</{p}row>", "</{p}row \n\t>"])
def test_the_splice_finds_rows_by_their_end_tags_in_any_spelling(prefix, end):
    """Rows found the fast way (a part with no comments, CDATA or processing instructions) are the
    rows the full pattern finds: self-closing ones, rows without a number, an element whose name
    starts with "row" inside a row, ">" in attribute values."""
    from scorecard.workbook.sheetxml import SheetSplice

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    xmlns = f"xmlns:{prefix[:-1]}" if prefix else "xmlns"
    p, close = prefix, end.format(p=prefix)
    rows = [
        f"<{p}row r='2' spans='1:3'><{p}c r='A2' t='inlineStr'><{p}is><{p}t>a &gt; b</{p}t></{p}is></{p}c>{close}",
        f"<{p}row r = \"4\" x='>'/>",
        f"<{p}row><{p}c r='B5' s='3'><{p}v>1</{p}v></{p}c><{p}extLst><{p}rowx a='1'></{p}rowx></{p}extLst>{close}",
        f"<{p}row\nr='7'>{close}",
        f"<{p}row r='9'><{p}c r='A9' s='4'/>{close}",
    ]
    data = (
        f"<{p}worksheet {xmlns}='{main}'><{p}sheetData>" + "\n".join(rows) + f"</{p}sheetData></{p}worksheet>"
    ).encode()
    splice = SheetSplice(data)
    assert splice.patterns.prefix == prefix.encode() and not splice.patterns.exact  # the fast way
    spans = splice._index()
    assert sorted(spans) == [2, 4, 5, 7, 9]  # the row without r follows row 4
    assert [data[a:b].decode() for a, b in spans.values()] == rows
    assert splice.row(5).style(2) == 3 and splice.row(9).style(1) == 4
    full = [(m.start(), m.end()) for m in splice.patterns.rows.finditer(data) if m.lastindex is not None]
    assert full == list(spans.values())


@pytest.mark.parametrize(
    "row, writes, expected",
    [
        # replaced, inserted before, between and after the cells there; two inserted side by side
        (
            "<row r='3' spans='2:3'><c r='B3'><v>1</v></c><c r='C3' s='1'/></row>",
            {1: "a", 3: "c", 4: "d", 5: "e"},
            "<row r='3' spans='2:5'>[A3:a]<c r='B3'><v>1</v></c>[C3:c][D3:d][E3:e]</row>",
        ),
        ("<row r='3'><c r='D3'/></row>", {2: "b", 3: "c", 4: "d"}, "<row r='3'>[B3:b][C3:c][D3:d]</row>"),
        ("<row r='3' spans='1:9' />", {2: "b", 1: "a"}, "<row r='3' spans='1:9' >[A3:a][B3:b]</row>"),
        # cells out of column order (Excel never writes them): the row is still written as a whole
        ("<row r='3'><c r='C3'/><c r='A3'/></row>", {2: "b"}, "<row r='3'>[B3:b]<c r='C3'/><c r='A3'/></row>"),
    ],
)
def test_the_splice_writes_cells_into_the_rows_between_others(row, writes, expected):
    from scorecard.workbook.sheetxml import SheetSplice

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    head = f"<worksheet xmlns='{main}'><sheetData><row r='1'><c r='A1'/></row>"
    tail = "<row r='4'><c r='A4'/></row></sheetData></worksheet>"
    splice = SheetSplice((head + row + tail).encode())
    for column, text in writes.items():
        splice.row(3).set(column, text, 0)
    splice.finish(3)
    out = splice.render().decode()

    def cell(match: re.Match) -> str:
        return f'<c r="{match.group(1)}" s="0" t="inlineStr"><is><t>{match.group(2)}</t></is></c>'

    assert out == head + re.sub(r"\[(\w+):(\w+)\]", cell, expected) + tail


def test_hidden_columns_are_read_from_the_column_runs_within_the_sheets_width(tmp_path):
    """Excel writes hidden columns as <col min max hidden="1"> runs, often to XFD ("hide every column after"):
    the grid knows the hidden columns among its own, and a run's length costs nothing."""
    path = tmp_path / "cols.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Data")
    ws.write_row(0, 0, ["Ref", "Jul-24", "Aug-24", "Sep-24", "Oct-24"])
    ws.write_row(1, 0, ["K1", 1, 2, 3, 4])
    ws.set_column(4, 4, None, None, {"hidden": True})  # E, October
    book.close()
    assert xlsx.read_grid(path, "Data").hidden_columns == frozenset({5})

    def runs(xml: bytes) -> bytes:
        cols = b'<cols><col min="2" max="2" width="0" hidden="1"/><col min="4" max="16384" hidden="1"/>' + (
            b'<col min="1" max="16384" hidden="1"/>' * 2000  # overlapping runs, as a hostile file may hold
        )
        return (
            xml.replace(b"<cols>", cols, 1)
            if b"<cols>" in xml
            else xml.replace(b"<sheetData", cols + b"</cols><sheetData", 1)
        )

    path.write_bytes(rewrite(path, {"xl/worksheets/sheet1.xml": runs}))
    assert xlsx.read_grid(path, "Data").hidden_columns == frozenset({1, 2, 3, 4, 5})
