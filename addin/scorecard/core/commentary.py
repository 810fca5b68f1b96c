"""Commentary that contradicts the figures: warnings only; the analyst's words are never edited.

Commentary is often copied forward from last month and then says "improved" of a KPI that has
declined. Each sentence is read for one claim about the KPI itself: its direction (improved,
declined, remained), or the target (met, missed). A sentence is taken to be about the KPI only
when every figure it quotes is the KPI's current or previous figure and every month it names is
one of the two periods, so the usual sentences about an area, a team or an earlier month ("South
Kent remains low at 29.7%", "improving since March 2018") are no reason to warn. A negated
sentence ("has not improved") makes no claim here, nor does one about the future or an aim ("should
improve", "an improvement plan", "needed to meet the target"), one about a part of the whole (a team, an
area), one comparing with something else than last month ("better than statistical neighbours", "compared
with last year"), or a word used of something else ("improved supervision", "staffing remained stable").
Plain Python on the evaluated KPI.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .a1 import cell_ref
from .engine import displayed
from .findings import Finding, Where
from .model import Direction, Kpi, Polarity, Rag, RatedKpi, Scorecard
from .periods import MONTHS

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?")
_MONTH_WORD = re.compile(
    r"\b(" + "|".join(m for m in MONTHS) + r"|" + "|".join(m[:3] for m in MONTHS) + r")\b\.?\s*('?\d{2,4})?", re.I
)
_NEGATION = re.compile(r"\b(not|no longer|never|yet to|has yet|failed to|n't)\b", re.I)
# the future, an aim or a condition: no claim about this period
_NOT_YET = re.compile(
    r"\b(will|shall|should|would|could|might|expect\w*|anticipat\w*|aim\w*|plan\w*|hop(?:e|es|ed|ing)|"
    r"intend\w*|need(?:s|ed)?|required|on track|forecast\w*|project(?:ed|ion)|if|once|when|until)\b",
    re.I,
)
# a part of the whole, or another span or comparator: what is said is not of this KPI's month on month
_ELSEWHERE = re.compile(
    r"\b(teams?|areas?|localit(?:y|ies)|districts?|quadrants?|hubs?|patch(?:es)?|offices?|wards?|cohorts?|"
    r"than|year on year|year-on-year|last year|previous year|same period|annual\w*|"
    r"nationally|national|neighbours?|average)\b",
    re.I,
)
# an -ed word used of a thing ("improved supervision", "reduced caseloads"): followed by a word that is no
# adverb, preposition or figure, it describes a noun rather than saying what the KPI did
_PREDICATE_NEXT = {
    "from",
    "to",
    "by",
    "in",
    "on",
    "at",
    "this",
    "since",
    "again",
    "further",
    "overall",
    "over",
    "during",
    "between",
    "and",
    "but",
    "month",
    "compared",
    "for",
    "across",
    "with",
    "as",
    "while",
    "whilst",
    "so",
    "although",
    "though",
    "which",
    "because",
    "due",
    "following",
    "after",
    "last",
    "each",
    "every",
    "very",
    "much",
    "well",
    "back",
    "up",
    "down",
    "significantly",
    "the",
    "a",
    "its",
    "their",
    "our",
}
_SUBJECT = re.compile(
    r"\b(performance|figures?|rates?|measures?|indicators?|percentages?|proportions?|numbers?|levels?|"
    r"scores?|results?|it|this|kpi)\b",
    re.I,
)

# claims, by what they say of performance (better/worse/unchanged) or of the number (up/down)
_BETTER = re.compile(r"\b(improv(?:ed|es|ing|ement)|better)\b", re.I)
_WORSE = re.compile(r"\b(declin(?:ed|es|ing|e)|deteriorat(?:ed|es|ing|ion)|worse(?:ned)?|worsening)\b", re.I)
_UP = re.compile(r"\b(increas(?:ed|es|ing)|rose|risen|went up|gone up)\b", re.I)
_DOWN = re.compile(r"\b(decreas(?:ed|es|ing)|fell|fallen|dropped|reduced|went down|gone down)\b", re.I)
_SAME = re.compile(
    r"\b(remain(?:ed|s)? (?:the same|unchanged|stable|static|at)|unchanged|no change|stayed (?:the same|at))\b", re.I
)
_MET = re.compile(
    r"\b(?:(?:met|meets|meeting|achieved|achieving|exceeded|exceeding|hit|on) (?:the |its |our )?target"
    r"|target (?:was |is |has been |had been )?(?:met|achieved|exceeded))\b",
    re.I,
)
_MISSED = re.compile(
    r"\b(?:(?:below|under|short of|missed|missing|off) (?:the |its |our )?target"
    r"|target (?:was |is |has been |had been )?missed)\b",
    re.I,
)


# a stem of every claim pattern's words: a sentence holding none makes no claim (plain substring tests, cheap)
_STEMS = (
    "improv",
    "better",
    "declin",
    "deteriorat",
    "worse",
    "increas",
    "rose",
    "risen",
    "went",
    "gone",
    "decreas",
    "fell",
    "fallen",
    "dropped",
    "reduced",
    "remain",
    "unchanged",
    "no change",
    "stayed",
    "target",
)


@dataclass(frozen=True)
class Contradiction:
    kpi_id: str
    words: str  # the sentence, as the analyst wrote it
    claim: str
    figures: str  # what the figures say

    def message(self) -> str:
        return f"KPI '{self.kpi_id}': the commentary says \"{self.words}\", but {self.figures}; check the commentary"


def _mentions_only_this_kpi(sentence: str, kpi: Kpi, periods: tuple[str | None, str | None]) -> bool:
    own = {displayed(v, kpi.decimals) for v in (kpi.current, kpi.previous) if v is not None}
    own |= {displayed(v, kpi.decimals) for v in (kpi.target, kpi.floor) if v is not None}
    text = sentence
    for match in _MONTH_WORD.finditer(sentence):
        month = match.group(1).lower()[:3]
        year = (match.group(2) or "").lstrip("'")
        if re.search(r"\b(last|previous|prior)\s+$", sentence[: match.start()], re.I):
            return False  # "last June": a year before
        in_periods = any(
            month == word[:3].lower() and (not year or year[-2:] in p) for p in periods if p for word in p.split()
        )
        if not in_periods:
            return False  # an earlier month: a sentence about history
        text = text.replace(match.group(0), " ")
    for number in _NUMBER.findall(text):
        try:
            value = float(number.replace(",", ""))
        except ValueError:
            continue
        if displayed(value, kpi.decimals) not in own:
            return False  # another figure: an area's, a team's, a count of children
    return True


def _said(pattern: re.Pattern[str], sentence: str) -> bool:
    """Whether the sentence uses one of the pattern's words as what the KPI did, not of a thing."""
    for match in pattern.finditer(sentence):
        word = match.group(0)
        if word.lower().endswith("ed") and " " not in word:
            following = re.match(r"\s+([A-Za-z]+)", sentence[match.end() :])
            if following:
                nxt = following.group(1).lower()
                if nxt not in _PREDICATE_NEXT and not nxt.endswith("ly"):
                    continue  # "improved supervision", "reduced caseloads"
        return True
    return False


