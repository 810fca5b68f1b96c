"""Statistical process control as NHS England's "Making Data Count" (MDC) does it.

An XmR (individuals) chart tells a real change from the month-to-month noise that makes a
last-period arrow swing:

- limits: mean +- 2.66 x the mean moving range, from every point or from the first ``baseline``;
- special cause, by four rules: a point outside the limits; a shift (``run_length`` points in a
  row on one side of the mean); a trend (``run_length`` points in a row each higher, or each
  lower, than the one before); two of three points in a row beyond two sigma on one side;
- variation (from the latest point): ``improvement`` or ``concern`` when the latest point is a
  special cause on the good or the bad side by polarity, ``neither`` for a special cause on a KPI
  with no good side, else ``common cause``. A latest point that is both (a trend crossing the
  mean) is an improvement, as MDC's own tool decides;
- assurance (the target against the limits): ``pass`` or ``fail`` when the target lies outside the
  limits on the good or the bad side, ``hit and miss`` when inside, None without a target or a side.

With fewer than ``min_points`` points there are no limits and no verdict: ``reason`` says why.
Plain Python on plain numbers; missing points (None) are left out of the chart.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from .model import Polarity

LIMIT_FACTOR = 2.66  # 3 sigma, with sigma = mean moving range / 1.128
SIGMA_FACTOR = LIMIT_FACTOR / 3


class Variation(enum.Enum):
    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    COMMON_CAUSE = "common cause"
    NEITHER = "neither"  # special cause on a KPI with no good side


class Assurance(enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    HIT_AND_MISS = "hit and miss"


class Rule(enum.Enum):
    OUTSIDE = "outside limits"
    SHIFT = "shift"
    TREND = "trend"
    TWO_OF_THREE = "two of three"


@dataclass(frozen=True)
class SpcSettings:
    min_points: int = 15
    run_length: int = 7
    baseline: int | None = None  # limits from the first N points, extended forward

    def __post_init__(self) -> None:
        if self.min_points < 2:
            raise ValueError("spc.min_points must be at least 2")
        if self.run_length < 2:
            raise ValueError("spc.run_length must be at least 2")
        if self.baseline is not None and self.baseline < 2:
            raise ValueError("spc.baseline must be at least 2")


@dataclass(frozen=True)
class PointSignal:
    """Which rules a point is part of, and on which side (+1 high, -1 low)."""

    value: float
    rules: dict[Rule, int]

    @property
    def special(self) -> bool:
        return bool(self.rules)


@dataclass(frozen=True)
class Spc:
    points: int
    mean: float | None = None
    lower: float | None = None
    upper: float | None = None
    variation: Variation | None = None
    assurance: Assurance | None = None
    rules: tuple[Rule, ...] = ()  # the rules the latest point is part of
    signals: tuple[PointSignal, ...] = ()  # every point, in order, for charts
    reason: str | None = None  # why there is no verdict
    needed: int | None = None  # with too few points: how many limits need

    def as_dict(self) -> dict[str, object]:
        return {
            "points": self.points,
            "mean": self.mean,
            "lower": self.lower,
            "upper": self.upper,
            "variation": self.variation.value if self.variation else None,
            "assurance": self.assurance.value if self.assurance else None,
            "rules": [rule.value for rule in self.rules],
            "reason": self.reason,
        }


def _side(difference: float) -> int:
    return (difference > 0) - (difference < 0)


def analyse(
    history: Sequence[float | None],
    polarity: Polarity | None,
    target: float | None = None,
    settings: SpcSettings = SpcSettings(),
) -> Spc:
    """The XmR chart of a KPI's history (oldest first) and MDC's two verdicts on it."""
    values = [float(v) for v in history if v is not None]
    n = len(values)
    if n < settings.min_points:
        return Spc(
            points=n,
            reason=f"{n} {'point' if n == 1 else 'points'}, fewer than the {settings.min_points} needed for limits",
            needed=settings.min_points,
        )
    base = values[: settings.baseline] if settings.baseline else values
    if settings.baseline and len(base) < settings.baseline:
        return Spc(
            points=n, reason=f"{n} points, fewer than the baseline of {settings.baseline}", needed=settings.baseline
        )
    mean = sum(base) / len(base)
    moving = [abs(b - a) for a, b in zip(base, base[1:], strict=False)]
    mr = sum(moving) / len(moving)
    upper, lower = mean + LIMIT_FACTOR * mr, mean - LIMIT_FACTOR * mr
    two_sigma_up, two_sigma_down = mean + 2 * SIGMA_FACTOR * mr, mean - 2 * SIGMA_FACTOR * mr

    marks: list[dict[Rule, int]] = [{} for _ in values]
    for i, v in enumerate(values):  # 1: outside the limits (a point on a limit is inside)
        if v > upper:
            marks[i][Rule.OUTSIDE] = 1
        elif v < lower:
            marks[i][Rule.OUTSIDE] = -1

    k = settings.run_length
    sides = [_side(v - mean) for v in values]  # a point on the mean breaks a shift
    for start in range(n - k + 1):  # 2: a shift
        window = sides[start : start + k]
        if window[0] != 0 and all(s == window[0] for s in window):
            for i in range(start, start + k):
                marks[i][Rule.SHIFT] = window[0]
    steps = [_side(b - a) for a, b in zip(values, values[1:], strict=False)]  # an equal pair breaks a trend
    for start in range(n - k + 1):  # 3: a trend of k points is k - 1 steps one way
        window = steps[start : start + k - 1]
        if window[0] != 0 and all(s == window[0] for s in window):
            for i in range(start, start + k):
                marks[i][Rule.TREND] = window[0]
    beyond = [1 if v > two_sigma_up else -1 if v < two_sigma_down else 0 for v in values]
    for start in range(n - 2):  # 4: two of three beyond two sigma, same side
        for side in (1, -1):
            hits = [i for i in range(start, start + 3) if beyond[i] == side]
            if len(hits) >= 2:
                for i in hits:
                    marks[i][Rule.TWO_OF_THREE] = side

    latest = marks[-1]
    return Spc(
        points=n,
        mean=mean,
        lower=lower,
        upper=upper,
        variation=_variation(latest, polarity),
        assurance=_assurance(target, polarity, lower, upper),
        rules=tuple(rule for rule in Rule if rule in latest),
        signals=tuple(PointSignal(v, m) for v, m in zip(values, marks, strict=True)),
    )


def _good_side(polarity: Polarity | None) -> int:
    return {Polarity.HIGHER: 1, Polarity.LOWER: -1}.get(polarity, 0) if polarity else 0


def _variation(latest: dict[Rule, int], polarity: Polarity | None) -> Variation:
    if not latest:
        return Variation.COMMON_CAUSE
    good = _good_side(polarity)
    if not good:
        return Variation.NEITHER
    sides = set(latest.values())
    return Variation.IMPROVEMENT if good in sides else Variation.CONCERN


def _assurance(target: float | None, polarity: Polarity | None, lower: float, upper: float) -> Assurance | None:
    good = _good_side(polarity)
    if target is None or not good:
        return None
    if lower <= target <= upper:
        return Assurance.HIT_AND_MISS
    # the target outside the limits: every point lands on one side of it
    target_below_process = target < lower
    return Assurance.PASS if (target_below_process == (good == 1)) else Assurance.FAIL
