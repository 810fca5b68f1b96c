"""The cover report as a Word document: title and period, the numbered narrative, a RAG table.

python-docx opens the council's own template (any .docx or .dotx saved from Word), so its styles,
header, footer and page set-up carry over untouched; the report is added after whatever the
template's body holds (a letterhead, a front sheet). docxtpl was the other candidate; it needs
Jinja tags typed into the template, which a council's existing template does not have.

Paragraph numbers (3.1, 3.3.1 ...) come from the narrative itself, written as text with a hanging
indent rather than as a Word list: they then restart exactly where the narrative restarts them and
cannot be renumbered by a template's list definitions. Style names the template lacks fall back
to the template's Normal style. Cell shading is set on the document's XML through the public
``Document.element`` tree (python-docx has no shading API).

The RAG table gains Variation and Assurance columns (Making Data Count's verdicts, ``core.spc``) when
any KPI has them, and a column per benchmark label when any KPI has benchmark figures. After it, each
KPI whose latest point is a special cause gets its XmR chart (``charts``, matplotlib, an optional
extra): without matplotlib the report says how many charts are left out and how to get them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.model import RatedKpi
from ..core.narrative import figure
from ..core.plan import direction_text, provenance_line
from ..core.spc import Assurance, Variation
from . import charts
from .template import check_paths, open_template, report_text, save_report

if TYPE_CHECKING:
    from ..core.rules import Rules
    from ..refresh import Evaluation

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
HANG_CM = 1.6  # room for "3.4.12" before the text


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[RatedKpi], str]
    width_cm: float


def _figure(value: float | None, k: RatedKpi) -> str:
    return "" if value is None else figure(value, k.kpi)


# Making Data Count's words for its verdicts, as its icons are captioned
VARIATION_TEXT = {
    Variation.IMPROVEMENT: "Special cause improvement",
    Variation.CONCERN: "Special cause concern",
    Variation.NEITHER: "Special cause (no good side)",
    Variation.COMMON_CAUSE: "Common cause",
}
ASSURANCE_TEXT = {
    Assurance.PASS: "Consistently meets target",
    Assurance.FAIL: "Consistently misses target",
    Assurance.HIT_AND_MISS: "Hit and miss",
}
SPECIAL_CAUSE = (Variation.IMPROVEMENT, Variation.CONCERN, Variation.NEITHER)


def _variation(k: RatedKpi) -> str:
    return VARIATION_TEXT[k.spc.variation] if k.spc is not None and k.spc.variation is not None else ""


def _assurance(k: RatedKpi) -> str:
    return ASSURANCE_TEXT[k.spc.assurance] if k.spc is not None and k.spc.assurance is not None else ""


def benchmark_labels(kpis: tuple[RatedKpi, ...]) -> list[str]:
    """Every benchmark label any KPI has, in the order they first appear."""
    labels: dict[str, None] = {}
    for k in kpis:
        labels.update(dict.fromkeys(k.kpi.benchmarks or {}))
    return list(labels)


def _benchmark(label: str) -> Callable[[RatedKpi], str]:
    return lambda k: _figure((k.kpi.benchmarks or {}).get(label), k)


def table_columns(result: Evaluation) -> list[Column]:
    """The RAG table's columns: ref, indicator, both periods' figures, target, floor, RAG, direction;
    then Variation and Assurance when any KPI has that verdict, and one column per benchmark label."""
    period = result.scorecard.period
    kpis = result.scorecard.kpis
    extra = []
    if any(_variation(k) for k in kpis):
        extra.append(Column("Variation", _variation, 2.6))
    if any(_assurance(k) for k in kpis):
        extra.append(Column("Assurance", _assurance, 2.6))
    extra += [
        Column(label, _benchmark(label), 2.2) for label in benchmark_labels(kpis)
    ]  # room for "Statistical neighbours"
    return [
        Column("Ref", lambda k: k.kpi.id, 1.8),
        Column("Indicator", lambda k: k.kpi.name, 4.0),
        Column(period.previous or "Previous", lambda k: _figure(k.kpi.previous, k), 1.75),
        Column(period.current or "Current", lambda k: _figure(k.kpi.current, k), 1.75),
        Column("Target", lambda k: _figure(k.kpi.target, k), 1.75),
        Column("Floor", lambda k: _figure(k.kpi.floor, k), 1.75),
        Column("RAG", lambda k: k.rag.value, 1.8),
        Column("Direction", lambda k: direction_text(k.direction), 2.3),
        *extra,
    ]


def write_report(result: Evaluation, rules: Rules, output: str | Path, template: str | Path | None = None) -> Path:
    """Write the cover report to ``output`` (atomically: a failure leaves no half-written file)."""
    output = Path(output)
    check_paths(output, template)  # a .docx, in a folder that exists, not the template itself
    document = open_template(template)  # a workbook's package limits and parser policy; no macros, no remote template
    _drop_word2010_styles_copy(document)
    _fill(document, *report_text(result, rules))  # texts without the control characters Word cannot hold
    save_report(document, output)  # atomically, with the mode a refresh gives a workbook
    return output


def _drop_word2010_styles_copy(document) -> None:
    """Drop stylesWithEffects, Word 2010's copy of the styles, which python-docx does not keep in
    step with styles.xml (a header or footer adds styles to one and not the other): Word 2013 and
    later ignore the part and Word 2010 rebuilds it, while a stale copy is what the Open XML SDK
    flags as possibly unreadable."""
    part = document.part
    stale = [rid for rid, rel in part.rels.items() if rel.reltype.endswith("/stylesWithEffects")]
    for rid in stale:
        part.drop_rel(rid)


def _style(document, *names: str):
    """The first of ``names`` the document defines, else None (the Normal style)."""
    from docx.enum.style import WD_STYLE_TYPE

    defined = {s.name for s in document.styles if s.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.TABLE)}
    return next((name for name in names if name in defined), None)


def _fill(document, result: Evaluation, rules: Rules) -> None:
    from docx.enum.section import WD_SECTION
    from docx.shared import Cm, Pt

    narrative = result.narrative
    document.add_paragraph(narrative.title, style=_style(document, "Title", "Heading 1"))
    document.add_paragraph(narrative.heading, style=_style(document, "Heading 1", "Heading 2"))
    bullet = _style(document, "List Bullet")
    for p in narrative.paragraphs:
        if p.style == "bullet":
            para = document.add_paragraph(p.text if bullet else f"•\t{p.text}", style=bullet)
            if not bullet:
                _hang(para, Cm(HANG_CM), Cm(HANG_CM + 0.6))
        elif p.number:
            para = document.add_paragraph(f"{p.number}\t{p.text}")
            _hang(para, Cm(0), Cm(HANG_CM))
        else:  # the lead-in of a group ("Five of these KPIs show ..."): indented, unnumbered
            para = document.add_paragraph(p.text)
            para.paragraph_format.left_indent = Cm(HANG_CM)

    columns = table_columns(result)
    turned = _landscape_if_too_wide(document, columns)
    document.add_paragraph(
        f"RAG status of each KPI – {result.scorecard.period.current or narrative.heading}",
        style=_style(document, "Heading 2", "Heading 1"),
    )
    table = document.add_table(rows=1, cols=len(columns))
    grid = _style(document, "Table Grid")
    if grid:
        table.style = grid
    for cell, column in zip(table.rows[0].cells, columns, strict=True):
        cell.text = column.header
        for run in cell.paragraphs[0].runs:
            run.bold = True
    rag_index = [c.header for c in columns].index("RAG")
    fills: list[str | None] = [None]
    for k in result.scorecard.kpis:
        row = table.add_row().cells
        for cell, column in zip(row, columns, strict=True):
            cell.text = column.value(k)
        fills.append(rules.colours[k.rag])
    _fit_widths(document, table, columns)
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(8.5)
    _shade_column(document, len(document.tables) - 1, rag_index, fills)
    _repeat_header(document, len(document.tables) - 1)

    note = document.add_paragraph(provenance_line(rules, result.table.sheet))
    for run in note.runs:
        run.font.size = Pt(8)
    if turned:
        _turn(document.add_section(WD_SECTION.NEW_PAGE))  # back to the template's orientation
    _charts(document, result)


TOO_WIDE = 1.3  # the columns' widths over the text width beyond which the table goes onto landscape pages


def _landscape_if_too_wide(document, columns: list[Column]) -> bool:
    """Put the RAG table on landscape pages of its own when the SPC and benchmark columns make it too
    wide for a portrait page (a council's landscape template keeps its pages); True if it did."""
    from docx.enum.section import WD_SECTION
    from docx.shared import Cm

    section = document.sections[-1]
    usable = section.page_width - section.left_margin - section.right_margin
    if section.page_width > section.page_height or Cm(sum(c.width_cm for c in columns)) <= usable * TOO_WIDE:
        return False
    _turn(document.add_section(WD_SECTION.NEW_PAGE))
    return True


def _turn(section) -> None:
    """Swap a section's page between portrait and landscape (the new section is a copy of the one before)."""
    from docx.enum.section import WD_ORIENT

    width, height = section.page_width, section.page_height
    section.orientation = WD_ORIENT.PORTRAIT if width > height else WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = height, width


def special_cause(result: Evaluation) -> list[RatedKpi]:
    """The KPIs whose latest point is a special cause: a real change, not noise."""
    return [k for k in result.scorecard.kpis if k.spc is not None and k.spc.variation in SPECIAL_CAUSE]


def chart_labels(k: RatedKpi) -> list[str]:
    """The period names of the points on the KPI's chart, oldest first: its history's, with the missing
    values left out as the chart leaves them out. Lined up from the latest point if the counts differ."""
    history, periods = k.kpi.history, k.kpi.history_periods
    labels = (
        [p for v, p in zip(history, periods, strict=True) if v is not None]
        if len(periods) == len(history)
        else list(periods)
    )
    points = len(k.spc.signals) if k.spc is not None else 0
    return labels[len(labels) - points :] if len(labels) >= points else [""] * (points - len(labels)) + labels


def charts_left_out(count: int) -> str:
    if count == 1:
        return f"The chart for 1 KPI showing a real change is left out: install it with {charts.INSTALL_HINT}"
    return f"Charts for {count} KPIs showing a real change are left out: install them with {charts.INSTALL_HINT}"


def _charts(document, result: Evaluation) -> None:
    """An XmR chart for each KPI showing a special cause, under a heading; or a line saying how to get them."""
    from docx.shared import Cm, Emu

    kpis = special_cause(result)
    if not kpis:
        return
    document.add_paragraph("Charts of the KPIs showing a real change", style=_style(document, "Heading 2", "Heading 1"))
    if not charts.available():
        document.add_paragraph(charts_left_out(len(kpis)))
        return
    section = document.sections[-1]
    width = Emu(min(int(section.page_width - section.left_margin - section.right_margin), int(Cm(16))))
    for k in kpis:
        spc = k.spc
        if spc is None or spc.variation is None:  # special_cause() gave only KPIs with a verdict
            continue
        # the caption names the KPI; the chart's own title is its reference (a long name would be cut off)
        png = charts.xmr_chart(
            spc, k.kpi.polarity, title=k.kpi.id, labels=chart_labels(k), target=k.kpi.target, width_cm=width.cm
        )
        caption = f"{k.kpi.id} {k.kpi.name}".strip()
        document.add_paragraph(f"{caption}: {VARIATION_TEXT[spc.variation].lower()}", style=_style(document, "Caption"))
        document.add_picture(io.BytesIO(png), width=width)


def _fit_widths(document, table, columns: list[Column]) -> None:
    """Share the page's text width among the columns in proportion: Word and LibreOffice both
    honour fixed widths given on the grid and on every cell."""
    from docx.shared import Emu

    section = document.sections[-1]
    usable = section.page_width - section.left_margin - section.right_margin
    total = sum(c.width_cm for c in columns)
    widths = [Emu(int(usable * c.width_cm / total)) for c in columns]
    table.autofit = False
    for index, width in enumerate(widths):
        table.columns[index].width = width
        for cell in table.columns[index].cells:
            cell.width = width


def _hang(paragraph, left, indent) -> None:
    """Number at ``left``, text from ``indent``; wrapped lines line up with the text."""
    fmt = paragraph.paragraph_format
    fmt.left_indent = indent
    fmt.first_line_indent = left - indent
    fmt.tab_stops.add_tab_stop(indent)


def _tables(document):
    return document.element.body.findall(f"{{{W}}}tbl")


def _shade_column(document, table_index: int, column: int, fills: list[str | None]) -> None:
    from lxml import etree

    rows = _tables(document)[table_index].findall(f"{{{W}}}tr")
    for tr, fill in zip(rows, fills, strict=False):
        if fill is None:
            continue
        tc = tr.findall(f"{{{W}}}tc")[column]
        tc_pr = tc.find(f"{{{W}}}tcPr")
        if tc_pr is None:
            tc_pr = etree.SubElement(tc, f"{{{W}}}tcPr")
            tc.insert(0, tc_pr)
        shd = etree.SubElement(tc_pr, f"{{{W}}}shd")
        shd.set(f"{{{W}}}val", "clear")
        shd.set(f"{{{W}}}color", "auto")
        shd.set(f"{{{W}}}fill", fill.upper())
        _order_tc_pr(tc_pr)


# CT_TcPr's children in schema order: a shading written after vAlign would be out of order
_TC_PR_ORDER = [
    "cnfStyle",
    "tcW",
    "gridSpan",
    "hMerge",
    "vMerge",
    "tcBorders",
    "shd",
    "noWrap",
    "tcMar",
    "textDirection",
    "tcFitText",
    "vAlign",
    "hideMark",
    "headers",
    "cellIns",
    "cellDel",
    "cellMerge",
    "tcPrChange",
]


def _order_tc_pr(tc_pr) -> None:
    children = sorted(
        tc_pr, key=lambda e: _TC_PR_ORDER.index(e.tag.split("}")[1]) if e.tag.split("}")[1] in _TC_PR_ORDER else 99
    )
    for child in children:
        tc_pr.append(child)


def _repeat_header(document, table_index: int) -> None:
    """The header row repeats at the top of each page the table runs onto."""
    from lxml import etree

    tr = _tables(document)[table_index].find(f"{{{W}}}tr")
    tr_pr = tr.find(f"{{{W}}}trPr")
    if tr_pr is None:
        tr_pr = etree.Element(f"{{{W}}}trPr")
        index = 1 if tr.find(f"{{{W}}}tblPrEx") is not None else 0
        tr.insert(index, tr_pr)
    etree.SubElement(tr_pr, f"{{{W}}}tblHeader")
