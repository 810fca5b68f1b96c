"""sparklines.axis: each KPI's sparkline drawn from its figures less its target (or floor), so that the
sparkline's axis line (zero) is the target line and the negative colour marks the periods below it.

The figures less the target are formulas on a hidden sheet, ScorecardTrend, that scorecard writes with
the values they compute. Workbooks are generated with XlsxWriter (figures as numbers or as fractions
formatted as percentages, targets in a cell or in the rules, blank periods, newest-first periods); the
expected formulas and values below are worked out by hand from the figures written.
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

from scorecard.core.rules import parse_rules
from scorecard.errors import RulesError, ScorecardError
from scorecard.usecases import refresh_file
from zipparts import rewrite

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {
    "x14": "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main",
    "xm": "http://schemas.microsoft.com/office/excel/2006/main",
    "m": MAIN,
}
MONTHS = ["Apr-18", "May-18", "Jun-18", "Jul-18", "Aug-18", "Sep-18", "Oct-18", "Nov-18"]


@dataclass
class Kpi:
    id: str
    polarity: str | None
    target: float | str | None  # as written in the Target cell (None: blank)
    floor: float | str | None
    figures: list[float | None]  # oldest first; None: a blank cell
    percent: bool = False  # figures (and numeric target/floor cells) written as fractions formatted 0.0%
    target_percent: bool | None = None  # the Target cell's format, when not as the figures'


@dataclass
class AxisBook:
    kpis: list[Kpi]
    sheet: str = "Scorecard"
    newest_first: bool = False
    hidden: tuple[int, ...] = ()  # sheet rows hidden

    @property
    def months(self) -> int:
        return max(len(k.figures) for k in self.kpis)

    def month_column(self, index: int) -> int:
        """1-based sheet column of month ``index`` (0 = oldest): F onwards, either way round."""
        return 6 + (self.months - 1 - index if self.newest_first else index)

    @property
    def trend_column(self) -> int:
        return 6 + self.months

    def write(self, path: Path) -> Path:
        book = xlsxwriter.Workbook(path, {"in_memory": True})
        ws = book.add_worksheet(self.sheet)
        percent, plain = book.add_format({"num_format": "0.0%"}), book.add_format({"num_format": "0.0"})
        ws.write_row(0, 0, ["Ref", "Indicator", "Polarity", "Target", "Floor"])
        for index in range(self.months):
            ws.write_string(0, self.month_column(index) - 1, MONTHS[index])
        ws.write_string(0, self.trend_column - 1, "Trend")
        for r, kpi in enumerate(self.kpis, start=1):
            ws.write_row(r, 0, [kpi.id, f"Indicator {kpi.id}"])
            if kpi.polarity:
                ws.write_string(r, 2, kpi.polarity)
            for column, value in ((3, kpi.target), (4, kpi.floor)):
                as_percent = (
                    kpi.target_percent
                    if column == 3 and kpi.target_percent is not None
                    else kpi.percent and isinstance(value, (int, float)) and value < 2
                )
                if isinstance(value, str):
                    ws.write_string(r, column, value)
                elif value is not None:
                    ws.write_number(r, column, value, percent if as_percent else plain)
            for index, figure in enumerate(kpi.figures):
                if figure is not None:
                    ws.write_number(r, self.month_column(index) - 1, figure, percent if kpi.percent else plain)
            if r + 1 in self.hidden:
                ws.set_row(r, None, None, {"hidden": True})
        ws.set_column(1, 1, 13)
        ws.set_column(self.trend_column - 1, self.trend_column - 1, 22)
        ws.set_default_row(28)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        book.close()
        return path

    def rules(self, sparklines: str = "{axis: target}", extra: str = "") -> str:
        return (
            f'version: 1\nlayout:\n  sheet: "{self.sheet}"\n  history: true\n  hidden_rows: skip\n'
            "  columns: {id: Ref, name: Indicator, polarity: Polarity, target: Target, floor: Floor, trend: Trend}\n"
            f"sparklines: {sparklines}\n" + extra
        )


def refresh(path: Path, rules: str, **kwargs):
    return refresh_file(path, parse_rules(rules, "rules.yaml"), **kwargs)


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def sheet_part(path: Path, sheet: str) -> str:
    """The part of a sheet, by its name, as the workbook lists it."""
    workbook = etree.fromstring(part(path, "xl/workbook.xml"))
    rels = etree.fromstring(part(path, "xl/_rels/workbook.xml.rels"))
    rid = next(s.get(f"{{{REL}}}id") for s in workbook.iter(f"{{{MAIN}}}sheet") if s.get("name") == sheet)
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    return "xl/" + target.lstrip("/").removeprefix("xl/")


def trend_cells(path: Path) -> dict[str, tuple[str | None, float | None]]:
    """Every cell of the ScorecardTrend sheet below its headers: reference -> (formula, cached value)."""
    root = etree.fromstring(part(path, sheet_part(path, "ScorecardTrend")))
    cells = {}
    for c in root.iter(f"{{{MAIN}}}c"):
        if int(re.sub(r"[A-Z]", "", c.get("r"))) < 3 or c.get("t") == "inlineStr":
            continue
        v = c.findtext(f"{{{MAIN}}}v")
        cells[c.get("r")] = (c.findtext(f"{{{MAIN}}}f"), float(v) if v is not None else None)
    return cells


def groups(path: Path) -> list[etree._Element]:
    """The sparkline groups of the scorecard sheet (the first)."""
    first = next(etree.fromstring(part(path, "xl/workbook.xml")).iter(f"{{{MAIN}}}sheet")).get("name")
    return etree.fromstring(part(path, sheet_part(path, first))).findall(".//x14:sparklineGroup", NS)


def lines(group: etree._Element) -> list[tuple[str, str]]:
    return [
        (s.findtext("xm:f", namespaces=NS), s.findtext("xm:sqref", namespaces=NS))
        for s in group.iterfind(".//x14:sparkline", NS)
    ]


def state_of(path: Path, sheet: str) -> str | None:
    workbook = etree.fromstring(part(path, "xl/workbook.xml"))
    return next(s.get("state") for s in workbook.iter(f"{{{MAIN}}}sheet") if s.get("name") == sheet)


# --- the trend sheet's formulas and values, worked out by hand ------------------------------------------


def test_targets_in_cells_figures_to_one_decimal(tmp_path):
    """Higher and lower is better, the targets in the Target column: each period less the cell $D, the
    figure rounded as shown (0.0: one decimal); a blank period is a blank cell."""
    book = AxisBook(
        [
            Kpi("A1", "High", 60, 50, [55.5, 57.25, None, 61.04, 62]),
            Kpi("B2", "Low", 10, 15, [14, 9.96, 10.04, 9, 12.5]),
        ]
    ).write(tmp_path / "book.xlsx")
    result = refresh(book, AxisBook([]).rules())
    assert not [w for w in result.table.warnings if "sparkline" in w or "target" in w]
    cells = trend_cells(book)
    assert cells == {
        "B3": (None, 2),
        "C3": ("'Scorecard'!$D2", 60),
        "D3": ("ROUND('Scorecard'!F2,1)-$C3", -4.5),
        "E3": ("ROUND('Scorecard'!G2,1)-$C3", pytest.approx(-2.7)),
        "G3": ("ROUND('Scorecard'!I2,1)-$C3", pytest.approx(1.0)),
        "H3": ("ROUND('Scorecard'!J2,1)-$C3", 2),
        "B4": (None, 3),
        "C4": ("'Scorecard'!$D3", 10),
        "D4": ("ROUND('Scorecard'!F3,1)-$C4", 4),
        "E4": ("ROUND('Scorecard'!G3,1)-$C4", 0),  # 9.96 shows 10.0: on target
        "F4": ("ROUND('Scorecard'!H3,1)-$C4", 0),
        "G4": ("ROUND('Scorecard'!I3,1)-$C4", -1),
        "H4": ("ROUND('Scorecard'!J3,1)-$C4", 2.5),
    }
    higher, lower = groups(book)
    assert lines(higher) == [("'ScorecardTrend'!D3:H3", "K2")] and lines(lower) == [("'ScorecardTrend'!D4:H4", "K3")]
    for group in (higher, lower):
        assert group.get("displayXAxis") == "1" and group.get("negative") == "1" and group.get("last") == "1"
        assert (
            group.get("minAxisType") is None and group.get("maxAxisType") is None
        )  # both cross the line: Excel's own scale
    # below the target is worse for higher is better (red), better for lower is better (green)
    assert higher.find("x14:colorNegative", NS).get("rgb") == "FFC00000"
    assert lower.find("x14:colorNegative", NS).get("rgb") == "FF00B050"
    assert state_of(book, "ScorecardTrend") == "hidden"


def test_percentages_stored_as_fractions_and_targets_in_the_rules(tmp_path):
    """Figures are fractions formatted 0.0% (84.6% is 0.846): the target the rules give as 85 is 0.85 in the
    cells' units, and a figure is rounded to three places (a tenth of a percent). A target typed as 85 in a
    plain cell beside fraction figures is divided by 100 in the formula."""
    kpis = [
        Kpi("P1", "Higher", 0.9, 0.8, [0.846, 0.8504, 0.871], percent=True),  # target from the rules: 85
        Kpi("P2", "Lower", 12, 20, [0.1, 0.125, 0.0996], percent=True),  # target 12 (plain) beside fractions
        Kpi("P3", "Higher", "85%", 0.8, [0.9, 0.8], percent=True),  # a target typed as text
        Kpi("N4", "Lower", 0.12, 20, [12.5, 11.04], target_percent=True),
    ]  # 12% (0.12) beside figures 12.5
    book = AxisBook(kpis).write(tmp_path / "book.xlsx")
    refresh(book, AxisBook([]).rules(extra="kpis:\n  - id: P1\n    target: 85\n"))
    cells = trend_cells(book)
    assert cells["C3"] == (None, 0.85)  # from the rules: a figure, not a reference
    assert cells["D3"] == ("ROUND('Scorecard'!F2,3)-$C3", pytest.approx(-0.004, abs=1e-12))
    assert cells["E3"] == ("ROUND('Scorecard'!G2,3)-$C3", 0)  # 85.04% shows as 85.0%: on the target line
    assert cells["F3"] == ("ROUND('Scorecard'!H2,3)-$C3", pytest.approx(0.021, abs=1e-12))
    assert cells["C4"] == ("'Scorecard'!$D3/100", 0.12)
    assert cells["D4"][1] == pytest.approx(-0.02, abs=1e-12) and cells["E4"][1] == pytest.approx(0.005, abs=1e-12)
    assert cells["F4"] == ("ROUND('Scorecard'!H3,3)-$C4", pytest.approx(-0.02, abs=1e-12))  # 0.0996 shows 10.0%
    assert cells["C5"] == (None, 0.85)  # "85%" copied as the figure in the cells' units
    assert cells["D5"] == ("ROUND('Scorecard'!F4,3)-$C5", pytest.approx(0.05, abs=1e-12))
    assert cells["E5"] == ("ROUND('Scorecard'!G4,3)-$C5", pytest.approx(-0.05, abs=1e-12))
    assert cells["C6"] == ("'Scorecard'!$D5*100", 12)
    assert cells["D6"] == ("ROUND('Scorecard'!F5,1)-$C6", pytest.approx(0.5)) and cells["E6"] == (
        "ROUND('Scorecard'!G5,1)-$C6",
        -1,
    )
    assert b'fullCalcOnLoad="1"' in part(book, "xl/workbook.xml")  # Excel recalculates the formulas on opening


def test_compare_exact_subtracts_the_figure_as_it_is(tmp_path):
    book = AxisBook([Kpi("X", "High", 60, 50, [59.96, 60.04])]).write(tmp_path / "book.xlsx")
    refresh(book, AxisBook([]).rules(extra="defaults: {compare: exact}\n"))
    cells = trend_cells(book)
    assert cells["D3"] == ("'Scorecard'!F2-$C3", pytest.approx(-0.04, abs=1e-12))
    assert cells["E3"] == ("'Scorecard'!G2-$C3", pytest.approx(0.04, abs=1e-12))


@pytest.mark.parametrize("newest_first", [False, True])
def test_a_quoted_sheet_name_and_newest_first_periods(newest_first, tmp_path):
    """The trend sheet's columns are the scorecard's, in the same order: newest first stays right to left."""
    case = AxisBook([Kpi("K'1", "Target", 50, 45, [48, 50, 53, 51])], sheet="Council's KPIs", newest_first=newest_first)
    book = case.write(tmp_path / "book.xlsx")
    refresh(book, case.rules())
    cells = trend_cells(book)
    # oldest first the months are F:I; newest first, I holds the oldest (48) and F the newest (51)
    figures = {"F": 48, "G": 50, "H": 53, "I": 51} if not newest_first else {"F": 51, "G": 53, "H": 50, "I": 48}
    assert cells["C3"] == ("'Council''s KPIs'!$D2", 50)
    for helper, column in zip("DEFG", "FGHI", strict=True):
        assert cells[f"{helper}3"] == (f"ROUND('Council''s KPIs'!{column}2,1)-$C3", figures[column] - 50)
    (group,) = groups(book)
    assert lines(group) == [("'ScorecardTrend'!D3:G3", "J2")]
    assert (group.get("rightToLeft") == "1") is newest_first
    assert group.find("x14:colorNegative", NS).get("rgb") == "FFED7D31"  # close to target: either side is a miss


def test_kpis_without_the_line_keep_plain_sparklines_and_are_named(tmp_path):
    """No target: its own figures, and a warning naming its cell; a close-to-target KPI under axis: floor
    likewise; an activity indicator (no target, no floor) is noted, not warned of."""
    case = AxisBook(
        [
            Kpi("T1", "High", 60, 50, [55, 62, 64]),
            Kpi("N1", "High", None, 50, [55, 62, 64]),
            Kpi("C1", "Target", 50, 45, [48, 50, 53]),
            Kpi("V1", None, None, None, [3, 4, 5]),
        ]
    )
    book = case.write(tmp_path / "book.xlsx")
    result = refresh(book, case.rules("{axis: target}"))
    (warning,) = [w for w in result.table.warnings if w.code == "SC808"]
    assert (warning.where.cell, "rules line 7" in warning.message) == ("I3", True) and "'N1'" in warning.message
    assert any(f.code == "SC810" and "KPI 'V1'" in f.message for f in result.table.notes)
    found = {sqref: source for g in groups(book) for source, sqref in lines(g)}
    assert found == {
        "I2": "'ScorecardTrend'!D3:F3",
        "I3": "'Scorecard'!F3:H3",
        "I4": "'ScorecardTrend'!D4:F4",
        "I5": "'Scorecard'!F5:H5",
    }
    plain = [g for g in groups(book) if lines(g)[0][0].startswith("'Scorecard'!")]
    assert len(plain) == 1 and plain[0].get("displayXAxis") is None
    result = refresh(book, case.rules("{axis: floor}"))
    warned = [w for w in result.table.warnings if w.code == "SC808"]
    assert len(warned) == 1 and "KPI 'C1' is close-to-target" in warned[0].message and warned[0].where.cell == "I4"
    assert trend_cells(book)["C3"] == ("'Scorecard'!$E2", 50) and trend_cells(book)["C4"] == ("'Scorecard'!$E3", 50)
    with pytest.raises(ScorecardError, match="strict"):
        refresh(book, case.rules("{axis: floor}"), strict=True)


def test_a_hidden_kpi_row_gets_no_trend_row(tmp_path):
    case = AxisBook(
        [Kpi("A", "High", 60, 50, [55, 62]), Kpi("B", "High", 60, 50, [70, 40]), Kpi("C", "Low", 5, 9, [4, 6])],
        hidden=(3,),
    )
    book = case.write(tmp_path / "book.xlsx")
    refresh(book, case.rules())
    cells = trend_cells(book)
    assert cells["B3"] == (None, 2) and cells["B4"] == (None, 4) and "B5" not in cells
    assert cells["D4"] == ("ROUND('Scorecard'!F4,1)-$C4", -1)
    assert sorted(sqref for g in groups(book) for _, sqref in lines(g)) == ["H2", "H4"]


# --- the vertical scale reaches the line ---------------------------------------------------------------


def test_the_scale_reaches_the_target_line_from_the_figures_side(tmp_path):
    """Excel draws a sparkline's axis only where zero is within its scale: figures all above the target get
    a minimum a tenth of their span below it, all below a maximum above it; figures crossing it need neither."""
    case = AxisBook(
        [
            Kpi("UP", "High", 60, 50, [61, 64, 80]),  # 1, 4, 20 above: minimum -2
            Kpi("DN", "High", 60, 50, [52, 45, 57]),  # 8, 15, 3 below: maximum 1.5
            Kpi("X", "High", 60, 50, [55, 62, 64]),
        ]
    )  # crosses
    book = case.write(tmp_path / "book.xlsx")
    refresh(book, case.rules())
    by_cell = {lines(g)[0][1]: g for g in groups(book)}
    assert set(by_cell) == {"I2", "I3", "I4"}
    up, down, crossing = by_cell["I2"], by_cell["I3"], by_cell["I4"]
    assert (up.get("minAxisType"), up.get("manualMin"), up.get("maxAxisType")) == ("custom", "-2", None)
    assert (down.get("maxAxisType"), down.get("manualMax"), down.get("minAxisType")) == ("custom", "1.5", None)
    assert crossing.get("minAxisType") is None and crossing.get("maxAxisType") is None
    refresh(book, case.rules("{axis: target, scale: own}"))  # Excel's own scale: the line shows where they cross
    assert all(g.get("minAxisType") is None and g.get("maxAxisType") is None for g in groups(book))
    assert len(groups(book)) == 1  # the same colours and scale: one group


# --- refresh again, refusals, the analyst's groups ---------------------------------------------------------


def test_refreshing_twice_writes_the_same_bytes_and_keeps_the_analysts_group(tmp_path):
    from test_sparklines import Book

    case = Book(analyst=True, x14_formats=True, months=6, filled=5)
    book = case.write(tmp_path / "book.xlsx")
    before = part(book, "xl/worksheets/sheet1.xml")
    theirs = re.search(
        rb"<x14:sparklineGroup\b(?:(?!</x14:sparklineGroup>).)*</x14:sparklineGroup>", before, re.S
    ).group(0)
    rules = case.rules("sparklines: {axis: target}\n")
    refresh(book, rules)
    once = book.read_bytes()
    sheet = part(book, "xl/worksheets/sheet1.xml")
    assert theirs in sheet and sheet.index(theirs) < sheet.index(b"ScorecardTrend")
    refresh(book, rules)
    assert book.read_bytes() == once
    with zipfile.ZipFile(book) as archive:
        assert sum(1 for n in archive.namelist() if n.startswith("xl/worksheets/sheet")) == 3  # no second trend sheet


def test_a_trend_sheet_the_analyst_made_is_refused(tmp_path):
    path = tmp_path / "book.xlsx"
    case = AxisBook([Kpi("A", "High", 60, 50, [55, 62])])
    case.write(path)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.create_sheet("scorecardtrend")["A1"] = "my working"  # Excel's sheet names match ignoring case
    wb.save(path)
    before = path.read_bytes()
    with pytest.raises(ScorecardError, match="already has a sheet named 'ScorecardTrend' that scorecard did not write"):
        refresh(path, case.rules())
    assert path.read_bytes() == before


def test_switching_the_axis_off_names_the_sheet_left_behind(tmp_path):
    case = AxisBook([Kpi("A", "High", 60, 50, [55, 62])])
    book = case.write(tmp_path / "book.xlsx")
    refresh(book, case.rules())
    result = refresh(book, case.rules("{type: line}"))
    (warning,) = [w for w in result.table.warnings if w.code == "SC807"]
    assert warning.where.sheet == "ScorecardTrend"
    assert lines(groups(book)[0]) == [("'Scorecard'!F2:G2", "H2")]
    assert groups(book)[0].get("displayXAxis") is None


def test_an_edited_trend_sheet_is_written_again(tmp_path):
    """The sheet is scorecard's: what the analyst types into it is replaced on the next refresh."""
    case = AxisBook([Kpi("A", "High", 60, 50, [55, 62])])
    book = case.write(tmp_path / "book.xlsx")
    refresh(book, case.rules())
    from openpyxl import load_workbook

    wb = load_workbook(book)
    wb["ScorecardTrend"]["D3"] = 99
    wb.save(book)
    refresh(book, case.rules())
    assert trend_cells(book)["D3"] == ("ROUND('Scorecard'!F2,1)-$C3", -5)


