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
from typing import Literal

from .polarity import Polarity

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
    screen_outliers: bool = False  # moving ranges of 3.267 x the average or more left out of the limits
    recalc: Literal["never", "after_shift"] = "never"  # new limits from the first point of a sustained shift

    def __post_init__(self) -> None:
        if self.min_points < 2:
            raise ValueError("spc.min_points must be at least 2")
        if self.run_length < 2:
            raise ValueError("spc.run_length must be at least 2")
        if self.baseline is not None and self.baseline < 2:
            raise ValueError("spc.baseline must be at least 2")
        if self.recalc not in ("never", "after_shift"):
            raise ValueError("spc.recalc must be never or after_shift")


@dataclass(frozen=True)
class PointSignal:
    """Which rules a point is part of, and on which side (+1 high, -1 low)."""

    value: float
    rules: dict[Rule, int]

    @property
    def special(self) -> bool:
        return bool(self.rules)


@dataclass(frozen=True)
class Limits:
    """One stretch of the chart with limits of its own: from point ``start`` (0-based, among the points
    charted) to the next stretch's start. A chart has one, or more once limits are recalculated."""

    start: int
    mean: float
    lower: float
    upper: float
    screened: int = 0  # moving ranges left out of the average moving range (screen_outliers)


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
    sections: tuple[Limits, ...] = ()  # the limits, stretch by stretch; the last gives mean, lower and upper

    @property
    def since(self) -> int:
        """The first point of the latest stretch of limits: 0 unless limits were recalculated."""
        return self.sections[-1].start if self.sections else 0

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
            "recalculated_from": self.since or None,  # the point (0-based) the latest limits start at
        }


def _side(difference: float) -> int:
    return (difference > 0) - (difference < 0)


SCREEN_FACTOR = 3.267  # the upper range limit: a moving range this many times the average is an outlier


def limits(values: Sequence[float], start: int = 0, screen: bool = False) -> Limits:
    """The mean and process limits of the points (two at least); with ``screen``, moving ranges of
    3.267 times the average or more are left out of the average moving range, once, as NHSRplotthedots'
    ``screen_outliers`` does."""
    mean = sum(values) / len(values)
    moving = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
    mr = sum(moving) / len(moving)
    screened = 0
    if screen:
        kept = [m for m in moving if m < SCREEN_FACTOR * mr]
        screened = len(moving) - len(kept)
        if kept and screened:
            mr = sum(kept) / len(kept)
    return Limits(start, mean, mean - LIMIT_FACTOR * mr, mean + LIMIT_FACTOR * mr, screened)


def _mark(values: Sequence[float], at: Limits, k: int) -> list[dict[Rule, int]]:
    """The rules each point of one stretch is part of, against that stretch's limits."""
    n, mean, mr = len(values), at.mean, (at.upper - at.mean) / LIMIT_FACTOR
    two_sigma_up, two_sigma_down = mean + 2 * SIGMA_FACTOR * mr, mean - 2 * SIGMA_FACTOR * mr
    marks: list[dict[Rule, int]] = [{} for _ in values]
    for i, v in enumerate(values):  # 1: outside the limits (a point on a limit is inside)
        if v > at.upper:
            marks[i][Rule.OUTSIDE] = 1
        elif v < at.lower:
            marks[i][Rule.OUTSIDE] = -1
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
    return marks


def _shift_start(values: Sequence[float], mean: float, k: int) -> int | None:
    """Where the first run of ``k`` points on one side of the mean begins (after the first point), or None."""
    sides = [_side(v - mean) for v in values]
    run = 0
    for i, side in enumerate(sides):
        run = run + 1 if i and side != 0 and side == sides[i - 1] else (1 if side else 0)
        if run >= k and i - run + 1 > 0:
            return i - run + 1
    return None


def _sections(values: Sequence[float], settings: SpcSettings) -> list[Limits]:
    """The stretches of limits: one, from the baseline (or every point); with ``recalc: after_shift``, a new
    one from the first point of each sustained shift followed by at least ``min_points`` points."""
    base = values[: settings.baseline] if settings.baseline else values
    sections = [limits(base, 0, settings.screen_outliers)]
    while settings.recalc == "after_shift":
        here = sections[-1]
        stretch = values[here.start :]
        found = _shift_start(stretch, here.mean, settings.run_length)
        if found is None or len(stretch) - found < settings.min_points:
            break
        start = here.start + found
        if len(sections) == 1 and settings.baseline is None:  # the first stretch ends where the shift begins
            sections[0] = limits(values[:start], 0, settings.screen_outliers) if start >= 2 else sections[0]
        elif len(sections) > 1:
            sections[-1] = limits(values[here.start : start], here.start, settings.screen_outliers)
        sections.append(limits(values[start:], start, settings.screen_outliers))
    return sections


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
    if settings.baseline and n < settings.baseline:
        return Spc(
            points=n, reason=f"{n} points, fewer than the baseline of {settings.baseline}", needed=settings.baseline
        )
    sections = _sections(values, settings)
    marks: list[dict[Rule, int]] = []
    for index, at in enumerate(sections):
        end = sections[index + 1].start if index + 1 < len(sections) else n
        marks += _mark(values[at.start : end], at, settings.run_length)
    latest, last = marks[-1], sections[-1]
    return Spc(
        points=n,
        mean=last.mean,
        lower=last.lower,
        upper=last.upper,
        variation=_variation(latest, polarity),
        assurance=_assurance(target, polarity, last.lower, last.upper),
        rules=tuple(rule for rule in Rule if rule in latest),
        signals=tuple(PointSignal(v, m) for v, m in zip(values, marks, strict=True)),
        sections=tuple(sections),
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
