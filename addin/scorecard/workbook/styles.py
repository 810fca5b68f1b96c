"""The workbook's styles part: the fills, fonts and cell formats a refresh gives cells, added once.

A style a refresh needs is looked for among those the workbook has, whatever their spelling (``_canonical``),
before one is added: a second refresh then leaves styles.xml as the first one left it.
"""

from __future__ import annotations

import copy
from typing import Any

from lxml import etree

from ..core.plan import SYMBOL_FONTS
from ..errors import WorkbookError
from .ooxml import MAIN, PARSER, q
from .package import Package, Workbook, part_path


def _canonical(element: etree._Element) -> tuple[Any, ...]:
    """An element as the format defines it, whatever its spelling: names with their namespaces (not
    their prefixes), attributes in any order, text without the whitespace between elements. A style a
    refresh needs is then found again in a styles part written with an x: prefix."""
    children = tuple(_canonical(child) for child in element if isinstance(child.tag, str))
    return (element.tag, tuple(sorted(element.attrib.items())), (element.text or "").strip(), children)


class Styles:
    """Adds fills, fonts and cell formats to styles.xml, reusing ones already there.

    Reuse is what makes a second refresh leave styles.xml as the first one left it.
    """

    ORDER = [
        "numFmts",
        "fonts",
        "fills",
        "borders",
        "cellStyleXfs",
        "cellXfs",
        "cellStyles",
        "dxfs",
        "tableStyles",
        "colors",
        "extLst",
    ]

    def __init__(self, package: Package, workbook: Workbook):
        self.package = package
        part = None
        for rel in workbook.rels:
            if rel.get("Type", "").endswith("/styles"):
                part = part_path(workbook.part, rel.get("Target", ""))
        if part is None:
            raise WorkbookError("has no styles part; open and save it in Excel first", file=package.path)
        self.part: str = part
        self.root = package.xml(self.part)
        self._cache: dict[tuple[Any, ...], int] = {}

    def _list(self, name: str) -> etree._Element:
        found = self.root.find(q(name))
        if found is None:
            found = etree.Element(q(name))
            position = self.ORDER.index(name)
            later = [self.root.find(q(n)) for n in self.ORDER[position + 1 :]]
            anchor = next((e for e in later if e is not None), None)
            if anchor is None:
                self.root.append(found)
            else:
                anchor.addprevious(found)
        return found

    def _add(self, list_name: str, element: etree._Element) -> int:
        container = self._list(list_name)
        wanted = _canonical(element)
        for index, existing in enumerate(container):
            if _canonical(existing) == wanted:
                return index
        container.append(element)
        container.set("count", str(len(container)))
        self.package.touch(self.part)
        return len(container) - 1

    def _el(self, xml: str) -> etree._Element:
        return etree.fromstring(f'<x xmlns="{MAIN}">{xml}</x>', PARSER)[0]

    def _added(self, list_name: str, xml: str) -> int:
        """``_add`` of an element given as text, remembered: a refresh asks for the same fill thousands of times."""
        key = (list_name, xml)
        if key not in self._cache:
            self._cache[key] = self._add(list_name, self._el(xml))
        return self._cache[key]

    def fill(self, rgb: str) -> int:
        return self._added(
            "fills",
            f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/><bgColor '
            'indexed="64"/></patternFill></fill>',
        )

    # CT_Font's children, in the order the schema requires them
    FONT_ORDER = [
        "b",
        "i",
        "strike",
        "condense",
        "extend",
        "outline",
        "shadow",
        "u",
        "vertAlign",
        "sz",
        "color",
        "name",
        "family",
        "charset",
        "scheme",
    ]

    def font(
        self, *, bold: bool = False, italic: bool = False, size: float | None = None, colour: str | None = None
    ) -> int:
        """The workbook's default font with these changes, added once (Excel checks the children's order)."""
        fonts = self._list("fonts")
        base = copy.deepcopy(fonts[0]) if len(fonts) else self._el('<font><sz val="11"/><name val="Calibri"/></font>')
        children = {child.tag: child for child in base if child.tag not in (q("b"), q("i"), q("color"))}
        if bold:
            children[q("b")] = etree.Element(q("b"))
        if italic:
            children[q("i")] = etree.Element(q("i"))
        if size is not None:
            sz = children.setdefault(q("sz"), etree.Element(q("sz")))
            sz.set("val", f"{size:g}")
        if colour:
            children[q("color")] = etree.Element(q("color"))
            children[q("color")].set("rgb", f"FF{colour}")
        for child in list(base):
            base.remove(child)
        rank = {q(tag): i for i, tag in enumerate(self.FONT_ORDER)}
        for tag in sorted(children, key=lambda t: rank.get(t, len(rank))):
            base.append(children[tag])
        return self._add("fonts", base)

    def cell_format(self, base: int, *, fill: int | None = None, font: int | None = None, wrap: bool = False) -> int:
        key = (base, fill, font, wrap)
        if key in self._cache:
            return self._cache[key]
        xfs = self._list("cellXfs")
        if len(xfs) == 0:
            xfs.append(self._el('<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'))
            xfs.set("count", "1")
        xf = copy.deepcopy(xfs[base] if base < len(xfs) else xfs[0])
        if fill is not None:
            xf.set("fillId", str(fill))
            xf.set("applyFill", "1")
        if font is not None:
            xf.set("fontId", str(font))
            xf.set("applyFont", "1")
        if wrap:
            alignment = xf.find(q("alignment"))
            if alignment is None:
                alignment = etree.Element(q("alignment"))
                xf.insert(0, alignment)
            alignment.set("wrapText", "1")
            alignment.set("vertical", "top")
            xf.set("applyAlignment", "1")
        index = self._add("cellXfs", xf)
        self._cache[key] = index
        return index

    def readable(self, base: int) -> int:
        """``base``, unless its font is a symbol font (Wingdings arrows are a common way to show
        direction of travel): then the same format in the workbook's default font, so the words a
        refresh writes read as words."""
        key = ("readable", base)
        if key not in self._cache:
            xfs, fonts = self._list("cellXfs"), self._list("fonts")
            font_id = int(xfs[base].get("fontId", 0)) if base < len(xfs) else 0
            name = fonts[font_id].find(q("name")) if font_id < len(fonts) else None
            symbol = name is not None and name.get("val", "").strip().casefold() in SYMBOL_FONTS
            self._cache[key] = self.cell_format(base, font=0) if symbol else base
        return self._cache[key]

    def dxf(self, rgb: str) -> int:
        return self._added("dxfs", f'<dxf><fill><patternFill><bgColor rgb="FF{rgb}"/></patternFill></fill></dxf>')
