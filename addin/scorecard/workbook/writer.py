"""Applying a WritePlan to a workbook file: the batch writer.

Only the parts a refresh must change are rewritten: the scorecard sheet (spliced, see
``sheetxml.SheetSplice``: the KPI rows' cells, ``conditional``'s formats, ``sparklines``), the Excel Table
widened over the columns a refresh adds, the styles, a Narrative sheet and the trend sheet, with the entries
that list them. Every other part is copied as it was read, and the file is replaced atomically
(``Package.save``).
"""

from __future__ import annotations

import gc
import string
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from itertools import groupby
from pathlib import Path

from lxml import etree

from ..core.a1 import cell_ref, parse_range, parse_reference, range_ref
from ..core.plan import (
    NARRATIVE_GAP,
    NARRATIVE_PAGES,
    NARRATIVE_WIDTHS,
    CellWrite,
    NarrativeCell,
    WritePlan,
    foreign_narrative,
    narrative_header,
    table_refusal,
    tables_to_widen,
    written_by_scorecard,
)
from ..core.reading import TableArea
from ..errors import WorkbookError
from .conditional import write_status_formats
from .newsheet import add_columns, add_page_margins, worksheet
from .ooxml import q, serialise
from .package import Package, Workbook, part_path, rels_name
from .sheetxml import SheetSplice
from .sparklines import trend_part, write_sparklines, write_trend_sheet
from .strings import cell_xml, sheet_texts
from .styles import Styles

# --- the scorecard sheet -------------------------------------------------------------------------


def _write_scorecard_sheet(package: Package, workbook: Workbook, styles: Styles, plan: WritePlan) -> None:
    part = workbook.sheet_part(plan.sheet)
    if part is None:
        raise WorkbookError(f"no sheet named '{plan.sheet}' in the package", file=package.path)
    try:
        _extend_tables(package, part, plan)
    except WorkbookError as error:
        raise _refused(package, error)  # noqa: B904 - the same error, given its file: re-raised, not replaced
    splice = SheetSplice(package.read(part), package.path)
    created = {w.column for w in plan.headers}
    formula_rows = []
    by_row: dict[int, list[CellWrite]] = {}
    for write in (*plan.headers, *plan.cells):
        by_row.setdefault(write.row, []).append(write)
    # (cell's style, fill) -> style written: a few, for thousands of cells
    written: dict[tuple[int, str | None], int] = {}
    for number, writes in by_row.items():
        row = splice.row(number)
        # Styles are taken before anything is written, so a new column copies the original look
        # of its left neighbour, not the fill just given to that neighbour.
        bases = [_base_style(splice, plan.style_source if w.column in created else w.column, number) for w in writes]
        for write, base in zip(writes, bases, strict=True):
            if write.column == plan.rag_column and not write.header and row.has_formula(write.column):
                formula_rows.append(number)  # the analyst's formula stays; colour follows it
                continue
            style = written.get((base, write.fill))
            if style is None:
                readable = styles.readable(base)
                style = styles.cell_format(readable, fill=styles.fill(write.fill)) if write.fill else readable
                written[(base, write.fill)] = style
            row.set(write.column, write.text, style)
        splice.finish(number)
    sqref = range_ref((plan.first_row, plan.rag_column, plan.last_row, plan.rag_column))
    if formula_rows or all(splice.tail_mentions(status.encode()) for status in plan.colours):  # ours may be there
        write_status_formats(splice, styles, plan, sqref, add=bool(formula_rows))
    _widen(splice, plan)
    write_sparklines(splice, plan)
    package.replace(part, splice.render())


_TABLE_REL = "/relationships/table"


