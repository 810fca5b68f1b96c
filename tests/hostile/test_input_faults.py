"""Issue 17, class 7: an input fault is never a bug report. Each case below gave "unexpected error" (exit 3,
the message for a bug) or a traceback; each now gets a message naming the file and line, part or cell,
and exit 1. Text from a workbook printed to a terminal has its control characters escaped."""

from __future__ import annotations

import errno
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from clirun import argv, run_cli
from conftest import write_book
from hostile import corpus

BASE = corpus.RULES_TEXT


def _check(tmp_path: Path, rules_text: str, command: str = "check") -> str:
    book = corpus.copy_sample(tmp_path)
    rules = corpus.rules_file(tmp_path, rules_text)
    code, _, err = run_cli(command, book, "--rules", rules)
    assert code == 1, err
    assert "unexpected" not in err and "Traceback" not in err, err
    return err


# --- numbers no figure can be -------------------------------------------------------------------------

HUGE = "9" * 400


@pytest.mark.parametrize(
    "old, new",
    [
        ("    target: 100\n", f"    target: {HUGE}\n"),
        ("    floor: 90\n", f"    floor: -{HUGE}\n"),
        ("    target: 100\n", f"    target: {'9' * 5000}\n"),  # more digits than Python reads
        ("  decimals: 1\n", f"  decimals: {HUGE}\n"),
        ("  header_row: 4\n", f"  header_row: {HUGE}\n"),
        ("  section: 3\n", f"  section: {HUGE}\n"),
        ("  section: 3\n", "  section: 3\nspc: {min_points: " + HUGE + "}\n"),
        ("    target: 100\n", f"    target: 1e{HUGE}\n"),
    ],
    ids=["target", "floor", "5000-digits", "decimals", "header_row", "section", "min_points", "exponent"],
)
def test_a_400_digit_number_in_the_rules_is_refused_naming_its_line(old, new, tmp_path):
    assert old in BASE
    err = _check(tmp_path, BASE.replace(old, new, 1), "refresh")
    assert "rules.yaml, line " in err and len(err) < 1_000, err


@pytest.mark.parametrize("value", [HUGE, "1e400", "-1e400", "9" * 5000, "1" + "0" * 308])
def test_a_huge_number_in_a_workbook_cell_is_not_a_bug(value, tmp_path):
    book = tmp_path / "book.xlsx"
    parts = corpus.parts_of(corpus.SAMPLE)
    sheet = parts[corpus.SHEET]
    start = sheet.index(b'<c r="H6"')
    value_start = sheet.index(b"<v>", start) + 3
    value_end = sheet.index(b"</v>", value_start)
    parts[corpus.SHEET] = sheet[:value_start] + value.encode() + sheet[value_end:]
    book.write_bytes(corpus.package(parts))
    for command in ("check", "refresh"):
        code, _, err = run_cli(command, book, "--rules", corpus.SAMPLE_RULES)
        assert code in (0, 1) and "unexpected" not in err, err


# --- control characters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "character, name",
    [("\x00", "a NUL character"), ("\x1b", "an escape character"), ("\x0b", "a vertical tab"), ("\x07", "a bell")],
)
def test_a_control_character_in_a_rules_file_is_named_with_its_line(character, name, tmp_path):
    text = BASE.replace("title: Children in Care Scorecard", f"title: Children in{character} Care Scorecard")
    err = _check(tmp_path, text)
    line = BASE.splitlines().index("title: Children in Care Scorecard") + 1
    assert f"rules.yaml, line {line}: column 19 holds {name}" in err, err
    assert character not in err  # the character itself is not printed


@pytest.mark.parametrize("escape", ["_x0000_", "_x001B_", "_x000B_"])
def test_a_control_character_in_an_embedded_rules_cell_is_named_with_its_cell(escape, tmp_path):
    book = corpus.copy_sample(tmp_path)
    assert run_cli("rules", "embed", book, "--rules", corpus.SAMPLE_RULES).returncode == 0
    parts = corpus.parts_of(book)
    part = next(n for n, d in parts.items() if n.startswith("xl/worksheets/") and b"version: 1" in d)
    parts[part] = parts[part].replace(b"title: Children in Care", f"title: Children in{escape} Care".encode(), 1)
    book.write_bytes(corpus.package(parts))
    code, _, err = run_cli("check", book)
    assert code == 1, err
    line = BASE.splitlines().index("title: Children in Care Scorecard") + 1
    assert f"book.xlsx, sheet 'ScorecardRules', cell A{line}: column 19 holds" in err, err
    assert "unexpected" not in err


