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
