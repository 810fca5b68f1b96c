"""Periods beyond months: quarters and years as well as months, named as the headers name them.

The previous period is always the previous column that exists (a quarter back on a quarterly sheet,
never an invented month), and no sentence falls back to "this period" or "the previous period".
Expected names are written out by hand.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import xlsxwriter

from clirun import run_cli
from expect import codes, printed
from scorecard.core.periods import between, parse_period
from scorecard.core.reading import Grid, read_table
from scorecard.core.rules import parse_rules

# --- the parser ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header, name, kind",
    [
        ("Jun-18", "June 2018", "month"),
        ("June 2018", "June 2018", "month"),
        ("  jun   2018 ", "June 2018", "month"),
        ("SEPT 2019", "September 2019", "month"),
        ("September 2019", "September 2019", "month"),
        ("June\n2018", "June 2018", "month"),  # a header wrapped onto two lines
        ("Jun\xa02018", "June 2018", "month"),  # a non-breaking space
        ("Q2\n2018/19", "Q2 2018/19", "quarter"),
        ("Sep. 19", "September 2019", "month"),
        ("2018-06", "June 2018", "month"),
        ("06/2018", "June 2018", "month"),
        ("12/2013", "December 2013", "month"),  # MM/YYYY, not a financial year
        (dt.date(2018, 9, 30), "September 2018", "month"),
        (dt.datetime(2019, 3, 1), "March 2019", "month"),
        ("Q2 18/19", "Q2 2018/19", "quarter"),
        ("Q2 2018/19", "Q2 2018/19", "quarter"),
        ("q2 2018-19", "Q2 2018/19", "quarter"),
        ("Q2 2018–19", "Q2 2018/19", "quarter"),  # en dash
        ("2018/19 Q2", "Q2 2018/19", "quarter"),
        ("Qtr 2 2018-19", "Q2 2018/19", "quarter"),
        ("QTR2 18/19", "Q2 2018/19", "quarter"),
        ("Quarter 4, 2018/2019", "Q4 2018/19", "quarter"),
        ("Q1 FY18/19", "Q1 2018/19", "quarter"),
        ("Q2 2018", "Q2 2018", "quarter"),  # one year: named as written, never turned into months
        ("2018 Q2", "Q2 2018", "quarter"),
        ("Jul-Sep 2018", "July to September 2018", "quarter"),
        ("July to September 2018", "July to September 2018", "quarter"),
        ("jan - mar 19", "January to March 2019", "quarter"),
        ("2018/19", "2018/19", "year"),
        ("2018-19", "2018/19", "year"),
        ("2018–19", "2018/19", "year"),
        ("2018 / 2019", "2018/19", "year"),
        ("FY 2018/19", "2018/19", "year"),
        ("fy18/19", "2018/19", "year"),
        ("1999/00", "1999/00", "year"),
        ("2011-12", "2011/12", "year"),  # a financial year, not December 2011
        ("2018", "2018", "year"),
        # a word saying how final the figures are is read past; one saying what else the column holds is not
        ("Jun-18 actual", "June 2018", "month"),
        ("Actual Jun-18", "June 2018", "month"),
        ("Jun-18 (provisional)", "June 2018", "month"),
        ("Jun-18 (Prov.)", "June 2018", "month"),
        ("June 2018 outturn", "June 2018", "month"),
        ("Jun-18*", "June 2018", "month"),
        ("Jun-18: provisional", "June 2018", "month"),
        ("Q1 2018/19 (final)", "Q1 2018/19", "quarter"),
        ("2017/18 outturn", "2017/18", "year"),
        # a date typed as text, day first as UK councils write it
        ("30/06/2018", "June 2018", "month"),
        ("1/6/18", "June 2018", "month"),
        ("30.06.2018", "June 2018", "month"),
        ("2018-06-30", "June 2018", "month"),
        (2018, "2018", "year"),
        (2018.0, "2018", "year"),
    ],
)
def test_period_headers(header, name, kind):
    period = parse_period(header)
    assert period is not None and (period.name, period.kind) == (name, kind)


@pytest.mark.parametrize(
    "header",
    [
        "Q2 target",
        "2018/19 budget",
        "Target 2018",
        "Ref",
        "Target",
        "Q2",
        "Q5 2018/19",
        "Q0 2018/19",
        "2018/20",
        "18/20",
        "2018/2020",
        "Junk-18",
        "Jul-Oct 2018",
        "Sep-Jul 2018",
        "Jun-18 target",
        "Jun-18 Forecast",
        "Forecast Jun-18",
        "Jun-18 (target)",
        "Actual",
        "(p)",
        "Jul-18 (P)",
        "Jul-18 R",
        "31/06/2018",
        "30/13/2018",
        "Previous",
        "Current",
        "2018/19/20",
        "Sepember 2018",
        "1066",
        "12345",
        5,
        85.5,
        2018.5,
        True,
        None,
        dt.time(9, 0),
    ],
)
def test_not_periods(header):
    assert parse_period(header) is None


@pytest.mark.parametrize(
    "a, b",
    [
        ("Jul-Sep 2018", "Q2 2018/19"),
        ("Q2 18/19", "2018/19 Q2"),
        (dt.date(2018, 6, 30), "June 2018"),
        ("2018-19", "FY 2018/2019"),
        (2018, "2018"),
    ],
)
def test_same_period_in_two_spellings(a, b):
    assert parse_period(a) == parse_period(b)


@pytest.mark.parametrize(
    "a, b",
    [("Q2 2018", "Apr-Jun 2018"), ("Q2 2018", "Q2 2018/19"), ("2018", "2018/19"), ("Jun-18", "Q1 2018/19")],
)
def test_different_periods(a, b):
    assert parse_period(a) != parse_period(b)


@pytest.mark.parametrize(
    "header, before",
    [
        ("Jan-19", "December 2018"),
        ("Q1 2018/19", "Q4 2017/18"),
        ("Q3 2018/19", "Q2 2018/19"),
        ("Q1 2019", "Q4 2018"),
        ("Jan-Mar 2019", "October to December 2018"),
        ("2018/19", "2017/18"),
        ("2000/01", "1999/00"),
        ("2018", "2017"),
    ],
)
def test_the_period_before(header, before):
    assert parse_period(header).before().name == before


@pytest.mark.parametrize(
    "previous, current, text",
    [
        ("May 2018", "June 2018", "May and June 2018"),
        ("December 2017", "January 2018", "December 2017 and January 2018"),
        ("June 2018", "September 2018", "June and September 2018"),
        ("Q1 2018/19", "Q2 2018/19", "Q1 and Q2 2018/19"),
        ("Q4 2017/18", "Q1 2018/19", "Q4 2017/18 and Q1 2018/19"),
        ("Q1 2019", "Q2 2019", "Q1 and Q2 2019"),
        ("April to June 2018", "July to September 2018", "April to June and July to September 2018"),
        ("October to December 2018", "January to March 2019", "October to December 2018 and January to March 2019"),
        ("2017/18", "2018/19", "2017/18 and 2018/19"),
        ("2017", "2018", "2017 and 2018"),
        ("March 2018", "Q1 2018/19", "March 2018 and Q1 2018/19"),
        ("the period before June 2018", "June 2018", "the period before June 2018 and June 2018"),
    ],
)
def test_between(previous, current, text):
    assert between(previous, current) == text


# --- history tables in plain grids -----------------------------------------------------------

HISTORY_RULES = (
    "version: 1\nlayout:\n  history: true\n  columns: {id: KPI, target: Goal, floor: Minimum, polarity: Better}\n"
)

# headers oldest first, and the names the narrative must give them
SERIES = {
    "months as text": (["Mar-18", "Apr-18", "May-18", "Jun-18"], ["March 2018", "April 2018", "May 2018", "June 2018"]),
    "months, mixed spellings": (
        ["march 2018", "APR-18", "  May   2018 ", "2018-06"],
        ["March 2018", "April 2018", "May 2018", "June 2018"],
    ),
    "month dates": (
        [dt.datetime(2018, m, 1) for m in (3, 4, 5, 6)],
        ["March 2018", "April 2018", "May 2018", "June 2018"],
    ),
    "quarterly dates": (
        [dt.datetime(2018, 3, 31), dt.datetime(2018, 6, 30), dt.datetime(2018, 9, 30), dt.datetime(2018, 12, 31)],
        ["March 2018", "June 2018", "September 2018", "December 2018"],
    ),
    "quarterly month text": (
        ["Mar-18", "Jun-18", "Sep-18", "Dec-18"],
        ["March 2018", "June 2018", "September 2018", "December 2018"],
    ),
    "annual dates": (
        [dt.datetime(y, 3, 31) for y in (2016, 2017, 2018, 2019)],
        ["March 2016", "March 2017", "March 2018", "March 2019"],
    ),
    "FY quarters": (
        ["Q4 17/18", "Q1 18/19", "Q2 18/19", "Q3 18/19"],
        ["Q4 2017/18", "Q1 2018/19", "Q2 2018/19", "Q3 2018/19"],
    ),
    "FY quarters, mixed spellings": (
        ["q4 2017-18", "2018/19 Q1", "Qtr 2 2018–19", "Quarter 3 2018/2019"],
        ["Q4 2017/18", "Q1 2018/19", "Q2 2018/19", "Q3 2018/19"],
    ),
    "quarters by one year": (
        ["Q3 2018", "Q4 2018", "Q1 2019", "Q2 2019"],
        ["Q3 2018", "Q4 2018", "Q1 2019", "Q2 2019"],
    ),
    "month ranges": (
        ["Jan-Mar 2018", "Apr-Jun 2018", "Jul - Sep 2018", "October to December 2018"],
        ["January to March 2018", "April to June 2018", "July to September 2018", "October to December 2018"],
    ),
    "financial years": (["2015/16", "2016-17", "2017–18", "FY 2018/19"], ["2015/16", "2016/17", "2017/18", "2018/19"]),
    "calendar years (numbers)": ([2015, 2016, 2017, 2018], ["2015", "2016", "2017", "2018"]),
    "calendar years (text)": (["2015", "2016", "2017", "2018"], ["2015", "2016", "2017", "2018"]),
}


def history_grid(headers, values, newest_first=False):
    """KPI A (higher, goal 90, minimum 80) and B (lower, 5 and 8) with one figure per period column."""
    a, b = values
    order = list(range(len(headers)))[::-1] if newest_first else list(range(len(headers)))
    rows = [
        ["KPI", "Better", "Goal", "Minimum", *(headers[i] for i in order)],
        ["A", "H", 90, 80, *(a[i] for i in order)],
        ["B", "L", 5, 8, *(b[i] for i in order)],
    ]
    return Grid(sheet="Trend", values=rows)


@pytest.mark.parametrize("newest_first", [False, True], ids=["oldest first", "newest first"])
@pytest.mark.parametrize("series", SERIES, ids=list(SERIES))
def test_history_names_the_newest_filled_column_and_the_one_before(series, newest_first):
    headers, names = SERIES[series]
    values = ([70, 75, 81, None], [9, 7, 6, None])  # the newest column is not filled yet
    t = read_table(history_grid(headers, values, newest_first), parse_rules(HISTORY_RULES, "r.yaml"))
    assert (t.period.current, t.period.previous) == (names[2], names[1])
    assert [(k.current, k.previous) for k in t.kpis] == [(81, 75), (6, 7)]
    assert t.warnings == []
    full = read_table(
        history_grid(headers, ([70, 75, 81, 92], [9, 7, 6, 4]), newest_first), parse_rules(HISTORY_RULES, "r.yaml")
    )
    assert (full.period.current, full.period.previous) == (names[3], names[2])


def test_history_of_months_ignores_quarter_and_year_totals():
    headers = ["Apr-18", "May-18", "Jun-18", "Q1 18/19", "Jul-18", "Aug-18", "2018/19"]
    rows = [["KPI", "Better", "Goal", "Minimum", *headers], ["A", "H", 90, 80, 70, 75, 81, 75.3, 84, None, 77.5]]
    t = read_table(Grid(sheet="S", values=rows), parse_rules(HISTORY_RULES, "r.yaml"))
    assert (t.period.current, t.period.previous) == ("July 2018", "June 2018")
    assert (t.kpis[0].current, t.kpis[0].previous) == (84, 81)


def test_iso_months_that_look_like_financial_years_are_months_among_months():
    headers = ["2011-10", "2011-11", "2011-12", "2012-01"]
    rows = [["KPI", "Better", "Goal", "Minimum", *headers], ["A", "H", 90, 80, 70, 75, 81, 84]]
    t = read_table(Grid(sheet="S", values=rows), parse_rules(HISTORY_RULES, "r.yaml"))
    assert (t.period.current, t.period.previous) == ("January 2012", "December 2011")
    assert (t.kpis[0].current, t.kpis[0].previous) == (84, 81)


def test_history_with_one_filled_column_names_no_invented_period():
    rows = [["KPI", "Better", "Goal", "Minimum", "Q1 18/19", "Q2 18/19"], ["A", "H", 90, 80, 85, None]]
    t = read_table(Grid(sheet="S", values=rows), parse_rules(HISTORY_RULES, "r.yaml"))
    assert (t.period.current, t.period.previous) == ("Q1 2018/19", None)  # a first return: nothing before it
    assert t.kpis[0].previous is None


@pytest.mark.parametrize("twin", ["June 2018", dt.datetime(2018, 6, 30), "2018-06"])
def test_history_with_two_columns_of_one_period_is_an_error(twin):
    from scorecard.errors import WorkbookError

    rows = [["KPI", "Better", "Goal", "Minimum", "May-18", "Jun-18", twin], ["A", "H", 90, 80, 85, 86, 87]]
    with pytest.raises(WorkbookError, match=r"sheet 'S', cell F1: two columns are headed June 2018 \(F1 and G1\)"):
        read_table(Grid(sheet="S", values=rows), parse_rules(HISTORY_RULES, "r.yaml"))


def test_history_without_period_headers_says_what_it_looks_for():
    from scorecard.errors import WorkbookError

    rows = [["KPI", "Better", "Goal", "Minimum", "Q2 target", "Target 2018"], ["A", "H", 90, 80, 85, 86]]
    with pytest.raises(WorkbookError, match=r"no header in the header row names a period .*'Q2 2018/19'"):
        read_table(Grid(sheet="S", values=rows), parse_rules(HISTORY_RULES, "r.yaml"))


# --- two named columns, the rules and --period -------------------------------------------------

TWO_COLUMNS = (
    "version: 1\nlayout:\n  columns: {{id: Ref, polarity: Polarity, target: Target, floor: Floor, current: "
    "'{current}', previous: '{previous}'}}\n"
)


def two_columns(previous, current, rules_current=None, rules_previous=None, extra="", override=None):
    rows = [["Ref", "Polarity", "Target", "Floor", previous, current], ["K1", "H", 90, 80, 85, 91]]
    text = TWO_COLUMNS.format(current=rules_current or current, previous=rules_previous or previous) + extra
    return read_table(Grid(sheet="Dash", values=rows), parse_rules(text, "r.yaml"), period=override)


@pytest.mark.parametrize(
    "previous, current, names",
    [
        ("Q1 18/19", "Q2 18/19", ("Q2 2018/19", "Q1 2018/19")),
        ("2017/18", "2018/19", ("2018/19", "2017/18")),
        ("Jun-18", "Sep-18", ("September 2018", "June 2018")),
        (dt.datetime(2018, 6, 30), dt.datetime(2018, 9, 30), ("September 2018", "June 2018")),
        ("Apr-Jun 2018", "Jul-Sep 2018", ("July to September 2018", "April to June 2018")),
    ],
)
def test_two_columns_named_by_their_headers(previous, current, names):
    t = two_columns(previous, current)
    assert (t.period.current, t.period.previous) == names and t.warnings == []


def test_rules_may_spell_a_period_header_differently():
    t = two_columns("Q1 18/19", "Q2 18/19", rules_current="Q2 2018/19", rules_previous="2018/19 Q1")
    assert t.columns["current"] == 6 and t.columns["previous"] == 5
    assert (t.period.current, t.period.previous) == ("Q2 2018/19", "Q1 2018/19")


@pytest.mark.parametrize(
    "previous, current, override, names",
    [
        # the previous name is the previous column's, never the month before the one given
        ("Mar-18", "Jun-18", "June 2018", ("June 2018", "March 2018")),
        (dt.datetime(2018, 6, 30), dt.datetime(2018, 9, 30), "Sep 2018", ("September 2018", "June 2018")),
        ("Q1 18/19", "Q2 18/19", "Quarter 2 2018/19", ("Q2 2018/19", "Q1 2018/19")),
        # a quarter named over month columns a quarter apart: the quarter before; a month apart: the month
        ("Jun-18", "Sep-18", "Q2 2018/19", ("Q2 2018/19", "Q1 2018/19")),
        # headers that say their spacing
        ("Last month", "This month", "June 2018", ("June 2018", "May 2018")),
        ("Previous quarter", "Current quarter", "Q1 2019/20", ("Q1 2019/20", "Q4 2018/19")),
        ("Last year", "This year", "2018/19", ("2018/19", "2017/18")),
        # ... or do not: nothing is assumed
        ("Last quarter", "This quarter", "June 2018", ("June 2018", "the period before June 2018")),
        ("Same month last year", "This month", "June 2018", ("June 2018", "the period before June 2018")),
        ("Previous", "Latest", "June 2018", ("June 2018", "the period before June 2018")),
        (
            "Previous",
            "Latest",
            "Month 3 (provisional)",
            ("Month 3 (provisional)", "the period before Month 3 (provisional)"),
        ),
    ],
)
def test_period_option_never_invents_the_previous_period(previous, current, override, names):
    t = two_columns(previous, current, override=override)
    assert (t.period.current, t.period.previous) == names
    assert ("the period before" in names[1]) == ("SC206" in codes(t.warnings))


@pytest.mark.parametrize(
    "previous, current, override",
    [
        ("Aug-18", "Sep-18", "Q2 2018/19"),  # a quarter over monthly columns would call September the quarter
        ("Jun-18", "Sep-18", "Q3 2018/19"),  # a quarter the current column does not end
        ("Aug-18", "Sep-18", "Week 32"),
        ("Aug-18", "Sep-18", "2018/19"),
        ("Q1 18/19", "Q2 18/19", "September 2018"),
        ("Q1 18/19", "Q2 18/19", "Autumn"),
    ],
)
def test_period_option_of_another_kind_than_the_columns_is_refused(previous, current, override):
    from scorecard.errors import WorkbookError

    with pytest.raises(WorkbookError, match=r"--period names .* but the current column F1 is headed"):
        two_columns(previous, current, override=override)


def test_a_previous_period_held_by_another_column_is_named():
    rows = [
        ["Ref", "Polarity", "Target", "Floor", "Last", "This", "Jun-18", "May-18"],
        ["K1", "H", 90, 80, 85, 91, 91, 85],
    ]
    text = TWO_COLUMNS.format(current="This", previous="Last")
    t = read_table(Grid(sheet="Dash", values=rows), parse_rules(text, "r.yaml"), period="June 2018")
    assert (t.period.current, t.period.previous) == ("June 2018", "May 2018")


def test_period_option_against_a_different_column_is_a_warning():
    t = two_columns("May-18", "Jun-18", override="July 2018")
    assert t.period.current == "June 2018"  # the figures are named as their column is, never another period's name
    assert [(f.code, f.where.cell) for f in t.warnings] == [("SC203", "F1")]
    t = two_columns("Q1 18/19", "Q2 18/19", extra="period: {current: Q3 2018/19}\n")
    assert [(f.code, f.where.cell) for f in t.warnings] == [("SC203", "F1")]
    t = two_columns("Q1 18/19", "Q2 18/19", extra="period: {current: Q2 2018/19, previous: Q4 2017/18}\n")
    assert t.period.previous == "Q1 2018/19"  # the column's, and the rules' other words warned of
    assert [(f.code, f.where.cell) for f in t.warnings] == [("SC204", "E1")]


def test_rules_period_current_alone():
    t = two_columns("Last month", "This month", extra="period: {current: March 2019}\n")
    assert (t.period.current, t.period.previous, t.warnings) == ("March 2019", "February 2019", [])
    t = two_columns("Q1 18/19", "Q2 18/19", extra="period: {current: Q2 2018/19}\n")
    assert (t.period.current, t.period.previous) == ("Q2 2018/19", "Q1 2018/19")
    t = two_columns("Previous", "Current", extra="period: {current: March 2019, previous: December 2018}\n")
    assert (t.period.current, t.period.previous, t.warnings) == ("March 2019", "December 2018", [])
    t = two_columns("Previous", "Current", extra="period: {current: March 2019}\n")
    assert t.period.previous == "the period before March 2019"
    [warning] = t.warnings
    assert (warning.code, warning.where.cell) == ("SC206", "E1")
    assert "period: {current: ..., previous: ...}" in warning.message


def test_unnamed_headers_are_named_by_their_text_with_a_warning():
    t = two_columns("Previous", "Current")
    assert (t.period.current, t.period.previous) == ("the period headed ‘Current’", "the period headed ‘Previous’")
    assert codes(t.warnings) == ["SC205", "SC206"] and all("--period" in w.message for w in t.warnings)


# --- end to end: generated workbooks through the command line --------------------------------

KPIS = [  # id, polarity, target, floor, previous, current: a change up, a steady Amber, a Red improving, a change down
    ("K1", "H", 80, 70, 75, 85),
    ("K2", "H", 80, 70, 72, 72),
    ("K3", "H", 80, 70, 60, 65),
    ("K4", "L", 10, 20, 15, 25),
]


def build(path: Path, headers, header_format=None, history=True):
    """A workbook: the KPI figures in the last two filled period columns, a blank newest column when history."""
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    ws = book.add_worksheet("Quarterly")
    fmt = book.add_format({"num_format": header_format or "mmm-yy", "bold": True})
    one_decimal = book.add_format({"num_format": "0.0"})
    ws.write(0, 0, "Performance report")
    ws.write_row(2, 0, ["Ref", "Measure", "Polarity", "Target", "Floor"])
    for c, header in enumerate(headers, start=5):
        if isinstance(header, dt.datetime):
            ws.write_datetime(2, c, header, fmt)
        else:
            ws.write(2, c, header)
    for r, (ref, polarity, target, floor, previous, current) in enumerate(KPIS, start=3):
        ws.write_row(r, 0, [ref, f"Measure {ref}", polarity, target, floor])
        filled = len(headers) - (1 if history else 0)
        figures = [previous - 1] * (filled - 2) + [previous, current]
        ws.write_row(r, 5, figures, one_decimal)  # the figures display one decimal, as the narrative then does
    book.close()
    return path


def rules_file(path: Path, history=True, columns="", period=""):
    path.write_text(
        "version: 1\ntitle: Quarterly Performance\nlayout:\n"
        + ("  history: true\n" if history else "")
        + f"  columns: {{id: Ref, name: Measure, polarity: Polarity, target: Target, floor: Floor{columns}}}\n"
        + period
    )
    return path


def narrative_json(book: Path, rules: Path, *extra: str) -> dict:
    result = run_cli("narrative", book, "--rules", rules, "--format", "json", *extra)
    assert result.returncode == 0, result.stderr
    return result.json()


def assert_periods_named(data: dict, now: str, before: str, span: str) -> None:
    assert data["period"] == {"current": now, "previous": before}
    lines = data["narrative"]
    text = "\n".join(lines)
    for line in lines:
        assert "this period" not in line.lower() and "previous period" not in line.lower(), line
    assert f"the RAG status for {now} is as follows:" in text
    assert f"Since {before} the RAG status of 2 KPIs has changed." in text
    assert f"Measure K1. Performance for this measure improved from 75.0 in {before} to 85.0 in {now}" in text
    assert f"Measure K2. Performance remained at 72.0 in {span}, against a target of 80.0." in text
    assert f"One of these KPIs shows improved performance between {span}:" in text
    assert f"One of these KPIs shows a decline in performance between {span}:" in text
    assert f"Measure K4. Performance declined from 15.0 in {before} to 25.0 in {now}" in text


CASES = {
    "FY quarters": (
        ["Q4 17/18", "Q1 18/19", "Q2 18/19", "Q3 18/19"],
        None,
        ("Q2 2018/19", "Q1 2018/19", "Q1 and Q2 2018/19"),
    ),
    "FY quarters across a year": (
        ["Q3 17/18", "Q4 2017/18", "Q1 2018-19", "Q2 2018-19"],
        None,
        ("Q1 2018/19", "Q4 2017/18", "Q4 2017/18 and Q1 2018/19"),
    ),
    "quarterly dates": (
        [dt.datetime(2018, 3, 31), dt.datetime(2018, 6, 30), dt.datetime(2018, 9, 30), dt.datetime(2018, 12, 31)],
        "dd/mm/yyyy",
        ("September 2018", "June 2018", "June and September 2018"),
    ),
    "quarterly month dates": (
        [dt.datetime(2018, 3, 1), dt.datetime(2018, 6, 1), dt.datetime(2018, 9, 1), dt.datetime(2018, 12, 1)],
        "mmm-yy",
        ("September 2018", "June 2018", "June and September 2018"),
    ),
    "quarterly month text": (
        ["Mar-18", "Jun-18", "Sep-18", "Dec-18"],
        None,
        ("September 2018", "June 2018", "June and September 2018"),
    ),
    "financial years": (
        ["2015/16", "2016-17", "2017–18", "2018/19"],
        None,
        ("2017/18", "2016/17", "2016/17 and 2017/18"),
    ),
    "annual dates": (
        [dt.datetime(y, 3, 31) for y in (2016, 2017, 2018, 2019)],
        "d mmmm yyyy",
        ("March 2018", "March 2017", "March 2017 and March 2018"),
    ),
    "calendar years": ([2015, 2016, 2017, 2018], None, ("2017", "2016", "2016 and 2017")),
    "month ranges": (
        ["Oct-Dec 2017", "Jan-Mar 2018", "Apr-Jun 2018", "Jul-Sep 2018"],
        None,
        ("April to June 2018", "January to March 2018", "January to March and April to June 2018"),
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_narrative_names_the_periods_as_the_headers_do(tmp_path, case):
    headers, header_format, (now, before, span) = CASES[case]
    book = build(tmp_path / "quarterly.xlsx", headers, header_format)
    data = narrative_json(book, rules_file(tmp_path / "rules.yaml"))
    assert_periods_named(data, now, before, span)
    assert data["warnings"] == []


def test_period_option_on_a_quarterly_sheet_never_names_an_unheld_month(tmp_path):
    book = build(
        tmp_path / "quarterly.xlsx", [dt.datetime(2018, 3, 1), dt.datetime(2018, 6, 1), dt.datetime(2018, 9, 1)]
    )
    data = narrative_json(book, rules_file(tmp_path / "rules.yaml"), "--period", "June 2018")
    assert_periods_named(data, "June 2018", "March 2018", "March and June 2018")
    assert "May" not in json.dumps(data)


def test_quarter_named_with_period_over_quarterly_date_columns(tmp_path):
    book = build(tmp_path / "quarterly.xlsx", ["Jun-18", "Sep-18", "Dec-18"])
    data = narrative_json(book, rules_file(tmp_path / "rules.yaml"), "--period", "Qtr 2 2018/19")
    assert_periods_named(data, "Q2 2018/19", "Q1 2018/19", "Q1 and Q2 2018/19")


def test_two_quarter_columns_and_a_rules_period(tmp_path):
    book = build(tmp_path / "two.xlsx", ["Last quarter", "This quarter"], history=False)
    rules = rules_file(
        tmp_path / "rules.yaml",
        history=False,
        columns=", current: This quarter, previous: Last quarter",
        period="period: {current: Q3 2019/20}\n",
    )
    data = narrative_json(book, rules)
    assert_periods_named(data, "Q3 2019/20", "Q2 2019/20", "Q2 and Q3 2019/20")


def test_unnamed_periods_are_called_by_their_headers_and_check_says_so(tmp_path):
    book = build(tmp_path / "two.xlsx", ["Previous", "Current"], history=False)
    rules = rules_file(tmp_path / "rules.yaml", history=False, columns=", current: Current, previous: Previous")
    data = narrative_json(book, rules)
    now, before = "the period headed ‘Current’", "the period headed ‘Previous’"
    assert_periods_named(data, now, before, f"{before} and {now}")
    check = run_cli("check", book, "--rules", rules, "--strict")
    assert check.returncode == 1 and "Traceback" not in check.stderr
    assert printed(check.stdout) == ["SC205", "SC206"]
    assert (
        "warning SC205 sheet 'Quarterly', cell G3: the current column's header 'Current' names no period"
        in check.stdout
    )
    assert "warning SC206 sheet 'Quarterly', cell F3: the previous column's header 'Previous'" in check.stdout


@pytest.mark.parametrize(
    "headers, heading, since",
    [
        (["Q4 17/18", "Q1 18/19", "Q2 18/19"], "Q1 2018/19", "Since Q4 2017/18 the RAG status"),
        (["2016-17", "2017-18", "2018-19"], "2017/18", "Since 2016/17 the RAG status"),
    ],
)
def test_refresh_writes_the_period_names_into_the_narrative_sheet(tmp_path, headers, heading, since):
    import openpyxl

    book = build(tmp_path / "quarterly.xlsx", headers)
    out = tmp_path / "out.xlsx"
    result = run_cli("refresh", book, "--rules", rules_file(tmp_path / "rules.yaml"), "--output", out)
    assert result.returncode == 0, result.stderr
    sheet = openpyxl.load_workbook(out)["Narrative"]
    assert sheet["A2"].value == f"Summary of Performance – {heading}"
    texts = [str(sheet.cell(r, 2).value or sheet.cell(r, 1).value) for r in range(3, sheet.max_row + 1)]
    assert any(t.startswith(since) for t in texts)
    assert not [t for t in texts if "this period" in t.lower() or "previous period" in t.lower()]


@pytest.mark.parametrize("newest", ["Jun-18 (unaudited)", "June 2018 - draft", "Jun-18 v2"])
def test_a_later_period_header_not_read_as_a_period_is_named(newest):
    """The newest figures under a header scorecard cannot read as a period: the narrative would report May
    as the latest month, so the header is named, with what to do."""
    rows = [["KPI", "Better", "Goal", "Minimum", "Apr-18", "May-18", newest], ["A", "H", 90, 80, 70, 75, 81]]
    t = read_table(Grid(sheet="S", values=rows), parse_rules(HISTORY_RULES, "r.yaml"))
    assert t.period.current == "May 2018"
    (warning,) = t.warnings
    assert (warning.code, warning.where.cell) == ("SC201", "G1")
    assert warning.message.startswith(f"the header '{newest}' names June 2018, later than the current period May 2018")


@pytest.mark.parametrize(
    "other",
    [
        "Jun-18 Forecast",
        "Target 2018/19",
        "Jun-18 target",
        "YTD Jun-18",
        "England average Jun-18",
        "Stat neighbours Jun-18",
        "Comments",
        "Apr-18 (unaudited)",
        "Commentary (Jun-18)",
        "Jun-18 numerator",
    ],
)
def test_other_columns_naming_a_period_are_left_alone(other):
    rows = [["KPI", "Better", "Goal", "Minimum", "Apr-18", "May-18", other], ["A", "H", 90, 80, 70, 75, 81]]
    t = read_table(Grid(sheet="S", values=rows), parse_rules(HISTORY_RULES, "r.yaml"))
    assert t.period.current == "May 2018" and t.warnings == []


def test_an_empty_column_for_a_later_period_is_not_warned_of():
    rows = [
        [
            "KPI",
            "Better",
            "Goal",
            "Minimum",
            "Apr-18",
            "May-18",
            "Jun-18 (unaudited)",
            "Jul-18 (unaudited)",
            "Next review Sep-18",
        ],
        ["A", "H", 90, 80, 70, 75, None, None, None],
    ]
    t = read_table(Grid(sheet="S", values=rows), parse_rules(HISTORY_RULES, "r.yaml"))
    assert t.period.current == "May 2018" and t.warnings == []


@pytest.mark.parametrize(
    "headers, current",
    [
        (["2015/16 Outturn", "2016/17 Outturn", "2017/18 Outturn", "Apr-18", "May-18"], ("May 2018", "April 2018")),
        (["2015/16", "2016/17", "2017/18", "Apr-18", "May-18"], ("May 2018", "April 2018")),
        (["2016/17 Actual", "2017/18 Actual", "Q1 2018/19", "Q2 2018/19"], ("Q2 2018/19", "Q1 2018/19")),
        (["Apr-18", "May-18", "Jun-18", "2018/19"], ("June 2018", "May 2018")),  # a year-to-date column among months
        (["2016/17", "2017/18", "Apr-18", "May-18", "2018/19"], ("May 2018", "April 2018")),  # past years and a YTD
        (["2016/17", "2017/18", "2018/19", "2019/20", "Apr-18", "May-18"], ("May 2018", "April 2018")),
        (["2016", "2017", "2018", "Q1 2018/19", "Q2 2018/19"], ("Q2 2018/19", "Q1 2018/19")),
    ],
)
def test_past_years_outnumbering_this_years_months_are_not_the_history(headers, current):
    """Early in a year, last years' outturns outnumber this year's months: the months are the series."""
    rows = [["KPI", "Better", "Goal", "Minimum", *headers], ["A", "H", 90, 80, *range(70, 70 + len(headers))]]
    t = read_table(Grid(sheet="S", values=rows), parse_rules(HISTORY_RULES, "r.yaml"))
    assert (t.period.current, t.period.previous) == current


def test_provisional_newest_figures_are_the_current_period():
    rows = [
        ["KPI", "Better", "Goal", "Minimum", "Apr-18", "May-18", "Jun-18 (provisional)"],
        ["A", "H", 90, 80, 70, 75, 81],
    ]
    t = read_table(Grid(sheet="S", values=rows), parse_rules(HISTORY_RULES, "r.yaml"))
    assert (t.period.current, t.period.previous) == ("June 2018", "May 2018")
    assert (t.kpis[0].current, t.kpis[0].previous) == (81, 75) and t.warnings == []


@pytest.mark.parametrize("ahead", ["2019/20", "2020", "FY 2019/20"])
def test_a_year_laid_out_ahead_never_becomes_the_current_period(ahead):
    """An empty (or target) column for a later year beside this year's months: the months are the series."""
    rows = [
        ["KPI", "Better", "Goal", "Minimum", "Apr-18", "May-18", "Jun-18", ahead],
        ["A", "H", 90, 80, 70, 75, 81, None],
    ]
    t = read_table(Grid(sheet="S", values=rows), parse_rules(HISTORY_RULES, "r.yaml"))
    assert (t.period.current, t.period.previous) == ("June 2018", "May 2018")
    assert (t.kpis[0].current, t.kpis[0].previous) == (81, 75)


