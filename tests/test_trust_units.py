"""Units, scale and precision: never silent, on plain grids and on generated workbooks.

Every expected value here is worked out by hand from the figures in the test, not by the code.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from openpyxl.styles.numbers import BUILTIN_FORMATS

from clirun import run_cli
from scorecard.core.engine import direction, rate
from scorecard.core.model import Direction, Rag
from scorecard.core.numfmt import format_decimals, general_decimals, is_general, is_percent
from scorecard.core.reading import Grid, read_table
from scorecard.core.rules import parse_rules
from scorecard.errors import RulesError
from scorecard.excel import functions as udfs

# --- the number format parser ------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, decimals",
    [
        ("0.00", 2),
        ("0.0%", 1),
        ("0%", 0),
        ("#,##0", 0),
        ("#,##0.000", 3),
        ("0.0;[Red]-0.0", 1),
        ("0.00;-0.0;0", 2),
        ("General", None),
        ("general", None),
        ('"£"#,##0.00', 2),
        ("£#,##0.00", 2),
        ("[$£-809]#,##0.00", 2),
        ("[$-409]0.0", 1),
        ('0.0" pts"', 1),
        ('"Rate: "0.000', 3),
        ("0.0\\%", 1),
        ('0" days"', 0),
        ('0.0 "%"', 1),
        ("[Blue]0.00;[Red]-0.00", 2),
        ("[>=100]0;0.00", 0),
        ("0.###", 3),
        ("#.##", 2),
        ("??0.0?", 2),
        ('_-* #,##0.00_-;-* #,##0.00_-;_-* "-"??_-;_-@_-', 2),
        ("0.0_)", 1),
        ("* 0.0", 1),
        ("@", None),
        ('"n/a"', None),
        ("0.00E+00", None),
        ("##0.0E+0", None),
        ("# ?/?", None),
        ("dd/mm/yyyy", None),
        ("mmm-yy", None),
        ("h:mm:ss", None),
        ("[h]:mm", None),
        ("#,##0.0,", None),
        ('0.0,,"m"', None),
        ("#,##0,", None),
        ('0.0;0.0;"-"', 1),
        ("\\£0.00", 2),
        (";;;", None),
    ],
)
def test_decimals_of_a_format_code(code, decimals):
    assert format_decimals(code) == decimals


# Excel's built-in formats (openpyxl's table of them), decimals counted by hand from each code. Number 44
# is left out: openpyxl spells it without its section separators (Excel's own, with them, is tested above).
BUILTIN_DECIMALS = {
    0: None,
    1: 0,
    2: 2,
    3: 0,
    4: 2,
    5: 0,
    6: 0,
    7: 2,
    8: 2,
    9: 0,
    10: 2,
    11: None,
    12: None,
    13: None,
    14: None,
    15: None,
    16: None,
    17: None,
    18: None,
    19: None,
    20: None,
    21: None,
    22: None,
    37: 0,
    38: 0,
    39: 2,
    40: 2,
    41: 0,
    42: 0,
    43: 2,
    45: None,
    46: None,
    47: None,
    48: None,
    49: None,
}


@pytest.mark.parametrize("number", sorted(BUILTIN_DECIMALS))
def test_decimals_of_excels_builtin_formats(number):
    assert format_decimals(BUILTIN_FORMATS[number]) == BUILTIN_DECIMALS[number], BUILTIN_FORMATS[number]


def test_general_and_percent_are_told_apart():
    assert is_general("General") and is_general("") and not is_general("0.0") and not is_general("0%")
    assert is_percent("0.0%") and is_percent("0%;[Red]-0%") and is_percent('"Share "0.0%')
    assert not is_percent('0.0" %"') and not is_percent("0.0\\%") and not is_percent("General") and not is_percent(None)


@pytest.mark.parametrize(
    "number, decimals",
    [
        (85, 0),
        (85.0, 0),
        (0.612, 3),
        (84.96, 2),
        (84.96000000000001, 2),
        (0.1 + 0.2, 1),
        (200 / 3, 8),
        (-1.25, 2),
        (1234567.891, 3),
        (1.2345e-05, 9),
        (1e20, 0),
        (0, 0),
    ],
)
def test_a_general_cell_shows_its_number_to_ten_significant_digits(number, decimals):
    assert general_decimals(number) == decimals


# --- plain grids --------------------------------------------------------------------------------

RULES = """\
version: 1
layout:
  columns: {id: Ref, name: Indicator, polarity: Polarity, target: Target, floor: Floor, previous: May-18,
            current: Jun-18, numerator: Numerator, denominator: Denominator}