@pytest.mark.parametrize(
    ("sparklines", "message"),
    [
        ("{axis: goal}", "sparklines.axis: 'goal' is not one of target, floor"),
        ("{axis: [target]}", "sparklines.axis"),
    ],
)
def test_a_bad_axis_names_the_line(sparklines, message):
    rules = AxisBook([]).rules(sparklines)
    with pytest.raises(RulesError) as caught:
        parse_rules(rules, "rules.yaml")
    assert message in str(caught.value) and caught.value.line == 7


def test_markers_default_to_last_and_negative_with_an_axis():
    rules = parse_rules(AxisBook([]).rules("{axis: floor}"), "rules.yaml")
    assert rules.sparkline_axis == "floor" and rules.sparkline_markers == ("last", "negative")
    assert parse_rules(AxisBook([]).rules("{axis: target, markers: [high]}"), "rules.yaml").sparkline_markers == (
        "high",
    )
    assert parse_rules(AxisBook([]).rules("{type: line}"), "rules.yaml").sparkline_markers == ("last",)


# --- other readers ------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_openpyxl_reads_the_trend_sheet_and_openxml_audit_finds_nothing_new(tmp_path):
    from openpyxl import load_workbook

    from test_openxml import findings

    case = AxisBook(
        [Kpi("A", "High", 0.6, 0.5, [0.55, None, 0.62], percent=True), Kpi("B", "Low", 10, 15, [14, 9, 12])],
        sheet="Q&A <draft>",
    )
    book = case.write(tmp_path / "book.xlsx")
    before = findings(book)
    refresh(book, case.rules("{axis: target, type: column, markers: [first, last, high, low, negative]}"))
    assert not findings(book) - before
    values = load_workbook(book, data_only=True)["ScorecardTrend"]
    formulas = load_workbook(book)["ScorecardTrend"]
    assert (
        values["D3"].value == pytest.approx(-0.05)
        and values["E3"].value is None
        and values["F3"].value == pytest.approx(0.02)
    )
    assert formulas["D3"].value == "=ROUND('Q&A <draft>'!F2,3)-$C3" and formulas["C4"].value == "='Q&A <draft>'!$D3"
    assert formulas.sheet_state == "hidden"