def test_empty_quarters_laid_out_ahead_of_a_yearly_history_are_not_its_series():
    rows = [
        ["KPI", "Better", "Goal", "Minimum", "2015/16", "2016/17", "2017/18", "Q1 2018/19", "Q2 2018/19"],
        ["A", "H", 90, 80, 70, 75, 81, None, None],
    ]
    t = read_table(Grid(sheet="S", values=rows), parse_rules(HISTORY_RULES, "r.yaml"))
    assert (t.period.current, t.period.previous) == ("2017/18", "2016/17")
    assert (t.kpis[0].current, t.kpis[0].previous) == (81, 75)


MONTHS = [
    "Apr-18",
    "May-18",
    "Jun-18",
    "Jul-18",
    "Aug-18",
    "Sep-18",
    "Oct-18",
    "Nov-18",
    "Dec-18",
    "Jan-19",
    "Feb-19",
    "Mar-19",
]


@pytest.mark.parametrize(
    "headers, figures",
    [
        (["2016/17", "2017/18", *MONTHS], [60, 64, 70] + [None] * 11),  # last years' outturns, April filled
        (["Q1 17/18", "Q2 17/18", "Q3 17/18", "Q4 17/18", *MONTHS], [60, 62, 64, 65, 70] + [None] * 11),
        (["2016/17", "2017/18", *MONTHS, "2018/19"], [60, 64, 70] + [None] * 11 + [70]),  # and a year-to-date total
        (["Q4 17/18", "Q1 18/19", "Apr-18", "May-18", "Jun-18"], [65, 70, 70, None, None]),  # a quarter-to-date
        ([*reversed(MONTHS), "2017/18", "2016/17"], [None] * 11 + [70, 64, 60]),  # newest first
        (["2016/17", "2017/18", "Apr-18"], [60, 64, 70]),  # a month column added one at a time
    ],
)
def test_april_is_the_current_period_beside_last_years_figures(headers, figures):
    """The first month of a year has one filled month column: last years' outturns never outvote it."""
    rows = [["KPI", "Better", "Goal", "Minimum", *headers], ["A", "H", 90, 80, *figures]]
    t = read_table(Grid(sheet="S", values=rows), parse_rules(HISTORY_RULES, "r.yaml"))
    assert t.period.current == "April 2018" and t.kpis[0].current == 70


