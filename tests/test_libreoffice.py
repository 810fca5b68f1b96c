"""A real spreadsheet program opens what we write: LibreOffice converts the refreshed sample to PDF.

Skipped on a developer machine without LibreOffice; on CI (CI=true) a missing LibreOffice fails,
so a missing install step in .ci/run cannot hide behind a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import SAMPLE_RULES
from layouts import LAYOUTS, make
from scorecard.core.rules import load_rules
from scorecard.usecases import refresh_file
from zipparts import rewrite

# LibreOffice opens, prints and saves: a second or more each
pytestmark = pytest.mark.slow

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def need(tool: str | None, name: str) -> str:
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed; .ci/run should install it")
        pytest.skip(f"{name} is not installed")
    return tool


def convert(book: Path, to: str, folder: Path) -> Path:
    soffice = need(SOFFICE, "LibreOffice (soffice)")
    profile = folder / "lo-profile"
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            to,
            "--outdir",
            str(folder),
            str(book),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    out = folder / f"{book.stem}.{to.split(':')[0]}"
    assert result.returncode == 0 and out.exists(), result.stdout + result.stderr
    return out


def pdf_text(pdf: Path) -> str:
    pdftotext = need(shutil.which("pdftotext"), "pdftotext (poppler-utils)")
    return subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_refreshed_sample_opens_and_prints_in_libreoffice(sample, tmp_path):
    refresh_file(sample, load_rules(SAMPLE_RULES))
    pdf = convert(sample, "pdf", tmp_path)
    text = pdf_text(pdf)
    assert "Summary of Performance – June 2018" in text
    assert "14 are rated Green – target achieved or exceeded" in text
    assert text.count("Amber") >= 10 and "↑ improved" in text
    pages = subprocess.run(
        [need(shutil.which("pdftoppm"), "pdftoppm"), "-png", "-r", "30", str(pdf), str(tmp_path / "page")],
        capture_output=True,
        check=True,
    )
    assert pages.returncode == 0 and sorted(tmp_path.glob("page*.png"))


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_libreoffice_reads_back_the_values_we_wrote(layout, tmp_path):
    book, rules = make(layout, tmp_path)
    result = refresh_file(book, load_rules(rules))
    # LibreOffice re-saves the workbook as its own xlsx; openpyxl then reads LibreOffice's file
    folder = tmp_path / "lo"
    folder.mkdir()
    resaved = convert(book, "xlsx:Calc MS Excel 2007 XML", folder)
    import openpyxl

    sheet = openpyxl.load_workbook(resaved, data_only=True)[layout.sheet]
    for kpi in result.scorecard.kpis:
        assert (sheet.cell(kpi.kpi.row, result.table.direction_column).value or "") == layout.expected[kpi.kpi.id][1]
    narrative = openpyxl.load_workbook(resaved)["Narrative"]
    assert narrative["A1"].value == load_rules(rules).title


def test_libreoffice_imports_the_addins_vba_project(tmp_path):
    """LibreOffice is a VBA host: it parses our project, decompresses every module and writes its own."""
    from oletools.olevba import VBA_Parser

    from scorecard.xlam import build as xlam

    built = xlam.build(tmp_path / "scorecard.xlam")
    probe = tmp_path / "probe.xlsm"  # LibreOffice has no .xlam filter; the same package as a macro workbook
    probe.write_bytes(
        rewrite(
            built,
            {
                "[Content_Types].xml": lambda d: d.replace(
                    b"addin.macroEnabled.main+xml", b"sheet.macroEnabled.main+xml"
                )
            },
        )
    )
    folder = tmp_path / "lo"
    folder.mkdir()
    resaved = convert(probe, "xlsm:Calc MS Excel 2007 VBA XML", folder)
    parser = VBA_Parser(str(resaved))
    modules = {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
    parser.close()
    assert set(modules) == {"ThisWorkbook", "Sheet2", "xlwings", "Dictionary", "ScorecardRibbon", "ScorecardFunctions"}
    assert 'RunPython "import scorecard.excel; scorecard.excel.refresh()"' in modules["ScorecardRibbon"]
    assert 'RunPython "import scorecard.excel; scorecard.excel.report()"' in modules["ScorecardRibbon"]
    assert "Function SCORECARD_NARRATIVE(table_range, Optional rules_path)" in modules["ScorecardFunctions"]


def test_a_workbook_saved_by_libreoffice_is_refreshed_with_nothing_lost(tmp_path):
    """A second writer: LibreOffice saves the corpus's richest fixture its own way, then we refresh that."""
    import zipfile

    import openpyxl

    from corpus import RULES, build
    from scorecard.core.rules import parse_rules

    source = build(
        tmp_path / "everything.xlsx",
        {"chart", "validation", "conditional", "comments", "hyperlinks", "names", "hidden_sheet", "print"},
    )
    folder = tmp_path / "lo"
    folder.mkdir()
    saved = convert(source, "xlsx:Calc MS Excel 2007 XML", folder)
    out = tmp_path / "refreshed.xlsx"
    result = refresh_file(saved, parse_rules(RULES, "corpus.yaml"), output=out)
    assert len(result.scorecard.kpis) == 10
    with zipfile.ZipFile(saved) as before, zipfile.ZipFile(out) as after:
        old = {n: before.read(n) for n in before.namelist()}
        new = {n: after.read(n) for n in after.namelist()}
    changed = {n for n in old if old[n] != new.get(n)}
    assert changed <= {
        "xl/worksheets/sheet1.xml",
        "xl/styles.xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
    }
    sheet = openpyxl.load_workbook(out)["Scorecard"]
    assert {sheet.cell(r, 8).value for r in range(2, 12)} <= {"Green", "Amber", "Red"}
    assert convert(out, "pdf", tmp_path).exists()