def _claims(sentence: str, polarity: Polarity | None) -> list[str]:
    claims = []
    same = _SAME.search(sentence)
    if same and (
        re.search(r"\d", sentence[same.end() : same.end() + 6])
        if same.group(0).lower().endswith(" at")
        else _SUBJECT.search(sentence)
    ):
        claims.append("same")  # "remained at 46.0%"; "remained stable" of the performance, not of staffing
    better, worse = _said(_BETTER, sentence), _said(_WORSE, sentence)
    up, down = _said(_UP, sentence), _said(_DOWN, sentence)
    if polarity is Polarity.HIGHER:
        better, worse = better or up, worse or down
    elif polarity is Polarity.LOWER:
        better, worse = better or down, worse or up
    if better != worse:  # both: a sentence weighing two things; neither: no claim
        claims.append("improved" if better else "declined")
    if _MET.search(sentence) and not _MISSED.search(sentence):
        claims.append("met")
    elif _MISSED.search(sentence) and not _MET.search(sentence):
        claims.append("missed")
    return claims


# the words that may stand before a claim's verb when the sentence speaks of the KPI itself ("Performance for
# this measure has improved", "In June the figure rose"); any other word there is another subject ("Demand
# rose", "Staff sickness increased"), unless it is a word of the KPI's own name ("Caseloads decreased")
_OWN_WORDS = frozenset(
    (
        "performance figure figures rate rates measure measures indicator indicators percentage percentages "
        "proportion proportions number numbers level levels score scores result results it this kpi "
        "the a an these its our overall for of in on at to has have had been is was were are be being further "
        "also again now continued continues continue show shows showing shown showed seen saw made see sees "
        "and month months quarter year period "
        "slightly significantly marginally very much well since last latest current compared during over "
    ).split()
    + [m.lower() for m in MONTHS]
    + [m[:3].lower() for m in MONTHS]
)
_DIRECTION_WORDS = (_BETTER, _WORSE, _UP, _DOWN, _SAME)


