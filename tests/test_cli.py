"""The scorecard command: exit codes, messages, JSON, no tracebacks. Run as main() in this process (what the
installed script calls), and in a process of its own where that is the point: the module's entry point, the
installed script, the worker pool."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from clirun import run_cli
from conftest import SAMPLE, SAMPLE_RULES


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_refresh_in_place(sample):
    result = run_cli("refresh", sample, "--rules", SAMPLE_RULES)
    assert result.returncode == 0, result.stderr
    assert "24 KPIs: 14 Green, 10 Amber; 1 RAG change" in result.stdout


def test_refresh_many_with_one_bad_reports_it_and_does_the_rest(tmp_path):
    good = [tmp_path / f"district{i}.xlsx" for i in range(3)]
    for path in good:
        shutil.copyfile(SAMPLE, path)
    bad = tmp_path / "broken.xlsx"
    bad.write_text("not a workbook")
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli("refresh", good[0], bad, good[1], good[2], "--rules", SAMPLE_RULES, "--output", out)
    assert result.returncode == 1
    assert "broken.xlsx: is not an Excel workbook" in result.stderr
    assert "3 of 4 workbooks refreshed, 1 failed" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["district0.xlsx", "district1.xlsx", "district2.xlsx"]
    assert [digest(p) for p in good] == [digest(SAMPLE)] * 3  # inputs untouched when --output is given


def test_refresh_json_lines(tmp_path, sample):
    result = run_cli("refresh", sample, "--rules", SAMPLE_RULES, "--json")
    assert result.returncode == 0
    [line] = result.stdout.splitlines()
    data = json.loads(line)
    assert data["ok"] and data["file"] == str(sample) and data["output"] == str(sample)
    assert data["counts"] == {"Green": 14, "Amber": 10, "Red": 0, "No data": 0, "Not rated": 0}
    assert data["changes"] == [{"id": "CIC01", "from": "Amber", "to": "Green"}]


@pytest.mark.slow
def test_refresh_in_parallel_gives_the_same_files(tmp_path):
    books = []
    for i in range(4):
        books.append(tmp_path / f"b{i}.xlsx")
        shutil.copyfile(SAMPLE, books[-1])
    one, many = tmp_path / "one", tmp_path / "many"
    one.mkdir(), many.mkdir()
    assert run_cli("refresh", *books, "--rules", SAMPLE_RULES, "--output", one).returncode == 0
    assert (
        run_cli("refresh", *books, "--rules", SAMPLE_RULES, "--output", many, "--jobs", "0", process=True).returncode
        == 0
    )  # 0: a process per core
    assert [digest(one / b.name) for b in books] == [digest(many / b.name) for b in books]


def test_narrative_json_has_the_documented_shape():
    result = run_cli("narrative", SAMPLE, "--rules", SAMPLE_RULES, "--format", "json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["title"] == "Children in Care Scorecard"
    assert data["period"] == {"current": "June 2018", "previous": "May 2018"}
    first = data["kpis"][0]
    assert {
        k: first[k]
        for k in ("id", "polarity", "current", "previous", "target", "floor", "rag", "previous_rag", "direction")
    } == {
        "id": "CIC01",
        "polarity": "higher",
        "current": 100.0,
        "previous": 93.9,
        "target": 100.0,
        "floor": 90.0,
        "rag": "Green",
        "previous_rag": "Amber",
        "direction": "improved",
    }
    assert data["narrative"][0].startswith("3.1 The report contains")
    miles = next(k for k in data["kpis"] if k["id"] == "CIC16")
    assert (miles["numerator"], miles["denominator"]) == (988, 1288)


def test_narrative_text_and_markdown_write_nothing(sample):
    before = digest(sample)
    text = run_cli("narrative", sample, "--rules", SAMPLE_RULES)
    markdown = run_cli("narrative", sample, "--rules", SAMPLE_RULES, "--format", "markdown")
    assert text.stdout.startswith("Children in Care Scorecard\n\nSummary of Performance – June 2018\n")
    assert "**3.4.1** Percentage of CIC for 18 months" in markdown.stdout
    assert "- 14 are rated Green" in markdown.stdout
    assert "• 14 are rated Green – target achieved or exceeded\n• 10 are rated Amber" in text.stdout
    assert digest(sample) == before


def test_check_reports_where_the_table_is(sample):
    before = digest(sample)
    result = run_cli("check", sample, "--rules", SAMPLE_RULES)
    assert result.returncode == 0
    assert "rules are valid (24 KPIs described)" in result.stdout
    assert "24 KPIs on sheet 'Scorecard', rows 6-32, headers in row 4; June 2018 against May 2018" in result.stdout
    assert digest(sample) == before
    assert run_cli("check", "--rules", SAMPLE_RULES).returncode == 0


def test_bad_rules_name_the_line_and_exit_1(tmp_path, sample):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\nlayout:\n  columns: {id: Ref, current: A, previous: B}\nkpis:\n  - id: X\n    tagret: 5\n"
    )
    before = digest(sample)
    result = run_cli("refresh", sample, "--rules", rules)
    assert result.returncode == 1
    assert result.stderr.startswith("scorecard: error: rules.yaml, line 6: unknown key 'tagret'")
    assert digest(sample) == before


def test_workbook_errors_name_file_sheet_and_cell(tmp_path, sample):
    rules = tmp_path / "rules.yaml"
    rules.write_text(SAMPLE_RULES.read_text().replace("current: Jun-18", "current: Jul-18"))
    result = run_cli("check", sample, "--rules", rules)
    assert result.returncode == 1
    assert f"{sample.name}, sheet 'Scorecard', row 4: no column headed 'Jul-18'" in result.stderr


def test_usage_errors(tmp_path, sample):
    assert run_cli().returncode == 2
    no_rules = run_cli("refresh", sample)  # no --rules and none embedded: one line saying both ways
    assert no_rules.returncode == 1 and "no rules: give --rules RULES, or embed them" in no_rules.stderr
    twice = run_cli("refresh", sample, sample, "--rules", SAMPLE_RULES)
    assert twice.returncode == 1 and "given more than once" in twice.stderr
    missing = run_cli("refresh", sample, "--rules", SAMPLE_RULES, "--output", tmp_path / "nowhere" / "x.xlsx")
    assert missing.returncode == 1 and "does not exist" in missing.stderr


def test_help_and_version():
    assert "refresh" in run_cli("--help").stdout
    assert run_cli("--version").stdout.startswith("scorecard ")
    assert run_cli("schema").json()["title"].startswith("scorecard rules")


@pytest.mark.slow
def test_the_module_runs_as_a_command():
    """python -m scorecard.cli: its exit status is main()'s, its output the same."""
    assert run_cli("--version", process=True).stdout == run_cli("--version").stdout
    assert run_cli(process=True).returncode == 2
    assert run_cli("check", "--rules", SAMPLE_RULES, process=True).returncode == 0


