"""The committee paper as text: the summary box, sections 1 to 5 numbered as a council's cover report
numbers them, the contact details, and which KPIs get a chart. Pure: the Word writer lays it out.

1 Introduction, 2 Context, 3 Summary of Performance (the narrative, numbered 3.1 ...), 4 Recommendations,
5 Background documents; the scorecard's table and the charts follow as appendices. What the rules'
``report:`` block leaves out is worded from the figures, and says nothing the figures do not support.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .findings import Finding, Where
from .model import Rag, RatedKpi, Scorecard
from .narrative import Narrative, Paragraph, write_narrative
from .paper import Paper, fill, long_date, notes
from .phrasing import COUNTED
from .spc import Assurance, Variation

SUMMARY_SECTION = 3  # as the seed numbers it: after 1 Introduction and 2 Context
TABLE_APPENDIX, CHART_APPENDIX = "Appendix A", "Appendix B"


@dataclass(frozen=True)
class Section:
    number: int
    heading: str
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class PaperText:
    title: str  # the subject: "Children in Care Scorecard"
    box: tuple[tuple[str, str], ...]  # the summary box: (label, text), From / To / Subject / Summary ...
    sections: tuple[Section, ...]
    contact: tuple[str, ...]  # the report author and how to reach them; () when the rules give neither
    charted: tuple[RatedKpi, ...]  # the KPIs Appendix B charts (or would, given their history)
    narrative: Narrative  # section 3, numbered from 3.1
    notes: tuple[Finding, ...]
    author: str  # for the document's properties: the rules' author, else ""
    subject: str  # for the document's properties: the committee and meeting


SPECIAL_CAUSE = (Variation.IMPROVEMENT, Variation.CONCERN, Variation.NEITHER)


def chart_reasons(k: RatedKpi) -> list[str]:
    """Why a KPI is charted: rated Red, consistently missing its target, or a special cause; [] for none."""
    reasons = []
    if k.rag is Rag.RED:
        reasons.append("rated Red")
    if k.spc is not None and k.spc.assurance is Assurance.FAIL:
        reasons.append("consistently misses its target")
    if k.spc is not None and k.spc.variation in SPECIAL_CAUSE:
        reasons.append(
            {
                Variation.IMPROVEMENT: "special cause improvement",
                Variation.CONCERN: "special cause concern",
                Variation.NEITHER: "special cause (no good side)",
            }[k.spc.variation]
        )
    return reasons


def drawable(k: RatedKpi) -> bool:
    """Whether the KPI's history gives a chart with limits."""
    return k.spc is not None and k.spc.mean is not None


def compose(card: Scorecard, paper: Paper, title: str) -> PaperText:
    """The whole paper's words for ``card`` (the evaluated scorecard) and the rules' ``report:`` block."""
    notes: list[Finding] = []
    if card.section != SUMMARY_SECTION:
        notes.append(
            Finding(
                "SC710",  # finding: SC710
                f"the paper numbers the summary of performance as section {SUMMARY_SECTION} (after its introduction "
                f"and context); the Narrative sheet keeps narrative.section {card.section}",
            )
        )
    narrative = write_narrative(replace(card, section=SUMMARY_SECTION), paper)
    notes += narrative.notes
    subject = paper.subject or title
    now, before = card.period.current or "the current period", card.period.previous
    values = {
        "period": now,
        "previous": before or "",
        "title": subject,
        "committee": paper.committee or "committee",
        "meeting": long_date(paper.meeting) if paper.meeting else "",
        "previous_meeting": long_date(paper.previous_meeting) if paper.previous_meeting else "",
    }
    charted = tuple(k for k in card.kpis if chart_reasons(k))
    members = f"Members of the {paper.committee}" if paper.committee else "Members"
    purpose = fill(paper.purpose, values) if paper.purpose else _purpose(card, subject, now)
    recommendation = (
        fill(paper.recommendation, values)
        if paper.recommendation
        else f"{members} are asked to NOTE and COMMENT on the performance data in the {subject}."
    )
    box = [("From:", paper.author)] if paper.author else []
    if paper.committee:
        box.append(("To:", paper.committee + (f" – {long_date(paper.meeting)}" if paper.meeting else "")))
    box.append(("Subject:", subject))
    if paper.classification:
        box.append(("Classification:", paper.classification))
    box += [("Summary:", purpose), ("Recommendation(s):", recommendation)]

    introduction = [fill(t, values) for t in paper.introduction] or [
        f"This report includes the latest {subject}, which is for {now}."
    ]
    context = [fill(t, values) for t in paper.context] or [_context(card, before, now, bool(charted))]
    background = [fill(t, values) for t in paper.background] or ["None"]
    sections = (
        Section(1, "Introduction", _numbered(1, introduction)),
        Section(2, "Context", _numbered(2, context)),
        Section(SUMMARY_SECTION, narrative.heading, narrative.paragraphs),
        Section(4, "Recommendations", (Paragraph(f"Recommendations: {recommendation}", "4.1"),)),
        Section(5, "Background documents", tuple(Paragraph(t) for t in background)),
    )
    contact = tuple(
        line for line in (f"Report Author: {paper.author}" if paper.author else "", paper.contact or "") if line
    )
    held = f"{paper.committee}, {long_date(paper.meeting)}" if paper.committee and paper.meeting else ""
    return PaperText(
        title=subject,
        box=tuple(box),
        sections=sections,
        contact=contact,
        charted=charted,
        narrative=narrative,
        notes=tuple(notes),
        author=paper.author or "",
        subject=held or (paper.committee or ""),
    )


