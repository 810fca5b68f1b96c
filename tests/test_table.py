"""Finding and reading the KPI table in a plain grid of cells (no workbook library involved)."""

from __future__ import annotations

import datetime as dt

import pytest

from expect import codes
from scorecard.core.model import Polarity
from scorecard.core.periods import between, parse_period
from scorecard.core.reading import CellError, Grid, is_percent_format, read_table, read_value
from scorecard.core.rules import parse_rules
from scorecard.errors import WorkbookError

RULES = """\
version: 1
title: Test
layout:
  columns: {id: Ref, name: Indicator, current: Jun-18, previous: May-18, target: Target, floor: Floor,
            polarity: Polarity, commentary: Commentary}
"""

HEADER = ["Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18", "Commentary"]


def grid(rows, formats=None, sheet="Scorecard"):
    return Grid(sheet=sheet, values=rows, formats=formats)


def table(rows, rules_text=RULES, **kw):
    return read_table(grid(rows, kw.pop("formats", None)), parse_rules(rules_text, "r.yaml"), **kw)


def test_title_rows_headings_and_notes_are_skipped():
    rows = [
        ["Children in Care Scorecard"],
        ["June 2018"],
        [],
        HEADER,
        ["Health"],  # a section heading in the id column: no figures
        ["K1", "One", "H", 85, 75, 80, 86, "Better."],
        [None, "continuation text"],
        ["K2", "Two", "L", 15, 18, 17, 15.8],
        [],
        ["Note: illustrative"],
    ]
    t = table(rows)
    assert t.header_row == 4
    assert [(k.id, k.row) for k in t.kpis] == [("K1", 6), ("K2", 8)]
    assert t.kpis[0].commentary == "Better."
    assert t.kpis[1].polarity is Polarity.LOWER
    assert t.period.current == "June 2018" and t.period.previous == "May 2018"
    assert t.added_columns == {"rag": 9, "direction": 10}


def test_header_match_ignores_case_and_outer_spaces():
    rows = [
        ["  REF ", "indicator", "POLARITY", "target", "Floor ", "may-18", "JUN-18", "commentary"],
        ["K1", "x", "h", 1, 0, 1, 1],
    ]
    assert table(rows).kpis[0].id == "K1"


def test_percent_formatted_fractions_are_percent_points():
    rows = [HEADER, ["K1", "x", "H", 0.85, 0.75, 0.461, 0.484]]
    formats = [[None] * 8, [None, None, None, "0%", "0.0%", "0.0%", "0.0%", None]]
    kpi = table(rows, formats=formats).kpis[0]
    assert (kpi.target, kpi.floor, kpi.previous, kpi.current) == (85.0, 75.0, 46.1, 48.4)
    assert kpi.unit == "percent"


def test_percent_format_detection():
    assert is_percent_format("0.0%") and is_percent_format("0%;[Red]-0%")
    assert not is_percent_format('0.0" %"') and not is_percent_format("0.0\\%") and not is_percent_format("General")
    assert read_value(0.575, "0.0%") == (57.5, None)


@pytest.mark.parametrize("cell", [None, "", "N/A", "-", " n/a "])
def test_no_data_cells(cell):
    assert read_value(cell, None) == (None, None)


@pytest.mark.parametrize("cell", [CellError("#DIV/0!"), "#N/A", " #ref! "])
def test_an_error_value_is_no_data_with_a_doubt(cell):
    value, doubt = read_value(cell, None)
    assert value is None and doubt is not None and doubt.code == "SC304"


def test_text_in_a_value_cell_is_no_data_with_a_warning():
    rows = [HEADER, ["K1", "x", "H", 85, 75, "forty", 80]]
    t = table(rows)
    assert t.kpis[0].previous is None
    assert [(f.code, f.where.cell) for f in t.warnings] == [("SC301", "F2")]


def test_rules_win_over_workbook_columns():
    text = RULES + "kpis:\n  - {id: K1, polarity: lower, target: 10, floor: 12, name: From rules}\n"
    kpi = table([HEADER, ["K1", "From book", "H", 85, 75, 11, 11]], text).kpis[0]
    assert (kpi.polarity, kpi.target, kpi.floor, kpi.name) == (Polarity.LOWER, 10, 12, "From rules")


