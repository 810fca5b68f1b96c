"""Rules that travel inside the workbook: `scorecard rules embed` / `extract`, and every job finding them.

The embedded sheet is written by our package editor and read back by three independent readers:
openpyxl, xlwings' remote engine (the payload Office.js and xlwings Lite send) and our own reader.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
import xlwings as xw

from clirun import run_cli
from conftest import SAMPLE, SAMPLE_RULES
from layouts import LAYOUTS, make
from remote import payload, run_macro
from scorecard.core.embedded import same_rules
from scorecard.core.rules import load_rules
from scorecard.excel import bookrules as excel_rules
from scorecard.excel import ribbon
from scorecard.workbook import bookrules
from scorecard.workbook.package import Package, Workbook

# Rules texts that must come back exactly: blank lines, indentation, comments, a line that looks
# like a number or a formula, non-ASCII text, a tab inside a value, a document end marker.
TRICKY = """\
# yaml-language-server: $schema=rules.schema.json
# _x000D_ is text here, not an escape: it comes back as written
version: 1
title: "Café = 'Performance' £ – ≥"

layout:
  columns:
    id: Ref
    name: Indicator
    current: Jun-18
    previous: May-18


kpis:
  - id: "=A1"
    name: "12"
    target: 85   # 85%
  - id: '007'
    name: "tab\there"
