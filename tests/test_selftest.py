"""The acceptance self-test, run against a stand-in for desktop Excel (tests/desktop.py), which reads
back what was written; and its command-line form, which needs desktop Excel and says so without it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT, SAMPLE, SAMPLE_RULES
from desktop import App
from scorecard.excel import selftest as selftest_entry
from scorecard.excel.selftest import run, sample_files


def test_the_bundled_sample_and_rules_are_the_repository_ones(tmp_path):
    book, rules = sample_files(tmp_path)
    assert book.read_bytes() == SAMPLE.read_bytes() and rules.read_bytes() == SAMPLE_RULES.read_bytes()


def test_self_test_passes_where_excel_writes_what_it_is_told(tmp_path):
    app = App()
    report = run(app, addin=None, formulas=True)
    text = report.text()
    assert report.passed, text
    assert text.splitlines()[0] == "Scorecard self-test: PASS"
    assert "PASS  Check: 24 KPIs found, no problems" in text
    assert "PASS  Refresh wrote 24 RAG and 24 direction cells as planned" in text
    assert "PASS  Word report saved beside the workbook as cic-scorecard-june-2018.docx" in text
    assert "PASS  the Narrative sheet begins 'Children in Care Scorecard'" in text  # the rules' title
    assert "PASS  =RAG(84.9,85,75,\"H\") gives 'Amber'" in text  # 84.9 is below 85, above 75
    assert "PASS  =SCORECARD_COUNT('Scorecard'!H6:H32,\"Green\") gives 14" in text  # the sample: 14 Green
    assert '=SCORECARD_RAG(100.0,"CIC01",' in text and "gives 'Green'" in text  # CIC01: 100 against its target of 100
    assert "Excel: 16.0 (stand-in)" in text and "xlwings: " in text and "Python: " in text
    assert "Add-in build: not given (run from the command line)" in text
    assert app.books.opened == []  # the copy was closed
    assert app.alerts == []  # Check and Refresh ran without their own alerts: the report is the one


def test_self_test_fails_and_names_the_cells_when_fills_do_not_land():
    report = run(App(drop_fills=True), formulas=False)
    text = report.text()
    assert not report.passed and text.startswith("Scorecard self-test: FAIL")
    assert "FAIL  Refresh: Scorecard!" in text and "is filled None, not #" in text
    assert "SKIP  worksheet functions: Excel runs xlwings functions on Windows only" in text


def test_an_add_in_built_for_another_version_fails():
    report = run(App(), addin="0.0.1 (xlwings 0.1)", formulas=False)
    assert not report.passed
    assert "the add-in was built for scorecard 0.0.1" in report.text() and "scorecard addin install" in report.text()
    assert "Add-in build: 0.0.1 (xlwings 0.1)" in report.text()


def test_the_button_shows_the_report_and_saves_it(tmp_path, monkeypatch):
    import tempfile

    from scorecard import __version__

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    app = App()
    caller = type("Caller", (), {"app": app})()
    text = selftest_entry(caller, addin=f"{__version__} (xlwings x)")
    assert app.alerts == [text]
    assert (tmp_path / "scorecard-selftest.txt").read_text(encoding="utf-8").startswith("Scorecard self-test:")
    assert text.endswith(f"This report is saved in {tmp_path / 'scorecard-selftest.txt'}")


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
    assert text.startswith("Scorecard self-test: FAIL\nFAIL  the self-test could not run: RuntimeError: Excel is busy")


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="there, desktop Excel may be present")
def test_command_line_self_test_needs_desktop_excel():
    result = subprocess.run(
        [sys.executable, "-m", "scorecard.cli", "addin", "selftest"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "no desktop Excel here: the self-test runs in Excel for Windows or Mac" in result.stderr
