"""Workbook files without Excel: the file adapter of the command line.

The reader parses the package's parts itself, with lxml (``ooxml.PARSER``'s safety settings): the
workbook part (sheets, the date system), the styles (cell formats and their number formats), the
shared strings, and the chosen sheet, streamed row by row with ``iterparse``. Being an XML parser,
it reads any legal spelling of a part: single or double quotes, a namespace prefix (``x:`` as the
Open XML SDK writes), entities, CDATA, whitespace between attributes. It sees what a cell reader
built for editing does not report: merged cells, formulas saved without a result, formula cells,
hidden and grouped rows, and the sheet's Excel Tables. openpyxl is used only for its public number
format and date helpers (``is_date_format``, ``BUILTIN_FORMATS``, ``from_excel``).

Writing is ``writer.write_plan``: the package is edited in place, never re-saved through a library
that would drop sparklines, x14 extensions, shapes or a ribbon's relationship. ``open_workbook``
reads and writes through one ``Package``, so a refresh reads each part once.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from ..core.findings import Finding
from ..core.plan import WritePlan
from ..core.reading import CellError, Grid, RowHidden, TableArea, pick_sheet
from ..errors import WorkbookError
from .ooxml import REL, q
from .package import OLE_MAGIC, Package, Workbook, check_file, open_zip, part_path, rels_name
from .sheetxml import column_number, parse_reference, unescape_text
from .writer import apply_plan, conditional_format_findings, sparkline_findings, stale_trend_findings, write_plan

__all__ = ["read_grid", "open_workbook", "write_plan", "check_file", "OLE_MAGIC"]

_ROW, _C, _V, _F, _IS, _T, _R = q("row"), q("c"), q("v"), q("f"), q("is"), q("t"), q("r")
_MERGE, _TABLE_PART = q("mergeCell"), q("tablePart")
_RID = f"{{{REL}}}id"
BUILTIN_FORMATS_MAX_SIZE = 164  # ids below this are Excel's built-in number formats


# --- the public entry points -------------------------------------------------------------------


def read_grid(path: str | Path, sheet: str | None) -> Grid:
    """The sheet's values (cached results for formulas), number formats and structure, from A1."""
    with open_workbook(path) as book:
        return book.grid(sheet)


class WorkbookFile:
    """A workbook opened once for a refresh: read its grid, then write a plan through the same parts.

    The file side's ``GridSource`` and ``PlanSink`` (``scorecard.core.ports``): the file holds
    everything a grid can carry, so every capability is there. ``apply`` saves to ``output``
    (default: the workbook itself).
    """

    can_read_number_formats = True
    can_read_formulas = True  # formula cells, and formulas saved without a result
    can_read_hidden_rows = True
    can_read_merged_cells = True

    def __init__(self, path: str | Path, output: str | Path | None = None):
        self.path = Path(path)
        self.output = Path(output) if output else self.path
        check_file(self.path)
        self.archive = open_zip(self.path)
        try:
            self.package = Package(self.path, self.archive)
            self.workbook = Workbook(self.package)  # refuses Strict Open XML and a package without its workbook part
        except BaseException:
            self.archive.close()
            raise

    def __enter__(self) -> WorkbookFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self.archive.close()

    def grid(self, sheet: str | None) -> Grid:
        try:
            return _read_grid(self.package, self.workbook, sheet)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise WorkbookError(f"is damaged: {error}", file=self.path) from None

    def named_sheet(self, name: str) -> Grid | None:
        """Another sheet than the table's, by its exact name (case aside), or None when there is none:
        read as the table's sheet is, e.g. the rules a workbook carries."""
        found = next((s.name for s in self.workbook.sheet_entries() if s.name.casefold() == name.casefold()), None)
        if found is None:
            return None
        try:
            return _read_named(self.package, self.workbook, found)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise WorkbookError(f"is damaged: {error}", file=self.path) from None

    def findings(self, plan: WritePlan) -> list[Finding]:
        """What the file holds beyond the grid that a refresh should warn of, before anything is written:
        conditional formatting that would hide the colours the plan gives the RAG cells, sparklines drawn
        by hand in the trend column."""
        return (
            conditional_format_findings(self.package, self.workbook, plan)
            + sparkline_findings(self.package, self.workbook, plan)
            + stale_trend_findings(self.package, self.workbook, plan)
        )

    def write(self, plan: WritePlan, destination: str | Path | None = None) -> None:
        """Apply ``plan`` and save to ``destination`` (default: the workbook itself), atomically."""
        apply_plan(self.package, self.workbook, plan, Path(destination or self.path))

    def apply(self, plan: WritePlan) -> None:
        """Apply ``plan`` and save to ``output``, atomically."""
        self.write(plan, self.output)


def open_workbook(path: str | Path, output: str | Path | None = None) -> WorkbookFile:
    return WorkbookFile(path, output)


# --- the workbook's parts ------------------------------------------------------------------------


