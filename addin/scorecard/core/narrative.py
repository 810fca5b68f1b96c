"""The cover-report narrative, written from the evaluated scorecard.

It follows section 3 of a council's scorecard cover report (how many KPIs and how rated, what
changed RAG, an update on every Amber and Red KPI), and is built so the slips of a hand-typed
report cannot happen: every count is computed from the list it introduces, numbering is
sequential, plurals and number words follow the count. Same scorecard in, same text out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from .engine import displayed
from .model import Direction, Kpi, Polarity, Rag, RatedKpi, Scorecard
from .periods import between, parse_period
from .spc import Rule, Variation

MEANING = {
    Rag.GREEN: "target achieved or exceeded",
    Rag.AMBER: "below target but at or above the floor standard",
    Rag.RED: "below the floor standard",
}

_SMALL = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()

UNIT_SUFFIX = {"fte": " FTE", "days": " days", "weeks": " weeks", "months": " months", "hours": " hours"}


def number_word(n: int) -> str:
    """3 -> 'three', 42 -> 'forty-two'; 100 and over stay as digits."""
    if 0 <= n < 20:
        return _SMALL[n]
    if 20 <= n < 100:
        tens, units = divmod(n, 10)
        return _TENS[tens - 2] + (f"-{_SMALL[units]}" if units else "")
    return f"{n:,}"


def sentence_number(n: int) -> str:
    """A count that opens a sentence is written as a word: 'Five of these KPIs'."""
    word = number_word(n)
    return word[0].upper() + word[1:]


def kpis(n: int) -> str:
    """'1 KPI', '24 KPIs'."""
    return f"{n} KPI" if n == 1 else f"{n} KPIs"


def figure(value: float, kpi: Kpi) -> str:
    """A figure as people write it: 48.4%, 15.8, 89.4 FTE, 1,204."""
    return _figure(value, kpi.decimals, kpi.unit)


@lru_cache(maxsize=4096)  # a narrative names the same targets, floors and figures many times
def _figure(value: float, decimals: int, unit: str) -> str:
    text = f"{displayed(value, decimals):,.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")  # never "-0.0" (so 0.0 and -0.0, equal as keys, are written alike)
    if unit == "percent":
        return f"{text}%"
    if unit == "pounds":
        return f"-£{text[1:]}" if text.startswith("-") else f"£{text}"
    suffix = UNIT_SUFFIX.get(unit, "")
    if suffix and text in ("1", "1." + "0" * decimals) and unit != "fte":
        suffix = suffix[:-1]  # 1 day, 1 week
    return text + suffix


@dataclass(frozen=True)
class Paragraph:
    """One paragraph: numbered ("3.4.1"), a bullet, or an unnumbered lead-in."""

    text: str
    number: str | None = None
    style: Literal["body", "bullet", "lead"] = "body"

    def render(self) -> str:
        if self.style == "bullet":
            return f"• {self.text}"
        return f"{self.number} {self.text}" if self.number else self.text


@dataclass(frozen=True)
class Narrative:
    title: str
    heading: str
    paragraphs: tuple[Paragraph, ...]

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


def write_narrative(card: Scorecard) -> Narrative:
    """The narrative for one scorecard: counts, RAG changes, then Amber and Red updates."""
    now, before = card.period.current, card.period.previous
    if not now:  # read_table names it, from headers, rules or --period
        raise ValueError(f"a narrative needs the current period named, not {card.period}")
    if before is None and any(k.kpi.previous is not None for k in card.kpis):
        raise ValueError("a KPI has a previous figure but no previous period is named")
    number = _Numbering(card.section)
    out: list[Paragraph] = []
    rated = [k for k in card.kpis if k.rag is not Rag.NOT_RATED]
    activity = len(card.kpis) - len(rated)

    if activity:
        intro = (
            f"The report contains key statistics and performance results for {kpis(len(card.kpis))}: "
            f"{len(rated)} {'is' if len(rated) == 1 else 'are'} assessed against targets using a Red/Amber/Green (RAG) "
            f"status, and {activity} {'is an activity indicator' if activity == 1 else 'are activity indicators'}, "
            "reported but not rated."
        )
    else:
        intro = (
            "The report contains key statistics and performance results against the targets for "
            f"{len(card.kpis)} Key Performance {'Indicator' if len(card.kpis) == 1 else 'Indicators'} (KPIs), "
            "which are assessed using a Red/Amber/Green (RAG) status."
        )
    out.append(Paragraph(intro, number.next()))

    if rated:
        scope = (
            f"Of the {kpis(len(rated))} included in the report" if not activity else f"Of the {kpis(len(rated))} rated"
        )
        out.append(Paragraph(f"{scope}, the RAG status for {now} is as follows:", number.next()))
        for rag in (Rag.GREEN, Rag.AMBER, Rag.RED):
            n = card.count(rag)
            out.append(Paragraph(f"{n} {'is' if n == 1 else 'are'} rated {rag.value} – {MEANING[rag]}", style="bullet"))
        missing = card.count(Rag.NO_DATA)
        if missing:
            out.append(Paragraph(f"{missing} {'has' if missing == 1 else 'have'} no data for {now}", style="bullet"))
    else:
        out.append(Paragraph(f"No KPI has a target or floor standard, so none is rated for {now}.", number.next()))

    if before is None:  # a single period (a first return): nothing earlier to compare with
        out.append(
            Paragraph(
                f"{now} is the only period the scorecard holds, so no change of RAG status or direction of "
                "travel is reported.",
                number.next(),
            )
        )
    else:
        out.extend(_changes(card, number, now, before))
    for rag in (Rag.AMBER, Rag.RED):
        out.extend(_update(card, rag, number, now, before))
    out.extend(_real_changes(card, number))
    return Narrative(title=card.title, heading=f"Summary of Performance – {now}", paragraphs=tuple(out))


def _changes(card: Scorecard, number: _Numbering, now: str, before: str) -> list[Paragraph]:
    changes = card.changes
    out = []
    if not changes:
        out.append(Paragraph(f"Since {before} the RAG status of no KPI has changed.", number.next()))
    else:
        detail = "The detail of this change is" if len(changes) == 1 else "The details of these changes are"
        # The subject is "the RAG status", singular whatever the count: "the RAG status of 3 KPIs has changed".
        out.append(
            Paragraph(
                f"Since {before} the RAG status of {kpis(len(changes))} has changed. {detail} provided below:",
                number.next(),
            )
        )
        for k in changes:
            out.append(Paragraph(_change_text(k, now, before), number.next_sub()))

    gaps = [k for k in card.kpis if (k.rag is Rag.NO_DATA) != (k.previous_rag is Rag.NO_DATA)]
    if gaps:
        names = "; ".join(_no_data_item(_name(k.kpi), now if k.rag is Rag.NO_DATA else before) for k in gaps)
        they = "it has" if len(gaps) == 1 else "they have"
        out.append(
            Paragraph(
                f"The RAG status of {kpis(len(gaps))} cannot be compared with {before} because {they} "
                f"no data for one of the two periods: {names}.",
                number.next(),
            )
        )
    return out


def _name(kpi: Kpi) -> str:
    name = kpi.name.rstrip(". ")
    return name if kpi.breakdown is None else f"{name} – {kpi.breakdown}"  # one measure by area or age band


def _no_data_item(name: str, period: str) -> str:
    """'Measure A (no data for June 2018)'; a name that ends in brackets takes no second pair."""
    if name.endswith(")"):
        return f"{name}, with no data for {period}"
    return f"{name} (no data for {period})"


def _target(kpi: Kpi, article: str = "the") -> str:
    """'the target of 85.0%', with the Green band of a two-sided KPI: '(plus or minus 2.0%)'."""
    assert kpi.target is not None, "called only for a KPI with a target"
    text = f"{article} target of {figure(kpi.target, kpi)}"
    if kpi.polarity is Polarity.TARGET and kpi.green_within:
        text += f" (plus or minus {figure(kpi.green_within, kpi)})"
    return text


def _against(kpi: Kpi) -> str:
    if kpi.target is None:
        return f"against a floor standard of {figure(kpi.floor, kpi)}" if kpi.floor is not None else ""
    return f"against {_target(kpi, 'a')}"


def _movement(k: RatedKpi, now: str, before: str) -> str:
    """How the figure moved, saying only what the displayed figures show.

    "remained at" only when both periods show the same figure; a two-sided KPI whose figure moved
    but stayed as far from its target (96.5% -> 103.5%, target 100%) "moved", it did not remain.
    The target itself is named by the sentence's "against" or reason.
    """
    kpi = k.kpi
    assert kpi.previous is not None and kpi.current is not None, "a direction is rated from both figures"
    then, latest = figure(kpi.previous, kpi), figure(kpi.current, kpi)
    if then == latest:
        if k.direction in (Direction.SAME, None):
            return f"remained at {latest} in {between(before, now)}"
        # compare: exact, the difference is below the displayed precision
        return f"{k.direction.value} slightly, showing {latest} in {between(before, now)}"
    if k.direction is Direction.SAME:
        return f"moved from {then} in {before} to {latest} in {now}, as far from the target as before"
    verb = k.direction.value if k.direction else "moved"  # improved, declined (increased, decreased)
    return f"{verb} from {then} in {before} to {latest} in {now}"


def _reason(k: RatedKpi) -> str:
    """Why the KPI is rated as it is now, naming only the target and floor it has."""
    kpi, rag = k.kpi, k.rag
    target = _target(kpi) if kpi.target is not None else None
    floor = f"the floor standard of {figure(kpi.floor, kpi)}" if kpi.floor is not None else None
    if kpi.polarity is Polarity.TARGET:  # two-sided: rated by the distance from the target
        if rag is Rag.GREEN:
            return f"meeting {target}"
        if kpi.amber_within is not None:
            band = figure(kpi.amber_within, kpi)
            if rag is Rag.RED:
                return f"more than {band} from {target}"
            return f"missing {target} but staying within {band} of it"
        if floor is not None:
            if rag is Rag.RED:
                return f"further from {target} than {floor}"
            return f"missing {target} but staying no further from it than {floor}"
        return f"missing {target}"
    if rag is Rag.GREEN:
        return f"meeting {target}" if target else "meeting its target"
    if rag is Rag.RED:
        if floor:
            return f"falling outside {floor}"
        return f"missing {target}" if target else "being rated Red"
    if target is None:  # Amber with a floor and no target
        return f"meeting {floor} (this measure has no target)"
    if floor is None:
        return f"missing {target}"
    if k.previous_rag is Rag.GREEN:
        return f"missing {target} but staying within {floor}"
    return f"moving within {floor} but still short of {target}"


def _change_text(k: RatedKpi, now: str, before: str) -> str:
    """One RAG change. Commentary is quoted here only for a KPI now Green: an Amber or Red KPI's
    commentary is quoted once, in its update below."""
    kpi = k.kpi
    text = (
        f"{_name(kpi)}. Performance for this measure {_movement(k, now, before)}, {_reason(k)} and moving "
        f"the RAG rating from {k.previous_rag.value} to {k.rag.value}."
    )
    return f"{text} {kpi.commentary}" if kpi.commentary and k.rag is Rag.GREEN else text


def _update(card: Scorecard, rag: Rag, number: _Numbering, now: str, before: str | None) -> list[Paragraph]:
    group = [k for k in card.kpis if k.rag is rag]
    if not group:
        return [Paragraph(f"No KPI is rated {rag.value} for {now}.", number.next())]
    lead = "For the KPI" if len(group) == 1 else f"For the {kpis(len(group))}"
    out = [Paragraph(f"{lead} rated as {rag.value} an update on performance is provided below.", number.next())]
    span = between(before, now) if before else now
    buckets = [
        ([k for k in group if k.direction is Direction.IMPROVED], "improved performance between {span}"),
        ([k for k in group if k.direction is Direction.SAME], "the same performance in {span}"),
        ([k for k in group if k.direction is Direction.DECLINED], "a decline in performance between {span}"),
        (
            [k for k in group if k.direction is None],
            "no figure for {before} to compare with" if before else "no earlier figure to compare with",
        ),
    ]
    for members, what in buckets:
        if not members:
            continue
        what = what.format(span=span, before=before)
        if len(group) == 1:
            subject, verb = "This KPI", ("shows" if members[0].direction else "has")
        else:
            subject = f"{sentence_number(len(members))} of these KPIs"
            verb = (
                ("shows" if len(members) == 1 else "show")
                if members[0].direction
                else ("has" if len(members) == 1 else "have")
            )
        out.append(Paragraph(f"{subject} {verb} {what}:", style="lead"))
        for k in members:
            out.append(Paragraph(_update_text(k, now, before), number.next_sub()))
    return out


def _update_text(k: RatedKpi, now: str, before: str | None) -> str:
    kpi = k.kpi
    against = _against(kpi)
    if k.direction is None:
        assert kpi.current is not None, "a KPI without a figure is listed as having no data"
        text = f"{_name(kpi)}. Performance was {figure(kpi.current, kpi)} in {now}" + (
            f", {against}." if against else "."
        )
    else:
        assert before is not None, "a direction is worked out from the previous period's figure"
        text = f"{_name(kpi)}. Performance {_movement(k, now, before)}" + (f", {against}." if against else ".")
    compared = comparison(kpi)
    if compared:
        text += f" {compared}"
    text += f" {spc}" if (spc := spc_sentence(k)) else ""
    return f"{text} {kpi.commentary}" if kpi.commentary else text


# --- statistical process control (core.spc): one plain sentence per KPI ----------------------------

_VERDICT = {
    Variation.IMPROVEMENT: "a real improvement",
    Variation.CONCERN: "a real cause for concern",
    Variation.NEITHER: "a real change",
}
_KIND_PLURAL = {"month": "months", "quarter": "quarters", "year": "years"}


def _kind_words(kpi: Kpi) -> tuple[str, str]:
    """'month', 'months' (or quarter, year) from the history's period headers."""
    return _kind_of(kpi.history_periods[-1] if kpi.history_periods else "")


