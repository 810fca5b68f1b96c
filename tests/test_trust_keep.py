"""The analyst's work is never lost or left stale.

Generated workbooks (XlsxWriter, then saved-as-Excel-saves-them edits where XlsxWriter differs) go
through the command line as a user runs it:
- conditional formatting anywhere, the RAG column included, comes back byte for byte; a rule that
  fills RAG cells (and so hides scorecard's colours) is a warning naming its range, refused by --strict;
- a workbook holding formulas is marked for full recalculation on load (calcPr fullCalcOnLoad);
- a RAG formula whose result disagrees with the rules' rating is a warning naming the cell and both values;
- a RAG or direction header the rules name but the sheet lacks is an error with "did you mean";
- a read-only workbook is refused, untouched.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from openxml_audit import FileFormat, OpenXmlValidator

from clirun import run_cli
from scorecard.core.checks import formula_rag_findings
from scorecard.core.engine import evaluate
from scorecard.core.model import Period
from scorecard.core.reading import Grid, read_table
from scorecard.core.rules import parse_rules
from zipparts import rewrite

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

HEADERS = ["Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18", "RAG", "DOT"]
# higher is better, target 80, floor 70: worked out by hand, Jun-18 rates Green, Amber, Red, Green, Amber
KPIS = [
    ("K1", "Placements stable", "H", 80, 70, 78, 85),
    ("K2", "Visits on time", "H", 80, 70, 81, 75),
    ("K3", "Reviews on time", "H", 80, 70, 72, 60),
    ("K4", "Health checks", "H", 80, 70, 90, 90),
    ("K5", "Dental checks", "H", 80, 70, 65, 72),
]
RATINGS = ["Green", "Amber", "Red", "Green", "Amber"]
RULES = """\
version: 1
layout:
  sheet: Scorecard
  columns: {{id: Ref, name: Indicator, polarity: Polarity, target: Target, floor: Floor,
            previous: May-18, current: Jun-18, rag: {rag}, direction: DOT}}
{extra}"""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def cf_blocks(xml: bytes) -> list[bytes]:
    return re.findall(rb"<conditionalFormatting\b.*?</conditionalFormatting>", xml, re.S)


def excel_calc(path: Path, calc: bytes | None) -> None:
    """Replace XlsxWriter's calcPr (which always asks for a full recalculation) with what Excel saves."""

    def excels(data: bytes) -> bytes:
        edited = re.sub(rb"<calcPr [^>]*/>", calc or b"", data)
        assert edited != data
        return edited

    path.write_bytes(rewrite(path, {"xl/workbook.xml": excels}))


def build(
    path: Path,
    *,
    header_row: int = 1,
    headers=HEADERS,
    rag: dict | None = None,
    cf=(),
    summary=False,
    total_formula=False,
    calc: bytes | None = b'<calcPr calcId="191029"/>',
) -> Path:
    """A scorecard: headers in ``header_row``, KPIs below; ``rag`` maps a KPI index to a RAG cell (text, or
    (formula, cached result)); ``cf`` lists (range letters, XlsxWriter options) with rows filled in."""
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    ws = book.add_worksheet("Scorecard")
    first = header_row  # 0-based row of the first KPI
    ws.write_row(header_row - 1, 0, headers)
    col = {h: i for i, h in enumerate(headers)}
    for i, (ref, name, pol, target, floor, may, jun) in enumerate(KPIS):
        r = first + i
        for key, value in zip(HEADERS[:7], (ref, name, pol, target, floor, may, jun), strict=True):
            if key in col:
                ws.write(r, col[key], value)
        if rag and i in rag and "RAG" in col:
            cell = rag[i]
            if isinstance(cell, tuple):
                ws.write_formula(r, col["RAG"], cell[0].format(row=r + 1), None, cell[1])
            else:
                ws.write_string(r, col["RAG"], cell)
    if total_formula:
        ws.write_formula(first + len(KPIS), 6, f"=AVERAGE(G{first + 1}:G{first + len(KPIS)})", None, 76.4)
    for letters, options in cf:
        options = dict(options)
        if "format" in options:
            options["format"] = book.add_format(options["format"])
        ws.conditional_format(letters.format(first=first + 1, last=first + len(KPIS)), options)
    if summary:
        sheet = book.add_worksheet("Summary")
        for r, status in enumerate(("Green", "Amber", "Red")):
            sheet.write_string(r, 0, status)
            sheet.write_formula(r, 1, f'=COUNTIF(Scorecard!$H${first + 1}:$H${first + len(KPIS)},"{status}")', None, 0)
    book.close()
    if calc != b'<calcPr calcId="124519" fullCalcOnLoad="1"/>':
        excel_calc(path, calc)
    return path


