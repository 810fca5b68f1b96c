"""Bad input: every case gets its message (naming file and sheet/cell or YAML line) and exit code,
never a traceback, and every input file is left byte for byte as it was."""

from __future__ import annotations

import hashlib
import shutil
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from clirun import run_cli
from conftest import SAMPLE, SAMPLE_RULES, write_book
from scorecard.xlam.cfb import Storage, Stream, write_compound_file
from zipparts import rewrite

HEADER = ["Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18"]
RULES = (
    "version: 1\nlayout:\n  columns: {id: Ref, name: Indicator, polarity: Polarity, target: Target, floor: "
    "Floor, current: Jun-18, previous: May-18}\n"
)


@dataclass
class Case:
    """Files to write, the command to run, and what must come back."""

    setup: Callable[[Path], list[str]]  # writes files into the folder, returns the command's arguments
    code: int
    message: str  # must appear in standard error (or standard output, for warnings)


def sample(folder: Path, rules: str | None = None, name: str = "book.xlsx") -> tuple[Path, Path]:
    book = folder / name
    shutil.copyfile(SAMPLE, book)
    rules_path = folder / "rules.yaml"
    rules_path.write_text(rules if rules is not None else SAMPLE_RULES.read_text(), encoding="utf-8")
    return book, rules_path


def with_rules(text: str, command: str = "refresh") -> Callable[[Path], list[str]]:
    def setup(folder: Path) -> list[str]:
        book, rules = sample(folder, text)
        return [command, str(book), "--rules", str(rules)]

    return setup


def with_book(rows: list[list], rules: str = RULES, command: str = "refresh", **kw) -> Callable[[Path], list[str]]:
    def setup(folder: Path) -> list[str]:
        book = write_book(folder / "book.xlsx", rows, **kw)
        (folder / "rules.yaml").write_text(rules)
        return [command, str(book), "--rules", str(folder / "rules.yaml")]

    return setup


def with_file(name: str, data: bytes | Callable[[], bytes]) -> Callable[[Path], list[str]]:
    def setup(folder: Path) -> list[str]:
        (folder / name).write_bytes(data() if callable(data) else data)
        (folder / "rules.yaml").write_text(SAMPLE_RULES.read_text())
        return ["refresh", str(folder / name), "--rules", str(folder / "rules.yaml")]

    return setup


def corrupt() -> bytes:
    data = bytearray(SAMPLE.read_bytes())
    with zipfile.ZipFile(SAMPLE) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + 200
    data[start : start + 64] = bytes(64)  # zero a stretch of the sheet's compressed bytes
    return bytes(data)


def encrypted() -> bytes:
    # what Excel writes for a password-protected workbook: an OLE compound file, not a zip
    return write_compound_file(
        Storage(
            "Root Entry",
            [Stream("EncryptionInfo", b"\x04\x00\x04\x00" + bytes(200)), Stream("EncryptedPackage", bytes(5000))],
        )
    )


BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    b"<si><t>&lol9;</t></si></sst>"
)


def zip_bomb() -> bytes:
    return rewrite(SAMPLE, {"xl/worksheets/sheet1.xml": b" " * 60_000_000})


def uncalculated(folder: Path) -> list[str]:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Scorecard"
    ws.append(HEADER)
    ws.append(["K1", "x", "H", 85, 75, 80, "=F2+1"])  # openpyxl saves formulas without results
    wb.save(folder / "book.xlsx")
    (folder / "rules.yaml").write_text(RULES)
    return ["refresh", str(folder / "book.xlsx"), "--rules", str(folder / "rules.yaml")]


def merged_header(folder: Path) -> list[str]:
    book = xlsxwriter.Workbook(str(folder / "book.xlsx"), {"in_memory": True})
    ws = book.add_worksheet("Scorecard")
    ws.write_row(0, 0, ["Ref", "Indicator", "Polarity"])
    ws.merge_range(0, 3, 0, 4, "Target")  # Target and Floor under one merged header
    ws.write_row(0, 5, ["May-18", "Jun-18"])
    ws.write_row(1, 0, ["K1", "x", "H", 85, 75, 80, 90])
    book.close()
    (folder / "rules.yaml").write_text(RULES)
    return ["refresh", str(folder / "book.xlsx"), "--rules", str(folder / "rules.yaml")]


