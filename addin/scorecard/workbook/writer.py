"""Applying a WritePlan to a workbook file: the batch writer.

Only the parts a refresh must change are rewritten: the scorecard sheet (spliced, see
``sheetxml.SheetSplice``), the styles, and a Narrative sheet with the entries that list it. Every
other part is copied as it was read, and the file is replaced atomically (``Package.save``).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import groupby
from pathlib import Path

from lxml import etree

from ..core import kept
from ..core.findings import Finding
from ..core.plan import (
    NARRATIVE_GAP,
    NARRATIVE_PAGES,
    NARRATIVE_WIDTHS,
    TREND_SHEET,
    NarrativeCell,
    SparklinePlan,
    TrendSheet,
    WritePlan,
    foreign_narrative,
    narrative_header,
    table_refusal,
    tables_to_widen,
    written_by_scorecard,
)
from ..core.reading import TableArea
from ..errors import WorkbookError, column_letter
from .ooxml import MAIN, REL, q, serialise
from .package import Package, Styles, Workbook, check_file, check_writable, open_zip
from .sheetxml import SheetSplice, column_number, element_parts, escape_text, set_text, top_level

_REF = re.compile(r"^([A-Z]+)(\d+)$")


# --- the scorecard sheet -------------------------------------------------------------------------

_AFTER_CF = [
    "dataValidations",
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
]


X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
_PRIORITY = re.compile(rb'<(?:[\w.-]+:)?cfRule\b[^>]*?\bpriority="(\d+)"')
_RANGE = re.compile(r"^\$?([A-Z]*)\$?(\d*)(?::\$?([A-Z]*)\$?(\d*))?$")


def sqref_ranges(sqref: str) -> list[tuple[int, int, int, int]]:
    """'H2:H11 J5 A:B 3:4' -> (first row, first column, last row, last column) each; whole rows or columns
    open-ended."""
    ranges = []
    for part in sqref.split():
        match = _RANGE.match(part.upper())
        if not match or not any(match.groups()):
            continue
        c1, r1, c2, r2 = match.groups()
        c2, r2 = (c1, r1) if match.group(3) is None and match.group(4) is None else (c2, r2)
        ranges.append(
            (
                int(r1) if r1 else 1,
                column_number(c1) if c1 else 1,
                int(r2) if r2 else 1_048_576,
                column_number(c2) if c2 else 16_384,
            )
        )
    return ranges


def _dxf_is_fill_only(styles: Styles | None, dxf_id: str | None) -> bool:
    dxfs = styles.root.find(q("dxfs")) if styles is not None else None
    if dxfs is None or dxf_id is None or not dxf_id.isdigit() or int(dxf_id) >= len(dxfs):
        return False
    return [child.tag for child in dxfs[int(dxf_id)]] == [q("fill")]


def _dxf(styles: Styles | None, dxf_id: str | None) -> etree._Element | None:
    dxfs = styles.root.find(q("dxfs")) if styles is not None else None
    if dxfs is None or dxf_id is None or not dxf_id.isdigit() or int(dxf_id) >= len(dxfs):
        return None
    return dxfs[int(dxf_id)]


def _paints(dxf: etree._Element | None) -> bool:
    """Whether a differential format paints the cell (a pattern or gradient fill that is not 'none')."""
    fill = dxf.find(q("fill")) if dxf is not None else None
    if fill is None:
        return False
    if fill.find(q("gradientFill")) is not None:
        return True
    pattern = fill.find(q("patternFill"))
    return (
        pattern is not None
        and pattern.get("patternType") != "none"
        and (len(pattern) > 0 or pattern.get("patternType") is not None)
    )


def _is_ours(block: etree._Element, styles: Styles | None, plan: WritePlan) -> bool:
    """The conditional formatting a refresh adds to a column of RAG formulas: in the RAG column only, one
    'cell equals' rule per status word, every status the rules colour (No data and Not rated too), each a
    fill alone. An analyst's rules on the RAG column (three colours, their own ranges or formats) differ."""
    rules = block.findall(q("cfRule"))
    ranges = sqref_ranges(block.get("sqref", ""))
    if not ranges or any(r[1] != plan.rag_column or r[3] != plan.rag_column for r in ranges):
        return False
    words = []
    for rule in rules:
        text = rule.findtext(q("formula"), "").strip()
        if rule.get("type") != "cellIs" or rule.get("operator") != "equal" or len(rule.findall(q("formula"))) != 1:
            return False
        if len(text) < 2 or text[0] != '"' or text[-1] != '"' or not _dxf_is_fill_only(styles, rule.get("dxfId")):
            return False
        words.append(text[1:-1])
    return sorted(words) == sorted(plan.colours)