def rules_file(folder: Path, rag: str = "RAG", extra: str = "") -> Path:
    path = folder / "rules.yaml"
    path.write_text(RULES.format(rag=rag, extra=extra))
    return path


# IF formula giving the true rating, written with a cached result chosen by the test
RATING_FORMULA = '=IF(G{row}>=D{row},"Green",IF(G{row}>=E{row},"Amber","Red"))'
RED_FILL = {"type": "cell", "criteria": "==", "value": '"Red"', "format": {"bg_color": "#FF0000"}}

# (name, conditional formats, the RAG range a warning must name or None)
FORMATS = [
    ("fill-on-rag-column", [("H{first}:H{last}", RED_FILL)], "H{first}:H{last}"),
    (
        "fill-on-more-of-the-column",
        [("H1:H50", {"type": "text", "criteria": "containing", "value": "Amber", "format": {"bg_color": "#FFC000"}})],
        "H1:H50",
    ),
    ("colour-scale-over-table", [("D{first}:H{last}", {"type": "3_color_scale"})], "D{first}:H{last}"),
    (
        "font-only-on-rag-column",
        [
            (
                "H{first}:H{last}",
                {"type": "cell", "criteria": "==", "value": '"Red"', "format": {"bold": True, "font_color": "#9C0006"}},
            )
        ],
        None,
    ),
    (
        "elsewhere",
        [
            ("G{first}:G{last}", {"type": "data_bar"}),
            (
                "B{first}:B{last}",
                {"type": "formula", "criteria": "=$G{first}<$E{first}", "format": {"bg_color": "#FFC7CE"}},
            ),
        ],
        None,
    ),
]


@pytest.mark.parametrize("formulas", [False, True], ids=["values", "rag-formulas"])
@pytest.mark.parametrize("header_row", [1, 3])
@pytest.mark.parametrize("name,formats,warned", FORMATS, ids=[f[0] for f in FORMATS])
def test_analyst_conditional_formatting_is_kept_byte_for_byte(tmp_path, name, formats, warned, header_row, formulas):
    rag = (
        {i: (RATING_FORMULA, RATINGS[i]) for i in range(len(KPIS))}
        if formulas
        else {i: "Old" for i in range(len(KPIS))}
    )
    book = build(tmp_path / "book.xlsx", header_row=header_row, cf=formats, rag=rag)
    before = cf_blocks(part(book, "xl/worksheets/sheet1.xml"))
    assert len(before) == len(formats)
    result = run_cli("refresh", book, "--rules", rules_file(tmp_path))
    assert result.returncode == 0, result.stderr
    after = cf_blocks(part(book, "xl/worksheets/sheet1.xml"))
    for block in before:
        assert block in after  # the analyst's XML, byte for byte
    ours = [b for b in after if b not in before]
    first, last = header_row + 1, header_row + len(KPIS)
    if formulas:  # the formula column gets our colours as conditional formatting, once
        assert len(ours) == 1 and ours[0].startswith(f'<conditionalFormatting sqref="H{first}:H{last}">'.encode())
        assert [w.decode() for w in re.findall(rb'<formula>"([^"<]+)"</formula>', ours[0])] == [
            "Green",
            "Amber",
            "Red",
            "No data",
            "Not rated",
        ]
    else:
        assert ours == []
    warnings = [line for line in result.stderr.splitlines() if "conditional formatting" in line]
    if warned:
        sqref = warned.format(first=first, last=last)
        assert warnings == [
            f"  warning SC805 sheet 'Scorecard', cells H{first}:H{last}: the conditional formatting on {sqref} fills "
            f"RAG cells (H{first}:H{last}); its colours show instead of the RAG colours scorecard gives them. It is "
            "kept: check it agrees with the rules, or remove it (Home > Conditional Formatting > Manage Rules)"
        ]
    else:
        assert warnings == []


def test_a_fill_hiding_the_rag_colours_is_refused_by_strict_before_writing(tmp_path):
    book = build(tmp_path / "book.xlsx", cf=[("H{first}:H{last}", RED_FILL)])
    untouched = digest(book)
    for command in (["refresh", book, "--strict"], ["check", book, "--strict"]):
        result = run_cli(*command, "--rules", rules_file(tmp_path))
        assert result.returncode == 1
        assert "the conditional formatting on H2:H6 fills RAG cells (H2:H6)" in result.stdout + result.stderr
    assert digest(book) == untouched


def test_a_fill_on_rows_outside_the_kpis_is_not_a_warning(tmp_path):
    book = build(
        tmp_path / "book.xlsx",
        cf=[("H10:H20", RED_FILL), ("A1:I1", {"type": "no_blanks", "format": {"bg_color": "#DDEBF7"}})],
    )
    result = run_cli("check", book, "--rules", rules_file(tmp_path), "--strict")
    assert result.returncode == 0, result.stdout