def _read_grid(package: Package, workbook: Workbook, wanted: str | None) -> Grid:
    sheets = workbook.sheet_entries()
    try:
        name = pick_sheet([s.name for s in sheets], wanted)
    except WorkbookError as error:
        error.file = str(package.path)
        raise
    return _read_named(package, workbook, name)


def _read_named(package: Package, workbook: Workbook, name: str) -> Grid:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    entry = next(s for s in workbook.sheet_entries() if s.name == name)
    if entry.kind != "worksheet":
        raise WorkbookError(f"sheet '{name}' is a {entry.kind}, not a worksheet", file=package.path)
    if entry.part is None:
        raise WorkbookError(
            f"is damaged: the workbook lists sheet '{name}' but not the part that holds it", file=package.path
        )
    epoch = CALENDAR_MAC_1904 if workbook.date1904 else CALENDAR_WINDOWS_1900
    formats, dates, durations = _number_formats(package, workbook)
    shared = _shared_strings(package, workbook)
    return _read_sheet(package, entry.part, name, shared, formats, dates, durations, epoch)


def _number_formats(package: Package, workbook: Workbook) -> tuple[list[str], set[int], set[int]]:
    """Each cell format's number format (by cellXfs index), and which of them show dates or durations."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    part = workbook.related_part("/styles")
    if part is None:
        return [], set(), set()
    root = package.xml(part)
    custom: dict[int, str] = {}
    num_fmts = root.find(q("numFmts"))
    for fmt in num_fmts if num_fmts is not None else ():
        number = _int(fmt.get("numFmtId"))
        if fmt.tag == q("numFmt") and number is not None:
            custom[number] = fmt.get("formatCode", "General")
    formats: list[str] = []
    xfs = root.find(q("cellXfs"))
    for xf in xfs if xfs is not None else ():
        if xf.tag != q("xf"):
            continue
        number_id = _int(xf.get("numFmtId")) or 0
        if number_id < BUILTIN_FORMATS_MAX_SIZE:
            formats.append(BUILTIN_FORMATS.get(number_id, custom.get(number_id, "General")))
        else:
            formats.append(custom.get(number_id, "General"))
    durations = {i for i, f in enumerate(formats) if is_timedelta_format(f)}
    dates = {i for i, f in enumerate(formats) if is_date_format(f)} | durations
    return formats, dates, durations


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _text_of(node: etree._Element) -> str:
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


def _shared_strings(package: Package, workbook: Workbook) -> list[str]:
    part = workbook.related_part("/sharedStrings")
    if part is None:
        return []
    strings: list[str] = []
    for _, item in _iterparse(package, part, (q("si"),)):
        strings.append(_text_of(item))
        _forget(item)
    return strings


def shared_strings(package: Package, workbook: Workbook) -> list[str]:
    """The workbook's shared strings as Excel shows them, by index: for the writer, which recognises a sheet
    it wrote by its texts."""
    return _shared_strings(package, workbook)


def _iterparse(package: Package, part: str, tags: tuple[str, ...]) -> Iterator[tuple[str, etree._Element]]:
    """End events for ``tags`` in the part, parsed as ``ooxml.PARSER`` parses (no entities, no network)."""
    data = package.read(part)
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
        raise WorkbookError(f"is damaged: part {part} is not well-formed XML ({error})", file=package.path) from None


def _forget(element: etree._Element) -> None:
    """Drop an element ``_iterparse`` gave, once read, and the siblings before it (read before it) from the
    tree being built: a streamed part then holds only the element being read, and parses faster too."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


# --- the sheet -------------------------------------------------------------------------------------


