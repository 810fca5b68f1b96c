"""Table shapes councils use: Excel Tables with a totals row, two-row merged headers, headers repeated
above stacked tables, hidden and grouped rows. First on plain grids, then end to end on generated files."""

from __future__ import annotations

import pytest

from scorecard.core.report import check_summary
from scorecard.core.rules import parse_rules
from scorecard.core.table import Grid, TableArea, read_table
from scorecard.errors import WorkbookError
from scorecard.refresh import evaluate_grid

RULES = """\
version: 1
title: Test
layout:
  columns: {id: Ref, name: Indicator, current: Jun-18, previous: May-18, target: Target, floor: Floor, polarity: Polarity}
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
    if variant == "ref-merged-down":  # Ref, Indicator, Polarity merged A3:A4..C3:C4; "Thresholds" over D:E; "2018/19" over F:G
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
    text = "version: 1\nlayout:\n  history: true\n  columns: {id: Ref, name: Indicator, target: Target, floor: Floor, polarity: Polarity}\n"
    grid = two_row_grid("ref-merged-down")
    table = read_table(grid, parse_rules(text, "r.yaml"))
    assert table.period.current == "June 2018" and table.period.previous == "May 2018"
    assert table.kpis[0].current == 86


def test_check_names_both_header_rows():
    result = evaluate_grid(two_row_grid("ref-merged-down"), rules())
    assert "headers in rows 3-4" in check_summary(result)[0]


def test_a_merged_header_over_kpi_rows_is_not_a_two_row_header():
    # "Indicator" merged B1:C1 over a single header row: row 2 is a KPI, not the header's lower row
    rows = [["Ref", "Indicator", None, "Polarity", "Target", "Floor", "May-18", "Jun-18"],
            ["K1", "One", "extra", "H", 85, 75, 80, 86]]
    table = read_table(Grid(sheet="S", values=rows, merged=[(1, 2, 1, 3)]), rules())
    assert (table.header_top, table.header_row) == (1, 1)
    assert ids(table) == [("K1", 2)]


def test_a_title_merged_over_the_table_is_not_a_group_label():
    rows = [["Scorecard June 2018"], HEADER, K["K1"]]
    table = read_table(Grid(sheet="S", values=rows, merged=[(1, 1, 1, 7)]), rules())
    assert (table.header_top, table.header_row) == (2, 2)


# --- stacked tables ---------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", [HEADER, ["REF ", "indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18"],
                                      ["Ref.", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18"]])
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
    assert any(f"row {repeat} is a repeat of the header row" in n for n in table.notes)


def test_a_repeated_header_with_columns_moved_is_refused():
    moved = ["Ref", "Indicator", "Polarity", "Floor", "Target", "May-18", "Jun-18"]
    rows = [HEADER, K["K1"], moved, K["K3"]]
    with pytest.raises(WorkbookError, match=r"row 3 has 'Target' in column E, not in column D"):
        read_table(Grid(sheet="S", values=rows), rules())


def test_added_columns_get_headers_in_repeated_header_rows_too():
    rows = [HEADER, K["K1"], HEADER, K["K3"]]
    result = evaluate_grid(Grid(sheet="S", values=rows), rules())
    assert sorted((w.row, w.column, w.text) for w in result.plan.headers) == [
        (1, 8, "RAG"), (1, 9, "DOT"), (3, 8, "RAG"), (3, 9, "DOT")]


# --- Excel Tables ------------------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["Total", "Totals", "K9", None])
def test_a_tables_totals_row_is_never_a_kpi(label):
    totals = [label, None, None, None, None, 184.0, 150.8]  # SUBTOTAL results: figures that must not be rated
    rows = [["Title"], HEADER, K["K1"], K["K2"], K["K3"], totals]
    grid = Grid(sheet="S", values=rows, tables=[TableArea("Scorecard", 2, 1, 6, 7, header_rows=1, totals_rows=1)])
    result = evaluate_grid(grid, rules())
    assert ids(result.table) == [("K1", 3), ("K2", 4), ("K3", 5)]
    assert 6 not in {w.row for w in (*result.plan.rag, *result.plan.direction)}
    assert (label is not None) == any("row 6 is the totals row of the Excel table 'Scorecard'" in n for n in result.table.notes)


def test_a_totals_row_does_not_decide_the_newest_month():
    text = "version: 1\nlayout:\n  history: true\n  columns: {id: Ref, target: Target, floor: Floor, polarity: Polarity}\n"
    header = ["Ref", "Polarity", "Target", "Floor", "Apr-18", "May-18", "Jun-18"]
    rows = [header, ["K1", "H", 85, 75, 80, 86, None], ["K2", "H", 85, 75, 81, 84, None], ["Total", None, None, None, 161, 170, 0]]
    grid = Grid(sheet="S", values=rows, tables=[TableArea("T", 1, 1, 4, 7, totals_rows=1)])
    assert read_table(grid, parse_rules(text, "r.yaml")).period.current == "May 2018"


def test_stacked_excel_tables():
    rows = [HEADER, K["K1"], K["K2"], ["Total", None, None, None, None, 97, 101.8], [],
            HEADER, K["K3"], K["K4"], ["Total", None, None, None, None, 77, 49]]
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
    lines = check_summary(result)
    assert lines[0].startswith(f"{len(expected)} KPIs")
    for row, how in hidden.items():
        kpi_id = by_row[row]
        word = "in a hidden row" if how == "hidden" else "in a collapsed group"
        said = [line for line in lines if f"'{kpi_id}'" in line and f"row {row}" in line and word in line]
        assert said, lines
        if setting == "skip":
            assert "skipped" in said[0] and said[0].startswith("note:")
        elif setting == "rate":
            assert "rated" in said[0] and said[0].startswith("note:")
        else:  # not chosen: rated, and a warning says so (refused by --strict)
            assert "rated" in said[0] and said[0].startswith("warning:")
    assert bool(result.table.warnings) == (setting is None)


def test_skipped_hidden_kpis_are_not_missing_from_the_rules():
    text = RULES + "kpis:\n  - {id: K2, polarity: lower}\n  - {id: K3, polarity: higher}\n"
    text = text.replace("layout:\n", "layout:\n  hidden_rows: skip\n")
    table = read_table(hidden_grid({3: "hidden"}), parse_rules(text, "r.yaml"))
    assert [k.id for k in table.kpis] == ["K1", "K3", "K4"]
    assert not any("'K2' is in the rules" in w for w in table.warnings)


def test_a_hidden_blank_or_heading_row_is_not_named():
    rows = [HEADER, K["K1"], ["Health"], [], K["K2"]]
    table = read_table(Grid(sheet="S", values=rows, hidden_rows={3: "hidden", 4: "grouped"}), rules("  hidden_rows: skip\n"))
    assert [k.id for k in table.kpis] == ["K1", "K2"] and not table.notes


def test_every_kpi_hidden_and_skipped_is_a_clear_error():
    grid = hidden_grid({2: "hidden", 3: "hidden", 4: "hidden", 5: "hidden"})
    with pytest.raises(WorkbookError, match="hidden KPI rows are skipped"):
        read_table(grid, rules("  hidden_rows: skip\n"))


def test_hidden_rows_setting_is_validated():
    from scorecard.errors import RulesError

    with pytest.raises(RulesError, match="hidden_rows"):
        rules("  hidden_rows: yes\n")
