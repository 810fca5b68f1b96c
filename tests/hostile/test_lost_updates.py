"""Issue 17, class 4: no lost updates. Every read-modify-write of a workbook (a refresh, `rules embed`)
holds a lock on it from the read to the write, so a second one waits for the first and works on its
result; a workbook open in Excel (its owner file ~$NAME beside it) is refused, naming the user the owner
file records, unless the user says otherwise (--even-if-open)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from clirun import argv, run_cli
from hostile import corpus
from scorecard.errors import WorkbookError
from scorecard.workbook import bookrules
from scorecard.workbook.files import lock, owner_file, owner_name


def _has_rules_and_narrative(book: Path) -> tuple[bool, bool]:
    with zipfile.ZipFile(book) as archive:
        workbook = archive.read("xl/workbook.xml")
    return b'name="ScorecardRules"' in workbook, b'name="Narrative"' in workbook


@pytest.mark.slow
def test_rules_embed_during_a_refresh_loses_nothing(tmp_path):
    """The issue's race: 20 of 20 runs lost the embedded rules, both commands exiting 0 (6 of 6 here
    without the lock: the embed wrote while the refresh worked, and the refresh's write replaced it)."""
    rules = corpus.rules_file(tmp_path, corpus.TABLE_RULES)
    source = corpus.big_book(tmp_path / "source.xlsx")
    for round_ in range(6):
        book = tmp_path / f"book{round_}.xlsx"
        book.write_bytes(source.read_bytes())
        refresh = subprocess.Popen(argv("refresh", book, "--rules", rules), stderr=subprocess.PIPE, text=True)
        time.sleep(0.3 + 0.1 * round_)  # the embed starts at different points of the refresh
        embed = subprocess.Popen(argv("rules", "embed", book, "--rules", rules), stderr=subprocess.PIPE, text=True)
        assert refresh.wait(60) == 0, refresh.stderr.read() if refresh.stderr else ""
        assert embed.wait(60) == 0, embed.stderr.read() if embed.stderr else ""
        assert _has_rules_and_narrative(book) == (True, True), f"round {round_}: an update was lost"
    assert corpus.hidden_leftovers(tmp_path) == []


@pytest.mark.slow
def test_a_second_writer_waits_for_the_first(tmp_path):
    book = corpus.copy_sample(tmp_path)
    held = threading.Event()
    release = threading.Event()

    def holder():
        with lock(book):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)
    process = subprocess.Popen(argv("refresh", book, "--rules", corpus.SAMPLE_RULES), stderr=subprocess.PIPE)
    time.sleep(1.5)
    assert process.poll() is None  # waiting for the lock
    assert _has_rules_and_narrative(book) == (False, False)
    release.set()
    thread.join()
    assert process.wait(60) == 0
    assert _has_rules_and_narrative(book) == (False, True)


@pytest.mark.slow
def test_a_writer_that_waits_too_long_is_refused_clearly(tmp_path):
    book = corpus.copy_sample(tmp_path)
    before = book.read_bytes()
    with lock(book):
        with pytest.raises(WorkbookError, match="is being written by another scorecard run") as caught:
            with lock(book, wait=0.3):
                pass
    assert "book.xlsx" in str(caught.value)
    assert book.read_bytes() == before and corpus.hidden_leftovers(tmp_path) == []


@pytest.mark.slow
def test_the_lock_of_a_killed_run_goes_with_it(tmp_path):
    book = corpus.copy_sample(tmp_path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from scorecard.workbook.files import lock\n"
            f"with lock(Path({str(book)!r})):\n    print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait()
    with lock(book, wait=2):  # at once: the operating system released it
        pass
    assert corpus.hidden_leftovers(tmp_path) == []


# --- a workbook open in Excel ---------------------------------------------------------------------


@pytest.mark.parametrize("user", ["Jane Smith", "Zoë Ó Briain", "j.smith"])
def test_a_workbook_open_in_excel_is_refused_naming_the_user(user, tmp_path):
    book = corpus.copy_sample(tmp_path)
    (tmp_path / "~$book.xlsx").write_bytes(corpus.owner_file(user))
    before = book.read_bytes()
    for args in (
        ["refresh", str(book), "--rules", str(corpus.SAMPLE_RULES)],
        ["rules", "embed", str(book), "--rules", str(corpus.SAMPLE_RULES)],
    ):
        code, _, err = run_cli(*args)
        assert code == 1, err
        assert f"book.xlsx: is open in Excel by {user} (its owner file ~$book.xlsx is beside it)" in err, err
        assert "--even-if-open" in err
    assert book.read_bytes() == before and corpus.hidden_leftovers(tmp_path) == []


def test_the_user_may_say_otherwise(tmp_path):
    book = corpus.copy_sample(tmp_path)
    (tmp_path / "~$book.xlsx").write_bytes(corpus.owner_file("Jane Smith"))
    assert run_cli("refresh", book, "--rules", corpus.SAMPLE_RULES, "--even-if-open").returncode == 0
    assert run_cli("rules", "embed", book, "--rules", corpus.SAMPLE_RULES, "--even-if-open").returncode == 0
    assert _has_rules_and_narrative(book) == (True, True)


def test_an_output_open_in_excel_is_refused_too(tmp_path):
    book = corpus.copy_sample(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "book.xlsx").write_bytes(book.read_bytes())
    (out / "~$book.xlsx").write_bytes(corpus.owner_file("Ravi Patel"))
    code, _, err = run_cli("refresh", book, "--rules", corpus.SAMPLE_RULES, "--output", out)
    assert code == 1, err
    assert "is open in Excel by Ravi Patel" in err


def test_an_owner_file_that_does_not_say_who_is_still_refused(tmp_path):
    book = corpus.copy_sample(tmp_path)
    (tmp_path / "~$book.xlsx").write_bytes(b"")
    code, _, err = run_cli("refresh", book, "--rules", corpus.SAMPLE_RULES)
    assert code == 1, err
    assert "book.xlsx: is open in Excel (its owner file" in err


def test_owner_files_are_read_as_office_writes_them():
    assert owner_name(corpus.owner_file("Jane Smith")) == "Jane Smith"
    word = bytearray(162)  # Word's layout: the UTF-16 copy at byte 54
    word[0], word[1:6] = 5, b"Priya"
    word[54:56] = (5).to_bytes(2, "little")
    word[56:66] = "Priya".encode("utf-16-le")
    assert owner_name(bytes(word)) == "Priya"
    assert owner_name(b"\x00" * 165) is None and owner_name(b"") is None
    assert owner_file(Path("q/Budget.xlsx")).name == "~$Budget.xlsx"
    assert owner_file(Path("q/CoverReport.docx")).name == "~$verReport.docx"  # Word cuts a long name


@pytest.mark.slow
def test_embed_is_refused_while_another_run_holds_the_workbook(tmp_path, monkeypatch):
    book = corpus.copy_sample(tmp_path)
    monkeypatch.setattr("scorecard.workbook.files.LOCK_WAIT", 0.3)
    with lock(book):
        with pytest.raises(WorkbookError, match="is being written by another scorecard run"):
            bookrules.embed(book, corpus.RULES_TEXT)
    assert _has_rules_and_narrative(book) == (False, False)