...
"""


def part_of(book: Path, sheet: str) -> tuple[str, bytes]:
    with zipfile.ZipFile(book) as archive:
        part = Workbook(Package(book, archive)).sheet_part(sheet)
        return part, archive.read(part)


def sheet_entry(book: Path, sheet: str) -> dict:
    with zipfile.ZipFile(book) as archive:
        for element in Workbook(Package(book, archive)).sheets:
            if element.get("name") == sheet:
                return {k.split("}")[-1]: v for k, v in element.attrib.items()}
    raise AssertionError(f"no sheet {sheet}")


@pytest.mark.parametrize(
    "text",
    [SAMPLE_RULES.read_text("utf-8"), TRICKY, *[layout.rules for layout in LAYOUTS]],
    ids=["sample", "tricky", *[layout.name for layout in LAYOUTS]],
)
def test_embed_then_extract_gives_the_text_back(text, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(text, encoding="utf-8")
    book = shutil.copyfile(SAMPLE, tmp_path / "book.xlsx")
    result = run_cli("rules", "embed", book, "--rules", rules)
    assert result.returncode == 0, result.stderr
    extracted = run_cli("rules", "extract", book)
    assert extracted.returncode == 0
    assert extracted.stdout == text.rstrip("\n") + "\n"

    # openpyxl, a reader that is not ours: hidden, one line a cell, blank lines as empty cells
    workbook = openpyxl.load_workbook(book)
    sheet = workbook["ScorecardRules"]
    assert sheet.sheet_state == "hidden"
    lines = text.rstrip("\n").split("\n")
    # (openpyxl leaves Excel's _xHHHH_ escapes of inline strings as written, so a line holding one is left
    # to the extract above, which undoes the escape as Excel does)
    assert [sheet.cell(n, 1).value for n in range(1, len(lines) + 1) if "_x" not in lines[n - 1]] == [
        line or None for line in lines if "_x" not in line
    ]
    assert workbook.sheetnames[-1] == "ScorecardRules" and workbook.active.title != "ScorecardRules"


def test_the_remote_payload_reads_the_same_rules(tmp_path):
    book = shutil.copyfile(SAMPLE, tmp_path / "book.xlsx")
    assert run_cli("rules", "embed", book, "--rules", SAMPLE_RULES).returncode == 0
    remote = excel_rules.embedded_rules(xw.Book(json=payload(book)))
    assert same_rules(remote, load_rules(SAMPLE_RULES))
    assert same_rules(bookrules.load(book), load_rules(SAMPLE_RULES))
    assert remote.provenance.startswith("book.xlsx, sheet ScorecardRules (sha256 ")


def test_embedding_again_replaces_the_sheet_and_keeps_it_hidden(tmp_path):
    book = shutil.copyfile(SAMPLE, tmp_path / "book.xlsx")
    first, second = tmp_path / "one.yaml", tmp_path / "two.yaml"
    first.write_text(SAMPLE_RULES.read_text("utf-8"))
    second.write_text(SAMPLE_RULES.read_text("utf-8").replace("title:", "# a comment\ntitle:"))
    run_cli("rules", "embed", book, "--rules", first)
    run_cli("rules", "embed", book, "--rules", second)
    assert run_cli("rules", "extract", book).stdout == second.read_text()
    assert openpyxl.load_workbook(book).sheetnames.count("ScorecardRules") == 1
    assert sheet_entry(book, "ScorecardRules")["state"] == "hidden"


def test_invalid_rules_are_not_embedded(tmp_path):
    book = shutil.copyfile(SAMPLE, tmp_path / "book.xlsx")
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "version: 1\nlayout:\n  columns: {id: Ref, current: A, previous: B}\nkpis:\n  - id: X\n    tagret: 5\n"
    )
    result = run_cli("rules", "embed", book, "--rules", bad)
    assert result.returncode == 1 and "bad.yaml, line 6: unknown key 'tagret'" in result.stderr
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before
    missing = run_cli("rules", "extract", book)
    assert missing.returncode == 1 and "book.xlsx: has no embedded rules" in missing.stderr


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_refresh_with_embedded_rules_equals_refresh_with_the_file(layout, tmp_path):
    book, rules = make(layout, tmp_path)
    with_file = tmp_path / f"with-file{layout.suffix}"
    inside = tmp_path / f"inside{layout.suffix}"
    assert run_cli("rules", "embed", book, "--rules", rules, "--output", inside).returncode == 0
    part, rules_bytes = part_of(inside, "ScorecardRules")
    entry = sheet_entry(inside, "ScorecardRules")

    by_file = run_cli("refresh", book, "--rules", rules, "--output", with_file, "--json")
    by_embedded = run_cli("refresh", inside, "--json")
    assert by_embedded.returncode == 0, by_embedded.stderr
    a, b = json.loads(by_file.stdout), json.loads(by_embedded.stdout)
    assert b["rules"] == f"embedded in {inside} (sheet ScorecardRules)" and a["rules"] == str(rules)
    for key in ("counts", "kpis", "changes", "period", "warnings"):
        assert a[key] == b[key], key
    assert a["narrative"] == b["narrative"]
    assert {k: v[0] for k, v in table_cells(inside, layout.sheet).items()} == {
        k: v[0] for k, v in table_cells(with_file, layout.sheet).items()
    }

    # the rules sheet survives the refresh byte for byte, still hidden, and is never the narrated sheet
    assert part_of(inside, "ScorecardRules") == (part, rules_bytes)
    assert sheet_entry(inside, "ScorecardRules") == entry
    again = run_cli("refresh", inside)  # a second refresh: still the same
    assert again.returncode == 0 and "rules: embedded in" in again.stderr
    assert part_of(inside, "ScorecardRules") == (part, rules_bytes)
    narrative = openpyxl.load_workbook(inside)["Narrative"]
    texts = " ".join(str(c.value) for row in narrative.iter_rows() for c in row if c.value)
    assert f"from sheet '{layout.sheet}' with rules {inside.name}, sheet ScorecardRules (sha256" in texts
    assert "ScorecardRules" not in texts.replace(f"{inside.name}, sheet ScorecardRules", "")


def table_cells(path: Path, sheet: str) -> dict:
    ws = openpyxl.load_workbook(path)[sheet]
    return {c.coordinate: (c.value, c.fill.fgColor.rgb) for row in ws.iter_rows() for c in row if c.value is not None}


def _rules_sheet_first(path: Path, lines: list[str]) -> Path:
    """A workbook whose FIRST sheet is a (hidden) ScorecardRules sheet, written by XlsxWriter with shared
    strings as Excel saves them, and a KPI table on the second sheet."""
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    rules_sheet = book.add_worksheet("ScorecardRules")
    for n, line in enumerate(lines):
        if line:
            rules_sheet.write_string(n, 0, line)
    table = book.add_worksheet("Figures")
    table.activate()
    rules_sheet.hide()
    for r, row in enumerate(
        [
            ["Ref", "Indicator", "May-18", "Jun-18", "Target", "Floor", "Polarity"],
            ["K1", "Calls answered", 70, 80, 75, 60, "H"],
            ["K2", "Waiting days", 12, 15, 10, 14, "L"],
        ]
    ):
        for c, value in enumerate(row):
            table.write(r, c, value)
    book.close()
    return path


GOOD = (
    "version: 1\nlayout:\n  columns: {id: Ref, name: Indicator, current: Jun-18, previous: May-18,\n"
    "            target: Target, floor: Floor, polarity: Polarity}\n"
)


def test_a_rules_sheet_placed_first_is_never_the_table(tmp_path):
    book = _rules_sheet_first(tmp_path / "first.xlsx", GOOD.split("\n"))
    result = run_cli("check", book)
    assert result.returncode == 0, result.stderr
    assert "rules: embedded in" in result.stdout and "2 KPIs on sheet 'Figures'" in result.stdout
    remote = run_macro(book, ribbon.check)[0]
    assert "2 KPIs on sheet 'Figures'" in remote and "Rules: embedded in first.xlsx (sheet ScorecardRules)" in remote
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(GOOD.replace("layout:\n", "layout:\n  sheet: scorecardrules\n"))
    refused = run_cli("check", book, "--rules", wrong)
    assert refused.returncode == 1 and "holds the embedded rules, not a KPI table" in refused.stderr


def test_an_error_in_embedded_rules_names_the_sheet_and_cell(tmp_path):
    lines = GOOD.split("\n")
    lines[4:4] = ["", "kpis:", "  - id: K1", "    tagret: 5"]  # line 8 (cell A8) is the bad key
    book = _rules_sheet_first(tmp_path / "bad.xlsx", lines)
    result = run_cli("refresh", book)
    assert result.returncode == 1
    assert "bad.xlsx, sheet 'ScorecardRules', cell A8: unknown key 'tagret' in kpis[0] (K1)" in result.stderr
    message = run_macro(book, ribbon.check)[0]
    assert "bad.xlsx, sheet 'ScorecardRules', cell A8: unknown key 'tagret'" in message


def test_check_warns_when_embedded_and_named_rules_differ(tmp_path):
    book = shutil.copyfile(SAMPLE, tmp_path / "book.xlsx")
    assert run_cli("rules", "embed", book, "--rules", SAMPLE_RULES).returncode == 0
    same = tmp_path / "same.yaml"  # comments and spacing differ, the rules do not
    same.write_text("# reformatted\n" + SAMPLE_RULES.read_text("utf-8").replace("\n\n", "\n"))
    other = tmp_path / "other.yaml"
    other.write_text(SAMPLE_RULES.read_text("utf-8").replace("title: ", "title: Revised "))
    quiet = run_cli("check", book, "--rules", same)
    assert quiet.returncode == 0 and "differ" not in quiet.stdout
    loud = run_cli("check", book, "--rules", other, "--strict")
    assert loud.returncode == 1
    assert (
        f"warning SC906 the rules embedded in {book} (sheet ScorecardRules) differ from {other}, which were used"
        in loud.stdout
    )
    message = run_macro(book, ribbon.check, rules=other)[0]
    assert "the rules embedded in book.xlsx (sheet ScorecardRules) differ from" in message


def test_ribbon_precedence_argument_then_named_then_embedded(tmp_path, monkeypatch):
    book = shutil.copyfile(SAMPLE, tmp_path / "book.xlsx")
    other = tmp_path / "other.yaml"
    other.write_text(SAMPLE_RULES.read_text("utf-8").replace("title: ", "title: Other "))
    run_cli("rules", "embed", book, "--rules", SAMPLE_RULES)
    remote = xw.Book(json=payload(book))
    assert excel_rules.book_rules(remote, other).source == str(other)  # the argument first
    assert excel_rules.book_rules(remote).source.endswith(", sheet ScorecardRules")  # nothing named: embedded
    monkeypatch.setattr(excel_rules, "_rules_from_name", lambda b: (str(other), "the name ScorecardRules"))
    monkeypatch.setattr(excel_rules, "find_rules", lambda b: other)
    assert excel_rules.book_rules(remote).source == str(other)  # named in the workbook: before embedded
    monkeypatch.setattr(excel_rules, "files_reachable", lambda: False)  # xlwings Lite: no file reachable
    assert excel_rules.book_rules(remote).source.endswith(", sheet ScorecardRules")
    plain = xw.Book(json=payload(SAMPLE))
    with pytest.raises(Exception, match="xlwings Lite cannot read files on your disk: embed the rules"):
        excel_rules.book_rules(plain)


def test_embedding_keeps_every_other_part(tmp_path):
    from corpus import build, fixtures

    name, features, suffix = next(f for f in fixtures() if len(f[1]) > 3)  # the fixture with everything
    source = build(tmp_path / f"{name}{suffix}", features)
    out = tmp_path / f"out{suffix}"
    bookrules.embed(source, SAMPLE_RULES.read_text("utf-8"), out)
    with zipfile.ZipFile(source) as a, zipfile.ZipFile(out) as b:
        changed = {n for n in a.namelist() if a.read(n) != b.read(n)}
        added = set(b.namelist()) - set(a.namelist())
    assert changed == {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}
    assert len(added) == 1 and added.pop().startswith("xl/worksheets/sheet")


@pytest.mark.slow
def test_embedded_sheet_passes_open_xml_validation(tmp_path):
    """The Open XML SDK's rules (openxml-audit): embedding, then refreshing, adds no finding."""
    from openxml_audit import FileFormat, OpenXmlValidator

    validator = OpenXmlValidator(file_format=FileFormat.MICROSOFT_365, max_errors=100)
    book = shutil.copyfile(SAMPLE, tmp_path / "book.xlsx")
    bookrules.embed(book, TRICKY.replace("...\n", ""))
    assert not validator.validate(book).errors
    bookrules.embed(book, SAMPLE_RULES.read_text("utf-8"))
    assert run_cli("refresh", book).returncode == 0
    assert not [str(e) for e in validator.validate(book).errors]


