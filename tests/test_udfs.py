"""Worksheet functions, called as xlwings calls them, through the same cases as the engine."""

from __future__ import annotations

import pytest

from cases import DIRECTION_CASES, RAG_CASES
from conftest import SAMPLE, SAMPLE_RULES
from scorecard import udfs
from scorecard.core.engine import direction, rate
from scorecard.core.model import Kpi, Polarity
from scorecard.excel import functions as excel_udfs  # table_values: the rows SCORECARD_TABLE and Lite give


@pytest.mark.parametrize("polarity, target, floor, value, decimals, expected", RAG_CASES)
def test_rag_function_agrees_with_the_engine(polarity, target, floor, value, decimals, expected):
    assert udfs.RAG(value, target, floor, polarity, decimals) == expected
    kpi = Kpi(
        id="k",
        name="k",
        polarity=Polarity.parse(polarity),
        current=None,
        previous=None,
        target=target,
        floor=floor,
        decimals=decimals,
    )
    assert rate(value, kpi).value == expected


@pytest.mark.parametrize("polarity, previous, current, decimals, expected", DIRECTION_CASES)
def test_direction_function_agrees_with_the_engine(polarity, previous, current, decimals, expected):
    assert udfs.DIRECTION(current, previous, polarity, decimals) == (expected or "")
    kpi = Kpi(
        id="k",
        name="k",
        polarity=Polarity.parse(polarity),
        current=current,
        previous=previous,
        target=1.0,
        decimals=decimals,
    )
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
    from scorecard.core.rules import load_rules
    from scorecard.usecases import evaluate_file

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
        (lambda: udfs.SCORECARD_TABLE(5, str(SAMPLE_RULES)), "#VALUE! table_range must be the KPI table"),
        (
            lambda: udfs.SCORECARD_TABLE([["Ref"], ["K1"]], "/nowhere/rules.yaml"),
            "#SCORECARD! rules.yaml: rules file not found",
        ),
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
    rules = (
        "version: 1\nlayout:\n  columns: {id: Ref, polarity: Polarity, target: Target, floor: Floor, current: "
        "Jun-18, previous: May-18}\n"
    )
    import pathlib
    import tempfile

    path = pathlib.Path(tempfile.mkdtemp()) / "r.yaml"
    path.write_text(rules)
    lines = [line[0] for line in udfs.SCORECARD_NARRATIVE(table, str(path), formats)]
    assert "• 1 is rated Green – target achieved or exceeded" in lines
    assert any("from 80.0% in May 2018 to 86.1% in June 2018" in line for line in lines)


def test_rules_functions_agree_with_refresh_on_every_sample_kpi():
    from scorecard.core.rules import load_rules
    from scorecard.usecases import evaluate_file

    rules = str(SAMPLE_RULES)
    for k in evaluate_file(SAMPLE, load_rules(SAMPLE_RULES)).scorecard.kpis:
        assert udfs.SCORECARD_RAG(k.kpi.current, k.kpi.id, rules) == k.rag.value, k.kpi.id
        assert udfs.SCORECARD_RAG(k.kpi.previous, k.kpi.id, rules) == k.previous_rag.value, k.kpi.id
        assert udfs.SCORECARD_DIRECTION(k.kpi.current, k.kpi.previous, k.kpi.id, rules) == k.direction.value, k.kpi.id


# --- SCORECARD_TABLE: the evaluated table as a dynamic array -----------------------------------------

# (header, K1, K2, K3) in a given column order and spelling; K1 higher is better (target 60, floor 50),
# K2 lower is better (target 15, floor 18), K3 an activity count (no target, no floor)
TABLE_LAYOUTS = {
    "ref-first": (
        ("Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18"),
        ("K1", "Care leavers in education", "H", 60, 50, 55, 61.5),
        ("K2", "Average caseload", "L", 15, 18, 16, 17),
        ("K3", "Contacts received", None, None, None, 120, 131),
    ),
    "figures-first": (
        ("Latest", "Previous", "KPI ref", "Measure", "Better when", "Floor standard", "Aim"),
        (61.5, 55, "K1", "Care leavers in education", "Higher is better", 50, 60),
        (17, 16, "K2", "Average caseload", "Lower is better", 18, 15),
        (131, 120, "K3", "Contacts received", None, None, None),
    ),
}
# by hand: K1 61.5 meets 60 (Green), 55 was between 50 and 60 (Amber), up is better: improved; K2 17 misses 15
# but is within the floor of 18 (Amber), as was 16; 17 after 16 is worse: declined; K3 is not rated, rose
EXPECTED = {
    "K1": {
        "name": "Care leavers in education",
        "polarity": "higher",
        "current": 61.5,
        "previous": 55,
        "target": 60,
        "floor": 50,
        "rag": "Green",
        "previous_rag": "Amber",
        "direction": "improved",
    },
    "K2": {
        "name": "Average caseload",
        "polarity": "lower",
        "current": 17,
        "previous": 16,
        "target": 15,
        "floor": 18,
        "rag": "Amber",
        "previous_rag": "Amber",
        "direction": "declined",
    },
    "K3": {
        "name": "Contacts received",
        "polarity": None,
        "current": 131,
        "previous": 120,
        "target": None,
        "floor": None,
        "rag": "Not rated",
        "previous_rag": "Not rated",
        "direction": "increased",
    },
}