def test_refreshing_twice_gives_the_same_file_with_analyst_formats_and_rag_formulas(tmp_path):
    rag = {i: (RATING_FORMULA, RATINGS[i]) for i in range(len(KPIS))}
    book = build(
        tmp_path / "book.xlsx",
        cf=[("H{first}:H{last}", RED_FILL), ("G{first}:G{last}", {"type": "data_bar"})],
        rag=rag,
        summary=True,
    )
    rules = rules_file(tmp_path)
    source = tmp_path / "source.xlsx"
    source.write_bytes(book.read_bytes())
    assert run_cli("refresh", book, "--rules", rules).returncode == 0
    once = book.read_bytes()
    assert run_cli("refresh", book, "--rules", rules).returncode == 0
    assert book.read_bytes() == once
    assert len(cf_blocks(part(book, "xl/worksheets/sheet1.xml"))) == 3  # two of the analyst's, one of ours
    validator = OpenXmlValidator(file_format=FileFormat.MICROSOFT_365, max_errors=100)
    assert not {str(e) for e in validator.validate(book).errors} - {str(e) for e in validator.validate(source).errors}


def test_our_formatting_is_replaced_when_the_rules_colours_change(tmp_path):
    rag = {i: (RATING_FORMULA, RATINGS[i]) for i in range(len(KPIS))}
    book = build(tmp_path / "book.xlsx", cf=[("H{first}:H{last}", RED_FILL)], rag=rag)
    assert run_cli("refresh", book, "--rules", rules_file(tmp_path)).returncode == 0
    assert (
        run_cli(
            "refresh", book, "--rules", rules_file(tmp_path, extra="colours: {Green: 00B050, Red: C00000}\n")
        ).returncode
        == 0
    )
    blocks = cf_blocks(part(book, "xl/worksheets/sheet1.xml"))
    assert len(blocks) == 2
    styles = part(book, "xl/styles.xml")
    dxfs = re.findall(rb"<dxf>.*?</dxf>", re.search(rb"<dxfs[^>]*>(.*?)</dxfs>", styles, re.S).group(1), re.S)
    ours = blocks[1]
    green = int(re.search(rb'dxfId="(\d+)"[^>]*><formula>"Green"', ours).group(1))
    assert b'rgb="FF00B050"' in dxfs[green]


def test_our_formatting_goes_when_the_rag_formulas_go(tmp_path):
    rag = {i: (RATING_FORMULA, RATINGS[i]) for i in range(len(KPIS))}
    book = build(tmp_path / "book.xlsx", cf=[("H{first}:H{last}", RED_FILL)], rag=rag)
    assert run_cli("refresh", book, "--rules", rules_file(tmp_path)).returncode == 0
    assert len(cf_blocks(part(book, "xl/worksheets/sheet1.xml"))) == 2
    # the analyst replaces the formulas with plain values (simulated: a fresh book with our block copied in)
    plain = build(
        tmp_path / "plain.xlsx", cf=[("H{first}:H{last}", RED_FILL)], rag={i: "Old" for i in range(len(KPIS))}
    )
    ours = cf_blocks(part(book, "xl/worksheets/sheet1.xml"))[1]
    sheet = part(plain, "xl/worksheets/sheet1.xml")
    analyst = cf_blocks(sheet)[0]
    with zipfile.ZipFile(book) as source:
        styles = source.read("xl/styles.xml")
    plain.write_bytes(
        rewrite(plain, {"xl/worksheets/sheet1.xml": sheet.replace(analyst, analyst + ours), "xl/styles.xml": styles})
    )
    assert run_cli("refresh", plain, "--rules", rules_file(tmp_path)).returncode == 0
    assert cf_blocks(part(plain, "xl/worksheets/sheet1.xml")) == [analyst]


# --- recalculation on load -------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "where",
    ["summary-sheet", "total-row", "rag-formulas"],
)
@pytest.mark.parametrize(
    "calc",
    [b'<calcPr calcId="191029"/>', b'<calcPr calcId="191029" iterate="1" fullCalcOnLoad="0"/>', None],
    ids=["excel-calcpr", "calcpr-with-settings", "no-calcpr"],
)
def test_a_workbook_with_formulas_is_recalculated_when_opened(tmp_path, where, calc):
    rag = {i: (RATING_FORMULA, RATINGS[i]) for i in range(len(KPIS))} if where == "rag-formulas" else None
    book = build(
        tmp_path / "book.xlsx", summary=where == "summary-sheet", total_formula=where == "total-row", rag=rag, calc=calc
    )
    out = tmp_path / "out.xlsx"
    result = run_cli("refresh", book, "--rules", rules_file(tmp_path), "--output", out)
    assert result.returncode == 0, result.stderr
    workbook = part(out, "xl/workbook.xml").decode()
    [calc_pr] = re.findall(r"<calcPr\b[^>]*/>", workbook)
    if calc is None:
        assert calc_pr == '<calcPr fullCalcOnLoad="1"/>'
        assert workbook.index("</sheets>") < workbook.index("<calcPr")  # its place in CT_Workbook
    elif b"iterate" in calc:
        assert calc_pr == '<calcPr calcId="191029" iterate="1" fullCalcOnLoad="1"/>'
    else:
        assert calc_pr == '<calcPr calcId="191029" fullCalcOnLoad="1"/>'
    validator = OpenXmlValidator(file_format=FileFormat.MICROSOFT_365, max_errors=100)
    assert not {str(e) for e in validator.validate(out).errors} - {str(e) for e in validator.validate(book).errors}


