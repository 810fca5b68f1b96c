"""Targets and floors typed as text, as scorecards write them: read as the analyst reads them, and never
dropped in silence (a KPI rated without its target gets another colour)."""

from __future__ import annotations

import pytest
import xlsxwriter

from clirun import run_cli
from expect import codes
from scorecard.core.reading import Grid, read_table
from scorecard.core.rules import parse_rules
from scorecard.core.thresholds import Threshold, parse_threshold
from scorecard.workbook.book import read_grid

READ = {
    "85%": Threshold(85),
    " 85 % ": Threshold(85),
    "≥ 85%": Threshold(85, "at least"),
    ">=85%": Threshold(85, "at least"),
    "=> 85": Threshold(85, "at least"),
    "> 85%": Threshold(85, "at least", strict=True),
    "At least 85%": Threshold(85, "at least"),
    "at least: 85%": Threshold(85, "at least"),
    "Minimum 90%": Threshold(90, "at least"),
    "min 90": Threshold(90, "at least"),
    "No less than 90%": Threshold(90, "at least"),
    "More than 90%": Threshold(90, "at least", strict=True),
    "85% or above": Threshold(85, "at least"),
    "85% and above": Threshold(85, "at least"),
    "85 or more": Threshold(85, "at least"),
    "85%+": Threshold(85, "at least"),
    "≤ 10%": Threshold(10, "at most"),
    "<=10": Threshold(10, "at most"),
    "< 10%": Threshold(10, "at most", strict=True),
    "Max 10%": Threshold(10, "at most"),
    "Max. 10%": Threshold(10, "at most"),
    "Maximum of 10%": Threshold(10, "at most"),
    "No more than 10%": Threshold(10, "at most"),
    "Up to 10%": Threshold(10, "at most"),
    "Below 10%": Threshold(10, "at most", strict=True),
    "10% or below": Threshold(10, "at most"),
    "10% or less": Threshold(10, "at most"),
    "12 days or fewer": Threshold(12, "at most"),
    "1,200": Threshold(1200),
    "1,200.5": Threshold(1200.5),
    "£1,200": Threshold(1200),
    "€ 3.5": Threshold(3.5),
    "12 days": Threshold(12),
    "20 working days": None,  # "working days" is not a unit scorecard knows: not guessed
    "−5": Threshold(-5),  # U+2212, a typographic minus
    "-5%": Threshold(-5),
    "85%*": Threshold(85),
    "85%†": Threshold(85),
    "85\u00a0%": Threshold(85),  # a no-break space, as Word pastes it
    ".5": Threshold(0.5),
    "95-100%": None,
    "95 – 100%": None,
    "85 (national)": None,
    "TBC": None,
    "see note": None,
    "1,20": None,
    "5.2%↑": None,
    "at least 5 or less": None,
    "": None,
}


@pytest.mark.parametrize("text", READ)
def test_threshold_text_is_read_as_written(text):
    assert parse_threshold(text) == READ[text]


RULES = """\
version: 1
layout:
  columns: {id: Ref, name: Indicator, polarity: Polarity, target: Target, floor: Floor, previous: May-18, \
current: Jun-18,
            rag: RAG, direction: DOT}
"""
HEADER = ["Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18", "RAG", "DOT"]


def one(polarity, target, floor, current, rules_tail=""):
    grid = Grid(
        sheet="Perf",
        values=[HEADER, ["K1", "Indicator one", polarity, target, floor, 70, current]],
        formats=[[None] * 9, ["General"] * 9],
    )
    return read_table(grid, parse_rules(RULES + rules_tail, "r.yaml"))


@pytest.mark.parametrize(
    "polarity, target, floor, current, read",
    [
        ("H", "≥ 85%", "75%", 80, (85, 75)),
        ("Higher is better", "85% or above", "Min 75%", 80, (85, 75)),
        ("L", "Max 10%", "15% or less", 12, (10, 15)),
        ("L", "1,200", "1,500", 1300, (1200, 1500)),
        ("H", "£1,200", "£1,000", 1100, (1200, 1000)),
        ("H", "−5", "-10", -7, (-5, -10)),
        ("L", "12 days or fewer", "20 days", 15, (12, 20)),
    ],
)
def test_a_worded_threshold_is_read_without_a_warning(polarity, target, floor, current, read):
    t = one(polarity, target, floor, current)
    assert (t.kpis[0].target, t.kpis[0].floor) == read and t.warnings == []


@pytest.mark.parametrize("target", ["95-100%", "85 (national)", "see note", "20 working days"])
def test_a_threshold_that_is_not_one_number_is_named_not_dropped_in_silence(target):
    t = one("H", target, "75%", 80)
    assert t.kpis[0].target is None
    (warning,) = t.warnings
    assert (warning.code, warning.where.cell) == ("SC404", "D2") and "rated without a target" in warning.message


@pytest.mark.parametrize("target", ["TBC", "n/a", "-"])
def test_no_target_yet_is_quietly_no_target(target):
    t = one("H", target, "75%", 80)
    assert t.kpis[0].target is None and t.warnings == []


def test_a_bound_against_the_polarity_is_a_warning():
    t = one("L", "≥ 5", None, 4)
    (warning,) = t.warnings
    assert (warning.code, warning.where.cell) == ("SC404", "D2")
    assert "should be at least 5, but the KPI is lower is better" in warning.message


def test_the_rules_value_wins_and_the_cell_text_is_not_checked():
    t = one("L", "≥ 5", None, 4, "kpis:\n  - {id: K1, target: 6}\n")
    assert t.kpis[0].target == 6 and t.warnings == []


