"""The scorecard sheet of a workbook file as a ``Grid``: the file side's reader.

The reader parses the package's parts itself, with lxml (``ooxml.PARSER``'s safety settings): the
workbook part (sheets, the date system), the styles (cell formats and their number formats), the
shared strings (``strings``), and the chosen sheet, streamed row by row with ``iterparse``. Being an XML
parser, it reads any legal spelling of a part: single or double quotes, a namespace prefix (``x:`` as the
Open XML SDK writes), entities, CDATA, whitespace between attributes. It sees what a cell reader
built for editing does not report: merged cells, formulas saved without a result, formula cells,
hidden and grouped rows, the sheet's Excel Tables and its list validations (``validation``). Number
formats and date serials are read by ``numformats`` (ECMA-376's built-in formats, date detection, the
1900 and 1904 date systems).

``book.WorkbookFile`` opens a workbook and reads it through here; ``writer`` writes to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from lxml import etree

from ..core.a1 import MAX_COLUMN, MAX_ROW, Area, column_number, parse_range, row_number, within_excel
from ..core.reading import CellError, Grid, RowHidden, SparseRows, TableArea, pick_sheet
from ..core.reading.grid import SparseRow
from ..errors import WorkbookError
from . import validation
from .numformats import BUILTIN_FORMATS, BUILTIN_LIMIT, from_iso8601, from_serial, is_date_format, is_duration_format
from .ooxml import REL, forget, q
from .package import Package, Workbook, part_path, rels_name
from .strings import shared_strings, text_of, unescape_text

_ROW, _C, _V, _F, _IS = q("row"), q("c"), q("v"), q("f"), q("is")
_MERGE, _TABLE_PART, _DIMENSION, _COL = q("mergeCell"), q("tablePart"), q("dimension"), q("col")
_VALIDATIONS = (validation.MAIN_TAG, validation.X14_TAG)
_RID = f"{{{REL}}}id"


# --- the workbook's parts ------------------------------------------------------------------------


def read_sheet(package: Package, workbook: Workbook, wanted: str | None) -> Grid:
    """The grid of the sheet ``wanted`` (``core.reading.pick_sheet`` picks it: None for the only or first one)."""
    sheets = workbook.sheet_entries()
    try:
        name = pick_sheet([s.name for s in sheets], wanted)
    except WorkbookError as error:
        error.file = str(package.path)
        raise
    return read_named(package, workbook, name)


SheetParts = tuple[list[str], tuple[list[str], set[int], set[int]]]  # shared strings; number formats


def sheet_parts(package: Package, workbook: Workbook) -> SheetParts:
    """What reading any sheet needs from the workbook's other parts: its shared strings and number formats."""
    return shared_strings(package, workbook), _number_formats(package, workbook)


def read_named(
    package: Package, workbook: Workbook, name: str, rows: int | None = None, parts: SheetParts | None = None
) -> Grid:
    """The grid of the sheet of that exact name (a worksheet; another kind of sheet is refused); with ``rows``,
    its top rows only; ``parts``: the shared strings and formats, when read already for several sheets."""
    entry = next(s for s in workbook.sheet_entries() if s.name == name)
    if entry.kind != "worksheet":
        raise WorkbookError(f"sheet '{name}' is a {entry.kind}, not a worksheet", file=package.path)
    if entry.part is None:
        raise WorkbookError(
            f"is damaged: the workbook lists sheet '{name}' but not the part that holds it", file=package.path
        )
    shared, (formats, dates, durations) = parts or sheet_parts(package, workbook)
    reader = _SheetReader(package, name, shared, formats, dates, durations, workbook.date1904)
    grid, lists = reader.read(entry.part, rows)
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
            others[sheet] = read_named(package, workbook, entry.name)
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


def _hidden_columns(runs: list[tuple[int, int]], width: int) -> frozenset[int]:
    """The hidden columns among the sheet's first ``width``: runs to column XFD (Excel's "hide every column
    after") or overlapping runs cost what the sheet's width costs, not what the runs say."""
    hidden: set[int] = set()
    reached = 0
    for first, last in sorted(runs):
        start, end = max(first, reached + 1), min(last, width)
        if start <= end:
            hidden.update(range(start, end + 1))
        reached = max(reached, last)
    return frozenset(hidden)