@lru_cache(maxsize=256)
def _kind_of(name: str) -> tuple[str, str]:
    parsed = parse_period(name) if name else None
    kind = parsed.kind if parsed else "period"
    return kind, _KIND_PLURAL.get(kind, kind + "s")


def _trailing(values: list[int], side: int) -> int:
    """How many of the last values equal ``side``, counted back from the end."""
    count = 0
    for v in reversed(values):
        if v != side:
            break
        count += 1
    return count


def spc_sentence(k: RatedKpi) -> str | None:
    """What the KPI's XmR chart says, in one plain sentence, or None when it has no history or its
    latest figure is not this period's. Only what the chart shows: the normal range is the limits,
    a run is counted on the figures themselves, and "in a row" is said only of periods with no gap."""
    spc, kpi = k.spc, k.kpi
    if spc is None or not kpi.history or kpi.history[-1] is None:
        return None
    one, many = _kind_words(kpi)
    n = spc.points
    if spc.mean is None or spc.lower is None or spc.upper is None or spc.variation is None:
        needed = spc.needed or n + 1
        return (
            f"There {'is' if n == 1 else 'are'} only {number_word(n)} {one if n == 1 else many} of figures, "
            f"fewer than the {number_word(needed)} needed to tell a real change from normal variation."
        )
    at = [i for i, v in enumerate(kpi.history) if v is not None]  # the history position of each charted point

    def unbroken(points: int) -> bool:  # the last ``points`` figures are in consecutive periods
        return at[-1] - at[-points] == points - 1

    lower, upper, mean = figure(spc.lower, kpi), figure(spc.upper, kpi), figure(spc.mean, kpi)
    latest = figure(kpi.history[-1], kpi)
    if spc.variation is Variation.COMMON_CAUSE:
        if lower == upper:
            return f"Its figures have not varied from {mean}: no real change."
        if not any(signal.special for signal in spc.signals):
            if unbroken(n):
                return (
                    f"Over the last {number_word(n)} {many} it has stayed within its normal range of {lower} "
                    f"to {upper}: no real change."
                )
            return (
                f"All {number_word(n)} of its figures have stayed within its normal range of {lower} to "
                f"{upper}: no real change."
            )
        return (
            f"Its latest figure, {latest}, is within its normal range of {lower} to {upper} and shows no real change."
        )

    last = spc.signals[-1].rules
    good = {Polarity.HIGHER: 1, Polarity.LOWER: -1}.get(kpi.polarity) if kpi.polarity else None
    wanted = {Variation.IMPROVEMENT: good, Variation.CONCERN: -good if good else None}.get(spc.variation)
    rule = next(r for r in Rule if r in last and (wanted is None or last[r] == wanted))
    side, verdict = last[rule], _VERDICT[spc.variation]
    if rule is Rule.OUTSIDE:
        where = "above" if side > 0 else "below"
        return f"Its latest figure, {latest}, is {where} its normal range of {lower} to {upper}: {verdict}."
    if rule is Rule.SHIFT:
        values = [signal.value for signal in spc.signals]
        run = _trailing([(v > spc.mean) - (v < spc.mean) for v in values], side)
        where = "above" if side > 0 else "below"
        if unbroken(run):
            return f"It has been {where} its average of {mean} for {number_word(run)} {many} in a row: {verdict}."
        return f"Each of its last {number_word(run)} figures has been {where} its average of {mean}: {verdict}."
    if rule is Rule.TREND:
        values = [signal.value for signal in spc.signals]
        steps = _trailing([(b > a) - (b < a) for a, b in zip(values, values[1:], strict=False)], side)
        if unbroken(steps + 1):
            moved = "risen" if side > 0 else "fallen"
            return f"It has {moved} in each of the last {number_word(steps)} {many}, to {latest}: {verdict}."
        than = "higher" if side > 0 else "lower"
        return (
            f"Each of its last {number_word(steps)} figures has been {than} than the one before, to {latest}: "
            f"{verdict}."
        )
    end = "top" if side > 0 else "bottom"  # two of three beyond two sigma: the latest three figures hold them
    return (
        f"Two of its last three figures have been near or beyond the {end} of its normal range of {lower} to "
        f"{upper}: {verdict}."
    )


