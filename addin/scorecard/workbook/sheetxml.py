"""The worksheet XML a refresh edits: a few cells per KPI row, spliced into the part's bytes.

A scorecard sheet can hold hundreds of thousands of cells, of which a refresh changes two per KPI.
``SheetSplice`` finds the rows it needs in the part's bytes; ``RowText`` replaces or inserts just
the cells it is told to, as text, leaving every other byte of the row as it was; the few elements
around the cell table a refresh may edit (``<cols>``, and the conditional formats after the
table) are parsed with lxml on their own. Time and memory follow the part's size, not a tree of
every cell, and nothing a refresh does not mean to change can change.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from ..errors import WorkbookError, column_letter
from .ooxml import PARSER, XML_SPACE, q

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DIGITS = b"0123456789"
_COLUMNS: dict[bytes, int] = {}


def column_number(letters: str | bytes) -> int:
    """'A' -> 1, 'AA' -> 27 (cached: a sheet has few distinct columns and many cells)."""
    key = letters.encode() if isinstance(letters, str) else letters
    number = _COLUMNS.get(key)
    if number is None:
        number = 0
        for ch in key:
            number = number * 26 + ch - 64
        _COLUMNS[key] = number
    return number


def clean(text: str) -> str:
    """Text as XML can hold it: control characters other than tab and newlines dropped."""
    return _CONTROL.sub("", text)


def set_text(cell: etree._Element, text: str, style: int | None) -> None:
    """Write text into a cell element as an inline string (a new sheet's cells)."""
    for child in list(cell):
        cell.remove(child)
    for attribute in ("t", "cm", "vm"):
        cell.attrib.pop(attribute, None)
    if style is not None:
        cell.set("s", str(style))
    if text:
        cell.set("t", "inlineStr")
        inline = etree.SubElement(cell, q("is"))
        t = etree.SubElement(inline, q("t"))
        t.text = clean(text)
        if text != text.strip() or "\n" in text:
            t.set(XML_SPACE, "preserve")


def _escape(text: str) -> bytes:
    return clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("utf-8")


_STYLE = re.compile(rb'\bs="(\d+)"')
_CUSTOM_FORMAT = re.compile(rb'\bcustomFormat="(1|true)"')


class _Patterns:
    def __init__(self, prefix: bytes):
        p = re.escape(prefix)
        self.row_start = re.compile(rb"<" + p + rb"row\b([^>]*?)(/?)>")
        # a cell, capturing its column letters when it has a reference
        self.cell = re.compile(rb"<" + p + rb'c\b(?:[^>]*?\sr="([A-Z]+)\d+")?[^>]*?(?:/>|>.*?</' + p + rb"c>)", re.S)


_PATTERNS: dict[bytes, _Patterns] = {}


def _patterns(prefix: bytes) -> _Patterns:
    if prefix not in _PATTERNS:
        _PATTERNS[prefix] = _Patterns(prefix)
    return _PATTERNS[prefix]


class RowText:
    """One row of a worksheet as bytes: read a cell's style or formula, replace or insert cells.

    Text is written as an inline string (``t="inlineStr"``): it can never become a formula, and the
    shared strings part stays as it was. Cells are kept in column order, as the format requires.
    """

    def __init__(self, text: bytes, number: int, prefix: bytes):
        self.text, self.number, self.prefix = text, number, prefix
        patterns = _patterns(prefix)
        start = patterns.row_start.match(text)
        self.start_tag_end = start.end()
        self.attributes = start.group(1)
        self.self_closing = bool(start.group(2))
        self.cells: dict[int, tuple[int, int]] = {}  # column -> (start, end) of the cell's bytes
        if not self.self_closing:
            position = 0
            for match in patterns.cell.finditer(text, self.start_tag_end):
                letters = match.group(1)
                position = column_number(letters) if letters else position + 1
                self.cells[position] = match.span()
        self.new: dict[int, bytes] = {}

    def _tag(self, column: int) -> bytes | None:
        span = self.cells.get(column)
        if span is None:
            return None
        return self.text[span[0] : self.text.index(b">", span[0])]

    def style(self, column: int) -> int | None:
        """The cell's style index, or None when the row has no such cell."""
        tag = self._tag(column)
        if tag is None:
            return None
        found = _STYLE.search(tag)
        return int(found.group(1)) if found else 0

    def row_style(self) -> int | None:
        if _CUSTOM_FORMAT.search(self.attributes):
            found = _STYLE.search(self.attributes)
            return int(found.group(1)) if found else 0
        return None

    def has_formula(self, column: int) -> bool:
        span = self.cells.get(column)
        return span is not None and b"<" + self.prefix + b"f" in self.text[span[0] : span[1]]

    def set(self, column: int, text: str, style: int) -> None:
        p = self.prefix
        reference = f"{column_letter(column)}{self.number}".encode()
        if not text:
            self.new[column] = b"<" + p + b'c r="' + reference + b'" s="%d"/>' % style
            return
        space = b' xml:space="preserve"' if text != text.strip() or "\n" in text else b""
        self.new[column] = (b"<" + p + b'c r="' + reference + b'" s="%d" t="inlineStr"><' % style + p + b"is><" + p + b"t"
                            + space + b">" + _escape(text) + b"</" + p + b"t></" + p + b"is></" + p + b"c>")  # fmt: skip

    def render(self) -> bytes:
        if not self.new:
            return self.text
        p = self.prefix
        out = []
        if self.self_closing:
            out.append(self.text[: self.start_tag_end - 2] + b">")
            tail = b"</" + p + b"row>"
            body_end = len(self.text)
            position = len(self.text)
        else:
            out.append(self.text[: self.start_tag_end])
            body_end = self.text.rindex(b"</" + p + b"row>")
            tail = self.text[body_end:]
            position = self.start_tag_end
        columns = sorted(set(self.cells) | set(self.new))
        for column in columns:
            existing = self.cells.get(column)
            if existing is not None:
                start, end = existing
                out.append(self.text[position:start])
                out.append(self.new.get(column, self.text[start:end]))
                position = end
            else:
                next_existing = [span[0] for c, span in self.cells.items() if c > column]
                insert_at = min(next_existing) if next_existing else body_end
                out.append(self.text[position:insert_at])
                out.append(self.new[column])
                position = insert_at
        if not self.self_closing:
            out.append(self.text[position:body_end])
        out.append(tail)
        rendered = b"".join(out)
        highest = max(self.new)
        spans = re.search(rb'\bspans="(\d+):(\d+)"', rendered[: rendered.index(b">")])
        if spans and highest > int(spans.group(2)):
            rendered = rendered[: spans.start(2)] + str(highest).encode() + rendered[spans.end(2) :]
        return rendered


class _Fragment:
    """Elements cut from the part, parsed inside a wrapper carrying the root's namespace declarations."""

    def __init__(self, declarations: bytes, text: bytes, where: Path | None):
        try:
            self.wrapper = etree.fromstring(b"<scorecard-fragment " + declarations + b">" + text + b"</scorecard-fragment>", PARSER)
        except etree.XMLSyntaxError as error:
            raise WorkbookError(f"is damaged: the sheet's XML is not well formed ({error})", file=where) from None

    def text(self) -> bytes:
        if len(self.wrapper) == 0:
            return b""
        out = etree.tostring(self.wrapper, encoding="UTF-8", xml_declaration=False)
        return out[out.index(b">") + 1 : out.rindex(b"</")]


_TAG = re.compile(
    rb"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>"
    rb"|<(/?)([A-Za-z_][\w.:-]*)(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*(/?)>",
    re.S,
)


def top_level(text: bytes) -> list[tuple[str, int, int]]:
    """(local name, start, end) of each top-level element of an XML fragment, found by tracking depth.

    Element names are also used inside others (an ``extLst`` in a ``cfRule``), so the place of a
    top-level element is found this way, not by searching for its name."""
    found: list[tuple[str, int, int]] = []
    depth, start, name = 0, 0, ""
    for match in _TAG.finditer(text):
        if match.group(2) is None:  # comment, processing instruction, CDATA
            continue
        closing, self_closing = match.group(1), match.group(3)
        if closing:
            depth -= 1
            if depth == 0:
                found.append((name, start, match.end()))
        elif self_closing:
            if depth == 0:
                found.append((match.group(2).decode().rpartition(":")[2], match.start(), match.end()))
        else:
            if depth == 0:
                start, name = match.start(), match.group(2).decode().rpartition(":")[2]
            depth += 1
    return found


class SheetSplice:
    """The bytes of a worksheet part, with the pieces a refresh edits cut out and put back."""

    def __init__(self, data: bytes, where: Path | None = None):
        self.data, self.where = data, where
        root = re.search(rb"<([A-Za-z_][\w.-]*:)?worksheet\b[^>]*>", data)
        if root is None:
            raise WorkbookError("is damaged: the sheet part has no worksheet element", file=where)
        self.prefix = root.group(1) or b""
        self.declarations = b" ".join(re.findall(rb'xmlns(?::[\w.-]+)?="[^"]*"', root.group(0)))
        p = re.escape(self.prefix)
        data_open = re.compile(rb"<" + p + rb"sheetData\b[^>]*?(/?)>").search(data, root.end())
        if data_open is None:
            raise WorkbookError("is damaged: the sheet part has no sheetData", file=where)
        self.head_end = data_open.start()
        if data_open.group(1):  # <sheetData/>: no rows at all
            self.rows_start = self.rows_end = self.tail_start = data_open.end()
        else:
            close = data.find(b"</" + self.prefix + b"sheetData>", data_open.end())
            self.rows_start, self.rows_end = data_open.end(), close
            self.tail_start = close + len(b"</" + self.prefix + b"sheetData>")
        self.tail_end = data.rindex(b"</" + self.prefix + b"worksheet>")
        self._row_pattern = re.compile(rb"<" + p + rb"row\b([^>]*?)(?:/>|>.*?</" + p + rb"row>)", re.S)
        self._spans: dict[int, tuple[int, int]] | None = None
        self._rows: dict[int, RowText] = {}
        self._rendered: dict[int, bytes] = {}  # rows finished early, to free their RowText
        self._head: _Fragment | None = None
        self._head_span: tuple[int, int] = (self.head_end, self.head_end)
        self._head_edited = False
        self._tail: _Fragment | None = None
        self._tail_bytes: bytes | None = None
        self._dimension: str | None = None

    def _index(self) -> dict[int, tuple[int, int]]:
        if self._spans is None:
            spans, number = {}, 0
            for match in self._row_pattern.finditer(self.data, self.rows_start, self.rows_end):
                r = re.search(rb'\br="(\d+)"', match.group(1))
                number = int(r.group(1)) if r else number + 1
                spans[number] = (match.start(), match.end())
            self._spans = spans
        return self._spans

    def row(self, number: int) -> RowText:
        """The row to edit (it must exist: a KPI row or the header row always does)."""
        if number in self._rendered:
            raise RuntimeError(f"row {number} was already finished")
        if number not in self._rows:
            span = self._index().get(number)
            if span is None:
                raise WorkbookError(f"row {number} is not in the sheet's XML", file=self.where)
            self._rows[number] = RowText(self.data[span[0] : span[1]], number, self.prefix)
        return self._rows[number]

    def finish(self, number: int) -> None:
        """Render an edited row now and let go of its parsed form (a large sheet has many)."""
        row = self._rows.pop(number, None)
        if row is not None and row.new:
            self._rendered[number] = row.render()

    def cols(self) -> etree._Element | None:
        if self._head is None:
            p = re.escape(self.prefix)
            match = re.compile(rb"<" + p + rb"cols\b.*?</" + p + rb"cols>", re.S).search(self.data, 0, self.head_end)
            if match:
                self._head_span = (match.start(), match.end())
            self._head = _Fragment(self.declarations, match.group(0) if match else b"", self.where)
        return self._head.wrapper[0] if len(self._head.wrapper) else None

    def implicit_style(self, number: int, column: int) -> int:
        """The style Excel gives a new cell: the row's, if it has one, else the column's."""
        style = self.row(number).row_style()
        if style is not None:
            return style
        for col in self.cols() if self.cols() is not None else ():
            if int(col.get("min", 0)) <= column <= int(col.get("max", -1)):
                return int(col.get("style", 0))
        return 0

    def add_cols(self) -> etree._Element:
        """The cols element, created (before sheetData) when the sheet has none."""
        cols = self.cols()
        if cols is None:
            cols = etree.SubElement(self._head.wrapper, q("cols"))
        self._head_edited = True
        return cols

    def tail(self) -> etree._Element:
        """A wrapper holding the elements after the cell table (conditional formats, validation, ...)."""
        if self._tail is None:
            self._tail = _Fragment(self.declarations, self.data[self.tail_start : self.tail_end], self.where)
        return self._tail.wrapper

    def tail_mentions(self, text: bytes) -> bool:
        return text in self.data[self.tail_start : self.tail_end]

    def tail_bytes(self) -> bytes:
        """The bytes after the cell table, as last set: edit them with ``set_tail`` to keep every other byte."""
        return self._tail_bytes if self._tail_bytes is not None else self.data[self.tail_start : self.tail_end]

    def set_tail(self, text: bytes) -> None:
        self._tail, self._tail_bytes = None, text

    def parse(self, text: bytes) -> etree._Element:
        """One element cut from this part, parsed with the root's namespace declarations."""
        return _Fragment(self.declarations, text, self.where).wrapper[0]

    def dimension(self) -> str | None:
        match = re.compile(rb"<" + re.escape(self.prefix) + rb'dimension\b[^>]*\bref="([^"]*)"').search(self.data, 0, self.head_end)
        return match.group(1).decode() if match else None

    def set_dimension(self, ref: str) -> None:
        self._dimension = ref

    def render(self) -> bytes:
        """The part's new bytes: the original with the edited pieces put back in place."""
        for number in list(self._rows):
            self.finish(number)
        pieces = [(*self._spans[n], text) for n, text in self._rendered.items()]
        if self._head_edited:
            pieces.append((*self._head_span, self._head.text()))
        if self._dimension is not None:
            match = re.compile(rb"<" + re.escape(self.prefix) + rb'dimension\b[^>]*\bref="([^"]*)"').search(self.data, 0, self.head_end)
            if match:
                pieces.append((match.start(1), match.end(1), self._dimension.encode()))
        if self._tail is not None:
            pieces.append((self.tail_start, self.tail_end, self._tail.text()))
        elif self._tail_bytes is not None:
            pieces.append((self.tail_start, self.tail_end, self._tail_bytes))
        out, position = [], 0
        for start, end, text in sorted(pieces):
            out += [self.data[position:start], text]
            position = end
        out.append(self.data[position:])
        return b"".join(out)
