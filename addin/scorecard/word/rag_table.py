"""The paper's tables: the RAG table of every KPI (Appendix A) with its key, and the one-glance summary of
the KPIs by Making Data Count's variation and assurance (at the head of section 3).

The RAG table: the indicator column about a third of the width; figures right-aligned with their units;
short period headers ("Jun-18"); no column narrower than its longest word, so no header breaks mid-word;
rows never split across pages and grouped under the workbook's own sections (``Kpi.section``); the RAG
cell shaded and worded; MDC's icons with their word beneath. Too wide for a portrait page, it goes onto a
landscape one. Widths are estimated from Arial's letter widths (Liberation Sans has the same metrics).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..core.model import Polarity, Rag, RatedKpi, Scorecard
from ..core.narrative import figure, legend
from ..core.periods import parse_period
from ..core.plan import direction_text
from ..core.spc import Assurance, Variation
from . import docx_xml as x

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table

    from ..core.rules import Rules

Cell = Any  # a table cell, python-docx's _Cell (a private name: its type is not imported)

TABLE_PT, KEY_PT = 8.5, 8.0
INDICATOR_LEAST, INDICATOR_MOST = 0.3, 0.4  # the indicator column's share of the text width
ICON_CM = 0.55
MARGINS_CM = 0.45  # a cell's left and right margins, and a little room
HEADER_FILL, SECTION_FILL = "D9D9D9", "EDEDED"

# the words the workbook's Variation and Assurance columns hold (core.plan.spc_texts), as the table prints them
VARIATION_WORDS = {
    Variation.IMPROVEMENT: "Improvement",
    Variation.CONCERN: "Concern",
    Variation.NEITHER: "Neither",
    Variation.COMMON_CAUSE: "Common cause",
}
ASSURANCE_WORDS = {Assurance.PASS: "Pass", Assurance.FAIL: "Fail", Assurance.HIT_AND_MISS: "Hit and miss"}
VARIATION_MEANS = {
    Variation.IMPROVEMENT: "special cause improvement",
    Variation.CONCERN: "special cause concern",
    Variation.NEITHER: "special cause, on a KPI with no good side",
    Variation.COMMON_CAUSE: "common cause: normal variation",
}
ASSURANCE_MEANS = {
    Assurance.PASS: "consistently meets target",
    Assurance.FAIL: "consistently misses target",
    Assurance.HIT_AND_MISS: "hit and miss: the target lies within the normal range",
}
POLARITY_WORDS = {
    Polarity.HIGHER: "higher is better",
    Polarity.LOWER: "lower is better",
    Polarity.TARGET: "close to target is best",
}

_NARROW, _MIDDLE = set("ijlI.,:;'|! "), set("ftr()-[]/")


def text_cm(text: str, points: float, bold: bool = False) -> float:
    """The width of a text in Arial at ``points``, in centimetres (letter widths in thousandths of an em)."""
    units = 0
    for ch in text:
        if ch in _NARROW:
            units += 260
        elif ch in _MIDDLE:
            units += 320
        elif ch in "mMwW%":
            units += 880
        elif ch.isupper():
            units += 700
        else:
            units += 560
    return units / 1000 * points * (1.06 if bold else 1.0) * 2.54 / 72


def _longest_word_cm(text: str, points: float, bold: bool = False) -> float:
    return max((text_cm(word, points, bold) for word in text.split()), default=0.0)


def short_period(name: str | None) -> str:
    """ "June 2018" -> "Jun-18", "Q2 2018/19" -> "Q2 18/19": a header that fits a narrow column."""
    if not name:
        return ""
    parsed = parse_period(name)
    if parsed is not None and parsed.kind == "month" and parsed.months == 1:
        year, month = divmod(parsed.start, 12)
        return f"{'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split()[month]}-{year % 100:02d}"
    if parsed is not None and parsed.kind == "quarter" and "/" in parsed.name:
        quarter, years = parsed.name.split(" ", 1)
        return f"{quarter} {years[2:]}"
    return name


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[RatedKpi], str]
    kind: Literal["ref", "indicator", "figure", "rag", "direction", "variation", "assurance"]
    width_cm: float = 0.0


def _figure(value: float | None, k: RatedKpi) -> str:
    return "" if value is None else figure(value, k.kpi)


TOO_FEW = "Too few points"  # as the workbook's Variation column writes a history too short for limits


def _variation(k: RatedKpi) -> str:
    if k.spc is None:
        return ""
    return VARIATION_WORDS[k.spc.variation] if k.spc.variation is not None else TOO_FEW


def _assurance(k: RatedKpi) -> str:
    return ASSURANCE_WORDS[k.spc.assurance] if k.spc is not None and k.spc.assurance is not None else ""


def benchmark_labels(kpis: tuple[RatedKpi, ...]) -> list[str]:
    """Every benchmark label any KPI has, in the order they first appear."""
    labels: dict[str, None] = {}
    for k in kpis:
        labels.update(dict.fromkeys(k.kpi.benchmarks or {}))
    return list(labels)


def _benchmark(label: str) -> Callable[[RatedKpi], str]:
    return lambda k: _figure((k.kpi.benchmarks or {}).get(label), k)


def columns(card: Scorecard) -> list[Column]:
    """The RAG table's columns: ref, indicator, the previous and current figures (the current alone for a
    first return), target, floor, RAG, direction; Variation and Assurance when any KPI has that verdict; a
    column per benchmark label. Each as narrow as its content allows, never narrower than its longest word."""
    kpis, period = card.kpis, card.period
    single = period.previous is None and all(k.kpi.previous is None for k in kpis)
    found: list[Column] = [Column("Ref", lambda k: k.kpi.id, "ref")]
    found.append(Column("Indicator", lambda k: k.kpi.name, "indicator"))
    if not single:
        found.append(
            Column(short_period(period.previous) or "Previous", lambda k: _figure(k.kpi.previous, k), "figure")
        )
    found.append(Column(short_period(period.current) or "Current", lambda k: _figure(k.kpi.current, k), "figure"))
    if any(k.kpi.target is not None for k in kpis):
        found.append(Column("Target", lambda k: _figure(k.kpi.target, k), "figure"))
    if any(k.kpi.floor is not None for k in kpis):
        found.append(Column("Floor", lambda k: _figure(k.kpi.floor, k), "figure"))
    found.append(Column("RAG", lambda k: k.rag.value, "rag"))
    if not single:
        found.append(Column("Direction", lambda k: direction_text(k.direction).replace(" ", "\u00a0"), "direction"))
    if any(k.spc is not None and k.spc.variation is not None for k in kpis):
        found.append(Column("Variation", _variation, "variation"))
    if any(_assurance(k) for k in kpis):
        found.append(Column("Assurance", _assurance, "assurance"))
    found += [Column(label, _benchmark(label), "figure") for label in benchmark_labels(kpis)]
    return [_sized(c, kpis) for c in found]


def _sized(column: Column, kpis: tuple[RatedKpi, ...]) -> Column:
    header = _longest_word_cm(column.header, TABLE_PT, bold=True)
    values = [column.value(k) for k in kpis]
    if column.kind in ("figure", "ref", "direction"):  # a figure, a ref, an arrow and its word: unbreakable
        content = max((text_cm(v, TABLE_PT) for v in values), default=0.0)
    elif column.kind in ("variation", "assurance"):
        content = max([ICON_CM] + [_longest_word_cm(v, TABLE_PT - 1) for v in values])
    else:
        content = max((_longest_word_cm(v, TABLE_PT) for v in values), default=0.0)
    return Column(column.header, column.value, column.kind, max(header, content) + MARGINS_CM)


def fits_portrait(cols: list[Column], usable_cm: float) -> bool:
    """Whether the columns fit the text width with the indicator column about a third of it (30% at least)."""
    fixed = sum(c.width_cm for c in cols if c.kind != "indicator")
    return fixed + usable_cm * INDICATOR_LEAST <= usable_cm


def share(cols: list[Column], usable_cm: float) -> list[float]:
    """Each column's width: the indicator about a third of the text width (30% to 40%), the others their own
    width, widened alike to fill the line (or narrowed alike, if they must)."""
    fixed = sum(c.width_cm for c in cols if c.kind != "indicator")
    indicator = min(max(usable_cm - fixed, usable_cm * INDICATOR_LEAST), usable_cm * INDICATOR_MOST)
    scale = (usable_cm - indicator) / fixed if fixed else 1.0
    return [indicator if c.kind == "indicator" else c.width_cm * scale for c in cols]


def sections_of(card: Scorecard) -> list[tuple[str | None, list[RatedKpi]]]:
    """The KPIs in row order, grouped under the workbook's section headings (None: no heading above)."""
    groups: list[tuple[str | None, list[RatedKpi]]] = []
    for k in card.kpis:
        if not groups or groups[-1][0] != k.kpi.section:
            groups.append((k.kpi.section, []))
        groups[-1][1].append(k)
    return groups