def _real_changes(card: Scorecard, number: _Numbering) -> list[Paragraph]:
    """The KPIs not rated Amber or Red whose latest figure is a special cause: a paragraph each."""
    found = [
        (k, sentence)
        for k in card.kpis
        if k.rag not in (Rag.AMBER, Rag.RED)
        and k.spc
        and k.spc.variation not in (None, Variation.COMMON_CAUSE)
        and (sentence := spc_sentence(k))
    ]
    if not found:
        return []
    which = "this KPI" if len(found) == 1 else f"these {kpis(len(found))}"
    out = [
        Paragraph(
            f"Over the history of the figures, statistical process control shows a real change, not normal "
            f"variation, for {which} not rated Amber or Red:",
            number.next(),
        )
    ]
    for k, sentence in found:
        out.append(Paragraph(f"{_name(k.kpi)}. {sentence}", number.next_sub()))
    return out


def _possessive(label: str) -> str:
    """England -> England's; Statistical neighbours -> Statistical neighbours'."""
    return f"{label}'" if label.endswith("s") else f"{label}'s"


def _relation(kpi: Kpi, benchmark: float) -> str:
    """How the KPI's figure stands against one benchmark, in words that say which is better.

    Compared as displayed, at the KPI's decimals. A KPI without a polarity is only higher or lower."""
    now, other = displayed(kpi.current, kpi.decimals), displayed(benchmark, kpi.decimals)
    if kpi.polarity is Polarity.TARGET and kpi.target is not None:
        goal = displayed(kpi.target, kpi.decimals)
        ours, theirs = abs(now - goal), abs(other - goal)
        if ours == theirs:
            return "as close to the target as"
        return "closer to the target than" if ours < theirs else "further from the target than"
    if now == other:
        return "the same as"
    if kpi.polarity is Polarity.HIGHER:
        return "better than" if now > other else "worse than"
    if kpi.polarity is Polarity.LOWER:
        return "better than" if now < other else "worse than"
    return "higher than" if now > other else "lower than"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


