"""Benchmark, rank and quartile columns: read with the KPI's own units, put into words in the Amber and
Red updates, carried in the JSON, and never written. Workbooks are generated; expected figures are
worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from clirun import run_cli
from conftest import write_book
from scorecard.core.model import Kpi, Polarity
from scorecard.core.narrative import comparison, ordinal, quartile_words, rank_words
from scorecard.core.rules import parse_rules
from scorecard.errors import RulesError

BASE = ["Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18"]
RULES = (
    "version: 1\nlayout:\n  columns:\n    id: Ref\n    name: Indicator\n    polarity: Polarity\n    target: Target\n"
    "    floor: Floor\n    previous: May-18\n    current: Jun-18\n{extra}"
)


def rules_file(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES.format(extra=extra))
    return path


def as_json(book: Path, rules: Path) -> dict:
    code, out, err = run_cli("narrative", book, "--rules", rules, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def update_line(data: dict, name: str) -> str:
    [line] = [line for line in data["narrative"] if f" {name}. Performance " in line and "RAG rating from" not in line]
    return line


# --- read from the workbook ------------------------------------------------------------------------


@pytest.mark.parametrize("before", [False, True], ids=["benchmarks-after", "benchmarks-first"])
def test_percent_benchmarks_in_percent_cells_are_read_in_points(tmp_path, before):
    # fractions in 0.0% cells, as Excel stores a percentage: 0.815 shows 81.5%
    headers = ["England", "Stat Neighbours"]
    rows = [BASE + headers, ["K1", "Care leavers in EET", "Higher", 0.85, 0.75, 0.801, 0.794, 0.815, 0.83]]
    if before:  # the benchmark columns between the id and the figures
        rows = [[r[0], *r[7:], *r[1:7]] for r in rows]
        formats = {1: "0.0%", 2: "0.0%", 5: "0.0%", 6: "0.0%", 7: "0.0%", 8: "0.0%"}
    else:
        formats = {c: "0.0%" for c in (3, 4, 5, 6, 7, 8)}
    book = write_book(tmp_path / "book.xlsx", rows, formats=formats)
    rules = rules_file(
        tmp_path, "    benchmarks:\n      England: england\n      Statistical neighbours: stat  neighbours\n"
    )
    data = as_json(book, rules)
    [kpi] = data["kpis"]
    assert kpi["unit"] == "percent" and kpi["current"] == 79.4
    assert kpi["benchmarks"] == {"England": 81.5, "Statistical neighbours": 83.0}
    assert kpi["rag"] == "Amber"
    assert update_line(data, "Care leavers in EET").endswith(
        "against a target of 85.0%. At 79.4%, performance is worse than England's 81.5% and Statistical "
        "neighbours' 83.0%."
    )
    assert data["warnings"] == []


def test_a_percent_benchmark_in_points_in_a_general_cell_needs_no_warning(tmp_path):
    rows = [BASE + ["England"], ["K1", "Timely assessments", "H", 0.85, 0.75, 0.801, 0.794, 78.25]]
    book = write_book(tmp_path / "book.xlsx", rows, formats={c: "0.0%" for c in (3, 4, 5, 6)} | {7: "General"})
    data = as_json(book, rules_file(tmp_path, "    benchmarks: {England: England}\n"))
    assert data["kpis"][0]["benchmarks"] == {"England": 78.25}
    assert "better than England's 78.3%" in update_line(
        data, "Timely assessments"
    )  # shown at the KPI's decimals, half up
    assert data["warnings"] == []


def test_a_benchmark_a_hundred_times_out_is_a_warning_and_read_in_scale(tmp_path):
    # a fraction typed into a General cell beside percentage cells: 0.815 is 81.5%, not 0.8%
    rows = [BASE + ["England", "SN"], ["K1", "Timely assessments", "H", 0.85, 0.75, 0.801, 0.794, 0.815, 0.83]]
    book = write_book(tmp_path / "book.xlsx", rows, formats={c: "0.0%" for c in (3, 4, 5, 6, 8)} | {7: "General"})
    data = as_json(book, rules_file(tmp_path, "    benchmarks: {England: England, SN: SN}\n"))
    assert data["kpis"][0]["benchmarks"] == {"England": 81.5, "SN": 83.0}
    [warning] = data["warnings"]
    assert "England benchmark H2 0.815 (General)" in warning and "read as 81.5%" in warning
    assert "cell H2 holds the fraction 0.815" in warning


def test_two_benchmarks_out_of_scale_are_warned_of_and_not_guessed(tmp_path):
    rows = [BASE + ["England", "SN"], ["K1", "Timely assessments", "H", 0.85, 0.75, 0.801, 0.794, 0.815, 0.83]]
    book = write_book(tmp_path / "book.xlsx", rows, formats={c: "0.0%" for c in (3, 4, 5, 6)})
    data = as_json(book, rules_file(tmp_path, "    benchmarks: {England: England, SN: SN}\n"))
    assert data["kpis"][0]["benchmarks"] == {"England": 0.815, "SN": 0.83}  # as they stand, with a warning
    [warning] = data["warnings"]
    assert "differ about 100-fold" in warning and "H2" in warning and "I2" in warning
    code, _, _ = run_cli("check", tmp_path / "book.xlsx", "--rules", tmp_path / "rules.yaml", "--strict")
    assert code == 1


def test_lower_is_better_in_general_cells(tmp_path):
    rows = [
        BASE + ["Eng", "Region"],
        ["K1", "Average caseload", "Lower is better", 14, 18, 15.0, 16.0, 14.2, 17.5],
        ["K2", "Re-referrals", "Low", 20, 25, 22.0, 24.0, 24.0, None],
    ]
    book = write_book(tmp_path / "book.xlsx", rows, formats={c: "0.0" for c in (5, 6, 7, 8)})
    data = as_json(book, rules_file(tmp_path, "    benchmarks: {England: Eng, Region: Region}\n"))
    assert update_line(data, "Average caseload").endswith(
        "At 16.0, performance is worse than England's 14.2 and better than Region's 17.5."
    )
    assert data["kpis"][1]["benchmarks"] == {"England": 24.0, "Region": None}
    assert update_line(data, "Re-referrals").endswith("At 24.0, performance is the same as England's 24.0.")


@pytest.mark.parametrize("blank", [None, "n/a", "-", "..", ""])
def test_missing_benchmark_cells_are_left_out(tmp_path, blank):
    rows = [
        BASE + ["England", "SN", "London"],
        ["K1", "Timely assessments", "H", 85, 75, 80.1, 79.4, blank, 83.0, blank],
    ]
    book = write_book(tmp_path / "book.xlsx", rows)
    data = as_json(
        book,
        rules_file(tmp_path, "    benchmarks: {England: England, Statistical neighbours: SN, London: London}\n"),
    )
    assert data["kpis"][0]["benchmarks"] == {"England": None, "Statistical neighbours": 83.0, "London": None}
    line = update_line(data, "Timely assessments")
    assert line.endswith("At 79.4, performance is worse than Statistical neighbours' 83.0.")
    assert "England" not in line and "London" not in line
    assert data["warnings"] == []


def test_text_in_a_benchmark_cell_is_a_warning_naming_it(tmp_path):
    rows = [BASE + ["England"], ["K1", "Timely assessments", "H", 85, 75, 80.1, 79.4, "about 80"]]
    book = write_book(tmp_path / "book.xlsx", rows)
    data = as_json(book, rules_file(tmp_path, "    benchmarks: {England: England}\n"))
    assert data["kpis"][0]["benchmarks"] == {"England": None}
    assert data["warnings"] == ["sheet 'Scorecard', cell H2: text 'about 80' is not a figure; read as no data"]


def test_benchmarks_rank_and_quartile_of_green_kpis_stay_out_of_the_narrative(tmp_path):
    rows = [
        BASE + ["England", "Rank", "Quartile"],
        ["K1", "Timely assessments", "H", 85, 75, 80.1, 90.2, 81.5, "12/152", 1],
        ["K2", "Visits on time", "H", 85, 75, 80.1, 72.0, 81.5, "140 of 152", "Bottom"],
    ]
    book = write_book(tmp_path / "book.xlsx", rows)
    data = as_json(
        book,
        rules_file(tmp_path, "    benchmarks: {England: England}\n    rank: Rank\n    quartile: Quartile\n"),
    )
    assert [(k["rank"], k["quartile"]) for k in data["kpis"]] == [("12/152", "1"), ("140 of 152", "Bottom")]
    text = "\n".join(data["narrative"])
    assert "12th" not in text and "quartile 1" not in text and "81.5" in text  # only K2's update: Red
    assert update_line(data, "Visits on time").endswith(
        "At 72.0, performance is worse than England's 81.5; it is ranked 140th of 152 and in the bottom quartile."
    )


@pytest.mark.parametrize(
    "rank, quartile, words",
    [
        (3, None, "It is ranked 3rd."),
        ("21/150", "Q4", "It is ranked 21st of 150 and in quartile 4."),
        ("112 out of 152", "upper middle", "It is ranked 112th of 152 and in the upper middle quartile."),
        ("=4", "Top quartile", "It is in the top quartile."),  # a tie is not put into words
        (None, "2nd", "It is in quartile 2."),
        ("top 10%", "A", None),  # neither is a form the narrative states
    ],
)
def test_rank_and_quartile_without_benchmarks(tmp_path, rank, quartile, words):
    rows = [BASE + ["Position", "Band"], ["K1", "Visits on time", "H", 85, 75, 80, 79, rank, quartile]]
    book = write_book(tmp_path / "book.xlsx", rows)
    data = as_json(book, rules_file(tmp_path, "    rank: Position\n    quartile: Band\n"))
    kpi = data["kpis"][0]
    assert kpi["benchmarks"] is None
    assert kpi["rank"] == (None if rank is None else str(rank)) and kpi["quartile"] == quartile
    line = update_line(data, "Visits on time")
    assert line.endswith("against a target of 85. " + words) if words else line.endswith("against a target of 85.")


def test_without_benchmark_columns_the_json_says_null(tmp_path):
    book = write_book(tmp_path / "book.xlsx", [BASE, ["K1", "Visits on time", "H", 85, 75, 80, 79]])
    kpi = as_json(book, rules_file(tmp_path, ""))["kpis"][0]
    assert kpi["benchmarks"] is None and kpi["rank"] is None and kpi["quartile"] is None


def test_the_data_frame_spreads_the_benchmarks(tmp_path):
    pytest.importorskip("pandas")
    from scorecard.frame import read_scorecard

    rows = [BASE + ["England", "SN"], ["K1", "Visits on time", "H", 85, 75, 80, 79, 81, None]]
    book = write_book(tmp_path / "book.xlsx", rows)
    frame = read_scorecard(
        book, rules_file(tmp_path, "    benchmarks: {England: England, Statistical neighbours: SN}\n")
    )
    assert frame.loc["K1", "benchmarks.England"] == 81
    assert (
        frame.loc["K1", "benchmarks.Statistical neighbours"] is None
        or frame.loc["K1", "benchmarks.Statistical neighbours"] != frame.loc["K1", "benchmarks.Statistical neighbours"]
    )


def test_refresh_never_writes_a_benchmark_rank_or_quartile_cell(tmp_path):
    rows = [
        BASE + ["England", "SN", "Rank", "Quartile", "RAG", "DOT"],
        ["K1", "Visits on time", "H", 0.85, 0.75, 0.80, 0.79, 0.815, None, "120/152", 4, None, None],
        ["K2", "Caseload", "L", 14, 18, 15, 16, 14.2, 17.5, "3", "Top", None, None],
    ]
    book = write_book(tmp_path / "book.xlsx", rows, formats={7: "0.0%", 8: "0.0"})
    rules = rules_file(tmp_path, "    benchmarks: {England: England, SN: SN}\n    rank: Rank\n    quartile: Quartile\n")

    def cells(path):
        sheet = openpyxl.load_workbook(path)["Scorecard"]
        return [(c.value, c.number_format) for row in sheet.iter_rows(min_col=8, max_col=11) for c in row]

    before = cells(book)
    code, _, err = run_cli("refresh", book, "--rules", rules)
    assert code == 0, err
    assert cells(book) == before
    sheet = openpyxl.load_workbook(book)["Scorecard"]
    assert [sheet.cell(r, 12).value for r in (2, 3)] == ["Amber", "Amber"]  # the RAG column was written


def test_a_benchmark_formula_saved_without_its_result_is_refused(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Scorecard"
    wb.active.append(BASE + ["England"])
    wb.active.append(["K1", "Visits on time", "H", 85, 75, 80, 79, "=F2+1"])  # openpyxl saves formulas without results
    wb.save(tmp_path / "book.xlsx")
    code, _, err = run_cli(
        "check", tmp_path / "book.xlsx", "--rules", rules_file(tmp_path, "    benchmarks: {England: England}\n")
    )
    assert code == 1
    assert "sheet 'Scorecard', cell H2: the England benchmark of KPI 'K1' is a formula saved without its result" in err


# --- the rules ------------------------------------------------------------------------------------


def test_a_benchmark_header_not_in_the_workbook_says_did_you_mean(tmp_path):
    book = write_book(
        tmp_path / "book.xlsx", [BASE + ["Stat neighbours"], ["K1", "Visits on time", "H", 85, 75, 80, 79, 81]]
    )
    code, _, err = run_cli("check", book, "--rules", rules_file(tmp_path, "    benchmarks: {SN: Stat neighbors}\n"))
    assert code == 1
    assert "no column headed 'Stat neighbors' (layout.columns.benchmarks.SN)" in err
    assert "did you mean 'Stat neighbours'?" in err and "book.xlsx" in err


@pytest.mark.parametrize(
    "extra, line, words",
    [
        (
            "    benchmarks: {England: Jun-18}\n",
            11,
            "benchmark 'England' is headed 'Jun-18', the header of layout.columns.current",
        ),
        (
            "    benchmarks:\n      England: Eng\n      england: All England\n",
            13,
            "benchmark labels 'England' and 'england' differ only in case",
        ),
        ("    benchmarks:\n      - England\n", 11, "layout.columns.benchmarks should be an object"),
        ("    benchmarks: {}\n", 11, "layout.columns.benchmarks: {} should be non-empty"),
        ("    benchmarks:\n      England: 2018\n", 12, "layout.columns.benchmarks.England should be a string"),
        ("    rank: \n", 11, "layout.columns.rank: None is not valid: give the column's header"),
    ],
)
def test_bad_benchmark_rules_name_the_line(extra, line, words):
    with pytest.raises(RulesError) as caught:
        parse_rules(RULES.format(extra=extra), source="rules.yaml")
    assert f"rules.yaml, line {line}: " in str(caught.value) and words in str(caught.value), str(caught.value)


def test_benchmark_labels_keep_their_order_and_spelling():
    rules = parse_rules(
        RULES.format(
            extra="    benchmarks:\n      Statistical  neighbours: SN\n      England: England\n      North West: NW\n"
        )
    )
    assert rules.layout.benchmarks == {"Statistical neighbours": "SN", "England": "England", "North West": "NW"}
    assert "benchmarks" not in rules.layout.columns


# --- the words ------------------------------------------------------------------------------------


def kpi(current, polarity=Polarity.HIGHER, target=85.0, floor=75.0, decimals=1, unit="percent", **kw):
    return Kpi(
        id="K",
        name="M",
        polarity=polarity,
        current=current,
        previous=None,
        target=target,
        floor=floor,
        unit=unit,
        decimals=decimals,
        **kw,
    )


@pytest.mark.parametrize(
    "k, words",
    [
        (
            kpi(79.4, benchmarks={"England": 81.5, "Statistical neighbours": 83.0}),
            "At 79.4%, performance is worse than England's 81.5% and Statistical neighbours' 83.0%.",
        ),
        (
            kpi(
                79.4, benchmarks={"England": 79.44, "SN": 79.35, "Region": 70.0}
            ),  # as displayed: 79.4, 79.4 (half up), 70.0
            "At 79.4%, performance is the same as England's 79.4% and SN's 79.4% and better than Region's 70.0%.",
        ),
        (
            kpi(
                16.0,
                polarity=Polarity.LOWER,
                target=14,
                floor=18,
                unit="number",
                benchmarks={"England": 14.2, "A": 17.0, "B": 15.0},
            ),
            "At 16.0, performance is worse than England's 14.2 and B's 15.0 and better than A's 17.0.",
        ),
        (
            kpi(
                97.0,
                polarity=Polarity.TARGET,
                target=100,
                floor=90,
                benchmarks={"England": 102.0, "SN": 104.0, "NW": 103.0},
            ),
            "At 97.0%, performance is further from the target than England's 102.0%, closer to the target than "
            "SN's 104.0% "
            "and as close to the target as NW's 103.0%.",
        ),
        (
            kpi(12, polarity=None, target=None, floor=None, unit="count", decimals=0, benchmarks={"England": 10}),
            "At 12, performance is higher than England's 10.",
        ),
        (kpi(79.4, benchmarks={"England": None}), None),
        (kpi(None, benchmarks={"England": 80.0}, rank="3"), None),  # no figure: nothing to compare
    ],
)
def test_comparison_words(k, words):
    assert comparison(k) == words


@pytest.mark.parametrize(
    "n, text",
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (101, "101st"),
        (111, "111th"),
        (112, "112th"),
        (152, "152nd"),
    ],
)
def test_ordinals(n, text):
    assert ordinal(n) == text


@pytest.mark.parametrize(
    "cell, words",
    [
        ("120/152", "ranked 120th of 152"),
        (" 7 of 9 ", "ranked 7th of 9"),
        ("1", "ranked 1st"),
        ("160/152", None),
        ("0", None),
        ("=3", None),
        ("3rd", None),
        ("", None),
        (None, None),
    ],
)
def test_rank_words(cell, words):
    assert rank_words(cell) == words


@pytest.mark.parametrize(
    "cell, words",
    [
        ("4", "in quartile 4"),
        ("Q1", "in quartile 1"),
        ("3rd quartile", "in quartile 3"),
        ("BOTTOM", "in the bottom quartile"),
        ("Lower-middle", "in the lower middle quartile"),
        ("5", None),
        ("A", None),
        (None, None),
    ],
)
def test_quartile_words(cell, words):
    assert quartile_words(cell) == words
