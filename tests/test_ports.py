"""The contracts between the use cases and the adapters (``scorecard.core.ports``).

The file side (``WorkbookFile``) and the Excel side (``ExcelBook`` on desktop Excel, here the
stand-in of tests/desktop.py, and on xlwings' remote engine, tests/remote.py) are both a GridSource
and a PlanSink; what each can read is a named capability, decided by the engine before anything is
read, and a grid carries only what its source said it can read. (mypy checks the same conformance
statically: refresh_file and the ribbon pass them where the protocols are expected.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import xlwings as xw

import desktop
from layouts import FORMULAS, MACROS, MONTHLY, make
from remote import payload
from scorecard.core.plan import WritePlan
from scorecard.core.ports import GridSource, PlanSink
from scorecard.core.reading import Grid, figure_columns
from scorecard.core.rules import Rules, load_rules, parse_rules
from scorecard.errors import ScorecardError
from scorecard.excel.book import ExcelBook
from scorecard.excel.reader import Capabilities
from scorecard.usecases import refresh_book
from scorecard.workbook.book import WorkbookFile

LAYOUTS = {"monthly": MONTHLY, "formulas": FORMULAS, "macros": MACROS}


def _remote(book: Path, rules: Rules) -> ExcelBook:
    return ExcelBook(xw.Book(json=payload(book)), rules)


def _desktop(book: Path, rules: Rules) -> ExcelBook:
    return ExcelBook(desktop.App().books.open(str(book)), rules)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_file_and_both_excel_engines_are_grid_sources_and_plan_sinks(layout, tmp_path):
    book, rules_path = make(LAYOUTS[layout], tmp_path)
    rules = load_rules(rules_path)
    with WorkbookFile(book) as file:
        for side in (file, _remote(book, rules), _desktop(book, rules)):
            assert isinstance(side, GridSource) and isinstance(side, PlanSink), type(side).__name__


def test_a_value_only_object_is_not_a_grid_source():
    class ValuesOnly:  # a grid, but no capabilities said
        def grid(self, sheet: str | None) -> Grid:
            return Grid(sheet="S", values=[])

    assert not isinstance(ValuesOnly(), GridSource)
    assert not isinstance(ValuesOnly(), PlanSink)


def test_capabilities_are_decided_by_the_engine(tmp_path):
    book, rules_path = make(MONTHLY, tmp_path)
    rules = load_rules(rules_path)
    remote, desk = _remote(book, rules), _desktop(book, rules)
    assert remote.capabilities == Capabilities(
        "remote",
        can_read_number_formats=False,
        can_read_formulas=False,
        can_read_fonts=False,
        can_read_fills=False,
        can_read_conditional_formats=False,
        can_read_hidden_rows=False,
        can_read_tables=True,
        can_read_merged_cells=False,
    )
    assert desk.capabilities == Capabilities(
        "excel",
        can_read_number_formats=True,
        can_read_formulas=True,
        can_read_fonts=True,
        can_read_fills=True,
        can_read_conditional_formats=True,
        can_read_hidden_rows=sys.platform == "win32",
        can_read_tables=True,
        can_read_merged_cells=True,
    )
    assert (remote.can_read_number_formats, remote.can_read_formulas, remote.can_read_hidden_rows) == (
        False,
        False,
        False,
    )
    assert (desk.can_read_number_formats, desk.can_read_formulas) == (True, True)
    with WorkbookFile(book) as file:
        assert (
            file.can_read_number_formats,
            file.can_read_formulas,
            file.can_read_hidden_rows,
            file.can_read_merged_cells,
        ) == (True, True, True, True)


@pytest.mark.parametrize("engine", ["officejs", "calamine", "lite"])
def test_an_engine_other_than_desktop_excel_is_taken_to_send_values_only(engine):
    class Engine:
        name = engine

    class App:
        pass

    class Book:
        pass

    App.engine, Book.app = Engine(), App()  # type: ignore[attr-defined]
    can = Capabilities.of(Book())
    assert can.engine == engine
    assert not (
        can.can_read_number_formats
        or can.can_read_formulas
        or can.can_read_fonts
        or can.can_read_fills
        or can.can_read_conditional_formats
        or can.can_read_hidden_rows
    )


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_grid_carries_what_its_source_can_read_and_nothing_else(layout, tmp_path):
    book, rules_path = make(LAYOUTS[layout], tmp_path)
    rules = load_rules(rules_path)
    sheet = LAYOUTS[layout].sheet
    with WorkbookFile(book) as file:
        truth = file.grid(sheet)
    remote = _remote(book, rules).grid(sheet)
    assert remote.formats is None and remote.formulas == frozenset() and not remote.hidden_rows_known
    desk = _desktop(book, rules).grid(sheet)
    assert desk.formats is not None
    header_row, figures, columns = figure_columns(truth, rules)
    compared = 0
    for row in range(header_row + 1, truth.row_count + 1):
        for column in figures:
            if truth.value(row, column) is not None and isinstance(truth.value(row, column), (int, float)):
                assert desk.formats[row - 1][column - 1] == truth.formats[row - 1][column - 1], (row, column)
                compared += 1
    assert compared > 0
    rag = columns.get("rag")
    expected = {(r, c) for r, c in truth.formulas if c == rag and r > header_row}
    assert desk.formulas == expected
    if layout == "formulas":
        assert expected  # the layout's RAG column is formulas: the desktop side saw them


class RecordingSink:
    def __init__(self) -> None:
        self.plans: list[WritePlan] = []

    def apply(self, plan: WritePlan) -> None:
        self.plans.append(plan)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_refresh_use_case_writes_its_plan_to_whichever_sink(layout, tmp_path):
    book, rules_path = make(LAYOUTS[layout], tmp_path)
    before = book.read_bytes()
    sink = RecordingSink()
    with WorkbookFile(book) as file:
        result = refresh_book(file, sink, load_rules(rules_path))
    assert sink.plans == [result.plan]
    assert book.read_bytes() == before  # the file was only the source


RULES = """\
version: 1
title: Test
layout:
  columns: {id: Ref, name: Indicator, current: Jun-18, previous: May-18, target: Target, polarity: Polarity}