def test_kpi_rows_with_figures_only_outside_the_series_are_named():
    rows = [
        ["KPI", "Better", "Goal", "Minimum", "2016/17", "2017/18", "Apr-18", "May-18"],
        ["A", "H", 90, 80, None, None, 70, 75],
        ["B", "H", 90, 80, 60, 95, None, None],
    ]  # an annual KPI on a monthly sheet
    t = read_table(Grid(sheet="S", values=rows), parse_rules(HISTORY_RULES, "r.yaml"))
    assert t.period.current == "May 2018" and t.kpis[1].current is None
    assert t.warnings == []  # councils mix cadences on purpose: check notes it, --strict does not refuse it
    (note,) = [n for n in t.notes if n.code == "SC202"]
    assert note.message.startswith(
        "KPI row 3 holds figures only under period headers outside the monthly history (2016/17, 2017/18)"
    )


def test_a_later_quarter_among_month_end_dates_is_named():
    """Quarter-end dates head the history (read as months); a newest quarter typed as 'Q3 18/19' is not
    part of it, so September would be reported as the latest: a warning names the header."""
    rows = [
        ["KPI", "Better", "Goal", "Minimum", dt.date(2018, 6, 30), dt.date(2018, 9, 30), "Q3 18/19"],
        ["A", "H", 90, 80, 70, 75, 81],
    ]
    t = read_table(Grid(sheet="S", values=rows), parse_rules(HISTORY_RULES, "r.yaml"))
    assert t.period.current == "September 2018"
    (warning,) = t.warnings
    assert (warning.code, warning.where.cell) == ("SC201", "G1") and "is a quarter" in warning.message