def _read_sheet(
    package: Package,
    part: str,
    name: str,
    shared: list[str],
    formats: list[str],
    dates: set[int],
    durations: set[int],
    epoch: Any,
) -> Grid:
    from openpyxl.utils.datetime import from_excel, from_ISO8601

    values: list[list[Any]] = []
    number_formats: list[list[str | None]] = []
    uncalculated: set[tuple[int, int]] = set()
    formulas: set[tuple[int, int]] = set()
    hidden: dict[int, RowHidden] = {}
    merged: list[tuple[int, int, int, int]] = []
    table_ids: list[str] = []
    row_number = 0
    format_count = len(formats)
    columns: dict[str, int] = {}  # column letters -> number, for this sheet
    styles: dict[str | None, tuple[bool, bool, str]] = {}  # s attribute -> (a date, a duration, number format)
    for _, element in _iterparse(package, part, (_ROW, _MERGE, _TABLE_PART)):
        tag = element.tag
        if tag != _ROW:
            if tag == _MERGE:
                area = _area(element.get("ref", ""))
                if area:
                    merged.append(area)
            elif table_id := element.get(_RID):
                table_ids.append(table_id)
            continue
        r = element.get("r")
        row_number = int(r) if r else row_number + 1
        # Excel hides a collapsed outline group's rows (hidden="1" with their outlineLevel); a row
        # hidden by hand or by a filter has no level. A hidden row inside a group counts as grouped:
        # the file does not tell which of the two hid it, and collapsing is the usual way.
        if element.get("hidden") in ("1", "true"):
            hidden[row_number] = "grouped" if (_int(element.get("outlineLevel")) or 0) > 0 else "hidden"
        while len(values) < row_number:
            values.append([])
            number_formats.append([])
        row_values, row_formats = values[row_number - 1], number_formats[row_number - 1]
        filled = len(row_values)
        column = 0
        for cell in element.iterchildren(_C):
            reference = cell.get("r")
            if reference:
                letters = reference.rstrip("0123456789")
                column = columns.get(letters) or columns.setdefault(letters, column_number(letters))
            else:
                column += 1
            kind = cell.get("t", "n")
            raw = None
            has_value = has_formula = False
            inline = None
            if len(cell) == 1 and (only := cell[0]).tag == _V:  # the usual cell: a value and nothing else
                raw, has_value = only.text, True
            else:
                for child in cell:
                    child_tag = child.tag
                    if child_tag == _V:
                        raw, has_value = child.text, True
                    elif child_tag == _F:
                        has_formula = True
                    elif child_tag == _IS:
                        inline = child
            if has_formula:
                formulas.add((row_number, column))
            value: Any = None
            number_format = None
            if kind == "inlineStr":
                value = (_text_of(inline) or None) if inline is not None else None  # an empty one holds nothing
            elif kind == "str" and has_value:  # a formula's text result, "" included
                value = unescape_text(raw) if raw and "_x" in raw else (raw or "")
            elif not raw or raw.isspace():
                if has_formula:
                    uncalculated.add((row_number, column))
            elif kind == "n":
                try:
                    number = float(raw) if ("." in raw or "e" in raw or "E" in raw) else int(raw)
                except ValueError:  # not a number after all: keep the text, which reads as no data
                    value = raw.strip()
                else:
                    s = cell.get("s")
                    found = styles.get(s)
                    if found is None:
                        try:
                            style = int(s) if s else 0
                        except ValueError:
                            style = 0
                        found = styles[s] = (
                            style in dates,
                            style in durations,
                            formats[style] if style < format_count else "General",
                        )
                    if found[0]:
                        try:
                            value = from_excel(number, epoch, timedelta=found[1])
                        except (OverflowError, ValueError):
                            value = CellError("#VALUE!")  # a serial outside the dates Excel can show
                    else:
                        value = number
                        number_format = found[2]
            elif kind == "s":
                try:
                    value = shared[int(raw)]
                except (ValueError, IndexError):
                    raise WorkbookError(
                        f"is damaged: cell {reference or column} refers to shared string {raw.strip()}, "
                        f"which the workbook does not have",
                        file=package.path,
                        sheet=name,
                    ) from None
            elif kind == "b":
                value = raw.strip() in ("1", "true")
            elif kind == "e":
                value = CellError(raw.strip())
            elif kind == "d":  # an ISO 8601 date, as some writers store dates
                try:
                    value = from_ISO8601(raw.strip())
                except ValueError:
                    value = raw
            else:  # "str" without a value element cannot reach here; an unknown type keeps its text
                value = raw
            if value is None and number_format is None:
                continue
            if column == filled + 1:  # the usual case: the next cell along
                row_values.append(value)
                row_formats.append(number_format)
                filled = column
            else:
                if column > filled:
                    row_values.extend([None] * (column - filled))
                    row_formats.extend([None] * (column - filled))
                    filled = column
                row_values[column - 1] = value
                row_formats[column - 1] = number_format
        _forget(element)
    while values and not values[-1]:
        values.pop()
        number_formats.pop()
    return Grid(
        sheet=name,
        values=values,
        formats=number_formats,
        merged=merged,
        uncalculated=frozenset(uncalculated),
        formulas=frozenset(formulas),
        hidden_rows=hidden,
        tables=_tables(package, part, table_ids),
    )


def _area(ref: str) -> tuple[int, int, int, int] | None:
    first, _, last = ref.strip().partition(":")
    start = parse_reference(first)
    end = parse_reference(last) if last else start
    if start is None or end is None:
        return None
    return (start[0], start[1], end[0], end[1])


def _tables(package: Package, sheet_part: str, ids: list[str]) -> list[TableArea]:
    """The Excel Tables the sheet lists (``tableParts``), read from their parts through its relationships."""
    if not ids:
        return []
    rels = package.xml(rels_name(sheet_part))
    targets = {rel.get("Id"): rel for rel in rels}
    tables = []
    for rid in ids:
        rel = targets.get(rid)
        if rel is None or rel.get("TargetMode") == "External":
            continue
        root = package.xml(part_path(sheet_part, rel.get("Target", "")))
        area = _area(root.get("ref", ""))
        if area is None:
            continue
        header_rows = _int(root.get("headerRowCount"))  # absent: Excel's default, one header row
        tables.append(
            TableArea(
                name=root.get("displayName") or root.get("name") or "",
                first_row=area[0],
                first_column=area[1],
                last_row=area[2],
                last_column=area[3],
                header_rows=1 if header_rows is None else header_rows,
                totals_rows=_int(root.get("totalsRowCount")) or 0,
            )
        )
    return tables
