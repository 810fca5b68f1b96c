"""Sparklines of each KPI's history in the trend column (layout.columns.trend): Excel's own x14
sparklines, written into the scorecard sheet's extLst; an analyst's sparklines keep their bytes.

Workbooks are generated with XlsxWriter (some with the analyst's own sparklines, drawn with its
``add_sparkline``), refreshed, and read back as XML; LibreOffice, which draws sparklines, renders them.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import xlsxwriter
from lxml import etree

from clirun import run_cli
from scorecard.core.rules import parse_rules
from scorecard.errors import RulesError, ScorecardError
from scorecard.usecases import refresh_file
from zipparts import rewrite

X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
NS = {"x14": X14, "xm": XM}
MONTHS = [
    "Apr-18",
    "May-18",
    "Jun-18",
    "Jul-18",
    "Aug-18",
    "Sep-18",
    "Oct-18",
    "Nov-18",
    "Dec-18",
    "Jan-19",
    "Feb-19",
    "Mar-19",
]
KPIS = [
    ("A1", "Adoptions within 12 months", "High", 60, 50, [55, 57, 59, 61, 62, 60, 64, 63, 65, 66, 64, 67]),
    ("B 2", "Delayed transfers", "Low", 10, 15, [14, 12, 13, 9, 8, 11, 10, 9, 7, 8, 9, 6]),
    ("C-3", "Visits on time", "High", 90, 80, [70, 75, 85, 88, 91, 89, 92, 93, 90, 94, 95, 96]),
    ("D4", "Complaints answered", "High", 95, 85, [96, 97, 90, 88, 84, 86, 91, 93, 95, 97, 98, 99]),
]


@dataclass
class Book:
    sheet: str = "Scorecard"
    months: int = 6  # how many month columns
    filled: int = 5  # months with figures: the newest filled one is the current period
    trend_first: bool = False  # the trend column before the months (else after them)
    newest_first: bool = False  # the months run newest to oldest, left to right
    trend: str = "Trend"  # the trend column's header as the workbook spells it
    header_row: int = 1
    analyst: bool = False  # the analyst's own sparklines in column Z
    x14_formats: bool = False  # an Excel 2010 data bar: an extLst before the sparklines are added
    gap_column: bool = False  # a YTD column between the months

    def letters(self, column: int) -> str:
        text = ""
        while column:
            column, rest = divmod(column - 1, 26)
            text = chr(65 + rest) + text
        return text

    @property
    def month_columns(self) -> list[int]:
        """Sheet columns (1-based) of the months, oldest first."""
        start = 7 if self.trend_first else 6
        columns = list(range(start, start + self.months))
        if self.gap_column:
            middle = self.months // 2
            columns = columns[:middle] + [c + 1 for c in columns[middle:]]
        return columns[::-1] if self.newest_first else columns

    @property
    def trend_column(self) -> int:
        return 6 if self.trend_first else max(self.month_columns) + 1

    def rows(self) -> list[int]:
        return [self.header_row + 1 + i for i in range(len(KPIS))]

    def write(self, path: Path) -> Path:
        book = xlsxwriter.Workbook(path, {"in_memory": True})
        ws = book.add_worksheet(self.sheet)
        top = self.header_row - 1
        ws.write_row(top, 0, ["Ref", "Indicator", "Polarity", "Target", "Floor"])
        months = self.month_columns
        for index, column in enumerate(months):
            ws.write_string(top, column - 1, MONTHS[index])
        ws.write_string(top, self.trend_column - 1, self.trend)
        if self.gap_column:
            ws.write_string(top, months[self.months // 2] - 2, "YTD")
        for r, (kid, name, polarity, target, floor, figures) in enumerate(KPIS, start=top + 1):
            ws.write_row(r, 0, [kid, name, polarity, target, floor])
            for index, column in enumerate(months[: self.filled]):
                ws.write_number(r, column - 1, figures[index])
        if self.analyst:  # one group of the analyst's, of every KPI row
            first, last = self.letters(min(months)), self.letters(max(months))
            ranges = [f"'{self.sheet}'!{first}{row}:{last}{row}" for row in self.rows()]
            ws.add_sparkline(
                f"Z{self.rows()[0]}",
                {
                    "range": ranges,
                    "location": [f"Z{row}" for row in self.rows()],
                    "markers": True,
                    "series_color": "#7030A0",
                },
            )
        if self.x14_formats:
            ws.conditional_format(f"F{self.rows()[0]}:F{self.rows()[-1]}", {"type": "data_bar", "data_bar_2010": True})
        ws.set_column(self.trend_column - 1, self.trend_column - 1, 18)
        ws.set_default_row(24)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        book.close()
        return path

    def rules(self, extra: str = "") -> str:
        return (
            "version: 1\nlayout:\n"
            f'  sheet: "{self.sheet}"\n  history: true\n'
            + (f"  header_row: {self.header_row}\n" if self.header_row != 1 else "")
            + f"  columns: {{id: Ref, name: Indicator, polarity: Polarity, target: Target, floor: Floor, "
            f"trend: '{self.trend.upper()}'}}\n" + extra
        )


def sheet_xml(path: Path, index: int = 1) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{index}.xml")


def groups(xml: bytes) -> list[etree._Element]:
    return etree.fromstring(xml).findall(".//x14:sparklineGroup", NS)


def lines(group: etree._Element) -> list[tuple[str, str]]:
    return [
        (s.findtext("xm:f", namespaces=NS), s.findtext("xm:sqref", namespaces=NS))
        for s in group.iterfind(".//x14:sparkline", NS)
    ]


def refresh(path: Path, rules: str, **kwargs):
    return refresh_file(path, parse_rules(rules, "rules.yaml"), **kwargs)


CASES = [
    Book(),
    Book(sheet="Perf 2018-19", months=12, filled=12, trend="Sparkline"),
    Book(sheet="Children's services", trend_first=True, months=8, filled=3, header_row=3),
    Book(newest_first=True, months=7, filled=7),
    Book(analyst=True, x14_formats=True, months=5, filled=4),
    Book(sheet="Q&A <draft>", analyst=True, newest_first=True, trend_first=True, months=9, filled=9),
]


@pytest.mark.parametrize("case", CASES, ids=lambda b: f"{b.sheet}-{b.months}m-{b.filled}f")
def test_every_kpi_row_gets_a_sparkline_of_its_months(case, tmp_path):
    book = case.write(tmp_path / "book.xlsx")
    before = sheet_xml(book)
    refresh(book, case.rules())
    after = sheet_xml(book)
    ours = [g for g in groups(after) if any(sqref.startswith(case.letters(case.trend_column)) for _, sqref in lines(g))]
    assert len(ours) == 1
    # worked out from the layout: the months up to the newest filled one, in one row each
    columns = case.month_columns[: case.filled]
    first, last = case.letters(min(columns)), case.letters(max(columns))
    quoted = "'" + case.sheet.replace("'", "''") + "'"
    trend = case.letters(case.trend_column)
    assert lines(ours[0]) == [(f"{quoted}!{first}{row}:{last}{row}", f"{trend}{row}") for row in case.rows()]
    assert (ours[0].get("rightToLeft") == "1") is case.newest_first
    assert ours[0].get("last") == "1" and ours[0].get("displayEmptyCellsAs") == "gap"
    # the extension sits in the worksheet's last element, and only the part after the cell table changed
    root = etree.fromstring(after)
    assert etree.QName(root[-1]).localname == "extLst"
    exts = [e.get("uri") for e in root[-1]]
    assert exts[-1] == "{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" and len(exts) == (2 if case.x14_formats else 1)
    if case.analyst:  # the analyst's group keeps every byte, and stays first
        theirs = re.search(
            rb"<x14:sparklineGroup\b(?:(?!</x14:sparklineGroup>).)*</x14:sparklineGroup>", before, re.S
        ).group(0)
        assert theirs in after and after.index(theirs) < after.index(b'rgb="FF1F4E79"')
        assert len(groups(after)) == 2
    if case.x14_formats:  # the data bar's extension keeps its bytes, ahead of ours
        bar = re.search(rb"<ext [^>]*\{78C0D931[^>]*>.*?</ext>", before, re.S).group(0)
        assert after.index(bar) < after.index(b"{05C60535")


@pytest.mark.parametrize("case", [CASES[0], CASES[4], CASES[5]], ids=["plain", "analyst", "quoted"])
def test_refreshing_twice_writes_the_same_sheet(case, tmp_path):
    book = case.write(tmp_path / "book.xlsx")
    refresh(book, case.rules())
    once = sheet_xml(book)
    refresh(book, case.rules())
    assert sheet_xml(book) == once
    assert len(groups(once)) == (2 if case.analyst else 1)


def test_a_new_month_replaces_our_sparklines_and_keeps_the_analysts(tmp_path):
    case = Book(analyst=True, filled=3)
    book = case.write(tmp_path / "book.xlsx")
    refresh(book, case.rules())
    later = Book(analyst=True, filled=4).write(tmp_path / "later.xlsx")  # next month's figures typed in
    with zipfile.ZipFile(later) as a:  # the refreshed sheet's extLst with next month's cells
        fresh = a.read("xl/worksheets/sheet1.xml")
    refreshed = sheet_xml(book)
    tail = refreshed[refreshed.index(b"</sheetData>") :]
    moved = fresh[: fresh.index(b"</sheetData>")] + tail
    book.write_bytes(rewrite(book, {"xl/worksheets/sheet1.xml": moved}))
    refresh(book, case.rules())
    found = groups(sheet_xml(book))
    assert len(found) == 2
    assert lines(found[1])[0] == ("'Scorecard'!F2:I2", "L2")  # April to July now, one group still
    assert lines(found[0])[0] == ("'Scorecard'!F2:K2", "Z2")


def test_a_kpi_row_skipped_as_hidden_gets_no_sparkline(tmp_path):
    case = Book()
    path = case.write(tmp_path / "book.xlsx")
    from openpyxl import load_workbook  # hide row 3 as Excel stores it

    wb = load_workbook(path)
    wb["Scorecard"].row_dimensions[3].hidden = True
    wb.save(path)
    refresh(path, case.rules().replace("history: true", "history: true\n  hidden_rows: skip"))
    (group,) = groups(sheet_xml(path))
    assert [sqref for _, sqref in lines(group)] == ["L2", "L4", "L5"]


def test_markers_and_type_come_from_the_rules(tmp_path):
    case = Book()
    book = case.write(tmp_path / "book.xlsx")
    refresh(book, case.rules("sparklines:\n  type: column\n  markers: [high, low, negative]\n"))
    (group,) = groups(sheet_xml(book))
    assert group.get("type") == "column"
    assert group.get("minAxisType") == "custom" and group.get("manualMin") == "0"  # columns start at zero
    assert [k for k in ("markers", "high", "low", "first", "last", "negative") if group.get(k) == "1"] == [
        "high",
        "low",
        "negative",
    ]
    refresh(book, case.rules("sparklines: {markers: [all]}\n"))
    (group,) = groups(sheet_xml(book))
    assert group.get("type") is None and group.get("markers") == "1" and group.get("last") is None
    assert group.get("minAxisType") is None and group.get("manualMin") is None  # a line spans its own figures
    refresh(book, case.rules("sparklines: {type: line, scale: zero}\n"))
    (group,) = groups(sheet_xml(book))
    assert group.get("minAxisType") == "custom" and group.get("manualMin") == "0"
    refresh(book, case.rules("sparklines: {type: column, scale: own}\n"))
    (group,) = groups(sheet_xml(book))
    assert group.get("type") == "column" and group.get("minAxisType") is None


def _five_months(path):
    """The KPIs with five months and a Trend column, left open for the analyst's sparklines to be added."""
    book = xlsxwriter.Workbook(path, {"in_memory": True})
    ws = book.add_worksheet("Scorecard")
    ws.write_row(0, 0, ["Ref", "Indicator", "Polarity", "Target", "Floor", *MONTHS[:5], "Trend"])
    for r, (kid, name, polarity, target, floor, figures) in enumerate(KPIS, start=1):
        ws.write_row(r, 0, [kid, name, polarity, target, floor, *figures[:5]])
    return book, ws


