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
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from lxml import etree

from ..core.a1 import KNOWN_COLUMNS, column_letter, column_number, row_number
from ..errors import WorkbookError
from .ooxml import MAIN, PARSER, q
from .strings import cell_xml

_DIGITS = b"0123456789"
# --- finding elements in the part's bytes ------------------------------------------------------------
# The patterns below read markup as XML defines it, not as one writer spells it: any namespace prefix
# (x:row as the Open XML SDK writes), single or double quotes, whitespace around "=" and between
# attributes, ">" inside attribute values and text, and comments, CDATA sections and processing
# instructions skipped whole (a "<row" inside one is not a row). Attribute values are read with
# their entities (&#49;) resolved.

_COLUMN_LETTERS = rb"(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*?\s+r\s*=\s*[\"']\s*\$?([A-Za-z]+)"
_PREFIX = rb"(?:[A-Za-z_][\w.\-]*+:)?"
_ATTRS = rb"(?:\s++[^\s=/>]++\s*+=\s*+(?:\"[^\"]*+\"|'[^']*+'))*+\s*+"
_SKIP = rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>"
_ATTRIBUTE = re.compile(rb"([^\s=/>]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ENTITY = re.compile(rb"&(#x[0-9A-Fa-f]+|#\d+|amp|lt|gt|quot|apos);")
_NAMED = {b"amp": b"&", b"lt": b"<", b"gt": b">", b"quot": b'"', b"apos": b"'"}
_MAIN = MAIN.encode()


_CLOSE = re.compile(rb"\s*>")


class _Patterns:
    """The patterns for one part.

    ``exact`` ones skip comments, CDATA and processing instructions; a part with none of those
    (nearly every one) gets plain ones, which find the same elements faster, since there "<" only
    ever opens a tag. ``prefix`` is the one prefix every element of the part's main namespace
    carries, when the declarations guarantee that; otherwise (None) any prefix is accepted.
    """

    def __init__(self, prefix: bytes | None, exact: bool):
        self.prefix, self.exact = prefix, exact
        any_prefix = _PREFIX if prefix is None else re.escape(prefix)

        def start(name: bytes) -> bytes:  # groups: prefix, attributes, "/" when the element is empty
            return rb"<(" + any_prefix + rb")" + name + rb"(?=[\s/>])(" + _ATTRS + rb")(/?)>"

        def end(name: bytes) -> bytes:
            return rb"</" + any_prefix + name + rb"\s*>"

        def finder(pattern: bytes) -> re.Pattern[bytes]:  # a match whose ``lastindex`` is None was skipped markup
            return re.compile((_SKIP + rb"|" if exact else b"") + pattern, re.S)

        def element(name: bytes) -> bytes:  # a whole element (none of these nests in itself)
            if exact:
                content = (
                    rb"(?:[^<]++|"
                    + _SKIP
                    + rb"|<(?!/"
                    + any_prefix
                    + name
                    + rb"\s*>)[^<>\"']*+(?:(?:\"[^\"]*\"|'[^']*')[^<>\"']*+)*+>)*+"
                )
            else:
                content = rb".*?"
            return start(name)[:-5] + rb"(?:/>|>" + content + end(name) + rb")"

        self.root = finder(start(b"worksheet"))
        self.sheet_data = finder(start(b"sheetData"))
        self.sheet_data_end = finder(rb"(" + end(b"sheetData") + rb")")
        self.worksheet_end = finder(rb"(" + end(b"worksheet") + rb")")
        self.rows = finder(element(b"row"))
        self.row_start = re.compile(start(b"row"))
        # a cell, with (group 2) the column letters of its reference when it has a plain one
        self.cells = finder(
            element(b"c").replace(rb"c(?=[\s/>])", rb"c(?=[\s/>])(?:(?=" + _COLUMN_LETTERS + rb"))?", 1)
        )
        self.formula = finder(rb"(<" + any_prefix + rb"f(?=[\s/>]))")
        self.cols = finder(element(b"cols"))
        self.dimension = finder(start(b"dimension"))
        self.row_end = None if prefix is None else b"</" + prefix + b"row"

    def row_spans(self, data: bytes, start: int, end: int) -> Iterator[tuple[int, int, bytes]]:
        """(start, end, attributes of the start tag) of each row element between ``start`` and ``end``.

        Where "<" only opens tags and every row's prefix is known, a row ends at the first end tag
        after its start tag: that is found by searching for the text "</row" (the fast way, as a
        sheet has many rows), not by a pattern matching every character of the row."""
        if self.exact or self.row_end is None:
            for match in self.rows.finditer(data, start, end):
                if match.lastindex is not None:
                    yield match.start(), match.end(), match.group(2)
            return
        position, row_end = start, self.row_end
        while (opening := self.row_start.search(data, position, end)) is not None:
            if opening.group(3):  # <row .../>
                yield opening.start(), opening.end(), opening.group(2)
                position = opening.end()
                continue
            at = opening.end()
            while (at := data.find(row_end, at, end)) >= 0:
                closing = _CLOSE.match(data, at + len(row_end), end)
                if closing is not None:
                    break
                at += 1  # "</rowx": another element's end tag
            else:
                return  # a row that is not closed, nor any after it
            yield opening.start(), closing.end(), opening.group(2)
            position = closing.end()


_CACHE: dict[tuple[bytes | None, bool], _Patterns] = {}


def _patterns_for(prefix: bytes | None, exact: bool) -> _Patterns:
    key = (prefix, exact)
    if key not in _CACHE:
        _CACHE[key] = _Patterns(prefix, exact)
    return _CACHE[key]


_GENERIC = _patterns_for(None, True)


def _patterns(data: bytes) -> _Patterns:
    """The fastest patterns that are exact for this part."""
    root = _first(_GENERIC.root, data)
    if root is None:
        return _GENERIC
    exact = b"<!" in data or data.find(b"<?", root.start()) >= 0  # find, not a slice: the part can be megabytes
    declared = [
        m.group(1)[6:]
        for m in _ATTRIBUTE.finditer(root.group(2))
        if (m.group(1) == b"xmlns" or m.group(1).startswith(b"xmlns:"))
        and _value(m.group(2) or m.group(3) or b"") == _MAIN
    ]
    if len(declared) == 1 and data.find(b"xmlns", root.end()) < 0:
        prefix = declared[0] + b":" if declared[0] else b""
        return _patterns_for(prefix, exact)  # one binding, never redeclared: every main element has this prefix
    return _patterns_for(None, exact)


_ROW_START = _GENERIC.row_start
# r="..." among a tag's attributes, walking them one by one (so never inside another attribute's value)
_ROW_NUMBER = re.compile(rb"(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*?\s+r\s*=\s*[\"']\s*(\d+)\s*[\"']")
_CELL_COLUMN = re.compile(_COLUMN_LETTERS)
_CELL_STYLE = re.compile(rb"(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*?\s+s\s*=\s*[\"']\s*(\d+)\s*[\"']")


def _value(raw: bytes) -> bytes:
    if b"&" not in raw:
        return raw

    def entity(match: re.Match[bytes]) -> bytes:
        name = match.group(1)
        if name.startswith(b"#x"):
            return chr(int(name[2:], 16)).encode("utf-8")
        if name.startswith(b"#"):
            return chr(int(name[1:])).encode("utf-8")
        return _NAMED[name]

    return _ENTITY.sub(entity, raw)


def attributes(text: bytes, offset: int = 0) -> dict[bytes, tuple[bytes, int, int]]:
    """A tag's attributes: name -> (value with entities resolved, start and end of the raw value)."""
    found = {}
    for match in _ATTRIBUTE.finditer(text):
        group = 2 if match.group(2) is not None else 3
        found[match.group(1)] = (_value(match.group(group)), match.start(group) + offset, match.end(group) + offset)
    return found


def _attribute(text: bytes, name: bytes) -> bytes | None:
    found = attributes(text).get(name)
    return found[0] if found else None


def _first(finder: re.Pattern[bytes], data: bytes, start: int = 0, end: int | None = None) -> re.Match[bytes] | None:
    for match in finder.finditer(data, start, len(data) if end is None else end):
        if match.lastindex is not None:
            return match
    return None


def _row_number(attrs: bytes, previous: int) -> int:
    if b"&" in attrs:
        value = _attribute(attrs, b"r")
        return (row_number(value) or previous + 1) if value else previous + 1
    match = _ROW_NUMBER.match(attrs)
    return row_number(match.group(1)) if match else previous + 1


def _cell_column(attrs: bytes, previous: int) -> int:
    if b"&" in attrs:
        value = _attribute(attrs, b"r")
        letters = value.strip().lstrip(b"$").rstrip(_DIGITS + b"$") if value else b""
        return column_number(letters) if letters.isalpha() else previous + 1
    match = _CELL_COLUMN.match(attrs)
    return column_number(match.group(1)) if match else previous + 1


_LETTERS: dict[int, bytes] = {}  # column -> its letters, as written in a reference


@lru_cache(maxsize=1024)
def _cell_end(text: str, p: bytes) -> bytes:
    """What follows a written cell's style: its text as an inline string (a refresh writes few distinct texts)."""
    if not text:
        return b"/>"
    space = b' xml:space="preserve"' if text != text.strip() or "\n" in text else b""
    return (
        b' t="inlineStr"><'
        + p
        + b"is><"
        + p
        + b"t"
        + space
        + b">"
        + cell_xml(text).encode()
        + b"</"
        + p
        + b"t></"
        + p
        + b"is></"
        + p
        + b"c>"
    )


class RowText:
    """One row of a worksheet as bytes: read a cell's style or formula, replace or insert cells.

    Text is written as an inline string (``t="inlineStr"``): it can never become a formula, and the
    shared strings part stays as it was. Cells are kept in column order, as the format requires, and
    are written with the row's own namespace prefix.
    """

    def __init__(self, text: bytes, number: int, prefix: bytes | None = None, patterns: _Patterns | None = None):
        self.text, self.number = text, number
        self.patterns = patterns = patterns or _GENERIC
        start = patterns.row_start.match(text)
        if start is None:
            raise ValueError(f"row {number}: not a <row> start tag")  # the caller cut the text at a <row
        self.prefix = start.group(1) if prefix is None else prefix
        self.start_tag_end = start.end()
        self.attributes = start.group(2)
        self._attributes_start = start.start(2)  # the start tag is copied unchanged up to its end
        self.self_closing = bool(start.group(3))
        # column -> (start, end, attributes) of the cell's bytes, found as far as a question needs:
        # a refresh asks about a few columns of a row that may have hundreds
        self.cells: dict[int, tuple[int, int, bytes]] = {}
        self._found = 0  # the highest column found so far
        self._matches = None if self.self_closing else patterns.cells.finditer(text, self.start_tag_end)
        self.new: dict[int, bytes] = {}

    def _find(self, column: int) -> None:
        """Find the row's cells up to the first one beyond ``column`` (all of them for column 0)."""
        matches = self._matches
        if matches is None or (column and self._found > column):
            return
        for match in matches:
            if match.lastindex is None:
                continue
            letters, attrs = match.group(2, 3)
            self._found = (
                (KNOWN_COLUMNS.get(letters) or column_number(letters)) if letters else _cell_column(attrs, self._found)
            )
            self.cells[self._found] = (*match.span(), attrs)
            if column and self._found > column:
                return
        self._matches = None

    def style(self, column: int) -> int | None:
        """The cell's style index, or None when the row has no such cell."""
        self._find(column)
        cell = self.cells.get(column)
        if cell is None:
            return None
        attrs = cell[2]
        if b"&" not in attrs:
            match = _CELL_STYLE.match(attrs)
            return int(match.group(1)) if match else 0
        value = _attribute(attrs, b"s")
        return int(value) if value and value.strip().isdigit() else 0

    def row_style(self) -> int | None:
        if b"customFormat" not in self.attributes:  # the usual row: no style of its own, no need to parse
            return None
        found = attributes(self.attributes)
        if found.get(b"customFormat", (b"",))[0].strip() in (b"1", b"true"):
            value = found.get(b"s", (b"0",))[0].strip()
            return int(value) if value.isdigit() else 0
        return None

    def has_formula(self, column: int) -> bool:
        self._find(column)
        cell = self.cells.get(column)
        return cell is not None and _first(self.patterns.formula, self.text, cell[0] + 1, cell[1]) is not None

    def set(self, column: int, text: str, style: int) -> None:
        self._find(column)
        letters = _LETTERS.get(column)
        if letters is None:
            letters = _LETTERS[column] = column_letter(column).encode()
        self.new[column] = b'<%sc r="%s%d" s="%d"%s' % (
            self.prefix,
            letters,
            self.number,
            style,
            _cell_end(text, self.prefix),
        )

    def render(self) -> bytes:
        if not self.new:
            return self.text
        p = self.prefix
        out = []
        if self.self_closing:
            out.append(self.text[: self.text.rindex(b"/")] + b">")
            tail = b"</" + p + b"row>"
            body_end = len(self.text)
            position = len(self.text)
        else:
            out.append(self.text[: self.start_tag_end])
            body_end = self.text.rindex(b"</")
            tail = self.text[body_end:]
            position = self.start_tag_end
        # every cell up to the first beyond the last new one is known (``set`` found them); the rest
        # of the row is copied as it is
        highest = max(self.new)
        # cells kept as they are between two new ones are copied in one slice with the bytes around them
        for column in sorted(self.new):
            existing = self.cells.get(column)
            if existing is not None:
                start, end, _ = existing
                out.append(self.text[position:start])
                out.append(self.new[column])
                position = end
            else:
                next_existing = [cell[0] for c, cell in self.cells.items() if c > column]
                insert_at = min(next_existing) if next_existing else body_end
                out.append(self.text[position:insert_at])
                out.append(self.new[column])
                position = insert_at
        if not self.self_closing:
            out.append(self.text[position:body_end])
        out.append(tail)
        rendered = b"".join(out)
        spans = self._spans_edit(highest)
        if spans:
            rendered = rendered[: spans[0]] + spans[2] + rendered[spans[1] :]
        return rendered

    def _spans_edit(self, highest: int) -> tuple[int, int, bytes] | None:
        """The row's spans="first:last" hint widened to the highest column written, when it ends before it."""
        spans = (
            attributes(self.attributes, self._attributes_start).get(b"spans") if b"spans" in self.attributes else None
        )
        if spans:
            first, _, last = spans[0].partition(b":")
            if last.strip().isdigit() and highest > int(last):
                return spans[1], spans[2], first + b":" + str(highest).encode()
        return None

    def edits(self) -> list[tuple[int, int, bytes]]:
        """What ``render`` changes, as (start, end, new bytes) within the row's text, in order: a sheet
        of many rows is then put together from its own bytes and these, without a copy of every row."""
        if not self.new:
            return []
        text, columns = self.text, sorted(self.new)
        spans = self._spans_edit(columns[-1])
        edits = [spans] if spans else []
        if self.self_closing:
            cells = b"".join(self.new[column] for column in columns)
            edits.append((text.rindex(b"/"), len(text), b">" + cells + b"</" + self.prefix + b"row>"))
            return edits
        position = self.start_tag_end
        for column in columns:
            existing = self.cells.get(column)
            if existing is not None:
                start, end = existing[0], existing[1]
            else:
                following = [cell[0] for c, cell in self.cells.items() if c > column]
                start = end = min(following) if following else text.rindex(b"</")
            if start < position:  # cells out of column order (no valid sheet has them): the row as ``render`` makes it
                return [(0, len(text), self.render())]
            if edits and edits[-1][1] == start:  # next to the last edit (cells written side by side): one edit
                edits[-1] = (edits[-1][0], end, edits[-1][2] + self.new[column])
            else:
                edits.append((start, end, self.new[column]))
            position = end
        return edits


class _Fragment:
    """Elements cut from the part, parsed inside a wrapper carrying the root's namespace declarations."""

    def __init__(self, declarations: bytes, text: bytes, where: Path | None):
        try:
            self.wrapper = etree.fromstring(
                b"<scorecard-fragment " + declarations + b">" + text + b"</scorecard-fragment>", PARSER
            )
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


def element_parts(text: bytes) -> tuple[bytes, bytes, bytes]:
    """One element's bytes as (start tag, content, end tag); a self-closing element is opened, so
    content can be added to it."""
    start = next(m for m in _TAG.finditer(text) if m.group(2) is not None)
    if start.group(3):  # <x:extLst/>
        return text[: start.start(3)].rstrip() + b">", b"", b"</" + start.group(2) + b">"
    close = text.rindex(b"</")
    return text[: start.end()], text[start.end() : close], text[close:]


class SheetSplice:
    """The bytes of a worksheet part, with the pieces a refresh edits cut out and put back."""

    def __init__(self, data: bytes, where: Path | None = None):
        self.data, self.where = data, where
        self.patterns = patterns = _patterns(data)
        root = _first(patterns.root, data)
        if root is None:
            raise WorkbookError("is damaged: the sheet part has no worksheet element", file=where)
        self.prefix = root.group(1)
        self.declarations = b" ".join(
            m.group(0)
            for m in _ATTRIBUTE.finditer(root.group(2))
            if m.group(1) == b"xmlns" or m.group(1).startswith(b"xmlns:")
        )
        data_open = _first(patterns.sheet_data, data, root.end())
        if data_open is None:
            raise WorkbookError("is damaged: the sheet part has no sheetData", file=where)
        self.head_end = data_open.start()
        if data_open.group(3):  # <sheetData/>: no rows at all
            self.rows_start = self.rows_end = self.tail_start = data_open.end()
        else:
            close = _first(patterns.sheet_data_end, data, data_open.end())
            if close is None:
                raise WorkbookError(
                    "is damaged: the sheet's XML is not well formed (sheetData is not closed)", file=where
                )
            self.rows_start, self.rows_end, self.tail_start = data_open.end(), close.start(), close.end()
        end = _first(patterns.worksheet_end, data, self.tail_start)
        if end is None:
            raise WorkbookError("is damaged: the sheet's XML is not well formed (worksheet is not closed)", file=where)
        self.tail_end = end.start()
        self._spans: dict[int, tuple[int, int]] | None = None
        self._rows: dict[int, RowText] = {}
        self._edits: list[tuple[int, int, bytes]] = []  # (start, end, new bytes) in the part of the rows finished
        self._finished: set[int] = set()  # rows whose edits were taken, to free their RowText
        self._head: _Fragment | None = None
        self._head_span: tuple[int, int] = (self.head_end, self.head_end)
        self._head_edited = False
        self._column_styles: dict[int, int] = {}  # column -> its style (from <cols>), as asked for
        self._tail: _Fragment | None = None
        self._tail_bytes: bytes | None = None
        self._dimension: str | None = None

    def _index(self) -> dict[int, tuple[int, int]]:
        if self._spans is None:
            spans, number = {}, 0
            for start, end, attrs in self.patterns.row_spans(self.data, self.rows_start, self.rows_end):
                number = _row_number(attrs, number)
                spans[number] = (start, end)
            self._spans = spans
        return self._spans

    def row(self, number: int) -> RowText:
        """The row to edit (it must exist: a KPI row or the header row always does)."""
        row = self._rows.get(number)  # asked for several times while its cells are written
        if row is not None:
            return row
        if number in self._finished:
            raise RuntimeError(f"row {number} was already finished")
        span = self._index().get(number)
        if span is None:
            raise WorkbookError(f"row {number} is not in the sheet's XML", file=self.where)
        row = self._rows[number] = RowText(self.data[span[0] : span[1]], number, patterns=self.patterns)
        return row

    def finish(self, number: int) -> None:
        """Take an edited row's changes now and let go of its parsed form (a large sheet has many)."""
        row = self._rows.pop(number, None)
        if row is not None and row.new:
            offset = self._index()[number][0]
            self._edits += [(offset + start, offset + end, text) for start, end, text in row.edits()]
            self._finished.add(number)

    def cols(self) -> etree._Element | None:
        if self._head is None:
            match = _first(self.patterns.cols, self.data, 0, self.head_end)
            if match:
                self._head_span = (match.start(), match.end())
            self._head = _Fragment(self.declarations, match.group(0) if match else b"", self.where)
        return self._head.wrapper[0] if len(self._head.wrapper) else None

    def implicit_style(self, number: int, column: int) -> int:
        """The style Excel gives a new cell: the row's, if it has one, else the column's."""
        style = self.row(number).row_style()
        if style is not None:
            return style
        style = self._column_styles.get(column)
        if style is None:
            style = self._column_styles[column] = self._column_style(column)
        return style

    def _column_style(self, column: int) -> int:
        cols = self.cols()
        for col in cols if cols is not None else ():
            if int(col.get("min", 0)) <= column <= int(col.get("max", -1)):
                return int(col.get("style", 0))
        return 0

    def add_cols(self) -> etree._Element:
        """The cols element, created (before sheetData) when the sheet has none."""
        cols = self.cols()
        self._column_styles.clear()  # the caller may change the columns' styles
        if cols is None:
            assert self._head is not None  # cols() parsed it
            cols = etree.SubElement(self._head.wrapper, q("cols"))
        self._head_edited = True
        return cols

    def tail(self) -> etree._Element:
        """A wrapper holding the elements after the cell table (conditional formats, validation, ...)."""
        if self._tail is None:
            self._tail = _Fragment(self.declarations, self.data[self.tail_start : self.tail_end], self.where)
        return self._tail.wrapper

    def tail_mentions(self, text: bytes) -> bool:
        """Whether the elements after the cell table hold ``text``; given as name="value", an attribute
        is found however it is quoted and spaced."""
        tail = self.data[self.tail_start : self.tail_end]
        attribute = re.fullmatch(rb'([^\s=]+)="([^"]*)"', text)
        if attribute is None:
            return text in tail
        name, value = (re.escape(g) for g in attribute.groups())
        return re.search(rb"(?:^|\s)" + name + rb"\s*=\s*(\"" + value + rb"\"|'" + value + rb"')", tail) is not None

    def _dimension_ref(self) -> tuple[bytes, int, int] | None:
        match = _first(self.patterns.dimension, self.data, 0, self.head_end)
        if match is None:
            return None
        return attributes(match.group(2), match.start(2)).get(b"ref")

    def tail_bytes(self) -> bytes:
        """The bytes after the cell table, as last set: edit them with ``set_tail`` to keep every other byte."""
        return self._tail_bytes if self._tail_bytes is not None else self.data[self.tail_start : self.tail_end]

    def set_tail(self, text: bytes) -> None:
        self._tail, self._tail_bytes = None, text

    def parse(self, text: bytes) -> etree._Element:
        """One element cut from this part, parsed with the root's namespace declarations."""
        return _Fragment(self.declarations, text, self.where).wrapper[0]

    def dimension(self) -> str | None:
        ref = self._dimension_ref()
        return ref[0].decode() if ref else None

    def set_dimension(self, ref: str) -> None:
        self._dimension = ref

    def render(self) -> bytes:
        """The part's new bytes: the original with the edited pieces put back in place."""
        for number in list(self._rows):
            self.finish(number)
        pieces = list(self._edits)
        if self._head_edited and self._head is not None:
            pieces.append((*self._head_span, self._head.text()))
        if self._dimension is not None:
            ref = self._dimension_ref()
            if ref:
                pieces.append((ref[1], ref[2], self._dimension.encode()))
        if self._tail is not None:
            pieces.append((self.tail_start, self.tail_end, self._tail.text()))
        elif self._tail_bytes is not None:
            pieces.append((self.tail_start, self.tail_end, self._tail_bytes))
        # the kept bytes are joined from views of the part, not copies; the pieces never overlap, and
        # those at one place (cells inserted side by side) keep the order they were made in
        data = memoryview(self.data)
        out: list[bytes | memoryview] = []
        position = 0
        for start, end, text in sorted(pieces, key=lambda piece: piece[0]):
            if start > position:
                out.append(data[position:start])
            out.append(text)
            position = end
        out.append(data[position:])
        return b"".join(out)
