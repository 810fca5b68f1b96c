"""What a KPI's XmR chart says, in one plain sentence (core.spc's verdicts in words).

Only what the chart shows: the normal range is the process limits, a run is counted on the figures
themselves, "in a row" is said only of periods with no gap, and every figure and limit is written at
enough decimals for the comparison the sentence makes to be true as printed: a latest figure of 1 is
"above its normal range of -0.3 to 0.7", never "of 0 to 1".
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from .engine import displayed
from .model import Kpi, Polarity, RatedKpi
from .periods import parse_period
from .phrasing import MOST_DECIMALS, counted, figure, number_word
from .spc import Rule, Variation

_VERDICT = {
    Variation.IMPROVEMENT: "a real improvement",
    Variation.CONCERN: "a real cause for concern",
    Variation.NEITHER: "a real change",
}
_KIND_PLURAL = {"month": "months", "quarter": "quarters", "year": "years"}


def kind_words(kpi: Kpi) -> tuple[str, str]:
    """'month', 'months' (or quarter, year) from the history's period headers."""
    return kind_of(kpi.history_periods[-1] if kpi.history_periods else "")


@lru_cache(maxsize=256)
def kind_of(name: str) -> tuple[str, str]:
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


Claim = Callable[[int], bool]  # true of the figures as printed at these decimals


def _sharpest(start: int, claim: Claim) -> int:
    """The fewest decimals from ``start`` at which the claim holds as printed, else ``MOST_DECIMALS``."""
    for decimals in range(start, max(start, MOST_DECIMALS) + 1):
        if claim(decimals):
            return decimals
    return max(start, MOST_DECIMALS)


def _range_claim(lower: float, upper: float, latest: float | None, where: str, fixed: int | None) -> Claim:
    """The limits shown apart, and the latest figure (at ``fixed`` decimals, else at the limits' own) shown
    above, below or within them as ``where`` says."""

    def holds(decimals: int) -> bool:
        low, high = displayed(lower, decimals), displayed(upper, decimals)
        if low >= high:
            return False
        if latest is None:
            return True
        point = displayed(latest, decimals if fixed is None else fixed)
        return {"above": point > high, "below": point < low, "within": low <= point <= high}[where]

    return holds


def _range(
    kpi: Kpi, lower: float, upper: float, latest: float | None = None, where: str = "within", noun: str | None = None
) -> tuple[str, ...]:
    """(latest, lower, upper) as printed: the latest figure at its own decimals and the limits at the fewest
    decimals that make the claim true; the figure too is sharpened when its own decimals cannot be."""
    own = kpi.decimals
    decimals = _sharpest(own, _range_claim(lower, upper, latest, where, own))
    fixed = own
    if not _range_claim(lower, upper, latest, where, own)(decimals):
        decimals = _sharpest(own, _range_claim(lower, upper, latest, where, None))
        fixed = decimals
    point = counted(latest, kpi, noun, fixed) if latest is not None else ""
    return point, figure(lower, kpi, decimals), counted(upper, kpi, noun, decimals)  # "14.7 to 19.2 cases"


def _mean(kpi: Kpi, mean: float, values: list[float], side: int, noun: str | None = None) -> str:
    """The average at the fewest decimals that show each of ``values`` (as the KPI prints them) on ``side``."""

    def holds(decimals: int, own: int | None = kpi.decimals) -> bool:
        shown_mean = displayed(mean, decimals)
        return all((displayed(v, decimals if own is None else own) - shown_mean) * side > 0 for v in values)

    decimals = _sharpest(kpi.decimals, holds)
    if not holds(decimals):
        decimals = _sharpest(kpi.decimals, lambda d: holds(d, None))
    return counted(mean, kpi, noun, decimals)


