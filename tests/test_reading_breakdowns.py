"""One id with breakdowns: the same measure by area or age band, each row rated on its own."""

from __future__ import annotations

import pytest

from expect import codes
from scorecard.core.engine import evaluate
from scorecard.core.reading import Grid, read_table
from scorecard.core.reading.explain import explain_lines
from scorecard.core.rules import parse_rules
from scorecard.errors import WorkbookError

RULES = """version: 1
layout:
  columns: {{id: Ref, name: Measure, {breakdown}target: Target, floor: Floor, previous: Aug-24, current: Sep-24,
            rag: RAG}}
kpis:
  - {{id: AR01, polarity: higher}}
  - {{id: AR02, polarity: lower}}
"""
HEADER = ["Ref", "Measure", "Area", "Target", "Floor", "Aug-24", "Sep-24", "RAG"]
ROWS = [
    HEADER,
    ["AR01", "Reviews on time (%)", None, 85, 75, 80.2, 82.6],
    ["AR01", "Reviews on time (%)", "North", 85, 75, 86.0, 88.1],
    ["AR01", "Reviews on time (%)", "South", 85, 75, 77.5, 74.3],
    ["AR02", "Days to assessment", "All areas", 28, 35, 31.0, 29.5],
]


@pytest.mark.parametrize("named", [True, False])
def test_each_breakdown_is_read_and_rated_on_its_own(named):
    text = RULES.format(breakdown="breakdown: Area, " if named else "")
    table = read_table(Grid(sheet="S", values=ROWS), parse_rules(text, "r.yaml"))
    assert [(k.id, k.breakdown, k.current) for k in table.kpis] == [
        ("AR01", None, 82.6),
        ("AR01", "North", 88.1),
        ("AR01", "South", 74.3),
        ("AR02", None, 29.5),  # 'All areas' is the whole measure
    ]
    rated = evaluate(table.kpis, title="t", period=table.period).kpis
    assert [r.rag.value for r in rated] == ["Amber", "Green", "Red", "Amber"]
    assert ("SC509" in codes(table.notes)) is not named  # found without the rules, and said so
    assert any(
        line.strip().startswith("AR01 (North) (row 3):") for line in explain_lines(table, parse_rules(text, "r.yaml"))
    )


def test_without_a_column_telling_them_apart_a_repeated_id_is_refused_with_the_way_out():
    rows = [HEADER, ["AR01", "Reviews on time (%)", None, 85, 75, 80.2, 82.6], ["AR01", "Again", None, 85, 75, 1, 2]]
    with pytest.raises(WorkbookError, match=r"appears twice .* layout.columns.breakdown"):
        read_table(Grid(sheet="S", values=rows), parse_rules(RULES.format(breakdown=""), "r.yaml"))


def test_the_narrative_names_the_breakdown():
    from scorecard.core.narrative import write_narrative

    text = RULES.format(breakdown="breakdown: Area, ")
    table = read_table(Grid(sheet="S", values=ROWS), parse_rules(text, "r.yaml"))
    lines = "\n".join(write_narrative(evaluate(table.kpis, title="t", period=table.period)).lines())
    assert "Reviews on time (%) – South" in lines


# A long table, as HSE and ONS publish them: a row per year and industry, a column per measure.
LONG_RULES = """version: 1
layout:
  kpis_in: columns
  history: true
  columns: {{id: {{row: 3}}, breakdown: {breakdown}}}
"""
LONG = [
    ["Table 1: Fatal injuries by industry"],
    [],
    ["Year\n[Note 1]", "Industry\n [Note 6]", "Code [Note 4]", "Fatal injuries\n[Note 9]", "Rate per 100,000 [Note 7]"],
    ["2019/20", "All industries", "(g)", 149, 0.46],
    ["2019/20", "Construction [Note 8]", "(g)", 40, 1.7],
    ["2020/21r [Note 16] [Note 17]", "All industries", "(g)", 145, 0.44],
    ["2020/21r [Note 16] [Note 17]", "Construction [Note 8]", "(g)", 39, 1.8],
    ["2021/22p [Note 16] [Note 17]", "All industries", "(l)", 123, 0.38],
    ["2021/22p [Note 16] [Note 17]", "Construction [Note 8]", "(l)", 45, 2.1],
]


@pytest.mark.parametrize("breakdown", ["Industry", "{column: B}"])
def test_a_long_table_is_read_a_breakdown_at_a_time_with_the_sheets_own_cells(breakdown):
    rules = parse_rules(LONG_RULES.format(breakdown=breakdown), "r.yaml")
    table = read_table(Grid(sheet="Table 1", values=LONG), rules)
    assert (table.period.current, table.period.previous) == ("2021/22", "2020/21")  # past the notes and marks
    assert [(k.id, k.breakdown, k.current, k.previous) for k in table.kpis] == [
        ("Fatal injuries", "All industries", 123, 145),  # ids and breakdowns without their note marks
        ("Rate per 100,000", "All industries", 0.38, 0.44),
        ("Fatal injuries", "Construction", 45, 39),
        ("Rate per 100,000", "Construction", 2.1, 1.8),
    ]
    assert "SC510" in codes(table.findings) and not table.warnings  # the column of codes is no KPI, and no warning
    lines = explain_lines(table, rules)
    assert any(
        line.startswith("    Fatal injuries (Construction) (column D): current 45 (D9), previous 39 (D7)")
        for line in lines
    )
    assert any("'All industries' rows 4, 6, 8; 'Construction' rows 5, 7, 9" in line for line in lines)
    assert any("not KPIs: column C: text in every period, no figure" in line for line in lines)


def test_a_breakdown_without_the_period_the_others_are_rated_for_is_left_out_and_named():
    rows = [*LONG[:7], LONG[7]]  # Construction has no 2021/22 row
    table = read_table(Grid(sheet="Table 1", values=rows), parse_rules(LONG_RULES.format(breakdown="Industry"), "r"))
    assert {k.breakdown for k in table.kpis} == {"All industries"}
    [left_out] = [f for f in table.findings if f.code == "SC511"]
    assert left_out.is_warning and left_out.where.row == 5 and "2021/22 against 2020/21" in left_out.message