def _of_another_subject(sentence: str, kpi: Kpi) -> bool:
    """Whether the words before the sentence's first word of direction name something other than the KPI."""
    starts = [m.start() for pattern in _DIRECTION_WORDS for m in [pattern.search(sentence)] if m]
    if not starts:
        return False
    own = {word.rstrip("s") for word in re.findall(r"[a-z]+", kpi.name.lower())}
    before = re.findall(r"[a-z]+", sentence[: min(starts)].lower())
    return any(word not in _OWN_WORDS and word.rstrip("s") not in own for word in before)


def sentences(text: str) -> list[str]:
    """The commentary's sentences, as the checks read them."""
    return [s.strip() for s in _SENTENCE.split(text.strip()) if s.strip()]


def claims_about(kpi: Kpi, sentence: str, periods: tuple[str | None, str | None]) -> list[str]:
    """What one sentence claims of the KPI itself this period (improved, declined, same, met, missed), or
    nothing when it is negated, about the future, about a part or another comparator, or quotes other figures."""
    lowered = sentence.lower()
    if not any(stem in lowered for stem in _STEMS):
        return []  # most sentences claim nothing: one search, not a dozen
    if _NEGATION.search(sentence) or _NOT_YET.search(sentence) or _ELSEWHERE.search(sentence):
        return []
    if not _mentions_only_this_kpi(sentence, kpi, periods):
        return []
    claims = _claims(sentence, kpi.polarity)
    if _of_another_subject(sentence, kpi):  # "Demand rose": said of something else, whatever the target
        claims = [c for c in claims if c in ("met", "missed")]
    return claims


def quoted_figures(sentence: str, decimals: int) -> set[Decimal]:
    """Every figure the sentence quotes, as shown at ``decimals`` (85% and 85.0 are the same figure)."""
    out = set()
    for number in _NUMBER.findall(sentence):
        try:
            out.add(displayed(float(number.replace(",", "")), decimals))
        except ValueError:
            continue
    return out


def contradictions(k: RatedKpi, periods: tuple[str | None, str | None]) -> list[Contradiction]:
    """Each sentence of the KPI's commentary whose claim the figures contradict."""
    kpi = k.kpi
    if not kpi.commentary.strip():
        return []
    out = []
    for sentence in sentences(kpi.commentary):
        for claim in claims_about(kpi, sentence, periods):
            figures = _contradicted(claim, k)
            if figures:
                out.append(Contradiction(kpi.id, sentence, claim, figures))
    return out


def of_earlier_periods(kpi: Kpi, periods: tuple[str | None, str | None]) -> str | None:
    """Commentary that tells only of earlier months: every sentence moving a figure ends before the current
    month, and none names it. Last month's words left in place, or history in place of this month's story:
    worth a look before the paper goes out."""
    told = [s for s in sentences(kpi.commentary) if _of_an_earlier_period(s, periods)]
    now = _month_of(periods[0])
    if not told or now is None or any(_same_month(m, now) for m in _MONTH_WORD.finditer(kpi.commentary)):
        return None
    return (
        f"KPI '{kpi.id}': the commentary tells of earlier months only (\"{told[0]}\"), nothing of {periods[0]}; "
        "check it is this month's"
    )


