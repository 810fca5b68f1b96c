"""Names of the Open XML formats, and the one XML policy every part is read and written with.

Every XML part of a package, a workbook's or a Word template's, whatever its name (``.xml``,
``.XML``, ``.bin``, ``.rels``) or encoding (UTF-8, UTF-16), is read through ``parse`` or
``iterparse`` here: the part's prolog is read first by an XML parser (expat, which knows the
encodings and skips comments and processing instructions as the format defines them) and a part
that declares a DTD is refused, however the declaration is placed. No Open XML part needs a DTD,
and a DTD is how entity bombs and external entities are built. lxml then parses with entities left
unexpanded, no network and its size limits on. ``check_written`` parses every part a save writes,
so a part that is not well-formed is never written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.parsers import expat

from lxml import etree

from ..errors import WorkbookError

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"  # Excel 2010's extensions of a worksheet
XM = "http://schemas.microsoft.com/office/excel/2006/main"  # their ranges and formulas

# No entity expansion, no network, libxml2's size limits on: a crafted part cannot blow up memory.
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)

_PROLOG_PIECE = 4096  # the prolog is read this much at a time: it ends at the root's start tag


class _Doctype(Exception):
    pass


class _Root(Exception):
    pass


def _doctype(*_: object) -> None:
    raise _Doctype


def _root(*_: object) -> None:
    raise _Root


def prolog(pieces: Iterable[bytes]) -> str:
    """What the part's prolog holds, read by expat until the root element starts: "root" (no DTD),
    "dtd" (a document type declaration, wherever it stands before the root), or expat's complaint
    (not XML, an encoding Open XML does not allow, nothing before the end)."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _doctype
    parser.StartElementHandler = _root
    try:
        for piece in pieces:
            for start in range(0, len(piece), _PROLOG_PIECE):
                parser.Parse(piece[start : start + _PROLOG_PIECE], False)
        parser.Parse(b"", True)
    except _Doctype:
        return "dtd"
    except _Root:
        return "root"
    except expat.ExpatError as error:
        return expat.ErrorString(error.code) or "not XML"
    return "no root element"


def looks_like_xml(head: bytes) -> bool:
    """Whether a part's first bytes start XML (after a byte order mark, in UTF-8 or UTF-16)."""
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            return True
    stripped = head.lstrip(b" \t\r\n")
    return stripped.startswith((b"<", b"<\x00", b"\x00<"))


def dtd_refusal(part: str, file: str | Path | None) -> WorkbookError:
    return WorkbookError(
        f"refused: part {part} declares a DTD, which no Open XML part needs (it is how XML entity bombs and "
        "external entities are built)",
        file=file,
    )


def check_prolog(data: bytes, part: str, file: str | Path | None) -> None:
    """Refuse a part whose prolog declares a DTD, or that does not start as XML in an encoding we read."""
    found = prolog((data,))
    if found == "dtd":
        raise dtd_refusal(part, file)
    if found != "root":
        raise WorkbookError(f"is damaged: part {part} is not well-formed XML ({found})", file=file)


def parse(data: bytes, part: str, file: str | Path | None) -> etree._Element:
    """A part's root element, read under the policy (see the module's docstring)."""
    check_prolog(data, part, file)
    try:
        root = etree.fromstring(data, PARSER)
    except etree.XMLSyntaxError as error:
        raise WorkbookError(f"is damaged: part {part} is not well-formed XML ({error})", file=file) from None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise dtd_refusal(part, file)  # expat and libxml2 read the prolog alike; this is the second look
    return root


def iterparse(
    data: bytes, part: str, file: str | Path | None, tags: tuple[str, ...]
) -> Iterator[tuple[str, etree._Element]]:
    """End events for ``tags`` in a part, streamed, read under the policy."""
    import io

    check_prolog(data, part, file)
    events = etree.iterparse(
        io.BytesIO(data),
        events=("end",),
        tag=tags,
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        remove_blank_text=False,
    )
    try:
        yield from events
    except etree.XMLSyntaxError as error:
        raise WorkbookError(f"is damaged: part {part} is not well-formed XML ({error})", file=file) from None


def forget(element: etree._Element) -> None:
    """Drop an element ``iterparse`` gave, once read, and the siblings before it (read before it) from the
    tree being built: a streamed part then holds only the element being read, and parses faster too."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def well_formed(data: bytes) -> str | None:
    """None when ``data`` is a well-formed XML document with its namespaces bound and no DTD; else why not."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _doctype
    try:
        parser.Parse(data, True)
    except _Doctype:
        return "it declares a DTD"
    except expat.ExpatError as error:
        return f"{expat.ErrorString(error.code)}, line {error.lineno}, column {error.offset}"
    return None


def check_written(data: bytes, part: str, file: str | Path | None) -> None:
    """Refuse to write a part that is not well-formed XML: the next read would call the file damaged."""
    problem = well_formed(data)
    if problem is not None:
        raise WorkbookError(
            f"was not written: the new part {part} would not be well-formed XML ({problem}); this is a fault in "
            "scorecard, please report it. The original is unchanged",
            file=file,
        )


def q(tag: str) -> str:
    """A tag in the main spreadsheet namespace, as lxml names it."""
    return f"{{{MAIN}}}{tag}"


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