def test_a_workbook_without_formulas_keeps_its_calculation_settings(tmp_path):
    book = build(tmp_path / "book.xlsx")
    out = tmp_path / "out.xlsx"
    assert run_cli("refresh", book, "--rules", rules_file(tmp_path), "--output", out).returncode == 0
    assert re.findall(rb"<calcPr\b[^>]*/>", part(out, "xl/workbook.xml")) == [b'<calcPr calcId="191029"/>']


# --- RAG formulas that disagree with the rules -----------------------------------------------------


def test_rag_formulas_disagreeing_with_the_rules_are_named(tmp_path):
    # K2 (Amber by the rules) shows Green; K3 (Red) shows "amber " in other case and spacing; K5 shows a number
    cached = {0: "Green", 1: "Green", 2: "amber ", 3: "Green", 4: "3"}
    rag = {i: (RATING_FORMULA, value) for i, value in cached.items()}
    book = build(tmp_path / "book.xlsx", header_row=2, rag=rag)
    untouched = digest(book)
    result = run_cli("check", book, "--rules", rules_file(tmp_path))
    lines = [line.strip() for line in result.stdout.splitlines() if "RAG formula" in line]
    assert lines == [
        "warning SC804 sheet 'Scorecard', cell H4: the RAG formula there shows 'Green' but the rules rate KPI 'K2' "
        "Amber; refresh keeps the formula, so correct it (or replace it with a value) so the column and the "
        "narrative agree",
        "warning SC804 sheet 'Scorecard', cell H5: the RAG formula there shows 'amber' but the rules rate KPI 'K3' "
        "Red; refresh keeps the formula, so correct it (or replace it with a value) so the column and the narrative "
        "agree",
    ]
    result = run_cli("refresh", book, "--rules", rules_file(tmp_path), "--strict")
    assert result.returncode == 1 and "cell H4: the RAG formula there shows 'Green'" in result.stderr
    assert digest(book) == untouched


def test_rag_formulas_agreeing_with_the_rules_and_text_cells_are_not_warned(tmp_path):
    rag = {i: (RATING_FORMULA, RATINGS[i]) for i in range(3)}
    rag.update({3: "Red", 4: "Red"})  # plain text that disagrees: refresh overwrites it, nothing to warn about
    book = build(tmp_path / "book.xlsx", rag=rag)
    result = run_cli("check", book, "--rules", rules_file(tmp_path), "--strict")
    assert result.returncode == 0, result.stdout


def test_sqref_ranges():
    from scorecard.core.a1 import sqref_ranges

    assert sqref_ranges("H2:H11 J5 A:B 3:4 $C$2:$D$3") == [
        (2, 8, 11, 8),
        (5, 10, 5, 10),
        (1, 1, 1_048_576, 2),
        (3, 1, 4, 16_384),
        (2, 3, 3, 4),
    ]


def test_the_core_check_on_plain_data():
    rules = parse_rules(RULES.format(rag="RAG", extra=""))
    values = [HEADERS] + [
        [*kpi, word, None] for kpi, word in zip(KPIS, ["Green", "Red", "Red", "No data", "Amber"], strict=True)
    ]
    grid = Grid(sheet="Scorecard", values=values, formulas=frozenset({(2, 8), (3, 8), (5, 8), (6, 1)}))
    table = read_table(grid, rules)
    card = evaluate(table.kpis, title="t", period=Period("June 2018", "May 2018"))
    warnings = formula_rag_findings(grid, card, 8, grid.formulas)
    assert [(w.code, w.where.cell) for w in warnings] == [("SC804", "H3"), ("SC804", "H5")]
    assert "shows 'Red' but the rules rate KPI 'K2' Amber" in warnings[0].message
    assert "shows 'No data' but the rules rate KPI 'K4' Green" in warnings[1].message


# --- columns the rules name that the sheet lacks -------------------------------------------------


