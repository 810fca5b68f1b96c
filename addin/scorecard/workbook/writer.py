"""Applying a WritePlan to a workbook file: the batch writer.

Only the parts a refresh must change are rewritten: the scorecard sheet (spliced, see
``sheetxml.SheetSplice``), the styles, and a Narrative sheet with the entries that list it. Every
other part is copied as it was read, and the file is replaced atomically (``Package.save``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

from lxml import etree

from ..errors import WorkbookError, column_letter
from .ooxml import MAIN, REL, q, serialise
from .package import Package, Styles, Workbook, check_file, open_zip
from ..core.plan import NARRATIVE_WIDTHS, NarrativeCell, WritePlan, foreign_narrative, written_by_scorecard
from .sheetxml import SheetSplice, column_number, escape_text

_REF = re.compile(r"^([A-Z]+)(\d+)$")


# --- the scorecard sheet -------------------------------------------------------------------------

_AFTER_CF = ["dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
             "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing",
             "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
             "tableParts", "extLst"]  # fmt: skip


def _insert_before_any(root: etree._Element, element: etree._Element, names: Iterable[str]) -> None:
    for name in names:
        anchor = root.find(q(name))
        if anchor is not None:
            anchor.addprevious(element)
            return
    root.append(element)


def _is_ours(block: etree._Element, statuses: set[str]) -> bool:
    rules = block.findall(q("cfRule"))
    return bool(rules) and all(
        r.get("type") == "cellIs" and r.get("operator") == "equal" and r.findtext(q("formula"), "").strip('"') in statuses
        for r in rules
    )


def _status_formatting(root: etree._Element, styles: Styles, plan: WritePlan, sqref: str, add: bool = True) -> None:
    """Colour formula-driven RAG cells with conditional formatting, replacing what we added before."""
    statuses = set(plan.colours)
    for block in root.findall(q("conditionalFormatting")):
        if block.get("sqref") == sqref and _is_ours(block, statuses):
            root.remove(block)
    if not add:
        return
    priority = max((int(r.get("priority", 0)) for r in root.iter(q("cfRule"))), default=0)
    block = etree.Element(q("conditionalFormatting"))
    block.set("sqref", sqref)
    for status, rgb in plan.colours.items():
        priority += 1
        rule = etree.SubElement(block, q("cfRule"))
        rule.set("type", "cellIs")
        rule.set("dxfId", str(styles.dxf(rgb)))
        rule.set("priority", str(priority))
        rule.set("operator", "equal")
        formula = etree.SubElement(rule, q("formula"))
        formula.text = f'"{status}"'
    _insert_before_any(root, block, _AFTER_CF)


def _write_scorecard_sheet(package: Package, workbook: Workbook, styles: Styles, plan: WritePlan) -> None:
    part = workbook.sheet_part(plan.sheet)
    if part is None:
        raise WorkbookError(f"no sheet named '{plan.sheet}' in the package", file=package.path)
    splice = SheetSplice(package.read(part), package.path)
    created = {w.column for w in plan.headers}
    formula_rows = []
    by_row: dict[int, list] = {}
    for write in (*plan.headers, *plan.rag, *plan.direction):
        by_row.setdefault(write.row, []).append(write)
    for number, writes in by_row.items():
        row = splice.row(number)
        # Styles are taken before anything is written, so a new column copies the original look
        # of its left neighbour, not the fill just given to that neighbour.
        bases = [_base_style(splice, plan.style_source if w.column in created else w.column, number) for w in writes]
        for write, base in zip(writes, bases):
            if write.column == plan.rag_column and not write.header and row.has_formula(write.column):
                formula_rows.append(number)  # the analyst's formula stays; colour follows it
                continue
            base = styles.readable(base)
            style = styles.cell_format(base, fill=styles.fill(write.fill)) if write.fill else base
            row.set(write.column, write.text, style)
        splice.finish(number)
    col = column_letter(plan.rag_column)
    sqref = f"{col}{plan.first_row}:{col}{plan.last_row}"
    if formula_rows or splice.tail_mentions(f'sqref="{sqref}"'.encode()):
        _status_formatting(splice.tail(), styles, plan, sqref, add=bool(formula_rows))
    _widen(splice, plan)
    package.replace(part, splice.render())


def _base_style(splice: SheetSplice, column: int, row: int) -> int:
    """The style a written cell keeps: that of the cell (for a column we create, of the plan's
    ``style_source`` column in the same row, as the Excel macros copy it); for a cell not in the
    file, what Excel gives a new cell there (the row's style, then the column's)."""
    style = splice.row(row).style(column)
    return style if style is not None else splice.implicit_style(row, column)


def _widen(splice: SheetSplice, plan: WritePlan) -> None:
    """Keep the dimension covering every cell, and give columns we created a readable width."""
    highest = max(plan.rag_column, plan.direction_column)
    ref = splice.dimension()
    if ref:
        first, _, last = ref.partition(":")
        match = _REF.match(last or first)
        if match and column_number(match.group(1)) < highest:
            splice.set_dimension(f"{first}:{column_letter(highest)}{match.group(2)}")
    created = [w.column for w in plan.headers]
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


def row_height(text: str, width: float, line_height: float = 15.0) -> float:
    """Points needed to show wrapped text in a column ``width`` characters wide.

    Spreadsheet programs do not all fit row heights when they open a file (LibreOffice does
    not), so the heights are written. Proportional text averages about 1.1 characters per
    width unit in Calibri 11; the estimate errs towards a spare line rather than a cut one.
    """
    per_line = max(int(width * 1.1), 1)
    lines = 0
    for paragraph in text.split("\n"):
        words, length, count = paragraph.split(), 0, 1
        for word in words:
            if length and length + 1 + len(word) > per_line:
                count, length = count + 1, len(word)
            else:
                length += (1 if length else 0) + len(word)
        lines += count
    return lines * line_height + 3


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
    root = etree.Element(q("worksheet"), nsmap={None: MAIN, "r": REL})
    pr = etree.SubElement(root, q("sheetPr"))
    etree.SubElement(pr, q("pageSetUpPr")).set("fitToPage", "1")
    etree.SubElement(root, q("dimension")).set("ref", f"A1:B{max(c.row for c in cells)}")
    views = etree.SubElement(root, q("sheetViews"))
    view = etree.SubElement(views, q("sheetView"))
    view.set("showGridLines", "0")
    view.set("workbookViewId", "0")
    etree.SubElement(root, q("sheetFormatPr")).set("defaultRowHeight", "15")
    cols = etree.SubElement(root, q("cols"))
    for index, width in enumerate(NARRATIVE_WIDTHS, start=1):
        col = etree.SubElement(cols, q("col"))
        for key, value in (("min", index), ("max", index), ("width", width), ("customWidth", 1)):
            col.set(key, str(value))
    etree.SubElement(root, q("sheetData"))  # its rows are written as text below: thousands of them
    margins = etree.SubElement(root, q("pageMargins"))
    for key, value in (("left", 0.7), ("right", 0.7), ("top", 0.75), ("bottom", 0.75), ("header", 0.3), ("footer", 0.3)):
        margins.set(key, str(value))
    setup = etree.SubElement(root, q("pageSetup"))
    setup.set("paperSize", "9")  # A4
    setup.set("orientation", "portrait")
    setup.set("fitToWidth", "1")
    setup.set("fitToHeight", "0")
    rows: list[str] = []
    by_row: dict[int, list[NarrativeCell]] = {}
    for cell in sorted(cells, key=lambda c: (c.row, c.column)):  # a new sheet: rows and cells in order
        by_row.setdefault(cell.row, []).append(cell)
    for number, row_cells in by_row.items():
        height = ""
        for cell in row_cells:
            if cell.column == 2 and cell.style not in ("title", "heading"):
                height = f' ht="{row_height(cell.text, NARRATIVE_WIDTHS[1]):g}" customHeight="1"'
        rows.append(f'<row r="{number}"{height}>')
        rows += [_text_cell(f"{column_letter(cell.column)}{number}", cell.text, formats[cell.style]) for cell in row_cells]
        rows.append("</row>")
    return serialise(root).replace(b"<sheetData/>", b"<sheetData>" + "".join(rows).encode("utf-8") + b"</sheetData>", 1)


def _text_cell(reference: str, text: str, style: int) -> str:
    """A cell holding text as an inline string, as ``sheetxml.set_text`` writes one."""
    if not text:
        return f'<c r="{reference}" s="{style}"/>'
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    escaped = escape_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{reference}" s="{style}" t="inlineStr"><is><t{space}>{escaped}</t></is></c>'


def _write_narrative_sheet(package: Package, workbook: Workbook, styles: Styles, plan: WritePlan) -> None:
    xml = _narrative_xml(styles, plan.narrative_cells)
    part = workbook.sheet_part(plan.narrative_sheet)
    if part is None:
        workbook.add_sheet(plan.narrative_sheet, xml)
        return
    if not written_by_scorecard(package.xml(part).itertext()):
        raise foreign_narrative(plan.narrative_sheet, package.path)
    package.replace(part, xml)


# --- refresh -----------------------------------------------------------------------------------------


def write_plan(source: str | Path, destination: str | Path, plan: WritePlan) -> None:
    """Apply the plan to a copy of ``source`` and atomically put it at ``destination``."""
    source, destination = Path(source), Path(destination)
    check_file(source)
    archive = open_zip(source)
    try:
        package = Package(source, archive)
        apply_plan(package, Workbook(package), plan, destination)
    finally:
        archive.close()


def apply_plan(package: Package, workbook: Workbook, plan: WritePlan, destination: Path) -> None:
    """Apply the plan to an open package (perhaps the one just read) and save it at ``destination``."""
    styles = Styles(package, workbook)
    _write_scorecard_sheet(package, workbook, styles, plan)
    _write_narrative_sheet(package, workbook, styles, plan)
    package.save(destination)
