"""The committee paper as a Word document: the summary box, 1 Introduction, 2 Context, 3 Summary of
Performance, 4 Recommendations, 5 Background documents, the contact details; then Appendix A, the RAG
table of every KPI with its key, and Appendix B, the Making Data Count charts.

The words come from the pure core (``core.committee.compose``): this module lays them out. python-docx
opens the council's own template (any .docx saved from Word), so its styles, header, footer and page
set-up carry over and the paper follows whatever its body holds (a letterhead). Without a template the
paper is A4 with 2 cm margins, Arial, and page numbers in the footer. docxtpl was the other candidate; it
needs Jinja tags typed into the template, which a council's existing template does not have.

Published papers must be accessible (the Public Sector Bodies Accessibility Regulations): headings are
real headings (a template lacking the styles gets them, with outline levels), each table's header row is
marked as a header, every picture has alt text, no meaning rests on colour alone (the RAG cell is worded,
the icons lettered), the document's language is set, and its properties name the title and author (never
"python-docx"); the provenance line goes to the properties, not the body.

Paragraph numbers (3.1, 3.3.1 ...) come from the narrative itself, written as text with a hanging
indent rather than as a Word list: they then restart exactly where the narrative restarts them and
cannot be renumbered by a template's list definitions.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.committee import CHART_APPENDIX, TABLE_APPENDIX, PaperText, chart_reasons, compose, drawable, paper_notes
from ..core.findings import Finding
from ..core.model import RatedKpi
from ..core.narrative import Paragraph, figure
from ..core.plan import provenance_line
from ..core.spc_words import kind_words
from . import charts
from . import docx_xml as x
from .rag_table import Tables, columns, fits_portrait, short_period
from .template import check_paths, open_template, report_text, save_report

if TYPE_CHECKING:
    from docx.document import Document
    from docx.section import Section
    from docx.shared import Length
    from docx.styles.style import CharacterStyle
    from docx.text.paragraph import Paragraph as DocxParagraph

    from ..core.rules import Rules
    from ..usecases import Evaluation

HANG_CM = 1.6  # room for "3.4.12" before the text
MARGIN_CM = 2.0
LANGUAGE = "en-GB"
FONT = "Arial"
DARK = (0x1F, 0x1F, 0x1F)
UNIT_LABELS = {"percent": "Per cent", "days": "Days", "weeks": "Weeks", "months": "Months", "hours": "Hours"}


def write_report(result: Evaluation, rules: Rules, output: str | Path, template: str | Path | None = None) -> Path:
    """Write the committee paper to ``output`` (atomically: a failure leaves no half-written file)."""
    output = Path(output)
    check_paths(output, template)  # a .docx, in a folder that exists, not the template itself
    document = open_template(template)  # a workbook's package limits and parser policy; no macros, no remote template
    _drop_word2010_styles_copy(document)
    fitted, fitted_rules = report_text(result, rules)  # texts without the control characters Word cannot hold
    _Paper(document, fitted, fitted_rules, fresh=template is None).write()
    save_report(document, output)  # atomically, with the mode a refresh gives a workbook
    return output


def report_notes(result: Evaluation, rules: Rules) -> list[Finding]:
    """What the paper notes for the record (``core.committee.paper_notes``) for this evaluation."""
    return paper_notes(result.scorecard, rules.report, rules.title)


def _drop_word2010_styles_copy(document: Document) -> None:
    """Drop stylesWithEffects, Word 2010's copy of the styles, which python-docx does not keep in
    step with styles.xml (a header or footer adds styles to one and not the other): Word 2013 and
    later ignore the part and Word 2010 rebuilds it, while a stale copy is what the Open XML SDK
    flags as possibly unreadable."""
    part = document.part
    stale = [rid for rid, rel in part.rels.items() if rel.reltype.endswith("/stylesWithEffects")]
    for rid in stale:
        part.drop_rel(rid)


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
        return f"The chart for 1 KPI is left out: install it with {charts.INSTALL_HINT}"
    return f"Charts for {count} KPIs are left out: install them with {charts.INSTALL_HINT}"


class _Paper:
    def __init__(self, document: Document, result: Evaluation, rules: Rules, fresh: bool):
        self.document, self.result, self.rules, self.fresh = document, result, rules, fresh
        self.card = result.scorecard
        self.text: PaperText = compose(self.card, rules.report, rules.title)
        self.pictures_before = len(x.pictures(document))
        self.tables = Tables(document, rules, self.style)
        self.alt = self.tables.alt  # every picture's alt text, in the order added
        self.figures = 0
        self.landscape = False  # Appendix A is on landscape pages of its own

    # --- styles and the page

    def style(self, *names: str) -> str | None:
        """The first of ``names`` the document defines, else None (the Normal style)."""
        from docx.enum.style import WD_STYLE_TYPE

        defined = {s.name for s in self.document.styles if s.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.TABLE)}
        return next((name for name in names if name in defined), None)

    def _styles(self) -> None:
        """Headings that are real headings in any template; a council's look when there is no template."""
        from docx.enum.style import WD_STYLE_TYPE
        from docx.shared import Pt, RGBColor

        styles = self.document.styles
        for name, level, size in (
            ("Title", None, 20),
            ("Heading 1", 0, 14),
            ("Heading 2", 1, 12),
            ("Caption", None, 9),
        ):
            if self.style(name) is None:
                made = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
                made.base_style = styles["Normal"]
                made.font.bold, made.font.size = True, Pt(size)
                made.paragraph_format.keep_with_next = True
                self.fresh_style(made)
            if level is not None:
                x.outline_level(styles[name].element, level)
        if not self.fresh:
            return
        normal = styles["Normal"]
        normal.font.name, normal.font.size = FONT, Pt(11)
        normal.paragraph_format.space_after = Pt(6)
        normal.paragraph_format.line_spacing = 1.15
        for name, size in (("Title", 20), ("Heading 1", 14), ("Heading 2", 12), ("Caption", 9)):
            style = styles[name]
            x.plain_style(style.element)  # no theme font over Arial, no rule under the title
            style.font.name, style.font.size, style.font.bold = FONT, Pt(size), True
            style.font.italic = False
            style.font.color.rgb = RGBColor(*DARK)
            style.paragraph_format.space_before = Pt(12 if name.startswith("Heading") else 0)
            style.paragraph_format.space_after = Pt(6)
            style.paragraph_format.keep_with_next = True
        for name in ("List Bullet",):
            if self.style(name):
                styles[name].font.name = FONT

    @staticmethod
    def fresh_style(style: CharacterStyle) -> None:
        from docx.shared import RGBColor

        style.font.color.rgb = RGBColor(*DARK)

    def _page(self) -> None:
        from docx.shared import Cm

        section = self.document.sections[0]
        if self.fresh:
            section.page_width, section.page_height = Cm(21.0), Cm(29.7)
            for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
                setattr(section, side, Cm(MARGIN_CM))
            section.header_distance = section.footer_distance = Cm(1.0)
        footer = section.footer.part.element if not section.footer.is_linked_to_previous else None
        if footer is None:
            section.footer.is_linked_to_previous = False
            footer = section.footer.part.element
        if not x.has_page_field(footer):
            x.page_number_paragraph(footer)

    def _properties(self) -> None:
        props = self.document.core_properties
        period = self.card.period.current or ""
        props.title = f"{self.text.title} – {period}" if period else self.text.title
        props.author = self.text.author
        props.last_modified_by = self.text.author
        props.subject = self.text.subject
        props.keywords = "performance scorecard; key performance indicators; RAG"
        props.comments = provenance_line(self.rules, self.result.table.sheet)
        props.category = "Committee report"
        x.set_language(self.document.styles.element, LANGUAGE, replace=self.fresh)  # a template's own is kept
        props.language = x.language_of(self.document.styles.element) or LANGUAGE
        now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
        props.created = props.modified = now
        props.revision = 1

    def usable_cm(self) -> float:
        section = self.document.sections[-1]
        width, _ = _page_size(section)
        left, right = section.left_margin, section.right_margin
        assert left is not None and right is not None  # Word writes every section's margins (pgMar)
        return (width - left - right) / 360000

    # --- the body

    def write(self) -> None:
        self._styles()
        self._page()
        self._properties()
        document = self.document
        document.add_paragraph(self.text.title, style=self.style("Title"))
        self._box()
        for section in self.text.sections:
            document.add_paragraph(f"{section.number}. {section.heading}", style=self.style("Heading 1"))
            if section.number == 3:
                self._glance()
            for p in section.paragraphs:
                self._paragraph(p)
        if self.text.contact:
            document.add_paragraph("Contact details", style=self.style("Heading 2"))
            for line in self.text.contact:
                document.add_paragraph(line).paragraph_format.space_after = 0
        self._appendix_table()
        self._appendix_charts()
        x.describe_pictures(document, self.pictures_before, self.alt)

    def _box(self) -> None:
        """The summary box: From, To, Subject, Classification, Summary and Recommendation(s)."""
        from docx.shared import Cm, Pt

        table = self.tables._table(len(self.text.box), 2)
        for row, (label, text) in zip(table.rows, self.text.box, strict=True):
            self.tables._write(row.cells[0], label, bold=True, size=11)
            self.tables._write(row.cells[1], text, size=11)
        usable = self.usable_cm()
        for index, width in enumerate((4.4, usable - 4.4)):
            table.columns[index].width = Cm(width)
            for cell in table.columns[index].cells:
                cell.width = Cm(width)
        tbl = x.last_table(self.document)
        for tr in x.rows(tbl):
            x.keep_row_whole(tr)
        x.describe_table(tbl, "Summary", "The paper's subject, summary and recommendation.")
        self.document.add_paragraph().paragraph_format.space_after = Pt(0)

    def _glance(self) -> None:
        if not any(k.spc is not None and k.spc.variation is not None for k in self.card.kpis):
            return
        document = self.document
        document.add_paragraph(
            "Table 1 shows the KPIs by Making Data Count's variation (is there a real change?) and assurance (will "
            "the target be met?), worked out from each KPI's history of figures."
        )
        document.add_paragraph("Table 1: The KPIs by variation and assurance", style=self.style("Caption"))
        self.tables.glance(self.card, charts.available())
        document.add_paragraph()

    def _paragraph(self, p: Paragraph) -> None:
        from docx.shared import Cm

        document = self.document
        bullet = self.style("List Bullet")
        if p.style == "bullet":
            para = document.add_paragraph(p.text if bullet else f"•\t{p.text}", style=bullet)
            if not bullet:
                _hang(para, Cm(HANG_CM), Cm(HANG_CM + 0.6))
            return
        if not p.number:  # a lead-in ("Five of these KPIs show ...") or an unnumbered line: indented
            para = document.add_paragraph(p.text)
            para.paragraph_format.left_indent = Cm(HANG_CM)
            para.paragraph_format.keep_with_next = p.style == "lead"
            return
        para = document.add_paragraph()
        para.add_run(f"{p.number}\t")
        if p.subject and p.text.startswith(p.subject):
            para.add_run(p.subject).bold = True
            para.add_run(p.text[len(p.subject) :])
        else:
            para.add_run(p.text)
        _hang(para, Cm(0), Cm(HANG_CM))

    def _appendix_table(self) -> None:
        """Appendix A on a page of its own: landscape pages when the table is too wide for a portrait one."""
        from docx.enum.section import WD_SECTION

        document = self.document
        self.landscape = not fits_portrait(columns(self.card), self.usable_cm()) and not _is_landscape(
            document.sections[-1]
        )
        if self.landscape:
            _turn(document.add_section(WD_SECTION.NEW_PAGE))
        else:
            document.add_page_break()
        period = self.card.period.current or ""
        document.add_paragraph(
            f"{TABLE_APPENDIX}: {self.text.title}" + (f" – {period}" if period else ""), style=self.style("Heading 1")
        )
        self.tables.rag_table(self.card, self.usable_cm(), charts.available())
        self.tables.key(self.card)

    def _appendix_charts(self) -> None:
        """Appendix B: a chart for each KPI rated Red, consistently missing its target or a special cause."""
        from docx.enum.section import WD_SECTION
        from docx.shared import Cm

        charted = self.text.charted
        if not charted:
            return
        document = self.document
        if self.landscape:  # back to the template's orientation, on a new page
            _turn(document.add_section(WD_SECTION.NEW_PAGE))
        else:
            document.add_page_break()
        document.add_paragraph(f"{CHART_APPENDIX}: Charts", style=self.style("Heading 1"))
        document.add_paragraph(
            "Each chart shows a KPI's figures over time with their mean and process limits, as NHS England's "
            "Making Data Count draws them: a point outside the limits, a run of points on one side of the mean or "
            "a run rising or falling is a real change (a special cause); points within the limits are normal "
            "variation."
        )
        drawn = [k for k in charted if drawable(k)]
        if drawn and not charts.available():
            document.add_paragraph(charts_left_out(len(drawn)))
            drawn = []
        width = Cm(min(self.usable_cm(), 16.0))
        for k in drawn:
            self._chart(k, width)
        for k in charted:
            if not drawable(k):
                why = k.spc.reason if k.spc is not None and k.spc.reason else "the workbook gives no history of figures"
                document.add_paragraph(f"No chart for {k.kpi.id} ({'; '.join(chart_reasons(k))}): {why}.")

    def _chart(self, k: RatedKpi, width: Length) -> None:
        spc, kpi = k.spc, k.kpi
        assert spc is not None and spc.mean is not None and spc.lower is not None and spc.upper is not None
        self.figures += 1
        labels = [short_period(p) for p in chart_labels(k)]
        noun = self.rules.report.noun(kpi.id)
        axis = UNIT_LABELS.get(
            kpi.unit, "FTE" if kpi.unit == "fte" else "£" if kpi.unit == "pounds" else (noun or "").capitalize()
        )
        png = charts.xmr_chart(
            spc,
            kpi.polarity,
            title=f"{kpi.id} {kpi.name}".strip(),
            labels=labels,
            target=kpi.target,
            width_cm=width.cm,
            unit=kpi.unit,
            axis_label=axis,
            fmt=lambda v: figure(v, kpi, kpi.decimals + 1),
            target_fmt=lambda v: figure(v, kpi),
        )
        caption = self.document.add_paragraph(
            f"Figure {self.figures}: {kpi.id} – {'; '.join(chart_reasons(k))}", style=self.style("Caption")
        )
        caption.paragraph_format.keep_with_next = True
        holder = self.document.add_paragraph()
        holder.paragraph_format.keep_together = True
        holder.add_run().add_picture(io.BytesIO(png), width=width)
        self.alt.append(_chart_alt(k, labels))


