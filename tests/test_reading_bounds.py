"""The table's bounds and header shapes real files use: what is under or beside a table is not read as KPIs.

Rows that sum up or compare (Max, Median, England), helper rows of index numbers, a second block of the same
ids, a table beside the KPI table; period labels in the row above the id header; a header written twice.
"""

from __future__ import annotations

import pytest

from expect import codes
from scorecard.core.reading import Grid, read_table
from scorecard.core.rules import parse_rules
from scorecard.errors import WorkbookError

RULES = """version: 1
layout:
  history: true
{layout}  columns: {{id: Ref, name: Indicator, target: Target, rag: RAG, direction: DOT}}
kpis:
  - {{id: K1, polarity: higher}}
  - {{id: K2, polarity: higher}}
"""
HEADER = ["Ref", "Indicator", "Target", "Apr-24", "May-24", "Jun-24", "RAG", "DOT"]
ROWS = [["K1", "Visits on time", 90, 85, 88, 91], ["K2", "Reviews held", 80, 70, 75, 79]]


def read(rows, layout=""):
    return read_table(Grid(sheet="S", values=rows), parse_rules(RULES.format(layout=layout), "r.yaml"))


@pytest.mark.parametrize("label", ["Max", "Median", "England", "England average", "Total", "Statistical neighbours"])
def test_a_row_summing_up_or_comparing_the_table_is_not_a_kpi(label):
    table = read([HEADER, *ROWS, [label, None, None, 85, 88, 91]])
    assert [k.id for k in table.kpis] == ["K1", "K2"]
    assert [(n.code, "summary row" in n.message) for n in table.notes if n.code == "SC501"] == [("SC501", True)]
    assert "SC505" not in codes(table.findings)  # not a KPI missing from the rules either


def test_a_summary_label_the_rules_list_as_a_kpi_is_a_kpi():
    text = RULES.format(layout="").replace("{id: K2, polarity: higher}", "{id: Total, polarity: higher}")
    table = read_table(
        Grid(sheet="S", values=[HEADER, ROWS[0], ["Total", "All visits", 90, 1, 2, 3]]), parse_rules(text, "r.yaml")
    )
    assert [k.id for k in table.kpis] == ["K1", "Total"]


def test_a_helper_row_of_index_numbers_is_not_a_kpi():
    table = read([HEADER, [1, 2, 3, 4, 5, 6, 7, 8], *ROWS])
    assert [k.id for k in table.kpis] == ["K1", "K2"]
    assert any("index numbers" in n.message for n in table.notes)


def test_a_second_block_of_the_same_ids_under_the_table_ends_it():
    """Targets laid out under the table for a chart, after a blank row and a title: not KPIs, no 'appears twice'."""
    rows = [
        HEADER,
        *ROWS,
        [],
        ["Targets for the chart"],
        ["K1", None, None, 90, 90, 90],
        ["K2", None, None, 80, 80, 80],
    ]
    table = read(rows)
    assert [(k.id, k.current) for k in table.kpis] == [("K1", 91), ("K2", 79)]
    assert sum("second block" in n.message for n in table.notes) == 3  # its title row too


def test_the_same_id_twice_without_a_break_is_still_refused():
    with pytest.raises(WorkbookError, match="appears twice"):
        read([HEADER, *ROWS, ["K1", "Visits again", 90, 1, 2, 3]])


def test_the_rules_bound_the_rows():
    rows = [HEADER, ["Note: provisional"], *ROWS, ["K9", "A working row", 1, 2, 3, 4]]
    table = read(rows, layout="  first_row: 3\n  last_row: 4\n")
    assert [k.id for k in table.kpis] == ["K1", "K2"]


def test_a_table_beside_the_kpi_table_is_not_read():
    """A second table to the right, after a blank column, repeating the id header: its years are not periods."""
    header = [*HEADER, None, "Ref", "2022/23", "2023/24"]
    rows = [header, [*ROWS[0], None, None, None, "K1", 80, 82], [*ROWS[1], None, None, None, "K2", 70, 71]]
    table = read(rows)
    assert table.period.current == "June 2024" and [k.current for k in table.kpis] == [91, 79]
    assert max(table.columns.values()) <= 8


def test_the_rules_bound_the_columns():
    header = [*HEADER, "Jul-24 (forecast draft)", "Aug-24"]
    rows = [header, [*ROWS[0], None, None, 95, 96], [*ROWS[1], None, None, 80, 81]]
    table = read(rows, layout="  last_column: H\n")
    assert table.period.current == "June 2024" and table.warnings == []


def test_period_labels_in_the_row_above_the_id_header():
    """Years over the columns, the id header ('Company') below them with nothing under the years."""
    rows = [
        [None, None, 2021, 2022, 2023],
        ["Company", "Measure", None, None, None],
        ["North Water", "Leaks per 1,000 km", 120, 110, 104],
        ["South Water", "Leaks per 1,000 km", 98, 101, 99],
    ]
    text = (
        "version: 1\nlayout:\n  history: true\n  add_missing_columns: true\n  columns: {id: Company, name: Measure}\n"
    )
    table = read_table(Grid(sheet="S", values=rows), parse_rules(text, "r.yaml"))
    assert (table.header_top, table.header_row) == (1, 2)
    assert (table.period.current, table.period.previous) == ("2023", "2022")
    assert [(k.id, k.current, k.previous) for k in table.kpis] == [("North Water", 104, 110), ("South Water", 99, 101)]


def test_a_header_written_twice_is_named_by_its_letter():
    header = ["Ref", "Indicator", "Target", "Target", "May-24", "Jun-24", "RAG", "DOT"]
    rows = [header, ["K1", "Visits", 85, 90, 88, 91], ["K2", "Reviews", 75, 80, 75, 79]]
    with pytest.raises(
        WorkbookError, match=r"two columns are headed 'Target' .* name it by its letter \(target: \{column: C\}\)"
    ):
        read(rows)
    text = RULES.format(layout="").replace("target: Target", "target: {column: D}")
    table = read_table(Grid(sheet="S", values=rows), parse_rules(text, "r.yaml"))
    assert [k.target for k in table.kpis] == [90, 80]


def test_a_letter_and_a_header_must_agree():
    text = RULES.format(layout="").replace("target: Target", "target: {column: D, header: Target}")
    with pytest.raises(
        WorkbookError, match=r"layout.columns.target names column D headed 'Target', but D1 reads 'Apr-24'"
    ):
        read_table(Grid(sheet="S", values=[HEADER, *ROWS]), parse_rules(text, "r.yaml"))
