"""Issue 17, class 6: what is written is valid for Excel and Word. Sheet names Excel forbids are refused in
the rules; a text longer than a cell holds is cut with a marker and a warning (SC850); control characters
are escaped in workbooks (_xHHHH_) and dropped or replaced in Word; a template's macros and remote
attached template never reach the report; --output is not the template, and names the package's kind."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from clirun import run_cli
from conftest import write_book
from hostile import corpus
from scorecard.core.celltext import MAX_CELL_CHARACTERS, excel_length, fit_cell
from scorecard.core.plan import cut_cell_findings
from scorecard.core.rules import load_rules
from scorecard.usecases import evaluate_file
from scorecard.workbook.book import read_grid

HEADER = ["Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18", "Commentary"]
RULES = (
    "version: 1\nlayout:\n  columns: {id: Ref, name: Indicator, polarity: Polarity, target: Target, floor: Floor, "
    "current: Jun-18, previous: May-18, commentary: Commentary}\n"
)


# --- sheet names ---------------------------------------------------------------------------------

BAD_NAMES = [
    "Summary 2018/19",
    "Q1: summary",
    "[draft]",
    "What?",
    "All*",
    "back\\\\slash",
    "A name of thirty-two characters!",
    "History",
    "HISTORY",
    "'quoted'",
    "tab\\there",
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_narrative_sheet_name_excel_forbids_is_refused_in_the_rules(name, tmp_path):
    book = corpus.copy_sample(tmp_path)
    before = book.read_bytes()
    rules = corpus.rules_file(tmp_path, corpus.RULES_TEXT.replace("  section: 3", f'  section: 3\n  sheet: "{name}"'))
    for args in (["check", "--rules", str(rules)], ["refresh", str(book), "--rules", str(rules)]):
        code, _, err = run_cli(*args)
        assert code == 1, err
        assert re.search(r"rules\.yaml, line \d+: narrative\.sheet", err), err
    assert book.read_bytes() == before


def test_a_good_narrative_sheet_name_is_written(tmp_path):
    book = corpus.copy_sample(tmp_path)
    rules = corpus.rules_file(
        tmp_path, corpus.RULES_TEXT.replace("  section: 3", "  section: 3\n  sheet: Summary 2018-19")
    )
    assert run_cli("refresh", book, "--rules", rules).returncode == 0
    assert "Summary 2018-19" in openpyxl.load_workbook(book).sheetnames


# --- a text longer than a cell --------------------------------------------------------------------


def _long_commentary_book(folder: Path, commentary: str) -> tuple[Path, Path]:
    book = write_book(folder / "book.xlsx", [HEADER, ["K1", "Calls answered", "H", 85, 75, 80, 70, commentary]])
    return book, corpus.rules_file(folder, RULES)


@pytest.mark.slow
def test_a_commentary_near_the_limit_is_cut_with_a_marker_and_a_warning(tmp_path):
    book, rules = _long_commentary_book(tmp_path, "Demand rose. " * 2_515)  # 32,695 characters: a legal cell
    result = evaluate_file(book, load_rules(rules))
    assert [f.code for f in cut_cell_findings(result.plan)] == ["SC850"]
    code, _, err = run_cli("refresh", book, "--rules", rules)
    assert code == 0, err
    assert "warning SC850 sheet 'Narrative', cell B" in err
    texts = [c.value for row in openpyxl.load_workbook(book)["Narrative"].iter_rows() for c in row if c.value]
    longest = max(texts, key=len)
    assert excel_length(longest) <= MAX_CELL_CHARACTERS and "cut here: the full text is" in longest
    strict = tmp_path / "strict"
    strict.mkdir()
    book, rules = _long_commentary_book(strict, "x " * 16_400)
    before = book.read_bytes()
    code, _, err = run_cli("refresh", book, "--rules", rules, "--strict")
    assert code == 1, err
    assert "not refreshed (--strict)" in err and book.read_bytes() == before


def test_a_short_commentary_is_not_cut(tmp_path):
    book, rules = _long_commentary_book(tmp_path, "Demand rose. " * 100)
    assert cut_cell_findings(evaluate_file(book, load_rules(rules)).plan) == []


@pytest.mark.parametrize("text", ["a" * 40_000, "é" * 40_000, "😀" * 20_000, "a" + "😀" * 16_383 + "b" * 10])
def test_fit_cell_counts_as_excel_counts(text):
    fitted = fit_cell(text)
    assert excel_length(fitted) <= MAX_CELL_CHARACTERS
    assert fitted.endswith("a cell holds]") and not any("\ud800" <= c <= "\udfff" for c in fitted)
    assert fit_cell("short") == "short"


# --- control characters ------------------------------------------------------------------------------


def _control_book(folder: Path) -> tuple[Path, Path]:
    """A workbook whose KPI name and commentary hold a vertical tab, an ESC, a NUL and a form feed, stored
    as Excel stores them (_x000B_ ...)."""
    book = write_book(
        folder / "book.xlsx",
        [HEADER, ["K1", "Calls\x0banswered", "H", 85, 75, 80, 70, "Up\x1b[31m again\x00 \x0b\x0c note"]],
    )
    return book, corpus.rules_file(folder, RULES)


@pytest.mark.slow
def test_control_characters_are_escaped_in_the_workbook_and_dropped_in_word(tmp_path):
    from docx import Document

    book, rules = _control_book(tmp_path)
    assert b"_x000B_" in zipfile.ZipFile(book).read("xl/sharedStrings.xml")  # as XlsxWriter (and Excel) store it
    assert run_cli("refresh", book, "--rules", rules).returncode == 0
    with zipfile.ZipFile(book) as archive:
        narrative = next(
            archive.read(n)
            for n in archive.namelist()
            if n.startswith("xl/worksheets/")
            and b"Calls" in archive.read(n)
            and b"Generated by scorecard" in archive.read(n)
        )
    assert b"_x000B_" in narrative and b"_x001B_" in narrative and b"\x0b" not in narrative
    grid = read_grid(book, "Narrative")
    texts = [grid.value(row, 2) or "" for row in range(1, grid.row_count + 1)]
    assert any("Up\x1b[31m again\x00 \x0b\x0c note" in t for t in texts)  # read back as the characters themselves
    output = tmp_path / "paper.docx"
    code, _, err = run_cli("report", book, "--rules", rules, "--output", output)
    assert code == 0, err
    document = Document(str(output))
    words = "\n".join(p.text for p in document.paragraphs) + "".join(
        c.text for t in document.tables for r in t.rows for c in r.cells
    )
    assert "Calls" in words and "answered" in words
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", words)


@pytest.mark.slow
def test_control_characters_from_the_rules_title_reach_word_clean(tmp_path):
    from docx import Document

    book = corpus.copy_sample(tmp_path)
    rules = corpus.rules_file(
        tmp_path, corpus.RULES_TEXT.replace("title: Children in Care Scorecard", 'title: "Children\\vin\\x1bCare"')
    )
    output = tmp_path / "paper.docx"
    assert run_cli("report", book, "--rules", rules, "--output", output).returncode == 0
    assert Document(str(output)).paragraphs[0].text == "Children\ninCare"  # the tab a line break, ESC dropped


# --- the Word template ---------------------------------------------------------------------------------


def _report(book: Path, output: Path, template: Path | None = None) -> list[str]:
    args = ["report", str(book), "--rules", str(corpus.SAMPLE_RULES), "--output", str(output)]
    return args + (["--template", str(template)] if template else [])


@pytest.mark.slow
def test_macros_and_a_remote_attached_template_never_reach_the_report(tmp_path):
    book = corpus.copy_sample(tmp_path)
    template = tmp_path / "council.docx"
    template.write_bytes(sent := corpus.template_with_macros_and_remote_template())
    output = tmp_path / "paper.docx"
    assert run_cli(*_report(book, output, template)).returncode == 0
    with zipfile.ZipFile(output) as archive:
        names = archive.namelist()
        everything = b"".join(archive.read(n) for n in names if n.endswith((".xml", ".rels")))
    assert not any("vbaProject" in n for n in names)
    assert b"vbaProject" not in everything and b"attachedTemplate" not in everything
    assert b"templates.example.net" not in everything
    assert b"macroEnabled" not in everything
    # the template itself is as it was
    assert template.read_bytes() == sent


@pytest.mark.parametrize("spelling", ["same", "dot-segment", "symlink"])
def test_output_equal_to_the_template_is_refused(spelling, tmp_path):
    book = corpus.copy_sample(tmp_path)
    template = tmp_path / "council.docx"
    template.write_bytes(corpus.docx_template())
    before = template.read_bytes()
    output = {
        "same": template,
        "dot-segment": tmp_path / "." / "council.docx",
        "symlink": tmp_path / "link.docx",
    }[spelling]
    if spelling == "symlink":
        output.symlink_to(template)
    code, _, err = run_cli(*_report(book, output, template))
    assert code == 1, err
    assert "--output is the template itself (council.docx)" in err
    assert template.read_bytes() == before


# --- --output names the package's kind ------------------------------------------------------------------


def _macro_book(folder: Path) -> Path:
    """The sample as an .xlsm (its main part's content type macro-enabled)."""
    book = folder / "book.xlsm"
    plain = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    macros = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    book.write_bytes(corpus.edited(content_types=lambda data: data.replace(plain, macros)))
    return book


@pytest.mark.parametrize(
    "source, output",
    [
        ("book.xlsx", "out.txt"),
        ("book.xlsx", "out.xlsm"),
        ("book.xlsm", "out.xlsx"),
        ("book.xlsx", "out.XLSB"),
        ("book.xlsx", "out"),
    ],
)
def test_output_whose_extension_does_not_match_the_package_is_refused(source, output, tmp_path):
    book = corpus.copy_sample(tmp_path) if source == "book.xlsx" else _macro_book(tmp_path)
    for command in (
        ["refresh", str(book), "--rules", str(corpus.SAMPLE_RULES)],
        ["rules", "embed", str(book), "--rules", str(corpus.SAMPLE_RULES)],
    ):
        code, _, err = run_cli(*command, "--output", tmp_path / output)
        assert code == 1, err
        assert f"--output '{output}'" in err, err
    assert not (tmp_path / output).exists() and corpus.hidden_leftovers(tmp_path) == []


def test_an_xlsm_refreshed_into_an_xlsm_keeps_its_kind(tmp_path):
    book = _macro_book(tmp_path)
    output = tmp_path / "refreshed.xlsm"
    assert run_cli("refresh", book, "--rules", corpus.SAMPLE_RULES, "--output", output).returncode == 0
    assert b"macroEnabled" in zipfile.ZipFile(output).read("[Content_Types].xml")


def test_a_package_whose_content_disagrees_with_its_new_name_is_not_written(tmp_path):
    """The check is of the package, not only of its name: a macro-enabled package renamed .xlsx by hand is not
    written under a name of a third kind."""
    from scorecard.errors import WorkbookError
    from scorecard.workbook.package import Package, open_zip

    book = _macro_book(tmp_path).rename(tmp_path / "renamed.xlsx")
    archive = open_zip(book)
    try:
        with pytest.raises(WorkbookError, match="is a macro-enabled workbook"):
            Package(book, archive).save(tmp_path / "other.xlsb")
    finally:
        archive.close()
    assert not (tmp_path / "other.xlsb").exists()