_RANK = re.compile(r"^=?\s*(\d{1,4})\s*(?:/|of|out of)\s*(\d{1,4})$", re.I)
_QUARTILE_WORDS = {
    "top": "the top quartile",
    "upper": "the top quartile",
    "bottom": "the bottom quartile",
    "lower": "the bottom quartile",
    "upper middle": "the upper middle quartile",
    "lower middle": "the lower middle quartile",
}


def ordinal(n: int) -> str:
    """1 -> 1st, 12 -> 12th, 23 -> 23rd."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_words(text: str | None) -> str | None:
    """A rank cell in words: "120/152" or "120 of 152" -> "ranked 120th of 152"; "120" -> "ranked 120th";
    anything else (a tie such as "=3", free text) is not put into words."""
    if not text:
        return None
    text = " ".join(text.split())
    match = _RANK.match(text)
    if match and not text.startswith("=") and 1 <= int(match.group(1)) <= int(match.group(2)):
        return f"ranked {ordinal(int(match.group(1)))} of {int(match.group(2))}"
    if re.fullmatch(r"\d{1,4}", text) and int(text) >= 1:
        return f"ranked {ordinal(int(text))}"
    return None


def quartile_words(text: str | None) -> str | None:
    """A quartile cell in words: 1-4, Q1-Q4, 1st-4th -> "in quartile 3" (as numbered, since councils number
    quartiles both ways); Top, Upper, Bottom, Lower, Upper middle, Lower middle [quartile] -> "in the top quartile"."""
    if not text:
        return None
    folded = " ".join(text.lower().replace("-", " ").split())
    folded = re.sub(r"\s*quartile$", "", folded)
    match = re.fullmatch(r"(?:q\s*)?([1-4])(?:st|nd|rd|th)?", folded)
    if match:
        return f"in quartile {match.group(1)}"
    words = _QUARTILE_WORDS.get(folded)
    return f"in {words}" if words else None


def comparison(kpi: Kpi) -> str | None:
    """The KPI's figure against its benchmarks, then its rank and quartile, as one sentence:
    "At 79.4%, performance is worse than England's 81.5% and Statistical neighbours' 83.0%; it is
    ranked 120th of 152 and in the bottom quartile." Benchmarks with no figure are left out;
    benchmarks with the same relation are listed together, in the rules' order."""
    if kpi.current is None:
        return None
    groups: dict[str, list[str]] = {}
    for label, value in (kpi.benchmarks or {}).items():
        if value is not None:
            groups.setdefault(_relation(kpi, value), []).append(f"{_possessive(label)} {figure(value, kpi)}")
    standing = [words for words in (rank_words(kpi.rank), quartile_words(kpi.quartile)) if words]
    parts = []
    if groups:
        parts.append(
            f"At {figure(kpi.current, kpi)}, performance is "
            + _and([f"{rel} {_and(items)}" for rel, items in groups.items()])
        )
    if standing:
        parts.append(("it is " if parts else "It is ") + " and ".join(standing))
    return "; ".join(parts) + "." if parts else None