def spc_sentence(k: RatedKpi, noun: str | None = None) -> str | None:
    """What the KPI's XmR chart says, in one plain sentence (two when its limits were recalculated), or
    None when it has no history or its latest figure is not this period's."""
    spc, kpi = k.spc, k.kpi
    if spc is None or not kpi.history or kpi.history[-1] is None:
        return None
    one, many = kind_words(kpi)
    n = spc.points
    if spc.mean is None or spc.lower is None or spc.upper is None or spc.variation is None:
        needed = spc.needed or n + 1
        return (
            f"There {'is' if n == 1 else 'are'} only {number_word(n)} {one if n == 1 else many} of figures, "
            f"fewer than the {number_word(needed)} needed to tell a real change from normal variation."
        )
    at = [i for i, v in enumerate(kpi.history) if v is not None]  # the history position of each charted point
    since = spc.since
    recalculated = ""
    if since:
        periods = kpi.history_periods
        start = periods[at[since]] if len(periods) == len(kpi.history) else None
        began = start or f"its figure {number_word(since + 1)}"
        recalculated = f" Its limits were recalculated from {began}, where a sustained shift began."
    return _verdict(k, at[since:], n - since, noun) + recalculated


def _verdict(k: RatedKpi, at: list[int], n: int, noun: str | None) -> str:
    """The sentence on the latest limits' ``n`` points (at history positions ``at``)."""
    spc, kpi = k.spc, k.kpi
    assert spc is not None and spc.mean is not None and spc.lower is not None and spc.upper is not None
    _, many = kind_words(kpi)
    values = [signal.value for signal in spc.signals][len(spc.signals) - n :]
    latest_value = values[-1]

    def unbroken(points: int) -> bool:  # the last ``points`` figures are in consecutive periods
        return at[-1] - at[-points] == points - 1

    if spc.variation is Variation.COMMON_CAUSE:
        if spc.lower == spc.upper:  # no moving range at all: every figure is the mean
            return f"Its figures have not varied from {counted(spc.mean, kpi, noun)}: no real change."
        if not any(signal.special for signal in spc.signals[len(spc.signals) - n :]):
            _, lower, upper = _range(kpi, spc.lower, spc.upper, noun=noun)
            if unbroken(n):
                return (
                    f"Over the last {number_word(n)} {many} it has stayed within its normal range of {lower} "
                    f"to {upper}: no real change."
                )
            return (
                f"All {number_word(n)} of its figures have stayed within its normal range of {lower} to "
                f"{upper}: no real change."
            )
        latest, lower, upper = _range(kpi, spc.lower, spc.upper, latest_value, "within", noun)
        return (
            f"Its latest figure, {latest}, is within its normal range of {lower} to {upper} and shows no real change."
        )

    variation = spc.variation
    assert variation is not None, "a special cause has a verdict"
    last = spc.signals[-1].rules
    good = {Polarity.HIGHER: 1, Polarity.LOWER: -1}.get(kpi.polarity) if kpi.polarity else None
    wanted = {Variation.IMPROVEMENT: good, Variation.CONCERN: -good if good else None}.get(variation)
    rule = next(r for r in Rule if r in last and (wanted is None or last[r] == wanted))
    side, verdict = last[rule], _VERDICT[variation]
    if rule is Rule.OUTSIDE:
        where = "above" if side > 0 else "below"
        latest, lower, upper = _range(kpi, spc.lower, spc.upper, latest_value, where, noun)
        return f"Its latest figure, {latest}, is {where} its normal range of {lower} to {upper}: {verdict}."
    if rule is Rule.SHIFT:
        run = _trailing([(v > spc.mean) - (v < spc.mean) for v in values], side)
        where = "above" if side > 0 else "below"
        mean = _mean(kpi, spc.mean, values[-run:], side, noun)
        if unbroken(run):
            return f"It has been {where} its average of {mean} for {number_word(run)} {many} in a row: {verdict}."
        return f"Each of its last {number_word(run)} figures has been {where} its average of {mean}: {verdict}."
    if rule is Rule.TREND:
        steps = _trailing([(b > a) - (b < a) for a, b in zip(values, values[1:], strict=False)], side)
        latest = counted(latest_value, kpi, noun)
        if unbroken(steps + 1):
            moved = "risen" if side > 0 else "fallen"
            return f"It has {moved} in each of the last {number_word(steps)} {many}, to {latest}: {verdict}."
        than = "higher" if side > 0 else "lower"
        return (
            f"Each of its last {number_word(steps)} figures has been {than} than the one before, to {latest}: "
            f"{verdict}."
        )
    end = "top" if side > 0 else "bottom"  # two of three beyond two sigma: the latest three figures hold them
    _, lower, upper = _range(kpi, spc.lower, spc.upper, noun=noun)
    return (
        f"Two of its last three figures have been near or beyond the {end} of its normal range of {lower} to "
        f"{upper}: {verdict}."
    )