def _numbered(section: int, texts: list[str]) -> tuple[Paragraph, ...]:
    return tuple(Paragraph(text, f"{section}.{i}") for i, text in enumerate(texts, start=1))


def _purpose(card: Scorecard, subject: str, now: str) -> str:
    rated = sum(1 for k in card.kpis if k.rag is not Rag.NOT_RATED)
    what = "their RAG ratings" if card.period.previous is None else "their RAG ratings and direction of travel"
    if not rated:
        what = "their figures"
    return (
        f"This report presents the {subject} for {now}: the latest figures of its key performance indicators and "
        f"{what}."
    )


def _context(card: Scorecard, before: str | None, now: str, charts: bool) -> str:
    """What Appendix A sets out for each indicator: only the columns the table has."""
    kpis = [k.kpi for k in card.kpis]
    parts = [f"its figures for {before} and {now}" if before else f"its figure for {now}"]
    targets, floors = any(k.target is not None for k in kpis), any(k.floor is not None for k in kpis)
    if targets or floors:
        parts.append("its " + " and ".join(w for w, has in (("target", targets), ("floor standard", floors)) if has))
        parts.append("its RAG rating")
    if before:
        parts.append("its direction of travel")
    said = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    text = f"{TABLE_APPENDIX} sets out each indicator's {said}, with a key."
    if charts:
        text += (
            f" {CHART_APPENDIX} charts the history of each KPI rated Red, consistently missing its target or "
            "showing a real change, as NHS England's Making Data Count draws it."
        )
    return text


def paper_notes(card: Scorecard, paper: Paper, title: str) -> list[Finding]:
    """What the paper notes for the record: commentary held back or flagged, the summary renumbered, KPIs
    that should have a chart but have no history to draw (SC709)."""
    text = compose(card, paper, title)
    found = list(text.notes)
    for k in text.charted:
        if not drawable(k):
            found.append(
                Finding(
                    "SC709",  # finding: SC709
                    f"KPI '{k.kpi.id}' is {' and '.join(chart_reasons(k))} but has no chart: "
                    + (
                        k.spc.reason
                        if k.spc is not None and k.spc.reason
                        else "the rules read no history (layout.history)"
                    ),
                )
            )
    return found


def check_notes(card: Scorecard, paper: Paper) -> list[Finding]:
    """What ``check`` notes of the paper the rules would make of this scorecard: the report: block or the keys
    it lacks (SC703, SC704), counts with no noun (SC707), commentary the paper holds back or flags (SC705,
    SC706) and the summary renumbered (SC710)."""
    counted = {k.kpi.id: k.kpi.unit for k in card.kpis if k.kpi.unit in COUNTED and k.rag is not Rag.NOT_RATED}
    found = notes(paper, counted)
    before = card.period.previous
    if paper.previous_period is not None and before is not None and paper.previous_period != before:
        found.append(
            Finding(
                "SC708",  # finding: SC708
                f"report.previous_meeting saw the scorecard for {paper.previous_period}, but this one is compared with "
                f"{before}: the paper says so in section 3",
                Where(line=paper.line_of("previous_meeting")),
            )
        )
    said = compose(card, paper, card.title).notes
    return found + [f for f in said if paper.given or f.code != "SC710"]  # renumbered: news only to a paper's author