def test_installed_entry_point_works():
    exe = Path(sys.executable).parent / "scorecard"
    if not exe.exists():
        pytest.skip("not installed as a script in this environment")
    result = subprocess.run([exe, "--version"], capture_output=True, text=True, env={**os.environ})
    assert result.returncode == 0


def test_check_strict_fails_on_warnings(tmp_path):
    from conftest import write_book

    book = write_book(
        tmp_path / "b.xlsx",
        [["Ref", "Polarity", "Target", "Floor", "May-18", "Jun-18"], ["K1", "H", 85, 75, "see note", 90]],
    )
    rules = tmp_path / "r.yaml"
    rules.write_text(
        "version: 1\nlayout:\n  columns: {id: Ref, polarity: Polarity, target: Target, floor: Floor, current: "
        "Jun-18, previous: May-18}\n"
    )
    relaxed = run_cli("check", book, "--rules", rules)
    strict = run_cli("check", book, "--rules", rules, "--strict")
    assert relaxed.returncode == 0 and strict.returncode == 1
    assert "cell E2: text 'see note' is not a figure" in strict.stdout


def test_progress_bar_on_a_terminal(monkeypatch):
    import io

    from scorecard import cli

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    monkeypatch.setattr(cli.sys, "stderr", screen)
    show = cli._progress(4)
    for name in ("a.xlsx", "b.xlsx"):
        show(cli.RefreshOutcome(name))
    assert "[###############...............] 2/4 b.xlsx" in screen.getvalue()
    show(None)
    assert screen.getvalue().endswith("\r\033[K")
    quiet = io.StringIO()
    monkeypatch.setattr(cli.sys, "stderr", quiet)
    cli._progress(4)(cli.RefreshOutcome("a.xlsx"))
    assert quiet.getvalue() == ""  # not a terminal: no bar in logs or pipes