def test_an_analysts_sparkline_in_a_trend_cell_is_kept_and_named(tmp_path):
    """A group of the analyst's that draws in a trend cell and elsewhere is not ours: it keeps that cell."""
    case = Book()
    path = tmp_path / "book.xlsx"
    book, ws = _five_months(path)
    ws.add_sparkline("K3", {"range": ["Scorecard!F3:J3", "Scorecard!F4:J4"], "location": ["K3", "M4"]})
    book.close()
    result = refresh(path, case.rules())
    assert [f.code for f in result.table.warnings] == ["SC806"] and "K3" in result.table.warnings[0].message
    found = groups(sheet_xml(path))
    assert len(found) == 2
    assert lines(found[0]) == [("Scorecard!F3:J3", "K3"), ("Scorecard!F4:J4", "M4")]
    assert [sqref for _, sqref in lines(found[1])] == ["K2", "K4", "K5"]
    with pytest.raises(ScorecardError, match="strict"):
        refresh(path, case.rules(), strict=True)


def test_an_analysts_group_wholly_in_the_trend_column_is_replaced(tmp_path):
    path = tmp_path / "book.xlsx"
    book, ws = _five_months(path)
    ws.add_sparkline("K2", {"range": "Scorecard!F2:G2"})
    book.close()
    refresh(path, Book().rules())
    (group,) = groups(sheet_xml(path))
    assert [sqref for _, sqref in lines(group)] == ["K2", "K3", "K4", "K5"]


