"""Table shapes councils use: Excel Tables with a totals row, two-row merged headers, headers repeated
above stacked tables, hidden and grouped rows. First on plain grids, then end to end on generated files."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from lxml import etree
from openxml_audit import FileFormat, OpenXmlValidator

from clirun import run_cli
from conftest import sweep
from scorecard.core.reading import Grid, TableArea, read_table
from scorecard.core.rules import parse_rules
from scorecard.core.summary import check_summary
from scorecard.errors import WorkbookError
from scorecard.usecases import evaluate_grid
from scorecard.workbook.book import read_grid
from zipparts import rewrite

RULES = """\
version: 1
title: Test
layout:
  columns: {id: Ref, name: Indicator, current: Jun-18, previous: May-18, target: Target, floor: Floor, \
polarity: Polarity}
"""
HEADER = ["Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18"]
K = {  # id -> a KPI row; ratings worked out by hand: K1 86>=85 Green, K2 15.8<=15? no, <=18 Amber, K3 40<60 Red
    "K1": ["K1", "One", "H", 85, 75, 80, 86],
    "K2": ["K2", "Two", "L", 15, 18, 17, 15.8],
    "K3": ["K3", "Three", "H", 70, 60, 65, 40],
    "K4": ["K4", "Four", "L", 10, 20, 12, 9],
}
EXPECTED_RAG = {"K1": "Green", "K2": "Amber", "K3": "Red", "K4": "Green"}


def rules(extra: str = ""):
    text = RULES.replace("layout:\n", "layout:\n" + extra) if extra else RULES
    return parse_rules(text, "r.yaml")


def ids(table):
    return [(k.id, k.row) for k in table.kpis]


# --- two-row headers -----------------------------------------------------------------------------


def two_row_grid(variant: str) -> Grid:
    """Headers in rows 3-4 under a group label; KPIs from row 5. Columns as HEADER."""
    if (
        variant == "ref-merged-down"
    ):  # Ref, Indicator, Polarity merged A3:A4..C3:C4; "Thresholds" over D:E; "2018/19" over F:G
        top = ["Ref", "Indicator", "Polarity", "Thresholds", None, "2018/19", None]
        bottom = [None, None, None, "Target", "Floor", "May-18", "Jun-18"]
        merged = [(3, 1, 4, 1), (3, 2, 4, 2), (3, 3, 4, 3), (3, 4, 3, 5), (3, 6, 3, 7)]
    elif variant == "ref-below-group":  # the upper row holds only the group labels
        top = [None, None, None, "Thresholds", None, "2018/19", None]
        bottom = HEADER
        merged = [(3, 4, 3, 5), (3, 6, 3, 7)]
    elif variant == "ref-above-unmerged":  # Ref and Indicator in the upper row, nothing under them
        top = ["Ref", "Indicator", "Polarity", "Thresholds", None, "Monthly figures", None]
        bottom = [None, None, None, "Target", "Floor", "May-18", "Jun-18"]
        merged = [(3, 4, 3, 5), (3, 6, 3, 7)]
    else:
        raise AssertionError(variant)
    rows = [["Children's services scorecard"], [], top, bottom, K["K1"], K["K2"], K["K3"]]
    return Grid(sheet="S", values=rows, merged=[(1, 1, 1, 7), *merged])


@pytest.mark.parametrize("variant", ["ref-merged-down", "ref-below-group", "ref-above-unmerged"])
def test_two_row_merged_header(variant):
    table = read_table(two_row_grid(variant), rules())
    assert (table.header_top, table.header_row) == (3, 4)
    assert ids(table) == [("K1", 5), ("K2", 6), ("K3", 7)]
    assert table.columns["target"] == 4 and table.columns["floor"] == 5 and table.columns["current"] == 7
    assert table.period.current == "June 2018"
    assert table.added_columns == {"rag": 8, "direction": 9}
    assert not table.warnings


@pytest.mark.parametrize("variant", ["ref-merged-down", "ref-below-group", "ref-above-unmerged"])
@pytest.mark.parametrize("row", [3, 4])
def test_two_row_header_with_layout_header_row(variant, row):
    table = read_table(two_row_grid(variant), rules(f"  header_row: {row}\n"))
    assert (table.header_top, table.header_row) == (3, 4)
    assert [k.id for k in table.kpis] == ["K1", "K2", "K3"]


def test_two_row_header_in_history_layout():
    text = (
        "version: 1\nlayout:\n  history: true\n  columns: {id: Ref, name: Indicator, target: Target, floor: "
        "Floor, polarity: Polarity}\n"
    )
    grid = two_row_grid("ref-merged-down")
    table = read_table(grid, parse_rules(text, "r.yaml"))
    assert table.period.current == "June 2018" and table.period.previous == "May 2018"
    assert table.kpis[0].current == 86


@pytest.mark.parametrize("variant", ["ref-merged-down", "ref-above-unmerged", "ref-below-group"])
def test_two_row_header_without_merge_information(variant):
    # what an engine that cannot read merged cells sees (xlwings' remote engine): the same KPIs
    grid = two_row_grid(variant)
    grid.merged = []
    table = read_table(grid, rules())
    assert ids(table) == [("K1", 5), ("K2", 6), ("K3", 7)]
    assert table.columns["target"] == 4 and table.columns["current"] == 7
    # with the id header below the group labels, every header the rules name is in the lower row anyway
    assert table.header_top == (4 if variant == "ref-below-group" else 3)


def test_a_row_under_the_header_without_an_id_but_with_a_named_header_continues_it():
    rows = [
        ["Ref", "Indicator", "Polarity", None, None, None, None],
        [None, None, None, "Target", "Floor", "May-18", "Jun-18"],
        K["K1"],
    ]
    table = read_table(Grid(sheet="S", values=rows), rules())
    assert (table.header_top, table.header_row) == (1, 2) and ids(table) == [("K1", 3)]


def test_a_units_row_under_the_header_is_not_a_header():
    rows = [HEADER, [None, None, None, "%", "%", "%", "%"], K["K1"]]
    table = read_table(Grid(sheet="S", values=rows), rules())
    assert (table.header_top, table.header_row) == (1, 1) and ids(table) == [("K1", 3)]


def test_check_names_both_header_rows():
    result = evaluate_grid(two_row_grid("ref-merged-down"), rules())
    assert "headers in rows 3-4" in check_summary(result.table, result.scorecard)[0]


def test_a_merged_header_over_kpi_rows_is_not_a_two_row_header():
    # "Indicator" merged B1:C1 over a single header row: row 2 is a KPI, not the header's lower row
    rows = [
        ["Ref", "Indicator", None, "Polarity", "Target", "Floor", "May-18", "Jun-18"],
        ["K1", "One", "extra", "H", 85, 75, 80, 86],
    ]
    table = read_table(Grid(sheet="S", values=rows, merged=[(1, 2, 1, 3)]), rules())
    assert (table.header_top, table.header_row) == (1, 1)
    assert ids(table) == [("K1", 2)]


def test_a_title_merged_over_the_table_is_not_a_group_label():
    rows = [["Scorecard June 2018"], HEADER, K["K1"]]
    table = read_table(Grid(sheet="S", values=rows, merged=[(1, 1, 1, 7)]), rules())
    assert (table.header_top, table.header_row) == (2, 2)


# --- stacked tables ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        HEADER,
        ["REF ", "indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18"],
        ["Ref.", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18"],
    ],
)
@pytest.mark.parametrize("section", [None, "Section 2: Education", "Education"])
def test_a_repeated_header_is_a_header(spelling, section):
    rows = [HEADER, K["K1"], K["K2"], []]
    if section:
        rows.append([section])
    rows += [spelling, K["K3"], K["K4"]]
    table = read_table(Grid(sheet="S", values=rows), rules())
    repeat = 6 if section else 5
    assert ids(table) == [("K1", 2), ("K2", 3), ("K3", repeat + 1), ("K4", repeat + 2)]
    assert not table.warnings, table.warnings
    assert table.repeated_headers == [repeat]
    assert any(n.code == "SC501" and f"row {repeat} is a repeat of the header row" in n.message for n in table.notes)


@pytest.mark.parametrize("variant", ["ref-merged-down", "ref-above-unmerged"])
def test_a_repeated_two_row_header(variant):
    first = two_row_grid(variant)
    upper, lower = first.values[2], first.values[3]
    rows = [upper, lower, K["K1"], K["K2"], ["Section 2"], upper, lower, K["K3"]]

    def moved(area, rows):  # the first grid's header merges (rows 3-4), moved up or down
        return (area[0] + rows, area[1], area[2] + rows, area[3])

    merges = [moved(a, -2) for a in first.merged[1:]] + [moved(a, 3) for a in first.merged[1:]]
    table = read_table(Grid(sheet="S", values=rows, merged=merges), rules())
    assert ids(table) == [("K1", 3), ("K2", 4), ("K3", 8)]
    assert table.repeated_headers == [7] and not table.warnings


def test_a_repeated_header_with_columns_moved_is_refused():
    moved = ["Ref", "Indicator", "Polarity", "Floor", "Target", "May-18", "Jun-18"]
    rows = [HEADER, K["K1"], moved, K["K3"]]
    with pytest.raises(WorkbookError, match=r"row 3 has 'Target' in column E, not in column D"):
        read_table(Grid(sheet="S", values=rows), rules())


def test_added_columns_get_headers_in_repeated_header_rows_too():
    rows = [HEADER, K["K1"], HEADER, K["K3"]]
    result = evaluate_grid(Grid(sheet="S", values=rows), rules())
    assert sorted((w.row, w.column, w.text) for w in result.plan.headers) == [
        (1, 8, "RAG"),
        (1, 9, "DOT"),
        (3, 8, "RAG"),
        (3, 9, "DOT"),
    ]


# --- Excel Tables ------------------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["Total", "Totals", "K9", None])
def test_a_tables_totals_row_is_never_a_kpi(label):
    totals = [label, None, None, None, None, 184.0, 150.8]  # SUBTOTAL results: figures that must not be rated
    rows = [["Title"], HEADER, K["K1"], K["K2"], K["K3"], totals]
    grid = Grid(sheet="S", values=rows, tables=[TableArea("Scorecard", 2, 1, 6, 7, header_rows=1, totals_rows=1)])
    result = evaluate_grid(grid, rules())
    assert ids(result.table) == [("K1", 3), ("K2", 4), ("K3", 5)]
    assert 6 not in {w.row for w in (*result.plan.rag, *result.plan.direction)}
    assert (label is not None) == any(
        n.code == "SC501" and "row 6 is the totals row of the Excel table 'Scorecard'" in n.message
        for n in result.table.notes
    )


def test_a_totals_row_does_not_decide_the_newest_month():
    text = (
        "version: 1\nlayout:\n  history: true\n  columns: {id: Ref, target: Target, floor: Floor, polarity: Polarity}\n"
    )
    header = ["Ref", "Polarity", "Target", "Floor", "Apr-18", "May-18", "Jun-18"]
    rows = [
        header,
        ["K1", "H", 85, 75, 80, 86, None],
        ["K2", "H", 85, 75, 81, 84, None],
        ["Total", None, None, None, 161, 170, 0],
    ]
    grid = Grid(sheet="S", values=rows, tables=[TableArea("T", 1, 1, 4, 7, totals_rows=1)])
    assert read_table(grid, parse_rules(text, "r.yaml")).period.current == "May 2018"


def test_an_excel_tables_header_is_found_below_the_first_30_rows():
    rows = [["Notes"]] + [[f"line {i}"] for i in range(2, 41)] + [HEADER, K["K1"], K["K2"], ["Total"]]
    without = Grid(sheet="S", values=rows)
    with pytest.raises(WorkbookError, match="in the first 30 rows;"):
        read_table(without, rules())
    table = read_table(Grid(sheet="S", values=rows, tables=[TableArea("T", 41, 1, 44, 7, totals_rows=1)]), rules())
    assert table.header_row == 41 and ids(table) == [("K1", 42), ("K2", 43)]


def test_stacked_excel_tables():
    rows = [
        HEADER,
        K["K1"],
        K["K2"],
        ["Total", None, None, None, None, 97, 101.8],
        [],
        HEADER,
        K["K3"],
        K["K4"],
        ["Total", None, None, None, None, 77, 49],
    ]
    tables = [TableArea("Health", 1, 1, 4, 7, totals_rows=1), TableArea("Education", 6, 1, 9, 7, totals_rows=1)]
    table = read_table(Grid(sheet="S", values=rows, tables=tables), rules())
    assert ids(table) == [("K1", 2), ("K2", 3), ("K3", 7), ("K4", 8)]
    assert table.repeated_headers == [6]


# --- hidden and grouped rows ---------------------------------------------------------------------------


def hidden_grid(hidden: dict[int, str]) -> Grid:
    rows = [HEADER, K["K1"], K["K2"], K["K3"], K["K4"]]
    return Grid(sheet="S", values=rows, hidden_rows=hidden)


@pytest.mark.parametrize("hidden", [{3: "hidden"}, {4: "grouped", 5: "grouped"}, {2: "hidden", 4: "grouped"}])
@pytest.mark.parametrize("setting", [None, "rate", "skip"])
def test_hidden_kpi_rows_are_rated_or_skipped_and_always_named(hidden, setting):
    result = evaluate_grid(hidden_grid(hidden), rules(f"  hidden_rows: {setting}\n" if setting else ""))
    by_row = {2: "K1", 3: "K2", 4: "K3", 5: "K4"}
    expected = [by_row[r] for r in range(2, 6) if setting != "skip" or r not in hidden]
    assert [k.kpi.id for k in result.scorecard.kpis] == expected
    assert result.narrative.lines()  # the narrative is written from the same KPIs
    rags = [EXPECTED_RAG[i] for i in expected]
    assert sum(result.scorecard.counts.values()) == len(expected)
    assert result.scorecard.counts.get("Red", 0) == rags.count("Red")
    lines = check_summary(result.table, result.scorecard)
    assert lines[0].startswith(f"{len(expected)} KPIs")
    for row, how in hidden.items():
        kpi_id = by_row[row]
        word = "in a hidden row" if how == "hidden" else "in a collapsed group"
        said = [line for line in lines if f"'{kpi_id}'" in line and f"row {row}" in line and word in line]
        assert said, lines
        if setting == "skip":
            assert "skipped" in said[0] and said[0].startswith("note SC503")
        elif setting == "rate":
            assert "rated" in said[0] and said[0].startswith("note SC504")
        else:  # not chosen: rated, and a warning says so (refused by --strict)
            assert "rated" in said[0] and said[0].startswith("warning SC506")
    assert bool(result.table.warnings) == (setting is None)


def test_skipped_hidden_kpis_are_not_missing_from_the_rules():
    text = RULES + "kpis:\n  - {id: K2, polarity: lower}\n  - {id: K3, polarity: higher}\n"
    text = text.replace("layout:\n", "layout:\n  hidden_rows: skip\n")
    table = read_table(hidden_grid({3: "hidden"}), parse_rules(text, "r.yaml"))
    assert [k.id for k in table.kpis] == ["K1", "K3", "K4"]
    assert "SC507" not in [w.code for w in table.warnings]


def test_a_hidden_blank_or_heading_row_is_not_named():
    rows = [HEADER, K["K1"], ["Health"], [], K["K2"]]
    table = read_table(
        Grid(sheet="S", values=rows, hidden_rows={3: "hidden", 4: "grouped"}), rules("  hidden_rows: skip\n")
    )
    assert [k.id for k in table.kpis] == ["K1", "K2"]
    assert not [note for note in table.notes if "row" in note.message]  # nothing said of rows 3 and 4


def test_every_kpi_hidden_and_skipped_is_a_clear_error():
    grid = hidden_grid({2: "hidden", 3: "hidden", 4: "hidden", 5: "hidden"})
    with pytest.raises(WorkbookError, match="hidden KPI rows are skipped"):
        read_table(grid, rules("  hidden_rows: skip\n"))


def test_hidden_rows_setting_is_validated():
    from scorecard.errors import RulesError

    with pytest.raises(RulesError, match="hidden_rows"):
        rules("  hidden_rows: yes\n")


# === end to end, on generated workbooks =================================================================

VALIDATOR = OpenXmlValidator(file_format=FileFormat.MICROSOFT_365, max_errors=100)
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
FILE_RULES = RULES.replace("layout:\n", "layout:\n  sheet: Scorecard\n")


def write_rules(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(FILE_RULES.replace("layout:\n", "layout:\n" + extra) if extra else FILE_RULES)
    return path


def sheet_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def row_xml(data: bytes, row: int) -> bytes:
    match = re.search(rb'<row r="%d"[^>]*?(?:/>|>.*?</row>)' % row, data, re.S)
    assert match, row
    return match.group(0)


def cell_text(data: bytes, ref: str) -> str | None:
    match = re.search(rb'<c r="%s"[^>]*?(?:/>|>(.*?)</c>)' % ref.encode(), data, re.S)
    if not match or not match.group(1):
        return None
    text = re.search(rb"<t[^>]*>(.*?)</t>", match.group(1), re.S)
    return text.group(1).decode() if text else None


def table_parts(path: Path) -> list[etree._Element]:
    with zipfile.ZipFile(path) as archive:
        return [
            etree.fromstring(archive.read(n)) for n in sorted(archive.namelist()) if n.startswith("xl/tables/table")
        ]


def assert_table_valid(path: Path, table: etree._Element) -> None:
    """What Excel checks of a table and openxml-audit does not: the range, the filter, the column list
    and the header cells agree."""
    first, last = table.get("ref").split(":")
    first_col, first_row = re.match(r"([A-Z]+)(\d+)", first).groups()
    last_col, last_row = re.match(r"([A-Z]+)(\d+)", last).groups()
    letters = [chr(c) for c in range(ord(first_col), ord(last_col) + 1)]
    columns = table.findall("m:tableColumns/m:tableColumn", NS)
    assert table.find("m:tableColumns", NS).get("count") == str(len(columns)) == str(len(letters))
    assert len({c.get("id") for c in columns}) == len(columns)
    assert len({c.get("name").casefold() for c in columns}) == len(columns)
    totals = int(table.get("totalsRowCount", "0"))
    auto = table.find("m:autoFilter", NS)
    if auto is not None:
        assert auto.get("ref") == f"{first_col}{first_row}:{last_col}{int(last_row) - totals}"
    data = sheet_xml(path)
    for letter, column in zip(letters, columns, strict=True):
        text = cell_text(data, f"{letter}{first_row}")
        if text is None:  # a shared string: read the cell through the reader
            grid = read_grid(path, "Scorecard")
            text = grid.value(int(first_row), ord(letter) - 64)
        assert text == column.get("name"), (letter, text, column.get("name"))
    assert not [str(e) for e in VALIDATOR.validate(path).errors]


COLUMNS = ["Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18"]


def listobject_book(
    path: Path,
    kpis: list[str],
    *,
    title_rows: int,
    label: str | None,
    function: str,
    rag_in_table: bool = False,
    neighbour: int | None = None,
) -> tuple[int, int]:
    """An Excel Table of KPIs with a totals row. Returns (header row, totals row), 1-based."""
    book = xlsxwriter.Workbook(path, {"in_memory": True})
    sheet = book.add_worksheet("Scorecard")
    for r in range(title_rows):
        sheet.write(r, 0, f"Title line {r + 1}")
    header = title_rows  # 0-based
    names = COLUMNS + (["RAG", "DOT"] if rag_in_table else [])
    data = [K[k] + ([None, None] if rag_in_table else []) for k in kpis]
    columns = []
    for name in names:
        column = {"header": name}
        if name == "Ref" and label is not None:
            column["total_string"] = label
        elif name in ("May-18", "Jun-18"):
            column["total_function"] = function
        columns.append(column)
    last = header + len(kpis) + 1  # the totals row
    sheet.add_table(
        header, 0, last, len(names) - 1, {"name": "KpiTable", "data": data, "columns": columns, "total_row": True}
    )
    if neighbour is not None:  # another table just right of the KPI table, its header ``neighbour`` rows lower
        top = header + neighbour
        sheet.add_table(
            top,
            len(names),
            top + 2,
            len(names) + 1,
            {"name": "Notes", "columns": [{"header": "Note"}, {"header": "By"}]},
        )
    book.close()
    return header + 1, last + 1


@pytest.mark.parametrize("kpis", [["K1", "K2", "K3"], ["K4", "K3", "K2", "K1"]], ids=["three", "four"])
@pytest.mark.parametrize("title_rows", sweep([0, 2], fast={0}))
@pytest.mark.parametrize(
    "label,function", sweep([("Total", "sum"), (None, "average"), ("K9", "max")], fast={("Total", "sum")})
)
def test_listobject_with_totals_row_end_to_end(tmp_path, kpis, title_rows, label, function):
    book = tmp_path / "book.xlsx"
    header, totals = listobject_book(book, kpis, title_rows=title_rows, label=label, function=function)
    rules = write_rules(tmp_path)
    code, out, _ = run_cli("check", book, "--rules", rules)
    assert code == 0
    assert (
        f"{len(kpis)} KPIs on sheet 'Scorecard', rows {header + 1}-{header + len(kpis)}, headers in row {header}" in out
    )
    assert (f"row {totals} is the totals row of the Excel table 'KpiTable'" in out) == (label is not None)
    code, out, _ = run_cli("narrative", book, "--rules", rules, "--format", "json")
    data = json.loads(out)
    assert [(k["id"], k["row"], k["rag"]) for k in data["kpis"]] == [
        (k, header + 1 + i, EXPECTED_RAG[k]) for i, k in enumerate(kpis)
    ]
    assert sum(data["counts"].values()) == len(kpis)
    before = sheet_xml(book)
    out_path = tmp_path / "out.xlsx"
    code, out, err = run_cli("refresh", book, "--rules", rules, "--output", out_path, "--strict")
    assert code == 0, err
    after = sheet_xml(out_path)
    assert row_xml(after, totals) == row_xml(before, totals)  # the totals row, byte for byte
    [table] = table_parts(out_path)
    assert table.get("ref") == f"A{header}:I{totals}"  # widened to the two columns added
    assert [c.get("name") for c in table.findall("m:tableColumns/m:tableColumn", NS)][-2:] == ["RAG", "DOT"]
    assert_table_valid(out_path, table)
    grid = read_grid(out_path, "Scorecard")
    assert [grid.value(header + 1 + i, 8) for i in range(len(kpis))] == [EXPECTED_RAG[k] for k in kpis]
    assert grid.value(totals, 8) is None and grid.value(totals, 9) is None
    # a second refresh finds the columns in the table and changes neither the table nor the totals row
    again = tmp_path / "again.xlsx"
    code, _, err = run_cli("refresh", out_path, "--rules", rules, "--output", again)
    assert code == 0, err
    assert etree.tostring(table_parts(again)[0]) == etree.tostring(table)
    assert row_xml(sheet_xml(again), totals) == row_xml(before, totals)


def test_listobject_that_already_has_the_columns(tmp_path):
    book = tmp_path / "book.xlsx"
    header, totals = listobject_book(book, ["K1", "K3"], title_rows=1, label="Total", function="sum", rag_in_table=True)
    with zipfile.ZipFile(book) as archive:
        table_before = archive.read("xl/tables/table1.xml")
    before = sheet_xml(book)
    code, _, err = run_cli("refresh", book, "--rules", write_rules(tmp_path))
    assert code == 0, err
    with zipfile.ZipFile(book) as archive:
        assert archive.read("xl/tables/table1.xml") == table_before
    after = sheet_xml(book)
    assert row_xml(after, totals) == row_xml(before, totals)
    assert cell_text(after, f"H{header + 1}") == "Green" and cell_text(after, f"H{header + 2}") == "Red"
    assert_table_valid(book, table_parts(book)[0])


def test_a_table_where_the_ratings_would_go_is_refused(tmp_path):
    book = tmp_path / "book.xlsx"
    listobject_book(book, ["K1", "K2"], title_rows=0, label="Total", function="sum", neighbour=1)
    original = book.read_bytes()
    code, _, err = run_cli("refresh", book, "--rules", write_rules(tmp_path))
    assert code == 1
    assert "the Excel table 'Notes' (H2:I4) is where scorecard would write cell H2" in err
    assert "add the RAG and direction of travel columns" in err
    assert book.read_bytes() == original


def test_a_table_beside_the_header_moves_the_new_columns_past_it(tmp_path):
    # the header row runs on into another table (H1:I3): the columns go after it, in J and K, outside
    # both tables, which stay as they were
    book = tmp_path / "book.xlsx"
    listobject_book(book, ["K1", "K2"], title_rows=0, label="Total", function="sum", neighbour=0)
    before = {t.get("name"): etree.tostring(t) for t in table_parts(book)}
    code, _, err = run_cli("refresh", book, "--rules", write_rules(tmp_path))
    assert code == 0, err
    assert {t.get("name"): etree.tostring(t) for t in table_parts(book)} == before
    data = sheet_xml(book)
    assert (cell_text(data, "J1"), cell_text(data, "J2"), cell_text(data, "J3")) == ("RAG", "Green", "Amber")
    for table in table_parts(book):
        assert_table_valid(book, table)


def plain_book(path: Path, layout: list, *, merges=(), hidden: dict[int, str] | None = None) -> None:
    """Rows as given (lists; None for an empty cell) from row 1; merges 1-based (r1, c1, r2, c2);
    hidden: 1-based row -> "hidden" or "grouped" (a collapsed outline group, its summary row below)."""
    book = xlsxwriter.Workbook(path, {"in_memory": True})
    sheet = book.add_worksheet("Scorecard")
    merged_cells = set()
    for r1, c1, r2, c2 in merges:
        sheet.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, layout[r1 - 1][c1 - 1])
        merged_cells |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    for r, row in enumerate(layout, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None and (r, c) not in merged_cells:
                sheet.write(r - 1, c - 1, value)
    hidden = hidden or {}
    for row, how in hidden.items():
        options = {"hidden": True, "level": 1} if how == "grouped" else {"hidden": True}
        sheet.set_row(row - 1, None, None, options)
    for row, how in hidden.items():  # the summary row under a collapsed group carries collapsed="1"
        if how == "grouped" and hidden.get(row + 1) != "grouped":
            sheet.set_row(row, None, None, {"collapsed": True})
    book.close()


TWO_ROW = {  # upper header row, lower header row, merges (rows 3-4)
    "ref-merged-down": (
        ["Ref", "Indicator", "Polarity", "Thresholds", None, "2018/19", None],
        [None, None, None, "Target", "Floor", "May-18", "Jun-18"],
        [(3, 1, 4, 1), (3, 2, 4, 2), (3, 3, 4, 3), (3, 4, 3, 5), (3, 6, 3, 7)],
    ),
    "ref-below-group": ([None, None, None, "Thresholds", None, "2018/19", None], HEADER, [(3, 4, 3, 5), (3, 6, 3, 7)]),
    "ref-above-unmerged": (
        ["Ref", "Indicator", "Polarity", "Thresholds", None, "Monthly", None],
        [None, None, None, "Target", "Floor", "May-18", "Jun-18"],
        [(3, 4, 3, 5), (3, 6, 3, 7)],
    ),
}


@pytest.mark.parametrize("variant", sorted(TWO_ROW))
@pytest.mark.parametrize("header_row", sweep([None, 3, 4], fast={None}))
def test_two_row_header_end_to_end(tmp_path, variant, header_row):
    upper, lower, merges = TWO_ROW[variant]
    layout = [["Scorecard – June 2018", *[None] * 6], [], upper, lower, K["K1"], K["K2"], K["K3"]]
    book = tmp_path / "book.xlsx"
    plain_book(book, layout, merges=[(1, 1, 1, 7), *merges])
    rules = write_rules(tmp_path, f"  header_row: {header_row}\n" if header_row else "")
    code, out, _ = run_cli("check", book, "--rules", rules)
    assert code == 0
    assert "3 KPIs on sheet 'Scorecard', rows 5-7, headers in rows 3-4; June 2018 against May 2018" in out
    code, out, _ = run_cli("narrative", book, "--rules", rules, "--format", "json")
    assert [(k["id"], k["rag"]) for k in json.loads(out)["kpis"]] == [("K1", "Green"), ("K2", "Amber"), ("K3", "Red")]
    code, _, err = run_cli("refresh", book, "--rules", rules, "--strict")
    assert code == 0, err
    grid = read_grid(book, "Scorecard")
    assert (grid.value(4, 8), grid.value(4, 9)) == ("RAG", "DOT")  # the added headers beside the lower row's
    assert [grid.value(r, 8) for r in (5, 6, 7)] == ["Green", "Amber", "Red"]
    assert grid.value(3, 8) is None
    assert not [str(e) for e in VALIDATOR.validate(book).errors]


@pytest.mark.parametrize("section", [None, "Education", "merged"])
@pytest.mark.parametrize("repeat", ["same", "spelt"])
def test_stacked_tables_end_to_end(tmp_path, section, repeat):
    second = HEADER if repeat == "same" else ["REF", "Indicator", "polarity", "Target", "Floor", "May-18", "Jun-18"]
    layout = [HEADER, K["K1"], K["K2"], [None]]
    merges = []
    if section:
        layout.append(["Section 2: Education" if section == "merged" else section, *[None] * 6])
        if section == "merged":
            merges.append((5, 1, 5, 7))
    layout += [second, K["K3"], K["K4"]]
    repeat_row = len(layout) - 2
    book = tmp_path / "book.xlsx"
    plain_book(book, layout, merges=merges)
    rules = write_rules(tmp_path)
    code, out, _ = run_cli("check", book, "--rules", rules, "--strict")
    assert code == 0, out
    assert f"4 KPIs on sheet 'Scorecard', rows 2-{repeat_row + 2}" in out
    assert f"row {repeat_row} is a repeat of the header row" in out and "warning" not in out
    code, _, err = run_cli("refresh", book, "--rules", rules)
    assert code == 0, err
    grid = read_grid(book, "Scorecard")
    assert [grid.value(r, 8) for r in (1, 2, 3, repeat_row, repeat_row + 1, repeat_row + 2)] == [
        "RAG",
        "Green",
        "Amber",
        "RAG",
        "Red",
        "Green",
    ]
    assert grid.value(repeat_row, 1) == second[0]  # the repeated header itself untouched


HIDDEN_LAYOUT = [HEADER, K["K1"], K["K2"], K["K3"], K["K4"], ["Total KPIs", None, None, None, None, None, None]]


@pytest.mark.parametrize(
    "hidden",
    [{3: "hidden"}, {4: "grouped", 5: "grouped"}, {2: "hidden", 5: "grouped"}],
    ids=["one-hidden", "collapsed-group", "both"],
)
@pytest.mark.parametrize("setting", [None, "rate", "skip"])
def test_hidden_and_grouped_rows_end_to_end(tmp_path, hidden, setting):
    book = tmp_path / "book.xlsx"
    plain_book(book, HIDDEN_LAYOUT, hidden=hidden)
    assert read_grid(book, "Scorecard").hidden_rows == hidden  # what the file says, as the reader reads it
    rules = write_rules(tmp_path, f"  hidden_rows: {setting}\n" if setting else "")
    by_row = {2: "K1", 3: "K2", 4: "K3", 5: "K4"}
    rated = [by_row[r] for r in sorted(by_row) if setting != "skip" or r not in hidden]

    code, out, _ = run_cli("check", book, "--rules", rules)
    assert code == 0
    assert f"book.xlsx: {len(rated)} KPIs on sheet 'Scorecard'" in out
    for row, how in hidden.items():
        word = "in a hidden row" if how == "hidden" else "in a collapsed group"
        [line] = [
            text
            for text in out.splitlines()
            if f"KPI '{by_row[row]}'" in text and f"row {row}" in text and word in text
        ]
        assert ("skipped" if setting == "skip" else "rated") in line
        assert line.strip().startswith("warning SC506" if setting is None else "note SC50")
    code, _, _ = run_cli("check", book, "--rules", rules, "--strict")
    assert code == (1 if setting is None else 0)  # an unchosen treatment of hidden rows is a warning

    code, out, _ = run_cli("narrative", book, "--rules", rules, "--format", "json")
    data = json.loads(out)
    assert [k["id"] for k in data["kpis"]] == rated
    assert sum(data["counts"].values()) == len(rated)
    text = " ".join(data["narrative"]) if isinstance(data["narrative"], list) else str(data["narrative"])
    assert re.search(r"Of the (\d+) KPIs?", text).group(1) == str(len(rated))

    code, _, err = run_cli("refresh", book, "--rules", rules)
    assert code == 0, err
    grid = read_grid(book, "Scorecard")
    assert grid.hidden_rows == hidden  # refresh leaves the rows hidden
    for row, kpi_id in by_row.items():
        assert grid.value(row, 8) == (EXPECTED_RAG[kpi_id] if kpi_id in rated else None)


# --- the ribbon, on xlwings' remote engine ----------------------------------------------------------------


def test_ribbon_reads_excel_tables_and_says_hidden_rows_are_not_known(tmp_path):
    from remote import cells_of, replay, run_macro
    from scorecard.excel import ribbon as excel

    book = tmp_path / "book.xlsx"
    header, totals = listobject_book(book, ["K1", "K2", "K3"], title_rows=1, label="Total", function="sum")
    rules = write_rules(tmp_path)
    message, _ = run_macro(book, excel.check, rules=rules)
    assert f"3 KPIs on sheet 'Scorecard', rows {header + 1}-{header + 3}" in message
    assert f"row {totals} is the totals row of the Excel table 'KpiTable'" in message
    assert "hidden rows are not known on this engine; every KPI row is rated" in message
    message, actions = run_macro(book, excel.refresh, rules=rules)
    assert message is None
    replayed = replay(book, actions, tmp_path / "ribbon.xlsx")
    ribbon = cells_of(replayed)["Scorecard"]
    assert [ribbon[f"H{r}"][0] for r in range(header + 1, header + 4)] == ["Green", "Amber", "Red"]
    assert ribbon.get(f"H{totals}", (None,))[0] is None  # the totals row is not written
    batch = tmp_path / "batch.xlsx"
    from scorecard.core.rules import load_rules
    from scorecard.usecases import refresh_file

    refresh_file(book, load_rules(rules), output=batch)
    assert ribbon == cells_of(batch)["Scorecard"]
    resized = [a for a in actions if a["func"] == "resizeTable"]
    assert [a["args"] for a in resized] == [[0, f"$A${header}:$I${totals}"]]  # the table takes in RAG and DOT
    assert table_parts(batch)[0].get("ref") == f"A{header}:I{totals}"  # as the command line widens it


def test_ribbon_refuses_a_write_inside_another_table_before_writing(tmp_path):
    from remote import run_macro
    from scorecard.excel import ribbon as excel

    book = tmp_path / "book.xlsx"
    listobject_book(book, ["K1", "K2"], title_rows=0, label="Total", function="sum", neighbour=1)
    message, actions = run_macro(book, excel.refresh, rules=write_rules(tmp_path))
    assert "the Excel table 'Notes' (H2:I4) is where scorecard would write cell H2" in message
    assert [a["func"] for a in actions] == ["alert"]  # nothing written, only the message shown


def test_ribbon_warns_that_it_cannot_skip_hidden_rows(tmp_path):
    from remote import run_macro
    from scorecard.excel import ribbon as excel

    book = tmp_path / "book.xlsx"
    plain_book(book, HIDDEN_LAYOUT, hidden={3: "hidden"})
    message, _ = run_macro(book, excel.check, rules=write_rules(tmp_path, "  hidden_rows: skip\n"))
    assert "4 KPIs" in message  # rated, as the engine cannot see the row is hidden, and it says so
    assert "cannot tell which rows are hidden" in message and "skip is not applied" in message


class _ComSheet:
    """Enough of desktop Excel's COM sheet for _hidden_rows: visible areas and outline levels."""

    def __init__(self, hidden: dict[int, int], last_row: int):
        self.hidden, self.last_row, self.calls = hidden, last_row, 0
        sheet = self

        class Rows:
            def __init__(self, count):
                self.Count = count

        class Area:
            def __init__(self, first, last):
                self.Row, self.Rows = first, Rows(last - first + 1)

        class Used:
            def SpecialCells(self, kind):
                assert kind == 12
                runs, row = [], 1
                while row <= sheet.last_row:
                    if row in sheet.hidden:
                        row += 1
                        continue
                    start = row
                    while row <= sheet.last_row and row not in sheet.hidden:
                        row += 1
                    runs.append(Area(start, row - 1))
                return type("Visible", (), {"Areas": runs})()

        class Row:
            def __init__(self, number):
                sheet.calls += 1
                self.OutlineLevel = sheet.hidden.get(number, 1)

        self.api = type(
            "Api", (), {"Range": lambda _, a, b: Used(), "Cells": lambda _, r, c: (r, c), "Rows": lambda _, r: Row(r)}
        )()