def _status_formatting(splice: SheetSplice, styles: Styles, plan: WritePlan, sqref: str, add: bool = True) -> None:
    """Colour formula-driven RAG cells with conditional formatting, replacing what a refresh added before.

    Only our own block is replaced; every other conditional format on the sheet, the analyst's on the RAG
    column included, keeps its bytes. The edit is a splice of the bytes after the cell table."""
    tail = splice.tail_bytes()
    ours = [
        (a, b)
        for name, a, b in top_level(tail)
        if name == "conditionalFormatting" and _is_ours(splice.parse(tail[a:b]), styles, plan)
    ]
    for a, b in reversed(ours):
        tail = tail[:a] + tail[b:]
    if add:
        elements = top_level(tail)
        blocks = [b for name, _, b in elements if name == "conditionalFormatting"]
        anchors = [a for name, a, _ in elements if name in _AFTER_CF]
        at = blocks[-1] if blocks else (anchors[0] if anchors else len(tail))
        priority = max((int(found) for found in _PRIORITY.findall(tail)), default=0)
        p = splice.prefix
        rules = []
        for status, rgb in plan.colours.items():
            priority += 1
            rules.append(
                b'<%scfRule type="cellIs" dxfId="%d" priority="%d" '
                b'operator="equal"><%sformula>"%s"</%sformula></%scfRule>'
                % (p, styles.dxf(rgb), priority, p, status.encode(), p, p)
            )
        block = b'<%sconditionalFormatting sqref="%s">%s</%sconditionalFormatting>' % (
            p,
            sqref.encode(),
            b"".join(rules),
            p,
        )
        tail = tail[:at] + block + tail[at:]
    splice.set_tail(tail)


def conditional_format_findings(package: Package, workbook: Workbook, plan: WritePlan) -> list[Finding]:
    """Conditional formats that would hide the colours a refresh gives the RAG cells: read before anything is
    written, so ``--strict`` can refuse. A rule that fills a cell (a format with a fill, a colour scale)
    shows over the cell's own fill, and over our conditional colours, which come last in priority."""
    part = workbook.sheet_part(plan.sheet)
    data = package.read(part) if part else b""
    if b"conditionalFormatting" not in data:
        return []
    splice = SheetSplice(data, package.path)
    try:
        styles: Styles | None = Styles(package, workbook)
    except WorkbookError:  # no styles part: no format to fill with (the refresh itself reports it)
        styles = None
    rows = sorted({w.row for w in plan.rag})
    column = plan.rag_column
    found: list[tuple[str, bool]] = []  # (range, whether a rule of it fills cells)
    tail = splice.tail_bytes()
    for name, a, b in top_level(tail):
        if name == "conditionalFormatting":
            block = splice.parse(tail[a:b])
            if not _is_ours(block, styles, plan):
                rules = block.findall(q("cfRule"))
                fills = any(r.get("type") == "colorScale" or _paints(_dxf(styles, r.get("dxfId"))) for r in rules)
                found.append((block.get("sqref", ""), fills))
        elif name == "extLst" and b"conditionalFormatting" in tail[a:b]:  # Excel 2010 rules (x14), dxf inline
            for block in splice.parse(tail[a:b]).iter(f"{{{X14}}}conditionalFormatting"):
                rules = block.findall(f"{{{X14}}}cfRule")
                fills = any(r.get("type") == "colorScale" or _paints(r.find(f"{{{X14}}}dxf")) for r in rules)
                found.append((block.findtext(f"{{{XM}}}sqref", ""), fills))
    warnings = []
    for sqref, fills in found:
        hit = [r for r in rows if any(a0 <= r <= a2 and a1 <= column <= a3 for a0, a1, a2, a3 in sqref_ranges(sqref))]
        if fills and hit:
            cells = f"{column_letter(column)}{hit[0]}" + (f":{column_letter(column)}{hit[-1]}" if len(hit) > 1 else "")
            warnings.append(kept.hiding_formats(plan.sheet, cells, [f"on {sqref}"]))
    return warnings


def _write_scorecard_sheet(package: Package, workbook: Workbook, styles: Styles, plan: WritePlan) -> None:
    part = workbook.sheet_part(plan.sheet)
    if part is None:
        raise WorkbookError(f"no sheet named '{plan.sheet}' in the package", file=package.path)
    try:
        _extend_tables(package, part, plan)
    except WorkbookError as error:
        raise _refused(package, error)  # noqa: B904 - the same error, given its file: re-raised, not replaced
    splice = SheetSplice(package.read(part), package.path)
    created = {w.column for w in plan.headers}
    formula_rows = []
    by_row: dict[int, list] = {}
    for write in (*plan.headers, *plan.cells):
        by_row.setdefault(write.row, []).append(write)
    # (cell's style, fill) -> style written: a few, for thousands of cells
    written: dict[tuple[int, str | None], int] = {}
    for number, writes in by_row.items():
        row = splice.row(number)
        # Styles are taken before anything is written, so a new column copies the original look
        # of its left neighbour, not the fill just given to that neighbour.
        bases = [_base_style(splice, plan.style_source if w.column in created else w.column, number) for w in writes]
        for write, base in zip(writes, bases, strict=True):
            if write.column == plan.rag_column and not write.header and row.has_formula(write.column):
                formula_rows.append(number)  # the analyst's formula stays; colour follows it
                continue
            style = written.get((base, write.fill))
            if style is None:
                readable = styles.readable(base)
                style = styles.cell_format(readable, fill=styles.fill(write.fill)) if write.fill else readable
                written[(base, write.fill)] = style
            row.set(write.column, write.text, style)
        splice.finish(number)
    col = column_letter(plan.rag_column)
    sqref = f"{col}{plan.first_row}:{col}{plan.last_row}"
    if formula_rows or all(splice.tail_mentions(status.encode()) for status in plan.colours):  # ours may be there
        _status_formatting(splice, styles, plan, sqref, add=bool(formula_rows))
    _widen(splice, plan)
    _write_sparklines(splice, plan)
    package.replace(part, splice.render())


# --- sparklines (layout.columns.trend) ---------------------------------------------------------------

