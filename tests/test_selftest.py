"""The acceptance self-test, run against a stand-in for desktop Excel (tests/desktop.py), which reads back
what was written and evaluates the worksheet functions as the add-in's wrappers call them; the add-in's
own RunSelfTest macro, read from the built .xlam and run by the stand-in's VBA reader, as the command
line's `scorecard addin selftest` runs it; and the checks it makes of the install (build, xlwings' DLL).

Not proven here, for want of Excel: that RunPython starts the recorded interpreter (or the AppleScript on a
Mac), that Excel's COM hands the functions their cells and spills their arrays as the stand-in does."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from clirun import run_cli
from conftest import ROOT, SAMPLE, SAMPLE_RULES
from desktop import App
from scorecard import udfs
from scorecard.excel import ribbon
from scorecard.excel import selftest as selftest_entry
from scorecard.excel.selftest import (
    dll_problem,
    installed_build,
    run,
    run_from_command_line,
    sample_files,
    sheet_prefix,
)
from scorecard.xlam import install


def test_the_bundled_sample_and_rules_are_the_repository_ones_the_rules_named_after_the_workbook(tmp_path):
    book, rules = sample_files(tmp_path)
    assert book.read_bytes() == SAMPLE.read_bytes() and rules.read_bytes() == SAMPLE_RULES.read_bytes()
    assert rules.name == "cic-scorecard-june-2018.yaml"  # where Excel's functions find rules without a path


@pytest.mark.slow
def test_self_test_passes_where_excel_writes_what_it_is_told(tmp_path):
    app = App()
    report = run(app, addin=None, formulas=True)
    text = report.text()
    assert report.passed, text
    lines = text.splitlines()
    assert lines[0] == "Scorecard self-test: PASS"
    assert "SKIP  the add-in's build: not compared (the self-test was started from Python, not the add-in)" in lines
    assert "PASS  Check: 24 KPIs found with the rules beside the workbook, no problems" in lines
    assert "PASS  Refresh wrote 24 RAG and 24 direction cells as planned" in lines
    assert "PASS  Word report saved beside the workbook as cic-scorecard-june-2018.docx" in lines
    assert "PASS  the Narrative sheet begins 'Children in Care Scorecard'" in lines  # the rules' title
    assert "PASS  =RAG(84.9,85,75,\"H\") gives 'Amber' (a literal)" in lines  # 84.9 is below 85, above 75
    # CIC01: 100 against its target of 100; as a literal, without a rules path, and as 100.0% in a cell
    assert "PASS  =SCORECARD_RAG(100,\"CIC01\") gives 'Green' (rules found without a path)" in lines
    assert "PASS  =SCORECARD_RAG(B4,\"CIC01\") gives 'Green' (a percent-formatted cell, read in points)" in lines
    # Excel writes a plain sheet name bare: Scorecard!H6:H32; the sample has 14 Green
    assert 'PASS  =SCORECARD_COUNT(Scorecard!H6:H32,"Green") gives 14 (another sheet\'s range)' in lines
    narrative = udfs.SCORECARD_NARRATIVE(_table(), str(SAMPLE_RULES))
    assert (
        f"PASS  =SCORECARD_NARRATIVE(Scorecard!A4:M32) spills {len(narrative)} paragraphs, as the engine gives them"
        in lines
    )
    assert "PASS  =SCORECARD_TABLE(Scorecard!A4:M32) spills 25 rows, as the engine gives them" in lines  # header + 24
    assert "Excel: 16.0 (stand-in)" in text and "xlwings: " in text and "Python: " in text
    assert f"scorecard: 0.1.0 (build {installed_build()})" in lines
    assert app.books.opened == []  # the copy was closed
    assert app.alerts == []  # Check and Refresh ran without their own alerts: the report is the one


def _table():
    from scorecard.workbook.book import read_grid

    grid = read_grid(SAMPLE, "Scorecard")
    return [row + [None] * (13 - len(row)) for row in grid.values[3:32]]


@pytest.mark.slow
def test_a_function_that_reads_the_fraction_and_not_the_format_fails_the_self_test(tmp_path, monkeypatch):
    """What the self-test is for: were the cell's format lost on the way (an engine passing values only),
    the percent-formatted 100.0% would arrive as 1 and the self-test must say so, not pass."""
    real = udfs.SCORECARD_RAG

    def values_only(value, kpi_id, rules_path=None, value_format=None, caller=None):
        return real(value, kpi_id, rules_path, None, caller)

    values_only.__scorecard_vba__ = real.__scorecard_vba__
    monkeypatch.setattr(udfs, "SCORECARD_RAG", values_only)
    report = run(App(), formulas=True)
    failed = [line for line in report.text().splitlines() if line.startswith("FAIL")]
    assert len(failed) == 1 and failed[0].startswith('FAIL  =SCORECARD_RAG(B4,"CIC01") gives \'#VALUE! CIC01')
    assert failed[0].endswith("(SC950)' (a percent-formatted cell, read in points), not 'Green'")


@pytest.mark.slow
def test_self_test_fails_and_names_the_cells_when_fills_do_not_land():
    report = run(App(drop_fills=True), formulas=False)
    text = report.text()
    assert not report.passed and text.startswith("Scorecard self-test: FAIL")
    assert "FAIL  Refresh: Scorecard!" in text and "is filled None, not #" in text
    assert "SKIP  worksheet functions: Excel runs xlwings functions on Windows only" in text


@pytest.mark.slow
def test_an_add_in_of_another_build_fails_and_the_same_build_passes():
    report = run(App(), addin="0.1.0+000000000000", formulas=False)
    failed = [line for line in report.text().splitlines() if line.startswith("FAIL")]
    assert not report.passed and len(failed) == 1 and failed[0].endswith("(SC952)")
    assert "Add-in build: 0.1.0+000000000000" in report.text()
    report = run(App(), addin=installed_build(), formulas=False)
    assert (
        report.passed
        and f"PASS  the add-in and the scorecard this Python runs are the same build, {installed_build()}"
        in report.text()
    )


@pytest.mark.slow
def test_the_button_shows_the_report_and_saves_it(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    app = App()
    caller = type("Caller", (), {"app": app})()
    text = selftest_entry(caller, addin=installed_build())
    assert app.alerts == [text]
    assert (tmp_path / "scorecard-selftest.txt").read_text(encoding="utf-8").startswith("Scorecard self-test: PASS")
    assert text.endswith(f"This report is saved in {tmp_path / 'scorecard-selftest.txt'}")


@pytest.mark.slow
def test_given_a_report_file_the_self_test_writes_it_and_shows_nothing(tmp_path):
    app = App()
    caller = type("Caller", (), {"app": app})()
    text = selftest_entry(caller, addin=installed_build(), report=str(tmp_path / "r.txt"))
    assert app.alerts == [] and (tmp_path / "r.txt").read_text(encoding="utf-8") == text + "\n"


def test_a_self_test_that_cannot_run_reports_fail_not_a_traceback():
    class Broken:
        version = "16.0"

        @property
        def books(self):
            raise RuntimeError("Excel is busy")

    app = Broken()
    app.alerts = []
    app.alert = lambda message, title="": app.alerts.append(message)
    text = selftest_entry(type("Caller", (), {"app": app})())
    assert "FAIL  the self-test could not run: RuntimeError: Excel is busy" in text.splitlines()
    assert text.startswith("Scorecard self-test: FAIL")


# --- the command line's self-test goes the way a click goes: the add-in's macro, RunPython -------------


@pytest.fixture
def installed(tmp_path):
    """The add-in as `scorecard addin install` puts it in XLSTART, with its configuration file."""
    target, _ = install.install(tmp_path / "XLSTART", tmp_path / "scorecard.conf")
    return target


@pytest.mark.slow
def test_the_command_line_runs_the_add_ins_own_macro_with_the_build_it_carries(installed):
    app = App()  # Excel started by the command line: no workbook open, the add-in not loaded
    text = run_from_command_line(app, installed)
    lines = text.splitlines()
    assert lines[0] == "Scorecard self-test: PASS", text
    # the build came from the add-in's VBA (ADDIN_BUILD, baked in at build time), not from this Python
    assert f"PASS  the add-in and the scorecard this Python runs are the same build, {installed_build()}" in lines
    assert f"Add-in build: {installed_build()}" in lines
    addin = app.books[installed.name]
    assert app.books.opened == []  # the blank workbook RunPython needed was closed again, and the sample's copy
    assert "import scorecard.excel; scorecard.excel.selftest(" in (addin.modules["ScorecardRibbon"])


@pytest.mark.slow
def test_the_command_line_fails_when_the_installed_add_in_is_of_another_build(installed, monkeypatch):
    """A scorecard upgraded without `scorecard addin install`: the add-in's build differs from the package's."""
    module = importlib.import_module(
        "scorecard.excel.selftest"
    )  # the module: scorecard.excel.selftest is the entry point

    monkeypatch.setattr(module, "installed_build", lambda: "0.2.0+111111111111")
    text = run_from_command_line(App(), installed)
    assert text.startswith("Scorecard self-test: FAIL")
    assert any(
        line.startswith("FAIL  the add-in is build 0.1.0+") and line.endswith("(SC952)") for line in text.splitlines()
    )


def test_the_command_line_without_an_installed_add_in_says_to_install_it(tmp_path):
    from scorecard.errors import ScorecardError

    with pytest.raises(ScorecardError, match="run scorecard addin install first"):
        run_from_command_line(App(), tmp_path / "scorecard.xlam")


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="there, desktop Excel may be present")
def test_command_line_self_test_needs_desktop_excel():
    result = run_cli("addin", "selftest", cwd=ROOT)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "no desktop Excel here: the self-test runs in Excel for Windows or Mac" in result.stderr


# --- Help, with no workbook open -------------------------------------------------------------------


def test_help_with_no_workbook_open_runs_on_a_blank_workbook_it_closes_again(installed):
    app = App()
    app.books.open(str(installed))
    help_macro = app.macro(f"'{installed.name}'!ScorecardRibbon.OnHelp")
    help_macro(None)  # the ribbon passes its control
    assert help_macro.ran == ["import scorecard.excel; scorecard.excel.help()"]
    assert len(app.alerts) == 1 and app.books.opened == []
    text = app.alerts[0]
    assert "Book1" not in text and "<workbook name>.yaml" in text  # a blank, never-saved workbook: said in general


def test_help_lists_every_worksheet_function(tmp_path):
    app = App()
    book = app.books.open(str(sample_files(tmp_path)[0]))
    text = ribbon.help(book)
    listed = text.split("Worksheet functions: ", 1)[1]
    assert [name for name in udfs.__all__ if name in listed] == udfs.__all__
    assert "cic-scorecard-june-2018.yaml" in text  # a saved workbook: its own rules file's name


# --- pieces ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("Scorecard", "Scorecard!"),
        ("KPIs_2018", "KPIs_2018!"),
        ("Données", "Données!"),
        ("Q2.2018", "Q2.2018!"),
        ("KPIs 2018", "'KPIs 2018'!"),
        ("O'Neil's", "'O''Neil''s'!"),
        ("2018", "'2018'!"),
        ("A1", "'A1'!"),
        ("XFD1", "'XFD1'!"),
        ("R1C1", "'R1C1'!"),
        ("R", "'R'!"),
        ("C3", "'C3'!"),
        ("Sheet-1", "'Sheet-1'!"),
        ("(Draft)", "'(Draft)'!"),
    ],
)
def test_sheet_names_are_written_before_the_bang_as_excel_writes_them(name, written):
    assert sheet_prefix(name) == written


def test_count_over_a_sheet_whose_name_needs_quotes_is_read_back(tmp_path):
    """The stand-in reads the reference the formula names: a quoted name with a doubled quote included."""
    import openpyxl

    path = tmp_path / "q.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "O'Neil's KPIs"
    for row, status in enumerate(["Green", "Amber", "G"], start=1):
        book.active.cell(row, 1, status)
    book.create_sheet("Sums")
    book.save(path)
    app = App()
    opened = app.books.open(str(path))
    prefix = sheet_prefix("O'Neil's KPIs")
    opened.sheets["Sums"].range("A1").formula = f'=SCORECARD_COUNT({prefix}A1:A3,"Green")'
    app.calculate()
    assert opened.sheets["Sums"].range("A1").value == 2


def _dll(folder: Path, bits: int = 64, version: str = "0.37.8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"xlwings{bits}-{version}.dll"
    path.write_bytes(b"MZ")
    return path


def _code(message):
    return message.rsplit("(", 1)[-1].rstrip(")") if message else None


def test_xlwings_dll_beside_the_python_or_above_a_virtual_environments_scripts_is_found(tmp_path):
    python = tmp_path / "Python311" / "python.exe"
    _dll(python.parent)
    assert dll_problem(python, "0.37.8", 64, []) is None
    venv_python = tmp_path / "env" / "Scripts" / "python.exe"
    _dll(tmp_path / "env")
    assert dll_problem(venv_python, "0.37.8", 64, []) is None
    assert dll_problem(tmp_path / "None" / "python.exe", "0.37.8", 64, [], windows=False) is None  # macOS: no UDFs


def test_xlwings_dll_put_in_the_users_folder_by_a_non_admin_install_is_found_and_explained(tmp_path):
    python = tmp_path / "Program Files" / "Python311" / "python.exe"
    python.parent.mkdir(parents=True)
    user = tmp_path / "AppData" / "Roaming" / "Python"
    _dll(user)
    problem = dll_problem(python, "0.37.8", 64, [user])
    assert _code(problem) == "SC951"
    assert str(python.parent) in problem and str(user) in problem  # where Excel looks, where pip put it
    assert "python -m venv" in problem and "--force-reinstall" in problem  # what to do, both ways
    _dll(python.parent, bits=32)  # the other bitness does not count
    assert _code(dll_problem(python, "0.37.8", 64, [user])) == "SC951"
    assert _code(dll_problem(python, "0.37.9", 32, [user])) == "SC951"  # nor another xlwings version


@pytest.mark.slow
def test_the_self_test_skips_the_functions_and_fails_when_the_dll_is_missing(monkeypatch):
    module = importlib.import_module(
        "scorecard.excel.selftest"
    )  # the module: scorecard.excel.selftest is the entry point

    monkeypatch.setattr(module, "xlwings_dll_problem", lambda: "xlwings' xlwings64-0.37.8.dll is not in ... (SC951)")
    report = run(App(), formulas=True)
    failed = [line for line in report.text().splitlines() if line.startswith("FAIL")]
    assert failed == ["FAIL  xlwings' xlwings64-0.37.8.dll is not in ... (SC951)"]
    assert not any("=SCORECARD_" in line for line in report.text().splitlines())


def test_the_codes_the_self_test_and_the_functions_name_are_in_the_catalogue():
    from scorecard.core.findings import KINDS

    assert {"SC950", "SC951", "SC952"} <= set(KINDS)
    assert all(KINDS[code].severity.value == "warning" for code in ("SC950", "SC951", "SC952"))


@pytest.mark.slow
def test_install_records_a_persistent_python_on_request_and_uninstall_removes_it(tmp_path):
    """xlwings' USE UDF SERVER in the add-in's own configuration file: RunPython then runs in its COM server."""
    startup, config = tmp_path / "XLSTART", tmp_path / "scorecard.conf"

    def run(*arguments):
        done = run_cli("addin", *arguments, "--dir", startup, "--config", config)
        assert done.returncode == 0, done.stderr
        return done.stdout

    out = run("install", "--persistent-python")
    assert '"USE UDF SERVER","True"' in config.read_text().splitlines()
    assert f"Installed {startup / 'scorecard.xlam'} (build {installed_build()})" in out.splitlines()
    run("install")  # not said: left as it is
    assert '"USE UDF SERVER","True"' in config.read_text().splitlines()
    run("install", "--no-persistent-python")
    assert "USE UDF SERVER" not in config.read_text()
    run("install", "--persistent-python")
    run("uninstall")
    assert not config.exists()
