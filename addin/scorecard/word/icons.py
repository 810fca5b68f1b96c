"""Making Data Count's variation and assurance icons, drawn here (matplotlib, no copied artwork).

As MDC draws them in spirit: a ring in the verdict's colour (blue improvement, orange concern, purple a
change with no good side, grey common cause and hit and miss). So that no meaning rests on colour alone,
each carries a letter or shape too: H or L (the side of a special cause) over a run of dots that climbs or
falls, a flat run for common cause; P (pass), F (fail) or a wavy line through the target (hit and miss). The
table prints the verdict's word under each icon and the picture's alt text says it in full.
"""

from __future__ import annotations

import io
from functools import lru_cache

from ..core.spc import Assurance, Variation
from .charts import COMMON, CONCERN, IMPROVEMENT, NEITHER, TARGET, use_agg

COLOURS = {
    Variation.IMPROVEMENT: IMPROVEMENT,
    Variation.CONCERN: CONCERN,
    Variation.NEITHER: NEITHER,
    Variation.COMMON_CAUSE: COMMON,
    Assurance.PASS: IMPROVEMENT,
    Assurance.FAIL: CONCERN,
    Assurance.HIT_AND_MISS: COMMON,
}


def _draw(colour: str, letter: str, dots: list[float] | None, target: bool = False) -> bytes:
    plt = use_agg()
    figure = plt.figure(figsize=(0.5, 0.5), dpi=160)
    axes = figure.add_axes((0, 0, 1, 1))
    try:
        axes.set_xlim(-1.1, 1.1)
        axes.set_ylim(-1.1, 1.1)
        axes.set_aspect("equal")
        axes.axis("off")
        axes.add_patch(plt.Circle((0, 0), 0.95, facecolor="white", edgecolor=colour, linewidth=2.6))
        if letter:
            axes.text(0, 0.3, letter, ha="center", va="center", fontsize=10, fontweight="bold", color=colour)
        if dots is not None:
            xs = [-0.55 + 0.22 * i for i in range(len(dots))]
            axes.plot(xs, dots, color=COMMON, linewidth=0.8)
            axes.scatter(xs, dots, s=5, color=[COMMON] * (len(dots) - 2) + [colour] * 2, zorder=3)
        if target:  # hit and miss: the target's line runs through the process's variation
            axes.plot([-0.6, 0.6], [-0.15, -0.15], color=TARGET, linewidth=1.2, linestyle="--")
            xs = [-0.55 + 0.22 * i for i in range(6)]
            wave = [-0.45, 0.1, -0.5, 0.15, -0.4, 0.05]
            axes.plot(xs, wave, color=COMMON, linewidth=0.9)
        out = io.BytesIO()
        figure.savefig(out, format="png", transparent=False, facecolor="white")
        return out.getvalue()
    finally:
        plt.close(figure)


@lru_cache(maxsize=16)
def variation_icon(variation: Variation, side: int) -> bytes:
    """The variation icon: ``side`` +1 for a special cause high, -1 low (0 for common cause)."""
    colour = COLOURS[variation]
    if variation is Variation.COMMON_CAUSE:
        return _draw(colour, "", [-0.35, -0.2, -0.4, -0.25, -0.35, -0.3])
    rising = [-0.7, -0.6, -0.5, -0.35, -0.15, 0.0] if side >= 0 else [0.0, -0.15, -0.35, -0.5, -0.6, -0.7]
    return _draw(colour, {1: "H", -1: "L"}.get(side, ""), rising)


@lru_cache(maxsize=8)
def assurance_icon(assurance: Assurance) -> bytes:
    colour = COLOURS[assurance]
    if assurance is Assurance.HIT_AND_MISS:
        return _draw(colour, "?", None, target=True)
    return _draw(colour, "P" if assurance is Assurance.PASS else "F", None)
