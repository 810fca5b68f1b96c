"""Cells merged down over several KPI rows, as councils merge a shared target: each KPI's own, but a
merge never makes a heading row a KPI, and a merge across two fields' columns is named, not guessed."""

from __future__ import annotations

from scorecard.core.reading import Grid, read_table
from scorecard.core.rules import parse_rules

RULES = parse_rules(
    "version: 1\nlayout:\n  columns: {id: Ref, name: Indicator, polarity: Polarity, target: Target, "
    "floor: Floor, previous: May-18, current: Jun-18, rag: RAG, direction: DOT}\n",
    "r.yaml",
)
HEADER = ["Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18", "RAG", "DOT"]


def test_a_heading_row_inside_a_merged_target_is_not_a_kpi():
    rows = [
        HEADER,
        ["K1", "Visits", "Higher", 85, 75, 80, 86],
        ["K2", "Reviews", None, None, None, 80, 78],
        ["Adults", None, None, None, None, None, None],  # a section heading the merge runs past
        ["K3", "Checks", "H", 50, 40, 45, 55],
    ]
    t = read_table(Grid(sheet="S", values=rows, merged=[(2, 3, 4, 3), (2, 4, 4, 4), (2, 5, 4, 5)]), RULES)
    assert [(k.id, k.target, k.floor, k.polarity.value) for k in t.kpis] == [
        ("K1", 85, 75, "higher"),
        ("K2", 85, 75, "higher"),
        ("K3", 50, 40, "higher"),
    ]
    assert not any("Adults" in str(n) for n in t.notes) and t.warnings == []
    assert [(n.code, n.where.row) for n in t.notes if "target" in n.message] == [("SC406", 3)]


def test_a_merge_across_the_target_and_floor_columns_is_named_not_read_as_either():
    rows = [
        HEADER,
        ["K1", "Visits", "H", 85, None, 80, 86],
        ["K2", "Reviews", "H", None, None, 80, 78],
        ["K3", "Checks", "H", None, None, 45, 55],
    ]
    t = read_table(Grid(sheet="S", values=rows, merged=[(2, 4, 4, 5)]), RULES)
    assert [(k.target, k.floor) for k in t.kpis] == [(85, None), (None, None), (None, None)]
    (warning,) = t.warnings
    assert (warning.code, warning.where.cell) == ("SC401", "D2:E4") and "floor and target" in warning.message