def test_polarity_inferred_from_target_and_floor_with_a_warning():
    t = table([HEADER, ["K1", "x", None, 15, 18, 17, 16]])
    assert t.kpis[0].polarity is Polarity.LOWER
    assert codes(t.warnings) == ["SC403"]


def test_errors_name_sheet_and_cell():
    with pytest.raises(WorkbookError, match=r"sheet 'Scorecard', cell C2: polarity 'sideways'"):
        table([HEADER, ["K1", "x", "sideways", 85, 75, 1, 1]])
    with pytest.raises(WorkbookError, match=r"appears twice \(rows 2 and 3\)"):
        table([HEADER, ["K1", "x", "H", 85, 75, 1, 1], ["K1", "y", "H", 85, 75, 1, 1]])
    with pytest.raises(WorkbookError, match=r"floor 90 is above target 80"):
        table([HEADER, ["K1", "x", "H", 80, 90, 1, 1]])
    with pytest.raises(WorkbookError, match=r"no column headed 'Jun-18'.*did you mean 'Jun-19'"):
        table([["Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-19", "Commentary"], ["K1"]])
    with pytest.raises(WorkbookError, match=r"no header cell reading 'Ref'"):
        table([["Id", "x"], ["K1", 1]])
    with pytest.raises(WorkbookError, match="row 1: no KPI rows under this header row"):
        table([HEADER, ["Section"]])
    with pytest.raises(WorkbookError, match=r"two columns are headed 'Target' \(D1 and H1\)"):
        table([["Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18", "Target"], ["K1"]])


def test_rules_kpi_missing_from_workbook_is_a_warning():
    t = table([HEADER, ["K1", "x", "H", 85, 75, 1, 1]], RULES + "kpis:\n  - {id: K9, polarity: higher}\n")
    assert [(f.code, f.where.line) for f in t.warnings] == [("SC507", 7)]


def test_history_layout_takes_the_newest_month_with_data():
    rules_text = (
        "version: 1\nlayout:\n  history: true\n  columns: {id: KPI, target: Goal, floor: Minimum, polarity: Better}\n"
    )
    months = [dt.datetime(2018, m, 1) for m in (3, 4, 5, 6, 7)]
    rows = [
        ["KPI", "Better", "Goal", "Minimum", *months],
        ["A", "H", 90, 80, 70, 75, 81, 92, None],
        ["B", "L", 5, 8, 9, 7, 6, 4],
    ]
    t = read_table(grid(rows), parse_rules(rules_text, "r.yaml"))
    assert t.period.current == "June 2018" and t.period.previous == "May 2018"
    assert [(k.current, k.previous) for k in t.kpis] == [(92, 81), (4, 6)]


def test_period_override_and_rules_period():
    rows = [
        ["Ref", "Indicator", "Polarity", "Target", "Floor", "Last", "This", "Commentary"],
        ["K1", "x", "H", 85, 75, 1, 1],
    ]
    text = RULES.replace("Jun-18", "This").replace("May-18", "Last")
    unnamed = table(rows, text)
    assert (unnamed.period.current, unnamed.period.previous) == ("the period headed ‘This’", "the period headed ‘Last’")
    assert [(f.code, f.where.cell) for f in unnamed.warnings] == [("SC205", "G1"), ("SC206", "F1")]
    overridden = table(rows, text, period="June 2018")  # no column says the previous one is May
    assert (overridden.period.current, overridden.period.previous) == ("June 2018", "the period before June 2018")
    assert [(f.code, f.where.cell) for f in overridden.warnings] == [("SC206", "F1")]
    named = table(rows, text + "period: {current: Q1 2019, previous: Q4 2018}\n")
    assert (named.period.current, named.period.previous, named.warnings) == ("Q1 2019", "Q4 2018", [])