def chart_sheet(folder: Path) -> list[str]:
    book = xlsxwriter.Workbook(str(folder / "book.xlsx"), {"in_memory": True})
    ws = book.add_worksheet("Scorecard")
    ws.write_row(0, 0, HEADER)
    ws.write_row(1, 0, ["K1", "x", "H", 85, 75, 80, 90])
    chart = book.add_chart({"type": "line"})
    chart.add_series({"values": "=Scorecard!$F$2:$G$2"})
    book.add_chartsheet("Trend").set_chart(chart)
    book.close()
    (folder / "rules.yaml").write_text(RULES.replace("layout:\n", "layout:\n  sheet: Trend\n"))
    return ["refresh", str(folder / "book.xlsx"), "--rules", str(folder / "rules.yaml")]


def two_books(folder: Path, output: str | None = None) -> list[str]:
    book, rules = sample(folder)
    return ["refresh", str(book), str(folder / "." / book.name), "--rules", str(rules)]


def output_to(target: Callable[[Path], str]) -> Callable[[Path], list[str]]:
    def setup(folder: Path) -> list[str]:
        book, rules = sample(folder)
        return ["refresh", str(book), "--rules", str(rules), "--output", target(folder)]

    return setup


SAMPLE_TEXT = SAMPLE_RULES.read_text()
GOOD_ROW = ["K1", "x", "H", 85, 75, 80, 90]

