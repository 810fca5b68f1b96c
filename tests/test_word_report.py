"""The cover report in Word: read back with python-docx, validated, rendered by LibreOffice."""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm

from clirun import run_cli
from conftest import SAMPLE, SAMPLE_RULES
from scorecard.core.model import Polarity
from scorecard.core.rules import load_rules
from scorecard.core.spc import SpcSettings, analyse
from scorecard.refresh import evaluate_file
from scorecard.word.cover_report import chart_labels, write_report

# Word documents written with python-docx, charts drawn by matplotlib, LibreOffice renders: 0.1-1 s each
pytestmark = pytest.mark.slow

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
    assert [c.text for c in table.rows[0].cells] == [
        "Ref",
        "Indicator",
        "May 2018",
        "June 2018",
        "Target",
        "Floor",
        "RAG",
        "Direction",
    ]
    assert len(table.rows) == 1 + 24
    first = [c.text for c in table.rows[1].cells]
    assert first == [
        "CIC01",
        result.scorecard.kpis[0].kpi.name,
        "93.9%",
        "100.0%",
        "100.0%",
        "90.0%",
        "Green",
        "↑ improved",
    ]


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


def test_the_command(tmp_path):
    book = tmp_path / "book.xlsx"
    shutil.copy(SAMPLE, book)
    before = book.read_bytes()
    code, out, err = run_cli("report", book, "--rules", SAMPLE_RULES)
    assert code == 0, err
    assert out.strip() == str(tmp_path / "book.docx")
    assert Document(tmp_path / "book.docx").tables and book.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~")]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--output", "report.pdf"], "the report must be a .docx file, not 'report.pdf'"),
        (["--output", "missing/report.docx"], "output folder 'missing' does not exist"),
        (["--output", "r.docx", "--template", "t.dotx"], "t.dotx: a template must be a Word document (.docx)"),
        (["--output", "r.docx", "--template", "not-word.docx"], "not-word.docx: cannot be used as a Word template"),
    ],
)
def test_bad_output_or_template_is_one_clear_line(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "not-word.docx").write_text("plain text")
    (tmp_path / "t.dotx").write_text("x")
    code, _, stderr = run_cli("report", SAMPLE, "--rules", SAMPLE_RULES, *args)
    assert code == 1, stderr
    err = [line for line in stderr.splitlines() if not line.startswith("rules: ")]
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
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path)},
    )
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


# --- SPC and benchmark columns, and the charts: evaluations given that data by hand ------------------

BASE = [12.0, 10.0] * 7  # mean 11, mean moving range 2: limits 5.68 to 16.32
ON_BASE = SpcSettings(baseline=14, min_points=15)
MONTHS = [
    f"{m} {y}"
    for y in (2017, 2018)
    for m in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
][3:18]  # Apr 2017 .. Jun 2018


def _given(result, changes: dict[str, dict]):
    """The sample's evaluation with some KPIs given history, benchmarks (kpi=...) and SPC (spc=...)."""
    kpis = []
    for k in result.scorecard.kpis:
        change = changes.get(k.kpi.id, {})
        kpis.append(
            dataclasses.replace(k, kpi=dataclasses.replace(k.kpi, **change.get("kpi", {})), spc=change.get("spc"))
        )
    return dataclasses.replace(result, scorecard=dataclasses.replace(result.scorecard, kpis=tuple(kpis)))


def _spc(history, polarity, target=None):
    return analyse(history, polarity, target, settings=ON_BASE)


HEAD = ["Ref", "Indicator", "May 2018", "June 2018", "Target", "Floor", "RAG", "Direction"]


