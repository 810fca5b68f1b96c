"""``units.within_scale``: the quick test that lets a table skip gathering a KPI's scale evidence.

It must never skip a KPI that ``scale_check`` would flag: checked here over generated figures of every
kind (cells of any format, text, the rules' lines, zeros, negatives), including figures just either
side of the 20-fold gap.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecard.core.units import GAP, Figure, scale_check, within_scale

NAMES = ["current", "previous", "target", "floor", "England benchmark"]
FORMATS = ["General", "0.0%", "0%", "0.0", "#,##0", None]


@st.composite
def figures(draw):
    count = draw(st.integers(min_value=0, max_value=5))
    base = draw(st.floats(min_value=1e-4, max_value=1e4, allow_nan=False, allow_infinity=False))
    out = []
    for i in range(count):
        factor = draw(
            st.one_of(
                st.floats(min_value=0.01, max_value=200),
                st.sampled_from([0.0, 1.0, GAP, GAP * 0.999, GAP * 1.001, 1 / GAP, 100.0, 0.01]),
            )
        )
        value = base * factor * draw(st.sampled_from([1, 1, -1]))
        how = draw(st.sampled_from(["cell", "percent-cell", "text", "rules"]))
        if how == "rules":
            out.append(Figure(NAMES[i], value, line=3 + i))
        elif how == "text":
            out.append(Figure(NAMES[i], value, cell=f"C{i + 2}", stored=f"{value}", number_format="General"))
        else:
            percent = how == "percent-cell"
            out.append(
                Figure(
                    NAMES[i],
                    value,
                    cell=f"C{i + 2}",
                    stored=value / 100 if percent else value,
                    number_format="0.0%" if percent else draw(st.sampled_from(FORMATS)),
                    percent_cell=percent,
                )
            )
    return out


@pytest.mark.slow
@settings(max_examples=1500, deadline=None)
@given(found=figures())
def test_figures_within_scale_are_never_flagged(found):
    if within_scale([f.value for f in found]):
        assert scale_check("K1", "sheet 'S', row 2", found) is None


def test_within_scale_by_hand():
    assert (
        within_scale([]) and within_scale([85.0]) and within_scale([0.0, 0.0, 85.0])
    )  # fewer than two figures that are not zero
    assert within_scale([85.0, 75.0, 88.0, 5.0])  # 17.6-fold
    assert not within_scale([85.0, 75.0, 0.88])  # a fraction among points
    assert not within_scale([4.0, 80.0])  # exactly 20-fold
    assert within_scale([-40.0, 3.0, 0.0])  # sizes: 13.3-fold
    assert not within_scale([-0.5, 85.0])


def test_a_flagged_kpi_is_never_within_scale():
    """The other side: the KPIs the scale check exists for are all gathered for it."""
    slip = [
        Figure("current", 0.71, cell="F2", stored=0.71, number_format="General"),
        Figure("target", 75.0, cell="D2", stored=0.75, number_format="0%", percent_cell=True),
        Figure("floor", 65.0, cell="E2", stored=0.65, number_format="0%", percent_cell=True),
    ]
    assert scale_check("K1", "here", slip) is not None
    assert not within_scale([f.value for f in slip])