def test_beside_the_workbook_comes_after_embedded(tmp_path, monkeypatch):
    """On the remote engine the workbook's folder is the working folder: a <book>.yaml there is found,
    unless the workbook carries its own rules."""
    monkeypatch.chdir(tmp_path)
    other = SAMPLE_RULES.read_text("utf-8").replace("title: ", "title: Beside ")
    (tmp_path / "book.yaml").write_text(other, encoding="utf-8")
    plain = shutil.copyfile(SAMPLE, tmp_path / "book.xlsx")
    assert excel_rules.book_rules(xw.Book(json=payload(plain))).title.startswith("Beside ")
    bookrules.embed(plain, SAMPLE_RULES.read_text("utf-8"))
    inside = excel_rules.book_rules(xw.Book(json=payload(plain)))
    assert inside.source.endswith(", sheet ScorecardRules") and not inside.title.startswith("Beside ")


def test_worksheet_functions_take_the_rules_as_a_range():
    from scorecard.excel import functions as udfs

    lines = SAMPLE_RULES.read_text("utf-8").rstrip("\n").split("\n")
    column = [line or None for line in lines]  # xlwings passes a one-column range as a list of values
    rows = [[line] for line in column]  # ... and a block as rows
    # CIC01: higher is better, target 100, floor 90
    assert [udfs.SCORECARD_RAG(v, "CIC01", column) for v in (100, 95, 89.9)] == ["Green", "Amber", "Red"]
    assert udfs.SCORECARD_DIRECTION(95, 93.9, "CIC01", rows) == "improved"
    broken = [*column[:4], "tagret: 5", *column[5:]]  # line 5, the title, becomes an unknown key
    assert udfs.SCORECARD_RAG(95, "CIC01", broken).startswith(
        "#SCORECARD! the rules range, sheet 'ScorecardRules', cell A5: unknown key 'tagret'"
    )


def test_embed_refuses_a_read_only_workbook_as_refresh_does(tmp_path):
    import stat

    book = shutil.copyfile(SAMPLE, tmp_path / "book.xlsx")
    book.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    before = book.read_bytes()
    result = run_cli("rules", "embed", book, "--rules", SAMPLE_RULES)
    assert result.returncode == 1 and "read-only" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "book.xlsx" in result.stderr
    assert book.read_bytes() == before