@pytest.mark.parametrize(
    "extra, figures",
    [
        ("Mar-19", [70, 72, None, None, 80]),  # a year-end column beside quarters laid out to Q4
        ("Oct-18", [70, 72, None, None, 74]),  # a flash month inside Q3, which has its column
        (dt.date(2018, 10, 31), [70, 72, None, None, 74]),
    ],
)
def test_one_later_month_inside_a_laid_out_quarter_leaves_the_quarters_the_series(extra, figures):
    rows = [
        ["KPI", "Better", "Goal", "Minimum", "Q1 18/19", "Q2 18/19", "Q3 18/19", "Q4 18/19", extra],
        ["A", "H", 90, 80, *figures],
        ["B", "H", 90, 80, 60, 61, None, None, None],
    ]
    t = read_table(Grid(sheet="S", values=rows), parse_rules(HISTORY_RULES, "r.yaml"))
    assert (t.period.current, t.period.previous) == ("Q2 2018/19", "Q1 2018/19")
    assert [(k.current, k.previous) for k in t.kpis] == [(72, 70), (61, 60)]


@pytest.mark.parametrize(
    "headers, above",
    [
        (["Q2 18/19", "Q3 18/19"], None),  # profiled quarterly targets beside a monthly history
        (["Mar-19 estimate", "Expected Mar-19"], None),
        (["Mar-19 stretch", "Mar-19 tolerance"], None),
        (["Q2 18/19", "Q3 18/19"], "Quarterly targets"),  # a label above them, merged across both
    ],
)
def test_ordinary_target_blocks_after_the_months_are_not_warned_of(headers, above):
    upper = ["", "", "", "", "2018/19", "", "", above or "", ""]
    lower = ["KPI", "Better", "Goal", "Minimum", "Apr-18", "May-18", "Jun-18", *headers]
    rows = ([upper] if above else []) + [lower, ["A", "H", 90, 80, 70, 75, 81, 85, 88]]
    merged = [(1, 8, 1, 9)] if above else []
    t = read_table(Grid(sheet="S", values=rows, merged=merged), parse_rules(HISTORY_RULES, "r.yaml"))
    assert t.period.current == "June 2018" and t.warnings == [], t.warnings