SPARKLINES_EXT = "{05C60535-1F16-4fd2-B633-F4F36F0B64E0}"
# extensions Excel writes before the sparklines' in a worksheet's extLst: x14 conditional formats, data validations
_EXTS_BEFORE = {"{78C0D931-6437-407D-A8EE-F0AAD7539E65}", "{CCE6A557-97BC-4B89-ADB6-D9C93CAAB3DF}"}
# series, negative, axis, markers, first, last, high, low: a dark blue line, the current period in black
_SPARK_COLOURS = (
    ("colorSeries", "FF1F4E79"),
    ("colorNegative", "FFC00000"),
    ("colorAxis", "FF000000"),
    ("colorMarkers", "FF1F4E79"),
    ("colorFirst", "FF7F7F7F"),
    ("colorLast", "FF000000"),
    ("colorHigh", "FF595959"),
    ("colorLow", "FF595959"),
)
_MARKERS = (
    ("all", "markers"),
    ("high", "high"),
    ("low", "low"),
    ("first", "first"),
    ("last", "last"),
    ("negative", "negative"),
)


def _trend_cells(spark: SparklinePlan) -> set[tuple[int, int]]:
    return {(s.row, spark.column) for s in spark.sparklines}


def _is_our_group(group: etree._Element, spark: SparklinePlan) -> bool:
    """The group a refresh writes: every sparkline of it is in the trend column, below the header row."""
    cells = [r for line in group.iter(f"{{{X14}}}sparkline") for r in sqref_ranges(line.findtext(f"{{{XM}}}sqref", ""))]
    return bool(cells) and all(r[1] == r[3] == spark.column and spark.header_row < r[0] for r in cells)


def _group_cells(group: etree._Element) -> set[tuple[int, int]]:
    return {
        (row, column)
        for line in group.iter(f"{{{X14}}}sparkline")
        for r in sqref_ranges(line.findtext(f"{{{XM}}}sqref", ""))
        if r[2] - r[0] < 10_000 and r[3] - r[1] < 1_000
        for row in range(r[0], r[2] + 1)
        for column in range(r[1], r[3] + 1)
    }


def _sparkline_group(spark: SparklinePlan, skip: set[tuple[int, int]], declare: bool) -> bytes:
    """Our sparkline groups: one, or with sparklines.axis one for each kind of sparkline (those drawn from
    the trend sheet by their negative colour and scale, in the order of their first rows)."""
    kinds: dict[tuple, list] = {}
    for line in spark.sparklines:
        if (line.row, spark.column) not in skip:
            kinds.setdefault((line.axis, line.negative, line.manual_min, line.manual_max), []).append(line)
    return b"".join(_one_group(spark, kind, lines, declare) for kind, lines in kinds.items())


def _number(value: float) -> str:
    return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _one_group(spark: SparklinePlan, kind: tuple, lines: list, declare: bool) -> bytes:
    axis, negative, low, high = kind
    from_zero = spark.from_zero and not axis  # with an axis, the scale reaches the axis line (low, high)
    attributes = [("manualMax", _number(high))] if high is not None else []
    attributes += [("manualMin", "0")] if from_zero else [("manualMin", _number(low))] if low is not None else []
    attributes += [] if spark.type == "line" else [("type", spark.type)]
    attributes.append(("displayEmptyCellsAs", "gap"))
    attributes += [(name, "1") for marker, name in _MARKERS if marker in spark.markers]
    if axis:
        attributes.append(("displayXAxis", "1"))
    if from_zero or low is not None:
        attributes.append(("minAxisType", "custom"))
    if high is not None:
        attributes.append(("maxAxisType", "custom"))
    if spark.right_to_left:
        attributes.append(("rightToLeft", "1"))
    if declare:  # the sparkline groups' element binds other prefixes: ours are declared here
        attributes += [("xmlns:x14", X14), ("xmlns:xm", XM)]
    out = [b"<x14:sparklineGroup" + b"".join(b' %s="%s"' % (k.encode(), v.encode()) for k, v in attributes) + b">"]
    colours = [(name, negative if name == "colorNegative" and negative else rgb) for name, rgb in _SPARK_COLOURS]
    out += [b'<x14:%s rgb="%s"/>' % (name.encode(), rgb.encode()) for name, rgb in colours]
    out.append(b"<x14:sparklines>")
    for line in lines:
        out.append(
            b"<x14:sparkline><xm:f>%s</xm:f><xm:sqref>%s</xm:sqref></x14:sparkline>"
            % (_escape_xml(line.source), line.cell.encode())
        )
    out.append(b"</x14:sparklines></x14:sparklineGroup>")
    return b"".join(out)


def _escape_xml(text: str) -> bytes:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("utf-8")


def _sparkline_groups(
    splice: SheetSplice,
) -> tuple[tuple[int, int] | None, tuple[int, int] | None, etree._Element | None]:
    """Where the sheet's extLst is in the tail, where its sparklines' ext is in the extLst's content, and
    that ext parsed."""
    tail = splice.tail_bytes()
    lists = [(a, b) for name, a, b in top_level(tail) if name == "extLst"]
    if not lists:
        return None, None, None
    a, b = lists[-1]
    _, content, _ = element_parts(tail[a:b])
    for name, x, y in top_level(content):
        if name == "ext" and SPARKLINES_EXT.encode() in content[x:y]:
            ext = splice.parse(content[x:y])
            if (ext.get("uri") or "").upper() == SPARKLINES_EXT.upper():
                return (a, b), (x, y), ext
    return (a, b), None, None