def _side(k: RatedKpi) -> int:
    """The side (+1 high, -1 low) of the latest point's special cause, for the icon's letter."""
    if k.spc is None or not k.spc.signals or not k.spc.signals[-1].rules:
        return 0
    sides = set(k.spc.signals[-1].rules.values())
    good = {Polarity.HIGHER: 1, Polarity.LOWER: -1}.get(k.kpi.polarity) if k.kpi.polarity else None
    if good is not None and k.spc.variation is Variation.IMPROVEMENT:
        return good
    if good is not None and k.spc.variation is Variation.CONCERN:
        return -good
    return max(sides, key=lambda s: s)


def variation_alt(k: RatedKpi) -> str:
    assert k.spc is not None and k.spc.variation is not None
    side = {1: " (high)", -1: " (low)"}.get(_side(k), "")
    return (
        f"Variation: {VARIATION_MEANS[k.spc.variation]}{side if k.spc.variation is not Variation.COMMON_CAUSE else ''}"
    )


def assurance_alt(k: RatedKpi) -> str:
    assert k.spc is not None and k.spc.assurance is not None
    return f"Assurance: {ASSURANCE_MEANS[k.spc.assurance]}"


class Tables:
    """Writes the tables into a python-docx document, collecting the alt text of each picture it adds."""

    def __init__(self, document: Document, rules: Rules, style: Callable[..., str | None]):
        self.document, self.rules, self.style = document, rules, style
        self.alt: list[str] = []

    def _table(self, rows: int, cols: int) -> Table:
        table = self.document.add_table(rows=rows, cols=cols)
        grid = self.style("Table Grid")
        if grid:
            table.style = grid
        table.autofit = False
        return table

    def _write(self, cell: Cell, text: str, *, bold: bool = False, right: bool = False, size: float = TABLE_PT) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        paragraph = cell.paragraphs[0]
        run = paragraph.add_run(text)
        run.bold, run.font.size = bold, Pt(size)
        paragraph.paragraph_format.space_after = Pt(0)
        if right:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def _icon(self, cell: Cell, png: bytes, word: str, alt: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm, Pt

        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.add_run().add_picture(io.BytesIO(png), width=Cm(ICON_CM))
        self.alt.append(alt)
        below = cell.add_paragraph()
        below.alignment = WD_ALIGN_PARAGRAPH.CENTER
        below.paragraph_format.space_after = Pt(0)
        run = below.add_run(word)
        run.font.size = Pt(TABLE_PT - 1)

    def _indicator(self, cell: Cell, k: RatedKpi) -> None:
        from docx.shared import Pt, RGBColor

        self._write(cell, k.kpi.name)
        notes = []
        if k.kpi.polarity is not None and k.rag is not Rag.NOT_RATED:
            notes.append(POLARITY_WORDS[k.kpi.polarity])
        if k.kpi.cumulative:
            notes.append("total to date")
        if k.kpi.profiled:
            notes.append("target profiled")
        if notes:
            run = cell.paragraphs[0].add_run(f" ({'; '.join(notes)})")
            run.font.size, run.italic = Pt(TABLE_PT - 1), True
            run.font.color.rgb = RGBColor(0x40, 0x40, 0x40)

    def rag_table(self, card: Scorecard, usable_cm: float, icons: bool) -> None:
        """The RAG table of every KPI, grouped under its sections."""
        from docx.shared import Cm

        cols = columns(card)
        widths = share(cols, usable_cm)
        table = self._table(1, len(cols))
        for cell, column in zip(table.rows[0].cells, cols, strict=True):
            self._write(cell, column.header, bold=True, right=column.kind == "figure")
        tbl = x.last_table(self.document)
        x.header_row(x.rows(tbl)[0])
        for tc in x.cells(x.rows(tbl)[0]):
            x.shade(tc, HEADER_FILL)
        groups = sections_of(card)
        for name, members in groups:
            if name is not None:
                row = table.add_row()
                merged = row.cells[0].merge(row.cells[-1])
                self._write(merged, name, bold=True)
                tr = x.rows(tbl)[-1]
                x.shade(x.cells(tr)[0], SECTION_FILL)
                x.keep_row_with_next(tr)
                x.keep_row_whole(tr)
            for k in members:
                row = table.add_row()
                for cell, column in zip(row.cells, cols, strict=True):
                    self._cell(cell, column, k, icons)
                tr = x.rows(tbl)[-1]
                x.keep_row_whole(tr)
                rag = [c.kind for c in cols].index("rag")
                x.shade(x.cells(tr)[rag], self.rules.colours[k.rag])
        for index, width in enumerate(widths):
            table.columns[index].width = Cm(width)
            for cell in table.columns[index].cells:
                cell.width = Cm(width)
        period = card.period.current or "the current period"
        sections = [n for n, _ in groups if n]
        x.describe_table(
            tbl,
            f"RAG status of each KPI – {period}",
            f"{len(card.kpis)} KPIs, one a row"
            + (f", under {len(sections)} section headings" if sections else "")
            + ": "
            + ", ".join(c.header for c in cols)
            + ".",
        )

    def _cell(self, cell: Cell, column: Column, k: RatedKpi, icons: bool) -> None:
        from .icons import assurance_icon, variation_icon

        text = column.value(k)
        if column.kind == "indicator":
            self._indicator(cell, k)
        elif column.kind == "variation" and text and text != TOO_FEW and icons:
            assert k.spc is not None and k.spc.variation is not None
            self._icon(cell, variation_icon(k.spc.variation, _side(k)), text, variation_alt(k))
        elif column.kind == "assurance" and text and icons:
            assert k.spc is not None and k.spc.assurance is not None
            self._icon(cell, assurance_icon(k.spc.assurance), text, assurance_alt(k))
        else:
            self._write(cell, text, right=column.kind == "figure", bold=column.kind == "rag")

    def key(self, card: Scorecard) -> None:
        """The key under the RAG table: what RAG, the arrows, polarity and the icons mean, as this table uses them."""
        from docx.shared import Pt

        lines = []
        words = legend(card)
        rag = "; ".join(f"{r.value} – {meaning}" for r, meaning in words.items())
        if any(k.rag is Rag.NO_DATA for k in card.kpis):
            rag += f"; No data – no figure for {card.period.current or 'the current period'}"
        if any(k.rag is Rag.NOT_RATED for k in card.kpis):
            rag += "; Not rated – an activity indicator, with no target or floor standard"
        lines.append(("RAG rating: ", rag + "."))
        if card.period.previous is not None or any(k.kpi.previous is not None for k in card.kpis):
            travel = "↑ improved, ↓ declined, → the same, at the figures' displayed precision"
            if any(k.rag is Rag.NOT_RATED for k in card.kpis):
                travel += "; for an activity indicator ↑ increased and ↓ decreased"
            if any(k.kpi.cumulative for k in card.kpis):
                travel += "; a total to date is judged against its profile, not by its rise"
            lines.append(
                (f"Direction of travel ({card.period.previous or 'previous'} to {card.period.current}): ", travel + ".")
            )
        lines.append(
            (
                "Polarity: ",
                "after each indicator's name, whether a higher or a lower figure is better, or closeness to the "
                "target.",
            )
        )
        if any(k.spc is not None and k.spc.variation is not None for k in card.kpis):
            lines.append(
                (
                    "Variation (NHS Making Data Count): ",
                    "Improvement or Concern – a special cause on the good or the bad side, H high or L low; "
                    "Common cause – normal variation; Neither – a special cause on a KPI with no good side; Too few "
                    "points – a history too short for limits.",
                )
            )
        if any(_assurance(k) for k in card.kpis):
            lines.append(
                (
                    "Assurance: ",
                    "Pass – consistently meets target (P); Fail – consistently misses target (F); Hit and miss – the "
                    "target lies within the normal range (?).",
                )
            )
        for label, text in lines:
            paragraph = self.document.add_paragraph()
            paragraph.paragraph_format.space_after = Pt(2)
            bold = paragraph.add_run(label)
            bold.bold, bold.font.size = True, Pt(KEY_PT)
            paragraph.add_run(text).font.size = Pt(KEY_PT)

    def glance(self, card: Scorecard, icons: bool) -> bool:
        """The one-glance summary: KPI refs by variation (rows) and assurance (columns); False if no verdicts."""
        from docx.shared import Cm

        from .icons import assurance_icon, variation_icon

        judged = [k for k in card.kpis if k.spc is not None and k.spc.variation is not None]
        if not judged:
            return False
        variations = [v for v in VARIATION_WORDS if any(k.spc and k.spc.variation is v for k in judged)]
        assurances: list[Assurance | None] = [
            a for a in ASSURANCE_WORDS if any(k.spc and k.spc.assurance is a for k in judged)
        ]
        if any(k.spc and k.spc.assurance is None for k in judged):
            assurances.append(None)
        table = self._table(1 + len(variations), 1 + len(assurances))
        tbl = x.last_table(self.document)
        self._write(table.cell(0, 0), "Variation \\ Assurance", bold=True)
        for j, assurance in enumerate(assurances, start=1):
            cell = table.cell(0, j)
            if assurance is None:
                self._write(cell, "No target or no good side", bold=True)
            elif icons:
                self._icon(
                    cell,
                    assurance_icon(assurance),
                    ASSURANCE_WORDS[assurance],
                    f"Assurance: {ASSURANCE_MEANS[assurance]}",
                )
            else:
                self._write(cell, ASSURANCE_WORDS[assurance], bold=True)
        for i, variation in enumerate(variations, start=1):
            cell = table.cell(i, 0)
            word = VARIATION_WORDS[variation]
            if icons:  # no H or L here: the row holds KPIs of either side
                self._icon(cell, variation_icon(variation, 0), word, f"Variation: {VARIATION_MEANS[variation]}")
            else:
                self._write(cell, word, bold=True)
            for j, assurance in enumerate(assurances, start=1):
                refs = [
                    k.kpi.id for k in judged if k.spc and k.spc.variation is variation and k.spc.assurance is assurance
                ]
                self._write(table.cell(i, j), ", ".join(refs))
        x.header_row(x.rows(tbl)[0])
        for tr in x.rows(tbl):
            x.keep_row_whole(tr)
            for tc in x.cells(tr):
                x.align_cell(tc)
        for tc in x.cells(x.rows(tbl)[0]):
            x.shade(tc, HEADER_FILL)
        for index in range(len(assurances) + 1):
            for cell in table.columns[index].cells:
                cell.width = Cm(3.4 if index == 0 else 3.0)
        x.describe_table(
            tbl,
            "The KPIs by variation and assurance",
            "KPI references by Making Data Count variation (rows) and assurance (columns).",
        )
        return True