def test_period_columns_with_a_gap_get_no_sparklines_and_a_warning(tmp_path):
    case = Book(gap_column=True, months=6, filled=6)
    book = case.write(tmp_path / "book.xlsx")
    result = refresh(book, case.rules())
    assert result.plan.sparklines is None and not groups(sheet_xml(book))
    (warning,) = [w for w in result.table.warnings if w.code == "SC809"]
    assert warning.where.sheet == "Scorecard" and "F1, G1, H1, J1, K1, L1" in warning.message
    assert "(M1)" in warning.message


@pytest.mark.parametrize("field", ["rag", "floor", "name"])
def test_a_trend_column_shared_with_another_field_is_refused(field, tmp_path):
    case = Book()
    book = case.write(tmp_path / "book.xlsx")
    header = {"rag": "RAG", "floor": "Floor", "name": "Indicator"}[field]
    rules = case.rules().replace("trend: 'TREND'", f"trend: '{header}'")
    if field == "rag":  # the RAG column a first refresh added
        refresh(book, case.rules().replace(", trend: 'TREND'", ""))
    before = book.read_bytes()
    with pytest.raises(
        ScorecardError, match=f"layout.columns.trend and layout.columns.{field} name the same column"
    ) as caught:
        refresh(book, rules)
    assert caught.value.sheet == "Scorecard" and caught.value.cell
    assert book.read_bytes() == before


