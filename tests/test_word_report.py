"""The cover report in Word: read back with python-docx, validated, rendered by LibreOffice."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm

from scorecard import cli
from scorecard.core.rules import load_rules
from scorecard.refresh import evaluate_file
from scorecard.word.cover_report import write_report

from conftest import SAMPLE, SAMPLE_RULES

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def sample():
    rules = load_rules(SAMPLE_RULES)
    return evaluate_file(SAMPLE, rules), rules


def _council_template(path: Path) -> Path:
    """A council's own template: landscape A4, a header and footer, Arial body text, a letterhead line."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.header.paragraphs[0].text = "Kent County Council – Corporate Parenting Panel"
    section.footer.paragraphs[0].text = "OFFICIAL"
    doc.styles["Normal"].font.name = "Arial"
    doc.add_paragraph("From: Director of Integrated Children's Services")
    doc.save(path)
    return path


def test_the_report_holds_the_narrative_numbered_and_the_rag_table(sample, tmp_path):
    result, rules = sample
    out = write_report(result, rules, tmp_path / "report.docx")
    doc = Document(out)
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "Children in Care Scorecard" and texts[1] == "Summary of Performance – June 2018"
    for p in result.narrative.paragraphs:  # every paragraph, its number before a tab
        assert (f"{p.number}\t{p.text}" if p.number else p.text) in texts
    numbers = [t.split("\t")[0] for t in texts if "\t" in t and t[:1].isdigit()]
    assert numbers[:5] == ["3.1", "3.2", "3.3", "3.3.1", "3.4"] and len(numbers) == len(set(numbers))
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Ref", "Indicator", "May 2018", "June 2018", "Target", "Floor", "RAG", "Direction"]
    assert len(table.rows) == 1 + 24
    first = [c.text for c in table.rows[1].cells]
    assert first == ["CIC01", result.scorecard.kpis[0].kpi.name, "93.9%", "100.0%", "100.0%", "90.0%", "Green", "↑ improved"]


def test_rag_cells_are_shaded_in_the_rules_colours(sample, tmp_path):
    result, rules = sample
    doc = Document(write_report(result, rules, tmp_path / "report.docx"))
    colours = {"Green": "C6EFCE", "Amber": "FFEB9C", "Red": "FFC7CE"}
    for row in doc.tables[0].rows[1:]:
        rag = row.cells[6]
        assert rag.text in colours
        # the shading, read from the document XML as Word would
        shd = [e for e in doc.element.body.iter(f"{W}tc") if "".join(x.text for x in e.iter(f"{W}t")) == rag.text]
        assert shd and all(e.find(f"{W}tcPr/{W}shd").get(f"{W}fill") == colours[rag.text] for e in shd)
    header = doc.element.body.find(f"{W}tbl/{W}tr/{W}trPr/{W}tblHeader")
    assert header is not None  # the header row repeats on every page


def test_a_councils_template_keeps_its_page_header_footer_and_styles(sample, tmp_path):
    result, rules = sample
    template = _council_template(tmp_path / "council.docx")
    doc = Document(write_report(result, rules, tmp_path / "report.docx", template=template))
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and abs(section.page_width - Cm(29.7)) < Cm(0.01)
    assert section.header.paragraphs[0].text == "Kent County Council – Corporate Parenting Panel"
    assert section.footer.paragraphs[0].text == "OFFICIAL"
    assert doc.styles["Normal"].font.name == "Arial"
    assert doc.paragraphs[0].text == "From: Director of Integrated Children's Services"
    assert doc.paragraphs[1].text == "Children in Care Scorecard"
    # the table fits the landscape page's text width
    widths = sum(col.width for col in doc.tables[0].columns)
    usable = section.page_width - section.left_margin - section.right_margin
    assert abs(widths - usable) < Cm(0.1)


def test_a_template_without_the_usual_styles_falls_back_to_normal(sample, tmp_path):
    result, rules = sample
    bare = Document()
    for name in ("Title", "Heading 1", "Heading 2", "List Bullet", "Table Grid"):
        style = bare.styles[name]
        style.element.getparent().remove(style.element)
    bare.save(tmp_path / "bare.docx")
    doc = Document(write_report(result, rules, tmp_path / "report.docx", template=tmp_path / "bare.docx"))
    assert any(p.text.startswith("•\t14 are rated Green") for p in doc.paragraphs)


def test_the_command(tmp_path, capsys):
    book = tmp_path / "book.xlsx"
    shutil.copy(SAMPLE, book)
    before = book.read_bytes()
    assert cli.main(["report", str(book), "--rules", str(SAMPLE_RULES)]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "book.docx")
    assert Document(tmp_path / "book.docx").tables and book.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~")]


@pytest.mark.parametrize("args, message", [
    (["--output", "report.pdf"], "the report must be a .docx file, not 'report.pdf'"),
    (["--output", "missing/report.docx"], "output folder 'missing' does not exist"),
    (["--output", "r.docx", "--template", "t.dotx"], "t.dotx: a template must be a Word document (.docx)"),
    (["--output", "r.docx", "--template", "not-word.docx"], "not-word.docx: cannot be used as a Word template"),
])
def test_bad_output_or_template_is_one_clear_line(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "not-word.docx").write_text("plain text")
    (tmp_path / "t.dotx").write_text("x")
    assert cli.main(["report", str(SAMPLE), "--rules", str(SAMPLE_RULES), *args]) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("rules: ")]
    assert len(err) == 1 and message in err[0], err


def test_openxml_audit_finds_nothing(sample, tmp_path):
    from openxml_audit import FileFormat, OpenXmlValidator

    result, rules = sample
    out = write_report(result, rules, tmp_path / "report.docx", template=_council_template(tmp_path / "c.docx"))
    errors = OpenXmlValidator(file_format=FileFormat.MICROSOFT_365, max_errors=50).validate(out).errors
    assert not errors, "\n".join(map(str, errors))


def test_libreoffice_renders_it(sample, tmp_path):
    if not shutil.which("soffice") or not shutil.which("pdftoppm"):
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) and pdftoppm are needed under CI")
        pytest.skip("LibreOffice is not installed")
    result, rules = sample
    out = write_report(result, rules, tmp_path / "report.docx")
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)})
    pdf = tmp_path / "report.pdf"
    if not pdf.exists():  # soffice without its Writer module converts no Word document
        if os.environ.get("CI"):
            pytest.fail("LibreOffice Writer (libreoffice-writer-nogui) is needed under CI")
        pytest.skip("LibreOffice Writer is not installed")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "Summary of Performance – June 2018" in text and "RAG status of each KPI" in text
    assert "3.3.1" in text and "CIC24" in text
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 5_000