def test_desktop_hidden_rows_from_visible_areas():
    from scorecard.excel.reader import hidden_rows

    sheet = _ComSheet({3: 1, 7: 2, 8: 2}, last_row=12)  # row 3 hidden; rows 7-8 in a collapsed group (level 2)
    assert hidden_rows(sheet, 12, 8) == {3: "hidden", 7: "grouped", 8: "grouped"}
    assert sheet.calls == 3  # one outline-level question per hidden row only
    assert hidden_rows(object(), 12, 8) is None  # no COM API: not known


@pytest.mark.parametrize("variant", sorted(TWO_ROW))
def test_ribbon_reads_a_two_row_header_as_the_command_line_does(tmp_path, variant):
    from remote import cells_of, replay, run_macro
    from scorecard.core.rules import load_rules
    from scorecard.excel import ribbon as excel
    from scorecard.usecases import refresh_file

    upper, lower, merges = TWO_ROW[variant]
    book = tmp_path / "book.xlsx"
    plain_book(
        book, [["Scorecard", *[None] * 6], [], upper, lower, K["K1"], K["K2"], K["K3"]], merges=[(1, 1, 1, 7), *merges]
    )
    rules = write_rules(tmp_path)
    batch = tmp_path / "batch.xlsx"
    refresh_file(book, load_rules(rules), output=batch)
    message, actions = run_macro(book, excel.refresh, rules=rules)
    assert message is None, message
    ribbon = cells_of(replay(book, actions, tmp_path / "ribbon.xlsx"))
    assert ribbon["Scorecard"] == cells_of(batch)["Scorecard"]