@pytest.mark.parametrize(
    "header,rules_rag,expected",
    [
        (
            "RAG Staus",
            "RAG Status",
            "no column headed 'RAG Status' (layout.columns.rag) in the header row (did you mean "
            "'RAG Staus' in H{row}?); correct layout.columns.rag or the header",
        ),
        (
            "RAG",
            "RAG Status",
            "no column headed 'RAG Status' for the RAG ratings (layout.columns.rag) in the header row (is "
            "it 'RAG' in H{row}?); headers found: Ref, Indicator, Polarity, Target, Floor, May-18, Jun-18, "
            "RAG, DOT. Correct layout.columns.rag to the header of the column that holds them, or set "
            "layout.add_missing_columns: true to have refresh add a 'RAG Status' column after the last one",
        ),
        (
            "Rating now",
            "RAG",
            "no column headed 'RAG' for the RAG ratings (layout.columns.rag) in the header row (is it "
            "'Rating now' in H{row}?); headers found: "
            "Ref, Indicator, Polarity, Target, Floor, May-18, Jun-18, Rating now, DOT. Correct "
            "layout.columns.rag to the header of the column that holds them, or set "
            "layout.add_missing_columns: true to have refresh add a 'RAG' column after the last one",
        ),
        (
            "Colour",
            "RAG",
            "no column headed 'RAG' for the RAG ratings (layout.columns.rag) in the header row; headers found: "
            "Ref, Indicator, Polarity, Target, Floor, May-18, Jun-18, Colour, DOT. Correct "
            "layout.columns.rag to the header of the column that holds them, or set "
            "layout.add_missing_columns: true to have refresh add a 'RAG' column after the last one",
        ),
    ],
)
@pytest.mark.parametrize("header_row", [1, 4])
def test_a_named_column_missing_from_the_header_row_is_an_error(tmp_path, header, rules_rag, expected, header_row):
    headers = [header if h == "RAG" else h for h in HEADERS]
    book = build(
        tmp_path / "book.xlsx", header_row=header_row, headers=headers, rag={i: "Green" for i in range(len(KPIS))}
    )
    untouched = digest(book)
    result = run_cli("refresh", book, "--rules", rules_file(tmp_path, rag=rules_rag))
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == f"scorecard: error: book.xlsx, sheet 'Scorecard', row {header_row}: " + expected.format(row=header_row)
    )
    assert digest(book) == untouched


@pytest.mark.parametrize("header,named", [("Direction of travel", "Direction of trvel"), ("DoT", "D.O.T.")])
def test_a_mistyped_direction_header_is_an_error_with_did_you_mean(tmp_path, header, named):
    book = build(tmp_path / "book.xlsx", headers=[header if h == "DOT" else h for h in HEADERS])
    untouched = digest(book)
    rules = tmp_path / "r.yaml"
    rules.write_text(RULES.format(rag="RAG", extra="").replace("direction: DOT", f"direction: {named}"))
    result = run_cli("refresh", book, "--rules", rules)
    assert result.returncode == 1
    assert (
        f"no column headed '{named}' (layout.columns.direction) in the header row (did you mean '{header}' in I1?); "
        "correct layout.columns.direction or the header"
    ) in result.stderr
    assert digest(book) == untouched


def test_adding_a_named_column_is_possible_when_the_rules_ask(tmp_path):
    headers = [h for h in HEADERS if h != "RAG"]
    book = build(tmp_path / "book.xlsx", headers=headers)
    result = run_cli("refresh", book, "--rules", rules_file(tmp_path, rag="RAG rating", extra=""))
    assert result.returncode == 1 and "layout.add_missing_columns: true" in result.stderr
    rules = (
        rules_file(tmp_path, rag="RAG rating", extra="")
        .read_text()
        .replace("  sheet: Scorecard", "  sheet: Scorecard\n  add_missing_columns: true")
    )
    (tmp_path / "add.yaml").write_text(rules)
    result = run_cli("refresh", book, "--rules", tmp_path / "add.yaml")
    assert result.returncode == 0, result.stderr
    import openpyxl

    sheet = openpyxl.load_workbook(book)["Scorecard"]
    assert [sheet.cell(1, c).value for c in range(1, 10)] == [*headers, "RAG rating"]
    assert [sheet.cell(r, 9).value for r in range(2, 7)] == RATINGS
    # a typo is still refused when adding is allowed: the close header is surely the one meant
    (tmp_path / "typo.yaml").write_text(rules.replace("rag: RAG rating", "rag: RAG ratnig"))
    result = run_cli("refresh", book, "--rules", tmp_path / "typo.yaml")
    assert result.returncode == 1 and "(did you mean 'RAG rating' in I1?)" in result.stderr


