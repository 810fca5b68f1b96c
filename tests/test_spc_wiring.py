"""Statistical process control through every way in: workbooks with a history -> JSON, narrative,
worksheet function. The series are worked by hand (module docstring of test_spc.py has the method):

Limits come from the first 16 figures (``spc.baseline: 16``), which for K1 and K4 alternate 60 and 62:
mean 61, every moving range 2, limits 61 -+ 2.66 x 2 = 55.68 to 66.32, two sigma 61 -+ 1.7733 x 2 =
57.453 to 64.547.

- K1 (higher, target 70): then seven more 62s: the last eight figures (the 16th is 62 too) lie above the
  mean, none beyond two sigma, no rise: a shift, an improvement. Target 70 above the upper limit, and
  higher is better: assurance fail. Rated Amber (62 against 70, floor 60).
- K2 (lower, days, target 15): 16 figures only, blank before: 10, 12 seven times, then 10 and 30. Mean
  194/16 = 12.125; moving ranges 13 x 2, 2, 20: 48/15 = 3.2; limits 12.125 -+ 8.512 = 3.613 to 20.637.
  30 is above the upper limit; lower is better: concern. Target 15 inside the limits: hit and miss. Red.
- K3: nine figures: too few for the 15 needed. Amber.
- K4 (higher, target 60): after the 16, 57, 58, 59, 60, 61.5, 62.5, 63.5: six rises in a row (a trend of
  seven points), crossing the mean (four below, three above: no shift), none beyond two sigma: improvement.
  Green, so it is named in the paragraph of real changes. Target 60 inside the limits: hit and miss.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import xlsxwriter

from clirun import run_cli
from scorecard.excel import functions as udfs

MONTHS = 23  # January 2017 to November 2018
BASE = [60.0, 62.0] * 8
SERIES = {
    "K1": BASE + [62.0] * 7,
    "K2": [None] * 7 + [10.0, 12.0] * 7 + [10.0, 30.0],
    "K3": [None] * 14 + [71.0, 73.0, 70.0, 74.0, 72.0, 71.0, 73.0, 72.0, 75.0],
    "K4": BASE + [57.0, 58.0, 59.0, 60.0, 61.5, 62.5, 63.5],
}
NAMES = {"K1": "Care leavers in education", "K2": "Days to assessment", "K3": "Visits on time", "K4": "Plans reviewed"}
UNITS = {"K1": "percent", "K2": "days", "K3": "percent", "K4": "percent"}
RULES = """version: 1
layout:
  history: true
  percent: {percent}
  columns: {{id: Ref, name: Indicator}}
spc:
  baseline: 16
narrative: {{section: 3}}
kpis:
  - {{id: K1, polarity: higher, target: 70, floor: 60, unit: percent, decimals: 1}}
  - {{id: K2, polarity: lower, target: 15, floor: 20, unit: days, decimals: 1}}
  - {{id: K3, polarity: higher, target: 80, floor: 70, unit: percent, decimals: 1}}
  - {{id: K4, polarity: higher, target: 60, floor: 55, unit: percent, decimals: 1}}