# --- the sheet -------------------------------------------------------------------------------------

_INFINITE = (float("inf"), float("-inf"))
_DIGITS = "0123456789"


class _Cells:
    """The cells read from a sheet, held so that memory follows the cells present, not their coordinates
    (a sheet whose one cell is XFD1048576 holds one cell, not a million rows of sixteen thousand).

    A row's cells are a list from column A, as a sheet's cells usually run; a cell further past the row's
    last one than the row has cells is kept apart (``far``) rather than padded to. ``grid`` gives the rows
    as the ``Grid`` takes them: a sheet with far rows as ``SparseRows``, a row with far cells through a
    ``SparseRow`` view that reads like the padded list without being one."""

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

    def put(
        self, row: int, column: int, value: Any, number_format: str | None, values: list[Any], formats: list[str | None]
    ) -> None:
        """A cell of ``row``, whose cells so far are ``values`` and ``formats`` (``row(row)``)."""
        filled = len(values)
        if column == filled + 1:  # the usual case: the next cell along
            values.append(value)
            formats.append(number_format)
        elif column <= filled:
            values[column - 1] = value
            formats[column - 1] = number_format
        elif column - filled <= filled + 64:  # a gap no wider than the row so far: padded
            values.extend([None] * (column - filled - 1))
            formats.extend([None] * (column - filled - 1))
            values.append(value)
            formats.append(number_format)
        else:  # far past the row's cells (XFD1 beside A1): held apart, not padded to
            self.far.setdefault(row, {})[column] = (value, number_format)

    @property
    def width(self) -> int:
        """The last column holding a cell, on any row."""
        near = max((len(cells) for cells in self.values.values()), default=0)
        return max([near, *(max(far) for far in self.far.values() if far)])

    def grid(self) -> tuple[Sequence[Sequence[Any]], Sequence[Sequence[str | None]]]:
        values: dict[int, Sequence[Any]] = {}
        formats: dict[int, Sequence[str | None]] = {}
        for number, cells in self.values.items():
            far = self.far.get(number)
            if far:
                near = enumerate(zip(cells, self.formats[number], strict=True), start=1)
                held = {c: pair for c, pair in near if pair[0] is not None} | far
                values[number] = SparseRow({c: v for c, (v, _) in held.items()})
                formats[number] = SparseRow({c: f for c, (_, f) in held.items()})
            elif cells:
                values[number], formats[number] = cells, self.formats[number]
        last = max(values, default=0)
        if last <= 2 * len(values) + 1024:  # rows close together: a list, the rows between them one shared ()
            return [values.get(n, ()) for n in range(1, last + 1)], [formats.get(n, ()) for n in range(1, last + 1)]
        return SparseRows(values), SparseRows(formats)