def _of_an_earlier_period(sentence: str, periods: tuple[str | None, str | None]) -> bool:
    """A sentence telling of last month as if it were news ("Re-let times fell to 23.0 days in August", "improved
    from 70.0% to 72.0% between July and August"), in September's update: every month it names is before the
    current one, and it moves or stands at a figure (not "down from 72% in August", which compares with now)."""
    current, previous = periods
    now = _month_of(current)
    if now is None or _month_of(previous) is None or not _MOVED.search(sentence) or not _NUMBER.search(sentence):
        return False  # a figure's move or standing, with a figure: not context ("short-staffed in August")
    named = list(_MONTH_WORD.finditer(sentence))
    if not named or any(_same_month(m, now) for m in named):
        return False
    if len(named) == 1 and re.search(r"from[^.;]*$", sentence[: named[0].start()], re.I):
        return False  # "down from 72% in August": the starting point of this month's change
    return all(_MONTH_INDEX[m.group(1).lower()[:3]] != now[0] for m in named)


def _month_of(period: str | None) -> tuple[int, str] | None:
    """(month number, year) of a month period's name ("September 2024"), else None."""
    match = re.fullmatch(r"([A-Za-z]+) (\d{4})", period or "")
    if match is None or match.group(1).lower()[:3] not in _MONTH_INDEX:
        return None
    return _MONTH_INDEX[match.group(1).lower()[:3]], match.group(2)


def _same_month(match: re.Match[str], month: tuple[int, str]) -> bool:
    year = (match.group(2) or "").lstrip("'")
    return _MONTH_INDEX[match.group(1).lower()[:3]] == month[0] and (not year or month[1].endswith(year[-2:]))


_MONTH_INDEX = {m[:3].lower(): i + 1 for i, m in enumerate(MONTHS)}
_MOVED = re.compile(
    r"\b(fell|rose|improved|declined|increased|decreased|reduced|dropped|went (?:up|down)|remained|stood)\b", re.I
)


def _contradicted(claim: str, k: RatedKpi) -> str | None:
    direction = k.direction
    moved = {
        Direction.IMPROVED: "it improved",
        Direction.DECLINED: "it declined",
        Direction.SAME: "it stayed the same",
        Direction.INCREASED: "it increased",
        Direction.DECREASED: "it decreased",
    }
    if direction is None and claim in ("improved", "declined", "same"):
        return None  # nothing to compare with: no figure for one of the periods
    if claim == "improved" and direction is Direction.DECLINED:
        return moved[direction]
    if claim == "declined" and direction is Direction.IMPROVED:
        return moved[direction]
    if claim == "same" and direction not in (Direction.SAME, None):
        return moved[direction]
    if claim in ("improved", "declined") and direction is Direction.SAME:
        return "the figure is the same as before"
    if claim == "met" and k.rag in (Rag.AMBER, Rag.RED):
        return f"it is rated {k.rag.value}, short of its target"
    if claim == "missed" and k.rag is Rag.GREEN:
        return "it is rated Green, meeting its target"
    return None


def unchanged_since(current: Kpi, previous: Kpi) -> str | None:
    """Commentary copied forward: the same words as last month's workbook while the figures moved."""
    words = " ".join(current.commentary.split())
    if not words or words != " ".join(previous.commentary.split()):
        return None
    now = None if current.current is None else displayed(current.current, current.decimals)
    before = None if previous.current is None else displayed(previous.current, current.decimals)
    if now == before:
        return None
    return (
        f"KPI '{current.id}': the commentary is word for word last month's, but the figure moved "
        f"from {before} to {now}; check that it still holds"
    )


def commentary_findings(
    card: Scorecard,
    sheet: str,
    column: int | None,
    previous: Mapping[str, Kpi] | None = None,
    previous_file: str | None = None,
) -> list[Finding]:
    """The warnings check, refresh and narrative show: each contradicted sentence, and (given last month's
    KPIs by id) each commentary copied forward while the figure moved. Each names the commentary cell."""
    if column is None:
        return []
    out = []
    periods = (card.period.current, card.period.previous)
    for k in card.kpis:
        where = Where(sheet=sheet, cell=cell_ref(k.kpi.row, column))
        for found in contradictions(k, periods):
            out.append(Finding("SC701", found.message(), where))
        earlier = of_earlier_periods(k.kpi, periods)
        if earlier:
            out.append(Finding("SC711", earlier, where))
        before = previous.get(k.kpi.key) if previous is not None else None
        if before is not None:
            copied = unchanged_since(k.kpi, before)
            if copied:
                out.append(
                    Finding("SC702", copied + (f" (last month: {previous_file})" if previous_file else ""), where)
                )
    return out