def test_deeply_nested_yaml_is_an_error_not_a_crash(tmp_path):
    err = _check(tmp_path, BASE + "extra: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n")
    assert "nested more than 64 levels" in err


# --- damaged packages ----------------------------------------------------------------------------


@pytest.mark.parametrize("part", ["docProps/app.xml", "xl/theme/theme1.xml", "docProps/core.xml"])
def test_a_damaged_part_the_refresh_does_not_read_is_named(part, tmp_path):
    book = tmp_path / "book.xlsx"
    book.write_bytes(corpus.damaged_deflate(corpus.stored(), part))
    before = book.read_bytes()
    assert run_cli("check", book, "--rules", corpus.SAMPLE_RULES).returncode == 0  # read: the part is not needed
    code, _, err = run_cli("refresh", book, "--rules", corpus.SAMPLE_RULES)
    assert code == 1, err
    assert f"book.xlsx: is damaged: part {part} cannot be read" in err and "unexpected" not in err, err
    assert book.read_bytes() == before and corpus.hidden_leftovers(tmp_path) == []


@pytest.mark.slow
def test_duplicate_zip_entry_names_are_refused_clearly(tmp_path):
    parts = list(corpus.parts_of(corpus.SAMPLE).items())
    workbook = dict(parts)["xl/workbook.xml"]
    for extra, message in (
        (("xl/workbook.xml", workbook), "two entries named xl/workbook.xml"),
        (
            ("XL/Workbook.xml", workbook),
            "two entries named XL/Workbook.xml (and xl/workbook.xml: part names ignore case)",
        ),
    ):
        book = tmp_path / "book.xlsx"
        book.write_bytes(corpus.package([*parts, extra]))
        result = run_cli("refresh", book, "--rules", corpus.SAMPLE_RULES, process=True)  # warnings as errors
        assert result.returncode == 1, result.stderr
        assert f"book.xlsx: is damaged: its zip holds {message}" in result.stderr, result.stderr
        assert "Warning" not in result.stderr


def test_a_duplicate_entry_in_a_word_template_is_refused(tmp_path):
    book = corpus.copy_sample(tmp_path)
    parts = list(corpus.parts_of(corpus.docx_template()).items())
    template = tmp_path / "council.docx"
    template.write_bytes(corpus.package([*parts, ("word/document.xml", dict(parts)["word/document.xml"])]))
    args = ["report", str(book), "--rules", str(corpus.SAMPLE_RULES), "--template", str(template)]
    code, _, err = run_cli(*args, "--output", tmp_path / "paper.docx")
    assert code == 1 and "council.docx: is damaged: its zip holds two entries named word/document.xml" in err, err


# --- the disk ------------------------------------------------------------------------------------


def _fail_writes(monkeypatch, error: int) -> None:
    import os

    real = os.fsync

    def failing(fd):
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr("scorecard.workbook.files.os.fsync", failing)
    assert real is not failing


@pytest.mark.slow
@pytest.mark.parametrize(
    "error, words",
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EROFS, "the drive is read-only"),
        (errno.EDQUOT, "the disk quota is used up"),
    ],
)
def test_a_full_disk_is_a_clear_error_for_every_command_that_writes(error, words, tmp_path, monkeypatch):
    book = corpus.copy_sample(tmp_path)
    before = book.read_bytes()
    _fail_writes(monkeypatch, error)
    for args in (
        ["refresh", str(book), "--rules", str(corpus.SAMPLE_RULES)],
        ["rules", "embed", str(book), "--rules", str(corpus.SAMPLE_RULES)],
        ["report", str(book), "--rules", str(corpus.SAMPLE_RULES), "--output", str(tmp_path / "paper.docx")],
    ):
        code, _, err = run_cli(*args)
        assert code == 1, err
        assert f": {words}" in err and "unchanged" in err and "unexpected" not in err, err
    assert book.read_bytes() == before and not (tmp_path / "paper.docx").exists()
    assert corpus.hidden_leftovers(tmp_path) == []


def _namespace_available() -> bool:
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-Urm", "true"], capture_output=True).returncode == 0


needs_namespace = pytest.mark.skipif(not _namespace_available(), reason="needs unshare to mount a small file system")


def _in_small_filesystem(folder: Path, options: str, *args: object) -> subprocess.CompletedProcess:
    """Run the command with ``folder`` a fresh tmpfs mounted with ``options`` (in a namespace of its own)."""
    inner = " ".join(
        [
            f"mount -t tmpfs -o {options} tmpfs {folder} &&",
            f"cp {corpus.SAMPLE} {folder}/book.xlsx &&",
            shlex.join(argv(*args)),
        ]
    )
    return subprocess.run(["unshare", "-Urm", "sh", "-c", inner], capture_output=True, text=True, timeout=120)