@pytest.mark.parametrize(
    "given, extra_headers, rows",
    [
        ({}, [], {}),
        # a special cause on the good side; the target 14 inside the limits: hit and miss
        (
            {
                "CIC01": {"spc": _spc(BASE + [17.0], Polarity.HIGHER, 14.0)},
                # on a lower-is-better KPI the same rise is a concern;
                # a target of 20 above the upper limit is always met
                "CIC02": {"spc": _spc(BASE + [17.0], Polarity.LOWER, 20.0)},
                "CIC03": {
                    "spc": _spc(BASE + [11.0], Polarity.HIGHER, 20.0)
                },  # common cause; 20 above the limits: missed
                "CIC04": {"spc": _spc([1.0, 2.0], Polarity.HIGHER, 14.0)},
            },  # too few points: no verdict
            ["Variation", "Assurance"],
            {
                "CIC01": ["Special cause improvement", "Hit and miss"],
                "CIC02": ["Special cause concern", "Consistently meets target"],
                "CIC03": ["Common cause", "Consistently misses target"],
                "CIC04": ["", ""],
                "CIC05": ["", ""],
            },
        ),
        # a KPI with no good side has a variation but no assurance: no Assurance column
        (
            {"CIC07": {"spc": _spc(BASE + [3.0], None, 14.0)}},
            ["Variation"],
            {"CIC07": ["Special cause (no good side)"], "CIC01": [""]},
        ),
        (
            {
                "CIC01": {"kpi": {"benchmarks": {"England": 58.9, "Statistical neighbours": 60.24}}},
                "CIC02": {"kpi": {"benchmarks": {"England": None, "South East": 71.0}}},
            },
            ["England", "Statistical neighbours", "South East"],
            {"CIC01": ["58.9%", "60.2%", ""], "CIC02": ["", "", "71.0%"], "CIC03": ["", "", ""]},
        ),
        (
            {"CIC01": {"kpi": {"benchmarks": {"England": 58.94}}, "spc": _spc(BASE + [3.0], Polarity.HIGHER)}},
            ["Variation", "England"],
            {"CIC01": ["Special cause concern", "58.9%"]},
        ),
    ],
    ids=["neither", "spc", "spc-no-side", "benchmarks", "both"],
)
def test_the_rag_table_has_spc_and_benchmark_columns_only_when_there_is_that_data(
    sample, tmp_path, given, extra_headers, rows
):
    result, rules = sample
    doc = Document(write_report(_given(result, given), rules, tmp_path / "report.docx"))
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == HEAD + extra_headers
    by_id = {row.cells[0].text: [c.text for c in row.cells] for row in table.rows[1:]}
    for kpi_id, extra in rows.items():
        assert by_id[kpi_id][len(HEAD) :] == extra, kpi_id
    assert by_id["CIC01"][6] == "Green"  # the RAG column is where it was, and still shaded
    rag = table.rows[1].cells[6]._tc
    assert rag.find(f"{W}tcPr/{W}shd").get(f"{W}fill") == "C6EFCE"
    # ten columns or more are too many for python-docx's default portrait page (6 inches of text):
    # the table goes onto landscape pages of its own, and the pages after it are portrait again
    landscape = len(HEAD + extra_headers) >= 10
    assert [s.orientation for s in doc.sections] == (
        [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT] if landscape else [WD_ORIENT.PORTRAIT]
    )
    section = doc.sections[1 if landscape else 0]
    assert section.page_width > section.page_height if landscape else section.page_width < section.page_height
    assert doc.sections[-1].page_width == doc.sections[0].page_width
    widths = sum(col.width for col in table.columns)  # the columns share the text width of the table's page
    assert abs(widths - (section.page_width - section.left_margin - section.right_margin)) < Cm(0.1)


def _charted(result, history=None):
    """CIC01 improving, CIC02 a concern (with a missing month), CIC03 common cause: two charts."""
    gappy = BASE[:5] + [None] + BASE[5:] + [3.0]  # 16 months, the sixth missing
    return _given(
        result,
        {
            "CIC01": {
                "kpi": {"history": tuple(BASE + [17.0]), "history_periods": tuple(MONTHS)},
                "spc": _spc(BASE + [17.0], Polarity.HIGHER, 14.0),
            },
            "CIC02": {
                "kpi": {"history": tuple(gappy), "history_periods": ("Mar 2017", *MONTHS)},
                "spc": _spc(gappy, Polarity.HIGHER),
            },
            "CIC03": {
                "kpi": {"history": tuple(BASE + [11.0]), "history_periods": tuple(MONTHS)},
                "spc": _spc(BASE + [11.0], Polarity.HIGHER),
            },
        },
    )