def _chart_alt(k: RatedKpi, labels: list[str]) -> str:
    """A chart's alt text: what it shows, in the figures it draws."""
    spc, kpi = k.spc, k.kpi
    assert spc is not None and spc.mean is not None and spc.lower is not None and spc.upper is not None
    one, many = kind_words(kpi)
    fig = lambda v: figure(v, kpi, kpi.decimals + 1)  # noqa: E731 - a local shorthand
    span = f" from {labels[0]} to {labels[-1]}" if labels and labels[0] and labels[-1] else ""
    text = (
        f"XmR chart of {kpi.name}: {spc.points} {one if spc.points == 1 else many} of figures{span}. "
        f"Latest figure {figure(spc.signals[-1].value, kpi)}; mean {fig(spc.mean)}; process limits {fig(spc.lower)} "
        f"to {fig(spc.upper)}"
    )
    if kpi.target is not None:
        text += f"; target {figure(kpi.target, kpi)}"
    return text + ". " + "; ".join(chart_reasons(k)).capitalize() + "."


def _page_size(section: Section) -> tuple[Length, Length]:
    """The section's page width and height (python-docx gives None for a section without them, which Word
    always writes: its pgSz)."""
    width, height = section.page_width, section.page_height
    assert width is not None and height is not None
    return width, height


def _is_landscape(section: Section) -> bool:
    width, height = _page_size(section)
    return width > height


def _turn(section: Section) -> None:
    """Swap a section's page between portrait and landscape (the new section is a copy of the one before)."""
    from docx.enum.section import WD_ORIENT

    width, height = _page_size(section)
    section.orientation = WD_ORIENT.PORTRAIT if width > height else WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = height, width


def _hang(paragraph: DocxParagraph, left: Length, indent: Length) -> None:
    """Number at ``left``, text from ``indent``; wrapped lines line up with the text."""
    fmt = paragraph.paragraph_format
    fmt.left_indent = indent
    fmt.first_line_indent = left - indent
    fmt.tab_stops.add_tab_stop(indent)