@pytest.mark.parametrize(
    ("rules", "message", "line"),
    [
        (
            "version: 1\nlayout:\n  columns: {id: Ref, current: Jun, previous: May,\n    trend: Trend}\n",
            "layout.columns.trend needs layout.history: true",
            4,
        ),
        (
            "version: 1\nlayout:\n  history: true\n  columns: {id: Ref}\nsparklines: {type: line}\n",
            "sparklines is set but layout.columns.trend is not",
            5,
        ),
        (
            "version: 1\nlayout:\n  history: true\n  columns: {id: Ref, trend: T}\nsparklines: {type: bar}\n",
            "'bar' is not one of line, column",
            5,
        ),
        (
            "version: 1\nlayout:\n  history: true\n  columns: {id: Ref, trend: T}\nsparklines:\n  markers: "
            "[last, top]\n",
            "'top' is not one of all, first, last, high, low, negative",
            6,
        ),
    ],
)
def test_bad_sparkline_rules_name_the_line(rules, message, line):
    with pytest.raises(RulesError) as caught:
        parse_rules(rules, "rules.yaml")
    assert message in str(caught.value) and caught.value.line == line


def test_the_command_line_refreshes_with_sparklines(tmp_path):
    case = Book(sheet="Perf 2018-19")
    book = case.write(tmp_path / "book.xlsx")
    (tmp_path / "rules.yaml").write_text(case.rules())
    assert run_cli("refresh", book, "--rules", tmp_path / "rules.yaml").returncode == 0
    (group,) = groups(sheet_xml(book))
    assert len(lines(group)) == len(KPIS)