@pytest.mark.slow
def test_libreoffice_reads_the_widened_table(tmp_path):
    from test_libreoffice import convert

    book = tmp_path / "book.xlsx"
    header, totals = listobject_book(book, ["K1", "K2", "K3"], title_rows=1, label="Total", function="sum")
    code, _, err = run_cli("refresh", book, "--rules", write_rules(tmp_path))
    assert code == 0, err
    folder = tmp_path / "lo"
    folder.mkdir()
    resaved = convert(book, "xlsx:Calc MS Excel 2007 XML", folder)  # a second program reads and re-writes it
    [table] = table_parts(resaved)
    assert table.get("ref") == f"A{header}:I{totals}"
    assert [c.get("name") for c in table.findall("m:tableColumns/m:tableColumn", NS)][-3:] == ["Jun-18", "RAG", "DOT"]


def test_rows_in_an_expanded_group_are_visible_and_rated_without_a_word(tmp_path):
    book = xlsxwriter.Workbook(tmp_path / "book.xlsx", {"in_memory": True})
    sheet = book.add_worksheet("Scorecard")
    for r, row in enumerate(HIDDEN_LAYOUT):
        sheet.write_row(r, 0, row)
    sheet.set_row(2, None, None, {"level": 1})  # grouped, but the group is open
    sheet.set_row(3, None, None, {"level": 1})
    book.close()
    assert read_grid(tmp_path / "book.xlsx", "Scorecard").hidden_rows == {}
    code, out, _ = run_cli("check", tmp_path / "book.xlsx", "--rules", write_rules(tmp_path), "--strict")
    assert code == 0 and "4 KPIs" in out and "hidden" not in out


def test_a_query_table_holding_the_kpis_is_not_widened_but_refused(tmp_path):
    book = tmp_path / "book.xlsx"
    listobject_book(book, ["K1", "K2"], title_rows=0, label="Total", function="sum")
    patched = tmp_path / "patched.xlsx"
    query = {"xl/tables/table1.xml": lambda data: data.replace(b"<table ", b'<table tableType="queryTable" ', 1)}
    patched.write_bytes(rewrite(book, query))
    original = patched.read_bytes()
    code, _, err = run_cli("refresh", patched, "--rules", write_rules(tmp_path))
    assert code == 1
    assert "patched.xlsx" in err and "the Excel table 'KpiTable' (A1:G4) is a queryTable table" in err
    assert patched.read_bytes() == original
