"""SPC as Making Data Count does it, on series worked by hand.

Most series start from the same baseline of 14 points alternating 12 and 10 (limits from those
points only, ``baseline: 14``): mean 11, every moving range 2, so mean moving range 2 and
limits 11 +- 2.66 x 2 = 5.68 to 16.32; two sigma is 11 +- 2/3 x 5.32 = 7.4533 to 14.5467.
The points after the baseline are chosen so that exactly one rule fires.
"""

from __future__ import annotations

import pytest

from scorecard.core.model import Polarity
from scorecard.core.spc import Assurance, Rule, SpcSettings, Variation, analyse

BASE = [12.0, 10.0] * 7  # mean 11, mean moving range 2; the last point is below the mean
ON_BASE = SpcSettings(baseline=14, min_points=15)


def test_baseline_limits_by_hand():
    spc = analyse(BASE + [11.0], Polarity.HIGHER, settings=ON_BASE)
    assert spc.points == 15
    assert spc.mean == pytest.approx(11.0)
    assert spc.lower == pytest.approx(5.68) and spc.upper == pytest.approx(16.32)
    assert spc.variation is Variation.COMMON_CAUSE and spc.rules == ()


def test_limits_from_all_points_by_hand():
    # 8 fives and 7 sevens: mean 89/15 = 5.9333, moving range 2 throughout
    spc = analyse([5.0, 7.0] * 7 + [5.0], Polarity.HIGHER, target=6.0)
    assert spc.mean == pytest.approx(89 / 15)
    assert spc.upper == pytest.approx(89 / 15 + 5.32) and spc.lower == pytest.approx(89 / 15 - 5.32)
    assert spc.variation is Variation.COMMON_CAUSE
    assert spc.assurance is Assurance.HIT_AND_MISS


@pytest.mark.parametrize(
    "polarity, expected",
    [
        (Polarity.HIGHER, Variation.IMPROVEMENT),
        (Polarity.LOWER, Variation.CONCERN),
        (None, Variation.NEITHER),
        (Polarity.TARGET, Variation.NEITHER),
    ],
)
def test_a_point_above_the_upper_limit(polarity, expected):
    spc = analyse(BASE + [17.0], polarity, settings=ON_BASE)
    assert spc.rules == (Rule.OUTSIDE,)
    assert spc.variation is expected


def test_a_point_below_the_lower_limit_on_lower_is_better():
    spc = analyse(BASE + [5.0], Polarity.LOWER, settings=ON_BASE)
    assert spc.rules == (Rule.OUTSIDE,) and spc.variation is Variation.IMPROVEMENT


def test_points_exactly_on_a_limit_are_inside():
    # 16.32 and 5.68 are the limits themselves; neither is beyond two sigma twice in three
    for point in (16.32, 5.68):
        spc = analyse(BASE + [point], Polarity.HIGHER, settings=ON_BASE)
        assert Rule.OUTSIDE not in spc.rules


def test_a_shift_of_seven_points_above_the_mean():
    spc = analyse(BASE + [11.5] * 7, Polarity.HIGHER, settings=ON_BASE)
    assert spc.rules == (Rule.SHIFT,) and spc.variation is Variation.IMPROVEMENT


def test_six_points_are_no_shift_unless_the_run_length_is_six():
    assert analyse(BASE + [11.5] * 6, Polarity.HIGHER, settings=ON_BASE).variation is Variation.COMMON_CAUSE
    six = SpcSettings(baseline=14, min_points=15, run_length=6)
    assert analyse(BASE + [11.5] * 6, Polarity.HIGHER, settings=six).rules == (Rule.SHIFT,)


def test_a_point_on_the_mean_breaks_a_shift():
    spc = analyse(BASE + [11.5] * 3 + [11.0] + [11.5] * 3, Polarity.HIGHER, settings=ON_BASE)
    assert spc.variation is Variation.COMMON_CAUSE


