"""The findings catalogue: codes unique and well-formed, and documented in docs/findings.md as the code says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scorecard.core.findings import KINDS, Finding, Severity, Where, catalogue_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs" / "findings.md"


def test_the_documentation_is_the_catalogue():
    assert DOCS.read_text("utf-8") == catalogue_markdown(), (
        "docs/findings.md is out of date: python -m scorecard.core.findings > docs/findings.md"
    )


def test_codes_and_names_are_unique_and_well_formed():
    assert all(re.fullmatch(r"SC[1-9]\d\d", code) for code in KINDS)
    names = [kind.name for kind in KINDS.values()]
    assert len(names) == len(set(names)) and all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", n) for n in names)


def test_a_finding_of_an_unknown_code_is_a_bug_caught_at_once():
    with pytest.raises(ValueError, match="unknown finding code"):
        Finding("SC000", "x")


def test_a_finding_names_its_place_as_the_messages_always_have():
    finding = Finding("SC301", "text 'x' is not a figure", Where(sheet="Perf", cell="G7"))
    assert str(finding) == "sheet 'Perf', cell G7: text 'x' is not a figure"
    assert finding.line() == "warning SC301 sheet 'Perf', cell G7: text 'x' is not a figure"
    assert finding.severity is Severity.WARNING and finding.as_dict()["where"] == {"sheet": "Perf", "cell": "G7"}
    assert str(Finding("SC507", "K9 is missing", Where(line=12))) == "rules line 12: K9 is missing"
    assert str(Finding("SC802", "mixed", Where(sheet="S", column="H"))) == "sheet 'S', column H: mixed"


def test_every_code_in_the_catalogue_is_made_somewhere():
    package = Path(__file__).resolve().parent.parent / "addin" / "scorecard"
    source = "".join(
        p.read_text("utf-8") for p in package.rglob("*.py") if p.name != "findings.py" or p.parent.name != "core"
    )
    unused = [code for code in KINDS if f'"{code}"' not in source]
    assert unused == [], "codes no code makes: retire them (a published code is never reused)"