def _extend_tables(package: Package, part: str, plan: WritePlan) -> None:
    """Widen the Excel Table holding the KPIs over the columns refresh adds (``tables_to_widen``
    decides, and refuses a write inside another table): its range, its filter's range and its column
    list, named as the headers written. A table whose part cannot be widened safely (a query or XML
    table, a column of that name already) is refused before anything is written."""
    try:
        rels = package.xml(rels_name(part))
    except WorkbookError:  # no relationships: no tables
        return
    parts: dict[str, tuple[str, etree._Element]] = {}
    areas = []
    for rel in rels:
        if not rel.get("Type", "").endswith(_TABLE_REL) or rel.get("TargetMode") == "External":
            continue
        table_part = part_path(part, rel.get("Target", ""))
        table = package.xml(table_part)
        bounds = parse_range(table.get("ref") or "")
        if bounds is None:
            continue
        name = table.get("displayName") or table.get("name") or "?"
        parts[name] = (table_part, table)
        areas.append(
            TableArea(
                name,
                *bounds,
                header_rows=0 if table.get("headerRowCount") == "0" else 1,
                totals_rows=1 if (table.get("totalsRowCount") or "0") != "0" else 0,
            )
        )
    created = sorted({w.column for w in plan.headers})
    texts_at = {(w.row, w.column): w.text for w in plan.headers}
    for area in tables_to_widen(plan, areas):
        table_part, table = parts[area.name]
        texts = [texts_at[(area.first_row, c)] for c in created]
        columns = table.find(q("tableColumns"))
        names = {(c.get("name") or "").casefold() for c in columns} if columns is not None else set()
        if table.get("tableType") not in (None, "worksheet"):
            raise table_refusal(
                area, f"is a {table.get('tableType')} table, which scorecard does not widen", plan.sheet
            )
        if columns is None or any(t.casefold() in names for t in texts):
            raise table_refusal(area, "already has a column of that name", plan.sheet)
        table.set("ref", range_ref((area.first_row, area.first_column, area.last_row, created[-1])))
        auto = table.find(q("autoFilter"))
        a = parse_range(auto.get("ref") or "") if auto is not None else None
        if auto is not None and a:
            auto.set("ref", range_ref((a[0], a[1], a[2], created[-1])))
        next_id = max((int(c.get("id", 0)) for c in columns), default=0) + 1
        for offset, text in enumerate(texts):
            column = etree.SubElement(columns, q("tableColumn"))
            column.set("id", str(next_id + offset))
            column.set("name", text)
        columns.set("count", str(len(columns)))
        package.touch(table_part)


def _refused(package: Package, error: WorkbookError) -> WorkbookError:
    error.file = error.file or str(package.path)
    return error


def _base_style(splice: SheetSplice, column: int, row: int) -> int:
    """The style a written cell keeps: that of the cell (for a column we create, of the plan's
    ``style_source`` column in the same row, as the Excel macros copy it); for a cell not in the
    file, what Excel gives a new cell there (the row's style, then the column's)."""
    style = splice.row(row).style(column)
    return style if style is not None else splice.implicit_style(row, column)


def _widen(splice: SheetSplice, plan: WritePlan) -> None:
    """Keep the dimension covering every cell, and give columns we created a readable width."""
    highest = max(plan.rag_column, plan.direction_column, *plan.spc_columns)
    ref = splice.dimension()
    if ref:
        first, _, last = ref.partition(":")
        corner = parse_reference(last or first)
        if corner and corner[1] < highest:
            splice.set_dimension(f"{first}:{cell_ref(corner[0], highest)}")
    created = sorted({w.column for w in plan.headers})
    if not created:
        return
    cols = splice.add_cols()
    covered = {c for col in cols for c in range(int(col.get("min", 0)), int(col.get("max", -1)) + 1)}
    for column in created:
        if column not in covered:
            col = etree.Element(q("col"))
            for key, value in (("min", column), ("max", column), ("width", 12), ("customWidth", 1)):
                col.set(key, str(value))
            later = [c for c in cols if int(c.get("min", 0)) > column]
            (later[0].addprevious(col) if later else cols.append(col))


# --- the narrative sheet -------------------------------------------------------------------------


# Calibri's letter widths in thousandths of an em (Carlito, its open twin, has the same): Excel's default
# font, which the Narrative sheet's text is in; other letters count as 500. a to z, then A to Z:
_LOWER_CASE = "479 525 423 525 498 305 471 525 229 239 455 229 799 525 527 525 525 349 391 335 525 452 715 433 453 395"
_UPPER_CASE = "579 544 533 615 488 459 631 623 252 319 520 420 855 646 662 517 673 543 459 487 642 567 890 519 487 468"
_CALIBRI = {
    **dict(zip(string.ascii_lowercase, map(int, _LOWER_CASE.split()), strict=True)),
    **dict(zip(string.ascii_uppercase, map(int, _UPPER_CASE.split()), strict=True)),
    **dict.fromkeys("0123456789£", 507),
    **{" ": 226, ".": 252, ",": 250, ":": 268, ";": 268, "-": 306, "(": 303, ")": 303, "/": 386, "%": 715},
    **{"'": 221, "’": 250, '"': 401, "&": 682, "–": 498, "•": 498, "!": 326, "?": 463},
}


# how much wider than Calibri a workbook's default font sets the same text; a font not listed counts as 1.1,
# so its rows err towards a spare line rather than a cut one
_WIDER_THAN_CALIBRI = {"calibri": 1.0, "carlito": 1.0, "aptos": 1.04, "arial": 1.12, "liberation sans": 1.12}