def _others_in_trend(ext: etree._Element | None, spark: SparklinePlan) -> set[tuple[int, int]]:
    """Trend cells that hold a sparkline of a group refresh did not write: those keep theirs."""
    if ext is None:
        return set()
    groups = ext.find(f"{{{X14}}}sparklineGroups")
    taken: set[tuple[int, int]] = set()
    for group in groups.findall(f"{{{X14}}}sparklineGroup") if groups is not None else ():
        if not _is_our_group(group, spark):
            taken |= _group_cells(group) & _trend_cells(spark)
    return taken


def _write_sparklines(splice: SheetSplice, plan: WritePlan) -> None:
    """Write the plan's sparkline group into the sheet's extLst, in place of the one a refresh wrote before.

    Every other sparkline group (an analyst's) keeps its bytes; a trend cell one of them already draws
    in keeps that sparkline (``sparkline_findings`` says so before the refresh). Only the bytes of the
    extLst change."""
    spark = plan.sparklines
    if spark is None:
        return
    p = splice.prefix
    tail = splice.tail_bytes()
    where, ext_span, ext = _sparkline_groups(splice)
    taken = _others_in_trend(ext, spark)
    if where is None:  # no extLst: it is the last element of a worksheet
        ext_bytes = (
            b'<%sext uri="%s" xmlns:x14="%s"><x14:sparklineGroups xmlns:xm="%s">%s</x14:sparklineGroups></%sext>'
            % (p, SPARKLINES_EXT.encode(), X14.encode(), XM.encode(), _sparkline_group(spark, taken, False), p)
        )
        splice.set_tail(tail + b"<%sextLst>%s</%sextLst>" % (p, ext_bytes, p))
        return
    a, b = where
    head, content, close = element_parts(tail[a:b])
    if ext_span is None:  # an extLst without sparklines: theirs goes after the extensions Excel writes first
        ext_bytes = (
            b'<%sext uri="%s" xmlns:x14="%s"><x14:sparklineGroups xmlns:xm="%s">%s</x14:sparklineGroups></%sext>'
            % (p, SPARKLINES_EXT.encode(), X14.encode(), XM.encode(), _sparkline_group(spark, taken, False), p)
        )
        before = [
            y for name, x, y in top_level(content) if name == "ext" and _ext_uri(splice, content[x:y]) in _EXTS_BEFORE
        ]
        at = before[-1] if before else 0
        content = content[:at] + ext_bytes + content[at:]
    else:
        x, y = ext_span
        ext_head, ext_content, ext_close = element_parts(content[x:y])
        spans = [(i, j) for name, i, j in top_level(ext_content) if name == "sparklineGroups"]
        groups = ext.find(f"{{{X14}}}sparklineGroups") if ext is not None else None
        if not spans or groups is None:
            raise WorkbookError(
                "is damaged: the sheet's sparklines extension has no sparkline groups", file=splice.where
            )
        i, j = spans[0]
        g_head, g_content, g_close = element_parts(ext_content[i:j])
        elements = [e for e in groups if isinstance(e.tag, str)]
        pieces = top_level(g_content)
        if len(pieces) != len(elements):
            raise WorkbookError("is damaged: the sheet's sparkline groups could not be read", file=splice.where)
        for (_, g_a, g_b), element in reversed(list(zip(pieces, elements, strict=True))):
            if element.tag == f"{{{X14}}}sparklineGroup" and _is_our_group(element, spark):
                g_content = g_content[:g_a] + g_content[g_b:]
        bound = groups.nsmap.get("x14") == X14 and groups.nsmap.get("xm") == XM
        g_content += _sparkline_group(spark, taken, not bound)
        ext_content = ext_content[:i] + g_head + g_content + g_close + ext_content[j:]
        content = content[:x] + ext_head + ext_content + ext_close + content[y:]
    splice.set_tail(tail[:a] + head + content + close + tail[b:])


def _ext_uri(splice: SheetSplice, text: bytes) -> str:
    return (splice.parse(text).get("uri") or "").upper()


def sparkline_findings(package: Package, workbook: Workbook, plan: WritePlan) -> list[Finding]:
    """Trend cells that already hold a sparkline the analyst drew: read before anything is written."""
    spark = plan.sparklines
    part = workbook.sheet_part(plan.sheet) if spark is not None else None
    data = package.read(part) if part else b""
    if spark is None or b"sparklineGroup" not in data:
        return []
    taken = sorted(_others_in_trend(_sparkline_groups(SheetSplice(data, package.path))[2], spark))
    if not taken:
        return []
    return [kept.hand_drawn_sparklines(plan.sheet, [f"{column_letter(c)}{r}" for r, c in taken])]


_TABLE_REL = "/relationships/table"
_TABLE_REF = re.compile(r"^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$")


def _area(ref: str | None) -> tuple[int, int, int, int] | None:
    match = _TABLE_REF.match(ref or "")
    if not match:
        return None
    first_col, first_row = column_number(match.group(1)), int(match.group(2))
    last_col = column_number(match.group(3)) if match.group(3) else first_col
    return first_row, first_col, int(match.group(4)) if match.group(4) else first_row, last_col


def _ref(area: tuple[int, int, int, int]) -> str:
    return f"{column_letter(area[1])}{area[0]}:{column_letter(area[3])}{area[2]}"