CASES: dict[str, Case] = {
    # --- the rules file
    "yaml-syntax": Case(with_rules("version: 1\nlayout: [\n"), 1, "rules.yaml, line 3: not valid YAML"),
    "wrong-type": Case(
        with_rules(SAMPLE_TEXT.replace("  decimals: 1\n  compare", "  decimals: one\n  compare")),
        1,
        "rules.yaml, line 26: defaults.decimals should be an integer, not 'one'",
    ),
    "unknown-key": Case(
        with_rules(SAMPLE_TEXT.replace("    target: 100\n", "    tagret: 100\n", 1)),
        1,
        "rules.yaml, line 35: unknown key 'tagret' in kpis[0] (CIC01) (did you mean 'target'?)",
    ),
    "duplicate-kpi-in-rules": Case(
        with_rules(SAMPLE_TEXT.replace("  - id: CIC02\n", "  - id: CIC01\n")),
        1,
        "KPI 'CIC01' is listed twice (first on line 33)",
    ),
    "floor-above-target-in-rules": Case(
        with_rules(SAMPLE_TEXT.replace("    target: 100\n    floor: 90\n", "    target: 90\n    floor: 95\n", 1)),
        1,
        "rules.yaml, line 36: KPI 'CIC01': floor 95 is above target 90",
    ),
    "rules-missing": Case(
        lambda f: ["refresh", str(sample(f)[0]), "--rules", str(f / "nope.yaml")], 1, "nope.yaml: rules file not found"
    ),
    "rules-not-utf8": Case(
        with_rules("version: 1\ntitle: caf\xe9\n".encode("latin-1").decode("latin-1")), 1, ""
    ),  # placeholder, replaced below
    "unsafe-yaml": Case(
        with_rules("version: 1\ntitle: !!python/object/apply:os.system ['echo owned']\n"),
        1,
        "rules.yaml, line 2: not valid YAML: could not determine a constructor",
    ),
    "empty-rules": Case(with_rules(""), 1, "rules.yaml, line 1: the rules file is empty"),
    "version-2": Case(
        with_rules("version: 2\nlayout: {columns: {id: Ref, current: A, previous: B}}\n"),
        1,
        "rules.yaml, line 1: version must be 1, not 2",
    ),
    # --- the workbook's table
    "duplicate-kpi-in-workbook": Case(
        with_book([HEADER, GOOD_ROW, GOOD_ROW]),
        1,
        "book.xlsx, sheet 'Scorecard', cell A3: KPI id 'K1' appears twice (rows 2 and 3)",
    ),
    "floor-above-target-in-workbook": Case(
        with_book([HEADER, ["K1", "x", "H", 80, 90, 85, 85]]),
        1,
        "cell A2: KPI 'K1' (sheet 'Scorecard' row 2): floor 90 is above target 80",
    ),
    "rules-kpi-not-in-workbook": Case(
        with_book([HEADER, GOOD_ROW], RULES + "kpis:\n  - {id: K9, polarity: higher}\n"),
        0,
        "warning SC507 rules line 5: KPI 'K9' is in the rules but not in sheet 'Scorecard'",
    ),
    "workbook-kpi-not-in-rules": Case(
        with_book(
            [HEADER, GOOD_ROW, ["K2", "y", "H", None, None, 3, 4]], RULES + "kpis:\n  - {id: K1, polarity: higher}\n"
        ),
        0,
        "warning SC505 sheet 'Scorecard': KPI 'K2' (row 3) is not in the rules: an activity indicator",
    ),
    "workbook-kpi-not-in-rules-polarity-inferred": Case(
        with_book(
            [HEADER, GOOD_ROW, ["K2", "y", None, 85, 75, 3, 4]], RULES + "kpis:\n  - {id: K1, polarity: higher}\n"
        ),
        0,
        "warning SC505 sheet 'Scorecard': KPI 'K2' (row 3) is not in the rules: rated from the workbook's columns",
    ),
    "missing-sheet": Case(
        with_rules(SAMPLE_TEXT.replace("sheet: Scorecard", "sheet: Scorecrd")),
        1,
        "book.xlsx: no sheet named 'Scorecrd' (layout.sheet) (did you mean 'Scorecard'?); sheets: Scorecard",
    ),
    "missing-header": Case(
        with_rules(SAMPLE_TEXT.replace("current: Jun-18", "current: Jul-18")),
        1,
        "book.xlsx, sheet 'Scorecard', row 4: no column headed 'Jul-18' (layout.columns.current) in the header "
        "row (did you mean 'Jun-18'?)",
    ),
    "merged-header": Case(
        merged_header,
        1,
        "no column headed 'Floor' (layout.columns.floor) in the header row; the header row has merged cells (D1:E1)",
    ),
    "empty-workbook": Case(with_book([]), 1, "book.xlsx, sheet 'Scorecard': no header cell reading 'Ref'"),
    "no-kpi-rows": Case(
        with_book([HEADER, ["Section heading"]]),
        1,
        "book.xlsx, sheet 'Scorecard', row 1: no KPI rows under this header row",
    ),
    "header-row-beyond-data": Case(
        with_book([HEADER, GOOD_ROW], RULES.replace("layout:\n", "layout:\n  header_row: 500\n")),
        1,
        "no column headed 'Ref' (layout.columns.id) in the header row; headers found: none",
    ),
    "duplicate-header": Case(
        with_book([HEADER + ["Target"], GOOD_ROW]), 1, "two columns are headed 'Target' (D1 and H1)"
    ),
    "bad-polarity-cell": Case(
        with_book([HEADER, ["K1", "x", "sideways", 85, 75, 80, 90]]),
        1,
        "sheet 'Scorecard', cell C2: polarity 'sideways' for KPI 'K1' is not one of higher, lower, target",
    ),
    "target-polarity-without-target": Case(
        with_book([HEADER, ["K1", "x", "T", None, 75, 80, 90]]),
        1,
        "cell A2: KPI 'K1' has polarity target but no target",
    ),
    "formula-without-result": Case(
        uncalculated,
        1,
        "sheet 'Scorecard', cell G2: the current figure of KPI 'K1' is a formula saved without its result",
    ),
    "text-in-a-figure-cell": Case(
        with_book([HEADER, ["K1", "x", "H", 85, 75, 80, "eighty"]]),
        0,
        "warning SC301 sheet 'Scorecard', cell G2: text 'eighty' is not a figure; read as no data",
    ),
    # over 100% and below 0% are impossible only for a share of a whole (share: true, or numerator and denominator)
    "over-100-percent": Case(
        with_book(
            [HEADER, ["K1", "x", "H", 85, 75, 80, 148.4]],
            RULES + "defaults: {unit: percent}\nkpis:\n  - {id: K1, share: true}\n",
        ),
        0,
        "warning SC602 sheet 'Scorecard', cell G2: 148.4% is over 100%, but KPI 'K1' is a share of a whole (share: "
        "true, rules line 6); check the figure",
    ),
    "negative-percent": Case(
        with_book(
            [HEADER, ["K1", "x", "H", 85, 75, -2, 80]],
            RULES + "defaults: {unit: percent}\nkpis:\n  - {id: K1, share: true}\n",
        ),
        0,
        "warning SC602 sheet 'Scorecard', cell F2: -2% is negative, but KPI 'K1' is a share of a whole",
    ),
    "narrative-is-the-scorecard-sheet": Case(
        with_rules(SAMPLE_TEXT.replace("  section: 3", "  section: 3\n  sheet: scorecard")),
        1,
        "book.xlsx, sheet 'Scorecard': the narrative sheet 'scorecard' is the scorecard sheet itself",
    ),
    "chart-sheet": Case(chart_sheet, 1, "book.xlsx: sheet 'Trend' is a chart sheet, not a worksheet"),
    "foreign-narrative-sheet": Case(
        with_book(
            [HEADER, GOOD_ROW], RULES.replace("layout:\n", "layout:\n  sheet: Scorecard\n"), extra_sheets=["Narrative"]
        ),
        1,
        "already has a sheet named 'Narrative' that scorecard did not write",
    ),
    # --- the file itself
    "xls": Case(
        with_file("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)),
        1,
        "old.xls: is an Excel 97-2003 .xls workbook",
    ),
    "csv": Case(
        with_file("data.csv", b"Ref,Jun-18\nK1,5\n"),
        1,
        "data.csv: is a .csv; scorecard reads .xlsx and .xlsm workbooks",
    ),
    "text-named-xlsx": Case(
        with_file("notes.xlsx", b"Just some notes\n"), 1, "notes.xlsx: is not an Excel workbook (not a zip package)"
    ),
    "truncated-zip": Case(
        with_file("cut.xlsx", lambda: SAMPLE.read_bytes()[:4000]), 1, "cut.xlsx: is damaged: not a readable zip package"
    ),
    "corrupt-zip": Case(with_file("bent.xlsx", corrupt), 1, "bent.xlsx: is damaged"),
    "encrypted": Case(with_file("locked.xlsx", encrypted), 1, "locked.xlsx: is password-protected (encrypted)"),
    "xml-bomb": Case(
        with_file(
            "lol.xlsx",
            lambda: rewrite(SAMPLE, {"xl/sharedStrings.xml" if _has_sst() else "xl/styles.xml": BOMB}),
        ),
        1,
        "lol.xlsx: refused: part xl/sharedStrings.xml declares a DTD",
    ),
    "zip-bomb": Case(
        with_file("bomb.xlsx", zip_bomb),
        1,
        "bomb.xlsx: refused: part xl/worksheets/sheet1.xml expands to 60,000,000 bytes",
    ),
    "strict-open-xml": Case(
        with_file(
            "strict.xlsx",
            lambda: rewrite(
                SAMPLE,
                {
                    "xl/workbook.xml": _workbook_xml().replace(
                        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                        b"http://purl.oclc.org/ooxml/spreadsheetml/main",
                    )
                },
            ),
        ),
        1,
        "strict.xlsx: is saved as Strict Open XML, which scorecard does not edit",
    ),
    "workbook-missing": Case(
        lambda f: ["refresh", str(f / "nowhere.xlsx"), "--rules", str(sample(f)[1])], 1, "nowhere.xlsx: file not found"
    ),
    "folder-as-workbook": Case(
        lambda f: ["refresh", str(f), "--rules", str(sample(f)[1])], 1, "is a folder, not a workbook"
    ),
    # --- the command
    "same-file-twice": Case(two_books, 1, "the same workbook is given more than once"),
    "missing-output-folder": Case(output_to(lambda f: str(f / "nowhere" / "out.xlsx")), 1, "does not exist"),
    "read-only-output-folder": Case(output_to(lambda f: "/proc/"), 1, "cannot write into the folder /proc"),
}


def _workbook_xml() -> bytes:
    with zipfile.ZipFile(SAMPLE) as archive:
        return archive.read("xl/workbook.xml")


def _has_sst() -> bool:
    with zipfile.ZipFile(SAMPLE) as archive:
        return "xl/sharedStrings.xml" in archive.namelist()


def _rules_not_utf8(folder: Path) -> list[str]:
    book, rules = sample(folder)
    rules.write_bytes(b"version: 1\ntitle: caf\xe9\n")
    return ["check", str(book), "--rules", str(rules)]


CASES["rules-not-utf8"] = Case(_rules_not_utf8, 1, "rules.yaml: not UTF-8 text (byte 21); save the rules file as UTF-8")


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


def test_there_are_at_least_thirty_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n == "zip-bomb" else n for n in CASES])
def test_bad_input(name, tmp_path):
    case = CASES[name]
    args = case.setup(tmp_path)
    before = digests(tmp_path)
    code, out, err = run_cli(*args)
    assert "Traceback" not in out + err
    assert code == case.code, out + err
    assert case.message in (err if case.code else out + err), out + err
    if case.code:
        assert err.startswith("scorecard: error: "), err
    after = digests(tmp_path)
    if case.code or args[0] != "refresh":
        assert after == before  # nothing written, nothing left behind
    else:  # a warning: the workbook is refreshed; --strict refuses it instead, writing nothing
        assert set(after) == set(before)
        strict_folder = tmp_path / "strict"
        strict_folder.mkdir()
        strict_args = case.setup(strict_folder) + ["--strict"]
        strict_before = digests(strict_folder)
        code, _, err = run_cli(*strict_args)
        assert code == 1, err
        assert "not refreshed (--strict)" in err
        assert digests(strict_folder) == strict_before


