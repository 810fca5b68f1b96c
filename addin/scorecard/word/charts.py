"""An XmR chart as Making Data Count draws one: the points, the mean, the process limits, the
target, and special-cause points coloured by what they mean (improvement blue, concern orange,
neither purple; common cause grey). The colours are MDC's, as NHSRplotthedots gives them.

matplotlib is an optional extra (``pip install scorecard[charts]``), imported only when a chart
is drawn; ``available()`` says whether it is there, so the report can say how to get the charts.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from ..core.model import Polarity
from ..core.spc import Spc

COMMON = "#7B7D7D"
IMPROVEMENT = "#289DE0"
CONCERN = "#FAB428"
NEITHER = "#361475"
TARGET = "#DE1B1B"
INSTALL_HINT = "pip install scorecard[charts]"


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


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


def xmr_chart(
    spc: Spc,
    polarity: Polarity | None,
    *,
    title: str,
    labels: Sequence[str],
    target: float | None = None,
    width_cm: float = 16.0,
    height_cm: float = 6.5,
) -> bytes:
    """The chart as PNG bytes; ``labels`` name the points (the periods), oldest first."""
    import matplotlib

    matplotlib.use("Agg")  # no screen: draw to memory
    from matplotlib import pyplot as plt

    if spc.mean is None:
        raise ValueError(f"no limits to draw: {spc.reason}")
    values = [s.value for s in spc.signals]
    x = list(range(len(values)))
    figure, axes = plt.subplots(figsize=(width_cm / 2.54, height_cm / 2.54), dpi=150)
    try:
        axes.plot(x, values, color=COMMON, linewidth=1.2, zorder=1)
        axes.scatter(x, values, c=point_colours(spc, polarity), s=22, zorder=2, edgecolors="none")
        axes.axhline(spc.mean, color=COMMON, linewidth=1.0)
        for limit in (spc.lower, spc.upper):
            if limit is not None:  # set with the mean
                axes.axhline(limit, color=COMMON, linewidth=0.9, linestyle="--")
        if target is not None:
            axes.axhline(target, color=TARGET, linewidth=1.0, linestyle=":", label="target")
        axes.set_title(title, fontsize=9, loc="left")
        step = max(1, len(x) // 12)
        axes.set_xticks(
            x[::step], [labels[i] if i < len(labels) else "" for i in x[::step]], fontsize=7, rotation=45, ha="right"
        )
        axes.tick_params(axis="y", labelsize=7)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(figure)