def test_a_trend_of_seven_rising_points_crossing_the_mean():
    # 9.8 10.2 10.6 11.0 11.4 11.8 12.2: six rises; sides - - - 0 + + +, so no shift
    rising = [9.8, 10.2, 10.6, 11.0, 11.4, 11.8, 12.2]
    spc = analyse(BASE + rising, Polarity.LOWER, settings=ON_BASE)
    assert spc.rules == (Rule.TREND,) and spc.variation is Variation.CONCERN
    assert (
        analyse(BASE + rising[:6], Polarity.LOWER, settings=ON_BASE).variation is Variation.COMMON_CAUSE
    )  # five rises


def test_an_equal_pair_breaks_a_trend():
    spc = analyse(BASE + [9.8, 10.2, 10.6, 10.6, 11.4, 11.8, 12.2], Polarity.HIGHER, settings=ON_BASE)
    assert Rule.TREND not in spc.rules


def test_two_of_three_beyond_two_sigma():
    # 15 is beyond 14.5467 but inside 16.32; 11 sits on the mean between them
    spc = analyse(BASE + [15.0, 11.0, 15.0], Polarity.HIGHER, settings=ON_BASE)
    assert spc.rules == (Rule.TWO_OF_THREE,) and spc.variation is Variation.IMPROVEMENT
    one = analyse(BASE + [15.0, 11.0, 11.0, 15.0], Polarity.HIGHER, settings=ON_BASE)
    assert one.variation is Variation.COMMON_CAUSE


def test_two_of_three_on_opposite_sides_is_nothing():
    spc = analyse(BASE + [15.0, 7.0], Polarity.HIGHER, settings=ON_BASE)
    assert spc.variation is Variation.COMMON_CAUSE


def test_both_improvement_and_concern_counts_as_improvement():
    # seven points above the mean (a high shift), each lower than the one before (a falling trend)
    falling = [14.0, 13.5, 13.0, 12.5, 12.0, 11.8, 11.6]
    for polarity in (Polarity.HIGHER, Polarity.LOWER):
        spc = analyse(BASE + falling, polarity, settings=ON_BASE)
        assert set(spc.rules) == {Rule.SHIFT, Rule.TREND}
        assert spc.variation is Variation.IMPROVEMENT


@pytest.mark.parametrize(
    "target, polarity, expected",
    [
        (20.0, Polarity.HIGHER, Assurance.FAIL),
        (5.0, Polarity.HIGHER, Assurance.PASS),
        (20.0, Polarity.LOWER, Assurance.PASS),
        (5.0, Polarity.LOWER, Assurance.FAIL),
        (12.0, Polarity.HIGHER, Assurance.HIT_AND_MISS),
        (16.32, Polarity.HIGHER, Assurance.HIT_AND_MISS),
        (None, Polarity.HIGHER, None),
        (12.0, None, None),
        (12.0, Polarity.TARGET, None),
    ],
)
def test_assurance_is_the_target_against_the_limits(target, polarity, expected):
    assert analyse(BASE + [11.0], polarity, target, settings=ON_BASE).assurance is expected


def test_too_few_points_give_no_limits_and_say_why():
    spc = analyse([10.0, 12.0] * 7, Polarity.HIGHER, 11.0)
    assert spc.points == 14 and spc.mean is None and spc.variation is None and spc.assurance is None
    assert spc.reason == "14 points, fewer than the 15 needed for limits"
    assert spc.as_dict()["variation"] is None


def test_missing_points_are_left_out():
    spc = analyse(BASE[:7] + [None] + BASE[7:] + [17.0], Polarity.HIGHER, settings=ON_BASE)
    assert spc.points == 15 and spc.rules == (Rule.OUTSIDE,)