@lru_cache(maxsize=1 << 16)  # a narrative's words recur (KPI names, status words): each is summed once
def _calibri_units(text: str) -> int:
    """The width of a text in Calibri, in thousandths of the font's size."""
    return sum(_CALIBRI.get(ch, 500) for ch in text)


def text_points(text: str, size: float = 11.0, font: str = "Calibri") -> float:
    """The width of a text in ``font`` at ``size`` points, in points (Calibri's letter widths, scaled)."""
    return _calibri_units(text) * size / 1000 * _WIDER_THAN_CALIBRI.get(font.casefold(), 1.1)


def row_height(
    text: str, width: float, line_height: float = 15.0, gap: float = 3.0, size: float = 11.0, font: str = "Calibri"
) -> float:
    """Points needed to show wrapped text in a column ``width`` characters wide, and ``gap`` below it.

    Spreadsheet programs do not all fit row heights when they open a file (LibreOffice does
    not), so the heights are written. The lines are counted as Excel wraps them: words put on a
    line while they fit, measured letter by letter in the workbook's default font, in a column of
    ``width`` characters (7 pixels a character and 5 of padding, as Excel sizes its columns for an
    11-point default font, less the cell's margins); a word wider than a line has one of its own.
    """
    usable = (width * 7 + 5) * 0.75 - 6
    space = text_points(" ", size, font)
    wider = _WIDER_THAN_CALIBRI.get(font.casefold(), 1.1)
    lines = 0
    for paragraph in text.split("\n"):
        used, count = 0.0, 1
        for word in paragraph.split():
            long = _calibri_units(word) * size / 1000 * wider  # text_points(word, size, font)
            if used and used + space + long > usable:
                count, used = count + 1, long
            else:
                used += (space if used else 0.0) + long
        lines += count
    return lines * line_height + gap


# a run's properties in the order the Open XML SDK checks them: CT_Font's order, rFont for name
_RUN_ORDER = tuple("rFont" if tag == "name" else tag for tag in Styles.FONT_ORDER)


def _bold_run_properties(font: etree._Element | None) -> str:
    """A bold run's properties in the workbook's default ``font``: the font's, rFont for its name, and bold."""
    parts = {"b": "<b/>"}
    for child in font if font is not None else ():
        tag = etree.QName(child).localname
        if tag in ("b", "i") or tag not in _RUN_ORDER + ("name",):
            continue
        name = "rFont" if tag == "name" else tag
        attrs = "".join(f' {k!s}="{_escape_attr(str(v))}"' for k, v in child.attrib.items())
        parts[name] = f"<{name}{attrs}/>"
    return "".join(parts[tag] for tag in _RUN_ORDER if tag in parts)


def _rich_bold(text: str, bold: int, properties: str) -> str:
    """An inline string whose first ``bold`` characters are bold (a KPI's name), the bold run's properties
    ``properties`` (``_bold_run_properties``)."""
    head, tail = text[:bold], text[bold:]

    def t(words: str) -> str:
        space = ' xml:space="preserve"' if words != words.strip() else ""
        return f"<t{space}>{cell_xml(words)}</t>"

    runs = f"<r><rPr>{properties}</rPr>{t(head)}</r>" + (f"<r>{t(tail)}</r>" if tail else "")
    return f"<is>{runs}</is>"


def _escape_attr(value: str) -> str:
    return cell_xml(value).replace('"', "&quot;")