def _extend_tables(package: Package, part: str, plan: WritePlan) -> None:
    """Widen the Excel Table holding the KPIs over the columns refresh adds (``tables_to_widen``
    decides, and refuses a write inside another table): its range, its filter's range and its column
    list, named as the headers written. A table whose part cannot be widened safely (a query or XML
    table, a column of that name already) is refused before anything is written."""
    from .package import _rels_name, _resolve

    try:
        rels = package.xml(_rels_name(part))
    except WorkbookError:  # no relationships: no tables
        return
    parts: dict[str, tuple[str, etree._Element]] = {}
    areas = []
    for rel in rels:
        if not rel.get("Type", "").endswith(_TABLE_REL) or rel.get("TargetMode") == "External":
            continue
        table_part = _resolve(part, rel.get("Target", ""))
        table = package.xml(table_part)
        bounds = _area(table.get("ref"))
        if bounds is None:
            continue
        name = table.get("displayName") or table.get("name") or "?"
        parts[name] = (table_part, table)
        areas.append(
            TableArea(
                name,
                *bounds,
                header_rows=0 if table.get("headerRowCount") == "0" else 1,
                totals_rows=1 if (table.get("totalsRowCount") or "0") != "0" else 0,
            )
        )
    created = sorted({w.column for w in plan.headers})
    texts_at = {(w.row, w.column): w.text for w in plan.headers}
    for area in tables_to_widen(plan, areas):
        table_part, table = parts[area.name]
        texts = [texts_at[(area.first_row, c)] for c in created]
        columns = table.find(q("tableColumns"))
        names = {(c.get("name") or "").casefold() for c in columns} if columns is not None else set()
        if table.get("tableType") not in (None, "worksheet"):
            raise table_refusal(
                area, f"is a {table.get('tableType')} table, which scorecard does not widen", plan.sheet
            )
        if columns is None or any(t.casefold() in names for t in texts):
            raise table_refusal(area, "already has a column of that name", plan.sheet)
        table.set("ref", _ref((area.first_row, area.first_column, area.last_row, created[-1])))
        auto = table.find(q("autoFilter"))
        a = _area(auto.get("ref")) if auto is not None else None
        if auto is not None and a:
            auto.set("ref", _ref((a[0], a[1], a[2], created[-1])))
        next_id = max((int(c.get("id", 0)) for c in columns), default=0) + 1
        for offset, text in enumerate(texts):
            column = etree.SubElement(columns, q("tableColumn"))
            column.set("id", str(next_id + offset))
            column.set("name", text)
        columns.set("count", str(len(columns)))
        package.touch(table_part)


def _refused(package: Package, error: WorkbookError) -> WorkbookError:
    error.file = error.file or str(package.path)
    return error


def _base_style(splice: SheetSplice, column: int, row: int) -> int:
    """The style a written cell keeps: that of the cell (for a column we create, of the plan's
    ``style_source`` column in the same row, as the Excel macros copy it); for a cell not in the
    file, what Excel gives a new cell there (the row's style, then the column's)."""
    style = splice.row(row).style(column)
    return style if style is not None else splice.implicit_style(row, column)


def _widen(splice: SheetSplice, plan: WritePlan) -> None:
    """Keep the dimension covering every cell, and give columns we created a readable width."""
    highest = max(plan.rag_column, plan.direction_column, *plan.spc_columns)
    ref = splice.dimension()
    if ref:
        first, _, last = ref.partition(":")
        match = _REF.match(last or first)
        if match and column_number(match.group(1)) < highest:
            splice.set_dimension(f"{first}:{column_letter(highest)}{match.group(2)}")
    created = sorted({w.column for w in plan.headers})
    if not created:
        return
    cols = splice.add_cols()
    covered = {c for col in cols for c in range(int(col.get("min", 0)), int(col.get("max", -1)) + 1)}
    for column in created:
        if column not in covered:
            col = etree.Element(q("col"))
            for key, value in (("min", column), ("max", column), ("width", 12), ("customWidth", 1)):
                col.set(key, str(value))
            later = [c for c in cols if int(c.get("min", 0)) > column]
            (later[0].addprevious(col) if later else cols.append(col))


# --- the narrative sheet -------------------------------------------------------------------------


# Calibri's letter widths in thousandths of an em (Carlito, its open twin, has the same): Excel's default
# font, which the Narrative sheet's text is in; other letters count as 500
_CALIBRI = {
    **dict(
        zip(
            "abcdefghijklmnopqrstuvwxyz",
            (
                479,
                525,
                423,
                525,
                498,
                305,
                471,
                525,
                229,
                239,
                455,
                229,
                799,
                525,
                527,
                525,
                525,
                349,
                391,
                335,
                525,
                452,
                715,
                433,
                453,
                395,
            ),
            strict=True,
        )
    ),
    **dict(
        zip(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            (
                579,
                544,
                533,
                615,
                488,
                459,
                631,
                623,
                252,
                319,
                520,
                420,
                855,
                646,
                662,
                517,
                673,
                543,
                459,
                487,
                642,
                567,
                890,
                519,
                487,
                468,
            ),
            strict=True,
        )
    ),
    **dict.fromkeys("0123456789£", 507),
    **{" ": 226, ".": 252, ",": 250, ":": 268, ";": 268, "-": 306, "(": 303, ")": 303, "/": 386, "%": 715},
    **{"'": 221, "’": 250, '"': 401, "&": 682, "–": 498, "•": 498, "!": 326, "?": 463},
}


