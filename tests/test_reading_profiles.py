"""Targets that change by period (a profile): each period rated against its own period's target.

Laid out as councils lay them out: a target column for each period ("Jun-24 Target", a bare "Target" after
each period, "Target" under a period label), or a Target row under each KPI's row of figures. Expected
ratings are worked by hand in the comments.
"""

from __future__ import annotations

import pytest

from expect import codes
from scorecard.core.engine import evaluate
from scorecard.core.model import Direction, Rag
from scorecard.core.reading import Grid, read_table
from scorecard.core.rules import parse_rules

RULES = """version: 1
layout:
  history: true
  columns: {{id: Ref, name: Measure, rag: RAG, direction: DOT{extra_columns}}}
{layout}kpis:
  - {{id: R1, polarity: higher}}
  - {{id: R2, polarity: lower}}
"""


def read(rows, *, layout="", extra_columns="", merged=()):
    rules = parse_rules(RULES.format(layout=layout, extra_columns=extra_columns), "r.yaml")
    table = read_table(Grid(sheet="S", values=rows, merged=list(merged)), rules)
    card = evaluate(table.kpis, title="t", period=table.period)
    return table, {k.kpi.id: k for k in card.kpis}


# R1 (higher): May 96 against May's profile 95 is Green; June 97 against June's 98 is Red (no floor).
# Rated against June's profile, May would have been Red too, and no change reported: the old fault.
# R2 (lower): May 12 against 10 is Red; June 9 against 11 is Green: a true change, Red to Green.
PERIOD_COLUMNS = {
    "period and target in one header": [
        ["Ref", "Measure", "May-24", "May-24 Target", "Jun-24", "Jun-24 Target", "RAG", "DOT"],
        ["R1", "Rent collected %", 96, 95, 97, 98],
        ["R2", "Days to re-let", 12, 10, 9, 11],
    ],
    "target first": [
        ["Ref", "Measure", "May-24", "Target May-24", "Jun-24", "Target Jun-24", "RAG", "DOT"],
        ["R1", "Rent collected %", 96, 95, 97, 98],
        ["R2", "Days to re-let", 12, 10, 9, 11],
    ],
    "a bare Target after each period": [
        ["Ref", "Measure", "May-24", "Target", "Jun-24", "Target", "RAG", "DOT"],
        ["R1", "Rent collected %", 96, 95, 97, 98],
        ["R2", "Days to re-let", 12, 10, 9, 11],
    ],
    "a bare Profile after each period": [
        ["Ref", "Measure", "May-24", "Profile", "Jun-24", "Profile", "RAG", "DOT"],
        ["R1", "Rent collected %", 96, 95, 97, 98],
        ["R2", "Days to re-let", 12, 10, 9, 11],
    ],
}


@pytest.mark.parametrize("layout", PERIOD_COLUMNS)
def test_a_target_column_for_each_period(layout):
    table, rated = read(PERIOD_COLUMNS[layout])
    r1, r2 = table.kpis
    assert (r1.target, r1.previous_target, r2.target, r2.previous_target) == (98, 95, 11, 10)
    assert (rated["R1"].previous_rag, rated["R1"].rag) == (Rag.GREEN, Rag.RED)
    assert (rated["R2"].previous_rag, rated["R2"].rag) == (Rag.RED, Rag.GREEN)
    assert [k.kpi.id for k in evaluate(table.kpis, title="t", period=table.period).changes] == ["R1", "R2"]
    assert "SC408" in codes(table.notes) and table.warnings == []


def test_the_rules_may_name_the_repeated_target_header():
    table, rated = read(PERIOD_COLUMNS["a bare Target after each period"], extra_columns=", target: Target")
    assert (table.kpis[0].target, table.kpis[0].previous_target) == (98, 95)


def test_targets_under_a_period_label_in_a_two_row_header():
    rows = [
        ["Ref", "Measure", "May-24", None, "Jun-24", None, "RAG", "DOT"],
        [None, None, "Actual", "Target", "Actual", "Target", None, None],
        ["R1", "Rent collected %", 96, 95, 97, 98],
        ["R2", "Days to re-let", 12, 10, 9, 11],
    ]
    table, rated = read(rows, merged=[(1, 3, 1, 4), (1, 5, 1, 6)])
    assert table.header_top == 1 and table.header_row == 2
    assert (table.period.current, table.period.previous) == ("June 2024", "May 2024")
    assert [(k.current, k.previous, k.target, k.previous_target) for k in table.kpis] == [
        (97, 96, 98, 95),
        (9, 12, 11, 10),
    ]


def test_one_target_column_after_the_periods_is_the_kpis_one_target():
    rows = [
        ["Ref", "Measure", "May-24", "Jun-24", "Target", "RAG", "DOT"],
        ["R1", "Rent collected %", 96, 97, 98],
        ["R2", "Days to re-let", 12, 9, 11],
    ]
    table, rated = read(rows, extra_columns=", target: Target")
    assert [(k.target, k.previous_target, k.profiled) for k in table.kpis] == [(98, None, False), (11, None, False)]
    assert (rated["R1"].previous_rag, rated["R2"].previous_rag) == (Rag.RED, Rag.RED)  # against the one target