@pytest.mark.slow
@needs_namespace
def test_a_really_full_disk_is_a_clear_error(tmp_path):
    folder = tmp_path / "small"
    folder.mkdir()
    # room for the workbook, not for a second copy of it beside it
    size = corpus.SAMPLE.stat().st_size + 12 * 1024
    result = _in_small_filesystem(
        folder, f"size={size}", "refresh", f"{folder}/book.xlsx", "--rules", corpus.SAMPLE_RULES
    )
    assert result.returncode == 1, result.stderr
    assert "the disk is full; the original is unchanged" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
@needs_namespace
def test_an_unwritable_output_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "readonly"
    folder.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    inner = (
        f"mount -t tmpfs tmpfs {folder} && cp {corpus.SAMPLE} {folder}/book.xlsx && mount -o remount,ro {folder} && "
        + " ; ".join(
            f"{shlex.join(argv())} {command}; echo exit=$?"
            for command in (
                f"refresh {folder}/book.xlsx --rules {corpus.SAMPLE_RULES}",
                f"rules embed {folder}/book.xlsx --rules {corpus.SAMPLE_RULES}",
                f"report {folder}/book.xlsx --rules {corpus.SAMPLE_RULES}",
                f"refresh {corpus.SAMPLE} --rules {corpus.SAMPLE_RULES} --output {folder}/new.xlsx",
            )
        )
    )
    result = subprocess.run(["unshare", "-Urm", "sh", "-c", inner], capture_output=True, text=True, timeout=120)
    assert result.stdout.count("exit=1") == 4, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr, result.stderr
    assert result.stderr.count("read-only") >= 4, result.stderr


# --- the terminal ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rows",
    [
        # a KPI id, name and polarity with terminal escape sequences: the error quotes the polarity
        [["K1", "Calls\x1b[2J", "H", 85, 75, 80, 90], ["K2", "x", "sideways\x1b[31m", 85, 75, 80, 90]],
        # refreshed: the id in a warning (not in the rules), the name in the narrative and the summary
        [["K1\x1b]0;owned\x07", "Calls\x1b[2J answered", "H", 85, 75, 80, 90]],
    ],
    ids=["error", "narrative"],
)
def test_control_characters_from_a_workbook_are_escaped_on_the_terminal(rows, tmp_path):
    book = write_book(tmp_path / "book.xlsx", [corpus.TABLE_HEADER, *rows])
    rules = corpus.rules_file(tmp_path, corpus.TABLE_RULES + "kpis:\n  - {id: K9, polarity: higher}\n")
    shown = []
    for command in ("check", "narrative", "refresh"):
        result = run_cli(command, book, "--rules", rules)
        printed = result.stdout + result.stderr
        assert "\x1b" not in printed and "\x07" not in printed, (command, printed)
        shown.append("\\x1b" in printed)  # the character shown as an escape, where it is printed at all
    assert shown[:2] == [True, True], shown


@pytest.mark.slow
def test_nothing_in_the_corpus_is_an_unexpected_error(tmp_path):
    """Every workbook of the corpus, through check and refresh: exit 0 or 1, never 3, never a traceback."""
    cases = {
        **corpus.beyond_excel_cases(),
        "table-beyond": corpus.book_with_table("A1:G2000000"),
        "renamed-bin": corpus.workbook_part_renamed("xl/workbook.bin"),
        "damaged-theme": corpus.damaged_deflate(corpus.stored(), "xl/theme/theme1.xml"),
        "styles-utf16-dtd": corpus.edit_parts(corpus.SAMPLE, {"xl/styles.xml": lambda d: corpus.with_dtd(d, "utf-16")}),
        "duplicate": corpus.package([*corpus.parts_of(corpus.SAMPLE).items(), ("xl/styles.xml", b"<x/>")]),
    }
    for name, data in cases.items():
        book = tmp_path / f"{name}.xlsx"
        book.write_bytes(data)
        for command in ("check", "refresh"):
            code = run_cli(command, book, "--rules", corpus.SAMPLE_RULES).returncode
            assert code in (0, 1), (name, command, code)
    assert not any(p.name.startswith(".~") for p in tmp_path.iterdir())


def test_the_reading_of_a_damaged_part_names_it(tmp_path):
    book = tmp_path / "book.xlsx"
    book.write_bytes(corpus.damaged_deflate(corpus.stored(), corpus.SHEET))
    code, _, err = run_cli("check", book, "--rules", corpus.SAMPLE_RULES)
    assert code == 1, err
    assert f"book.xlsx: is damaged: part {corpus.SHEET} cannot be read" in err and "unexpected" not in err, err
