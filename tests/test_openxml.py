"""Everything we write passes the Open XML SDK's validation rules (openxml-audit), as Excel would check it.

Excel repairs or refuses a package whose XML breaks the schema (an element out of order, a
missing required part); LibreOffice is more forgiving, so this is the closest check to Excel here.
It found two such faults in our output before this test existed: a font colour written before its
size, and an add-in without the theme part every workbook must carry.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openxml_audit import FileFormat, OpenXmlValidator

from conftest import SAMPLE, SAMPLE_RULES
from corpus import RULES, build, fixtures
from layouts import LAYOUTS, make
from scorecard.core.rules import load_rules, parse_rules
from scorecard.usecases import refresh_file
from scorecard.xlam import build as xlam

# the Open XML SDK's rules (openxml-audit) over every refreshed fixture: 0.1-0.5 s a workbook
pytestmark = pytest.mark.slow

VALIDATOR = OpenXmlValidator(file_format=FileFormat.MICROSOFT_365, max_errors=100)


def findings(path: Path) -> set[str]:
    return {str(error) for error in VALIDATOR.validate(path).errors}


def refreshed_adds_nothing(source: Path, out: Path) -> None:
    added = findings(out) - findings(source)
    assert not added, "\n".join(sorted(added))


def test_refreshed_sample(tmp_path):
    out = tmp_path / "out.xlsx"
    refresh_file(SAMPLE, load_rules(SAMPLE_RULES), output=out)
    assert not findings(SAMPLE)
    refreshed_adds_nothing(SAMPLE, out)


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_refreshed_layouts(layout, tmp_path):
    book, rules = make(layout, tmp_path)
    out = tmp_path / f"out{layout.suffix}"
    refresh_file(book, load_rules(rules), output=out)
    refreshed_adds_nothing(book, out)


@pytest.mark.parametrize("fixture", fixtures(), ids=lambda f: f[0])
def test_refreshed_corpus(fixture, tmp_path):
    name, features, suffix = fixture
    source = build(tmp_path / f"{name}{suffix}", features)
    out = tmp_path / f"out{suffix}"
    refresh_file(source, parse_rules(RULES, "corpus.yaml"), output=out)
    refreshed_adds_nothing(source, out)
    again = tmp_path / f"again{suffix}"
    shutil.copyfile(out, again)
    refresh_file(again, parse_rules(RULES, "corpus.yaml"))  # replacing our own Narrative sheet
    refreshed_adds_nothing(source, again)


def test_the_addin(tmp_path):
    assert not findings(xlam.build(tmp_path / "scorecard.xlam"))