def test_chart_labels_are_the_periods_of_the_points_drawn(sample):
    result, _ = sample
    kpis = {k.kpi.id: k for k in _charted(result).scorecard.kpis}
    assert chart_labels(kpis["CIC01"]) == MONTHS
    labels = chart_labels(kpis["CIC02"])  # the missing sixth month (Aug 2017) has no point and no label
    assert len(labels) == 15 == len(kpis["CIC02"].spc.signals)
    assert (
        labels[:6] == ["Mar 2017", "Apr 2017", "May 2017", "Jun 2017", "Jul 2017", "Sep 2017"]
        and labels[-1] == "Jun 2018"
    )
    short = dataclasses.replace(
        kpis["CIC01"], kpi=dataclasses.replace(kpis["CIC01"].kpi, history_periods=("May 2018", "Jun 2018"))
    )
    assert chart_labels(short) == [""] * 13 + ["May 2018", "Jun 2018"]  # lined up from the latest point


def test_the_report_charts_each_kpi_showing_a_real_change(sample, tmp_path):
    pytest.importorskip("matplotlib")
    from PIL import Image

    result, rules = sample
    doc = Document(write_report(_charted(result), rules, tmp_path / "report.docx"))
    texts = [p.text for p in doc.paragraphs]
    heading = texts.index("Charts of the KPIs showing a real change")
    assert heading > texts.index(next(t for t in texts if t.startswith("Generated by scorecard")))  # after the table
    names = {k.kpi.id: k.kpi.name for k in result.scorecard.kpis}
    assert texts[heading + 1 :] == [
        f"CIC01 {names['CIC01']}: special cause improvement",
        "",
        f"CIC02 {names['CIC02']}: special cause concern",
        "",
    ]  # each caption, then its picture
    assert len(doc.inline_shapes) == 2
    for shape in doc.inline_shapes:  # python-docx's default page: Letter, 1.25 inch margins: 6 inches of text
        assert abs(shape.width - Cm(6 * 2.54)) < Cm(0.01)
    landscape = Document(
        write_report(_charted(result), rules, tmp_path / "wide.docx", template=_council_template(tmp_path / "c.docx"))
    )
    assert [abs(shape.width - Cm(16)) < Cm(0.01) for shape in landscape.inline_shapes] == [True, True]  # at most 16 cm
    assert len(landscape.sections) == 1  # a landscape template needs no landscape section for the wide table
    images = [part for part in doc.part.package.parts if part.partname.endswith(".png")]
    assert len(images) == 2
    for part in images:
        image = Image.open(io.BytesIO(part.blob))
        assert image.format == "PNG" and image.width > 600
    assert not any("left out" in t for t in texts)


def test_without_matplotlib_the_report_says_how_to_get_the_charts(sample, tmp_path, monkeypatch):
    result, rules = sample
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # an import of it now fails
    doc = Document(write_report(_charted(result), rules, tmp_path / "report.docx"))
    texts = [p.text for p in doc.paragraphs]
    assert texts[-2:] == [
        "Charts of the KPIs showing a real change",
        "Charts for 2 KPIs showing a real change are left out: install them with pip install scorecard[charts]",
    ]
    assert not doc.inline_shapes
    one = _given(result, {"CIC01": {"spc": _spc(BASE + [17.0], Polarity.HIGHER)}})
    texts = [p.text for p in Document(write_report(one, rules, tmp_path / "one.docx")).paragraphs]
    assert (
        texts[-1]
        == "The chart for 1 KPI showing a real change is left out: install it with pip install scorecard[charts]"
    )


def test_no_real_change_no_chart_section(sample, tmp_path):
    result, rules = sample
    calm = _given(result, {"CIC01": {"spc": _spc(BASE + [11.0], Polarity.HIGHER)}})
    texts = [p.text for p in Document(write_report(calm, rules, tmp_path / "report.docx")).paragraphs]
    assert not any("real change" in t for t in texts)
    assert texts[-1].startswith("Generated by scorecard")


def test_openxml_audit_finds_nothing_in_a_report_with_charts_and_extra_columns(sample, tmp_path):
    pytest.importorskip("matplotlib")
    from openxml_audit import FileFormat, OpenXmlValidator

    result, rules = sample
    given = _charted(result)
    kpis = tuple(
        dataclasses.replace(k, kpi=dataclasses.replace(k.kpi, benchmarks={"England": 50.0}))
        for k in given.scorecard.kpis
    )
    given = dataclasses.replace(given, scorecard=dataclasses.replace(given.scorecard, kpis=kpis))
    out = write_report(given, rules, tmp_path / "report.docx", template=_council_template(tmp_path / "c.docx"))
    errors = OpenXmlValidator(file_format=FileFormat.MICROSOFT_365, max_errors=50).validate(out).errors
    assert not errors, "\n".join(map(str, errors))
