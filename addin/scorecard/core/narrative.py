"""The cover-report narrative, written from the evaluated scorecard.

It follows section 3 of a council's scorecard cover report (how many KPIs and how rated, what
changed RAG, an update on every Amber and Red KPI), and is built so the slips of a hand-typed
report cannot happen: every count is computed from the list it introduces, numbering is
sequential, plurals and number words follow the count. Same scorecard in, same text out.

Each fact is said once. The legend says what the KPIs' ratings mean by what they have (a target, a floor,
both, a band around a target); a KPI that moved into Amber or Red is described in its update and the
list of changes points there; a target or a movement the commentary already states is not stated again;
commentary the figures contradict is left out or flagged (``report.commentary``). A first return (no
earlier period) is rated with no direction. A running total to date (``Kpi.cumulative``) is never said to
have improved because it rose: it is judged against its profile (``engine.direction``). ``paper`` (the
rules' ``report:`` block) gives the previous meeting, the nouns counts are written with and what to do with
contradicted commentary.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from .commentary import claims_about, contradictions, quoted_figures, sentences
from .engine import displayed
from .findings import Finding
from .model import Direction, Kpi, Polarity, Rag, RatedKpi, Scorecard
from .paper import DEFAULT, Paper, long_date
from .periods import between
from .phrasing import (
    comparison,
    counted,
    difference,
    figure,
    kpis,
    number_word,
    ordinal,
    precise,
    quartile_words,
    rank_words,
    sentence_number,
)
from .spc import Assurance, Variation
from .spc_words import kind_of, spc_sentence

__all__ = [  # what other modules and the tests take from here
    "Narrative",
    "Paragraph",
    "comparison",
    "figure",
    "kpis",
    "legend",
    "number_word",
    "ordinal",
    "quartile_words",
    "rank_words",
    "sentence_number",
    "spc_sentence",
    "write_narrative",
]


@dataclass(frozen=True)
class Paragraph:
    """One paragraph: numbered ("3.4.1"), a bullet, or an unnumbered lead-in. ``subject`` is the KPI name
    the text opens with (printed bold); ``kpi`` the id of the KPI it is about."""

    text: str
    number: str | None = None
    style: Literal["body", "bullet", "lead"] = "body"
    subject: str = ""
    kpi: str | None = None

    def render(self) -> str:
        if self.style == "bullet":
            return f"• {self.text}"
        return f"{self.number} {self.text}" if self.number else self.text


@dataclass(frozen=True)
class Narrative:
    title: str
    heading: str
    paragraphs: tuple[Paragraph, ...]
    notes: tuple[Finding, ...] = ()  # commentary held back or flagged (SC705, SC706)

    def lines(self) -> list[str]:
        """The paragraphs as plain strings (what the JSON output carries)."""
        return [p.render() for p in self.paragraphs]

    def to_text(self) -> str:
        """Paragraphs separated by a blank line; a list's bullets kept together."""
        out = [self.title, "", self.heading]
        for p in self.paragraphs:
            out.extend([p.render()] if p.style == "bullet" and out[-1].startswith("• ") else ["", p.render()])
        return "\n".join(out) + "\n"

    def to_markdown(self) -> str:
        """Paragraphs separated by a blank line; a list's items kept together, as in ``to_text``."""
        out = [f"# {self.title}", "", f"## {self.heading}"]
        for p in self.paragraphs:
            if p.style == "bullet":
                out.extend([f"- {p.text}"] if out[-1].startswith("- ") else ["", f"- {p.text}"])
            else:
                out.extend(["", f"**{p.number}** {p.text}" if p.number else f"*{p.text}*"])
        return "\n".join(out) + "\n"


class _Numbering:
    """Section numbers that cannot repeat or skip: 3.1, 3.2, 3.2.1 ..."""

    def __init__(self, section: int):
        self.section, self.top, self.sub = section, 0, 0

    def next(self) -> str:
        self.top, self.sub = self.top + 1, 0
        return f"{self.section}.{self.top}"

    def next_sub(self) -> str:
        self.sub += 1
        return f"{self.section}.{self.top}.{self.sub}"


# --- what the ratings mean, by what the KPIs have ----------------------------------------------------

