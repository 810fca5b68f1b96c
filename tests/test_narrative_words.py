"""The narrative's words against the figures, on scorecards made by hand: a number supports its sentence,
the legend says what the KPIs have, a first return has no direction, a running total is judged against its
profile, a fact is said once, and commentary the figures contradict is held back or flagged."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from scorecard.core.engine import evaluate
from scorecard.core.model import Kpi, Period, Polarity
from scorecard.core.narrative import legend, write_narrative
from scorecard.core.paper import Paper
from scorecard.core.spc import SpcSettings

H, L, T = Polarity.HIGHER, Polarity.LOWER, Polarity.TARGET
JUNE = Period("June 2018", "May 2018")
MONTHS = [
    f"{m} {y}"
    for y in (2017, 2018)
    for m in "January February March April May June July August September October November December".split()
]


def kpi(id, current, previous, target=85.0, floor=75.0, polarity=H, unit="percent", **kw):
    return Kpi(
        id=id,
        name=kw.pop("name", f"Measure {id}"),
        polarity=polarity,
        current=current,
        previous=previous,
        target=target,
        floor=floor,
        unit=unit,
        **kw,
    )


def narrate(*kpis, period=JUNE, paper=Paper(), spc=SpcSettings()):  # noqa: B008 - frozen
    return write_narrative(evaluate(kpis, title="Children in Care Scorecard", period=period, section=3, spc=spc), paper)


def text(*kpis, **kw) -> str:
    return "\n".join(narrate(*kpis, **kw).lines())


# --- a number in a sentence supports the sentence -----------------------------------------------------------


def test_limits_are_stated_at_enough_decimals_for_the_claim():
    # a count of incidents, 0 decimals: mean 0.125, limits -0.407 to 0.657; the latest, 1, is above them.
    # At 0 decimals the range would read "-0 to 1" and 1 "above" 1: the limits are sharpened until it is true.
    history = (0.0,) * 10 + (1.0, 0.0, 0.0, 0.0, 0.0, 1.0)
    said = text(
        kpi(
            "A",
            1,
            0,
            target=0,
            floor=1,
            polarity=L,
            unit="count",
            decimals=0,
            history=history,
            history_periods=tuple(MONTHS[-16 - 6 : -6]),
        )
    )
    assert "Its latest figure, 1, is above its normal range of -0.4 to 0.7: a real cause for concern." in said
    assert "normal range of 0 to 1" not in said


def test_an_average_is_sharpened_until_the_run_is_on_its_side():
    # 8 figures shown as 11 (11.2, 11.4 ...) above an average of 10.6: at 0 decimals the average would show as
    # 11 and "above its average of 11" would be false of the figures as printed
    history = (10.0, 10.4) * 4 + (11.2, 11.4, 11.2, 11.4, 11.2, 11.4, 11.2, 11.4)
    said = text(
        kpi(
            "A",
            11.4,
            11.2,
            target=12,
            floor=9,
            decimals=0,
            unit="number",
            history=history,
            history_periods=tuple(MONTHS[-16 - 6 : -6]),
        )
    )
    mean = sum(history) / len(history)
    assert f"above its average of {mean:.1f}" in said and "average of 11 " not in said


# --- the legend follows what the KPIs have ------------------------------------------------------------------


@pytest.mark.parametrize(
    "kpis, expected",
    [
        (
            [kpi("A", 90, 80), kpi("B", 70, 80)],
            {
                "Green": "target achieved or exceeded",
                "Amber": "below target but at or above the floor standard",
                "Red": "below the floor standard",
            },
        ),
        (
            [kpi("A", 90, 80, floor=None), kpi("B", 70, 80, floor=None)],
            {
                "Green": "target achieved or exceeded",
                "Red": "below target",
            },
        ),
        (
            [kpi("A", 90, 80, floor=None), kpi("B", 70, 80, floor=None), kpi("C", 80, 80)],
            {
                "Green": "target achieved or exceeded",
                "Amber": "below target but at or above the floor standard",
                "Red": "below target where no floor standard is set, or below the floor standard",
            },
        ),
        (
            [kpi("A", 100, 101, target=100, floor=None, polarity=T, green_within=2, amber_within=5)],
            {
                "Green": "on target, within its tolerance",
                "Amber": "off target but within its Amber band",
                "Red": "further from target than its Amber band",
            },
        ),
    ],
    ids=["target-and-floor", "target-only", "mixed", "two-sided"],
)
def test_the_legend_says_what_the_kpis_have(kpis, expected):
    card = evaluate(kpis, title="T", period=JUNE, section=3)
    assert {rag.value: words for rag, words in legend(card).items()} == expected
    said = "\n".join(write_narrative(card).lines())
    for rag, words in expected.items():
        assert re.search(rf"• \d+ (is|are) rated {rag} – {re.escape(words)}$", said, re.M)
    if all(k.floor is None for k in kpis) and kpis[0].polarity is not T:
        assert "floor" not in said and "rated Amber –" not in said


# --- a single period: a first return -----------------------------------------------------------------------


def test_a_first_return_is_rated_with_no_direction_and_says_so():
    said = text(kpi("A", 90, None), kpi("B", 80, None), kpi("C", 70, None), period=Period("June 2018", None))
    assert "June 2018 is the first period this scorecard reports: there is no earlier period to compare with" in said
    assert "Since" not in said and "changed" not in said and "cannot be compared" not in said
    assert "3.4.1 Measure B. Performance was 80.0% in June 2018, against a target of 85.0%." in said
    assert "3.5.1 Measure C. Performance was 70.0% in June 2018, against a target of 85.0%." in said
    assert not re.search(r"improved|declined|the same performance|previous period", said)


# --- running totals and profiled targets -------------------------------------------------------------------


def test_a_running_total_that_rose_but_fell_behind_its_profile_is_not_improved():
    # council tax collected to date: 40.0% by May against May's profile of 38.0% (2 points ahead),
    # 47.0% by June against June's profile of 48.0% (1 point behind): it rose, and fell behind
    tax = kpi(
        "A",
        47.0,
        40.0,
        target=48.0,
        floor=45.0,
        cumulative=True,
        profiled=True,
        previous_target=38.0,
        previous_floor=35.0,
        name="Council tax collected to date",
    )
    assert evaluate([tax], title="T", period=JUNE).kpis[0].direction.value == "declined"  # the engine's, by the gaps
    said = text(tax)
    assert "improved" not in said
    assert "This KPI shows a decline in performance between May and June 2018:" in said
    assert (
        "Council tax collected to date. The total to date rose from 40.0% to date in May 2018 to 47.0% to date in "
        "June 2018: 1.0 percentage point below this month's profile of 48.0%, against 2.0 percentage points above "
        "May 2018's profile of 38.0%."
    ) in said


def test_a_running_total_without_a_profile_has_no_direction():
    total = kpi(
        "A", 300, 150, target=1000, floor=800, unit="count", decimals=0, cumulative=True, name="Homes built this year"
    )
    said = text(total)
    assert "improved" not in said and "This KPI is a running total with no profile to judge its progress by:" in said
    assert "the rise is not in itself an improvement" in said


def test_a_profiled_change_names_the_profile_each_period_was_rated_against():
    # rated Amber in May against May's profile (80), Green in June against June's (85)
    profiled = kpi("A", 86.0, 81.0, target=85.0, floor=80.0, profiled=True, previous_target=82.0, previous_floor=78.0)
    said = text(profiled)
    assert (
        "meeting this month's profile of 85.0% and moving the RAG rating from Amber to Green (May 2018 was rated "
        "against that month's profile of 82.0%)."
    ) in said


# --- said once --------------------------------------------------------------------------------------------


def test_a_target_the_commentary_names_is_not_named_again():
    said = text(kpi("A", 74.1, 73.9, commentary="This remains some way off from the Target of 85% set locally."))
    assert said.count("85") == 1 and "Performance improved from 73.9% in May 2018 to 74.1% in June 2018. This" in said


def test_a_movement_the_commentary_states_is_not_stated_again():
    said = text(
        kpi(
            "A",
            69.1,
            69.1,
            target=70,
            floor=65,
            commentary="Performance has remained at 69.1% for the last three months.",
        )
    )
    assert said.count("69.1%") == 1 and "Measure A. The target is 70.0%. Performance has remained at 69.1%" in said


def test_a_kpi_moving_into_amber_is_described_once_with_a_pointer_from_the_changes():
    lines = narrate(kpi("A", 80, 90, commentary="Two teams merged."), kpi("B", 90, 90)).lines()
    change = next(line for line in lines if line.startswith("3.3.1"))
    assert change == "3.3.1 Measure A. Rated Amber for June 2018, from Green for May 2018: see 3.4.1."
    update = next(line for line in lines if line.startswith("3.4.1"))
    assert "declined from 90.0% in May 2018 to 80.0% in June 2018" in update and "Two teams merged." in update
    assert sum("80.0%" in line for line in lines) == 1


def test_counts_carry_their_nouns():
    caseload = kpi("CIC12", 15.8, 17.0, target=15, floor=18, polarity=L, unit="number", name="Average caseloads")
    said = text(caseload, paper=Paper(nouns={"CIC12": "cases"}))
    assert "improved from 17.0 cases in May 2018 to 15.8 cases in June 2018, against a target of 15.0 cases" in said
    one = text(
        kpi("X", 1, 2, target=1, floor=3, polarity=L, unit="count", decimals=0), paper=Paper(nouns={"X": "cases"})
    )
    assert "to 1 case in June 2018" in one


def test_numbers_follow_one_style():
    said = text(*(kpi(c, 80, 80) for c in "ABCDE"), kpi("F", 90, 70))
    for sentence in re.split(r"(?<=[.:])\s+|\n", said):
        body = re.sub(r"^(\d+(\.\d+)+ |• )", "", sentence)
        assert not re.match(r"\d", body) or body.startswith(tuple(f"{n} " for n in range(0, 30))) and "rated" in body
        assert not re.search(r"\b(one|two|three|four|five|six|seven|eight|nine|ten) KPIs?\b", body), body


# --- commentary the figures contradict -------------------------------------------------------------------


WRONG = "Performance improved this month. Work continues with partners."


def test_contradicted_commentary_is_held_back_by_default():
    narrative = narrate(kpi("A", 80, 82, commentary=WRONG))
    said = "\n".join(narrative.lines())
    assert "Performance improved this month." not in said and "Work continues with partners." in said
    assert [n.code for n in narrative.notes] == ["SC705"]


def test_contradicted_commentary_is_flagged_when_the_rules_say_so():
    narrative = narrate(kpi("A", 80, 82, commentary=WRONG), paper=Paper(commentary="flag"))
    said = "\n".join(narrative.lines())
    assert "Performance improved this month. [The figures show that it declined.] Work continues" in said
    assert [n.code for n in narrative.notes] == ["SC706"]


# --- the previous meeting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "paper, opening",
    [
        (
            Paper(
                committee="Corporate Parenting Panel", previous_meeting=dt.date(2018, 7, 17), previous_period="May 2018"
            ),
            "The Children in Care Scorecard submitted to the previous Corporate Parenting Panel on 17 July 2018 was "
            "for May 2018. Since May 2018",
        ),
        (
            Paper(
                committee="Corporate Parenting Panel",
                previous_meeting=dt.date(2018, 5, 15),
                previous_period="March 2018",
            ),
            "The Children in Care Scorecard submitted to the previous Corporate Parenting Panel on 15 May 2018 was for "
            "March 2018; this report compares June 2018 with May 2018. Since May 2018",
        ),
        (
            Paper(previous_meeting=dt.date(2018, 7, 17)),
            "The Children in Care Scorecard was last submitted to the previous meeting on 17 July 2018. Since May 2018",
        ),
        (Paper(), "3.3 Since May 2018"),
    ],
    ids=["same-period", "other-period", "no-period", "none"],
)
def test_the_changes_name_the_previous_meeting_as_the_rules_give_it(paper, opening):
    assert opening in text(kpi("A", 90, 80), paper=paper)


def test_an_exact_comparison_prints_the_figures_apart_from_the_target():
    # compare: exact rates 84.996 below a target of 85 although both show as 85.0%: the sentence says so sharply
    said = text(kpi("A", 84.996, 82.0, compare="exact"))
    assert "improved from 82.000% in May 2018 to 84.996% in June 2018, against a target of 85.000%" in said
    assert "1 Key Performance Indicator (KPI)," in said


def test_a_kpi_that_misses_its_target_consistently_says_so_unless_it_is_improving_past_its_limits():
    flat = tuple([74.0, 73.0, 75.5, 74.2, 73.4, 75.0, 74.6, 73.8, 74.9, 73.2, 74.4, 75.1] * 2)
    common = text(kpi("A", 74.1, 73.9, history=flat[:22] + (73.9, 74.1), history_periods=tuple(MONTHS[:24])))
    assert (
        "Its target lies outside its normal range: unless the process changes, it will consistently miss it." in common
    )
    climbing = tuple(30.0 + 0.8 * i for i in range(22)) + (46.0, 48.4)
    improving = text(kpi("B", 48.4, 46.0, target=65, floor=45, history=climbing, history_periods=tuple(MONTHS[:24])))
    assert "a real improvement" in improving and "consistently miss" not in improving


def test_a_counts_noun_is_said_in_its_chart_sentence_too():
    history = tuple([16.2, 17.4, 16.8, 17.9, 16.5, 17.2, 16.9, 17.6, 16.4, 17.1, 16.7, 17.3] * 2)[:22] + (17.0, 15.8)
    caseload = kpi(
        "CIC12",
        15.8,
        17.0,
        target=15,
        floor=18,
        polarity=L,
        unit="number",
        history=history,
        history_periods=tuple(MONTHS[:24]),
    )
    said = text(caseload, paper=Paper(nouns={"CIC12": "cases"}))
    assert "stayed within its normal range of 14.7 to 19.2 cases: no real change" in said


@pytest.mark.parametrize(
    ("many", "one"),
    [
        ("families", "family"),
        ("cases", "case"),
        ("complaints", "complaint"),
        ("children", "child"),
        ("young people", "young person"),
        ("care leavers", "care leaver"),
        ("boxes", "box"),
        ("statuses", "status"),
        ("staff", "staff"),
    ],
)
def test_one_of_what_a_count_counts(many, one):
    from scorecard.core.phrasing import singular

    assert singular(many) == one