def test_the_json_shape():
    assert analyse(BASE + [17.0], Polarity.HIGHER, 12.0, settings=ON_BASE).as_dict() == {
        "points": 15,
        "mean": pytest.approx(11.0),
        "lower": pytest.approx(5.68),
        "upper": pytest.approx(16.32),
        "variation": "improvement",
        "assurance": "hit and miss",
        "rules": ["outside limits"],
        "reason": None,
        "recalculated_from": None,
    }


def test_signals_mark_every_point_of_a_run_for_charts():
    spc = analyse(BASE + [11.5] * 7, Polarity.HIGHER, settings=ON_BASE)
    assert [s.special for s in spc.signals] == [False] * 14 + [True] * 7


@pytest.mark.parametrize("bad", [{"min_points": 1}, {"run_length": 1}, {"baseline": 1}])
def test_settings_are_checked(bad):
    with pytest.raises(ValueError):
        SpcSettings(**bad)


# --- screening outlier moving ranges, and recalculating after a sustained shift --------------------------------

# 24 months near 10 with one freak month of 40 in the fifth: the freak makes two moving ranges of about 30
OUTLIER = [10.0, 11.0, 9.0, 10.0, 40.0, 10.0, 11.0, 9.0, 10.0, 11.0, 9.0, 10.0] + [10.0, 11.0, 9.0, 10.0] * 3


def test_screening_leaves_the_freak_moving_ranges_out_of_the_limits():
    plain = analyse(OUTLIER, Polarity.LOWER)
    screened = analyse(OUTLIER, Polarity.LOWER, settings=SpcSettings(screen_outliers=True))
    # by hand: 23 moving ranges; 30 + 30 from the freak, the other 21 (0s, 1s and 2s) sum to 24: mean 84/23 =
    # 3.652; 3.267 x 3.652 = 11.9, so the two 30s are screened out and the average is 24/21 = 1.143
    moving = [abs(b - a) for a, b in zip(OUTLIER, OUTLIER[1:], strict=False)]
    assert sum(moving) == 84 and len(moving) == 23
    mean = sum(OUTLIER) / 24
    assert plain.upper == pytest.approx(mean + 2.66 * 84 / 23)
    assert screened.upper == pytest.approx(mean + 2.66 * 24 / 21) and screened.sections[0].screened == 2
    assert screened.upper - screened.mean < (plain.upper - plain.mean) / 3  # the freak no longer widens them


def test_a_freak_month_does_not_colour_the_ordinary_months_once_limits_are_recalculated():
    """The freak lifts the mean (11.25) above every ordinary month: 19 months in a row below it read as a
    shift, a special cause improvement on a lower-is-better KPI. Recalculated from the shift's first point,
    the 19 ordinary months have limits of their own and the latest is common cause."""
    plain = analyse(OUTLIER, Polarity.LOWER)
    assert plain.variation is Variation.IMPROVEMENT and plain.rules == (Rule.SHIFT,)
    assert sum(1 for s in plain.signals if s.special) >= 19
    recalc = analyse(OUTLIER, Polarity.LOWER, settings=SpcSettings(recalc="after_shift", screen_outliers=True))
    assert [s.start for s in recalc.sections] == [0, 5]
    ordinary = OUTLIER[5:]
    assert recalc.mean == pytest.approx(sum(ordinary) / len(ordinary))
    assert recalc.variation is Variation.COMMON_CAUSE and recalc.since == 5
    assert not any(s.special for s in recalc.signals[5:])
    assert recalc.as_dict()["recalculated_from"] == 5


def test_no_recalculation_before_the_shift_has_lasted_min_points():
    # the shift of 7 begins 8 points from the end: fewer than the 15 new limits need
    series = BASE + [11.5] * 8
    spc = analyse(series, Polarity.HIGHER, settings=SpcSettings(min_points=15, recalc="after_shift"))
    assert len(spc.sections) == 1 and spc.since == 0


def test_recalc_is_checked():
    with pytest.raises(ValueError):
        SpcSettings(recalc="always")  # type: ignore[arg-type]
