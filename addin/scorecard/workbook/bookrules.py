"""Which rules a job on a workbook file uses, and the rules sheet in the file: written by ``scorecard rules
embed``, read by every command. The file side's twin of ``excel.bookrules``.

``book_rules`` takes the rules named for the job (``--rules``), else those embedded in the workbook
(``load``): a file has no defined name or Settings sheet to point elsewhere, as an open book may.

The sheet is an ordinary worksheet part, hidden (``state="hidden"`` in workbook.xml), with the
YAML's line N as an inline string in cell A<N> (leading spaces kept with ``xml:space``; an empty
line is an empty cell). Embedding rewrites only that part (or adds it, with the one entry each in
workbook.xml, its relationships and [Content_Types].xml that a new sheet needs); a refresh never
opens it, so it comes back byte for byte.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

from ..core.embedded import SHEET, parse_cells, to_lines
from ..core.rules import Rules, load_rules_cached
from ..errors import ScorecardError
from .files import writing
from .newsheet import add_columns, add_page_margins, add_text_cell, worksheet
from .ooxml import q, serialise
from .package import Package, Workbook, check_file, check_writable, open_zip


def _sheet_xml(lines: list[str]) -> bytes:
    root = worksheet(f"A1:A{max(len(lines), 1)}")
    add_columns(root, [(1, 1, 100)])
    data = etree.SubElement(root, q("sheetData"))
    for number, line in enumerate(lines, start=1):
        if not line:
            continue  # an empty line is an empty cell
        row = etree.SubElement(data, q("row"))
        row.set("r", str(number))
        add_text_cell(row, 1, line, keep_spaces=True)  # YAML's indentation is its structure
    add_page_margins(root)
    return serialise(root)


def _sheet_element(workbook: Workbook) -> etree._Element | None:
    for sheet in workbook.sheets:
        if sheet.get("name", "").casefold() == SHEET.casefold():
            return sheet
    return None


def embed(path: str | Path, text: str, output: str | Path | None = None, *, even_if_open: bool = False) -> int:
    """Store the rules text in the workbook's hidden ScorecardRules sheet; returns the number of lines.

    The caller validates the rules first: only rules that load are embedded. As a refresh, the
    destination is locked from the read to the write, and a workbook open in Excel is refused.
    """
    path = Path(path)
    lines = to_lines(text)
    check_file(path)
    destination = Path(output) if output else path
    check_writable(destination)  # as refresh: a file Excel would not save over is left alone
    with writing(destination, path, even_if_open=even_if_open):
        _embed(path, lines, destination)
    return len(lines)


def _embed(path: Path, lines: list[str], destination: Path) -> None:
    archive = open_zip(path)
    try:
        package = Package(path, archive)
        workbook = Workbook(package)
        xml = _sheet_xml(lines)
        part = workbook.sheet_part(SHEET)
        if part is None:
            workbook.add_sheet(SHEET, xml)
        else:
            package.replace(part, xml)
        element = _sheet_element(workbook)
        assert element is not None  # added or found above
        if element.get("state") not in ("hidden", "veryHidden"):
            element.set("state", "hidden")
            package.touch(workbook.part)
        workbook.keep_another_sheet_active(element)
        package.save(destination)
    finally:
        archive.close()


def read_lines(path: str | Path) -> list[Any] | None:
    """Column A of the ScorecardRules sheet (None for an empty cell), or None when there is no such sheet.

    Read by the same reader as the table's sheet, so shared and inline strings, escapes and numbers
    come back as every other cell does (and as the Book API hands them to the ribbon and Lite)."""
    from .book import open_workbook

    with open_workbook(path) as book:
        grid = book.named_sheet(SHEET)
    if grid is None:
        return None
    cells = [grid.value(row, 1) for row in range(1, grid.row_count + 1)]
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def load(path: str | Path) -> Rules | None:
    """The rules embedded in the workbook, or None when it carries none."""
    cells = read_lines(path)
    return None if cells is None else parse_cells(cells, str(path))


NO_RULES = (
    "no rules: give --rules RULES, or embed them in the workbook with: scorecard rules embed {book} --rules RULES"
)


def book_rules(book: str | Path, rules: str | Path | None = None) -> Rules:
    """The rules a job on ``book`` uses: ``rules`` (a file) when given, else those embedded in the workbook."""
    if rules:
        return load_rules_cached(rules)
    found = load(book)
    if found is None:
        raise ScorecardError(NO_RULES.format(book=book), file=book)
    return found