@pytest.mark.parametrize(
    "header,looks", [("RAG status", "RAG status"), ("Current rating", "Current rating"), ("Status", "Status")]
)
def test_an_unnamed_rag_column_is_not_added_beside_one_that_looks_like_it(tmp_path, header, looks):
    headers = [header if h == "RAG" else h for h in HEADERS]
    book = build(tmp_path / "book.xlsx", headers=headers)
    rules = tmp_path / "r.yaml"
    rules.write_text(RULES.format(rag="RAG", extra="").replace(", rag: RAG", ""))
    result = run_cli("refresh", book, "--rules", rules)
    assert result.returncode == 1
    assert (
        "no column headed 'RAG' (the default when layout.columns.rag is not given) for the RAG ratings, but "
        f"'{looks}' in H1 looks like it: set layout.columns.rag: {looks}" in result.stderr
    )


def test_an_unnamed_rag_column_is_still_added_when_nothing_looks_like_it(tmp_path):
    book = build(tmp_path / "book.xlsx", headers=[h for h in HEADERS if h != "RAG"])
    rules = tmp_path / "r.yaml"
    rules.write_text(RULES.format(rag="RAG", extra="").replace(", rag: RAG", ""))
    check = run_cli("check", book, "--rules", rules)
    assert "note: no 'rag' column yet; refresh will add one after the last column" in check.stdout
    assert run_cli("refresh", book, "--rules", rules).returncode == 0


# --- read-only workbooks -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555])
def test_a_read_only_workbook_is_refused_untouched(tmp_path, mode):
    book = build(tmp_path / "book.xlsx")
    untouched = digest(book)
    os.chmod(book, mode)
    try:
        result = run_cli("refresh", book, "--rules", rules_file(tmp_path))
        assert result.returncode == 1
        assert result.stderr.startswith("scorecard: error: book.xlsx: is read-only, so it was not refreshed")
        assert digest(book) == untouched and stat.S_IMODE(book.stat().st_mode) == mode
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".~")] == []
        assert run_cli("check", book, "--rules", rules_file(tmp_path)).returncode == 0  # reading is fine
        out = tmp_path / "out.xlsx"  # a read-only source may be refreshed into another file
        result = run_cli("refresh", book, "--rules", rules_file(tmp_path), "--output", out)
        assert result.returncode == 0, result.stderr
        assert digest(book) == untouched and out.exists()
    finally:
        os.chmod(book, 0o644)


def test_a_read_only_output_file_is_refused(tmp_path):
    book = build(tmp_path / "book.xlsx")
    out = build(tmp_path / "out.xlsx", header_row=3)
    kept = digest(out)
    os.chmod(out, 0o444)
    try:
        result = run_cli("refresh", book, "--rules", rules_file(tmp_path), "--output", out)
        assert result.returncode == 1 and "out.xlsx: is read-only" in result.stderr
        assert digest(out) == kept
    finally:
        os.chmod(out, 0o644)


def test_among_many_workbooks_only_the_read_only_one_fails(tmp_path):
    books = [build(tmp_path / f"district{i}.xlsx") for i in range(3)]
    os.chmod(books[1], 0o444)
    try:
        result = run_cli("refresh", *books, "--rules", rules_file(tmp_path))
        assert result.returncode == 1
        assert (
            "district1.xlsx: is read-only" in result.stderr and "2 of 3 workbooks refreshed, 1 failed" in result.stderr
        )
    finally:
        os.chmod(books[1], 0o644)


# --- the ribbon's side (desktop Excel's calls, on fakes: the remote engine reads neither formulas nor rules) ---


class _Rule:
    def __init__(self, formula1, fill_color, type="cell_value", operator="equal", formula=None):
        self.type, self.operator, self.formula1, self.fill_color = type, operator, formula1, fill_color
        self.formula = formula

    def delete(self):
        raise AssertionError("a conditional format was deleted")


class _Formats(list):
    def add_cell_value(self, operator, formula1, *, fill_color):
        colour = fill_color.lstrip("#")
        self.append(_Rule(formula1, tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))))

    def clear(self):
        raise AssertionError("the column's conditional formats were cleared")


class _Range:
    def __init__(self, formats):
        self.conditional_formats = formats


def _plan(rows=()):
    from scorecard.core.plan import CellWrite, WritePlan

    colours = {"Green": "C6EFCE", "Amber": "FFEB9C", "Red": "FFC7CE", "No data": "D9D9D9", "Not rated": "FFFFFF"}
    rag = tuple(CellWrite(r, 8, "Green", "C6EFCE") for r in rows)
    return WritePlan(
        sheet="Scorecard",
        rag_column=8,
        direction_column=9,
        rag=rag,
        direction=(),
        headers=(),
        style_source=9,
        colours=colours,
        narrative_sheet="Narrative",
        narrative=(),
    )


