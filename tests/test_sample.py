"""The bundled sample is what its script writes, and says which figures are illustrative."""

from __future__ import annotations

import importlib.util
import zipfile

import openpyxl

from conftest import ROOT, SAMPLE


def test_the_committed_sample_is_what_make_sample_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("make_sample", ROOT / "workbook_templates" / "make_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = module.build(tmp_path / "fresh.xlsx")
    with zipfile.ZipFile(fresh) as a, zipfile.ZipFile(SAMPLE) as b:
        assert {n: a.read(n) for n in a.namelist()} == {n: b.read(n) for n in b.namelist()}


def test_illustrative_figures_are_marked():
    sheet = openpyxl.load_workbook(SAMPLE)["Scorecard"]
    sources = [sheet.cell(r, 13).value for r in range(5, 40) if str(sheet.cell(r, 1).value or "").startswith("CIC")]
    assert len(sources) == 24
    assert sum(1 for s in sources if s == "Illustrative") == 13
    assert all(s.startswith("Cover report") for s in sources if s != "Illustrative")
    notes = [sheet.cell(r, 1).value for r in range(30, 40) if str(sheet.cell(r, 1).value or "").startswith("Note")]
    assert notes and "not from the published June 2018 report" in notes[0]
