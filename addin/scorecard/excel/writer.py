"""A WritePlan as the steps that write it into an open workbook through xlwings, in few, large calls. The
Excel side's twin of ``workbook.writer``.

Each run of consecutive KPI rows is written with one call per column and one ``set_colors``; the
Narrative sheet is one block of values and a fixed number of format calls. So the number of Excel calls
grows with the number of sections that interrupt the KPI rows, not with the number of KPIs. The steps
are run by ``journal.apply_steps``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import xlwings as xw

from ..core.a1 import column_letter
from ..core.plan import NARRATIVE_PAGES, NARRATIVE_WIDTHS, SYMBOL_FONTS, WritePlan, narrative_header
from ..core.reading import TableArea
from .conditional import write_status_formats
from .journal import Block, SheetSlot, Step, literal
from .reader import Capabilities, row_runs


def cell_steps(sheet: Any, plan: WritePlan, formula_rows: set[int] | None) -> list[Step]:
    """Every write of the RAG and direction columns (and headers the workbook lacked), in order."""
    steps: list[Step] = []
    created = sorted({w.column for w in plan.headers})  # a header repeated further down adds none
    copied = f"the cell formats copied from column {column_letter(plan.style_source)} into"
    for header in plan.headers:  # look like the headers beside them: copy, then write the text
        cell = ((header.row, header.column), (header.row, header.column))
        source = sheet.range((header.row, plan.style_source))
        steps.append(Step(_copy(source, sheet, cell), sheet, cell, frozenset({"values", "fills", "format"}), copied))
        steps.append(Step(_set(sheet, cell, "value", literal(header.text)), sheet, cell, frozenset({"values"})))
    formula_rows = formula_rows or set()
    by_row = {w.row: w for w in plan.rag}
    directions = {w.row: w for w in plan.direction}
    symbol_fonts = _symbol_fonts()
    can = Capabilities.of(sheet.book)
    id_font = None
    for first, last in row_runs(by_row):
        rows = range(first, last + 1)
        rag: Block = ((first, plan.rag_column), (last, plan.rag_column))
        direction: Block = ((first, plan.direction_column), (last, plan.direction_column))
        for column in created:
            source = sheet.range((first, plan.style_source), (last, plan.style_source))
            target: Block = ((first, column), (last, column))
            steps.append(
                Step(_copy(source, sheet, target), sheet, target, frozenset({"values", "fills", "format"}), copied)
            )
        values = [r for r in rows if r not in formula_rows]
        for a, b in row_runs(values):  # around formula cells, which keep their formula
            block: Block = ((a, plan.rag_column), (b, plan.rag_column))
            steps.append(
                Step(
                    _set(sheet, block, "value", [[literal(by_row[r].text)] for r in range(a, b + 1)]),
                    sheet,
                    block,
                    frozenset({"values"}),
                )
            )
        colours = [[... if r in formula_rows else f"#{by_row[r].fill}"] for r in rows]
        steps.append(Step(_set_colors(sheet, rag, colours), sheet, rag, frozenset({"fills"})))
        steps.append(
            Step(
                _set(sheet, direction, "value", [[literal(directions[r].text) or None] for r in rows]),
                sheet,
                direction,
                frozenset({"values"}),
            )
        )
        spc_blocks: list[tuple[Block, int]] = []
        for column in plan.spc_columns:  # text and fill, as the RAG column
            cells = {w.row: w for w in plan.spc if w.column == column}
            block = ((first, column), (last, column))
            spc_blocks.append((block, column))
            steps.append(
                Step(
                    _set(sheet, block, "value", [[literal(cells[r].text) or None] for r in rows]),
                    sheet,
                    block,
                    frozenset({"values"}),
                )
            )
            fills = [[f"#{cells[r].fill}"] for r in rows]
            steps.append(Step(_set_colors(sheet, block, fills), sheet, block, frozenset({"fills"})))
        for block, column in ((rag, plan.rag_column), (direction, plan.direction_column), *spc_blocks):
            font_source = ((first, plan.style_source), (last, plan.style_source)) if column in created else block
            if not can.can_read_fonts:  # engines that cannot read fonts leave them as they are
                continue
            name = sheet.range(*font_source).font.name
            if isinstance(name, str) and name.strip().casefold() in symbol_fonts:
                if id_font is None:
                    id_font = sheet.range((plan.rag[0].row, 1)).font.name or ""
                readable = id_font if id_font and id_font.casefold() not in symbol_fonts else "Calibri"
                steps.append(
                    Step(
                        _set_font(sheet, block, readable),
                        sheet,
                        block,
                        frozenset({"format"}),
                        undo=_set_font(sheet, block, name),
                    )
                )
    if formula_rows:
        whole: Block = ((plan.first_row, plan.rag_column), (plan.last_row, plan.rag_column))
        steps.append(
            Step(
                lambda: write_status_formats(sheet.range(*whole), plan, can.can_read_conditional_formats),
                sheet,
                whole,
                frozenset({"format"}),
                "the conditional formats colouring the RAG words added to",
            )
        )
    return steps


def table_steps(sheet: Any, plan: WritePlan, widen: list[TableArea]) -> list[Step]:
    """Take the added columns into the Excel Table holding the KPIs, their headers already written."""
    if not widen:
        return []
    last = max(w.column for w in plan.headers)
    steps = []
    for area in widen:

        def resize(area: TableArea = area) -> None:
            for table in sheet.tables:
                if table.name == area.name:
                    table.resize(sheet.range((area.first_row, area.first_column), (area.last_row, last)))

        def restore(area: TableArea = area) -> None:
            for table in sheet.tables:
                if table.name == area.name:
                    table.resize(sheet.range((area.first_row, area.first_column), (area.last_row, area.last_column)))

        block: Block = ((area.first_row, area.first_column), (area.last_row, last))
        steps.append(
            Step(
                resize, sheet, block, frozenset({"format"}), f"the Excel Table '{area.name}' widened over", undo=restore
            )
        )
    return steps


def narrative_steps(book: xw.Book, plan: WritePlan, existing: Any) -> list[Step]:
    """Every write of the Narrative sheet, in order; the block of text is built before any of them."""
    slot = SheetSlot(plan.narrative_sheet, existing)
    cells = plan.narrative_cells
    last = max(c.row for c in cells)
    block: list[list[str | None]] = [[None, None] for _ in range(last)]
    for cell in cells:
        block[cell.row - 1][cell.column - 1] = literal(cell.text)
    by_style: dict[str, list[int]] = {}
    for cell in cells:
        by_style.setdefault(cell.style, []).append(cell.row)
    italic = by_style.get("lead", []) + by_style.get("note", [])
    headings = [
        (row, bold, size)
        for style, bold, size in (("title", True, 14), ("heading", True, 12))
        for row in by_style.get(style, [])
    ]
    names = [(cell.row, cell.bold) for cell in cells if cell.bold]  # KPI names, bold in their paragraphs
    titles = {cell.style: cell.text for cell in cells if cell.style in ("title", "heading")}
    desktop = Capabilities.of(book).engine == "excel"  # rich text and page set-up: desktop Excel's own API

    def add() -> None:
        slot.sheet = book.sheets.add(plan.narrative_sheet, after=book.sheets[len(book.sheets) - 1])

    def write() -> None:
        sheet = slot.sheet
        sheet.range((1, 1), (last, 2)).value = block
        sheet.range("A:A").column_width = NARRATIVE_WIDTHS[0]
        sheet.range("B:B").column_width = NARRATIVE_WIDTHS[1]
        body = sheet.range((3, 1), (last, 2))
        body.wrap_text = True
        for row, bold, size in headings:
            font = sheet.range((row, 1)).font
            font.bold, font.size = bold, size
        sheet.range((3, 1), (last, 1)).font.bold = True
        for row in italic:
            sheet.range((row, 2)).font.italic = True
        body.rows.autofit()
        if desktop:
            _bold_names(sheet, names)
            _print_setup(sheet, *narrative_header(titles.get("title", ""), titles.get("heading", "")))

    first = (
        Step(lambda: slot.sheet.clear(), sheet_event="cleared", slot=slot)
        if existing is not None
        else Step(add, sheet_event="created", slot=slot)
    )
    return [first, Step(write, slot=slot)]


def clear_steps(sheet: Any, plan: WritePlan, narrative_sheet: Any) -> list[Step]:
    """What Clear writes: the RAG, direction and SPC cells of the KPI rows emptied and their fills taken off,
    and the Narrative sheet scorecard wrote (``narrative_sheet``, or None) deleted."""
    steps = []
    for first, last in row_runs(w.row for w in plan.rag):
        for column in (plan.rag_column, plan.direction_column, *plan.spc_columns):
            block: Block = ((first, column), (last, column))
            steps.append(Step(_clear_contents(sheet, block), sheet, block, frozenset({"values"})))
        nones = [[None]] * (last - first + 1)
        for column in (plan.rag_column, *plan.spc_columns):  # the columns refresh colours
            filled: Block = ((first, column), (last, column))
            steps.append(Step(_set_colors(sheet, filled, nones), sheet, filled, frozenset({"fills"})))
    if narrative_sheet is not None:  # last: nothing can fail after it
        steps.append(Step(narrative_sheet.delete, slot=SheetSlot(plan.narrative_sheet, narrative_sheet)))
    return steps


def _set(sheet: Any, block: Block, attribute: str, value: Any) -> Callable[[], None]:
    return lambda: setattr(sheet.range(*block), attribute, value)


def _set_colors(sheet: Any, block: Block, colours: list[list[Any]]) -> Callable[[], None]:
    return lambda: sheet.range(*block).set_colors(colours)


def _clear_contents(sheet: Any, block: Block) -> Callable[[], None]:
    return lambda: sheet.range(*block).clear_contents()


def _copy(source: Any, sheet: Any, block: Block) -> Callable[[], None]:
    return lambda: source.copy(sheet.range(*block))


def _symbol_fonts() -> set[str]:
    return set(SYMBOL_FONTS)


def _set_font(sheet: Any, block: Block, name: str) -> Callable[[], None]:
    """Give the cells a font: the words must read as words, not as Wingdings arrows (as the batch
    writer gives them the workbook's default)."""
    return lambda: setattr(sheet.range(*block).font, "name", name)


def _bold_names(sheet: Any, names: list[tuple[int, int]]) -> None:
    """Each KPI's name bold at the start of its paragraph (one call a paragraph: rich text is set character
    by character). An engine without ``characters`` (a stand-in, a future one) leaves the text plain."""
    for row, length in names:
        try:
            sheet.range((row, 2)).characters[0:length].font.bold = True
        except (AttributeError, NotImplementedError):
            return


XL_PORTRAIT, XL_PAPER_A4 = 1, 9


def _print_setup(sheet: Any, left: str, right: str) -> None:
    """The Narrative sheet prints as the batch writer sets it up: A4 portrait, one page wide, the title in the
    header, "Page X of Y" in the footer. Through COM, so desktop Excel on Windows; elsewhere (a Mac's
    AppleScript bridge names these otherwise) the sheet keeps Excel's default page set-up. Excel may refuse
    page set-up with no printer installed: the text is written all the same."""
    if not sys.platform.startswith("win"):
        return
    try:
        setup = sheet.api.PageSetup
        setup.Orientation, setup.PaperSize = XL_PORTRAIT, XL_PAPER_A4
        setup.Zoom = False  # before the fit: Excel fits only when zoom is off
        setup.FitToPagesWide, setup.FitToPagesTall = 1, False
        setup.LeftHeader, setup.RightHeader, setup.CenterFooter = left, right, NARRATIVE_PAGES
    except Exception:  # COM refuses (no printer, a protected sheet): keep Excel's default page set-up
        return