"""


class GridOnly:
    """A source of values only, as the remote engine is."""

    can_read_number_formats = can_read_formulas = can_read_hidden_rows = can_read_merged_cells = False

    def __init__(self, rows: list[list[object]]):
        self.rows = rows

    def grid(self, sheet: str | None) -> Grid:
        return Grid(sheet="Scorecard", values=self.rows, formats=None, hidden_rows_known=False)

    def sheet_names(self) -> list[str]:
        return ["Scorecard"]

    def peek(self, sheet: str, rows: int) -> Grid:
        return Grid(sheet="Scorecard", values=self.rows[:rows])

    def findings(self, plan: WritePlan) -> list[str]:
        return []


@pytest.mark.parametrize("bad", ["forty", "12..5"])
def test_strict_refuses_before_the_sink_is_called(bad):
    rows = [
        ["Ref", "Indicator", "Polarity", "Target", "May-18", "Jun-18"],
        ["K1", "Cases closed", "High", 50, 45, bad],
        ["K2", "Visits", "High", 10, 12, 11],
    ]
    source, sink = GridOnly(rows), RecordingSink()
    assert isinstance(source, GridSource)
    rules = parse_rules(RULES, "r.yaml")
    with pytest.raises(ScorecardError, match="not refreshed \\(--strict\\)"):
        refresh_book(source, sink, rules, strict=True)
    assert sink.plans == []
    result = refresh_book(source, sink, rules)
    assert result.table.warnings and sink.plans == [result.plan]


def test_a_target_merged_down_over_several_kpis_is_each_ones_target(tmp_path):
    """A target, floor and polarity merged down over three KPIs' rows (one value shown on each): the file
    and desktop Excel read it for every row and rate alike; the remote engine cannot see merges and says so."""
    import xlsxwriter

    book = tmp_path / "merged.xlsx"
    wb = xlsxwriter.Workbook(str(book), {"in_memory": True})
    ws = wb.add_worksheet("Scorecard")
    ws.write_row(0, 0, ["Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18", "RAG", "DOT"])
    ws.write_row(1, 0, ["K0", "Alone", "L", 10, 15, 12, 11])
    for i, (ref, may, jun) in enumerate([("K1", 80, 86), ("K2", 80, 78), ("K3", 70, 60)], start=2):
        ws.write_row(i, 0, [ref, f"Indicator {ref}"])
        ws.write_row(i, 5, [may, jun])
    ws.merge_range("C3:C5", "H")
    ws.merge_range("D3:D5", 85)
    ws.merge_range("E3:E5", 75)
    ws.write_row(5, 0, ["K4", "After", "H", 50, 40, 45, 55])
    wb.close()
    rules = parse_rules(
        "version: 1\nlayout:\n  columns: {id: Ref, name: Indicator, polarity: Polarity, target: Target, "
        "floor: Floor, previous: May-18, current: Jun-18, rag: RAG, direction: DOT}\n"
        "defaults: {decimals: 0}\n",
        "r.yaml",
    )
    from scorecard.usecases import evaluate_book

    expected = {
        "K0": "Amber",
        "K1": "Green",
        "K2": "Amber",
        "K3": "Red",
        "K4": "Green",
    }  # by hand: lower, 10<11<=15; 86>=85; 75<=78<85; 60<75; 55>=50
    with WorkbookFile(book) as file:
        batch = evaluate_book(file, rules)
    desk = evaluate_book(_desktop(book, rules), rules)
    for result in (batch, desk):
        assert {k.kpi.id: k.rag.value for k in result.scorecard.kpis} == expected
        assert [(k.kpi.target, k.kpi.floor) for k in result.scorecard.kpis if k.kpi.id in ("K2", "K3")] == [
            (85, 75)
        ] * 2
        assert any(f.code == "SC406" and "merged cells D3:D5" in f.message for f in result.table.notes)
    remote = evaluate_book(_remote(book, rules), rules)
    assert "SC903" in [f.code for f in remote.table.notes]
    assert remote.scorecard.kpis[2].kpi.target is None  # K2: the remote engine sees a blank
