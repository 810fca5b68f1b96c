"""A worksheet part written from nothing: the Narrative sheet, the trend sheet, the rules sheet.

The pieces every such sheet has, made alike: the root with its namespaces, the column widths, Excel's
default page margins, and a cell holding text as an inline string (it can never become a formula, and the
shared strings part stays as it was).
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from ..core.a1 import cell_ref
from .ooxml import MAIN, REL, XML_SPACE, q
from .strings import escape_text

# Excel's default margins, in inches
_MARGINS = (("left", 0.7), ("right", 0.7), ("top", 0.75), ("bottom", 0.75), ("header", 0.3), ("footer", 0.3))


def worksheet(used: str, *, fit_to_page: bool = False, grid_lines: bool = True) -> etree._Element:
    """A worksheet element (its namespace the default one) with what comes before the columns: the used
    range ``used`` ("A1:B9"), one sheet view (``grid_lines`` shown or not), rows 15 points high; printed one
    page wide with ``fit_to_page``."""
    root = etree.Element(q("worksheet"), nsmap={None: MAIN, "r": REL})  # type: ignore[dict-item]  # None: the default namespace, as lxml takes it (its stubs want str)
    if fit_to_page:
        etree.SubElement(etree.SubElement(root, q("sheetPr")), q("pageSetUpPr")).set("fitToPage", "1")
    etree.SubElement(root, q("dimension")).set("ref", used)
    view = etree.SubElement(etree.SubElement(root, q("sheetViews")), q("sheetView"))
    if not grid_lines:
        view.set("showGridLines", "0")
    view.set("workbookViewId", "0")
    etree.SubElement(root, q("sheetFormatPr")).set("defaultRowHeight", "15")
    return root


def add_columns(root: etree._Element, widths: Sequence[tuple[int, int, float]]) -> None:
    """The sheet's ``cols``: each (first column, last column, width in characters)."""
    cols = etree.SubElement(root, q("cols"))
    for first, last, width in widths:
        col = etree.SubElement(cols, q("col"))
        for key, value in (("min", first), ("max", last), ("width", width), ("customWidth", 1)):
            col.set(key, str(value))


def add_page_margins(root: etree._Element) -> None:
    margins = etree.SubElement(root, q("pageMargins"))
    for key, inches in _MARGINS:
        margins.set(key, str(inches))


def add_text_cell(row: etree._Element, column: int, text: str, *, keep_spaces: bool = False) -> etree._Element:
    """A cell in ``row`` holding ``text`` as an inline string (none for ""); its spaces kept as they are where
    the text starts or ends with one or holds a line break, or always with ``keep_spaces``."""
    cell = etree.SubElement(row, q("c"))
    cell.set("r", cell_ref(int(row.get("r", "0")), column))
    if text:
        cell.set("t", "inlineStr")
        t = etree.SubElement(etree.SubElement(cell, q("is")), q("t"))
        t.text = escape_text(text)
        if keep_spaces or text != text.strip() or "\n" in text:
            t.set(XML_SPACE, "preserve")
    return cell