@pytest.mark.parametrize(
    "text, month",
    [
        ("Jun-18", (2018, 6)),
        ("June 2018", (2018, 6)),
        ("Sept 2019", (2019, 9)),
        ("2018-06", (2018, 6)),
        ("06/2018", (2018, 6)),
        (dt.date(2018, 6, 30), (2018, 6)),
        ("Junk-18", None),
        ("Target", None),
        (5, None),
    ],
)
def test_month_headers(text, month):
    period = parse_period(text)
    read = None if period is None or period.kind != "month" else (period.start // 12, period.start % 12 + 1)
    assert read == month


def test_month_names():
    assert parse_period("Jun-18").name == "June 2018"
    assert between("May 2018", "June 2018") == "May and June 2018"
    assert between("December 2017", "January 2018") == "December 2017 and January 2018"


def test_layout_percent_fraction_and_points():
    rules_text = RULES.replace("columns:", "percent: fraction\n  columns:") + "defaults: {unit: percent}\n"
    rows = [HEADER, ["K1", "x", "H", 0.85, 0.75, 0.461, 0.484], ["K2", "count", "H", 10, 5, 8, 9]]
    text = rules_text + "kpis:\n  - {id: K2, unit: number}\n"
    k1, k2 = table(rows, text).kpis  # no number formats at all: what an engine that cannot read them sees
    assert (k1.target, k1.floor, k1.previous, k1.current) == (85.0, 75.0, 46.1, 48.4)
    assert (k2.target, k2.current) == (10, 9)
    points = RULES.replace("columns:", "percent: points\n  columns:")
    formats = [[None] * 8, [None, None, None, "0%", "0%", "0.0%", "0.0%", None]]
    kpi = table([HEADER, ["K1", "x", "H", 85, 75, 46.1, 48.4]], points, formats=formats).kpis[0]
    assert (kpi.target, kpi.current) == (85, 48.4)


def test_target_floor_and_polarity_columns_the_rules_leave_out_are_read_by_their_plain_headers():
    """Rules naming only the id: 'Target', 'Floor standard' and 'Good is' columns are read (shown as inferred),
    never a 'Good is' column whose cells are not all polarities (a guess must not refuse the workbook)."""
    from scorecard.core.reading import Grid, read_table
    from scorecard.core.reading.explain import explain_lines
    from scorecard.core.rules import parse_rules

    rules = parse_rules("version: 1\nlayout:\n  history: true\n  columns: {id: Ref}\n", "r.yaml")
    rows = [
        ["Ref", "Description", "Good is", "Target", "Floor standard", "Jul-24", "Aug-24"],
        ["MR01", "Recycling rate (%)", "High", 50, 45, 46, 51],
        ["MR02", "Residual waste (kg)", "Aim: Minimise", 110, 120, 118.2, 121],
    ]
    table = read_table(Grid(sheet="S", values=rows), rules)
    assert [(k.target, k.floor, k.polarity.value if k.polarity else None) for k in table.kpis] == [
        (50, 45, "higher"),
        (110, 120, "lower"),
    ]
    assert "    D   target       'Target'*                      by its usual header" in explain_lines(table, rules)
    rows[2][2] = "See note 3"  # not a polarity: the column is not taken, and nothing is refused
    table = read_table(Grid(sheet="S", values=rows), rules)
    assert "polarity" not in table.columns and table.columns["target"] == 4


@pytest.mark.parametrize("text", ["Monitor only", "Contextual", "For information", "No target", "Baseline year"])
def test_a_target_cell_saying_the_measure_has_none_is_an_activity_indicator_quietly(text):
    from scorecard.core.reading import Grid, read_table
    from scorecard.core.rules import parse_rules

    rules = parse_rules("version: 1\nlayout:\n  columns: {id: Ref, target: Target, current: Aug-24}\n", "r.yaml")
    table = read_table(Grid(sheet="S", values=[["Ref", "Target", "Aug-24"], ["C01", text, 12]]), rules)
    assert table.kpis[0].target is None and not table.warnings


def test_an_accountants_bracketed_minus_typed_as_text_is_read_as_a_negative_number_with_a_warning():
    from scorecard.core.reading import read_value

    assert read_value("(5)", None)[0] == -5 and read_value("(1,234)", None)[0] == -1234
    assert read_value("(5)", None)[1].code == "SC302"
    assert read_value("(g)", None) == (None, read_value("(g)", None)[1]) and read_value("(g)", None)[1].code == "SC301"


@pytest.mark.parametrize(
    ("text", "way"),
    [
        ("Aim: Minimise", "lower"),
        ("Aim to reduce", "lower"),
        ("Aim - Maximise", "higher"),
        ("Aim to increase", "higher"),
    ],
)
def test_a_polarity_cell_with_its_aim_written_out_is_read_past_the_aim(text, way):
    from scorecard.core.polarity import Polarity

    assert (
        Polarity.from_cell(text) is Polarity(way) and Polarity.from_cell("Aim") is None and Polarity.parse(text) is None
    )


@pytest.mark.parametrize(
    ("setting", "current", "codes"),
    [(None, "October 2024", {"SC207"}), ("skip", "September 2024", set()), ("rate", "October 2024", set())],
)
def test_a_hidden_period_column_is_warned_skipped_or_rated_as_the_rules_say(setting, current, codes):
    """October hidden while it is filled in: read with a warning naming its header cell, or left out (the newest
    period the sheet shows is then the current one), or read quietly, as layout.hidden_columns says."""
    from scorecard.core.reading import Grid, read_table
    from scorecard.core.rules import parse_rules

    said = f"\n  hidden_columns: {setting}" if setting else ""
    rules = parse_rules(f"version: 1\nlayout:\n  history: true{said}\n  columns: {{id: Ref}}\n", "r.yaml")
    rows = [["Ref", "Jul-24", "Aug-24", "Sep-24", "Oct-24"], ["K1", 1, 2, 3, 4], ["K2", 5, 6, 7, None]]
    table = read_table(Grid(sheet="S", values=rows, hidden_columns=frozenset({5})), rules)
    assert table.period.current == current
    assert {f.code for f in table.warnings} == codes
    assert all(f.where.cell == "E1" for f in table.warnings)


def test_a_period_written_twice_down_the_rows_of_a_table_read_across_is_said_in_rows():
    from scorecard.core.reading import Grid, read_table
    from scorecard.core.rules import parse_rules

    rules = parse_rules("version: 1\nlayout:\n  kpis_in: columns\n  history: true\n  columns: {id: Indicator}\n", "r")
    rows = [["Indicator", "C1a"], ["Feb 2022", 1], ["Mar 2022", 2], ["Mar 2022", 3]]
    with pytest.raises(WorkbookError, match=r"two rows are headed March 2022 \(A3 and A4\).* one row "):
        read_table(Grid(sheet="Data", values=rows), rules)


def _read(rows, text="version: 1\nlayout:\n  history: true\n  columns: {id: Ref}\n"):
    from scorecard.core.reading import Grid, read_table
    from scorecard.core.rules import parse_rules

    return read_table(Grid(sheet="S", values=rows), parse_rules(text, "r.yaml"))


@pytest.mark.parametrize(
    ("green", "red", "cells", "polarity"),
    [
        ("Green >=", "Red <", (95, 90), "higher"),
        ("Green", "Red", ("≥ 95%", "< 90%"), "higher"),
        ("Green", "Red", ("≤ 25", "> 35"), "lower"),
    ],
)
def test_a_rag_key_written_as_columns_is_the_target_floor_and_polarity(green, red, cells, polarity):
    table = _read([["Ref", green, "Amber", red, "Aug-24", "Sep-24"], ["K1", cells[0], "between", cells[1], 30, 31]])
    kpi = table.kpis[0]
    assert (kpi.target, kpi.floor, kpi.polarity.value) == (
        float(str(cells[0]).strip("≥≤ %")),
        float(str(cells[1]).strip("<> %")),
        polarity,
    )
    assert not table.warnings


def test_a_polarity_column_and_no_target_or_floor_column_is_a_warning_not_a_quiet_not_rated():
    table = _read([["Ref", "Polarity", "Aug-24", "Sep-24"], ["K1", "Higher", 30, 31], ["K2", "Lower", 5, 4]])
    assert [f.code for f in table.warnings] == ["SC410"] and table.warnings[0].where.column == "B"


def test_another_table_beside_the_table_is_a_warning_naming_its_header():
    header = ["Ref", "Aug-24", "Sep-24"]
    table = _read([[*header, None, *header], ["K1", 1, 2, None, "H1", 3, 4]])
    assert [k.id for k in table.kpis] == ["K1"]
    assert [(f.code, f.where.cell) for f in table.warnings] == [("SC113", "E1")]


def test_a_table_stacked_under_with_other_periods_is_refused_naming_its_header():
    rows = [["Ref", "Aug-24", "Sep-24"], ["K1", 1, 2], [], ["Ref", "Q1 2024/25", "Q2 2024/25"], ["K2", 3, 4]]
    with pytest.raises(WorkbookError, match=r"cell B4: the header repeated in row 4 heads column B Q1 2024/25"):
        _read(rows)


def test_rows_of_one_id_naming_different_measures_are_a_duplicated_id_not_breakdowns():
    rows = [
        ["Ref", "Service", "Indicator", "Aug-24", "Sep-24"],
        ["RV02", "Benefits", "Days to process claims", 19, 26],
        ["RV02", "Customer Services", "Complaints answered (%)", 96, 92],
    ]
    with pytest.raises(WorkbookError, match="KPI id 'RV02' appears twice"):
        _read(rows)


@pytest.mark.parametrize(
    ("tolerance", "rags"), [("+/- 2%", ["Red", "Green"]), ("±5", ["Green", "Green"]), (2, ["Red", "Green"])]
)
def test_a_close_to_target_kpis_band_comes_from_its_tolerance_column(tolerance, rags):
    from scorecard.core.engine import evaluate

    rows = [["Ref", "Polarity", "Target", "Tolerance", "Aug-24", "Sep-24"], ["K1", "Target", 0, tolerance, 1.5, -3.0]]
    table = _read(rows)
    assert table.kpis[0].green_within == float(str(tolerance).strip("+/-±% "))
    card = evaluate(table.kpis, title="T", period=table.period)
    assert [card.kpis[0].rag.value, card.kpis[0].previous_rag.value] == rags
    assert not table.warnings


def test_a_close_to_target_kpi_with_no_band_is_a_warning_naming_its_target():
    table = _read([["Ref", "Polarity", "Target", "Aug-24", "Sep-24"], ["K1", "Close to target", 88, 88, 87]])
    assert [(f.code, f.where.cell) for f in table.warnings] == [("SC411", "C2")]


def test_previous_and_current_columns_headed_in_words_take_the_periods_written_above_them():
    rows = [[None, None, "Aug-24", "Sep-24"], ["Ref", "Polarity", "Previous", "Current"], ["K1", "Higher", 1, 2]]
    text = "version: 1\nlayout:\n  columns: {id: Ref, previous: Previous, current: Current}\n"
    table = _read(rows, text)
    assert (table.period.current, table.period.previous) == ("September 2024", "August 2024")


def test_a_kpi_written_over_two_rows_is_named_by_both_lines():
    from scorecard.core.reading import Grid, read_table
    from scorecard.core.rules import parse_rules

    rows = [
        ["Ref", "Indicator", "Aug-24", "Sep-24"],
        ["RV02", "Average days to process new", 19, 26],
        [None, "benefit claims", None, None],
    ]
    rules = parse_rules("version: 1\nlayout:\n  history: true\n  columns: {id: Ref}\n", "r.yaml")
    table = read_table(Grid(sheet="S", values=rows, merged=[(2, 1, 3, 1)]), rules)
    assert [k.name for k in table.kpis] == ["Average days to process new benefit claims"]


def test_a_close_to_target_kpi_whose_target_is_text_is_not_rated_with_a_warning_naming_the_cell():
    table = _read(
        [
            ["Ref", "Polarity", "Target", "Aug-24", "Sep-24"],
            ["K1", "Uwch / Higher", 5, 1, 2],
            ["K2", "Target", "85-90%", 88, 93],
        ]
    )
    assert table.kpis[0].polarity.value == "higher" and table.kpis[1].target is None
    assert [(f.code, f.where.cell) for f in table.warnings] == [("SC404", "C3")]


def test_status_columns_headed_r_a_g_with_ticks_are_no_rag_key():
    """'R', 'A', 'G' columns ticked by hand (1 or blank) say a status, not thresholds: never a target and floor."""
    table = _read(
        [["Ref", "R", "A", "G", "Aug-24", "Sep-24"], ["K1", None, None, 1, 30, 31], ["K2", 1, None, None, 5, 4]]
    )
    assert "target" not in table.columns and "floor" not in table.columns
    assert all(k.target is None and k.floor is None for k in table.kpis)
