"""Issue 17, class 3: a batch survives a dead worker. With --jobs 2, a worker killed as the out-of-memory
killer would kill it fails that one workbook with a clear message; the others are refreshed; the
summary names each outcome; no temporary file is left; the killed workbook is as it was."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from clirun import argv, run_cli
from hostile import corpus
from scorecard import cli

pytestmark = [  # processes started, killed and raced: seconds each
    pytest.mark.slow,
    pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="kills workers with SIGKILL; the patched one is inherited by fork"
    ),
]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refreshed(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        return b"Narrative" in archive.read("xl/workbook.xml")


def test_a_worker_killed_mid_write_fails_only_its_workbook(tmp_path, monkeypatch):
    """The worker refreshing victim.xlsx kills itself (SIGKILL) half way through writing it."""
    books = [corpus.copy_sample(tmp_path, f"{name}.xlsx") for name in ("a", "b", "victim", "c", "d")]
    before = {book.name: _digest(book) for book in books}
    real = cli._refresh_one

    def refresh_or_die(job):
        if Path(job.book).name == "victim.xlsx":
            import zipfile as zf

            write = zf.ZipFile.writestr
            count = [0]

            def dying(self, *args, **kwargs):
                count[0] += 1
                if count[0] == 4:  # some parts are in the temporary file: now the kernel kills us
                    os.kill(os.getpid(), signal.SIGKILL)
                return write(self, *args, **kwargs)

            zf.ZipFile.writestr = dying  # in the worker process only (it is a fork)
        return real(job)

    monkeypatch.setattr(cli, "_refresh_one", refresh_or_die)
    code, out, err = run_cli("refresh", *books, "--rules", corpus.SAMPLE_RULES, "--jobs", "2")
    assert code == 1, err
    assert "victim.xlsx: the process refreshing it stopped (killed by signal SIGKILL)" in err, err
    assert "4 of 5 workbooks refreshed, 1 failed: victim.xlsx (left as it was)" in err, err
    for book in books:
        if book.name == "victim.xlsx":
            assert _digest(book) == before[book.name]
        else:
            assert _refreshed(book) and f"{book}: 24 KPIs" in out, out
    assert corpus.hidden_leftovers(tmp_path) == []  # the temporary file it was writing is gone


def test_a_worker_killed_from_outside_fails_one_workbook_and_the_rest_carry_on(tmp_path):
    """As the out-of-memory killer does: a running worker is sent SIGKILL by another process."""
    books = [corpus.copy_sample(tmp_path, f"district{n:02d}.xlsx") for n in range(12)]
    before = {book.name: _digest(book) for book in books}
    command = argv("refresh", *books, "--rules", corpus.SAMPLE_RULES)
    process = subprocess.Popen([*command, "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = None
    deadline = time.monotonic() + 60
    while killed is None and time.monotonic() < deadline and process.poll() is None:
        children = _children(process.pid)
        if len(children) >= 2:
            time.sleep(0.05)  # both workers at work
            try:
                os.kill(children[0], signal.SIGKILL)
            except ProcessLookupError:
                continue  # that worker ended meanwhile: look again
            killed = children[0]
        time.sleep(0.02)
    out, err = process.communicate(timeout=120)
    if killed is None:
        pytest.skip("the batch finished before a worker could be killed")
    refreshed = [book for book in books if _refreshed(book)]
    failed = [book for book in books if not _refreshed(book)]
    assert process.returncode == 1, err
    assert len(failed) == 1 and len(refreshed) == 11, err
    assert f"{failed[0].name}: the process refreshing it stopped (killed by signal SIGKILL)" in err, err
    assert f"11 of 12 workbooks refreshed, 1 failed: {failed[0].name}" in err, err
    assert _digest(failed[0]) == before[failed[0].name]
    assert corpus.hidden_leftovers(tmp_path) == []


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        pytest.skip("no /proc to find the worker processes in")
    return [int(p) for p in text.split()]


def test_a_run_killed_mid_write_leaves_temporary_files_the_next_run_removes(tmp_path):
    book = corpus.copy_sample(tmp_path)
    before = _digest(book)
    stale = [tmp_path / ".~book.xlsx.scorecard-k2j4x9.tmp", tmp_path / ".~book.xlsx.scorecard-0a1b2c.tmp"]
    for path in stale:
        path.write_bytes(b"PK\x03\x04 half a workbook")
    unrelated = tmp_path / ".~other.xlsx.scorecard-k2j4x9.tmp"
    unrelated.write_bytes(b"another workbook's")
    result = run_cli("refresh", book, "--rules", corpus.SAMPLE_RULES, process=True)
    assert result.returncode == 0, result.stderr
    assert not any(path.exists() for path in stale) and unrelated.exists()
    assert _digest(book) != before and corpus.hidden_leftovers(tmp_path) == [unrelated.name]


def test_a_killed_refresh_process_leaves_the_original_and_the_next_run_cleans_up(tmp_path):
    """Kill a whole refresh (not a worker) at random points: the workbook is the original or the refreshed
    one, never damaged; whatever temporary file is left, the next run removes it."""
    book = corpus.copy_sample(tmp_path)
    original = book.read_bytes()
    command = argv("refresh", book, "--rules", corpus.SAMPLE_RULES)
    for delay in (0.4, 0.6, 0.8, 1.0):
        book.write_bytes(original)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.kill()
        process.wait()
        with zipfile.ZipFile(book) as archive:
            assert archive.testzip() is None
        result = run_cli("check", book, "--rules", corpus.SAMPLE_RULES, process=True)
        assert result.returncode == 0, result.stderr
    result = run_cli("refresh", book, "--rules", corpus.SAMPLE_RULES, process=True)
    assert result.returncode == 0, result.stderr
    assert corpus.hidden_leftovers(tmp_path) == []


def test_a_worker_killed_after_saving_is_said_to_have_refreshed_the_workbook(tmp_path):
    """Killed between saving the refreshed workbook and sending back its outcome: the workbook is refreshed,
    so the batch says so rather than 'left as it was'."""
    from scorecard import cli

    book = corpus.copy_sample(tmp_path, "saved.xlsx")
    job = cli.RefreshJob(str(book), None, str(corpus.SAMPLE_RULES), None, False, False, stamp=cli._stamp(book))
    assert "not refreshed" in cli._worker_lost(job, "killed by signal SIGKILL").error  # nothing changed yet
    cli._refresh_one(job)  # the refresh a worker finished, whose outcome never came back
    lost = cli._worker_lost(job, "killed by signal SIGKILL")
    assert lost.saved and "after saving it: it is refreshed" in lost.error
    assert cli._batch_summary(2, ["saved.xlsx (refreshed, its report lost)"]) == (
        "1 of 2 workbooks refreshed, 1 failed: saved.xlsx (refreshed, its report lost)"
    )