class _SheetReader:
    """One worksheet part read into a ``Grid``, streamed row by row: the rows' cells, and the elements around
    the cell table that the reading needs (merged cells, the dimension, Excel Tables, list validations)."""

    def __init__(
        self,
        package: Package,
        name: str,
        shared: list[str],
        formats: list[str],
        dates: set[int],
        durations: set[int],
        date1904: bool,
    ):
        self.package, self.name, self.shared, self.date1904 = package, name, shared, date1904
        self.formats, self.dates, self.durations = formats, dates, durations
        self.rows = _Cells()
        self.uncalculated: set[tuple[int, int]] = set()
        self.formulas: set[tuple[int, int]] = set()
        self.hidden: dict[int, RowHidden] = {}
        self.hidden_runs: list[tuple[int, int]] = []
        self.merged: list[Area] = []
        self.table_ids: list[str] = []
        self.lists: list[validation.ListValidation] = []
        self.columns: dict[str, int] = {}  # column letters -> number, for this sheet
        self.styles: dict[str | None, tuple[bool, bool, str]] = {}  # s attribute -> (a date, a duration, format)

    def refuse(self, message: str, cell: str | None = None) -> WorkbookError:
        return WorkbookError(message, file=self.package.path, sheet=self.name, cell=cell and shown(cell))

    def read(self, part: str, rows: int | None = None) -> tuple[Grid, list[validation.ListValidation]]:
        """The sheet's grid; with ``rows``, its top rows only (the parse stops there)."""
        number = 0
        for _, element in self.package.iterparse(part, (_ROW, _MERGE, _TABLE_PART, _DIMENSION, _COL, *_VALIDATIONS)):
            if element.tag == _ROW:
                number = self._row_number(element, number)
                if rows is not None and number > rows:
                    break
                self._row(element, number)
                forget(element)
            else:
                self._beside_the_cells(element)
        values, number_formats = self.rows.grid()
        grid = Grid(
            sheet=self.name,
            values=values,
            formats=number_formats,
            merged=self.merged,
            uncalculated=frozenset(self.uncalculated),
            formulas=frozenset(self.formulas),
            hidden_rows=self.hidden,
            hidden_columns=_hidden_columns(self.hidden_runs, self.rows.width) if self.hidden_runs else frozenset(),
            tables=_tables(self.package, part, self.table_ids, self.refuse),
        )
        return grid, self.lists

    def _beside_the_cells(self, element: etree._Element) -> None:
        tag = element.tag
        if tag in _VALIDATIONS:
            listed = validation.read(element)
            if listed is not None:
                self.lists.append(listed)
        elif tag == _MERGE:
            area = _area(element.get("ref", ""), "merged cells", self.refuse)
            if area:
                self.merged.append(area)
        elif tag == _COL:
            self._columns(element)
        elif tag == _DIMENSION:
            _area(element.get("ref", ""), "the sheet's dimension (its used range)", self.refuse)
        elif table_id := element.get(_RID):
            self.table_ids.append(table_id)

    def _columns(self, element: etree._Element) -> None:
        """A <col> run of columns, when hidden (hidden="1", or folded in a collapsed group); kept as a run, made
        columns once the sheet's width is known (``_hidden_columns``)."""
        if element.get("hidden") not in ("1", "true"):
            return
        first, last = _int(element.get("min")), _int(element.get("max"))
        if first is None or last is None or not 1 <= first <= last <= MAX_COLUMN:
            raise self.refuse(
                f"is damaged: a column run min={shown(element.get('min') or '')!r} "
                f"max={shown(element.get('max') or '')!r} is not within Excel's columns"
            )
        self.hidden_runs.append((first, last))

    def _row_number(self, element: etree._Element, previous: int) -> int:
        """The row's number: as written, else the one after the previous row's; refused beyond Excel's rows."""
        r = element.get("r")
        number = row_number(r) if r else previous + 1
        if not 1 <= number <= MAX_ROW:
            if r and not number:
                raise self.refuse(f"is damaged: the row number '{shown(r)}' is not a number")
            first = next(element.iterchildren(_C), None)
            named = first.get("r") if first is not None else None  # the cell to name, when the row has one
            raise self.refuse(beyond_excel(r or str(number), "row"), named)
        return number

    def _row(self, element: etree._Element, number: int) -> None:
        # Excel hides a collapsed outline group's rows (hidden="1" with their outlineLevel); a row
        # hidden by hand or by a filter has no level. A hidden row inside a group counts as grouped:
        # the file does not tell which of the two hid it, and collapsing is the usual way.
        if element.get("hidden") in ("1", "true"):
            self.hidden[number] = "grouped" if (_int(element.get("outlineLevel")) or 0) > 0 else "hidden"
        row_values, row_formats = self.rows.row(number)
        columns = self.columns
        column = 0
        for cell in element.iterchildren(_C):
            reference = cell.get("r")
            if reference:  # a column seen before was checked then (a bad one stops the read)
                column = columns.get(reference.rstrip(_DIGITS)) or self._column(reference, number)
            else:
                column += 1
            if column > MAX_COLUMN:
                raise self.refuse(f"row {number} has more cells than Excel's {MAX_COLUMN:,} columns")
            if (
                len(cell) == 1
                and cell.get("t") is None
                and (only := cell[0]).tag == _V
                and (raw := only.text)
                and not raw.isspace()
            ):  # the usual cell, a number and nothing else: as _value reads it, without its other cases
                value, number_format = self._number(raw, cell.get("s"))
            else:
                value, number_format = self._value(cell, number, column, reference)
            if value is None and number_format is None:
                continue
            if column == len(row_values) + 1:  # the next cell along, as _Cells.put takes it
                row_values.append(value)
                row_formats.append(number_format)
            else:
                self.rows.put(number, column, value, number_format, row_values, row_formats)

    def _column(self, reference: str, row: int) -> int:
        letters = reference.rstrip(_DIGITS)
        column = self.columns.get(letters) or self.columns.setdefault(letters, column_number(letters))
        if not 1 <= column <= MAX_COLUMN:
            if not column:
                raise self.refuse(f"is damaged: the cell reference '{shown(reference)}' is not a cell reference")
            raise self.refuse(beyond_excel(reference), reference)
        return column

    def _value(self, cell: etree._Element, row: int, column: int, reference: str | None) -> tuple[Any, str | None]:
        """The cell's value as the grid holds it, and the number format of a number; (None, None) for none."""
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
            self.formulas.add((row, column))
        if kind == "inlineStr":
            return ((text_of(inline) or None) if inline is not None else None), None  # an empty one holds nothing
        if kind == "str" and has_value:  # a formula's text result, "" included
            return (unescape_text(raw) if raw and "_x" in raw else (raw or "")), None
        if not raw or raw.isspace():
            if has_formula:
                self.uncalculated.add((row, column))
            return None, None
        if kind == "n":
            return self._number(raw, cell.get("s"))
        if kind == "s":
            try:
                return self.shared[int(raw)], None
            except (ValueError, IndexError):
                raise WorkbookError(
                    f"is damaged: cell {reference or column} refers to shared string {raw.strip()}, "
                    f"which the workbook does not have",
                    file=self.package.path,
                    sheet=self.name,
                ) from None
        if kind == "b":
            return raw.strip() in ("1", "true"), None
        if kind == "e":
            return CellError(raw.strip()), None
        if kind == "d":  # an ISO 8601 date, as some writers store dates
            try:
                return from_iso8601(raw.strip()), None
            except ValueError:
                return raw, None
        return raw, None  # "str" without a value element cannot reach here; an unknown type keeps its text

    def _number(self, raw: str, s: str | None) -> tuple[Any, str | None]:
        """A number cell's value: the number and its format, or the date or duration its format shows."""
        try:
            # a whole number too long for a double (hundreds of digits) is read as one, as Excel would
            number = float(raw) if ("." in raw or "e" in raw or "E" in raw or len(raw) > 300) else int(raw)
        except ValueError:  # not a number after all: keep the text, which reads as no data
            return raw.strip(), None
        if number in _INFINITE:  # past the largest number Excel holds (1e400): Excel shows #NUM!
            return CellError("#NUM!"), None
        found = self.styles.get(s)
        if found is None:
            try:
                style = int(s) if s else 0
            except ValueError:
                style = 0
            found = self.styles[s] = (
                style in self.dates,
                style in self.durations,
                self.formats[style] if style < len(self.formats) else "General",
            )
        if not found[0]:
            return number, found[2]
        try:
            return from_serial(number, self.date1904, duration=found[1]), None
        except (OverflowError, ValueError):
            return CellError("#VALUE!"), None  # a serial outside the dates Excel can show


def _area(ref: str, what: str, refuse: Callable[[str], WorkbookError]) -> Area | None:
    """The range ``ref`` gives; None when it is no range; refused (``refuse``) when it reaches beyond
    Excel's last cell."""
    area = parse_range(ref)
    if area is not None and not (within_excel(area[0], area[1]) and within_excel(area[2], area[3])):
        raise refuse(beyond_excel(ref, f"the range of {what},"))
    return area


def shown(text: str | bytes, limit: int = 40) -> str:
    """A reference or value from the file as a message quotes it: at most ``limit`` characters."""
    value = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return value if len(value) <= limit else f"{value[:limit]}... ({len(value):,} characters)"


def beyond_excel(reference: str | bytes, what: str = "cell reference") -> str:
    """The message refusing a reference past Excel's last cell."""
    return (
        f"{what} {shown(reference)} is beyond Excel's last cell, XFD1048576 (column XFD, row 1,048,576): the "
        "sheet's XML is damaged or was not written by Excel. Open the workbook in Excel and save it again"
    )


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
