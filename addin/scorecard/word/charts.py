"""An XmR chart as NHS England's Making Data Count draws one: the figures over time, the mean solid and
dark, the process limits dashed and labelled, the target in red and dash-dotted so it is never taken for a
limit, special-cause points coloured by what they mean (improvement blue, concern orange, neither purple;
common cause grey) and given their own marker shape, so the meaning does not rest on colour alone. Titled
with the KPI's name, a legend beneath, the axis in the KPI's unit. Limits recalculated after a sustained
shift (``spc.recalc``) are drawn as steps, one stretch each.

matplotlib is an optional extra (``pip install scorecard[charts]``), imported only when a chart
is drawn; ``available()`` says whether it is there, so the report can say how to get the charts.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from ..core.model import Polarity
from ..core.spc import Limits, Spc

if TYPE_CHECKING:
    from matplotlib.axes import Axes

COMMON = "#7B7D7D"
IMPROVEMENT = "#289DE0"
CONCERN = "#FAB428"
NEITHER = "#361475"
TARGET = "#DE1B1B"
MEAN = "#231F20"
INSTALL_HINT = "pip install scorecard[charts]"
FONTS = ["Arial", "Liberation Sans", "Helvetica", "DejaVu Sans"]
# the marker of each kind of point, so the kinds differ in shape as well as colour
MARKERS = {COMMON: "o", IMPROVEMENT: "D", CONCERN: "s", NEITHER: "^"}
NAMES = {
    COMMON: "Common cause",
    IMPROVEMENT: "Special cause improvement",
    CONCERN: "Special cause concern",
    NEITHER: "Special cause (no good side)",
}


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


_FONTS_ADDED: list[bool] = []


def _add_system_fonts() -> None:
    """Make Arial or its metric twin Liberation Sans known to matplotlib even when its font cache was built
    before they were installed (a stale cache otherwise falls back to DejaVu Sans); once per process."""
    if _FONTS_ADDED:
        return
    from matplotlib import font_manager

    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts():
        name = Path(path).name.lower()
        if name.startswith(("arial", "liberationsans-")) and path not in known:
            font_manager.fontManager.addfont(path)
    _FONTS_ADDED.append(True)


def use_agg() -> ModuleType:
    """pyplot on the Agg backend (no screen: draw to memory), with a sans-serif font."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    _add_system_fonts()
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = FONTS
    return plt


def point_colours(spc: Spc, polarity: Polarity | None) -> list[str]:
    """Each point's colour: by the side of its special cause against the KPI's good side."""
    good = {Polarity.HIGHER: 1, Polarity.LOWER: -1}.get(polarity, 0) if polarity else 0
    colours = []
    for signal in spc.signals:
        if not signal.special:
            colours.append(COMMON)
        elif not good:
            colours.append(NEITHER)
        else:
            colours.append(IMPROVEMENT if good in set(signal.rules.values()) else CONCERN)
    return colours


def _plain(value: float) -> str:
    return f"{value:,.1f}"


def _axis_formatter(unit: str) -> Callable[[float, object], str]:
    if unit == "percent":
        return lambda v, _: f"{v:g}%"
    if unit == "pounds":
        return lambda v, _: f"-£{-v:,.0f}" if v < 0 else f"£{v:,.0f}"
    return lambda v, _: f"{v:,g}"


def _stretches(spc: Spc, points: int) -> list[tuple[Limits, int]]:
    """Each stretch of limits and the index of its last point."""
    sections = list(spc.sections) or [Limits(0, spc.mean or 0.0, spc.lower or 0.0, spc.upper or 0.0)]
    ends = [s.start - 1 for s in sections[1:]] + [points - 1]
    return list(zip(sections, ends, strict=True))


def _label_lines(axes: Axes, labelled: list[tuple[float, str, str]]) -> None:
    """Each line's label just right of the plot, level with its line, nudged apart so none overlap."""
    from matplotlib.transforms import blended_transform_factory

    low, high = axes.get_ylim()
    gap = (high - low) * 0.075  # about one label's height
    placed: list[float] = []
    for value, text, colour in sorted(labelled, key=lambda item: item[0]):
        y = max(value, placed[-1] + gap) if placed else value
        placed.append(y)
        axes.text(
            1.01,
            y,
            text,
            transform=blended_transform_factory(axes.transAxes, axes.transData),
            fontsize=6.5,
            va="center",
            ha="left",
            color=colour,
            clip_on=False,
        )