@pytest.mark.parametrize(
    "upper, lower, merged, current",
    [
        (
            ["2018/19", "", "", ""],
            ["Apr", "May", "Jun", "Jul"],
            [(1, 5, 1, 8)],
            ("June 2018", "May 2018"),
        ),  # merged over them
        (["2018/19", "", "", ""], ["Apr", "May", "Jun", "Jul"], [], ("June 2018", "May 2018")),  # over the first only
        (
            ["2017/18", "", "2018/19", ""],
            ["Feb", "Mar", "Apr", "May"],
            [],
            ("April 2018", "March 2018"),
        ),  # rolling, two years
        (
            ["2018/19", "", "", ""],
            ["Dec", "Jan", "Feb", "Mar"],
            [],
            ("February 2019", "January 2019"),
        ),  # Jan-Mar: the next year
        (["2018", "", "", ""], ["Jan", "Feb", "Mar", "Apr"], [], ("March 2018", "February 2018")),  # a calendar year
    ],
)
def test_bare_month_names_under_a_year_label_are_that_years_months(upper, lower, merged, current):
    rows = [
        ["", "", "", "", *upper],
        ["KPI", "Better", "Goal", "Minimum", *lower],
        ["A", "H", 90, 80, 70, 75, 81, None],
    ]
    t = read_table(Grid(sheet="S", values=rows, merged=merged), parse_rules(HISTORY_RULES, "r.yaml"))
    assert (t.period.current, t.period.previous) == current
    assert (t.kpis[0].current, t.kpis[0].previous) == (81, 75)