# (plain, where others differ) for each kind of rated KPI and each rating it can have
_MEANINGS: dict[str, dict[Rag, tuple[str, str]]] = {
    "target and floor": {
        Rag.GREEN: ("target achieved or exceeded", "target achieved or exceeded"),
        Rag.AMBER: (
            "below target but at or above the floor standard",
            "below target but at or above the floor standard",
        ),
        Rag.RED: ("below the floor standard", "below the floor standard"),
    },
    "target": {
        Rag.GREEN: ("target achieved or exceeded", "target achieved or exceeded"),
        Rag.RED: ("below target", "below target where no floor standard is set"),
    },
    "floor": {
        Rag.AMBER: ("at or above the floor standard", "at or above the floor standard where no target is set"),
        Rag.RED: ("below the floor standard", "below the floor standard"),
    },
    "two-sided": {
        Rag.GREEN: (
            "on target, within its tolerance",
            "on target, within its tolerance, where close to target is best",
        ),
        Rag.AMBER: ("off target but within its Amber band", "off target but within its Amber band"),
        Rag.RED: ("further from target than its Amber band", "further from target than its Amber band"),
    },
}


def _kind(kpi: Kpi) -> str:
    if kpi.polarity is Polarity.TARGET:
        return "two-sided"
    if kpi.target is not None and kpi.floor is not None:
        return "target and floor"
    return "target" if kpi.target is not None else "floor"


def _can_be(kpi: Kpi, rag: Rag) -> bool:
    kind = _kind(kpi)
    if kind == "two-sided" and rag is Rag.AMBER:  # an Amber band: amber_within, or a floor further than green_within
        green = kpi.green_within or 0.0
        band = (
            kpi.amber_within
            if kpi.amber_within is not None
            else (abs(kpi.floor - kpi.target) if kpi.floor is not None and kpi.target is not None else green)
        )
        return band > green
    return rag in _MEANINGS[kind]


def legend(card: Scorecard) -> dict[Rag, str]:
    """What Green, Amber and Red mean on this scorecard, worded from the targets, floors and bands its rated
    KPIs have; a rating no KPI can have is left out (no Amber without floors or bands)."""
    rated = [k.kpi for k in card.kpis if k.rag is not Rag.NOT_RATED]
    out: dict[Rag, str] = {}
    for rag in (Rag.GREEN, Rag.AMBER, Rag.RED):
        able = [kpi for kpi in rated if _can_be(kpi, rag)]
        if not able and not card.count(rag):
            continue
        kinds: dict[str, int] = {}
        for kpi in able or rated:
            kinds[_kind(kpi)] = kinds.get(_kind(kpi), 0) + 1
        order = sorted(kinds, key=lambda kind: -kinds[kind])
        words: list[str] = []
        for kind in order:
            plain, qualified = _MEANINGS[kind].get(rag, ("", ""))
            phrase = plain if len(order) == 1 else qualified
            if phrase and phrase not in words:
                words.append(phrase)
        out[rag] = ", or ".join(words)
    return out


def write_narrative(card: Scorecard, paper: Paper = DEFAULT) -> Narrative:
    """The narrative for one scorecard: counts, RAG changes, then Amber and Red updates."""
    return _Writer(card, paper).write()


