"""The rules sheet in the workbook file: written by ``scorecard rules embed``, read by every command.

The sheet is an ordinary worksheet part, hidden (``state="hidden"`` in workbook.xml), with the
YAML's line N as an inline string in cell A<N> (leading spaces kept with ``xml:space``; an empty
line is an empty cell). Embedding rewrites only that part (or adds it, with the one entry each in
workbook.xml, its relationships and [Content_Types].xml that a new sheet needs); a refresh never
opens it, so it comes back byte for byte.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lxml import etree

from ..core.embedded import SHEET, parse_cells, to_lines
from ..core.rules import Rules
from ..errors import WorkbookError
from .ooxml import MAIN, REL, q, serialise
from .package import Package, Workbook, _resolve, check_file, open_zip
from .sheetxml import set_text

_ROW = re.compile(r"^[A-Z]+(\d+)$")
_COLUMN = re.compile(r"^([A-Z]+)\d+$")


def _sheet_xml(lines: list[str]) -> bytes:
    root = etree.Element(q("worksheet"), nsmap={None: MAIN, "r": REL})  # type: ignore[dict-item]  # None: the default namespace, as lxml takes it (its stubs want str)
    etree.SubElement(root, q("dimension")).set("ref", f"A1:A{max(len(lines), 1)}")
    views = etree.SubElement(etree.SubElement(root, q("sheetViews")), q("sheetView"))
    views.set("workbookViewId", "0")
    etree.SubElement(root, q("sheetFormatPr")).set("defaultRowHeight", "15")
    col = etree.SubElement(etree.SubElement(root, q("cols")), q("col"))
    for key, value in (("min", 1), ("max", 1), ("width", 100), ("customWidth", 1)):
        col.set(key, str(value))
    data = etree.SubElement(root, q("sheetData"))
    for number, line in enumerate(lines, start=1):
        if not line:
            continue  # an empty line is an empty cell
        row = etree.SubElement(data, q("row"))
        row.set("r", str(number))
        cell = etree.SubElement(row, q("c"))
        cell.set("r", f"A{number}")
        set_text(cell, line, None)
        t = cell.find(f"{q('is')}/{q('t')}")
        assert t is not None  # set_text wrote it
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")  # YAML's indentation is its structure
    margins = etree.SubElement(root, q("pageMargins"))
    for key, inches in (("left", 0.7), ("right", 0.7), ("top", 0.75), ("bottom", 0.75), ("header", 0.3), ("footer", 0.3)):
        margins.set(key, str(inches))
    return serialise(root)


def _sheet_element(workbook: Workbook) -> etree._Element | None:
    for sheet in workbook.sheets:
        if sheet.get("name", "").casefold() == SHEET.casefold():
            return sheet
    return None


def embed(path: str | Path, text: str, output: str | Path | None = None) -> int:
    """Store the rules text in the workbook's hidden ScorecardRules sheet; returns the number of lines.

    The caller validates the rules first: only rules that load are embedded.
    """
    path = Path(path)
    lines = to_lines(text)
    check_file(path)
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
        _not_active(workbook, element)
        package.save(Path(output) if output else path)
    finally:
        archive.close()
    return len(lines)


def _not_active(workbook: Workbook, element: etree._Element) -> None:
    """A hidden sheet must not be the one the workbook opens on: Excel would repair the file."""
    index = workbook.sheets.index(element)
    views = workbook.root.find(q("bookViews"))
    for view in [] if views is None else views:
        for key in ("activeTab", "firstSheet"):
            if int(view.get(key, 0)) == index:
                visible = [i for i, s in enumerate(workbook.sheets) if s.get("state") not in ("hidden", "veryHidden")]
                view.set(key, str(visible[0] if visible else 0))
                workbook.package.touch(workbook.part)


def read_lines(path: str | Path) -> list[Any] | None:
    """Column A of the ScorecardRules sheet (None for an empty cell), or None when there is no such sheet."""
    path = Path(path)
    check_file(path)
    archive = open_zip(path)
    try:
        package = Package(path, archive)
        workbook = Workbook(package)
        part = workbook.sheet_part(SHEET)
        if part is None:
            return None
        shared = _shared_strings(package, workbook)
        cells: dict[int, Any] = {}
        row_number = 0
        for row in package.xml(part).iter(q("row")):
            row_number = int(row.get("r", row_number + 1))
            for column, cell in enumerate(row.findall(q("c")), start=1):
                ref = cell.get("r")
                if ref:
                    match = _COLUMN.match(ref)
                    if not match or match.group(1) != "A":
                        continue
                elif column != 1:
                    continue
                cells[row_number] = _value(cell, shared)
        return [cells.get(n) for n in range(1, max(cells, default=0) + 1)]
    finally:
        archive.close()


def _text(element: etree._Element) -> str:
    """The text of an inline or shared string: its runs joined, phonetic hints left out."""
    return "".join(t.text or "" for t in element.iter(q("t")) if getattr(t.getparent(), "tag", None) != q("rPh"))


def _shared_strings(package: Package, workbook: Workbook) -> list[str]:
    for rel in workbook.rels:
        if rel.get("Type", "").endswith("/sharedStrings"):
            root = package.xml(_resolve(workbook.part, rel.get("Target", "")))
            return [_text(si) for si in root.findall(q("si"))]
    return []


def _value(cell: etree._Element, shared: list[str]) -> Any:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(q("is"))
        return None if inline is None else _text(inline)
    raw = cell.findtext(q("v"))
    if raw is None:
        return None
    if kind == "s":
        try:
            return shared[int(raw)]
        except (ValueError, IndexError):
            raise WorkbookError(f"is damaged: cell {cell.get('r')} names a missing shared string", sheet=SHEET) from None
    return raw  # str, a number as Excel stored it, a boolean: the YAML reads its text


def load(path: str | Path) -> Rules | None:
    """The rules embedded in the workbook, or None when it carries none."""
    cells = read_lines(path)
    return None if cells is None else parse_cells(cells, str(path))