# how much wider than Calibri a workbook's default font sets the same text; a font not listed counts as 1.1,
# so its rows err towards a spare line rather than a cut one
_WIDER_THAN_CALIBRI = {"calibri": 1.0, "carlito": 1.0, "aptos": 1.04, "arial": 1.12, "liberation sans": 1.12}


def text_points(text: str, size: float = 11.0, font: str = "Calibri") -> float:
    """The width of a text in ``font`` at ``size`` points, in points (Calibri's letter widths, scaled)."""
    return sum(_CALIBRI.get(ch, 500) for ch in text) * size / 1000 * _WIDER_THAN_CALIBRI.get(font.casefold(), 1.1)


def row_height(
    text: str, width: float, line_height: float = 15.0, gap: float = 3.0, size: float = 11.0, font: str = "Calibri"
) -> float:
    """Points needed to show wrapped text in a column ``width`` characters wide, and ``gap`` below it.

    Spreadsheet programs do not all fit row heights when they open a file (LibreOffice does
    not), so the heights are written. The lines are counted as Excel wraps them: words put on a
    line while they fit, measured letter by letter in the workbook's default font, in a column of
    ``width`` characters (7 pixels a character and 5 of padding, as Excel sizes its columns for an
    11-point default font, less the cell's margins); a word wider than a line has one of its own.
    """
    usable = (width * 7 + 5) * 0.75 - 6
    space = text_points(" ", size, font)
    lines = 0
    for paragraph in text.split("\n"):
        used, count = 0.0, 1
        for word in paragraph.split():
            long = text_points(word, size, font)
            if used and used + space + long > usable:
                count, used = count + 1, long
            else:
                used += (space if used else 0.0) + long
        lines += count
    return lines * line_height + gap


# a run's properties in the order the Open XML SDK checks them: CT_Font's order, rFont for name
_RUN_ORDER = (
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
    "rFont",
    "family",
    "charset",
    "scheme",
)


def _rich_bold(text: str, bold: int, font: etree._Element | None) -> str:
    """An inline string whose first ``bold`` characters are bold (a KPI's name), in the workbook's default font."""
    parts = {"b": "<b/>"}
    for child in font if font is not None else ():  # a run's properties: the font's, rFont for its name
        tag = etree.QName(child).localname
        if tag in ("b", "i") or tag not in _RUN_ORDER + ("name",):
            continue
        name = "rFont" if tag == "name" else tag
        attrs = "".join(f' {k!s}="{_escape_attr(str(v))}"' for k, v in child.attrib.items())
        parts[name] = f"<{name}{attrs}/>"
    properties = "".join(parts[tag] for tag in _RUN_ORDER if tag in parts)
    head, tail = text[:bold], text[bold:]

    def t(words: str) -> str:
        space = ' xml:space="preserve"' if words != words.strip() else ""
        return f"<t{space}>{_escape_cell(words)}</t>"

    runs = f"<r><rPr>{properties}</rPr>{t(head)}</r>" + (f"<r>{t(tail)}</r>" if tail else "")
    return f"<is>{runs}</is>"


def _escape_cell(text: str) -> str:
    return escape_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attr(value: str) -> str:
    return _escape_cell(value).replace('"', "&quot;")