def test_the_ribbon_says_the_trend_sheet_is_written_by_the_command_line(tmp_path):
    from remote import run_macro
    from scorecard.excel import ribbon

    case = AxisBook([Kpi("A", "High", 60, 50, [55, 62])])
    book = case.write(tmp_path / "book.xlsx")
    (tmp_path / "rules.yaml").write_text(case.rules())
    message, _ = run_macro(book, ribbon.check, rules=tmp_path / "rules.yaml")
    assert "sparklines of layout.columns.trend (H2:H2) are drawn by the command line" in message
    assert "hidden sheet ScorecardTrend" in message


# --- LibreOffice draws them ------------------------------------------------------------------------------


@pytest.mark.slow
def test_libreoffice_draws_columns_from_the_target_line(tmp_path):
    """Column sparklines measured from the target: LibreOffice draws the periods below it in the negative
    colours (red for higher is better, green for lower is better), and the plain sparklines of the same
    figures, all above zero, have none."""
    from test_sparklines import _render

    case = AxisBook(
        [
            Kpi("H", "High", 60, 50, [55, 57, 59, 61, 62, 60, 64, 63]),
            Kpi("L", "Low", 10, 15, [14, 12, 13, 9, 8, 11, 10, 9]),
            Kpi("U", "High", 60, 50, [61, 64, 66, 70, 75, 72, 78, 80]),
        ]
    )
    plain, drawn = case.write(tmp_path / "plain.xlsx"), case.write(tmp_path / "drawn.xlsx")
    refresh(plain, case.rules("{type: column, markers: [negative]}"))
    refresh(drawn, case.rules("{type: column, axis: target}"))
    shutil.copyfile(drawn, tmp_path / "kept.xlsx")
    without, _ = _render(plain, tmp_path / "without")
    with_, _ = _render(drawn, tmp_path / "with", mode="RGB")

    def count(image, rgb) -> int:
        pixels = image.get_flattened_data() if hasattr(image, "get_flattened_data") else image.getdata()
        return sum(1 for pixel in pixels if all(abs(a - b) < 40 for a, b in zip(pixel, rgb, strict=False)))

    assert count(with_, (0xC0, 0x00, 0x00)) > 20 and count(with_, (0x00, 0xB0, 0x50)) > 20
    assert count(without.convert("RGB"), (0xC0, 0x00, 0x00)) == 0


