"""The Narrative sheet prints well: A4, one page wide, the title in the header and the page numbers in the
footer, each KPI's name bold at the start of its paragraph, the same space after every paragraph. From the
batch writer (read back with openpyxl, printed by LibreOffice) and from the ribbon (its desktop calls)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile

import openpyxl
import pytest
from lxml import etree

import paper_case
from conftest import SAMPLE
from scorecard.core.plan import NARRATIVE_GAP, NARRATIVE_WIDTHS, narrative_cells
from scorecard.usecases import refresh_file
from scorecard.workbook.writer import row_height
from test_libreoffice import convert, pdf_text

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    book = tmp_path_factory.mktemp("narrative") / SAMPLE.name
    shutil.copyfile(SAMPLE, book)
    result = refresh_file(book, paper_case.rules())
    return book, result


def _sheet_xml(book, name="Narrative"):
    workbook = openpyxl.load_workbook(book)
    index = workbook.sheetnames.index(name) + 1
    with zipfile.ZipFile(book) as package:
        candidates = [n for n in package.namelist() if n.startswith("xl/worksheets/sheet")]
        for part in candidates:
            root = etree.fromstring(package.read(part))
            if root.find(f"{MAIN}headerFooter") is not None or part.endswith(f"sheet{index}.xml"):
                texts = "".join(root.itertext())
                if "Summary of Performance" in texts:
                    return root
    raise AssertionError("no Narrative sheet part")


def test_the_narrative_sheet_is_set_up_to_print(refreshed):
    book, _ = refreshed
    root = _sheet_xml(book)
    setup = root.find(f"{MAIN}pageSetup")
    assert setup.get("paperSize") == "9" and setup.get("orientation") == "portrait"
    assert setup.get("fitToWidth") == "1" and setup.get("fitToHeight") == "0"
    assert root.find(f"{MAIN}sheetPr/{MAIN}pageSetUpPr").get("fitToPage") == "1"
    assert root.find(f"{MAIN}headerFooter/{MAIN}oddHeader").text == (
        "&LChildren in Care Scorecard&RSummary of Performance – June 2018"
    )
    assert root.find(f"{MAIN}headerFooter/{MAIN}oddFooter").text == "&CPage &P of &N"


def test_kpi_names_are_bold_at_the_start_of_their_paragraphs(refreshed):
    book, result = refreshed
    sheet = openpyxl.load_workbook(book, rich_text=True)["Narrative"]
    named = [p for p in result.narrative.paragraphs if p.subject]
    assert len(named) >= 11  # a change, ten Amber updates
    found = {}
    for row in sheet.iter_rows(min_col=2, max_col=2):
        value = row[0].value
        if hasattr(value, "__iter__") and not isinstance(value, str):
            blocks = list(value)
            found[str(value)] = blocks
    for p in named:
        blocks = found[p.text]
        assert blocks[0].font.b and blocks[0].text == p.subject, p.number
        assert not getattr(blocks[1], "font", None) and str(blocks[1]).startswith(" ")


def test_every_paragraph_has_the_same_space_after_it(refreshed):
    book, result = refreshed
    sheet = openpyxl.load_workbook(book)["Narrative"]
    for cell in narrative_cells(result.plan.narrative):
        if cell.column != 2 or cell.style in ("title", "heading"):
            continue
        height = sheet.row_dimensions[cell.row].height
        lines = (height - NARRATIVE_GAP[cell.style]) / 15
        assert height == row_height(cell.text, NARRATIVE_WIDTHS[1], gap=NARRATIVE_GAP[cell.style]), cell.row
        assert lines == int(lines) >= 1  # whole lines, then the paragraph's gap


@pytest.mark.slow
def test_libreoffice_prints_the_narrative_with_its_header_and_page_numbers(refreshed, tmp_path):
    book, _ = refreshed
    only = openpyxl.load_workbook(book)
    for name in only.sheetnames:
        if name != "Narrative":
            del only[name]
    alone = tmp_path / "narrative.xlsx"
    only.save(alone)
    text = pdf_text(convert(alone, "pdf", tmp_path))
    assert "Page 1 of 1" in text and "Children in Care Scorecard" in text
    assert "3.4.10" in text
    pages = subprocess.run(["pdfinfo", str(tmp_path / "narrative.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+1\n", pages)  # fitted to the page's width: 24 KPIs' narrative on one A4 page


# --- the ribbon: desktop Excel's calls, recorded --------------------------------------------------------------


class _Font:
    def __init__(self, log, where):
        object.__setattr__(self, "_log", log)
        object.__setattr__(self, "_where", where)

    def __setattr__(self, name, value):
        self._log.append((self._where, name, value))


class _Characters:
    def __init__(self, log, cell):
        self.log, self.cell = log, cell

    def __getitem__(self, span):
        return type("Run", (), {"font": _Font(self.log, (self.cell, span.start, span.stop))})()


class _Range:
    def __init__(self, log, *where):
        self.log, self.where = log, where
        self.font = _Font(log, where)
        self.rows = type("Rows", (), {"autofit": lambda _: None})()
        self.characters = _Characters(log, where[0])

    def __setattr__(self, name, value):
        if name in ("log", "where", "font", "rows", "characters"):
            object.__setattr__(self, name, value)
        else:
            self.log.append((self.where, name, "..." if name == "value" else value))


class _PageSetup:
    def __init__(self, log):
        object.__setattr__(self, "_log", log)

    def __setattr__(self, name, value):
        self._log.append(("PageSetup", name, value))


class _Sheet:
    def __init__(self, log):
        self.log = log
        self.api = type("Api", (), {"PageSetup": _PageSetup(log)})()

    def range(self, *where):
        return _Range(self.log, *where)


class _Book:
    def __init__(self, log):
        self.app = type("App", (), {"engine": type("Engine", (), {"name": "excel"})()})()
        sheet = _Sheet(log)
        self.sheets = type(
            "Sheets", (), {"add": lambda _, *a, **k: sheet, "__len__": lambda _: 1, "__getitem__": lambda _, i: sheet}
        )()


def test_the_ribbon_bolds_the_names_and_sets_the_page_up_on_desktop_excel(refreshed, monkeypatch):
    from scorecard.excel import writer

    _, result = refreshed
    log: list = []
    monkeypatch.setattr(writer.sys, "platform", "win32")
    for step in writer.narrative_steps(_Book(log), result.plan, None):
        step.run()
    bold = [(where, value) for where, name, value in log if name == "bold" and len(where) == 3]
    named = [c for c in result.plan.narrative_cells if c.bold]
    assert bold == [(((c.row, 2), 0, c.bold), True) for c in named]
    setup = {name: value for where, name, value in log if where == "PageSetup"}
    assert setup["PaperSize"] == 9 and setup["FitToPagesWide"] == 1 and setup["Zoom"] is False
    assert setup["CenterFooter"] == "Page &P of &N" and setup["LeftHeader"] == "Children in Care Scorecard"