def test_a_bound_gives_the_polarity_when_there_is_none():
    t = one(None, "≤ 10%", None, 8)
    assert t.kpis[0].polarity.value == "lower"
    assert [str(w) for w in t.warnings] == [
        "sheet 'Perf', row 2: KPI 'K1' has no polarity; taken as lower from its target D2 '≤ 10%'"
    ]


def test_a_figure_on_a_strict_threshold_is_warned_of():
    on = one("H", "> 85%", "75%", 85)
    assert codes(on.warnings) == ["SC405"] and "excludes 85 itself, but the current figure is 85" in str(on.warnings[0])
    assert one("H", "> 85%", "75%", 86).warnings == []  # above it: the colour is right either way
    floor = one("L", "< 10", "< 15", 15)
    assert [(w.code, w.where.cell) for w in floor.warnings] == [("SC405", "E2")]
    assert "the floor '< 15'" in floor.warnings[0].message


def test_text_thresholds_from_a_workbook_rate_as_their_numbers(tmp_path):
    """End to end: a workbook whose thresholds are text cells gets the colours their numbers give."""
    book = tmp_path / "kpis.xlsx"
    wb = xlsxwriter.Workbook(str(book), {"in_memory": True})
    ws = wb.add_worksheet("Perf")
    ws.write_row(0, 0, HEADER)
    rows = [
        ("K1", "Visits on time", "H", "≥ 85%", "75% or above", 80, 86),  # Green: 86 >= 85
        ("K2", "Cases open too long", "L", "Max 10", "No more than 15", 9, 12),  # Amber: 10 < 12 <= 15
        ("K3", "Spend", "H", "£1,200", "£1,000", 900, 950),
    ]  # Red: below the floor
    for r, row in enumerate(rows, start=1):
        ws.write_row(r, 0, row)
    wb.close()
    rules = tmp_path / "r.yaml"
    rules.write_text(RULES)
    assert run_cli("refresh", book, "--rules", rules, "--strict").returncode == 0
    grid = read_grid(book, "Perf")
    assert [grid.value(r, 8) for r in (2, 3, 4)] == ["Green", "Amber", "Red"]


# --- figures stored as text, as pasted from another system ---------------------------------------


@pytest.mark.parametrize(
    "current, read", [("86", 86), (" 86.5 ", 86.5), ("86%", 86), ("1,204", 1204), ("−3", -3), ("nil", 0)]
)
def test_a_number_stored_as_text_is_read_as_the_number_with_a_warning(current, read):
    t = one("H", 85, 75, current)
    assert t.kpis[0].current == read
    if current == "nil":  # nil is zero in UK statistics: nothing to say
        assert t.warnings == []
    else:
        (warning,) = t.warnings
        assert (warning.code, warning.where.cell) == ("SC302", "G2")
        assert f"as text, read as the number {read:g}" in warning.message
        assert "read as no data" not in warning.message


@pytest.mark.parametrize("current", ["eighty", "86 (est)", "≥ 86", "85-90", "3 weeks", "48 hours"])
def test_text_that_is_not_one_number_is_still_no_data(current):
    t = one("H", 85, 75, current)
    assert t.kpis[0].current is None
    (warning,) = t.warnings
    assert warning.code == "SC301" and warning.message.endswith("is not a figure; read as no data")


def test_text_numbers_in_a_history_are_read_and_named():
    rules = parse_rules(
        "version: 1\nlayout:\n  history: true\n  columns: {id: Ref, polarity: Polarity, target: Target, "
        "floor: Floor, rag: RAG, direction: DOT}\n",
        "r.yaml",
    )
    grid = Grid(
        sheet="Perf",
        values=[
            ["Ref", "Polarity", "Target", "Floor", "Apr-18", "May-18", "Jun-18", "RAG", "DOT"],
            ["K1", "H", 85, 75, "80", 82, 86],
        ],
    )
    t = read_table(grid, rules)
    assert t.kpis[0].history == (80, 82, 86)
    (warning,) = t.warnings
    assert (warning.code, warning.where.cell) == ("SC302", "E2")
    assert str(warning) == (
        "sheet 'Perf', cell E2: holds '80' as text, read as the number 80 (Excel's SUM and AVERAGE skip such "
        "text: convert it to a number); read so in the history of KPI 'K1'"
    )


@pytest.mark.parametrize("percent", ["format", "fraction"])
def test_a_fraction_typed_as_text_where_percentages_are_fractions_is_no_data(percent):
    """'0.85' as text among fractions read as percentages: 0.85% or 85%? Not guessed; '86%' says its scale."""
    rules = parse_rules(
        "version: 1\nlayout:\n  history: true\n  percent: " + percent + "\n  columns: {id: Ref, polarity: "
        "Polarity, target: Target, floor: Floor, rag: RAG, direction: DOT}\ndefaults: {unit: percent}\n",
        "r.yaml",
    )
    fmt = "0.0%" if percent == "format" else "General"
    grid = Grid(
        sheet="Perf",
        values=[
            ["Ref", "Polarity", "Target", "Floor", "Apr-18", "May-18", "Jun-18", "RAG", "DOT"],
            ["K1", "H", 85, 75, "0.85", "86%", 0.87],
        ],
        formats=[[None] * 9, ["General"] * 4 + [fmt] * 3 + ["General"] * 2],
    )
    t = read_table(grid, rules)
    assert t.kpis[0].history == (None, 86, 87)
    assert ("SC305", "E2") in [(w.code, w.where.cell) for w in t.warnings], t.warnings