def _table_rules(tmp_path, layout: str) -> str:
    header = TABLE_LAYOUTS[layout][0]
    names = dict(
        zip(
            ("id", "name", "polarity", "target", "floor", "previous", "current"),
            ("Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18")
            if layout == "ref-first"
            else ("KPI ref", "Measure", "Better when", "Aim", "Floor standard", "Previous", "Latest"),
            strict=True,
        )
    )
    assert set(names.values()) == set(header)
    columns = ", ".join(f"{key}: {value}" for key, value in names.items())
    path = tmp_path / f"{layout}.yaml"
    path.write_text(
        f"version: 1\nlayout:\n  columns: {{{columns}}}\nperiod: {{current: June 2018, previous: May 2018}}\n"
        "defaults: {decimals: 1}\n"
    )
    return str(path)


@pytest.mark.parametrize("layout", TABLE_LAYOUTS)
def test_table_function_gives_one_row_per_kpi_with_the_json_fields(layout, tmp_path):
    from clirun import run_cli
    from conftest import write_book

    rules = _table_rules(tmp_path, layout)
    table = [list(row) for row in TABLE_LAYOUTS[layout]]
    values = udfs.SCORECARD_TABLE(table, rules)
    assert values == excel_udfs.table_values(table, rules)
    header = values[0]
    book = write_book(tmp_path / "book.xlsx", table, sheet="KPIs")  # the JSON of the same table has the same fields
    run = run_cli("narrative", book, "--rules", rules, "--format", "json")
    assert run.returncode == 0, run.stderr
    json_kpis = run.json()["kpis"]
    assert header == list(json_kpis[0]) and header[:2] == ["id", "name"]
    rows = {row[0]: dict(zip(header, row, strict=False)) for row in values[1:]}
    assert list(rows) == ["K1", "K2", "K3"]
    for kpi_id, expected in EXPECTED.items():
        assert {key: rows[kpi_id][key] for key in expected} == expected, kpi_id
        assert rows[kpi_id]["commentary"] == "" and rows[kpi_id]["numerator"] is None
    assert rows["K3"]["target"] is None  # an empty cell in Excel (xlwings writes None as empty), not NaN


def test_table_function_spills_as_a_header_and_rows_without_pandas(tmp_path):
    """Rows of plain values, which xlwings spills as they are (None as an empty cell), so the function needs
    no pandas: the same rows xlwings Lite's SCORECARD.TABLE gives."""
    from xlwings import conversion

    rules = _table_rules(tmp_path, "ref-first")
    table = [list(row) for row in TABLE_LAYOUTS["ref-first"]]
    rows = udfs.SCORECARD_TABLE(table, rules)
    # what xlwings' UDF bridge does with the result (on Windows; here through the engine of its server)
    written = conversion.write(rows, None, {}, engine_name="remote")
    assert written == [["" if value is None else value for value in row] for row in rows]  # None is an empty cell
    assert rows[0][:2] == ["id", "name"] and [row[0] for row in rows[1:]] == ["K1", "K2", "K3"]
    assert all(len(row) == len(rows[0]) for row in rows)
    assert all(not hasattr(value, "dtype") for row in rows for value in row)


def test_table_function_spreads_nested_fields_and_lists_into_cells(tmp_path, monkeypatch):
    """When a KPI's JSON has an object (the SPC verdict, benchmarks), its fields become dotted columns;
    KPIs without it have empty cells there; a list (the SPC rules broken) is one text."""
    from scorecard.core import summary as report

    real = report.as_dict

    def with_spc(card, narrative):
        data = real(card, narrative)
        data["kpis"][0]["spc"] = {"points": 15, "variation": "improvement", "rules": ["outside limits", "shift"]}
        data["kpis"][1]["spc"] = None
        data["kpis"][2]["benchmarks"] = {"England": 140.0}
        return data

    monkeypatch.setattr(report, "as_dict", with_spc)
    values = excel_udfs.table_values(
        [list(row) for row in TABLE_LAYOUTS["ref-first"]], _table_rules(tmp_path, "ref-first")
    )
    header = values[0]
    assert header[-4:] == ["spc.points", "spc.variation", "spc.rules", "benchmarks.England"]
    rows = {row[0]: dict(zip(header, row, strict=False)) for row in values[1:]}
    assert [rows["K1"][c] for c in header[-4:]] == [15, "improvement", "outside limits, shift", None]
    assert [rows["K2"][c] for c in header[-4:]] == [None, None, None, None]
    assert [rows["K3"][c] for c in header[-4:]] == [None, None, None, 140.0]


