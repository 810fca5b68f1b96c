"""Workbook files without Excel: the file adapter of the command line.

The reader parses the package's parts itself, with lxml (``ooxml.PARSER``'s safety settings): the
workbook part (sheets, the date system), the styles (cell formats and their number formats), the
shared strings, and the chosen sheet, streamed row by row with ``iterparse``. Being an XML parser,
it reads any legal spelling of a part: single or double quotes, a namespace prefix (``x:`` as the
Open XML SDK writes), entities, CDATA, whitespace between attributes. It sees what a cell reader
built for editing does not report: merged cells, formulas saved without a result, formula cells,
hidden and grouped rows, and the sheet's Excel Tables. Number formats and date serials are read by
``numformats`` (ECMA-376's built-in formats, date detection, the 1900 and 1904 date systems).

Writing is ``writer.write_plan``: the package is edited in place, never re-saved through a library
that would drop sparklines, x14 extensions, shapes or a ribbon's relationship. ``open_workbook``
reads and writes through one ``Package``, so a refresh reads each part once.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from lxml import etree

from ..core.findings import Finding
from ..core.plan import WritePlan
from ..core.reading import CellError, Grid, RowHidden, SparseRows, TableArea, pick_sheet
from ..errors import WorkbookError
from . import validation
from .coordinates import (
    MAX_COLUMN,
    MAX_ROW,
    beyond_excel,
    column_number,
    parse_reference,
    row_number,
    shown,
    within_excel,
)
from .numformats import BUILTIN_FORMATS, BUILTIN_LIMIT, from_iso8601, from_serial, is_date_format, is_duration_format
from .ooxml import REL, iterparse, q
from .package import OLE_MAGIC, Package, Workbook, check_file, open_zip, part_path, rels_name
from .sheetxml import unescape_text
from .writer import apply_plan, conditional_format_findings, sparkline_findings, stale_trend_findings, write_plan

__all__ = ["read_grid", "open_workbook", "write_plan", "check_file", "OLE_MAGIC"]

_ROW, _C, _V, _F, _IS, _T, _R = q("row"), q("c"), q("v"), q("f"), q("is"), q("t"), q("r")
_MERGE, _TABLE_PART, _DIMENSION = q("mergeCell"), q("tablePart"), q("dimension")
_VALIDATIONS = (validation.MAIN_TAG, validation.X14_TAG)
_RID = f"{{{REL}}}id"


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
    entry = next(s for s in workbook.sheet_entries() if s.name == name)
    if entry.kind != "worksheet":
        raise WorkbookError(f"sheet '{name}' is a {entry.kind}, not a worksheet", file=package.path)
    if entry.part is None:
        raise WorkbookError(
            f"is damaged: the workbook lists sheet '{name}' but not the part that holds it", file=package.path
        )
    formats, dates, durations = _number_formats(package, workbook)
    shared = _shared_strings(package, workbook)
    grid, lists = _read_sheet(package, entry.part, name, shared, formats, dates, durations, workbook.date1904)
    if lists:
        grid.choices = _choices(package, workbook, grid, lists)
    return grid


def _choices(
    package: Package, workbook: Workbook, grid: Grid, lists: list[validation.ListValidation]
) -> dict[int, tuple[str, ...]]:
    """The sheet's list validations as the words each column allows; a list kept on another sheet is read
    from that sheet (once)."""
    others: dict[str, Grid] = {}

    def value_at(sheet: str, row: int, column: int) -> Any:
        if sheet.casefold() == grid.sheet.casefold():
            return grid.value(row, column)
        if sheet not in others:
            entry = next((s for s in workbook.sheet_entries() if s.name.casefold() == sheet.casefold()), None)
            if entry is None or entry.kind != "worksheet":
                return None
            others[sheet] = _read_named(package, workbook, entry.name)
        return others[sheet].value(row, column)

    return validation.choices(lists, grid.sheet, value_at, validation.defined_names(workbook.root))


def _number_formats(package: Package, workbook: Workbook) -> tuple[list[str], set[int], set[int]]:
    """Each cell format's number format (by cellXfs index), and which of them show dates or durations."""
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
        if number_id < BUILTIN_LIMIT:
            formats.append(BUILTIN_FORMATS.get(number_id, custom.get(number_id, "General")))
        else:
            formats.append(custom.get(number_id, "General"))
    durations = {i for i, f in enumerate(formats) if is_duration_format(f)}
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
    """End events for ``tags`` in the part, read under ``ooxml``'s one policy (no DTD, no entities, no network)."""
    return iterparse(package.read(part), part, package.path, tags)


