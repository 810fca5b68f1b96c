"""The small words of the narrative: figures as people write them, counts, and a KPI against its benchmarks.

Figures are written at the KPI's decimals, rounded half-up as the cell shows them; ``precise`` gives the
fewest decimals at which a comparison a sentence makes ("above its normal range of 0.0 to 0.7") is true
of the figures as printed. Counts follow one style: a numeral in running text ("1 KPI", "24 KPIs") and a
word where a count opens a sentence ("Five of these KPIs").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache

from .engine import displayed
from .model import Kpi, Polarity

_SMALL = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()

UNIT_SUFFIX = {"fte": " FTE", "days": " days", "weeks": " weeks", "months": " months", "hours": " hours"}
COUNTED = ("number", "count")  # units whose figures are bare numbers: a noun (report.nouns) says what they count
MOST_DECIMALS = 6  # no comparison is sharpened beyond this


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


def figure(value: float, kpi: Kpi, decimals: int | None = None) -> str:
    """A figure as people write it: 48.4%, 15.8, 89.4 FTE, 1,204 (at ``decimals`` when given); as the sheet
    shows it when its format shows thousands or millions (£1.4m, £320k)."""
    if kpi.scaled is not None and decimals in (None, kpi.decimals) and _scaled_apart(kpi):
        return _scaled(value, kpi)
    return _figure(value, kpi.decimals if decimals is None else decimals, kpi.unit)


def _scaled(value: float, kpi: Kpi) -> str:
    assert kpi.scaled is not None
    thousands, shown, suffix = kpi.scaled
    return _figure(value / 1000**thousands, shown, kpi.unit) + suffix


def _scaled_apart(kpi: Kpi) -> bool:
    """Whether the figures, written as the sheet shows them (£1.4m), still read apart from the target and floor
    they differ from: never "£1.5m, missing the target of £1.5m" (then they are written in full)."""
    figures = [v for v in (kpi.current, kpi.previous) if v is not None]
    standards = [v for v in (kpi.target, kpi.floor, kpi.previous_target, kpi.previous_floor) if v is not None]
    return all(a == b or _scaled(a, kpi) != _scaled(b, kpi) for a in figures for b in standards)


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


def counted(value: float, kpi: Kpi, noun: str | None, decimals: int | None = None) -> str:
    """A figure with the noun of what it counts: '15.8 cases', '1 case' (a count's unit is a bare number)."""
    text = figure(value, kpi, decimals)
    if not noun or kpi.unit not in COUNTED:
        return text
    if text == "1":
        return f"{text} {singular(noun)}"
    return f"{text} {noun}"


_IRREGULAR = {
    **{"people": "person", "children": "child", "men": "man", "women": "woman", "staff": "staff"},
    **{"buses": "bus", "statuses": "status", "analyses": "analysis", "crises": "crisis", "diagnoses": "diagnosis"},
}


def singular(noun: str) -> str:
    """One of what a count counts: cases -> case, families -> family, boxes -> box, children -> child; a noun
    that is no plain plural is left as it is (staff, data, bus)."""
    head, _, last = noun.rpartition(" ")
    word = last.lower()
    if word in _IRREGULAR:
        one = _IRREGULAR[word]
    elif word.endswith("ies") and len(word) > 4:
        one = word[:-3] + "y"
    elif word.endswith(("ches", "shes", "sses", "xes", "zes")):
        one = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        one = word[:-1]
    else:
        return noun
    one = one.capitalize() if last[:1].isupper() else one
    return f"{head} {one}" if head else one


def difference(value: float, kpi: Kpi) -> str:
    """A gap between two figures: '1.6 percentage points' for a percentage, else as a figure."""
    if kpi.unit == "percent":
        text = figure(abs(value), kpi)[:-1]
        return f"{text} percentage {'point' if text in ('1', '1.' + '0' * kpi.decimals) else 'points'}"
    return figure(abs(value), kpi)


def shown(value: float, decimals: int) -> Decimal:
    return displayed(value, decimals)


def precise(pairs: Iterable[tuple[float, float, int]], start: int) -> int:
    """The fewest decimals (``start`` at least) at which each (a, b, side) holds of the figures as printed:
    side 1 a shown above b, -1 below, 0 not shown equal. Where none suffices, ``MOST_DECIMALS``."""
    wanted = list(pairs)
    for decimals in range(start, max(start, MOST_DECIMALS) + 1):
        if all(_holds(a, b, side, decimals) for a, b, side in wanted):
            return decimals
    return max(start, MOST_DECIMALS)


def _holds(a: float, b: float, side: int, decimals: int) -> bool:
    left, right = displayed(a, decimals), displayed(b, decimals)
    if side == 0:
        return left != right
    return left > right if side > 0 else left < right


# --- benchmarks, rank and quartile --------------------------------------------------------------------


def possessive(label: str) -> str:
    """England -> England's; Statistical neighbours -> Statistical neighbours'."""
    return f"{label}'" if label.endswith("s") else f"{label}'s"


def _relation(kpi: Kpi, benchmark: float) -> str:
    """How the KPI's figure stands against one benchmark, in words that say which is better.

    Compared as displayed, at the KPI's decimals. A KPI without a polarity is only higher or lower."""
    assert kpi.current is not None, "compared only with a figure"
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


def and_list(items: list[str]) -> str:
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


def comparison(kpi: Kpi, noun: str | None = None) -> str | None:
    """The KPI's figure against its benchmarks, then its rank and quartile, as one sentence:
    "At 79.4%, performance is worse than England's 81.5% and Statistical neighbours' 83.0%; it is
    ranked 120th of 152 and in the bottom quartile." Benchmarks with no figure are left out;
    benchmarks with the same relation are listed together, in the rules' order."""
    if kpi.current is None:
        return None
    groups: dict[str, list[str]] = {}
    for label, value in (kpi.benchmarks or {}).items():
        if value is not None:
            groups.setdefault(_relation(kpi, value), []).append(f"{possessive(label)} {figure(value, kpi)}")
    standing = [words for words in (rank_words(kpi.rank), quartile_words(kpi.quartile)) if words]
    parts = []
    if groups:
        parts.append(
            f"At {counted(kpi.current, kpi, noun)}, performance is "
            + and_list([f"{rel} {and_list(items)}" for rel, items in groups.items()])
        )
    if standing:
        parts.append(("it is " if parts else "It is ") + " and ".join(standing))
    return "; ".join(parts) + "." if parts else None