@pytest.mark.slow
def test_a_trend_sheet_saved_by_libreoffice_is_still_recognised(tmp_path):
    """LibreOffice (as Excel) moves a saved sheet's texts to the shared strings: the provenance line is found
    there, so the next refresh replaces the sheet rather than refusing it as the analyst's."""
    from test_libreoffice import convert

    case = AxisBook([Kpi("A", "High", 60, 50, [55, 62, 64]), Kpi("B", "Low", 10, 15, [14, 9, 12])])
    book = case.write(tmp_path / "book.xlsx")
    refresh(book, case.rules())
    (tmp_path / "lo").mkdir()
    saved = convert(book, "xlsx", tmp_path / "lo")
    trend = part(saved, sheet_part(saved, "ScorecardTrend"))
    assert b"Generated by scorecard" not in trend and b't="s"' in trend  # the note is a shared string now
    result = refresh(saved, case.rules())
    assert not [w for w in result.table.warnings if "ScorecardTrend" in w]
    cells = trend_cells(saved)
    assert cells["D3"] == ("ROUND('Scorecard'!F2,1)-$C3", -5) and cells["F4"] == ("ROUND('Scorecard'!H3,1)-$C4", 2)
    assert state_of(saved, "ScorecardTrend") == "hidden"


def _with_calc_chain(path: Path, cells: list[str]) -> None:
    """Add the calculation chain Excel saves (xl/calcChain.xml, its relationship and content type), listing
    the given cells of the third sheet (the trend sheet), as Excel lists the formula cells it calculated."""
    chain = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns="{MAIN}">'
        + "".join(f'<c r="{cell}" i="3"/>' for cell in cells)
        + "</calcChain>"
    ).encode()
    relationship = (
        b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>'
    )
    override = (
        b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.'
        b'openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>'
    )
    changes = {
        "xl/_rels/workbook.xml.rels": lambda data: data.replace(b"</Relationships>", relationship),
        "[Content_Types].xml": lambda data: data.replace(b"</Types>", override),
        "xl/calcChain.xml": chain,
    }
    path.write_bytes(rewrite(path, changes))


