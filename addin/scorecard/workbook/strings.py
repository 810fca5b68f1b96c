"""A cell's text as the package stores it: Excel's escapes, the shared strings, inline strings.

Excel keeps most of a sheet's texts once, in the shared strings part, and a cell refers to one by its
index; a cell may also hold its text inline (``t="inlineStr"``, as a refresh writes). Either way a text
is one or more runs, and control characters are written as escapes (below). The reader and the writer
both read texts through here, so a text reads the same wherever it is kept.
"""

from __future__ import annotations

import re

from lxml import etree

from .ooxml import forget, q
from .package import Package, Workbook

# --- text as Excel stores it ------------------------------------------------------------------------
# A cell's text cannot hold most control characters in XML, so Excel writes them as _xHHHH_ (the
# character's code in hex), and writes a literal "_xHHHH_" with its underscore escaped: _x005F_xHHHH_.
# These are XlsxWriter's rules (xmlwriter._escape_control_characters), which follow Excel's, with one
# refinement: every underscore that would start an escape is escaped, so "_x005F_x000D_" written and
# read back is itself, where XlsxWriter's non-overlapping match would leave the second one bare.

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_LITERAL = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")  # an underscore that would start an escape
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")


def unescape_text(text: str) -> str:
    """A cell's stored text as Excel shows it: _x000D_ -> carriage return, _x005F_x000D_ -> "_x000D_"."""

    def character(match: re.Match[str]) -> str:
        code = int(match.group(1), 16)
        return match.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)  # a lone surrogate is no character

    return _ESCAPE.sub(character, text)


def escape_text(text: str) -> str:
    """Text as Excel stores it in a cell: the inverse of ``unescape_text``."""
    if "_x" in text:
        text = _LITERAL.sub("_x005F_", text)
    if text.isprintable():  # no control character (the usual text): nothing to escape
        return text
    return _CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", text)


def xml_text(text: str) -> str:
    """Text as XML character data: &, < and > escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cell_xml(text: str) -> str:
    """A cell's text as its ``<t>`` element holds it in the XML: Excel's escapes, then XML's."""
    return xml_text(escape_text(text))


# --- reading texts ------------------------------------------------------------------------------------

_T, _R = q("t"), q("r")


def text_of(node: etree._Element) -> str:
    """The text of a shared string item or inline string: its runs joined, phonetic guides left out."""
    if len(node) == 1 and node[0].tag == _T:  # plain text, the usual case
        text = node[0].text or ""
        return unescape_text(text) if "_x" in text else text
    parts = []
    for child in node:
        if child.tag == _T:
            parts.append(child.text or "")
        elif child.tag == _R:
            for run in child:
                if run.tag == _T:
                    parts.append(run.text or "")
    text = "".join(parts)
    return unescape_text(text) if "_x" in text else text


def shared_strings(package: Package, workbook: Workbook) -> list[str]:
    """The workbook's shared strings as Excel shows them, by index, streamed item by item."""
    part = workbook.related_part("/sharedStrings")
    if part is None:
        return []
    strings: list[str] = []
    for _, item in package.iterparse(part, (q("si"),)):
        strings.append(text_of(item))
        forget(item)
    return strings


def sheet_texts(package: Package, workbook: Workbook, part: str) -> list[str]:
    """The texts of a sheet's cells, inline or shared (Excel and LibreOffice move a sheet's texts to the
    shared strings when they save it), for telling a sheet scorecard wrote by its provenance line."""
    texts: list[str] = []
    shared: list[str] | None = None
    for cell in package.xml(part).iter(q("c")):
        if cell.get("t") != "s":
            texts += [str(text) for text in cell.itertext()]
            continue
        if shared is None:
            shared = shared_strings(package, workbook)
        index = (cell.findtext(q("v")) or "").strip()
        if index.isdigit() and int(index) < len(shared):
            texts.append(shared[int(index)])
    return texts
