"""An unexpected error (a bug) is one line for the user and a traceback in the log the line names."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clirun import run_cli
from scorecard import usecases
from scorecard.errors import log_path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "workbook_templates" / "cic-scorecard-june-2018.xlsx"
RULES = ROOT / "rules" / "cic-scorecard.yaml"


def _boom(*args, **kwargs):
    raise KeyError("column 99")


def test_refresh_bug_is_one_line_and_a_logged_traceback(tmp_path, monkeypatch):
    log = tmp_path / "logs" / "scorecard.log"
    monkeypatch.setenv("SCORECARD_LOG", str(log))
    book = tmp_path / "book.xlsx"
    shutil.copy(SAMPLE, book)
    before = book.read_bytes()
    monkeypatch.setattr(usecases, "write_narrative", _boom)
    code, _, stderr = run_cli("refresh", book, "--rules", RULES, bug=True)
    assert code == 1, stderr
    err = stderr.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
    assert (
        err[0] == f"scorecard: error: book.xlsx: unexpected error (KeyError: 'column 99'); the details are in {log}: "
        "please send that file with your report"
    )
    text = log.read_text("utf-8")
    assert "Traceback (most recent call last)" in text and "_boom" in text and f"refresh {book}" in text
    assert book.read_bytes() == before


def test_a_bug_outside_a_workbook_exits_3(tmp_path, monkeypatch):
    log = tmp_path / "scorecard.log"
    monkeypatch.setenv("SCORECARD_LOG", str(log))
    monkeypatch.setattr(usecases, "evaluate_file", _boom)
    code, _, stderr = run_cli("narrative", SAMPLE, "--rules", RULES, bug=True)
    assert code == 3, stderr
    err = [line for line in stderr.splitlines() if not line.startswith("rules: ")]
    assert len(err) == 1 and err[0].startswith("scorecard: error: unexpected error (KeyError: 'column 99')")
    assert "### scorecard narrative" in log.read_text("utf-8")


def test_an_unwritable_log_still_gives_one_line(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SCORECARD_LOG", str(blocker / "scorecard.log"))
    monkeypatch.setattr(usecases, "evaluate_file", _boom)
    code, _, stderr = run_cli("check", SAMPLE, "--rules", RULES, bug=True)
    assert code == 3, stderr
    err = [line for line in stderr.splitlines() if not line.startswith("rules: ")]
    assert len(err) == 1 and "could not be written" in err[0]


@pytest.mark.parametrize(
    "platform, env, expected",
    [
        ("linux", {"XDG_CACHE_HOME": "/c"}, "/c/scorecard/scorecard.log"),
        ("win32", {"LOCALAPPDATA": "/l"}, "/l/scorecard/scorecard.log"),
    ],
)
def test_the_log_lives_in_the_users_cache_folder(monkeypatch, platform, env, expected):
    monkeypatch.delenv("SCORECARD_LOG", raising=False)
    monkeypatch.setattr("sys.platform", platform)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert log_path() == Path(expected)