def test_a_formula_cell_gone_from_the_trend_sheet_drops_the_calculation_chain(tmp_path):
    """Excel lists the trend sheet's formula cells in its calculation chain when it saves; a chain naming a
    cell that holds no formula any more is a fault Excel repairs, so when a refresh leaves a formula cell
    out (a figure cleared), the chain is left out for Excel to rebuild. Otherwise it keeps its bytes."""
    from openpyxl import load_workbook

    from test_openxml import findings

    case = AxisBook([Kpi("A", "High", 60, 50, [55, 62, 64]), Kpi("B", "Low", 10, 15, [14, 9, 12])])
    book = case.write(tmp_path / "book.xlsx")
    refresh(book, case.rules())
    chain = ["C3", "D3", "E3", "F3", "C4", "D4", "E4", "F4"]
    _with_calc_chain(book, chain)
    refresh(book, case.rules())  # nothing changed: the chain stays
    assert part(book, "xl/calcChain.xml").count(b"<c ") == 8
    wb = load_workbook(book)  # the analyst clears B's oldest figure (openpyxl drops the chain: put it back)
    wb["Scorecard"]["F3"] = None
    wb.save(book)
    _with_calc_chain(book, chain)
    before = findings(book)
    refresh(book, case.rules())
    assert "D4" not in trend_cells(book) and trend_cells(book)["E4"] == ("ROUND('Scorecard'!G3,1)-$C4", -1)
    with zipfile.ZipFile(book) as archive:
        assert "xl/calcChain.xml" not in archive.namelist()
        assert b"calcChain" not in archive.read("xl/_rels/workbook.xml.rels")
        assert b"calcChain" not in archive.read("[Content_Types].xml")
    assert not findings(book) - before


def test_without_an_axis_no_trend_sheet_is_written(tmp_path):
    case = AxisBook([Kpi("A", "High", 60, 50, [55, 62])])
    book = case.write(tmp_path / "book.xlsx")
    refresh(book, case.rules("{type: column}"))
    assert b"ScorecardTrend" not in part(book, "xl/workbook.xml")
    assert groups(book)[0].get("displayXAxis") is None and lines(groups(book)[0]) == [("'Scorecard'!F2:G2", "H2")]


def test_a_narrative_sheet_named_like_the_trend_sheet_is_refused(tmp_path):
    case = AxisBook([Kpi("A", "High", 60, 50, [55, 62])])
    book = case.write(tmp_path / "book.xlsx")
    before = book.read_bytes()
    with pytest.raises(ScorecardError, match="'ScorecardTrend', which is the narrative sheet"):
        refresh(book, case.rules(extra="narrative: {sheet: scorecardtrend}\n"))
    assert book.read_bytes() == before
