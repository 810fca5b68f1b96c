"""Weekly periods: week-commencing dates a week apart, numbered weeks, and a date the rules write exactly.

The previous week is the previous period; a week is never read as its month (four August dates are four
weeks, not 'two columns headed August 2024').
"""

from __future__ import annotations

import datetime as dt

import pytest

from scorecard.core.periods import parse_period
from scorecard.core.reading import Grid, read_table
from scorecard.core.rules import parse_rules
from scorecard.errors import WorkbookError

HISTORY = """version: 1
layout:
  history: true
  columns: {id: Ref, name: Measure, target: Target, rag: RAG, direction: DOT}
kpis:
  - {id: W1, polarity: lower}
"""


@pytest.mark.parametrize(
    "text, name, previous",
    [
        ("Week 32", "Week 32", "Week 31"),
        ("Wk 32", "Week 32", "Week 31"),
        ("Week 32 2024/25", "Week 32 2024/25", "Week 31 2024/25"),
        ("w/c 05/08/2024", "week commencing 5 August 2024", "week commencing 29 July 2024"),
        ("Week commencing 5 August 2024", "week commencing 5 August 2024", "week commencing 29 July 2024"),
        ("WC 5 Aug 24", "week commencing 5 August 2024", "week commencing 29 July 2024"),
        ("W/E 11/08/2024", "week ending 11 August 2024", "week ending 4 August 2024"),
        ("Week ending 11-Aug-2024", "week ending 11 August 2024", "week ending 4 August 2024"),
    ],
)
def test_week_headers(text, name, previous):
    week = parse_period(text)
    assert (week.kind, week.name, week.before().name) == ("week", name, previous)


@pytest.mark.parametrize("text", ["Week 60", "Weekly", "Week 32 target", "w/c TBC"])
def test_what_is_not_a_week(text):
    assert parse_period(text) is None


def read(headers, figures, rules=HISTORY, period=None):
    rows = [["Ref", "Measure", "Target", *headers, "RAG", "DOT"], ["W1", "Calls waiting", 50, *figures]]
    return read_table(Grid(sheet="S", values=rows), parse_rules(rules, "r.yaml"), period=period)


def test_dates_a_week_apart_are_weeks():
    dates = [dt.datetime(2024, 7, 22) + dt.timedelta(days=7 * i) for i in range(4)]  # 22 Jul to 12 Aug
    table = read(dates, [55, 52, 49, None])
    assert (table.period.current, table.period.previous) == (
        "week commencing 5 August 2024",
        "week commencing 29 July 2024",
    )
    assert (table.kpis[0].current, table.kpis[0].previous) == (49, 52)
    assert table.kpis[0].history == (55, 52, 49)


def test_text_dates_a_week_apart_are_weeks():
    table = read(["29/07/2024", "05/08/2024", "12/08/2024"], [52, 49, 47])
    assert table.period.current == "week commencing 12 August 2024"


def test_numbered_weeks():
    table = read(["Week 30", "Week 31", "Week 32"], [52, 49, None])
    assert (table.period.current, table.period.previous) == ("Week 31", "Week 30")


def test_month_end_dates_are_still_months():
    table = read([dt.datetime(2024, 6, 30), dt.datetime(2024, 7, 31)], [52, 49])
    assert (table.period.current, table.period.previous) == ("July 2024", "June 2024")


def test_a_week_named_with_period_over_week_columns_is_that_week():
    table = read(["Week 30", "Week 31"], [52, 49], period="Week 31")
    assert table.period.current == "Week 31" and table.warnings == []


def test_a_week_named_over_month_columns_is_refused():
    with pytest.raises(WorkbookError, match="--period names 'Week 32', a week, but the current column"):
        read(["Jun-24", "Jul-24"], [52, 49], period="Week 32")


def test_an_exact_date_in_the_rules_matches_its_own_column():
    """Four columns headed by dates in August: the rules name two of them exactly, not 'August 2024'."""
    rules = """version: 1
layout:
  columns: {id: Ref, name: Measure, target: Target, current: 2024-08-12, previous: 2024-08-05, rag: RAG, direction: DOT}
kpis:
  - {id: W1, polarity: lower}
"""
    dates = [dt.datetime(2024, 7, 29) + dt.timedelta(days=7 * i) for i in range(4)]
    table = read(dates, [55, 52, 49, 47], rules=rules)
    assert (table.kpis[0].current, table.kpis[0].previous) == (49, 52)
    assert table.columns["current"] == 6 and table.columns["previous"] == 5