def _narrative_xml(styles: Styles, cells: list[NarrativeCell]) -> bytes:
    base = 0
    formats = {
        "title": styles.cell_format(base, font=styles.font(bold=True, size=14)),
        "heading": styles.cell_format(base, font=styles.font(bold=True, size=12)),
        "body": styles.cell_format(base, wrap=True),
        "bullet": styles.cell_format(base, wrap=True),
        "lead": styles.cell_format(base, font=styles.font(italic=True), wrap=True),
        "note": styles.cell_format(base, font=styles.font(italic=True, colour="595959"), wrap=True),
        "number": styles.cell_format(base, font=styles.font(bold=True), wrap=True),
    }
    root = worksheet(f"A1:B{max(c.row for c in cells)}", fit_to_page=True, grid_lines=False)
    add_columns(root, [(index, index, width) for index, width in enumerate(NARRATIVE_WIDTHS, start=1)])
    etree.SubElement(root, q("sheetData"))  # its rows are written as text below: thousands of them
    add_page_margins(root)
    setup = etree.SubElement(root, q("pageSetup"))
    setup.set("paperSize", "9")  # A4
    setup.set("orientation", "portrait")
    setup.set("fitToWidth", "1")
    setup.set("fitToHeight", "0")
    titles = {c.style: c.text for c in cells if c.style in ("title", "heading")}
    header_footer = etree.SubElement(root, q("headerFooter"))
    left, right = narrative_header(titles.get("title", ""), titles.get("heading", ""))
    etree.SubElement(header_footer, q("oddHeader")).text = f"&L{left}&R{right}"
    etree.SubElement(header_footer, q("oddFooter")).text = f"&C{NARRATIVE_PAGES}"
    fonts = styles.root.find(q("fonts"))
    font = fonts[0] if fonts is not None and len(fonts) else None  # the workbook's default font, for bold runs
    size_element = font.find(q("sz")) if font is not None else None
    name_element = font.find(q("name")) if font is not None else None
    font_size = float(size_element.get("val", 11)) if size_element is not None else 11.0
    font_name = name_element.get("val", "Calibri") if name_element is not None else "Calibri"
    line = round(font_size * 15 / 11 * 4) / 4  # Excel's row of one line: 15 points for 11-point Calibri
    bold_run = _bold_run_properties(font)  # once for the sheet, not once per KPI name
    rows: list[bytes] = []  # a row's XML each, encoded as it is made: thousands of small texts are not kept
    in_order = sorted(cells, key=lambda c: (c.row, c.column))  # a new sheet: rows and cells in order
    for number, group in groupby(in_order, key=lambda c: c.row):
        row_cells = list(group)
        height = ""
        for cell in row_cells:
            if cell.column == 2 and cell.style not in ("title", "heading"):
                points = row_height(
                    cell.text, NARRATIVE_WIDTHS[1], line, NARRATIVE_GAP[cell.style], font_size, font_name
                )
                height = f' ht="{points:g}" customHeight="1"'
        texts = "".join(
            _text_cell(cell_ref(number, cell.column), cell.text, formats[cell.style], cell.bold, bold_run)
            for cell in row_cells
        )
        rows.append(f'<row r="{number}"{height}>{texts}</row>'.encode())
    head, _, tail = serialise(root).partition(b"<sheetData/>")
    return b"".join([head, b"<sheetData>", *rows, b"</sheetData>", tail])


def _text_cell(reference: str, text: str, style: int, bold: int = 0, bold_run: str = "<b/>") -> str:
    """A cell holding text as an inline string, as ``newsheet.add_text_cell`` writes one; its first ``bold``
    characters in bold (rich text, the bold run's properties ``bold_run``, ``_bold_run_properties``)."""
    if not text:
        return f'<c r="{reference}" s="{style}"/>'
    if 0 < bold <= len(text):
        return f'<c r="{reference}" s="{style}" t="inlineStr">{_rich_bold(text, bold, bold_run)}</c>'
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f'<c r="{reference}" s="{style}" t="inlineStr"><is><t{space}>{cell_xml(text)}</t></is></c>'


def _write_narrative_sheet(package: Package, workbook: Workbook, styles: Styles, plan: WritePlan) -> None:
    xml = _narrative_xml(styles, plan.narrative_cells)
    part = workbook.sheet_part(plan.narrative_sheet)
    if part is None:
        workbook.add_sheet(plan.narrative_sheet, xml)
        return
    if not written_by_scorecard(sheet_texts(package, workbook, part)):
        raise foreign_narrative(plan.narrative_sheet, package.path)
    package.replace(part, xml)


# --- refresh -----------------------------------------------------------------------------------------


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while a plan is written: the write makes tens of thousands of
    short-lived objects (edits, rows, texts) and no reference cycles, and each object freed is freed
    at once; the collector would only walk them, and the objects of the read, again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_no_cycle_collection()  # a context manager made by contextmanager is also a decorator
def apply_plan(package: Package, workbook: Workbook, plan: WritePlan, destination: Path) -> None:
    """Apply the plan to an open package (perhaps the one just read) and save it at ``destination``."""
    styles = Styles(package, workbook)
    trend = trend_part(package, workbook, plan)  # a sheet of that name we did not write: refused before any write
    if plan.rag:  # a table read across (one KPI per column) has nothing written into it
        _write_scorecard_sheet(package, workbook, styles, plan)
    _write_narrative_sheet(package, workbook, styles, plan)
    write_trend_sheet(package, workbook, plan, trend)
    if workbook.has_formulas():  # a formula may count or look up the cells just written: stale until recalculated
        workbook.recalculate_on_load()
    package.save(destination)
