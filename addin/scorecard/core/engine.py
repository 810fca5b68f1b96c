"""RAG ratings and direction of travel: the rules of the scorecard, on plain numbers.

The comparisons are made at the precision people read (``compare: displayed``): a value shown
as 85.0% meets a target of 85% even when the cell holds 84.996. Rounding is half-up on the
decimal text of the number, as Excel displays it, not banker's rounding on binary floats.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from .findings import Finding
from .model import Direction, Kpi, Period, Polarity, Rag, RatedKpi, Scorecard
from .spc import Spc, SpcSettings, analyse


@lru_cache(maxsize=65536)
def displayed(value: float, decimals: int) -> Decimal:
    """The number as a reader sees it: rounded half-up to ``decimals`` places."""
    try:
        return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # inf or nan never reach here from a workbook, but stay total
        return Decimal(repr(float(value)))


def _comparable(value: float, kpi: Kpi) -> Decimal:
    if kpi.compare == "exact":
        return Decimal(repr(float(value)))
    return displayed(value, kpi.decimals)


def rate(value: float | None, kpi: Kpi) -> Rag:
    """Rate one value against the KPI's target and floor.

    higher: Green at or above target; Amber below target but at or above floor; Red below floor.
    lower: the mirror. target: by distance from the target (``green_within``, ``amber_within``,
    else the floor's distance). On the target is Green; on the floor is Amber. With a target
    and no floor there is no Amber band; with a floor and no target, at or above floor is Amber.
    """
    if kpi.is_activity:
        return Rag.NOT_RATED
    if value is None:
        return Rag.NO_DATA
    v = _comparable(value, kpi)
    target = None if kpi.target is None else _comparable(kpi.target, kpi)
    floor = None if kpi.floor is None else _comparable(kpi.floor, kpi)

    if kpi.polarity is Polarity.TARGET:
        return _rate_two_sided(v, target, floor, kpi)
    # Lower is better: negate everything and rate as "higher".
    sign = -1 if kpi.polarity is Polarity.LOWER else 1
    v = v * sign
    if target is not None and v >= target * sign:
        return Rag.GREEN
    if floor is not None and v >= floor * sign:
        return Rag.AMBER
    return Rag.RED


def _rate_two_sided(v: Decimal, target: Decimal | None, floor: Decimal | None, kpi: Kpi) -> Rag:
    if target is None:  # validated away in rules; a workbook row may still lack it
        return Rag.NOT_RATED
    distance = abs(v - target)
    green = Decimal(repr(float(kpi.green_within))) if kpi.green_within is not None else Decimal(0)
    if kpi.amber_within is not None:
        amber = Decimal(repr(float(kpi.amber_within)))
    elif floor is not None:
        amber = abs(floor - target)
    else:
        amber = green
    if distance <= green:
        return Rag.GREEN
    if distance <= amber:
        return Rag.AMBER
    return Rag.RED


def direction(kpi: Kpi) -> Direction | None:
    """Direction of travel from previous to current, at the displayed precision.

    Rated KPIs improve or decline by their polarity (for ``target``, closer is better, each period to its
    own target when targets change by period; with no polarity, higher, as ``rate`` reads it); activity
    indicators only increase or decrease. A running total to date (``cumulative``) rises by its nature,
    so it improves or declines only against its profile: by how far each period's total is from that
    period's target. None when either value is missing, or a running total has no profile to compare with.
    """
    if kpi.current is None or kpi.previous is None:
        return None
    if kpi.cumulative:
        return _against_profile(kpi)
    now, before = _comparable(kpi.current, kpi), _comparable(kpi.previous, kpi)
    if kpi.is_activity:
        if now == before:
            return Direction.SAME
        return Direction.INCREASED if now > before else Direction.DECREASED
    if kpi.polarity is Polarity.TARGET:
        then = kpi.for_previous().target
        if kpi.target is None or then is None:
            return None
        now, before = -abs(now - _comparable(kpi.target, kpi)), -abs(before - _comparable(then, kpi))
    elif kpi.polarity is Polarity.LOWER:
        now, before = -now, -before
    if now == before:
        return Direction.SAME
    return Direction.IMPROVED if now > before else Direction.DECLINED


def _against_profile(kpi: Kpi) -> Direction | None:
    """A running total's direction: the gap to each period's own target, narrowing (improved) or widening."""
    then = kpi.for_previous().target
    if not kpi.profiled or kpi.target is None or then is None or kpi.current is None or kpi.previous is None:
        return None
    now = _comparable(kpi.current, kpi) - _comparable(kpi.target, kpi)
    before = _comparable(kpi.previous, kpi) - _comparable(then, kpi)
    if kpi.polarity is Polarity.TARGET:
        now, before = -abs(now), -abs(before)
    elif kpi.polarity is Polarity.LOWER:
        now, before = -now, -before
    if now == before:
        return Direction.SAME
    return Direction.IMPROVED if now > before else Direction.DECLINED


def evaluate(
    kpis: Iterable[Kpi],
    *,
    title: str,
    period: Period,
    section: int = 1,
    findings: Iterable[Finding] = (),
    spc: SpcSettings = SpcSettings(),  # noqa: B008 - a frozen dataclass
) -> Scorecard:
    """Rate every KPI for both periods, work out its direction of travel and, when it has a history,
    its statistical process control (``spc`` settings)."""
    rated = tuple(
        RatedKpi(
            kpi=k,
            rag=rate(k.current, k),
            previous_rag=rate(k.previous, k.for_previous()),
            direction=direction(k),
            spc=process_control(k, spc),
        )
        for k in kpis
    )
    return Scorecard(title=title, period=period, kpis=rated, section=section, findings=tuple(findings))


def process_control(kpi: Kpi, settings: SpcSettings = SpcSettings()) -> Spc | None:  # noqa: B008 - a frozen dataclass
    """The XmR chart of a KPI's history and Making Data Count's verdicts on it; None without a history.

    A two-sided KPI, or one with no polarity, has no good side: ``neither`` on a special cause, no assurance."""
    if not kpi.history:
        return None
    return analyse(kpi.history, kpi.polarity, kpi.target, settings)