class _Writer:
    def __init__(self, card: Scorecard, paper: Paper):
        self.card, self.paper = card, paper
        if card.period.previous is None and any(k.kpi.previous is not None for k in card.kpis):
            raise ValueError("a KPI has a previous figure but no previous period is named")  # read_table names it
        self.now = card.period.current or "the current period"
        # a first return: no previous period named and no KPI with a previous figure
        self.single = card.period.previous is None and all(k.kpi.previous is None for k in card.kpis)
        self.before = card.period.previous or "the previous period"
        self.number = _Numbering(card.section)
        self.notes: list[Finding] = []
        self.updates: dict[str, str] = {}  # KPI key -> the number of its Amber or Red update
        self.unit_kind = kind_of(self.now)[0]  # month, quarter, year or period: "this month's profile"

    # --- figures, targets and commentary of one KPI

    def fig(self, value: float, kpi: Kpi, decimals: int | None = None) -> str:
        """One of the KPI's figures, target or floor as the sentence prints it (see ``places``)."""
        return counted(value, kpi, self.paper.noun(kpi.id), self.places(kpi) if decimals is None else decimals)

    @staticmethod
    def places(kpi: Kpi) -> int:
        """The KPI's decimals; for ``compare: exact``, as many more as make each figure read apart from the
        target and floor it was rated against ("84.996%, missing the target of 85.000%", not "85.0% ... 85.0%")."""
        if kpi.compare != "exact":
            return kpi.decimals
        pairs = [
            (figure_, standard, 0)
            for figure_, standards in (
                (kpi.current, (kpi.target, kpi.floor)),
                (kpi.previous, (kpi.for_previous().target, kpi.for_previous().floor)),
            )
            if figure_ is not None
            for standard in standards
            if standard is not None and standard != figure_
        ]
        return precise(pairs, kpi.decimals)

    def target(self, kpi: Kpi, article: str = "the", said: bool = False) -> str:
        """'the target of 85.0%' ('this month's profile of 42.0%' when profiled), with the Green band of a
        two-sided KPI; 'the target' alone when the commentary states its figure (``said``)."""
        assert kpi.target is not None, "called only for a KPI with a target"
        if kpi.profiled:
            text = f"this {self.unit_kind}'s profile" + ("" if said else f" of {self.fig(kpi.target, kpi)}")
        else:
            text = f"{article} target" + ("" if said else f" of {self.fig(kpi.target, kpi)}")
        if kpi.polarity is Polarity.TARGET and kpi.green_within and not said:
            text += f" (plus or minus {figure(kpi.green_within, kpi)})"
        return text

    def floor(self, kpi: Kpi) -> str:
        assert kpi.floor is not None, "called only for a KPI with a floor"
        return f"the floor standard of {self.fig(kpi.floor, kpi)}"

    def floor_side(self, kpi: Kpi) -> str:
        """Where an Amber figure stands against its floor, as printed: 'above', 'at' (or 'better than' for
        lower is better, where the floor is a ceiling)."""
        assert kpi.current is not None and kpi.floor is not None
        if kpi.compare == "exact":
            now, floor = kpi.current, kpi.floor
        else:
            now, floor = displayed(kpi.current, kpi.decimals), displayed(kpi.floor, kpi.decimals)  # type: ignore[assignment]
        if now == floor:
            return f"at {self.floor(kpi)}"
        return f"{'better than' if kpi.polarity is Polarity.LOWER else 'above'} {self.floor(kpi)}"

    def commentary(self, k: RatedKpi) -> str:
        """The KPI's commentary as printed: each sentence the figures contradict held back or flagged."""
        text = k.kpi.commentary.strip()
        if not text:
            return ""
        wrong: dict[str, list[str]] = {}
        for found in contradictions(k, (self.card.period.current, self.card.period.previous)):
            wrong.setdefault(found.words, []).append(found.figures)
        if not wrong:
            return text
        kept = []
        for sentence in sentences(text):
            if sentence not in wrong:
                kept.append(sentence)
                continue
            shown = " and ".join(wrong[sentence])
            if self.paper.commentary == "flag":
                kept.append(f"{sentence} [The figures show that {shown}.]")
                code, what = "SC706", "is printed with what the figures show"  # finding: SC706
            else:
                code, what = "SC705", "is left out"  # finding: SC705
            self.notes.append(
                Finding(code, f"KPI '{k.kpi.id}': the commentary sentence \"{sentence}\" {what} ({shown})")
            )
        return " ".join(kept)

    def stated(self, k: RatedKpi, commentary: str) -> tuple[bool, bool]:
        """Whether the commentary already states the target's figure, and the movement (a claim the figures
        bear out, quoting this period's figure): then the narrative does not say it again."""
        kpi = k.kpi
        target = movement = False
        periods = (self.card.period.current, self.card.period.previous)
        for sentence in sentences(commentary):
            quoted = quoted_figures(sentence, kpi.decimals)
            word = "profile" if kpi.profiled else "target"
            if kpi.target is not None and word in sentence.lower():
                target = target or displayed(kpi.target, kpi.decimals) in quoted
            if kpi.current is not None and k.direction is not None and not kpi.cumulative:
                agree = {Direction.IMPROVED: "improved", Direction.DECLINED: "declined", Direction.SAME: "same"}
                claim = agree.get(k.direction)
                if claim in claims_about(kpi, sentence, periods):
                    movement = movement or displayed(kpi.current, kpi.decimals) in quoted
        return target, movement

    # --- the paragraphs

    def write(self) -> Narrative:
        out = self.counts()
        if self.single:
            out.append(
                Paragraph(
                    f"{self.now} is the first period this scorecard reports: there is no earlier period to compare "
                    "with, so no direction of travel or change of RAG status is given.",
                    self.number.next(),
                )
            )
        else:
            out += self.changes()
        for rag in (Rag.AMBER, Rag.RED):
            out += self.update(rag)
        out += self.real_changes()
        resolved = tuple(self.resolve(p) for p in out)
        return Narrative(
            title=self.card.title,
            heading=f"Summary of Performance – {self.now}",
            paragraphs=resolved,
            notes=tuple(self.notes),
        )

    def resolve(self, p: Paragraph) -> Paragraph:
        """Cross-references written before the paragraph they point to was numbered (``pointer``)."""
        if p.kpi is None or self.pointer(p.kpi) not in p.text:
            return p
        return replace(p, text=p.text.replace(self.pointer(p.kpi), self.updates[p.kpi]))

    @staticmethod
    def pointer(kpi_id: str) -> str:
        """Where a KPI's update number goes before it is known: private-use characters, never a figure's."""
        return f"\ue000{kpi_id}\ue001"

    def counts(self) -> list[Paragraph]:
        card, now = self.card, self.now
        rated = [k for k in card.kpis if k.rag is not Rag.NOT_RATED]
        activity = len(card.kpis) - len(rated)
        if activity:
            intro = (
                f"The report contains key statistics and performance results for {kpis(len(card.kpis))}: "
                f"{len(rated)} {'is' if len(rated) == 1 else 'are'} assessed against targets using a Red/Amber/Green "
                f"(RAG) status, and {activity} "
                f"{'is an activity indicator' if activity == 1 else 'are activity indicators'}, reported but not rated."
            )
        else:
            intro = (
                "The report contains key statistics and performance results against the targets for "
                f"{len(card.kpis)} Key Performance "
                + ("Indicator (KPI)" if len(card.kpis) == 1 else "Indicators (KPIs)")
                + ", "
                "which are assessed using a Red/Amber/Green (RAG) status."
            )
        out = [Paragraph(intro, self.number.next())]
        if not rated:
            out.append(
                Paragraph(f"No KPI has a target or floor standard, so none is rated for {now}.", self.number.next())
            )
            return out
        scope = (
            f"Of the {kpis(len(rated))} included in the report" if not activity else f"Of the {kpis(len(rated))} rated"
        )
        out.append(Paragraph(f"{scope}, the RAG status for {now} is as follows:", self.number.next()))
        for rag, meaning in legend(card).items():
            n = card.count(rag)
            out.append(Paragraph(f"{n} {'is' if n == 1 else 'are'} rated {rag.value} – {meaning}", style="bullet"))
        missing = card.count(Rag.NO_DATA)
        if missing:
            out.append(Paragraph(f"{missing} {'has' if missing == 1 else 'have'} no data for {now}", style="bullet"))
        return out

    def previous_meeting(self) -> str:
        """The seed's opening of the changes: the meeting the previous scorecard went to, when the rules say."""
        paper = self.paper
        if paper.previous_meeting is None:
            return ""
        subject = paper.subject or self.card.title
        meeting = f"the previous {paper.committee}" if paper.committee else "the previous meeting"
        held = long_date(paper.previous_meeting)
        if paper.previous_period is None:
            return f"The {subject} was last submitted to {meeting} on {held}. "
        if paper.previous_period == self.before:
            return f"The {subject} submitted to {meeting} on {held} was for {self.before}. "
        return (
            f"The {subject} submitted to {meeting} on {held} was for {paper.previous_period}; this report "
            f"compares {self.now} with {self.before}. "
        )

    def changes(self) -> list[Paragraph]:
        changes, before, now = self.card.changes, self.before, self.now
        opening = self.previous_meeting()
        out = []
        if not changes:
            out.append(Paragraph(f"{opening}Since {before} the RAG status of no KPI has changed.", self.number.next()))
        else:
            detail = "The detail of this change is" if len(changes) == 1 else "The details of these changes are"
            # The subject is "the RAG status", singular whatever the count: "the RAG status of 3 KPIs has changed".
            out.append(
                Paragraph(
                    f"{opening}Since {before} the RAG status of {kpis(len(changes))} has changed. {detail} provided "
                    "below:",
                    self.number.next(),
                )
            )
            for k in changes:
                out.append(self.change(k))
        gaps = [k for k in self.card.kpis if (k.rag is Rag.NO_DATA) != (k.previous_rag is Rag.NO_DATA)]
        if gaps:
            names = "; ".join(_no_data_item(_name(k.kpi), now if k.rag is Rag.NO_DATA else before) for k in gaps)
            they = "it has" if len(gaps) == 1 else "they have"
            out.append(
                Paragraph(
                    f"The RAG status of {kpis(len(gaps))} cannot be compared with {before} because {they} "
                    f"no data for one of the two periods: {names}.",
                    self.number.next(),
                )
            )
        return out

    def change(self, k: RatedKpi) -> Paragraph:
        """One RAG change. A KPI now Amber or Red is described once, in its update: here a pointer to it."""
        kpi, name = k.kpi, _name(k.kpi)
        subject = f"{name}."
        if k.rag in (Rag.AMBER, Rag.RED):
            text = (
                f"{subject} Rated {k.rag.value} for {self.now}, from {k.previous_rag.value} for {self.before}: "
                f"see {self.pointer(kpi.key)}."
            )
            return Paragraph(text, self.number.next_sub(), subject=subject, kpi=kpi.key)
        commentary = self.commentary(k)
        target_said, movement_said = self.stated(k, commentary)
        reason = self.reason(k, target_said)
        if movement_said:
            text = f"{subject} Performance for this measure is {reason}, moving the RAG rating"
        else:
            text = f"{subject} Performance for this measure {self.movement(k)}, {reason} and moving the RAG rating"
        text += f" from {k.previous_rag.value} to {k.rag.value}{self.previous_profile(kpi)}."
        return Paragraph(
            f"{text} {commentary}" if commentary else text, self.number.next_sub(), subject=subject, kpi=kpi.key
        )

    def previous_profile(self, kpi: Kpi) -> str:
        """A profiled KPI's previous figure was rated against that period's own profile: say which."""
        if not kpi.profiled or kpi.previous_target is None:
            return ""
        profile = self.fig(kpi.previous_target, kpi)
        return f" ({self.before} was rated against that {self.unit_kind}'s profile of {profile})"

    def movement(self, k: RatedKpi) -> str:
        """How the figure moved, saying only what the displayed figures show.

        "remained at" only when both periods show the same figure; a two-sided KPI whose figure moved but
        stayed as far from its target (96.5% -> 103.5%, target 100%) "moved", it did not remain. A running
        total rose or fell; whether that is better is said against its profile."""
        kpi, now, before = k.kpi, self.now, self.before
        assert kpi.previous is not None and kpi.current is not None, "a movement needs both figures"
        then, latest = self.fig(kpi.previous, kpi), self.fig(kpi.current, kpi)
        if kpi.cumulative:
            if then == latest:
                return f"stayed at {latest} to date in {between(before, now)}"
            verb = "rose" if displayed(kpi.current, kpi.decimals) > displayed(kpi.previous, kpi.decimals) else "fell"
            return f"{verb} from {then} to date in {before} to {latest} to date in {now}"
        if then == latest:
            if k.direction in (Direction.SAME, None):
                return f"remained at {latest} in {between(before, now)}"
            # compare: exact, the difference is below the displayed precision
            return f"{k.direction.value} slightly, showing {latest} in {between(before, now)}"
        if k.direction is Direction.SAME:
            return f"moved from {then} in {before} to {latest} in {now}, as far from the target as before"
        verb = k.direction.value if k.direction else "moved"  # improved, declined (increased, decreased)
        return f"{verb} from {then} in {before} to {latest} in {now}"

    def reason(self, k: RatedKpi, said: bool = False) -> str:
        """Why the KPI is rated as it is now, naming only the target and floor it has."""
        kpi, rag = k.kpi, k.rag
        target = self.target(kpi, said=said) if kpi.target is not None else None
        floor = self.floor(kpi) if kpi.floor is not None else None
        if kpi.polarity is Polarity.TARGET:  # two-sided: rated by the distance from the target
            if rag is Rag.GREEN:
                return f"meeting {target}"
            # Amber: "staying" within the band only if it was within it (or Green) before; from Red it came into it
            was = k.previous_rag
            still = "staying " if was in (Rag.GREEN, Rag.AMBER) else "now " if was is Rag.RED else ""
            if kpi.amber_within is not None:
                band = figure(kpi.amber_within, kpi)
                if rag is Rag.RED:
                    return f"more than {band} from {target}"
                return f"missing {target} but {still}within {band} of it"
            if floor is not None:
                if rag is Rag.RED:
                    return f"further from {target} than {floor}"
                return f"missing {target} but {still}no further from it than {floor}"
            return f"missing {target}"
        if rag is Rag.GREEN:
            return f"meeting {target}" if target else "meeting its target"
        if rag is Rag.RED:
            if floor:
                return f"falling below {floor}" if kpi.polarity is not Polarity.LOWER else f"rising above {floor}"
            return f"missing {target}" if target else "being rated Red"
        if target is None:  # Amber with a floor and no target
            return f"meeting {floor} (this measure has no target)"
        if floor is None:
            return f"missing {target}"
        if k.previous_rag is Rag.GREEN:
            return f"missing {target} but staying {self.floor_side(kpi)}"
        return f"moving {self.floor_side(kpi)} but still short of {target}"

    @staticmethod
    def travel(k: RatedKpi) -> Direction | None:
        """The direction the update groups a KPI by: for a running total, the engine's against its profile
        (``engine.direction``), None without a profile."""
        return k.direction

    def update(self, rag: Rag) -> list[Paragraph]:
        group = [k for k in self.card.kpis if k.rag is rag]
        if not group:
            return [Paragraph(f"No KPI is rated {rag.value} for {self.now}.", self.number.next())]
        lead = "For the KPI" if len(group) == 1 else f"For the {kpis(len(group))}"
        out = [
            Paragraph(f"{lead} rated as {rag.value} an update on performance is provided below.", self.number.next())
        ]
        if self.single:
            return out + [self.update_item(k) for k in group]
        span = between(self.before, self.now)
        buckets = [
            (Direction.IMPROVED, "{verb} improved performance between {span}"),
            (Direction.SAME, "{verb} the same performance in {span}"),
            (Direction.DECLINED, "{verb} a decline in performance between {span}"),
        ]
        for direction, what in buckets:
            members = [k for k in group if self.travel(k) is direction]
            if members:
                out.append(self.lead(members, group, what.format(verb="{verb}", span=span), "shows", "show"))
                out += [self.update_item(k) for k in members]
        running = [k for k in group if self.travel(k) is None and k.kpi.cumulative and k.kpi.previous is not None]
        if running:
            out.append(
                self.lead(
                    running, group, "{verb} a running total with no profile to judge its progress by", "is", "are"
                )
            )
            out += [self.update_item(k) for k in running]
        missing = [k for k in group if self.travel(k) is None and k not in running]
        if missing:
            out.append(
                self.lead(missing, group, f"{{verb}} no figure for {self.before} to compare with", "has", "have")
            )
            out += [self.update_item(k) for k in missing]
        return out

    def lead(self, members: list[RatedKpi], group: list[RatedKpi], what: str, one: str, many: str) -> Paragraph:
        if len(group) == 1:
            return Paragraph(f"This KPI {what.format(verb=one)}:", style="lead")
        subject = f"{sentence_number(len(members))} of these KPIs"
        return Paragraph(f"{subject} {what.format(verb=one if len(members) == 1 else many)}:", style="lead")

    def update_item(self, k: RatedKpi) -> Paragraph:
        kpi, subject = k.kpi, f"{_name(k.kpi)}."
        number = self.number.next_sub()
        self.updates[kpi.key] = number
        commentary = self.commentary(k)
        target_said, movement_said = self.stated(k, commentary)
        against = self.against(kpi, target_said)
        if self.single or kpi.previous is None:
            assert kpi.current is not None, "a KPI without a figure is listed as having no data"
            what = "The total to date was" if kpi.cumulative else "Performance was"
            text = f"{subject} {what} {self.fig(kpi.current, kpi)} in {self.now}" + (
                f", {against}." if against else "."
            )
        elif kpi.cumulative:
            text = f"{subject} {self.running_total(k, target_said)}"
        elif movement_said:
            text = subject + (f" {self.standard(kpi)}" if against else "")
        elif k.changed:  # the list of changes points here: why it is rated so, said once
            text = (
                f"{subject} Performance {self.movement(k)}, {self.reason(k, target_said)}{self.previous_profile(kpi)}."
            )
        else:
            text = f"{subject} Performance {self.movement(k)}" + (f", {against}." if against else ".")
        compared = comparison(kpi, self.paper.noun(kpi.id))
        if compared:
            text += f" {compared}"
        text += f" {spc}" if (spc := spc_sentence(k, self.paper.noun(kpi.id))) else ""
        # a fail under limits the process still keeps (not while a real improvement is moving it past them)
        if (
            spc
            and k.spc is not None
            and k.spc.assurance is Assurance.FAIL
            and k.spc.variation is not Variation.IMPROVEMENT
        ):
            text += (
                " Its target lies outside its normal range: unless the process changes, it will consistently miss it."
            )
        return Paragraph(f"{text} {commentary}" if commentary else text, number, subject=subject, kpi=kpi.key)

    def standard(self, kpi: Kpi) -> str:
        """The target (or floor) as a sentence of its own, where the commentary says how the figure moved."""
        if kpi.target is None:
            assert kpi.floor is not None
            return f"The floor standard is {self.fig(kpi.floor, kpi)}."
        if kpi.profiled:
            return f"This {self.unit_kind}'s profile is {self.fig(kpi.target, kpi)}."
        band = (
            f", plus or minus {figure(kpi.green_within, kpi)}"
            if kpi.polarity is Polarity.TARGET and kpi.green_within
            else ""
        )
        return f"The target is {self.fig(kpi.target, kpi)}{band}."

    def against(self, kpi: Kpi, said: bool) -> str:
        if kpi.target is None:
            return f"against a {self.floor(kpi)[4:]}" if kpi.floor is not None else ""
        if said:
            return ""  # the commentary names the target's figure
        if kpi.profiled:
            return f"against {self.target(kpi)}"
        return f"against {self.target(kpi, 'a')}"

    def running_total(self, k: RatedKpi, target_said: bool) -> str:
        """A running total to date: how it moved, then where it stands against its profile (or target)."""
        kpi = k.kpi
        assert kpi.current is not None and kpi.previous is not None
        text = f"The total to date {self.movement(k)}"
        if kpi.target is None:
            return text + (f", against a {self.floor(kpi)[4:]}." if kpi.floor is not None else ".")
        gap = displayed(kpi.current, kpi.decimals) - displayed(kpi.target, kpi.decimals)
        where = "on" if gap == 0 else f"{difference(float(gap), kpi)} {'above' if gap > 0 else 'below'}"
        if not kpi.profiled or kpi.previous_target is None:
            target = "its target" if target_said else self.target(kpi)
            return (
                f"{text}, {where} {target}. As a running total it rises through the year, so the rise is not in "
                "itself an improvement."
            )
        then = displayed(kpi.previous, kpi.decimals) - displayed(kpi.previous_target, kpi.decimals)
        were = "on" if then == 0 else f"{difference(float(then), kpi)} {'above' if then > 0 else 'below'}"
        return (
            f"{text}: {where} {self.target(kpi, said=target_said)}, against {were} {self.before}'s profile of "
            f"{self.fig(kpi.previous_target, kpi)}."
        )

    def real_changes(self) -> list[Paragraph]:
        """The KPIs not rated Amber or Red whose latest figure is a special cause: a paragraph each."""
        found = [
            (k, sentence)
            for k in self.card.kpis
            if k.rag not in (Rag.AMBER, Rag.RED)
            and k.spc
            and k.spc.variation not in (None, Variation.COMMON_CAUSE)
            and (sentence := spc_sentence(k, self.paper.noun(k.kpi.id)))
        ]
        if not found:
            return []
        which = "this KPI" if len(found) == 1 else f"these {kpis(len(found))}"
        out = [
            Paragraph(
                f"Over the history of the figures, statistical process control shows a real change, not normal "
                f"variation, for {which} not rated Amber or Red:",
                self.number.next(),
            )
        ]
        for k, sentence in found:
            subject = f"{_name(k.kpi)}."
            out.append(Paragraph(f"{subject} {sentence}", self.number.next_sub(), subject=subject, kpi=k.kpi.key))
        return out


def _name(kpi: Kpi) -> str:
    name = kpi.name.rstrip(". ")
    return name if kpi.breakdown is None else f"{name} – {kpi.breakdown}"  # one measure by area or age band


def _no_data_item(name: str, period: str) -> str:
    """'Measure A (no data for June 2018)'; a name that ends in brackets takes no second pair."""
    if name.endswith(")"):
        return f"{name}, with no data for {period}"
    return f"{name} (no data for {period})"