TARGET_ROWS = {
    "id blank, label in the name column": [
        ["Ref", "Measure", "Apr-24", "May-24", "Jun-24", "Jul-24", "RAG", "DOT"],
        ["R1", "Rent collected %", 94, 96, 97],
        [None, "Target", 94, 95, 98, 98],
        ["R2", "Days to re-let", 13, 12, 9],
        [None, "Target", 10, 10, 11, 11],
    ],
    "id repeated, label Profile": [
        ["Ref", "Measure", "Apr-24", "May-24", "Jun-24", "Jul-24", "RAG", "DOT"],
        ["R1", "Rent collected %", 94, 96, 97],
        ["R1", "Profile", 94, 95, 98, 98],
        ["R2", "Days to re-let", 13, 12, 9],
        ["R2", "Profile", 10, 10, 11, 11],
    ],
    "a Measure column saying Actual and Target": [
        ["Ref", "Measure", "Type", "Apr-24", "May-24", "Jun-24", "Jul-24", "RAG", "DOT"],
        ["R1", "Rent collected %", "Actual", 94, 96, 97],
        [None, None, "Target", 94, 95, 98, 98],
        ["R2", "Days to re-let", "Actual", 13, 12, 9],
        [None, None, "Target", 10, 10, 11, 11],
    ],
}


@pytest.mark.parametrize("layout", TARGET_ROWS)
def test_a_target_row_under_each_kpi(layout):
    """The profile is laid out to July; July's targets are no figures, so June stays the current period, and
    the KPIs are rated (not called activity indicators for want of a target column)."""
    table, rated = read(TARGET_ROWS[layout])
    assert (table.period.current, table.period.previous) == ("June 2024", "May 2024")
    assert [(k.id, k.target, k.previous_target, k.is_activity) for k in table.kpis] == [
        ("R1", 98, 95, False),
        ("R2", 11, 10, False),
    ]
    assert (rated["R1"].previous_rag, rated["R1"].rag, rated["R2"].previous_rag, rated["R2"].rag) == (
        Rag.GREEN,
        Rag.RED,
        Rag.RED,
        Rag.GREEN,
    )
    assert "SC408" in codes(table.notes) and table.warnings == []


def test_a_running_total_is_judged_against_its_profile_never_by_its_rise():
    """Collected to date: 19.2% against a profile of 19.5% in May, 28.0% against 29.0% in June. The total
    rose; its gap to the profile widened from 0.3 to 1.0 points: it declined."""
    rows = [
        ["Ref", "Measure", "May-24", "Jun-24", "RAG", "DOT"],
        ["R1", "Council tax collected", 19.2, 28.0],
        [None, "Profile", 19.5, 29.0],
    ]
    text = RULES.format(layout="", extra_columns="").replace(
        "{id: R1, polarity: higher}", "{id: R1, polarity: higher, cumulative: true}"
    )
    table = read_table(Grid(sheet="S", values=rows), parse_rules(text, "r.yaml"))
    (kpi,) = table.kpis
    assert kpi.cumulative and kpi.profiled
    (rated,) = evaluate(table.kpis, title="t", period=table.period).kpis
    assert rated.direction is Direction.DECLINED


def test_a_running_total_without_a_profile_has_no_direction():
    rows = [["Ref", "Measure", "Target", "May-24", "Jun-24", "RAG", "DOT"], ["R1", "Collected", 97, 19.2, 28.0]]
    text = RULES.format(layout="", extra_columns=", target: Target").replace(
        "{id: R1, polarity: higher}", "{id: R1, polarity: higher, cumulative: true}"
    )
    table = read_table(Grid(sheet="S", values=rows), parse_rules(text, "r.yaml"))
    (rated,) = evaluate(table.kpis, title="t", period=table.period).kpis
    assert rated.direction is None  # not "improved" because the running total rose


@pytest.mark.parametrize("name", ["Council tax collected (YTD)", "Income year to date %", "Cumulative starts"])
def test_a_kpi_named_as_a_running_total_is_read_as_one_with_a_warning(name):
    rows = [["Ref", "Measure", "May-24", "Jun-24", "RAG", "DOT"], ["R1", name, 19.2, 28.0], [None, "Target", 19.5, 29]]
    table, rated = read(rows)
    assert table.kpis[0].cumulative and codes(table.warnings) == ["SC407", "SC507"]  # R2 of the rules is not here
    assert rated["R1"].direction is Direction.DECLINED


def test_a_profile_without_the_previous_periods_target_says_so():
    rows = [
        ["Ref", "Measure", "May-24", "May-24 Target", "Jun-24", "Jun-24 Target", "RAG", "DOT"],
        ["R1", "Rent collected %", 96, None, 97, 98],
        ["R2", "Days to re-let", 12, 10, 9, 11],
    ]
    table, rated = read(rows)
    assert rated["R1"].previous_rag is Rag.NOT_RATED and not rated["R1"].changed
    assert [(f.code, f.where.row) for f in table.warnings] == [("SC409", 2)]


def test_the_explain_view_names_each_periods_target_cell():
    from scorecard.core.reading.explain import reading_dict

    rules = parse_rules(RULES.format(layout="", extra_columns=""), "r.yaml")
    table = read_table(Grid(sheet="S", values=PERIOD_COLUMNS["period and target in one header"]), rules)
    fields = reading_dict(table, rules)["kpis"][0]["fields"]
    assert fields["target"]["from"] == "F2 (a target column for each period)"
    assert fields["previous_target"] == {"value": 95, "from": "D2 (a target column for each period)", "stated": False}