"""


def month(i: int) -> dt.date:
    return dt.date(2017 + i // 12, i % 12 + 1, 1)


def monthly_book(folder: Path, percent: str, dated: bool) -> tuple[Path, Path]:
    """The four KPIs over 23 month columns; percentages stored as ``percent`` says."""
    path = folder / "monthly.xlsx"
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    ws = book.add_worksheet("Scorecard")
    pct = book.add_format({"num_format": "0.0%"})
    header_date = book.add_format({"num_format": "mmm-yy"})
    ws.write_row(0, 0, ["Ref", "Indicator"])
    for i in range(MONTHS):
        if dated:
            ws.write_datetime(0, 2 + i, dt.datetime.combine(month(i), dt.time()), header_date)
        else:
            ws.write_string(0, 2 + i, month(i).strftime("%b-%y"))
    for r, (kpi, series) in enumerate(SERIES.items(), start=1):
        ws.write_row(r, 0, [kpi, NAMES[kpi]])
        for i, value in enumerate(series):
            if value is None:
                continue
            if UNITS[kpi] == "percent" and percent in ("format", "fraction"):
                ws.write_number(r, 2 + i, value / 100, pct if percent == "format" else None)
            else:
                ws.write_number(r, 2 + i, value)
    book.close()
    rules = folder / "rules.yaml"
    rules.write_text(RULES.format(percent=percent), encoding="utf-8")
    return path, rules


def run_json(book: Path, rules: Path) -> dict:
    code, out, err = run_cli("narrative", book, "--rules", rules, "--format", "json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(
    params=[("format", False), ("fraction", True), ("points", False), ("format", True)],
    ids=["percent-format", "fraction-dated", "points", "format-dated"],
)
def monthly(request, tmp_path):
    return monthly_book(tmp_path, *request.param)


def test_the_json_carries_the_hand_worked_charts(monthly):
    data = run_json(*monthly)
    spc = {k["id"]: k["spc"] for k in data["kpis"]}
    assert spc["K1"] == {
        "points": 23,
        "mean": pytest.approx(61.0),
        "lower": pytest.approx(55.68),
        "upper": pytest.approx(66.32),
        "variation": "improvement",
        "assurance": "fail",
        "rules": ["shift"],
        "reason": None,
        "recalculated_from": None,
    }
    assert spc["K2"] == {
        "points": 16,
        "mean": pytest.approx(12.125),
        "lower": pytest.approx(3.613),
        "upper": pytest.approx(20.637),
        "variation": "concern",
        "assurance": "hit and miss",
        "rules": ["outside limits"],
        "reason": None,
        "recalculated_from": None,
    }
    assert spc["K3"]["points"] == 9 and spc["K3"]["mean"] is None and spc["K3"]["variation"] is None
    assert spc["K3"]["assurance"] is None and spc["K3"]["rules"] == []
    assert spc["K4"]["variation"] == "improvement" and spc["K4"]["rules"] == ["trend"]
    assert spc["K4"]["assurance"] == "hit and miss" and spc["K4"]["mean"] == pytest.approx(61.0)
    assert {k["id"]: k["rag"] for k in data["kpis"]} == {"K1": "Amber", "K2": "Red", "K3": "Amber", "K4": "Green"}
    assert data["period"]["current"] == "November 2018"


def test_the_narrative_says_what_the_charts_show(monthly):
    text = "\n".join(run_json(*monthly)["narrative"])
    assert (
        "Care leavers in education. Performance remained at 62.0% in October and November 2018, against a target "
        "of 70.0%. It has been above its average of 61.0% for eight months in a row: a real improvement."
    ) in text
    assert (
        "Its latest figure, 30.0 days, is above its normal range of 3.6 days to 20.6 days: a real cause for concern."
        in text
    )
    assert (
        "Visits on time. Performance improved from 72.0% in October 2018 to 75.0% in November 2018, against a target "
        "of 80.0%. There are only nine months of figures, fewer than the fifteen needed to tell a real change from "
        "normal variation."
    ) in text
    assert (
        "3.6 Over the history of the figures, statistical process control shows a real change, not normal variation, "
        "for this KPI not rated Amber or Red:\n3.6.1 Plans reviewed. It has risen in each of the last six months, to "
        "63.5%: a real improvement."
    ) in text


def test_quarters_and_common_cause(tmp_path):
    # 16 quarters alternating 50 and 54: mean 52, moving range 4, limits 52 -+ 10.64 = 41.36 to 62.64; two
    # sigma 52 -+ 7.09; no rule fires. 54 against target 55, floor 50: Amber. Limits from every point.
    quarters = [f"Q{q} {y}/{str(y + 1)[2:]}" for y in range(2015, 2019) for q in (1, 2, 3, 4)]
    path = tmp_path / "quarters.xlsx"
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    ws = book.add_worksheet("KPIs")
    ws.write_row(2, 0, ["Code", "Measure", *quarters])
    ws.write_row(3, 0, ["Q1", "Quarterly returns on time", *([50, 54] * 8)])
    book.close()
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\nlayout:\n  history: true\n  percent: points\n  columns: {id: Code, name: Measure}\n"
        "kpis:\n  - {id: Q1, polarity: higher, target: 55, floor: 50, unit: percent, decimals: 1}\n"
    )
    data = run_json(path, rules)
    assert data["kpis"][0]["spc"] == {
        "points": 16,
        "mean": pytest.approx(52.0),
        "lower": pytest.approx(41.36),
        "upper": pytest.approx(62.64),
        "variation": "common cause",
        "assurance": "hit and miss",
        "rules": [],
        "reason": None,
        "recalculated_from": None,
    }
    assert (
        "Over the last sixteen quarters it has stayed within its normal range of 41.4% to 62.6%: no real change."
        in "\n".join(data["narrative"])
    )


def test_without_a_history_spc_is_null(tmp_path):
    path = tmp_path / "two.xlsx"
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    ws = book.add_worksheet("S")
    ws.write_row(0, 0, ["Ref", "Name", "May-18", "Jun-18"])
    ws.write_row(1, 0, ["A", "Measure A", 70, 80])
    book.close()
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\nlayout:\n  columns: {id: Ref, name: Name, current: Jun-18, previous: May-18}\n"
        "kpis:\n  - {id: A, polarity: higher, target: 85, floor: 75}\n"
    )
    data = run_json(path, rules)
    assert data["kpis"][0]["spc"] is None
    assert "normal range" not in "\n".join(data["narrative"])


def test_run_length_and_min_points_come_from_the_rules(tmp_path):
    # K1 with run_length 9: eight above the mean is no longer a shift, and nothing else fires
    book, rules = monthly_book(tmp_path, "format", False)
    rules.write_text(rules.read_text().replace("  baseline: 16", "  baseline: 16\n  run_length: 9"))
    spc = {k["id"]: k["spc"] for k in run_json(book, rules)["kpis"]}
    assert spc["K1"]["variation"] == "common cause" and spc["K1"]["rules"] == []
    rules.write_text(RULES.format(percent="format").replace("  baseline: 16", "  min_points: 24"))
    spc = {k["id"]: k["spc"] for k in run_json(book, rules)["kpis"]}
    assert spc["K1"]["mean"] is None and spc["K1"]["reason"] == "23 points, fewer than the 24 needed for limits"


@pytest.mark.parametrize(
    "spc, message",
    [
        ("  baseline: 12", "line 7: spc.baseline 12 is fewer than spc.min_points 15"),
        ("  run_length: 1", "line 7: spc.run_length"),
        ("  min_point: 12", "line 7: unknown key 'min_point' in spc (did you mean 'min_points'?)"),
    ],
)
def test_bad_spc_settings_name_the_line(tmp_path, spc, message):
    book, rules = monthly_book(tmp_path, "format", False)
    rules.write_text(RULES.format(percent="format").replace("  baseline: 16", spc))
    code, out, err = run_cli("check", book, "--rules", rules)
    assert code != 0 and message in err, err
    assert "Traceback" not in err


def test_a_text_in_an_older_month_is_named(tmp_path):
    book, rules = monthly_book(tmp_path, "points", False)
    import openpyxl

    wb = openpyxl.load_workbook(book)
    wb["Scorecard"]["D2"] = "tbc later"
    wb.save(book)
    _, out, err = run_cli("check", book, "--rules", rules)
    assert "cell D2: text 'tbc later' is not a figure; read as no data in the history of KPI 'K1'" in out + err


# --- the worksheet function -----------------------------------------------------------------------


class _Cells:
    """A range argument as xlwings hands it over: only its number formats are read."""

    def __init__(self, formats):
        self.formats = formats


@pytest.mark.parametrize(
    "series, polarity, target, expected",
    [
        (SERIES["K1"], "higher", 70, "improvement"),
        (SERIES["K1"], "Lower is better", None, "concern"),
        (SERIES["K1"], None, None, "neither"),
        (SERIES["K1"], "target", 61, "neither"),
        ([50, 54] * 8, "H", 55, "common cause"),
        ([v for v in SERIES["K2"] if v is not None], "lower", 15, "concern"),
        (SERIES["K2"], "higher", None, "improvement"),  # blanks are left out
        (SERIES["K3"], "higher", None, "#N/A 9 points, fewer than the 15 needed for limits"),
    ],
)
def test_scorecard_spc(series, polarity, target, expected):
    column = [[v] for v in series]
    assert udfs.SCORECARD_SPC(column, polarity, target) == expected
    assert udfs.SCORECARD_SPC([list(series)], polarity, target) == expected  # a row as well as a column


def test_scorecard_spc_reads_percent_formats_and_refuses_bad_arguments():
    fractions = [
        [v / 100] for v in [50, 54] * 8 + [70]
    ]  # 70 after 16 alternating: mean 902/17 = 53.06, mean moving range 76/16 = 4.75, upper limit 65.69
    formats = [["0.0%"]] * len(fractions)
    assert udfs.SCORECARD_SPC(fractions, "higher", 55, formats) == "improvement"
    assert udfs.SCORECARD_SPC(fractions, "sideways").startswith("#VALUE! polarity 'sideways'")
    assert udfs.SCORECARD_SPC(fractions, "higher", "lots").startswith("#VALUE! target 'lots'")


# --- the written columns ----------------------------------------------------------------------------


def with_columns(rules: Path, extra: str = "") -> None:
    rules.write_text(
        rules.read_text().replace(
            "  columns: {id: Ref, name: Indicator}",
            "  columns: {id: Ref, name: Indicator, variation: SPC variation, assurance: Assurance}" + extra,
        )
    )


def test_refresh_writes_variation_and_assurance_as_text_with_a_fill(tmp_path):
    import openpyxl

    book, rules = monthly_book(tmp_path, "format", False)
    with_columns(rules, "\n  add_missing_columns: true")
    rules.write_text(rules.read_text() + "colours: {concern: '#FF9900'}\n")
    code, _, err = run_cli("refresh", book, "--rules", rules)
    assert code == 0, err
    ws = openpyxl.load_workbook(book)["Scorecard"]
    headers = [c.value for c in ws[1]]
    variation, assurance = headers.index("SPC variation") + 1, headers.index("Assurance") + 1
    assert headers[-4:] == ["RAG", "DOT", "SPC variation", "Assurance"]  # added after the last column, in order

    def cell(row, column):
        c = ws.cell(row, column)
        return c.value, c.fill.fgColor.rgb[-6:] if c.fill.fill_type else None

    assert [cell(r, variation) for r in range(2, 6)] == [
        ("improvement", "BDD7EE"),
        ("concern", "FF9900"),
        ("too few points", "FFFFFF"),
        ("improvement", "BDD7EE"),
    ]
    assert [cell(r, assurance) for r in range(2, 6)] == [
        ("fail", "F8CBAD"),
        ("hit and miss", "E7E6E6"),
        (None, "FFFFFF"),
        ("hit and miss", "E7E6E6"),
    ]
    # a second refresh finds the columns it added and writes the same cells again
    assert run_cli("refresh", book, "--rules", rules).returncode == 0
    again = openpyxl.load_workbook(book)["Scorecard"]
    assert [c.value for c in again[1]] == headers


def test_a_named_spc_column_missing_is_an_error_unless_it_may_be_added(tmp_path):
    book, rules = monthly_book(tmp_path, "format", False)
    with_columns(rules)
    code, _, err = run_cli("refresh", book, "--rules", rules)
    assert code != 0 and "no column headed 'SPC variation' for the SPC variation (layout.columns.variation)" in err, err
    assert "layout.add_missing_columns: true" in err


def test_spc_columns_need_a_history(tmp_path):
    book, rules = monthly_book(tmp_path, "format", False)
    rules.write_text("version: 1\nlayout:\n  columns: {id: Ref, current: B, previous: A,\n    variation: SPC}\n")
    code, _, err = run_cli("check", book, "--rules", rules)
    assert code != 0 and "line 4: layout.columns.variation needs layout.history: true" in err, err