def test_bare_month_names_under_a_label_that_is_no_year_are_still_refused():
    from scorecard.errors import WorkbookError

    rows = [
        ["", "", "Thresholds", "", "", "", ""],
        ["KPI", "Better", "Goal", "Minimum", "Jan", "Feb", "Mar"],
        ["A", "H", 90, 80, 70, 75, 81],
    ]
    with pytest.raises(WorkbookError, match="no header in the header row names a period"):
        read_table(Grid(sheet="S", values=rows), parse_rules(HISTORY_RULES, "r.yaml"))


def test_a_workbook_with_a_merged_year_over_month_names_refreshes(tmp_path):
    book = tmp_path / "months.xlsx"
    wb = xlsxwriter.Workbook(str(book), {"in_memory": True})
    ws = wb.add_worksheet("S")
    ws.merge_range("E1:H1", "2018/19")
    ws.write_row(1, 0, ["KPI", "Better", "Goal", "Minimum", "Apr", "May", "Jun", "Jul"])
    ws.write_row(2, 0, ["A", "H", 90, 80, 70, 75, 81])
    wb.close()
    rules = tmp_path / "r.yaml"
    rules.write_text(HISTORY_RULES)
    out = run_cli("narrative", book, "--rules", rules, "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert (data["period"]["current"], data["period"]["previous"]) == ("June 2018", "May 2018")


def test_a_target_label_over_later_quarters_is_seen_without_merge_information():
    """'Targets' written over the first of two later columns, with no merge an engine could
    report: the label still covers both, as it does where the file's merge is read."""
    rows = [
        ["", "", "", "", "2018/19", "", "", "Targets", ""],
        ["KPI", "Better", "Goal", "Minimum", "Apr", "May", "Jun", "Jul-18 v2", "Aug-18 v2"],
        ["A", "H", 90, 80, 70, 75, 81, 85, 88],
    ]
    t = read_table(Grid(sheet="S", values=rows), parse_rules(HISTORY_RULES, "r.yaml"))
    assert t.period.current == "June 2018" and t.warnings == []


def test_a_figure_column_the_rules_name_takes_the_period_its_header_says_it_stands_at():
    """'Capacity at May 2019' against 'Capacity at May 2010' (DfE school places): May 2019 against May 2010; a
    header with no period after its 'at' still names none, with the warning."""
    from scorecard.core.reading import Grid, read_table
    from scorecard.core.rules import parse_rules

    rows = [
        ["LA Code", "LA Name", "Capacity at May 2010", "Capacity at May 2019", "Capacity at the start"],
        [301, "Barking and Dagenham", 18107, 26896, 1],
        [302, "Barnet", 25503, 31738, 2],
    ]
    text = "version: 1\nlayout:\n  columns: {{id: LA Code, name: LA Name, previous: '{p}', current: '{c}'}}\n"
    rules = parse_rules(text.format(p="Capacity at May 2010", c="Capacity at May 2019"), "r.yaml")
    table = read_table(Grid(sheet="S", values=rows), rules)
    assert (table.period.current, table.period.previous) == ("May 2019", "May 2010")
    assert not table.warnings
    rules = parse_rules(text.format(p="Capacity at May 2010", c="Capacity at the start"), "r.yaml")
    table = read_table(Grid(sheet="S", values=rows), rules)
    assert "SC205" in {f.code for f in table.warnings}


def test_a_figure_column_the_rules_name_takes_the_one_period_its_header_names():
    """ONS smoking prevalence: '2021 Current smokers %' against '2020 Current smokers %' is 2021 against 2020;
    columns naming periods of two kinds name none, with the warnings."""
    from scorecard.core.reading import Grid, read_table
    from scorecard.core.rules import parse_rules

    rows = [
        ["Code", "2021 \nCurrent smokers \n%", "2020 \nCurrent smokers \n%", "Q1 2020/21 smokers"],
        ["E1", 17.3, 18.0, 1],
    ]
    text = "version: 1\nlayout:\n  columns: {{id: Code, current: '{c}', previous: '{p}'}}\n"
    rules = parse_rules(text.format(c="2021 Current smokers %", p="2020 Current smokers %"), "r.yaml")
    table = read_table(Grid(sheet="S", values=rows), rules)
    assert (table.period.current, table.period.previous) == ("2021", "2020") and not table.warnings
    rules = parse_rules(text.format(c="2021 Current smokers %", p="Q1 2020/21 smokers"), "r.yaml")
    assert {"SC205", "SC206"} <= {f.code for f in read_table(Grid(sheet="S", values=rows), rules).warnings}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Apr 2024 - Jun 2024", "April to June 2024"),
        ("Nov 2024 to Jan 2025", "November 2024 to January 2025"),
        ("P6 24/25", "September 2024"),
        ("Period 12 2024/25", "March 2025"),
        ("M4 2024/25", "July 2024"),
        ("Medi 2024 / September 2024", "September 2024"),
    ],
)
def test_more_period_spellings_councils_use(text, name):
    assert parse_period(text).name == name


@pytest.mark.parametrize("text", ["Apr 2024 - Jul 2024", "P13 24/25", "Sep-24 / Oct-24", "Month 6"])
def test_spellings_that_name_no_one_period_name_none(text):
    assert parse_period(text) is None