"""
HEADER = ["Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18", "Numerator", "Denominator"]
COLUMNS = {"polarity": 2, "target": 3, "floor": 4, "previous": 5, "current": 6, "numerator": 7, "denominator": 8}
G = "General"


def one_row(cells: dict[str, tuple[Any, str | None]], rules_tail: str = "", *, formats: bool = True):
    """A table of one KPI 'K1'; ``cells`` maps field -> (value, number format)."""
    values: list[Any] = ["K1", "Indicator one", None, None, None, None, None, None, None]
    fmts: list[str | None] = [G] * len(values)
    for name, (value, fmt) in cells.items():
        values[COLUMNS[name]], fmts[COLUMNS[name]] = value, fmt
    grid = Grid(sheet="Perf", values=[HEADER, values], formats=[[None] * len(HEADER), fmts] if formats else None)
    return read_table(grid, parse_rules(RULES + rules_tail, "r.yaml"))


def scale_warnings(table) -> list[str]:
    return [str(w) for w in table.warnings if w.code == "SC601"]


PERCENT = "defaults: {unit: percent}\n"

# Each: cells, rules, the cells/lines the warning must name, figures read after any correction.
MISMATCHES = {
    "fraction-in-general-beside-sheet-target": (
        {"current": (0.612, G), "target": (70, G), "floor": (60, G), "polarity": ("H", None)},
        PERCENT,
        ["current G2 0.612 (General)", "target D2 70 (General)", "floor E2 60 (General)"],
        {"current": 0.612},
    ),
    "fraction-in-general-corrected-by-percent-neighbours": (
        {"current": (0.612, G), "previous": (0.598, "0.0%"), "target": (0.70, "0%"), "polarity": ("H", None)},
        "",
        ["current G2 0.612 (General)", "read as 61.2% for this refresh"],
        {"current": 61.2, "previous": 59.8, "target": 70},
    ),
    "sheet-target-as-a-fraction-beside-88-percent": (
        {"current": (0.88, "0.0%"), "previous": (0.86, "0.0%"), "target": (0.9, G), "polarity": ("H", None)},
        "",
        ["target D2 0.9 (General)", "current G2 88% (holds 0.88, format 0.0%)", "read as 90%"],
        {"target": 90, "current": 88},
    ),
    "rules-target-as-a-fraction": (
        {"current": (0.71, "0%"), "previous": (0.69, "0%")},
        "kpis:\n  - id: K1\n    polarity: higher\n    target: 0.75\n",
        ["target 0.75 (rules line 8)", "write 75", "rated as the figures stand"],
        {"target": 0.75, "current": 71},
    ),
    "points-typed-in-a-percent-cell": (
        {"current": (55.2, "0.0%"), "previous": (0.54, "0.0%"), "target": (0.6, "0%"), "polarity": ("H", None)},
        "",
        ["current G2 5520% (holds 55.2, format 0.0%)", "enter 0.552", "read as 55.2%"],
        {"current": 55.2, "target": 60},
    ),
    "points-in-a-percent-cell-beside-a-rules-target-only": (
        {"current": (55.2, "0.0%")},
        "kpis:\n  - {id: K1, polarity: higher, target: 60}\n",
        ["current G2 5520%", "target 60 (rules line 6)"],
        {"current": 5520},
    ),
    "lower-is-better-thresholds-as-fractions": (
        {"current": (0.12, "0.0%"), "previous": (0.14, "0.0%")},
        "kpis:\n  - id: K1\n    polarity: lower\n    target: 0.1\n    floor: 0.15\n",
        ["target 0.1 (rules line 8)", "floor 0.15 (rules line 9)"],
        {"target": 0.1, "floor": 0.15},
    ),
    "two-sided-fraction-in-general": (
        {"current": (0.49, G), "previous": (0.51, G)},
        PERCENT + "kpis:\n  - {id: K1, polarity: target, target: 50, green_within: 2}\n",
        ["current G2 0.49 (General)", "previous F2 0.51 (General)", "target 50 (rules line 7)"],
        {"current": 0.49},
    ),
    "text-target-as-a-fraction": (
        {"current": (0.88, "0.0%"), "previous": (0.86, "0.0%"), "target": (" 0.9 ", "0%"), "polarity": ("H", None)},
        "",
        ["target D2 '0.9' (text)", "holds the fraction 0.9", "read as 90%"],
        {"target": 90},
    ),
    "a-percent-cell-100-times-below-last-month": (  # 0.0085 typed for 0.85: it shows 0.9% beside 84% (not corrected)
        {"current": (0.0085, "0.0%"), "previous": (0.84, "0.0%"), "target": (0.85, "0%"), "polarity": ("H", None)},
        "",
        [
            "current G2 0.85% (holds 0.0085, format 0.0%)",
            "cell G2 shows 0.85% (it holds 0.0085): if it should be 85%, enter 0.85",
            "rated as the figures stand",
        ],
        {"current": 0.85},
    ),
    "rules-fraction-beside-a-small-percentage-cell": (  # only the rules' 0.85 is a slip: 1.0% in a % cell is not
        {"current": (0.01, "0.0%"), "previous": (0.88, "0.0%")},
        "kpis:\n  - {id: K1, polarity: higher, target: 0.85}\n",
        ["target 0.85 (rules line 6)", "current G2 1% (holds 0.01, format 0.0%)", "write 85"],
        {"target": 0.85, "current": 1},
    ),
    "fraction-in-a-number-format-beside-points": (
        {"current": (0.612, "0.000"), "target": (70, "0.0"), "floor": (60, "0.0"), "polarity": ("H", None)},
        PERCENT,
        ["current G2 0.612 (format 0.000)"],
        {"current": 0.612},
    ),
}


@pytest.mark.parametrize(
    "name", ["Percentage of visits on time", "Visits on time (%)", "Proportion of plans reviewed", "% of CIC placed"]
)
def test_a_kpi_named_as_a_percentage_is_checked_for_scale(name):
    values = ["K1", name, "H", 70, 60, None, 0.612] + [None, None]
    t = read_table(
        Grid(sheet="Perf", values=[HEADER, values], formats=[[None] * 9, [G] * 9]), parse_rules(RULES, "r.yaml")
    )
    assert (
        len(scale_warnings(t)) == 1
        and "named" in scale_warnings(t)[0]
        and "current G2 0.612 (General)" in scale_warnings(t)[0]
    )
    assert t.kpis[0].unit == "number"  # only checked: the unit is still what the rules and formats say
    counted = read_table(
        Grid(sheet="Perf", values=[HEADER, values], formats=[[None] * 9, [G] * 9]),
        parse_rules(RULES + "kpis:\n  - {id: K1, unit: count}\n", "r.yaml"),
    )
    assert counted.warnings == []  # the rules say it is a count
    other = read_table(
        Grid(
            sheet="Perf",
            values=[HEADER, ["K1", "Visits per worker", "H", 70, 60, None, 0.612]],
            formats=[[None] * 9, [G] * 9],
        ),
        parse_rules(RULES, "r.yaml"),
    )
    assert other.warnings == []


@pytest.mark.parametrize("case", MISMATCHES)
def test_a_percentage_100_fold_out_is_named(case):
    cells, rules_tail, named, read = MISMATCHES[case]
    t = one_row(cells, rules_tail)
    found = scale_warnings(t)
    assert len(found) == 1, t.warnings
    assert found[0].startswith("sheet 'Perf', row 2: KPI 'K1': its percentages differ about 100-fold")
    for text in named:
        assert text in found[0], found[0]
    kpi = t.kpis[0]
    for name, value in read.items():
        assert getattr(kpi, name) == pytest.approx(value)


CONSISTENT = {
    "rate-per-10000": (
        {"current": (0.4, G), "target": (30, G), "floor": (40, G), "polarity": ("L", None)},
        "kpis:\n  - {id: K1, unit: rate}\n",
    ),
    "count-against-a-small-target": (
        {"current": (1204, "#,##0"), "target": (5, G), "polarity": ("L", None), "floor": (8, G)},
        "kpis:\n  - {id: K1, unit: count}\n",
    ),
    "number-unit-default": ({"current": (0.612, G), "target": (70, G), "floor": (60, G), "polarity": ("H", None)}, ""),
    "small-percentages-all-alike": (
        {"current": (0.8, G), "previous": (0.9, G), "target": (1.0, G), "floor": (1.2, G), "polarity": ("L", None)},
        PERCENT,
    ),
    "fractions-all-in-percent-cells": (
        {"current": (0.612, "0.0%"), "previous": (0.598, "0.0%"), "target": (0.7, "0%"), "polarity": ("H", None)},
        "",
    ),
    "budget-spend-over-100": (
        {
            "current": (1.034, "0.0%"),
            "previous": (0.98, "0.0%"),
            "target": (1, "0%"),
            "floor": (0.9, "0%"),  # a close-to-target KPI with no band would be SC411, a finding of its own
            "polarity": ("T", None),
        },
        "",
    ),
    "poor-but-real-performance": (
        {"current": (12, G), "target": (100, G), "floor": (90, G), "polarity": ("H", None)},
        PERCENT,
    ),
    "over-150-in-a-general-cell": (
        {"current": (1204, G), "target": (40, G), "floor": (50, G), "polarity": ("L", None)},
        PERCENT,
    ),
    "text-target-in-points": (
        {"current": (0.88, "0.0%"), "previous": (0.86, "0.0%"), "target": ("85%", G), "polarity": ("H", None)},
        "",
    ),
    "a-tiny-lower-is-better-percentage": (
        {
            "current": (0.001, "0.0%"),
            "previous": (0.002, "0.0%"),
            "target": (0.1, "0%"),
            "floor": (0.15, "0%"),
            "polarity": ("L", None),
        },
        "",
    ),
    "zero-figure": ({"current": (0, G), "target": (0.5, G), "polarity": ("L", None), "floor": (1, G)}, PERCENT),
}


@pytest.mark.parametrize("case", CONSISTENT)
def test_figures_in_one_scale_are_not_flagged(case):
    cells, rules_tail = CONSISTENT[case]
    t = one_row(cells, rules_tail)
    assert t.warnings == []


def test_budget_spend_over_100_percent_rates_without_a_word():
    t = one_row(
        {
            "current": (1.034, "0.0%"),
            "previous": (0.98, "0.0%"),
            "target": (1, "0%"),
            "floor": (1.05, "0%"),
            "polarity": ("L", None),
        }
    )
    assert t.warnings == [] and t.kpis[0].current == pytest.approx(103.4)
    assert rate(t.kpis[0].current, t.kpis[0]) is Rag.AMBER  # lower is better: 103.4 over target 100, within floor 105


@pytest.mark.parametrize(
    "cells, rules_tail, warning",
    [
        (
            {
                "current": (1.484, "0.0%"),
                "numerator": (148.4, G),
                "denominator": (100, G),
                "target": (0.9, "0%"),
                "polarity": ("H", None),
            },
            "",
            "sheet 'Perf', cell G2: 148.4% is over 100%, but KPI 'K1' is a share of a whole (it has numerator "
            "H2 and denominator I2); check the figure",
        ),
        (
            {"current": (103.4, G), "target": (95, G), "polarity": ("H", None)},
            "defaults: {unit: percent}\nkpis:\n  - {id: K1, share: true}\n",
            "sheet 'Perf', cell G2: 103.4% is over 100%, but KPI 'K1' is a share of a whole (share: true, "
            "rules line 7); check the figure",
        ),
        (
            {"previous": (-0.02, "0%"), "current": (0.5, "0%"), "target": (0.9, "0%"), "polarity": ("H", None)},
            "kpis:\n  - {id: K1, share: true}\n",
            "sheet 'Perf', cell F2: -2% is negative, but KPI 'K1' is a share of a whole (share: true, rules "
            "line 6); check the figure",
        ),
    ],
)
def test_a_share_of_a_whole_cannot_pass_100_percent(cells, rules_tail, warning):
    assert warning in [str(w) for w in one_row(cells, rules_tail).warnings if w.code == "SC602"]


def test_share_is_only_for_percentages():
    with pytest.raises(RulesError, match="line 6.*share applies only to percentages"):
        parse_rules(RULES + "kpis:\n  - {id: K1, unit: days, share: true}\n", "r.yaml")


@pytest.mark.parametrize(
    "figure, fmt, numerator, denominator, agrees",
    [
        (0.616, "0.0%", 45, 73, True),  # 45/73 = 61.64%: shown 61.6%
        (0.612, "0.0%", 45, 73, False),  # 61.2% is not 61.6%
        (0.6164, "0.00%", 45, 73, True),  # 61.64%
        (0.616, "0.00%", 45, 73, False),  # shows 61.60%, the counts give 61.64%
        (0.62, "0%", 45, 73, True),  # 62% at no decimals
        (0.5, "0.0%", 1, 2, True),
        (0.5, "0.0%", 3, 0, True),  # no denominator to divide by: nothing to check
    ],
)
def test_a_figure_agrees_with_its_numerator_and_denominator(figure, fmt, numerator, denominator, agrees):
    t = one_row(
        {
            "current": (figure, fmt),
            "numerator": (numerator, G),
            "denominator": (denominator, G),
            "target": (0.9, "0%"),
            "polarity": ("H", None),
        }
    )
    ratio = [w for w in t.warnings if w.code == "SC603"]
    assert (ratio == []) is agrees, t.warnings
    if not agrees:
        assert ratio[0].where.cell == "G2" and "numerator H2 / denominator I2" in ratio[0].message


def test_a_rate_is_not_checked_against_its_counts():
    t = one_row(
        {
            "current": (12.5, G),
            "numerator": (3, G),
            "denominator": (2000, G),
            "target": (10, G),
            "polarity": ("L", None),
            "floor": (15, G),
        },
        "kpis:\n  - {id: K1, unit: rate}\n",
    )
    assert t.warnings == []


# --- precision as the reader sees it ------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt, decimals, rag",
    [
        ("0.00", 2, Rag.AMBER),
        ("0.0", 1, Rag.GREEN),
        ("0", 0, Rag.GREEN),
        ("#,##0.00_);(#,##0.00)", 2, Rag.AMBER),
        ("0.000", 3, Rag.AMBER),
    ],
)
def test_without_rules_decimals_the_cell_format_decides(fmt, decimals, rag):
    # lower is better, target 1.30, floor 1.50: 1.34 shown as 1.34 misses the target; shown as 1.3 meets it
    t = one_row(
        {
            "current": (1.34, fmt),
            "previous": (1.31, fmt),
            "target": (1.3, fmt),
            "floor": (1.5, fmt),
            "polarity": ("L", None),
        }
    )
    kpi = t.kpis[0]
    assert kpi.decimals == decimals and rate(kpi.current, kpi) is rag
    assert direction(kpi) is (Direction.SAME if decimals <= 1 else Direction.DECLINED)  # 1.31 -> 1.34
    assert t.notes == []


def test_rules_decimals_win_and_check_notes_the_disagreement():
    cells = {
        "current": (1.34, "0.00"),
        "previous": (1.31, "0.00"),
        "target": (1.3, G),
        "floor": (1.5, G),
        "polarity": ("L", None),
    }
    t = one_row(cells, "defaults:\n  decimals: 1\n")
    assert t.kpis[0].decimals == 1 and rate(t.kpis[0].current, t.kpis[0]) is Rag.GREEN
    assert [str(n) for n in t.notes] == [
        "sheet 'Perf', row 2: KPI 'K1': the rules give 1 decimals (line 6) but cell F2 shows 2 (format 0.00), "
        "G2 shows 2 (format 0.00); it is rated at 1, as the rules say: change the rules or the cell format if "
        "they should agree"
    ]
    assert t.warnings == []  # not wrong, so --strict does not refuse it
    kpi_rule = one_row(cells, "kpis:\n  - id: K1\n    decimals: 3\n")
    assert kpi_rule.kpis[0].decimals == 3 and "the rules give 3 decimals (line 7)" in kpi_rule.notes[0].message
    agreeing = one_row(cells, "kpis:\n  - {id: K1, decimals: 2}\n")
    assert agreeing.notes == []


def test_percent_formats_give_decimals_of_percent_points():
    t = one_row(
        {
            "current": (0.8496, "0%"),
            "previous": (0.8, "0%"),
            "target": (0.85, "0%"),
            "floor": (0.8, "0%"),
            "polarity": ("H", None),
        }
    )
    assert t.kpis[0].decimals == 0 and rate(t.kpis[0].current, t.kpis[0]) is Rag.GREEN  # 85% on an 85% target
    t = one_row({"current": (0.8496, "0.00%"), "target": (0.85, "0%"), "floor": (0.8, "0%"), "polarity": ("H", None)})
    assert t.kpis[0].decimals == 2 and rate(t.kpis[0].current, t.kpis[0]) is Rag.AMBER  # 84.96% is short of 85%


def test_general_cells_compare_at_the_digits_they_show():
    t = one_row(
        {"current": (84.96, G), "previous": (83, G), "target": (85, G), "floor": (80, G), "polarity": ("H", None)},
        PERCENT,
    )
    assert t.kpis[0].decimals == 2 and rate(t.kpis[0].current, t.kpis[0]) is Rag.AMBER  # the reader sees 84.96 under 85
    whole = one_row(
        {"current": (86, G), "previous": (83, G), "target": (85, G), "floor": (80, G), "polarity": ("H", None)}
    )
    assert whole.kpis[0].decimals == 0


def test_without_formats_it_falls_back_to_one_decimal_and_says_so():
    t = one_row(
        {"current": (84.96, None), "target": (85, None), "floor": (80, None), "polarity": ("H", None)}, formats=False
    )
    assert t.kpis[0].decimals == 1 and rate(t.kpis[0].current, t.kpis[0]) is Rag.GREEN
    assert [n.code for n in t.notes] == ["SC904"]
    given = one_row(
        {"current": (84.96, None), "target": (85, None), "polarity": ("H", None)},
        "defaults: {decimals: 2}\n",
        formats=False,
    )
    assert given.kpis[0].decimals == 2 and given.notes == []


def test_layout_percent_fraction_reads_general_fractions_at_their_points():
    t = one_row({"current": (0.8496, G), "target": (85, G), "floor": (80, G), "polarity": ("H", None)}, PERCENT)
    assert t.kpis[0].current == 0.8496 and scale_warnings(t)  # percent: format (default) reads General as it stands
    rules = RULES.replace("layout:\n", "layout:\n  percent: fraction\n") + PERCENT
    grid = Grid(sheet="Perf", values=[HEADER, ["K1", "x", "H", 0.85, 0.8, None, 0.8496]], formats=[[None] * 9, [G] * 9])
    kpi = read_table(grid, parse_rules(rules, "r.yaml")).kpis[0]
    assert kpi.current == pytest.approx(84.96) and kpi.decimals == 2  # 0.8496 shows 4 decimals: 2 as points


# --- the worksheet functions decide the same way ------------------------------------------------


def test_worksheet_functions_take_decimals_from_the_cells_when_not_given():
    assert udfs.RAG(1.34, 1.3, 1.5, "L", None, "0.00", "0.00", "0.00") == "Amber"
    assert udfs.RAG(1.34, 1.3, 1.5, "L", None, "0.0", "0.0", "0.0") == "Green"
    assert udfs.RAG(1.34, 1.3, 1.5, "L", 1, "0.00", "0.00", "0.00") == "Green"  # given decimals win
    assert udfs.RAG(1.34, 1.3, 1.5, "L", None, "", "", "") == "Green"  # literals: 1 decimal, as before
    assert udfs.DIRECTION(1.34, 1.31, "L", None, "0.00", "0.00") == "declined"
    assert udfs.DIRECTION(1.34, 1.31, "L", None, "0.0", "0.0") == "same"


def test_rules_worksheet_functions_use_cell_decimals_when_the_rules_are_silent(tmp_path):
    rules = tmp_path / "r.yaml"
    rules.write_text(
        RULES + "kpis:\n  - {id: K1, polarity: lower, target: 1.3, floor: 1.5}\n  - {id: K2, polarity: lower, "
        "target: 1.3, floor: 1.5, decimals: 1}\n"
    )
    assert udfs.SCORECARD_RAG(1.34, "K1", str(rules), "0.00") == "Amber"
    assert udfs.SCORECARD_RAG(1.34, "K1", str(rules), "0.0") == "Green"
    assert udfs.SCORECARD_RAG(1.34, "K2", str(rules), "0.00") == "Green"
    assert udfs.SCORECARD_DIRECTION(1.34, 1.31, "K1", str(rules), "0.00", "0.00") == "declined"


# --- generated workbooks, end to end ------------------------------------------------------------


def write(path: Path, rows: list[list[tuple[Any, str | None] | Any]]) -> Path:
    """Rows of plain values or (value, number format) pairs, written by XlsxWriter as Excel would."""
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    sheet = book.add_worksheet("Scorecard")
    formats: dict[str, Any] = {}
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            value, fmt = cell if isinstance(cell, tuple) else (cell, None)
            if value is None:
                continue
            style = formats.setdefault(fmt, book.add_format({"num_format": fmt})) if fmt else None
            sheet.write(r, c, value, style)
    book.close()
    return path


BOOK_HEADER = ["Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18"]
BOOK_RULES = (
    "version: 1\nlayout:\n  columns: {id: Ref, name: Indicator, polarity: Polarity, target: Target, floor: "
    "Floor, previous: May-18, current: Jun-18}\n"
)

BOOKS = {
    "fraction-in-general": (
        [
            ["P1", "Placements stable", "H", (70, "0"), (60, "0"), (0.655, "0.0%"), 0.612],
            ["P2", "Visits on time", "H", (0.9, "0%"), (0.8, "0%"), (0.91, "0.0%"), (0.93, "0.0%")],
        ],
        "defaults: {unit: percent}\n",
        "current G2 0.612 (General)",
    ),
    "rules-target-as-fraction": (
        [["P1", "Placements stable", None, None, None, (0.7, "0%"), (0.71, "0%")]],
        "kpis:\n  - id: P1\n    polarity: higher\n    target: 0.75\n",
        "target 0.75 (rules line 7)",
    ),
    "points-in-percent-cell": (
        [["P1", "Placements stable", "H", (0.6, "0%"), (0.5, "0%"), (0.54, "0.0%"), (55.2, "0.0%")]],
        "",
        "current G2 5520% (holds 55.2, format 0.0%)",
    ),
    "sheet-target-as-fraction": (
        [["P1", "Placements stable", "H", 0.9, 0.8, (0.86, "0.0%"), (0.88, "0.0%")]],
        "",
        "target D2 0.9 (General)",
    ),
}


@pytest.mark.parametrize("case", BOOKS)
def test_refresh_strict_refuses_and_leaves_the_workbook_byte_identical(case, tmp_path):
    rows, rules_tail, named = BOOKS[case]
    book = write(tmp_path / "book.xlsx", [BOOK_HEADER, *rows])
    rules = tmp_path / "rules.yaml"
    rules.write_text(BOOK_RULES + rules_tail)
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    code, out, err = run_cli("refresh", str(book), "--rules", str(rules), "--strict")
    assert code != 0 and "Traceback" not in out + err
    assert "not refreshed (--strict)" in err and "100-fold" in err and named in err, err
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before

    code, out, err = run_cli("check", str(book), "--rules", str(rules))
    assert code == 0 and "warning SC601 sheet 'Scorecard', row 2: KPI 'P1': its percentages differ" in out + err

    code, out, err = run_cli("refresh", str(book), "--rules", str(rules))
    assert code == 0 and "warning SC601 sheet 'Scorecard', row 2: KPI 'P1'" in err and named in err, out + err
    assert hashlib.sha256(book.read_bytes()).hexdigest() != before


def test_check_reports_rules_and_formats_disagreeing_on_decimals(tmp_path):
    book = write(
        tmp_path / "book.xlsx",
        [BOOK_HEADER, ["P1", "Caseload", "L", (15, "0.00"), (18, "0.00"), (15.31, "0.00"), (15.34, "0.00")]],
    )
    rules = tmp_path / "rules.yaml"
    rules.write_text(BOOK_RULES + "defaults:\n  decimals: 1\n")
    code, out, err = run_cli("check", str(book), "--rules", str(rules), "--strict")
    assert code == 0, out + err  # a note, not a warning
    assert (
        "note SC604 sheet 'Scorecard', row 2: KPI 'P1': the rules give 1 decimals (line 5) but cell D2 shows 2 "
        "(format 0.00)" in out
    )

    rules.write_text(BOOK_RULES)  # the rules silent: 15.34 shown as 15.34 misses a 15.00 target
    code, out, err = run_cli("narrative", str(book), "--rules", str(rules))
    assert code == 0 and "15.34" in out and "15.31" in out, out


def test_the_ribbon_warns_as_the_command_line_does(tmp_path):
    from remote import run_macro
    from scorecard.excel import ribbon

    # the remote engine reads no number formats: percentages stored as fractions say so in the rules
    book = write(
        tmp_path / "book.xlsx",
        [
            BOOK_HEADER,
            ["P1", "Placements stable", None, None, None, (0.7, "0%"), (0.71, "0%")],
            ["P2", "Visits on time", "H", (0.9, "0%"), (0.8, "0%"), (0.91, "0.0%"), (0.93, "0.0%")],
        ],
    )
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        BOOK_RULES.replace("layout:\n", "layout:\n  percent: fraction\n")
        + "defaults: {unit: percent, decimals: 1}\nkpis:\n  - {id: P1, polarity: higher, target: 0.75}\n  - {id: P2}\n"
    )
    message, _ = run_macro(book, ribbon.check, rules=rules)
    warning = (
        "warning SC601 sheet 'Scorecard', row 2: KPI 'P1': its percentages differ about 100-fold: target 0.75 "
        "(rules line 7) "
        "against previous F2 70% (holds 0.7, read as a fraction by layout.percent), current G2 71% (holds 0.71, "
        "read as a fraction by layout.percent); rules line 7: target 0.75 means 0.75%; write 75"
    )
    assert warning in message and message.count("warning SC") == 1, message
    code, out, err = run_cli("check", str(book), "--rules", str(rules))
    assert code == 0 and "target 0.75 (rules line 7) against previous F2 70% (holds 0.7, format 0%)" in out + err


# --- the scale check on its own, over many generated KPIs ----------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from scorecard.core.units import Figure, scale_check  # noqa: E402

NAMES = ["current", "previous", "target", "floor"]
points = st.floats(min_value=2, max_value=100, allow_nan=False)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(base=points, spread=st.lists(st.floats(min_value=0.25, max_value=4), min_size=2, max_size=4))
def test_figures_within_a_few_fold_are_never_flagged(base, spread):  # at most 16-fold apart, under the 20-fold gap
    figures = [
        Figure(NAMES[i], base * k, cell=f"F{i}", stored=base * k, number_format="General") for i, k in enumerate(spread)
    ]
    assert scale_check("K", "here", figures) is None


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(values=st.lists(points, min_size=3, max_size=4), odd=st.integers(min_value=0, max_value=3), data=st.data())
def test_one_fraction_among_points_is_flagged_and_corrected_only_when_its_format_explains_it(values, odd, data):
    odd %= len(values)
    if max(values) / min(values) >= 5:  # the others must agree for a correction
        values = [min(values) * (1 + i / 10) for i in range(len(values))]
    explained = data.draw(st.booleans())
    figures = []
    for i, v in enumerate(values):
        if i == odd:  # a fraction in a General cell
            figures.append(Figure(NAMES[i], v / 100, cell=f"C{i}", stored=v / 100, number_format="General"))
        else:  # the others in percentage-formatted cells, or all General (then nothing explains the slip)
            fmt = "0.0%" if explained else "General"
            figures.append(
                Figure(
                    NAMES[i],
                    v,
                    cell=f"C{i}",
                    stored=v / 100 if explained else v,
                    number_format=fmt,
                    percent_cell=explained,
                )
            )
    found = scale_check("K", "here", figures)
    assert found is not None and f"{NAMES[odd]} C{odd}" in found.message
    if explained:
        assert found.corrected == {NAMES[odd]: pytest.approx(values[odd])}
    else:
        assert found.corrected == {} and "rated as the figures stand" in found.message


def test_a_small_percentage_in_a_percent_cell_is_never_called_a_fraction():
    """1.0% in a 0.0% cell is what the analyst sees: never advice to format it as a percentage. Beside last
    month's 88% it may be a slip, said as what it shows and what to enter; beside its own kind it is none."""
    t = one_row(
        {"current": (0.01, "0.0%"), "previous": (0.88, "0.0%")}, "kpis:\n  - {id: K1, polarity: higher, target: 0.85}\n"
    )
    (found,) = scale_warnings(t)
    assert "holds the fraction 0.01" not in found and "format it as a percentage" not in found.split("rules line 6")[0]
    assert "cell G2 shows 1% (it holds 0.01): if it should be 100%, enter 1" in found
    assert "rules line 6: target 0.85 means 0.85%; write 85" in found
    assert t.kpis[0].current == pytest.approx(1.0)
    steady = one_row(
        {
            "current": (0.001, "0.0%"),
            "previous": (0.002, "0.0%"),
            "target": (0.1, "0%"),
            "floor": (0.15, "0%"),
            "polarity": ("L", None),
        }
    )
    assert steady.warnings == []


@pytest.mark.parametrize(("now", "before"), [(-0.04, -1.5), (0.04, -1.5)])
def test_a_variance_about_a_target_of_zero_is_no_scale_slip(now, before):
    """A budget variance of -0.04% against -1.5% last month is ordinary: near zero, 100-fold ratios say nothing."""
    cells = {"current": (now, G), "previous": (before, G), "target": (0, G), "floor": (-2, G), "polarity": ("T", None)}
    assert scale_warnings(one_row(cells, PERCENT)) == []