def _narrative_xml(styles: Styles, cells: list[NarrativeCell]) -> bytes:
    base = 0
    formats = {
        "title": styles.cell_format(base, font=styles.font(bold=True, size=14)),
        "heading": styles.cell_format(base, font=styles.font(bold=True, size=12)),
        "body": styles.cell_format(base, wrap=True),
        "bullet": styles.cell_format(base, wrap=True),
        "lead": styles.cell_format(base, font=styles.font(italic=True), wrap=True),
        "note": styles.cell_format(base, font=styles.font(italic=True, colour="595959"), wrap=True),
        "number": styles.cell_format(base, font=styles.font(bold=True), wrap=True),
    }
    root = etree.Element(q("worksheet"), nsmap={None: MAIN, "r": REL})  # type: ignore[dict-item]  # None: the default namespace, as lxml takes it (its stubs want str)
    pr = etree.SubElement(root, q("sheetPr"))
    etree.SubElement(pr, q("pageSetUpPr")).set("fitToPage", "1")
    etree.SubElement(root, q("dimension")).set("ref", f"A1:B{max(c.row for c in cells)}")
    views = etree.SubElement(root, q("sheetViews"))
    view = etree.SubElement(views, q("sheetView"))
    view.set("showGridLines", "0")
    view.set("workbookViewId", "0")
    etree.SubElement(root, q("sheetFormatPr")).set("defaultRowHeight", "15")
    cols = etree.SubElement(root, q("cols"))
    for index, width in enumerate(NARRATIVE_WIDTHS, start=1):
        col = etree.SubElement(cols, q("col"))
        for key, value in (("min", index), ("max", index), ("width", width), ("customWidth", 1)):
            col.set(key, str(value))
    etree.SubElement(root, q("sheetData"))  # its rows are written as text below: thousands of them
    margins = etree.SubElement(root, q("pageMargins"))
    for key, value in (
        ("left", 0.7),
        ("right", 0.7),
        ("top", 0.75),
        ("bottom", 0.75),
        ("header", 0.3),
        ("footer", 0.3),
    ):
        margins.set(key, str(value))
    setup = etree.SubElement(root, q("pageSetup"))
    setup.set("paperSize", "9")  # A4
    setup.set("orientation", "portrait")
    setup.set("fitToWidth", "1")
    setup.set("fitToHeight", "0")
    titles = {c.style: c.text for c in cells if c.style in ("title", "heading")}
    header_footer = etree.SubElement(root, q("headerFooter"))
    left, right = narrative_header(titles.get("title", ""), titles.get("heading", ""))
    etree.SubElement(header_footer, q("oddHeader")).text = f"&L{left}&R{right}"
    etree.SubElement(header_footer, q("oddFooter")).text = f"&C{NARRATIVE_PAGES}"
    fonts = styles.root.find(q("fonts"))
    font = fonts[0] if fonts is not None and len(fonts) else None  # the workbook's default font, for bold runs
    size_element = font.find(q("sz")) if font is not None else None
    name_element = font.find(q("name")) if font is not None else None
    font_size = float(size_element.get("val", 11)) if size_element is not None else 11.0
    font_name = name_element.get("val", "Calibri") if name_element is not None else "Calibri"
    line = round(font_size * 15 / 11 * 4) / 4  # Excel's row of one line: 15 points for 11-point Calibri
    rows: list[bytes] = []  # a row's XML each, encoded as it is made: thousands of small texts are not kept
    in_order = sorted(cells, key=lambda c: (c.row, c.column))  # a new sheet: rows and cells in order
    for number, group in groupby(in_order, key=lambda c: c.row):
        row_cells = list(group)
        height = ""
        for cell in row_cells:
            if cell.column == 2 and cell.style not in ("title", "heading"):
                points = row_height(
                    cell.text, NARRATIVE_WIDTHS[1], line, NARRATIVE_GAP[cell.style], font_size, font_name
                )
                height = f' ht="{points:g}" customHeight="1"'
        texts = "".join(
            _text_cell(f"{column_letter(cell.column)}{number}", cell.text, formats[cell.style], cell.bold, font)
            for cell in row_cells
        )
        rows.append(f'<row r="{number}"{height}>{texts}</row>'.encode())
    head, _, tail = serialise(root).partition(b"<sheetData/>")
    return b"".join([head, b"<sheetData>", *rows, b"</sheetData>", tail])


def _text_cell(reference: str, text: str, style: int, bold: int = 0, font: etree._Element | None = None) -> str:
    """A cell holding text as an inline string, as ``sheetxml.set_text`` writes one; its first ``bold``
    characters in bold (rich text, in the workbook's default ``font``)."""
    if not text:
        return f'<c r="{reference}" s="{style}"/>'
    if 0 < bold <= len(text):
        return f'<c r="{reference}" s="{style}" t="inlineStr">{_rich_bold(text, bold, font)}</c>'
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    escaped = escape_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{reference}" s="{style}" t="inlineStr"><is><t{space}>{escaped}</t></is></c>'


def _write_narrative_sheet(package: Package, workbook: Workbook, styles: Styles, plan: WritePlan) -> None:
    xml = _narrative_xml(styles, plan.narrative_cells)
    part = workbook.sheet_part(plan.narrative_sheet)
    if part is None:
        workbook.add_sheet(plan.narrative_sheet, xml)
        return
    if not written_by_scorecard(sheet_texts(package, workbook, part)):
        raise foreign_narrative(plan.narrative_sheet, package.path)
    package.replace(part, xml)


# --- the trend sheet (sparklines.axis) ---------------------------------------------------------------


def _trend_xml(trend: TrendSheet) -> bytes:
    """The hidden sheet the sparklines with an axis are drawn from: the note in A1, headers in row 2, then
    a row per KPI: its id, its row on the scorecard sheet, the target it is measured from, and a formula
    per period with the value it computes (cached, so the sparklines are right when the file opens)."""
    root = etree.Element(q("worksheet"), nsmap={None: MAIN, "r": REL})  # type: ignore[dict-item]  # None: the default namespace, as lxml takes it (its stubs want str)
    last_column = len(trend.headers)
    last_row = max([r.row for r in trend.rows] + [2])
    etree.SubElement(root, q("dimension")).set("ref", f"A1:{column_letter(last_column)}{last_row}")
    etree.SubElement(etree.SubElement(root, q("sheetViews")), q("sheetView")).set("workbookViewId", "0")
    etree.SubElement(root, q("sheetFormatPr")).set("defaultRowHeight", "15")
    cols = etree.SubElement(root, q("cols"))
    for first, last, width in ((1, 1, 14), (2, 2, 6), (3, last_column, 11)):
        col = etree.SubElement(cols, q("col"))
        for key, value in (("min", first), ("max", last), ("width", width), ("customWidth", 1)):
            col.set(key, str(value))
    data = etree.SubElement(root, q("sheetData"))

    def text(row: etree._Element, column: int, value: str) -> None:
        cell = etree.SubElement(row, q("c"))
        cell.set("r", f"{column_letter(column)}{row.get('r')}")
        set_text(cell, value, None)

    def number(row: etree._Element, column: int, formula: str | None, value: float | None) -> None:
        if formula is None and value is None:
            return  # a blank period: a gap in the sparkline
        cell = etree.SubElement(row, q("c"))
        cell.set("r", f"{column_letter(column)}{row.get('r')}")
        if formula is not None:
            etree.SubElement(cell, q("f")).text = formula
        etree.SubElement(cell, q("v")).text = _number(value) if value is not None else "0"

    note = etree.SubElement(data, q("row"))
    note.set("r", "1")
    text(note, 1, trend.note)
    header = etree.SubElement(data, q("row"))
    header.set("r", "2")
    for column, heading in enumerate(trend.headers, start=1):
        text(header, column, heading)
    for line in trend.rows:
        row = etree.SubElement(data, q("row"))
        row.set("r", str(line.row))
        text(row, 1, line.kpi)
        number(row, 2, None, float(line.kpi_row))
        number(row, 3, line.basis.formula, line.basis.value)
        for cell in line.cells:
            number(row, cell.column, cell.formula, cell.value)
    margins = etree.SubElement(root, q("pageMargins"))
    for key, inches in (
        ("left", 0.7),
        ("right", 0.7),
        ("top", 0.75),
        ("bottom", 0.75),
        ("header", 0.3),
        ("footer", 0.3),
    ):
        margins.set(key, str(inches))
    return serialise(root)