@pytest.mark.slow
def test_a_zip_bomb_is_refused_quickly_in_bounded_memory(tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(zip_bomb())
    (tmp_path / "rules.yaml").write_text(SAMPLE_RULES.read_text())
    tracemalloc.start()
    started = time.perf_counter()
    code = run_cli("check", bomb, "--rules", tmp_path / "rules.yaml").returncode
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code == 1
    assert peak < 20_000_000 and elapsed < 5  # the 60 MB part is never inflated


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    rows = [
        HEADER + ["Commentary"],
        ["K1", '=HYPERLINK("http://x")', "H", 85, 75, 80, 70, "+44 calls"],
        ["K2", "-5 days", "H", 85, 75, 80, 70, "@mention"],
    ]
    book = write_book(tmp_path / "book.xlsx", rows)
    (tmp_path / "rules.yaml").write_text(
        RULES.replace("previous: May-18}", "previous: May-18, commentary: Commentary}")
    )
    assert run_cli("refresh", book, "--rules", tmp_path / "rules.yaml").returncode == 0
    narrative = openpyxl.load_workbook(book)["Narrative"]
    texts = [c.value for row in narrative.iter_rows() for c in row if c.value]
    assert all(c.data_type != "f" for row in narrative.iter_rows() for c in row)
    assert any(t.startswith('=HYPERLINK("http://x")') for t in texts) and any("+44 calls" in t for t in texts)
    assert any(t.startswith("-5 days") for t in texts) and any("@mention" in t for t in texts)
