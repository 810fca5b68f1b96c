"""Issue 17, class 2: one XML parser policy for every part read or rewritten, in workbooks and Word
templates alike. A DTD is refused whatever precedes it (a comment, a processing instruction), however
the part is encoded (UTF-16) or named (.bin, .XML); a part that is not well-formed is never written."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from clirun import run_cli
from conftest import sweep
from hostile import corpus
from scorecard.errors import WorkbookError
from scorecard.workbook.ooxml import well_formed
from scorecard.workbook.package import Package, open_zip


def _refused(tmp_path: Path, data: bytes, command: str = "refresh") -> str:
    book = tmp_path / "book.xlsx"
    book.write_bytes(data)
    rules = corpus.rules_file(tmp_path)
    code, _, err = run_cli(command, book, "--rules", rules)
    assert code == 1, err
    assert book.read_bytes() == data  # never rewritten
    assert corpus.hidden_leftovers(tmp_path) == []
    return err


@pytest.mark.parametrize("way", sweep(corpus.DTD_WAYS, fast={"plain"}))
@pytest.mark.parametrize("part", corpus.DTD_PARTS)
def test_a_dtd_is_refused_however_it_is_dressed(part, way, tmp_path):
    data = corpus.edit_parts(corpus.SAMPLE, {part: lambda d: corpus.with_dtd(d, way)})
    err = _refused(tmp_path, data)
    assert f"book.xlsx: refused: part {part} declares a DTD" in err, err


@pytest.mark.parametrize("name", ["xl/workbook.bin", "xl/WORKBOOK.XML", "xl/workbook"])
def test_a_dtd_is_refused_whatever_the_part_is_named(name, tmp_path):
    err = _refused(tmp_path, corpus.workbook_part_renamed(name))
    assert f"refused: part {name} declares a DTD" in err, err


def test_the_renamed_part_is_read_when_it_has_no_dtd(tmp_path):
    """The control for the case above: a workbook part named .bin is read (it is the package's main part)."""
    parts = corpus.parts_of(corpus.SAMPLE)
    parts["xl/workbook.bin"] = parts.pop("xl/workbook.xml")
    parts["xl/_rels/workbook.bin.rels"] = parts.pop("xl/_rels/workbook.xml.rels")
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(b"xl/workbook.xml", b"xl/workbook.bin")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"/xl/workbook.xml", b"/xl/workbook.bin")
    book = tmp_path / "book.xlsx"
    book.write_bytes(corpus.package(parts))
    code, _, err = run_cli("check", book, "--rules", corpus.SAMPLE_RULES)
    assert code == 0, err


@pytest.mark.parametrize("way", sweep(corpus.DTD_WAYS, fast={"plain"}))
@pytest.mark.parametrize("part", ["word/document.xml", "word/styles.xml", "word/settings.xml", "[Content_Types].xml"])
def test_a_word_template_with_a_dtd_is_refused(part, way, tmp_path):
    book = corpus.copy_sample(tmp_path)
    template = tmp_path / "council.docx"
    template.write_bytes(corpus.edit_parts(corpus.docx_template(), {part: lambda d: corpus.with_dtd(d, way)}))
    output = tmp_path / "paper.docx"
    code, _, err = run_cli("report", book, "--rules", corpus.SAMPLE_RULES, "--template", template, "--output", output)
    assert code == 1 and f"council.docx: refused: part {part} declares a DTD" in err, err
    assert not output.exists() and corpus.hidden_leftovers(tmp_path) == []


def test_a_part_that_is_not_well_formed_is_never_written(tmp_path):
    book = corpus.copy_sample(tmp_path)
    before = book.read_bytes()
    archive = open_zip(book)
    try:
        package = Package(book, archive)
        package.replace("xl/styles.xml", package.read("xl/styles.xml").replace(b"</styleSheet>", b"&xxe;</styleSheet>"))
        with pytest.raises(WorkbookError, match="new part xl/styles.xml would not be well-formed XML"):
            package.save(book)
    finally:
        archive.close()
    assert book.read_bytes() == before and corpus.hidden_leftovers(tmp_path) == []


def _all_parts_well_formed(data: bytes) -> dict[str, str]:
    problems = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.filename.endswith((".xml", ".rels")):
                problem = well_formed(archive.read(info))
                if problem:
                    problems[info.filename] = problem
    return problems


def test_every_part_a_refresh_and_an_embed_write_is_well_formed(tmp_path):
    book = corpus.copy_sample(tmp_path)
    assert run_cli("refresh", book, "--rules", corpus.SAMPLE_RULES).returncode == 0
    assert run_cli("rules", "embed", book, "--rules", corpus.SAMPLE_RULES).returncode == 0
    assert _all_parts_well_formed(book.read_bytes()) == {}


@pytest.mark.slow
def test_the_report_is_well_formed_and_keeps_the_templates_look(tmp_path):
    from docx import Document

    book = corpus.copy_sample(tmp_path)
    template = tmp_path / "council.docx"
    template.write_bytes(corpus.docx_template())
    output = tmp_path / "paper.docx"
    run = run_cli("report", book, "--rules", corpus.SAMPLE_RULES, "--template", template, "--output", output)
    assert run.returncode == 0, run.stderr
    assert _all_parts_well_formed(output.read_bytes()) == {}
    assert Document(str(output)).paragraphs[0].text == "Council letterhead"