def _forget(element: etree._Element) -> None:
    """Drop an element ``_iterparse`` gave, once read, and the siblings before it (read before it) from the
    tree being built: a streamed part then holds only the element being read, and parses faster too."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


# --- the sheet -------------------------------------------------------------------------------------

_INFINITE = (float("inf"), float("-inf"))


class _Cells:
    """The cells read from a sheet, held so that memory follows the cells present, not their coordinates
    (a sheet whose one cell is XFD1048576 holds one cell, not a million rows of sixteen thousand).

    A row's cells are a list from column A, as a sheet's cells usually run; a cell further past the row's
    last one than the row has cells is kept apart (``far``) rather than padded to. ``grid`` gives the rows
    as the ``Grid`` takes them: a sheet with far rows as ``SparseRows``, a row with far cells through a
    ``_Sparse`` view that reads like the padded list without being one."""

    def __init__(self) -> None:
        self.values: dict[int, list[Any]] = {}
        self.formats: dict[int, list[str | None]] = {}
        self.far: dict[int, dict[int, tuple[Any, str | None]]] = {}

    def row(self, number: int) -> tuple[list[Any], list[str | None]]:
        values = self.values.get(number)
        if values is None:
            values = self.values[number] = []
            self.formats[number] = []
        return values, self.formats[number]

    def put_far(self, row: int, column: int, value: Any, number_format: str | None) -> None:
        self.far.setdefault(row, {})[column] = (value, number_format)

    def grid(self) -> tuple[Sequence[Sequence[Any]], Sequence[Sequence[str | None]]]:
        values: dict[int, Sequence[Any]] = {}
        formats: dict[int, Sequence[str | None]] = {}
        for number, cells in self.values.items():
            far = self.far.get(number)
            if far:
                length = max(far)
                near = enumerate(zip(cells, self.formats[number], strict=True), start=1)
                held = {c: pair for c, pair in near if pair[0] is not None} | far
                values[number] = _Sparse({c: v for c, (v, _) in held.items()}, length)
                formats[number] = _Sparse({c: f for c, (_, f) in held.items()}, length)
            elif cells:
                values[number], formats[number] = cells, self.formats[number]
        last = max(values, default=0)
        if last <= 2 * len(values) + 1024:  # rows close together: a list, the rows between them one shared ()
            return [values.get(n, ()) for n in range(1, last + 1)], [formats.get(n, ()) for n in range(1, last + 1)]
        return SparseRows(values), SparseRows(formats)


class _Sparse(Sequence):
    """A row's cells as a read-only sequence of ``length`` items: those at the 1-based positions of
    ``items``, None elsewhere; nothing is stored for the gaps."""

    def __init__(self, items: dict[int, Any], length: int):
        self.items, self.length = items, length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index):  # an int or a slice, as a list takes them
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.length))]
        if index < 0:
            index += self.length
        if not 0 <= index < self.length:
            raise IndexError(index)
        return self.items.get(index + 1)


def _read_sheet(
    package: Package,
    part: str,
    name: str,
    shared: list[str],
    formats: list[str],
    dates: set[int],
    durations: set[int],
    date1904: bool,
) -> tuple[Grid, list[validation.ListValidation]]:
    rows = _Cells()
    uncalculated: set[tuple[int, int]] = set()
    formulas: set[tuple[int, int]] = set()
    hidden: dict[int, RowHidden] = {}
    merged: list[tuple[int, int, int, int]] = []
    table_ids: list[str] = []
    lists: list[validation.ListValidation] = []
    row_number_ = 0
    format_count = len(formats)
    columns: dict[str, int] = {}  # column letters -> number, for this sheet
    styles: dict[str | None, tuple[bool, bool, str]] = {}  # s attribute -> (a date, a duration, number format)

    def refuse(message: str, cell: str | None = None) -> WorkbookError:
        return WorkbookError(message, file=package.path, sheet=name, cell=cell and shown(cell))

    for _, element in _iterparse(package, part, (_ROW, _MERGE, _TABLE_PART, _DIMENSION, *_VALIDATIONS)):
        tag = element.tag
        if tag != _ROW:
            if tag in _VALIDATIONS:
                listed = validation.read(element)
                if listed is not None:
                    lists.append(listed)
            elif tag == _MERGE:
                area = _area(element.get("ref", ""), "merged cells", refuse)
                if area:
                    merged.append(area)
            elif tag == _DIMENSION:
                _area(element.get("ref", ""), "the sheet's dimension (its used range)", refuse)
            elif table_id := element.get(_RID):
                table_ids.append(table_id)
            continue
        r = element.get("r")
        row_number_ = row_number(r) if r else row_number_ + 1
        if not 1 <= row_number_ <= MAX_ROW:
            if r and not row_number_:
                raise refuse(f"is damaged: the row number '{shown(r)}' is not a number")
            first = next(element.iterchildren(_C), None)
            named = first.get("r") if first is not None else None  # the cell to name, when the row has one
            raise refuse(beyond_excel(r or str(row_number_), "row"), named)
        # Excel hides a collapsed outline group's rows (hidden="1" with their outlineLevel); a row
        # hidden by hand or by a filter has no level. A hidden row inside a group counts as grouped:
        # the file does not tell which of the two hid it, and collapsing is the usual way.
        if element.get("hidden") in ("1", "true"):
            hidden[row_number_] = "grouped" if (_int(element.get("outlineLevel")) or 0) > 0 else "hidden"
        row_values, row_formats = rows.row(row_number_)
        filled = len(row_values)
        column = 0
        for cell in element.iterchildren(_C):
            reference = cell.get("r")
            if reference:
                letters = reference.rstrip("0123456789")
                column = columns.get(letters) or columns.setdefault(letters, column_number(letters))
                if not 1 <= column <= MAX_COLUMN:
                    if not column:
                        raise refuse(f"is damaged: the cell reference '{shown(reference)}' is not a cell reference")
                    raise refuse(beyond_excel(reference), reference)
            else:
                column += 1
                if column > MAX_COLUMN:
                    raise refuse(f"row {row_number_} has more cells than Excel's {MAX_COLUMN:,} columns")
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
                formulas.add((row_number_, column))
            value: Any = None
            number_format = None
            if kind == "inlineStr":
                value = (_text_of(inline) or None) if inline is not None else None  # an empty one holds nothing
            elif kind == "str" and has_value:  # a formula's text result, "" included
                value = unescape_text(raw) if raw and "_x" in raw else (raw or "")
            elif not raw or raw.isspace():
                if has_formula:
                    uncalculated.add((row_number_, column))
            elif kind == "n":
                try:
                    # a whole number too long for a double (hundreds of digits) is read as one, as Excel would
                    number = float(raw) if ("." in raw or "e" in raw or "E" in raw or len(raw) > 300) else int(raw)
                except ValueError:  # not a number after all: keep the text, which reads as no data
                    value = raw.strip()
                else:
                    if number in _INFINITE:  # past the largest number Excel holds (1e400): Excel shows #NUM!
                        value = CellError("#NUM!")
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
                                value = from_serial(number, date1904, duration=found[1])
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
                    value = from_iso8601(raw.strip())
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
            elif column <= filled:
                row_values[column - 1] = value
                row_formats[column - 1] = number_format
            elif column - filled <= filled + 64:  # a gap no wider than the row so far: padded
                row_values.extend([None] * (column - filled - 1))
                row_formats.extend([None] * (column - filled - 1))
                row_values.append(value)
                row_formats.append(number_format)
                filled = column
            else:  # far past the row's cells (XFD1 beside A1): held apart, not padded to
                rows.put_far(row_number_, column, value, number_format)
        _forget(element)
    values, number_formats = rows.grid()
    grid = Grid(
        sheet=name,
        values=values,
        formats=number_formats,
        merged=merged,
        uncalculated=frozenset(uncalculated),
        formulas=frozenset(formulas),
        hidden_rows=hidden,
        tables=_tables(package, part, table_ids, refuse),
    )
    return grid, lists


def _area(ref: str, what: str, refuse: Callable[[str], WorkbookError]) -> tuple[int, int, int, int] | None:
    """(first row, first column, last row, last column) of a range as ``ref`` gives it; None when it is no
    range; refused (``refuse``) when it reaches beyond Excel's last cell."""
    first, _, last = ref.strip().partition(":")
    start = parse_reference(first)
    end = parse_reference(last) if last else start
    if start is None or end is None:
        return None
    for row, column in (start, end):
        if not within_excel(row, column):
            raise refuse(beyond_excel(ref, f"the range of {what},"))
    return (start[0], start[1], end[0], end[1])


def _tables(
    package: Package, sheet_part: str, ids: list[str], refuse: Callable[[str], WorkbookError]
) -> list[TableArea]:
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
        area = _area(root.get("ref", ""), f"Excel Table '{shown(root.get('displayName') or '')}'", refuse)
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