def sheet_texts(package: Package, workbook: Workbook, part: str) -> list[str]:
    """The texts of a sheet's cells, inline or shared (Excel and LibreOffice move a sheet's texts to the
    shared strings when they save it), for telling a sheet scorecard wrote by its provenance line."""
    from .reader import (
        shared_strings,
    )  # the reader's own: runs joined, _xHHHH_ undone (imported here: it imports this module)

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


def foreign_trend_sheet(name: str, file: str | Path | None = None) -> WorkbookError:
    return WorkbookError(
        f"already has a sheet named '{name}' that scorecard did not write; sparklines.axis draws the trend "
        "sparklines from a sheet of that name: rename that sheet, or leave sparklines.axis out of the rules. "
        "Nothing was changed.",
        file=file,
    )


def _trend_part(package: Package, workbook: Workbook, plan: WritePlan) -> str | None:
    """The trend sheet's part if the workbook has it (refused, before anything is written, when scorecard
    did not write it)."""
    trend = plan.sparklines.trend_sheet if plan.sparklines else None
    if trend is None:
        return None
    part = workbook.sheet_part(trend.name)
    if part is not None and not written_by_scorecard(sheet_texts(package, workbook, part)):
        raise foreign_trend_sheet(trend.name, package.path)
    return part


def _write_trend_sheet(package: Package, workbook: Workbook, plan: WritePlan, part: str | None) -> None:
    """Add the hidden trend sheet, or replace the one a refresh wrote (its hidden state as the analyst left it)."""
    from .embedded import keep_another_sheet_active

    trend = plan.sparklines.trend_sheet if plan.sparklines else None
    if trend is None:
        return
    xml = _trend_xml(trend)
    if part is not None:
        if package.read(part) != xml:
            before = {c.get("r") for c in package.xml(part).iter(q("c")) if c.find(q("f")) is not None}
            after = {f"{column_letter(c.column)}{r.row}" for r in trend.rows for c in (r.basis, *r.cells) if c.formula}
            if before - after:  # a formula cell of the last refresh is gone (a KPI less, a figure cleared)
                workbook.drop_calc_chain()
            package.replace(part, xml)
        return
    workbook.add_sheet(trend.name, xml)
    element = next(s for s in workbook.sheets if s.get("name") == trend.name)
    element.set("state", "hidden")
    keep_another_sheet_active(workbook, element)


def stale_trend_findings(package: Package, workbook: Workbook, plan: WritePlan) -> list[Finding]:
    """A trend sheet an earlier refresh wrote for sparklines.axis, which the sparklines drawn now (without
    it) no longer read: it is left as it is, and named, so that it is deleted rather than trusted."""
    if plan.sparklines is None or plan.sparklines.trend_sheet is not None:
        return []
    part = workbook.sheet_part(TREND_SHEET)
    if part is None or not written_by_scorecard(sheet_texts(package, workbook, part)):
        return []
    return [kept.stale_trend_sheet(TREND_SHEET)]


# --- refresh -----------------------------------------------------------------------------------------


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while a plan is written: the write makes tens of thousands of
    short-lived objects (edits, rows, texts) and no reference cycles, and each object freed is freed
    at once; the collector would only walk them, and the objects of the read, again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def write_plan(source: str | Path, destination: str | Path, plan: WritePlan) -> None:
    """Apply the plan to a copy of ``source`` and atomically put it at ``destination``."""
    source, destination = Path(source), Path(destination)
    check_file(source)
    check_writable(destination)
    archive = open_zip(source)
    try:
        package = Package(source, archive)
        apply_plan(package, Workbook(package), plan, destination)
    finally:
        archive.close()


@_no_cycle_collection()  # a context manager made by contextmanager is also a decorator
def apply_plan(package: Package, workbook: Workbook, plan: WritePlan, destination: Path) -> None:
    """Apply the plan to an open package (perhaps the one just read) and save it at ``destination``."""
    styles = Styles(package, workbook)
    trend = _trend_part(package, workbook, plan)  # a sheet of that name we did not write: refused before any write
    if plan.rag:  # a table read across (one KPI per column) has nothing written into it
        _write_scorecard_sheet(package, workbook, styles, plan)
    _write_narrative_sheet(package, workbook, styles, plan)
    _write_trend_sheet(package, workbook, plan, trend)
    if workbook.has_formulas():  # a formula may count or look up the cells just written: stale until recalculated
        workbook.recalculate_on_load()
    package.save(destination)
