"""The explain view: how a workbook was read, and what of it the rules state (check --explain, --format json)."""

from __future__ import annotations

import json

from clirun import run_cli
from conftest import SAMPLE, SAMPLE_RULES, write_book
from expect import PAPER  # the committee paper's notes, which check adds (SC703-SC799)
from scorecard.core.reading import Grid, read_table
from scorecard.core.reading.explain import explain_lines, reading_dict
from scorecard.core.rules import parse_rules

HISTORY = """version: 1
layout:
  history: true
  columns: {id: Ref, name: Measure, target: Target, rag: RAG, direction: DOT}
kpis:
  - {id: K1, polarity: higher, floor: 70}
  - {id: K2, polarity: higher}
"""
ROWS = [
    ["Scorecard for the quarter"],
    [],
    ["Ref", "Measure", "Target", "Apr-24", "May-24", "Jun-24", "RAG", "DOT"],
    ["K1", "Calls answered", 80, 71, 79, 82],
    ["Housing"],
    ["K2", "Repairs on time", 90, 88, 91, None],
]


def test_the_reading_names_every_stage_and_marks_what_was_worked_out():
    rules = parse_rules(HISTORY, "r.yaml")
    table = read_table(Grid(sheet="Perf", values=ROWS), rules)
    data = reading_dict(table, rules)
    assert data["sheet"] == {"name": "Perf", "stated": False, "how": "the first sheet (layout.sheet not given)"}
    assert data["header"]["rows"] == [3, 3] and data["header"]["stated"] is False
    columns = {c["field"]: (c["column"], c["header"], c["stated"]) for c in data["columns"]}
    assert columns["id"] == ("A", "Ref", True) and columns["target"] == ("C", "Target", True)
    assert columns["current"] == ("F", "Jun-24", False) and columns["previous"] == ("E", "May-24", False)
    assert data["periods"]["kind"] == "month" and [p["column"] for p in data["periods"]["series"]] == ["D", "E", "F"]
    assert data["rows"]["kpis"] == [4, 6] and data["rows"]["no_figures"] == [5]
    (k1, k2) = data["kpis"]
    assert k1["fields"]["current"] == {"value": 82, "from": "F4", "stated": False}
    assert k1["fields"]["floor"] == {"value": 70, "from": "rules line 6", "stated": True}
    assert k1["fields"]["polarity"]["from"] == "rules line 6"
    # K2's June is blank: the current period is June (K1 holds it), K2's figure is blank from F6
    assert k2["fields"]["current"] == {"value": None, "from": "F6", "stated": False}


def test_the_text_marks_inferred_parts_with_a_star():
    rules = parse_rules(HISTORY, "r.yaml")
    lines = explain_lines(read_table(Grid(sheet="Perf", values=ROWS), rules), rules)
    assert lines[1] == "  sheet 'Perf'*: the first sheet (layout.sheet not given)"
    assert lines[2].startswith("  header row 3*: the first row with a cell reading 'Ref'")
    assert any(line.split()[:3] == ["F", "current", "'Jun-24'*"] for line in lines)
    assert any("June 2018" not in line and "June 2024 (F) against May 2024 (E)" in line for line in lines)
    assert lines[
        -2
    ] == "    K1 (row 4): current 82 (F4), previous 79 (E4), target 80 (C4), floor 70 (rules line 6), " + (
        "polarity higher (rules line 6)"
    )


def test_a_column_pinned_by_letter_is_stated():
    text = HISTORY.replace("target: Target", "target: {column: C}")
    rules = parse_rules(text, "r.yaml")
    data = reading_dict(read_table(Grid(sheet="Perf", values=ROWS), rules), rules)
    target = next(c for c in data["columns"] if c["field"] == "target")
    assert (target["stated"], target["how"]) == (True, "by its column letter, as the rules give it")


def test_check_format_json_carries_findings_and_the_reading(tmp_path):
    book = tmp_path / "book.xlsx"
    write_book(book, [ROWS[2], ["K1", "Calls answered", 80, 71, "seventy-nine", 82]], sheet="Perf")
    rules = tmp_path / "rules.yaml"
    rules.write_text(HISTORY)
    done = run_cli("check", book, "--rules", rules, "--format", "json")
    assert done.returncode == 0 and "Traceback" not in done.stderr
    data = json.loads(done.stdout[done.stdout.index("{") :])
    assert [(f["code"], f["severity"], f["where"]) for f in data["findings"] if f["code"] not in PAPER] == [
        ("SC301", "warning", {"sheet": "Perf", "cell": "E2"}),
        ("SC507", "warning", {"line": 7}),  # K2 of the rules is not on this sheet
    ]
    assert data["reading"]["kpis"][0]["fields"]["previous"] == {"value": None, "from": "E2", "stated": False}


def test_the_sample_is_read_as_its_rules_say():
    done = run_cli("check", SAMPLE, "--rules", SAMPLE_RULES, "--explain")
    assert done.returncode == 0, done.stderr
    assert "  header row 4: layout.header_row in the rules" in done.stdout
    assert "periods: June 2018 (G) against May 2018 (F); named by the rules" in done.stdout
    assert "CIC12 (row 19): current 15.8 (G19), previous 17 (F19), target 15 (rules line 80)" in done.stdout


def test_read_across_the_reading_names_the_sheets_own_rows_and_columns():
    """One KPI per column: the fields are rows and the KPIs columns, and the view says so in those words."""
    rows = [
        ["Indicator", "AE4HR", "CAN62"],
        ["Polarity", "Higher", "Higher"],
        ["Target", 78, 85],
        ["Aug-24", 77.1, 75.8],
        ["Sep-24", 78.2, 74.9],
    ]
    text = (
        "version: 1\nlayout:\n  kpis_in: columns\n  history: true\n"
        "  columns: {id: Indicator, polarity: Polarity, target: Target}\n"
    )
    rules = parse_rules(text, "r.yaml")
    table = read_table(Grid(sheet="Trend", values=rows), rules)
    lines = explain_lines(table, rules)
    assert "  labels in column A*: the column holding the labels" in lines
    assert any(line.split()[:3] == ["3", "target", "'Target'"] for line in lines)  # the target is row 3
    assert "  KPI columns: 2 KPIs*, in columns B, C" in lines
    assert (
        lines[-1] == "    CAN62 (column C): current 74.9 (C5), previous 75.8 (C4), target 85 (C3), polarity higher (C2)"
    )
    data = reading_dict(table, rules)
    assert data["across"] and data["periods"]["current"] == {"name": "September 2024", "row": 5}
