"""RAG and direction of travel, at every boundary, on plain numbers."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecard.core.engine import direction, displayed, evaluate, rate
from scorecard.core.model import Direction, Kpi, Period, Polarity, Rag

H, L, T = Polarity.HIGHER, Polarity.LOWER, Polarity.TARGET


def kpi(polarity=H, target=85.0, floor=75.0, current=None, previous=None, **kw) -> Kpi:
    return Kpi(
        id="K1", name="Test", polarity=polarity, current=current, previous=previous, target=target, floor=floor, **kw
    )


@pytest.mark.parametrize(
    "value, expected",
    [(90, Rag.GREEN), (85.0, Rag.GREEN), (84.9, Rag.AMBER), (75.0, Rag.AMBER), (74.9, Rag.RED), (0, Rag.RED)],
)
def test_higher_is_better_bands(value, expected):
    assert rate(value, kpi(H)) is expected


@pytest.mark.parametrize(
    "value, expected",
    [(14, Rag.GREEN), (15.0, Rag.GREEN), (15.1, Rag.AMBER), (18.0, Rag.AMBER), (18.1, Rag.RED)],
)
def test_lower_is_better_is_the_mirror(value, expected):
    assert rate(value, kpi(L, target=15, floor=18)) is expected


def test_displayed_precision_decides_the_boundary():
    # 84.95 is shown as 85.0 at one decimal: it meets an 85% target as a reader sees it
    assert rate(84.95, kpi(H, decimals=1)) is Rag.GREEN
    assert rate(84.94, kpi(H, decimals=1)) is Rag.AMBER
    # compare: exact uses the raw value
    assert rate(84.95, kpi(H, decimals=1, compare="exact")) is Rag.AMBER


def test_rounding_is_half_up_on_the_decimal_text_not_binary():
    assert displayed(0.125, 2) == displayed(0.13, 2)  # banker's rounding would give 0.12
    assert str(displayed(2.675, 2)) == "2.68"  # binary float is 2.67499999...; Excel shows 2.68
    assert str(displayed(-0.05, 1)) == "-0.1"


@pytest.mark.parametrize(
    "value, expected",
    [
        (50, Rag.GREEN),
        (52, Rag.GREEN),
        (48, Rag.GREEN),
        (52.1, Rag.AMBER),
        (55, Rag.AMBER),
        (45, Rag.AMBER),
        (55.1, Rag.RED),
        (44.9, Rag.RED),
    ],
)
def test_target_polarity_is_two_sided(value, expected):
    assert rate(value, kpi(T, target=50, floor=None, green_within=2, amber_within=5)) is expected


def test_target_polarity_uses_the_floor_distance_when_no_amber_band():
    k = kpi(T, target=50, floor=45)
    assert rate(50, k) is Rag.GREEN
    assert rate(45, k) is Rag.AMBER  # exactly on the floor is Amber
    assert rate(55, k) is Rag.AMBER  # the same distance on the other side
    assert rate(55.1, k) is Rag.RED


def test_no_target_and_no_floor_is_not_rated():
    assert rate(12, kpi(H, target=None, floor=None)) is Rag.NOT_RATED
    assert rate(None, kpi(H, target=None, floor=None)) is Rag.NOT_RATED


def test_missing_value_is_no_data():
    assert rate(None, kpi(H)) is Rag.NO_DATA


def test_target_without_floor_has_no_amber_band_and_floor_without_target_no_green():
    assert rate(84, kpi(H, floor=None)) is Rag.RED
    assert rate(85, kpi(H, floor=None)) is Rag.GREEN
    assert rate(80, kpi(H, target=None)) is Rag.AMBER
    assert rate(70, kpi(H, target=None)) is Rag.RED


@pytest.mark.parametrize(
    "polarity, previous, current, expected",
    [
        (H, 46.0, 48.4, Direction.IMPROVED),
        (H, 84.3, 84.2, Direction.DECLINED),
        (H, 11.2, 11.2, Direction.SAME),
        (H, 11.24, 11.16, Direction.SAME),  # both shown as 11.2
        (L, 17.0, 15.8, Direction.IMPROVED),
        (L, 15.8, 17.0, Direction.DECLINED),
    ],
)
def test_direction_by_polarity_at_displayed_precision(polarity, previous, current, expected):
    assert (
        direction(
            kpi(
                polarity,
                target=15 if polarity is L else 85,
                floor=18 if polarity is L else 75,
                current=current,
                previous=previous,
            )
        )
        is expected
    )


def test_direction_for_target_polarity_is_closeness():
    k = dict(polarity=T, target=50, floor=None, green_within=2, amber_within=5)
    assert direction(kpi(current=51, previous=54, **k)) is Direction.IMPROVED
    assert direction(kpi(current=46, previous=53, **k)) is Direction.DECLINED
    assert direction(kpi(current=48, previous=52, **k)) is Direction.SAME  # as close, other side


def test_activity_indicators_increase_or_decrease():
    base = dict(polarity=None, target=None, floor=None)
    assert direction(kpi(current=10, previous=8, **base)) is Direction.INCREASED
    assert direction(kpi(current=8, previous=10, **base)) is Direction.DECREASED
    assert direction(kpi(current=8, previous=8, **base)) is Direction.SAME


def test_no_direction_when_a_value_is_missing():
    assert direction(kpi(current=None, previous=80)) is None
    assert direction(kpi(current=80, previous=None)) is None


def test_changes_only_between_ratings():
    kpis = [
        dataclasses.replace(kpi(current=100, previous=93.9, target=100, floor=90), id="A"),  # Amber -> Green
        dataclasses.replace(kpi(current=None, previous=93.9), id="B"),  # no data now: not a change
        dataclasses.replace(kpi(current=80, previous=None), id="C"),  # no data before: not a change
        dataclasses.replace(kpi(current=80, previous=81), id="D"),  # Amber both: not a change
    ]
    card = evaluate(kpis, title="t", period=Period("June 2018", "May 2018"))
    assert [(k.kpi.id, k.previous_rag, k.rag) for k in card.changes] == [("A", Rag.AMBER, Rag.GREEN)]
    assert card.counts == {"Green": 1, "Amber": 2, "Red": 0, "No data": 1, "Not rated": 0}


# --- properties -----------------------------------------------------------------------------------

ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
decimals = st.integers(min_value=0, max_value=4)


@st.composite
def thresholds(draw, polarity):
    a, b = sorted([draw(finite), draw(finite)])
    return (b, a) if polarity is H else (a, b)  # (target, floor): floor on the bad side


@pytest.mark.slow
@given(data=st.data(), polarity=st.sampled_from([H, L]), d=decimals, a=finite, b=finite)
def test_a_better_value_never_gives_a_worse_rag(data, polarity, d, a, b):
    target, floor = data.draw(thresholds(polarity))
    k = kpi(polarity, target=target, floor=floor, decimals=d)
    worse, better = (min(a, b), max(a, b)) if polarity is H else (max(a, b), min(a, b))
    assert ORDER[rate(better, k)] >= ORDER[rate(worse, k)]


@given(target=finite, floor_gap=st.floats(min_value=0, max_value=1e3), a=finite, b=finite, d=decimals)
def test_closer_to_target_never_gives_a_worse_rag(target, floor_gap, a, b, d):
    k = kpi(T, target=target, floor=target - floor_gap, decimals=d)
    closer, further = sorted([a, b], key=lambda v: abs(displayed(v, d) - displayed(target, d)))
    assert ORDER[rate(closer, k)] >= ORDER[rate(further, k)]


@pytest.mark.slow
@given(data=st.data(), polarity=st.sampled_from([H, L, T]), d=decimals, now=finite, before=finite)
def test_direction_agrees_with_the_ratings(data, polarity, d, now, before):
    target, floor = data.draw(thresholds(H if polarity is T else polarity))
    k = kpi(polarity, target=target, floor=floor, decimals=d, current=now, previous=before)
    moved = direction(k)
    if moved is Direction.SAME:
        assert rate(now, k) is rate(before, k)
    elif moved is Direction.IMPROVED:
        assert ORDER[rate(now, k)] >= ORDER[rate(before, k)]
    else:
        assert ORDER[rate(now, k)] <= ORDER[rate(before, k)]


@given(d=decimals, value=finite)
def test_on_the_target_is_green_and_on_the_floor_is_amber(d, value):
    assert rate(value, kpi(H, target=value, floor=value - 10**-d * 5, decimals=d)) is Rag.GREEN
    assert rate(value, kpi(H, target=value + 10**-d * 5, floor=value, decimals=d)) is Rag.AMBER