@pytest.mark.parametrize(
    "rules,warned",
    [
        ([], None),
        (
            [_Rule('"Green"', (0xC6, 0xEF, 0xCE)), _Rule('"Red"', (0xFF, 0xC7, 0xCE))],
            None,
        ),  # ours, or agreeing with ours
        ([_Rule('"Red"', (0xFF, 0x00, 0x00))], 'cell_value "Red"'),
        (
            [
                _Rule(None, None, type="color_scale", operator=None),
                _Rule(None, (0, 0, 255), type="custom", operator=None, formula="=$G2<$E2"),
            ],
            "color_scale, custom =$G2<$E2",
        ),
        ([_Rule(None, None, type="data_bar", operator=None), _Rule('"Red"', None)], None),
    ],  # no fill: nothing hidden
)
def test_the_ribbon_warns_of_formats_that_fill_the_rag_cells(rules, warned):
    from scorecard.excel.conditional import hiding_formats

    class Sheet:
        name = "Scorecard"

        def range(self, first, last):
            assert (first, last) == ((3, 8), (9, 8))
            return _Range(_Formats(rules))

    warnings = hiding_formats(Sheet(), _plan(rows=(3, 4, 9)))
    if warned is None:
        assert warnings == []
    else:
        assert [str(w) for w in warnings] == [
            f"sheet 'Scorecard', cells H3:H9: the conditional formatting {warned} fills RAG cells (H3:H9); its "
            "colours show instead of the RAG colours scorecard gives them. It is kept: check it agrees with "
            "the rules, or remove it (Home > Conditional Formatting > Manage Rules)"
        ]


def test_the_ribbon_keeps_the_analysts_rules_and_adds_ours_once():
    from scorecard.excel.conditional import write_status_formats

    analyst = [_Rule('"Red"', (255, 0, 0)), _Rule(None, None, type="data_bar", operator=None)]
    formats = _Formats(analyst)
    write_status_formats(_Range(formats), _plan(), listable=True)
    assert formats[:2] == analyst and [(r.formula1, r.fill_color) for r in formats[2:]] == [
        ('"Green"', (0xC6, 0xEF, 0xCE)),
        ('"Amber"', (0xFF, 0xEB, 0x9C)),
        ('"Red"', (0xFF, 0xC7, 0xCE)),
        ('"No data"', (0xD9, 0xD9, 0xD9)),
        ('"Not rated"', (0xFF, 0xFF, 0xFF)),
    ]
    write_status_formats(_Range(formats), _plan(), listable=True)  # a second refresh: already there, nothing added
    assert len(formats) == 7


def test_an_engine_that_cannot_list_conditional_formats_gets_ours_added_unread():
    from scorecard.excel.conditional import write_status_formats

    class Unlistable(_Formats):
        def __iter__(self):
            raise AssertionError("listed on an engine that cannot list them")

    formats = Unlistable([_Rule('"Red"', (255, 0, 0))])
    write_status_formats(_Range(formats), _plan(), listable=False)
    assert [r.formula1 for r in list.__iter__(formats)] == [
        '"Red"',
        '"Green"',
        '"Amber"',
        '"Red"',
        '"No data"',
        '"Not rated"',
    ]


def test_the_ribbon_reads_the_rag_columns_formulas_for_the_core_check():
    from scorecard.excel.reader import rag_formulas

    class Sheet:
        def range(self, first, last):
            assert (first, last) == ((2, 8), (6, 8))
            return self

        def options(self, ndim):
            return self

        formula = [['=IF(G2>=D2,"Green","Red")'], ["Amber"], [""], ['=IF(G5>=D5,"Green","Red")'], [None]]

    values = [HEADERS] + [[*kpi, "Green", None] for kpi in KPIS]
    assert rag_formulas(Sheet(), Grid(sheet="Scorecard", values=values), 1, 8) == {(2, 8), (5, 8)}


def test_our_block_left_on_other_rows_by_an_earlier_refresh_is_replaced_not_kept(tmp_path):
    """KPI rows added since the last refresh: our old block covers fewer rows; it is still ours."""
    rag = {i: (RATING_FORMULA, RATINGS[i]) for i in range(len(KPIS))}
    book = build(tmp_path / "book.xlsx", cf=[("H{first}:H{last}", RED_FILL)], rag=rag)
    assert run_cli("refresh", book, "--rules", rules_file(tmp_path)).returncode == 0
    sheet = part(book, "xl/worksheets/sheet1.xml")
    analyst, ours = cf_blocks(sheet)
    book.write_bytes(
        rewrite(
            book, {"xl/worksheets/sheet1.xml": sheet.replace(ours, ours.replace(b'sqref="H2:H6"', b'sqref="H2:H4"'))}
        )
    )
    assert run_cli("refresh", book, "--rules", rules_file(tmp_path)).returncode == 0
    assert cf_blocks(part(book, "xl/worksheets/sheet1.xml")) == [analyst, ours]


