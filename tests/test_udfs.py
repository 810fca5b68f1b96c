"""Worksheet functions, called as xlwings calls them, through the same cases as the engine."""

from __future__ import annotations

import pytest

from scorecard import udfs
from scorecard.core.engine import direction, rate
from scorecard.core.model import Kpi, Polarity

from cases import DIRECTION_CASES, RAG_CASES
from conftest import SAMPLE, SAMPLE_RULES


@pytest.mark.parametrize("polarity, target, floor, value, decimals, expected", RAG_CASES)
def test_rag_function_agrees_with_the_engine(polarity, target, floor, value, decimals, expected):
    assert udfs.RAG(value, target, floor, polarity, decimals) == expected
    kpi = Kpi(id="k", name="k", polarity=Polarity.parse(polarity), current=None, previous=None, target=target, floor=floor, decimals=decimals)
    assert rate(value, kpi).value == expected


@pytest.mark.parametrize("polarity, previous, current, decimals, expected", DIRECTION_CASES)
def test_direction_function_agrees_with_the_engine(polarity, previous, current, decimals, expected):
    assert udfs.DIRECTION(current, previous, polarity, decimals) == (expected or "")
    kpi = Kpi(id="k", name="k", polarity=Polarity.parse(polarity), current=current, previous=previous, target=1.0, decimals=decimals)
    moved = direction(kpi)
    assert (moved.value if moved else None) == expected


def test_percent_formatted_cells_are_read_as_refresh_reads_them():
    # the add-in's VBA wrapper passes the cell's number format in the hidden *_format arguments
    assert udfs.RAG(0.849, 85, 75, "H", 1, "0.0%") == "Amber"
    assert udfs.RAG(0.85, 0.85, 0.75, "H", 1, "0%", "0%", "0%") == "Green"
    assert udfs.DIRECTION(0.484, 0.46, "H", 1, "0.0%", "0.0%") == "improved"


def test_rules_functions_use_the_rules_file():
    rules = str(SAMPLE_RULES)
    assert udfs.SCORECARD_RAG(100.0, "CIC01", rules) == "Green"
    assert udfs.SCORECARD_RAG(93.9, "CIC01", rules) == "Amber"
    assert udfs.SCORECARD_RAG(17.0, "CIC12", rules) == "Amber"  # lower is better
    assert udfs.SCORECARD_DIRECTION(15.8, 17.0, "CIC12", rules) == "improved"
    assert udfs.SCORECARD_DIRECTION(None, 17.0, "CIC12", rules) == ""


def test_count_function():
    column = [["Green"], ["Amber"], [" green "], [None], ["Red"]]
    assert udfs.SCORECARD_COUNT(column, "Green") == 2
    assert udfs.SCORECARD_COUNT("Amber", "amber") == 1
    assert udfs.SCORECARD_COUNT(column, "No data") == 0


def test_narrative_function_returns_a_column_of_paragraphs():
    import openpyxl

    sheet = openpyxl.load_workbook(SAMPLE, data_only=True)["Scorecard"]
    table = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    lines = udfs.SCORECARD_NARRATIVE(table, str(SAMPLE_RULES))
    assert all(len(line) == 1 for line in lines)
    from scorecard.refresh import evaluate_file
    from scorecard.core.rules import load_rules

    batch = evaluate_file(SAMPLE, load_rules(SAMPLE_RULES)).narrative.lines()
    assert [line[0] for line in lines] == batch  # the formula and the command line: the same text


@pytest.mark.parametrize(
    "call, text",
    [
        (lambda: udfs.RAG(80, "x", 75, "H"), "#VALUE! target 'x' is not a number"),
        (lambda: udfs.RAG(80, 85, 75, "sideways"), "#VALUE! polarity 'sideways'"),
        (lambda: udfs.RAG(80, 85, 75, "H", 1.5), "#VALUE! decimals 1.5"),
        (lambda: udfs.DIRECTION(1, 2, "T"), "#VALUE! polarity target needs its target"),
        (lambda: udfs.SCORECARD_RAG(1, "CIC99", str(SAMPLE_RULES)), "#N/A KPI 'CIC99' is not in cic-scorecard.yaml"),
        (lambda: udfs.SCORECARD_RAG(1, "CIC01", "/nowhere/rules.yaml"), "#SCORECARD! rules.yaml: rules file not found"),
        (lambda: udfs.SCORECARD_RAG(1, "CIC01"), "#VALUE! no rules file"),
        (lambda: udfs.SCORECARD_COUNT([["Green"]], "Blue"), "#VALUE! status 'Blue'"),
        (lambda: udfs.SCORECARD_NARRATIVE(5, str(SAMPLE_RULES)), "#VALUE! table_range must be the KPI table"),
    ],
)
def test_bad_arguments_give_a_short_readable_value(call, text):
    assert call().startswith(text)


def test_every_function_is_declared_for_the_vba_wrappers():
    for name in udfs.__all__:
        function = getattr(udfs, name)
        assert function.__name__ == name and function.__scorecard_vba__["caller"] == "Nothing"


def test_narrative_function_takes_tuples_and_formats_as_com_passes_them():
    table = (("Ref", "Polarity", "Target", "Floor", "May-18", "Jun-18"), ("K1", "H", 0.85, 0.75, 0.80, 0.861))
    formats = (("General",) * 6, ("General", "General", "0%", "0%", "0.0%", "0.0%"))
    rules = "version: 1\nlayout:\n  columns: {id: Ref, polarity: Polarity, target: Target, floor: Floor, current: Jun-18, previous: May-18}\n"
    import tempfile, pathlib

    path = pathlib.Path(tempfile.mkdtemp()) / "r.yaml"
    path.write_text(rules)
    lines = [l[0] for l in udfs.SCORECARD_NARRATIVE(table, str(path), formats)]
    assert "• 1 is rated Green – target achieved or exceeded" in lines
    assert any("from 80.0% in May 2018 to 86.1% in June 2018" in l for l in lines)


def test_rules_functions_agree_with_refresh_on_every_sample_kpi():
    from scorecard.refresh import evaluate_file
    from scorecard.core.rules import load_rules

    rules = str(SAMPLE_RULES)
    for k in evaluate_file(SAMPLE, load_rules(SAMPLE_RULES)).scorecard.kpis:
        assert udfs.SCORECARD_RAG(k.kpi.current, k.kpi.id, rules) == k.rag.value, k.kpi.id
        assert udfs.SCORECARD_RAG(k.kpi.previous, k.kpi.id, rules) == k.previous_rag.value, k.kpi.id
        assert udfs.SCORECARD_DIRECTION(k.kpi.current, k.kpi.previous, k.kpi.id, rules) == k.direction.value, k.kpi.id
