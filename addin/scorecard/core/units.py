"""Units and scale: the checks that keep a percentage from being read 100 times too big or too small.

A percent KPI's figures and thresholds are compared in percent points (48.4, not 0.484). When one of
them is in the other scale (a fraction in a General cell beside a target of 70, ``target: 0.75`` in
the rules for a KPI at 71%, 55.2 typed into a percentage-formatted cell, which shows 5520%) the
rating would be confidently wrong, so ``scale_check`` finds it from all of the KPI's evidence and
says which cells and YAML lines disagree. It corrects a figure only when the evidence leaves no
doubt (see ``scale_check``); it always warns.

Also here: the ceiling of a share of a whole (over 100% is impossible only there) and the agreement
of a figure with its numerator and denominator.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .engine import displayed
from .findings import KINDS
from .numfmt import is_general, is_percent

FRACTION_MAX = 1.5  # a percent figure at or below this may be a fraction (1.034 is 103.4%)
POINTS_MAX = 150.0  # a percent figure above this may be points stored in a percentage-formatted cell
GAP = 20.0  # figures this many times apart are not in the same scale (100x, give or take)
AGREE = 5.0  # a corrected figure must land this close to the others
SCALE_UNKNOWN = KINDS["SC950"].code  # the finding a worksheet function names instead of a colour it cannot be sure of


def within_scale(values: Sequence[float]) -> bool:
    """Whether a KPI's figures (zeros aside) all lie within ``GAP`` times of one another: then ``scale_check``
    finds nothing in them, whatever their cells, formats and lines, and they need not be gathered for it.

    Its own first test: no gap between neighbours in size can exceed the largest over the smallest.
    """
    sizes = [abs(v) for v in values if v]
    return len(sizes) < 2 or max(sizes) / min(sizes) < GAP


@dataclass(frozen=True)
class Figure:
    """One figure or threshold of a KPI as read, and where it came from."""

    name: str  # current, previous, target or floor
    value: float  # as read: percent points for a percent KPI
    cell: str | None = None  # "F5" when read from the sheet
    stored: Any = None  # the number the cell holds
    number_format: str | None = None
    percent_cell: bool = False  # the cell is formatted as a percentage (its number was read x100)
    line: int | None = None  # the YAML line when the rules gave it

    @property
    def from_rules(self) -> bool:
        return self.cell is None

    def describe(self) -> str:
        if self.from_rules:
            return f"{self.name} {self.value:g} (rules line {self.line})"
        if isinstance(self.stored, str):
            return f"{self.name} {self.cell} {self.stored.strip()!r} (text)"
        if self.percent_cell:
            shown = f"{self.stored * 100:.10g}%"
            how = (
                f"format {self.number_format}"
                if is_percent(self.number_format)
                else "read as a fraction by layout.percent"
            )
            return f"{self.name} {self.cell} {shown} (holds {self.stored:.10g}, {how})"
        if self.number_format is None:
            fmt = "format not known"
        else:
            fmt = "General" if is_general(self.number_format) else f"format {self.number_format}"
        return f"{self.name} {self.cell} {self.stored:.10g} ({fmt})"


@dataclass(frozen=True)
class ScaleFinding:
    message: str
    corrected: dict[str, float]  # figure name -> the value it is read as instead


def _advice(figure: Figure, too_small: bool) -> str:
    if figure.from_rules:
        if too_small:
            return (
                f"rules line {figure.line}: {figure.name} {figure.value:g} means {figure.value:g}%; write "
                f"{figure.value * 100:g} (percent points, as people read them)"
            )
        return (
            f"rules line {figure.line}: {figure.name} {figure.value:g} means {figure.value:g}%; write it in "
            "percent points"
        )
    if too_small and figure.percent_cell and not isinstance(figure.stored, str):
        return (
            f"cell {figure.cell} shows {figure.value:.10g}% (it holds {figure.stored:.10g}): if it should be "
            f"{figure.value * 100:.10g}%, enter {figure.stored * 100:.10g}"
        )
    if too_small:
        held = figure.stored.strip() if isinstance(figure.stored, str) else f"{figure.stored:.10g}"
        return (
            f"cell {figure.cell} holds the fraction {held}: format it as a percentage or enter "
            f"{figure.value * 100:.10g}"
        )
    return (
        f"cell {figure.cell} holds {figure.stored:.10g} in a percentage format, so it shows "
        f"{figure.value:.10g}%: enter {figure.stored / 100:.10g} or format it as a number"
    )


def scale_check(kpi_id: str, naming: str, figures: Sequence[Figure]) -> ScaleFinding | None:
    """A percent KPI whose figures and thresholds differ about 100-fold: the warning, and what to correct.

    The figures split at their widest gap; a gap of ``GAP`` times or more is a scale mismatch when the
    small side looks like fractions (all at most 1.5, and one of them shown as a bare number, or a
    percentage-formatted figure whose other period is on the large side: 1.0% in a percentage cell
    shows what it is, unless last month was 88%) or the large side like points read from a
    percentage format (all over 150, and all from percentage-formatted cells). A figure is corrected only
    when it alone is out of scale, at least two others agree with one another, the corrected value lands
    among them, it came from the sheet (never the rules) and its cell format explains the slip: a fraction
    in a cell not formatted as a percentage while another figure of the KPI is, or points in a
    percentage-formatted cell while the others are fractions in percentage-formatted cells.
    """
    known = sorted((f for f in figures if f.value), key=lambda f: abs(f.value))
    if len(known) < 2:
        return None
    if any(f.value == 0 for f in figures if f.name in ("target", "floor")) or (
        min(f.value for f in known) < 0 < max(f.value for f in known)
    ):
        return None  # a variance about zero (a target of 0, figures either side of it): ratios say nothing of scale
    gaps = [abs(known[i + 1].value) / abs(known[i].value) for i in range(len(known) - 1)]
    widest = max(range(len(gaps)), key=gaps.__getitem__)
    if gaps[widest] < GAP:
        return None
    small, large = known[: widest + 1], known[widest + 1 :]
    # A figure read x100 from a percentage-formatted cell shows as the small percentage it is (1.0%): a
    # slip only when the KPI's other period is in the large scale (84% last month, 0.9% now). A figure
    # shown as a bare number (a General cell, text, the rules) can be a fraction slip whatever its company.
    periods = {"current": "previous", "previous": "current"}
    slips = [f for f in small if not f.percent_cell or any(g.name == periods.get(f.name) for g in large)]
    fractions = all(abs(f.value) <= FRACTION_MAX for f in small) and bool(slips)
    inflated = all(f.percent_cell and abs(f.value) > POINTS_MAX for f in large)  # only a % format multiplies by 100
    if not (fractions or inflated):
        return None
    names = ", ".join(f.describe() for f in small) + " against " + ", ".join(f.describe() for f in large)
    message = f"KPI '{kpi_id}'{naming}: its percentages differ about 100-fold: {names}"
    suspects = slips if fractions and not inflated else large if inflated and not fractions else []
    corrected: dict[str, float] = {}
    if suspects:
        advice = "; ".join(_advice(f, too_small=fractions) for f in suspects)
        message += f"; {advice}"
        others = large if fractions else small
        if len(suspects) == 1 and len(others) >= 2:
            odd = suspects[0]
            value = odd.value * 100 if fractions else odd.value / 100
            spread = max(abs(f.value) for f in others) / min(abs(f.value) for f in others)
            lands = min(abs(f.value) for f in others) / AGREE <= abs(value) <= max(abs(f.value) for f in others) * AGREE
            if fractions:
                explained = not odd.from_rules and not odd.percent_cell and any(f.percent_cell for f in others)
            else:
                explained = (
                    not odd.from_rules
                    and odd.percent_cell
                    and abs(odd.stored) > FRACTION_MAX
                    and all(f.percent_cell and abs(f.stored) <= FRACTION_MAX for f in others if not f.from_rules)
                    and any(not f.from_rules for f in others)
                )
            if spread < GAP and lands and explained:
                corrected[odd.name] = float(f"{value:.12g}")
                message += f"; read as {value:.10g}% for this refresh, but correct the cell"
    if not corrected:
        message += "; the KPI is rated as the figures stand, so check it before trusting its colour"
    return ScaleFinding(message, corrected)


def function_scale_unknown(
    who: str, shown: Sequence[tuple[str, float]], percent: str | None, unformatted: bool, percent_unit: bool
) -> str:
    """What a worksheet function returns when its figures and thresholds (``shown``, by argument name)
    differ about 100-fold, so that a percentage's scale is in doubt (SC950). ``percent`` is the rules'
    ``layout.percent`` (None: no rules given); ``unformatted``, whether a figure came without a number
    format (xlwings Lite, a typed number); ``percent_unit``, whether the KPI's unit is percent."""
    if percent is None:
        advice = "give them in one scale (a percentage cell is read in percent points)"
    else:
        advice = "give percent points (95 for 95%)"
        if percent == "format" and unformatted:
            advice += ", or say layout.percent: fraction" + ("" if percent_unit else " and unit: percent")
    figures = ", ".join(f"{name} {value:g}" for name, value in shown)
    return f"#VALUE! {who}: {figures} differ about 100-fold, so the scale is not known: {advice} ({SCALE_UNKNOWN})"


def share_problem(value: float, kpi_id: str, why: str) -> str | None:
    """A share of a whole must lie within 0-100%."""
    if 0 <= value <= 100:
        return None
    what = "over 100%" if value > 100 else "negative"
    return f"{value:g}% is {what}, but KPI '{kpi_id}' is a share of a whole ({why}); check the figure"


def ratio_problem(
    figure: float, numerator: float, denominator: float, decimals: int, cells: tuple[str, str], kpi_id: str
) -> str | None:
    """The figure must equal numerator / denominator x 100 at the precision it is shown."""
    if denominator == 0 or not math.isfinite(numerator / denominator):
        return None
    expected = numerator / denominator * 100
    if displayed(expected, decimals) == displayed(figure, decimals):
        return None
    shown, worked = displayed(figure, decimals), displayed(expected, decimals)
    return (
        f"KPI '{kpi_id}' shows {shown}% but numerator {cells[0]} / denominator {cells[1]} = "
        f"{numerator:g} / {denominator:g} = {worked}%; correct the figure or the counts"
    )