# --- percentages as the rules mean them (layout.percent), or an error where the scale is in doubt --------

FRACTION_RULES = SAMPLE_RULES.read_text("utf-8").replace("  header_row: 4\n", "  header_row: 4\n  percent: fraction\n")
POINTS_RULES = SAMPLE_RULES.read_text("utf-8").replace("  header_row: 4\n", "  header_row: 4\n  percent: points\n")


def _code(result):
    """The finding code a function's error names at its end, as in '... (SC950)'."""
    return result.rsplit("(", 1)[-1].rstrip(")") if isinstance(result, str) and result.startswith("#") else None


@pytest.fixture
def rules_files(tmp_path):
    files = {"format": SAMPLE_RULES}
    for name, text in (("fraction", FRACTION_RULES), ("points", POINTS_RULES)):
        files[name] = tmp_path / f"{name}.yaml"
        files[name].write_text(text, encoding="utf-8")
    return {name: str(path) for name, path in files.items()}


def test_a_fraction_without_its_format_is_an_error_not_a_colour(rules_files):
    # CIC01: higher is better, target 100, floor 90. 0.95 is 95% in a percent-formatted cell; xlwings Lite
    # and a typed number carry no format, and it would be rated Red at 0.95 against 100
    rules = rules_files["format"]
    assert _code(udfs.SCORECARD_RAG(0.95, "CIC01", rules)) == "SC950"
    assert _code(udfs.SCORECARD_RAG(1, "CIC01", rules)) == "SC950"
    assert _code(udfs.SCORECARD_DIRECTION(0.95, 0.939, "CIC01", rules)) == "SC950"
    assert _code(udfs.SCORECARD_RAG(0.95, "CIC01", rules, "General")) == "SC950"  # a General cell: as Refresh warns
    # in points, or with the cell's format (desktop Excel passes it), the same figure is rated
    assert udfs.SCORECARD_RAG(95, "CIC01", rules) == "Amber"
    assert udfs.SCORECARD_RAG(0.95, "CIC01", rules, "0.0%") == "Amber"
    assert udfs.SCORECARD_RAG(1, "CIC01", rules, "0%") == "Green"
    assert udfs.SCORECARD_DIRECTION(0.95, 0.939, "CIC01", rules, "0.0%", "0.0%") == "improved"
    assert udfs.SCORECARD_RAG(None, "CIC01", rules) == "No data"  # nothing to doubt


def test_layout_percent_fraction_reads_fractions_whatever_their_format(rules_files):
    rules = rules_files["fraction"]
    assert udfs.SCORECARD_RAG(0.95, "CIC01", rules) == "Amber"  # 95 against 100 and 90
    assert udfs.SCORECARD_RAG(0.95, "CIC01", rules, "0.0%") == "Amber"
    assert udfs.SCORECARD_RAG(1, "CIC01", rules) == "Green"
    assert udfs.SCORECARD_RAG(0.85, "CIC01", rules) == "Red"
    assert udfs.SCORECARD_DIRECTION(0.95, 0.939, "CIC01", rules) == "improved"
    # points where fractions are promised: 95 read as 9,500% is out of scale, so an error
    assert _code(udfs.SCORECARD_RAG(95, "CIC01", rules)) == "SC950"


def test_layout_percent_points_reads_figures_as_they_stand(rules_files):
    rules = rules_files["points"]
    assert udfs.SCORECARD_RAG(95, "CIC01", rules, "0%") == "Amber"  # not 9,500
    assert _code(udfs.SCORECARD_RAG(0.95, "CIC01", rules)) == "SC950"


def test_rag_and_direction_check_the_scale_when_a_cell_is_a_percentage():
    # a percent-formatted 95% against targets typed as fractions: the README says literals go in points
    assert _code(udfs.RAG(0.95, 0.85, 0.75, "H", None, "0%")) == "SC950"
    assert _code(udfs.DIRECTION(0.95, 0.9, "H", None, "0%", "General")) == "SC950"
    assert udfs.RAG(0.95, 0.85, 0.75, "H", None, "0%", "0%", "0%") == "Green"
    # no cell says percentage: a count of 1 against a target of 100 is a count, rated as it stands
    assert udfs.RAG(1, 100, 50, "H") == "Red"


def test_a_kpi_with_a_unit_other_than_percent_is_never_doubted(tmp_path):
    rules = tmp_path / "counts.yaml"
    rules.write_text(
        "version: 1\nlayout:\n  columns: {id: Ref, current: Now, previous: Before}\n"
        "kpis:\n  - {id: C1, polarity: lower, target: 100, floor: 150, unit: count}\n",
        encoding="utf-8",
    )
    assert udfs.SCORECARD_RAG(1, "C1", str(rules)) == "Green"
    assert udfs.SCORECARD_DIRECTION(1, 0.5, "C1", str(rules)) == "declined"
