"""What python-docx has no API for, written on the document's XML through its public element trees
(``Document.element``, ``Part.element``, ``BaseStyle.element``, ``Styles.element``): cell shading, rows that
repeat or never split, table titles for screen readers, page-number fields, the document language, heading
outline levels and the alt text of pictures. Each child is put where the schema orders it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:
    from docx.document import Document

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _child(parent: etree._Element, tag: str, order: list[str]) -> etree._Element:
    """The child ``w:tag`` of ``parent``, made and put in schema order when missing."""
    found = parent.find(w(tag))
    if found is not None:
        return found
    made = etree.Element(w(tag))
    rank = order.index(tag) if tag in order else len(order)
    for index, existing in enumerate(parent):
        name = etree.QName(existing).localname
        if name in order and order.index(name) > rank:
            parent.insert(index, made)
            return made
    parent.append(made)
    return made


# CT_TcPr, CT_TrPr, CT_TblPr and CT_PPr children in schema order
TC_PR = [
    "cnfStyle",
    "tcW",
    "gridSpan",
    "hMerge",
    "vMerge",
    "tcBorders",
    "shd",
    "noWrap",
    "tcMar",
    "textDirection",
    "tcFitText",
    "vAlign",
    "hideMark",
    "headers",
    "cellIns",
    "cellDel",
    "cellMerge",
    "tcPrChange",
]
TR_PR = ["cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit", "trHeight", "tblHeader"]
TBL_PR = [
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
    "tblCaption",
    "tblDescription",
]
P_PR = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]
R_PR = [
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
]


def last_table(document: Document) -> etree._Element:
    """The body's last table: the one just added."""
    return document.element.body.findall(w("tbl"))[-1]


def rows(tbl: etree._Element) -> list[etree._Element]:
    return tbl.findall(w("tr"))


def cells(tr: etree._Element) -> list[etree._Element]:
    return tr.findall(w("tc"))


def _pr(element: etree._Element, tag: str) -> etree._Element:
    """``w:tcPr`` / ``w:trPr`` / ``w:tblPr``: first child of its element (after tblPrEx in a row)."""
    found = element.find(w(tag))
    if found is None:
        found = etree.Element(w(tag))
        index = 1 if tag == "trPr" and element.find(w("tblPrEx")) is not None else 0
        element.insert(index, found)
    return found


def shade(tc: etree._Element, fill: str) -> None:
    """A solid cell fill (RGB hex)."""
    shd = _child(_pr(tc, "tcPr"), "shd", TC_PR)
    shd.set(w("val"), "clear")
    shd.set(w("color"), "auto")
    shd.set(w("fill"), fill.upper())


def align_cell(tc: etree._Element, vertical: str = "center") -> None:
    _child(_pr(tc, "tcPr"), "vAlign", TC_PR).set(w("val"), vertical)


def header_row(tr: etree._Element) -> None:
    """The row is the table's header: repeated on each page and read as headers by screen readers."""
    tr_pr = _pr(tr, "trPr")
    _child(tr_pr, "cantSplit", TR_PR)
    _child(tr_pr, "tblHeader", TR_PR)


def keep_row_whole(tr: etree._Element) -> None:
    """A row is never split across two pages."""
    _child(_pr(tr, "trPr"), "cantSplit", TR_PR)


def keep_row_with_next(tr: etree._Element) -> None:
    """Each paragraph of the row keeps with the next: a section's heading row never ends a page."""
    for p in tr.iter(w("p")):
        _child(_pr(p, "pPr"), "keepNext", P_PR)


def describe_table(tbl: etree._Element, title: str, description: str) -> None:
    """The table's title and description, as Word's Alt Text for tables (read by screen readers)."""
    tbl_pr = _pr(tbl, "tblPr")
    _child(tbl_pr, "tblCaption", TBL_PR).set(w("val"), title[:255])
    _child(tbl_pr, "tblDescription", TBL_PR).set(w("val"), description[:4000])


def page_number_paragraph(container: etree._Element, size_half_points: int = 18) -> None:
    """A centred "Page X of Y" paragraph (PAGE and NUMPAGES fields) at the end of a header or footer part."""
    p = etree.SubElement(container, w("p"))
    p_pr = etree.SubElement(p, w("pPr"))
    etree.SubElement(p_pr, w("jc")).set(w("val"), "center")

    def run(parent: etree._Element, text: str) -> None:
        r = etree.SubElement(parent, w("r"))
        r_pr = etree.SubElement(r, w("rPr"))
        etree.SubElement(r_pr, w("sz")).set(w("val"), str(size_half_points))
        t = etree.SubElement(r, w("t"))
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")

    run(p, "Page ")
    for instruction, placeholder, after in ((" PAGE ", "1", " of "), (" NUMPAGES ", "1", "")):
        field = etree.SubElement(p, w("fldSimple"))
        field.set(w("instr"), instruction)
        run(field, placeholder)
        if after:
            run(p, after)


def has_page_field(container: etree._Element) -> bool:
    """Whether a header or footer part already numbers its pages."""
    simple = any("PAGE" in (f.get(w("instr")) or "") for f in container.iter(w("fldSimple")))
    return simple or any("PAGE" in (t.text or "") for t in container.iter(w("instrText")))


def set_language(styles_element: etree._Element, language: str, replace: bool = False) -> None:
    """The document's language (docDefaults); one a template sets is kept unless ``replace``."""
    defaults = styles_element.find(w("docDefaults"))
    if defaults is None:
        defaults = etree.Element(w("docDefaults"))
        styles_element.insert(0, defaults)
    r_pr_default = defaults.find(w("rPrDefault"))
    if r_pr_default is None:
        r_pr_default = etree.Element(w("rPrDefault"))
        defaults.insert(0, r_pr_default)
    r_pr = r_pr_default.find(w("rPr"))
    if r_pr is None:
        r_pr = etree.SubElement(r_pr_default, w("rPr"))
    lang = _child(r_pr, "lang", R_PR)
    if replace or not lang.get(w("val")):
        lang.set(w("val"), language)


def language_of(styles_element: etree._Element) -> str | None:
    lang = styles_element.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}/{w('lang')}")
    return None if lang is None else lang.get(w("val"))


def outline_level(style_element: etree._Element, level: int) -> None:
    """A paragraph style that is a heading for navigation, tables of contents and screen readers."""
    p_pr = style_element.find(w("pPr"))
    if p_pr is None:
        p_pr = etree.SubElement(style_element, w("pPr"))
    _child(p_pr, "outlineLvl", P_PR).set(w("val"), str(level))


def pictures(document: Document) -> list[etree._Element]:
    """Every picture's ``wp:docPr`` in the body, in document order."""
    return list(document.element.body.iter(f"{{{WP}}}docPr"))


def describe_pictures(document: Document, skip: int, texts: Iterable[str]) -> None:
    """Alt text for the pictures added after the first ``skip`` (a template's own), in the order added."""
    for doc_pr, text in zip(pictures(document)[skip:], texts, strict=False):
        doc_pr.set("descr", text)
        doc_pr.set("title", text[:120])


def plain_style(style_element: etree._Element) -> None:
    """A style's own font names over its theme fonts (which win over them), and no paragraph border."""
    for fonts in style_element.iter(w("rFonts")):
        for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            if w(attribute) in fonts.attrib:
                del fonts.attrib[w(attribute)]
    for border in style_element.iter(w("pBdr")):
        parent = border.getparent()
        if parent is not None:
            parent.remove(border)
