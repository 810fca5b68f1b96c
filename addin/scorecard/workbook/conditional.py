"""Conditional formats on the RAG column, in the sheet's XML: those a refresh adds, and the analyst's that
would hide its colours.

A RAG cell holding a formula keeps it, so its colour comes from conditional formatting: one 'cell equals'
rule per status word, each a fill alone (``write_status_formats``). A refresh replaces the block it added
before and leaves every other block's bytes, the analyst's on the RAG column included. ``hiding_formats``
finds, before anything is written, the analyst's formats that fill RAG cells: their colours show over the
ones scorecard gives (``core.kept`` words the finding).
"""

from __future__ import annotations

import re

from lxml import etree

from ..core import kept
from ..core.a1 import cell_ref, sqref_ranges
from ..core.findings import Finding
from ..core.plan import WritePlan
from ..errors import WorkbookError
from .ooxml import X14, XM, q
from .package import Package, Workbook
from .sheetxml import SheetSplice, top_level
from .styles import Styles

# CT_Worksheet's children after conditionalFormatting, in schema order: a new block goes before the first present
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
_PRIORITY = re.compile(rb'<(?:[\w.-]+:)?cfRule\b[^>]*?\bpriority="(\d+)"')


def _dxf(styles: Styles | None, dxf_id: str | None) -> etree._Element | None:
    """The differential format a rule names (by its index in the styles' dxfs), or None."""
    dxfs = styles.root.find(q("dxfs")) if styles is not None else None
    if dxfs is None or dxf_id is None or not dxf_id.isdigit() or int(dxf_id) >= len(dxfs):
        return None
    return dxfs[int(dxf_id)]


def _fill_only(dxf: etree._Element | None) -> bool:
    return dxf is not None and [child.tag for child in dxf] == [q("fill")]


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
        if len(text) < 2 or text[0] != '"' or text[-1] != '"' or not _fill_only(_dxf(styles, rule.get("dxfId"))):
            return False
        words.append(text[1:-1])
    return sorted(words) == sorted(plan.colours)


def write_status_formats(splice: SheetSplice, styles: Styles, plan: WritePlan, sqref: str, add: bool = True) -> None:
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


def hiding_formats(package: Package, workbook: Workbook, plan: WritePlan) -> list[Finding]:
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
            cells = cell_ref(hit[0], column) + (f":{cell_ref(hit[-1], column)}" if len(hit) > 1 else "")
            warnings.append(kept.hiding_formats(plan.sheet, cells, ranges=[sqref]))
    return warnings
