"""Sparklines in the trend column (``layout.columns.trend``), and the hidden trend sheet they may be drawn from.

Sparklines are an Excel 2010 extension of the worksheet (an ``x14:sparklineGroups`` inside its ``extLst``),
which no library we could write through keeps: they are written here as bytes into the sheet's tail, in
place of the group a refresh wrote before. Every other group (an analyst's) keeps its bytes, and a trend
cell one of them already draws in keeps that sparkline (``hand_drawn`` says so before anything is written).

With ``sparklines.axis`` the sparklines are drawn from a hidden sheet (``core.plan.TREND_SHEET``) holding
each KPI's figures against its target, so that the axis line is the target.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from ..core import kept
from ..core.a1 import cell_ref, sqref_ranges
from ..core.findings import Finding
from ..core.plan import TREND_SHEET, Sparkline, SparklinePlan, TrendSheet, WritePlan, written_by_scorecard
from ..errors import WorkbookError
from .newsheet import add_columns, add_page_margins, add_text_cell, worksheet
from .ooxml import X14, XM, q, serialise
from .package import Package, Workbook
from .sheetxml import SheetSplice, element_parts, top_level
from .strings import sheet_texts, xml_text

# --- the sparklines --------------------------------------------------------------------------------

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


_Kind = tuple[bool, str | None, float | None, float | None]  # a group's axis, negative colour, scale


def _sparkline_group(spark: SparklinePlan, skip: set[tuple[int, int]], declare: bool) -> bytes:
    """Our sparkline groups: one, or with sparklines.axis one for each kind of sparkline (those drawn from
    the trend sheet by their negative colour and scale, in the order of their first rows)."""
    kinds: dict[_Kind, list[Sparkline]] = {}
    for line in spark.sparklines:
        if (line.row, spark.column) not in skip:
            kinds.setdefault((line.axis, line.negative, line.manual_min, line.manual_max), []).append(line)
    return b"".join(_one_group(spark, kind, lines, declare) for kind, lines in kinds.items())


def _number(value: float) -> str:
    return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _one_group(spark: SparklinePlan, kind: _Kind, lines: list[Sparkline], declare: bool) -> bytes:
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
            % (xml_text(line.source).encode(), line.cell.encode())
        )
    out.append(b"</x14:sparklines></x14:sparklineGroup>")
    return b"".join(out)


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


def write_sparklines(splice: SheetSplice, plan: WritePlan) -> None:
    """Write the plan's sparkline group into the sheet's extLst, in place of the one a refresh wrote before.

    Every other sparkline group (an analyst's) keeps its bytes; a trend cell one of them already draws
    in keeps that sparkline (``hand_drawn`` says so before the refresh). Only the bytes of the
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


def hand_drawn(package: Package, workbook: Workbook, plan: WritePlan) -> list[Finding]:
    """Trend cells that already hold a sparkline the analyst drew: read before anything is written."""
    spark = plan.sparklines
    part = workbook.sheet_part(plan.sheet) if spark is not None else None
    data = package.read(part) if part else b""
    if spark is None or b"sparklineGroup" not in data:
        return []
    taken = sorted(_others_in_trend(_sparkline_groups(SheetSplice(data, package.path))[2], spark))
    if not taken:
        return []
    return [kept.hand_drawn_sparklines(plan.sheet, [cell_ref(r, c) for r, c in taken])]


# --- the trend sheet (sparklines.axis) ---------------------------------------------------------------


def _trend_xml(trend: TrendSheet) -> bytes:
    """The hidden sheet the sparklines with an axis are drawn from: the note in A1, headers in row 2, then
    a row per KPI: its id, its row on the scorecard sheet, the target it is measured from, and a formula
    per period with the value it computes (cached, so the sparklines are right when the file opens)."""
    last_column = len(trend.headers)
    last_row = max([r.row for r in trend.rows] + [2])
    root = worksheet(f"A1:{cell_ref(last_row, last_column)}")
    add_columns(root, ((1, 1, 14), (2, 2, 6), (3, last_column, 11)))
    data = etree.SubElement(root, q("sheetData"))

    def number(row: etree._Element, column: int, formula: str | None, value: float | None) -> None:
        if formula is None and value is None:
            return  # a blank period: a gap in the sparkline
        cell = etree.SubElement(row, q("c"))
        cell.set("r", cell_ref(int(row.get("r", "0")), column))
        if formula is not None:
            etree.SubElement(cell, q("f")).text = formula
        etree.SubElement(cell, q("v")).text = _number(value) if value is not None else "0"

    note = etree.SubElement(data, q("row"))
    note.set("r", "1")
    add_text_cell(note, 1, trend.note)
    header = etree.SubElement(data, q("row"))
    header.set("r", "2")
    for column, heading in enumerate(trend.headers, start=1):
        add_text_cell(header, column, heading)
    for line in trend.rows:
        row = etree.SubElement(data, q("row"))
        row.set("r", str(line.row))
        add_text_cell(row, 1, line.kpi)
        number(row, 2, None, float(line.kpi_row))
        number(row, 3, line.basis.formula, line.basis.value)
        for cell in line.cells:
            number(row, cell.column, cell.formula, cell.value)
    add_page_margins(root)
    return serialise(root)


def foreign_trend_sheet(name: str, file: str | Path | None = None) -> WorkbookError:
    return WorkbookError(
        f"already has a sheet named '{name}' that scorecard did not write; sparklines.axis draws the trend "
        "sparklines from a sheet of that name: rename that sheet, or leave sparklines.axis out of the rules. "
        "Nothing was changed.",
        file=file,
    )


def trend_part(package: Package, workbook: Workbook, plan: WritePlan) -> str | None:
    """The trend sheet's part if the workbook has it (refused, before anything is written, when scorecard
    did not write it)."""
    trend = plan.sparklines.trend_sheet if plan.sparklines else None
    if trend is None:
        return None
    part = workbook.sheet_part(trend.name)
    if part is not None and not written_by_scorecard(sheet_texts(package, workbook, part)):
        raise foreign_trend_sheet(trend.name, package.path)
    return part


def write_trend_sheet(package: Package, workbook: Workbook, plan: WritePlan, part: str | None) -> None:
    """Add the hidden trend sheet, or replace the one a refresh wrote (its hidden state as the analyst left it)."""
    trend = plan.sparklines.trend_sheet if plan.sparklines else None
    if trend is None:
        return
    xml = _trend_xml(trend)
    if part is not None:
        if package.read(part) != xml:
            before = {c.get("r") for c in package.xml(part).iter(q("c")) if c.find(q("f")) is not None}
            after = {cell_ref(r.row, c.column) for r in trend.rows for c in (r.basis, *r.cells) if c.formula}
            if before - after:  # a formula cell of the last refresh is gone (a KPI less, a figure cleared)
                workbook.drop_calc_chain()
            package.replace(part, xml)
        return
    workbook.add_sheet(trend.name, xml)
    element = next(s for s in workbook.sheets if s.get("name") == trend.name)
    element.set("state", "hidden")
    workbook.keep_another_sheet_active(element)


def stale_trend_sheet(package: Package, workbook: Workbook, plan: WritePlan) -> list[Finding]:
    """A trend sheet an earlier refresh wrote for sparklines.axis, which the sparklines drawn now (without
    it) no longer read: it is left as it is, and named, so that it is deleted rather than trusted."""
    if plan.sparklines is None or plan.sparklines.trend_sheet is not None:
        return []
    part = workbook.sheet_part(TREND_SHEET)
    if part is None or not written_by_scorecard(sheet_texts(package, workbook, part)):
        return []
    return [kept.stale_trend_sheet(TREND_SHEET)]