@pytest.mark.slow
def test_openxml_validation_finds_nothing_new(tmp_path):
    from test_openxml import findings

    for case in (CASES[1], CASES[4], CASES[5]):
        book = case.write(tmp_path / "book.xlsx")
        before = findings(book)
        refresh(book, case.rules("sparklines: {type: column, markers: [first, last, high, low, negative]}\n"))
        assert not findings(book) - before


def test_the_ribbon_says_sparklines_are_drawn_by_the_command_line(tmp_path):
    from remote import run_macro
    from scorecard.excel import ribbon

    case = Book()
    book = case.write(tmp_path / "book.xlsx")
    (tmp_path / "rules.yaml").write_text(case.rules())
    message, _ = run_macro(book, ribbon.check, rules=tmp_path / "rules.yaml")
    assert "sparklines of layout.columns.trend (L2:L5) are drawn by the command line" in message


# --- LibreOffice draws them ------------------------------------------------------------------------


def _render(book: Path, folder: Path, mode: str = "L"):
    from PIL import Image, ImageChops

    from test_libreoffice import convert, need

    folder.mkdir()
    pdf = convert(book, "pdf", folder)
    pdftoppm = need(shutil.which("pdftoppm"), "pdftoppm")
    import subprocess

    subprocess.run([pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(folder / "page")], check=True)
    (png,) = folder.glob("page*.png")
    return Image.open(png).convert(mode), ImageChops


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["column", "line"])
def test_libreoffice_draws_the_sparklines(kind, tmp_path):
    case = Book(months=8, filled=8)
    plain, drawn = case.write(tmp_path / "plain.xlsx"), case.write(tmp_path / "drawn.xlsx")
    rules = case.rules()
    refresh(plain, rules.replace(", trend: 'TREND'", ""))  # the same refresh without sparklines
    refresh(drawn, rules + f"sparklines: {{type: {kind}, markers: [all]}}\n")
    without, chops = _render(plain, tmp_path / "without")
    with_, _ = _render(drawn, tmp_path / "with")
    assert without.size == with_.size
    box = chops.difference(without, with_).getbbox()
    assert box is not None  # something is drawn, and only in one band of the page: the trend column
    left, top, right, bottom = box
    assert right - left < with_.size[0] / 4
    dark = with_.crop(box).point(lambda value: 255 if value < 160 else 0).histogram()[255]
    assert dark > (40 if kind == "column" else 4)


@pytest.mark.parametrize("spelling", ["x-prefix", "whitespace", "single-quotes", "comments", "everything"])
def test_sheets_spelled_other_ways_get_the_same_sparklines(spelling, tmp_path):
    from spellings import SPELLINGS, respell

    case = Book(analyst=True, x14_formats=True)
    book = respell(case.write(tmp_path / "plain.xlsx"), tmp_path / "book.xlsx", SPELLINGS[spelling])
    before = sheet_xml(book)
    refresh(book, case.rules())
    once = sheet_xml(book)
    theirs, ours = groups(once)
    assert [sqref for _, sqref in lines(theirs)] == ["Z2", "Z3", "Z4", "Z5"]
    assert lines(ours) == [(f"'Scorecard'!F{row}:J{row}", f"L{row}") for row in case.rows()]
    analyst = re.search(rb"<x14:sparklineGroup\b.*?</x14:sparklineGroup\s*>", before, re.S).group(0)
    assert analyst in once  # the analyst's group keeps its bytes, however they are spelled
    refresh(book, case.rules())
    # the part after the cell table is the same (a prefixed styles part gets new style indexes on each
    # refresh, a matter of the RAG cells, not of the sparklines)
    twice = sheet_xml(book)
    assert twice[twice.rindex(b"sheetData") :] == once[once.rindex(b"sheetData") :]