def test_a_sheet_written_with_a_namespace_prefix_gets_our_block_in_that_prefix(tmp_path):
    """Some writers (and Excel for some parts) spell the main namespace with a prefix: x:c, x:row."""
    import openpyxl

    rag = {i: (RATING_FORMULA, RATINGS[i]) for i in range(len(KPIS))}
    book = build(tmp_path / "book.xlsx", cf=[("H{first}:H{last}", RED_FILL)], rag=rag)
    sheet = part(book, "xl/worksheets/sheet1.xml")
    prefixed = re.sub(rb"<(/?)([A-Za-z]\w*)([\s/>])", rb"<\1x:\2\3", sheet.split(b"?>", 1)[1])
    prefixed = (
        sheet.split(b"?>", 1)[0] + b"?>" + prefixed.replace(b'xmlns="' + MAIN.encode(), b'xmlns:x="' + MAIN.encode())
    )
    book.write_bytes(rewrite(book, {"xl/worksheets/sheet1.xml": prefixed}))
    [analyst] = re.findall(rb"<x:conditionalFormatting\b.*?</x:conditionalFormatting>", prefixed, re.S)
    assert run_cli("refresh", book, "--rules", rules_file(tmp_path)).returncode == 0
    after = part(book, "xl/worksheets/sheet1.xml")
    blocks = re.findall(rb"<x:conditionalFormatting\b.*?</x:conditionalFormatting>", after, re.S)
    assert (
        blocks[0] == analyst
        and len(blocks) == 2
        and blocks[1].startswith(b'<x:conditionalFormatting sqref="H2:H6"><x:cfRule ')
    )
    loaded = openpyxl.load_workbook(book)["Scorecard"]
    [(sqref, rules)] = [(str(r.sqref), r.rules) for r in loaded.conditional_formatting]  # openpyxl merges equal ranges
    assert sqref == "H2:H6" and [rule.formula[0] for rule in rules] == [
        '"Red"',
        '"Green"',
        '"Amber"',
        '"Red"',
        '"No data"',
        '"Not rated"',
    ]
    assert run_cli("refresh", book, "--rules", rules_file(tmp_path)).returncode == 0
    assert part(book, "xl/worksheets/sheet1.xml") == after


X14_CF = (
    b'<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" '
    b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:conditionalFormattings>'
    b'<x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    b'<x14:cfRule type="expression" priority="1" id="{00000000-0000-0000-0000-000000000001}">'
    b"<xm:f>H2=Lookup!$A$1</xm:f><x14:dxf>{dxf}</x14:dxf></x14:cfRule><xm:sqref>{sqref}</xm:sqref>"
    b"</x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>"
)


@pytest.mark.parametrize(
    "dxf,sqref,warned",
    [
        (b'<fill><patternFill><bgColor rgb="FFFF0000"/></patternFill></fill>', b"H2:H6", True),
        (b"<font><b/></font>", b"H2:H6", False),
        (b'<fill><patternFill><bgColor rgb="FFFF0000"/></patternFill></fill>', b"B2:B6", False),
    ],
)
def test_excel_2010_conditional_formatting_that_fills_rag_cells_is_a_warning_too(tmp_path, dxf, sqref, warned):
    """Rules referring to another sheet are saved by Excel in the x14 extension, their format inline."""
    book = build(tmp_path / "book.xlsx")
    sheet = part(book, "xl/worksheets/sheet1.xml")
    ext = X14_CF.replace(b"{dxf}", dxf).replace(b"{sqref}", sqref)
    book.write_bytes(rewrite(book, {"xl/worksheets/sheet1.xml": sheet.replace(b"</worksheet>", ext + b"</worksheet>")}))
    result = run_cli("refresh", book, "--rules", rules_file(tmp_path))
    assert result.returncode == 0, result.stderr
    assert ("the conditional formatting on H2:H6 fills RAG cells (H2:H6)" in result.stderr) is warned
    assert ext in part(book, "xl/worksheets/sheet1.xml")  # kept byte for byte


def test_a_month_header_is_never_offered_as_a_typo_of_dot():
    """'Oct' is as close to 'DOT' as a typo would be, but a month is never the direction column."""
    rules = parse_rules(
        RULES.format(rag="RAG", extra="")
        .replace("previous: May-18, current: Jun-18, ", "")
        .replace("sheet: Scorecard", "sheet: Scorecard\n  history: true"),
        "r.yaml",
    )  # bare month names under a year label
    rows = [
        ["Ref", "Indicator", "Polarity", "Target", "Floor", "Sep", "Oct", "RAG"],
        ["K1", "Visits", "H", 80, 70, 78, 85],
    ]
    with pytest.raises(Exception) as caught:
        read_table(Grid(sheet="Scorecard", values=rows), rules)
    assert "did you mean 'Oct'" not in str(caught.value) and "no column headed 'DOT'" in str(caught.value)