def test_excel_lock_files_from_a_glob_are_skipped(tmp_path):
    book = tmp_path / "district.xlsx"
    shutil.copyfile(SAMPLE, book)
    lock = tmp_path / "~$district.xlsx"
    lock.write_bytes(b"\x0banalyst" + bytes(150))  # what Excel leaves beside an open workbook
    result = run_cli("refresh", book, lock, "--rules", SAMPLE_RULES)
    assert "skipped" in result.stderr and "Excel lock file" in result.stderr
    # the owner file says the workbook is open in Excel: refused, naming who has it, unless told otherwise
    assert result.returncode == 1 and "is open in Excel by analyst" in result.stderr, result.stderr
    result = run_cli("refresh", book, lock, "--rules", SAMPLE_RULES, "--even-if-open")
    assert result.returncode == 0, result.stderr
    assert run_cli("refresh", lock, "--rules", SAMPLE_RULES).returncode == 1


def test_a_locked_destination_says_what_to_do(sample, monkeypatch):
    import os as real_os

    def locked(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(real_os, "replace", locked)
    code, _, err = run_cli("refresh", sample, "--rules", SAMPLE_RULES)
    assert code == 1, err
    assert "Permission denied (is it open in Excel? close it and refresh again); the original is unchanged" in err


@pytest.mark.slow
def test_a_refresh_job_and_its_outcome_cross_a_process_boundary(tmp_path):
    """What the worker processes send and return: frozen dataclasses that pickle, named fields, no tuples."""
    import pickle
    from concurrent.futures import ProcessPoolExecutor

    from scorecard import cli

    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    shutil.copyfile(SAMPLE, good)
    bad.write_bytes(b"PK not a zip")
    jobs = [
        cli.RefreshJob(str(good), str(tmp_path / "out.xlsx"), str(SAMPLE_RULES), None, False, full)
        for full in (False, True)
    ] + [cli.RefreshJob(str(bad), None, str(SAMPLE_RULES), None, False, True)]
    assert pickle.loads(pickle.dumps(jobs)) == jobs
    with ProcessPoolExecutor(max_workers=2) as pool:
        summary, full, failed = pool.map(cli._refresh_one, jobs)
    assert summary.ok and summary.report is None and summary.output == str(tmp_path / "out.xlsx")
    assert summary.kpis == 24 and summary.counts["Green"] == 14 and summary.changes == 1
    line = full.as_json()
    assert list(line)[:4] == ["file", "ok", "output", "rules"] and line["ok"] is True
    assert line["counts"] == {"Green": 14, "Amber": 10, "Red": 0, "No data": 0, "Not rated": 0}
    assert not failed.ok and failed.as_json() == {"file": str(bad), "ok": False, "error": failed.error}
    assert "bad.xlsx" in failed.error


@pytest.mark.parametrize("jobs", ["-1", "two"])
def test_jobs_must_be_zero_or_a_count(jobs, sample):
    result = run_cli("refresh", sample, "--rules", SAMPLE_RULES, "--jobs", jobs)
    assert result.returncode == 2 and "--jobs" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "command", [["narrative"], ["report", "--output", "{tmp}/r.docx"], ["refresh", "--output", "{tmp}/out.xlsx"]]
)
def test_each_command_says_which_rules_file_it_used(command, sample, tmp_path):
    name, *rest = command
    result = run_cli(name, sample, "--rules", SAMPLE_RULES, *[a.format(tmp=tmp_path) for a in rest])
    assert result.returncode == 0, result.stderr
    assert f"rules: {SAMPLE_RULES}" in result.stderr  # on standard error: the output stays the report


def test_rules_embed_says_where_the_lines_went(sample):
    result = run_cli("rules", "embed", sample, "--rules", SAMPLE_RULES)
    lines = len(SAMPLE_RULES.read_text("utf-8").rstrip("\n").split("\n"))
    assert result.returncode == 0
    assert f"in the hidden sheet ScorecardRules, cells A1:A{lines}; --rules may now be left out" in result.stdout