def xmr_chart(
    spc: Spc,
    polarity: Polarity | None,
    *,
    title: str,
    labels: Sequence[str],
    target: float | None = None,
    width_cm: float = 16.0,
    height_cm: float = 8.0,
    unit: str = "number",
    axis_label: str = "",
    fmt: Callable[[float], str] = _plain,
    target_fmt: Callable[[float], str] | None = None,
) -> bytes:
    """The chart as PNG bytes; ``labels`` name the points (the periods), oldest first; ``fmt`` writes a
    figure in the KPI's unit for the labels of the mean and the limits, ``target_fmt`` for the target's."""
    target_fmt = target_fmt or fmt
    if spc.mean is None or spc.lower is None or spc.upper is None:
        raise ValueError(f"no limits to draw: {spc.reason}")
    plt = use_agg()
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter

    values = [s.value for s in spc.signals]
    x = list(range(len(values)))
    colours = point_colours(spc, polarity)
    figure, axes = plt.subplots(figsize=(width_cm / 2.54, height_cm / 2.54), dpi=200)
    try:
        axes.plot(x, values, color=COMMON, linewidth=1.1, zorder=2)
        for colour in dict.fromkeys(colours):
            at = [i for i, c in enumerate(colours) if c == colour]
            axes.scatter(
                at, [values[i] for i in at], color=colour, marker=MARKERS[colour], s=20, zorder=3, edgecolors="none"
            )
        for stretch, end in _stretches(spc, len(values)):
            span = [stretch.start - 0.4, end + 0.4]
            axes.plot(span, [stretch.mean] * 2, color=MEAN, linewidth=1.3, zorder=1)
            for limit in (stretch.lower, stretch.upper):
                axes.plot(span, [limit] * 2, color=COMMON, linewidth=1.0, linestyle=(0, (4, 3)), zorder=1)
        labelled = [(spc.upper, f"Upper process limit {fmt(spc.upper)}", MEAN)]
        labelled += [
            (spc.mean, f"Mean {fmt(spc.mean)}", MEAN),
            (spc.lower, f"Lower process limit {fmt(spc.lower)}", MEAN),
        ]
        handles = [
            Line2D([], [], color=c, marker=MARKERS[c], linestyle="none", markersize=4, label=NAMES[c])
            for c in dict.fromkeys(colours)
        ]
        handles += [
            Line2D([], [], color=MEAN, linewidth=1.3, label="Mean"),
            Line2D([], [], color=COMMON, linewidth=1.0, linestyle=(0, (4, 3)), label="Process limits"),
        ]
        if target is not None:
            axes.axhline(target, color=TARGET, linewidth=1.4, linestyle="-.", zorder=1)
            labelled.append((target, f"Target {target_fmt(target)}", TARGET))
            handles.append(Line2D([], [], color=TARGET, linewidth=1.4, linestyle="-.", label="Target"))
        axes.set_title("\n".join(textwrap.wrap(title, 80)), fontsize=8.5, loc="left", fontweight="bold")
        step = max(1, -(-len(x) // 12))
        ticks = x[::-step][::-1]  # counted back from the latest point, which is always labelled
        axes.set_xticks(
            ticks, [labels[i] if i < len(labels) else "" for i in ticks], fontsize=6.5, rotation=45, ha="right"
        )
        axes.set_xlim(-0.8, len(values) - 0.2)
        axes.yaxis.set_major_formatter(FuncFormatter(_axis_formatter(unit)))
        axes.tick_params(axis="y", labelsize=6.5)
        if axis_label:
            axes.set_ylabel(axis_label, fontsize=7)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.legend(handles=handles, loc="lower center", ncol=min(len(handles), 4), fontsize=6.5, frameon=False)
        figure.tight_layout(rect=(0, 0.12 if len(handles) <= 4 else 0.17, 0.8, 1))
        _label_lines(axes, labelled)
        out = io.BytesIO()
        figure.savefig(out, format="png", metadata={"Software": None})
        return out.getvalue()
    finally:
        plt.close(figure)
