"""Commentary checks: a warning where the analyst's words contradict the figures, and only there."""

from __future__ import annotations

import pytest

from scorecard.core.commentary import contradictions, unchanged_since
from scorecard.core.engine import evaluate
from scorecard.core.model import Kpi, Period, Polarity

PERIODS = ("June 2018", "May 2018")


def rated(commentary, current=48.4, previous=46.0, polarity=Polarity.HIGHER, target=65.0, floor=40.0, **kw):
    kpi = Kpi(
        id="K1",
        name=kw.pop("name", "A measure"),
        polarity=polarity,
        current=current,
        previous=previous,
        target=target,
        floor=floor,
        unit="percent",
        commentary=commentary,
        **kw,
    )
    return evaluate([kpi], title="t", period=Period(*PERIODS)).kpis[0]


@pytest.mark.parametrize(
    "words, current, previous, claim",
    [
        ("Performance improved this month.", 44.0, 46.0, "improved"),
        ("Performance has improved from 46.0% to 44.0%.", 44.0, 46.0, "improved"),
        ("Performance continues to show improvement, moving to 44.0% in June.", 44.0, 46.0, "improved"),
        ("The figure rose in June 2018.", 44.0, 46.0, "improved"),
        ("Performance declined between May and June 2018.", 48.4, 46.0, "declined"),
        ("Performance remained at 46.0%.", 48.4, 46.0, "same"),
        ("Performance is unchanged.", 48.4, 46.0, "same"),
        ("The target was met in June.", 48.4, 46.0, "met"),
    ],
)
def test_a_claim_the_figures_contradict_is_a_warning(words, current, previous, claim):
    found = contradictions(rated(words, current, previous), PERIODS)
    assert [c.claim for c in found] == [claim]
    assert found[0].words == words and words in found[0].message()
    assert found[0].message().startswith("KPI 'K1': the commentary says")


@pytest.mark.parametrize(
    "words, current, previous",
    [
        ("Performance improved from 46.0% to 48.4%.", 48.4, 46.0),  # true
        ("Performance for one Area, South Kent, remains low at 29.7% but improved.", 44.0, 46.0),  # another figure
        ("South Kent has been showing month-on-month improvement since March 2018.", 44.0, 46.0),  # another month
        ("Performance has not improved.", 44.0, 46.0),  # negated: no claim
        ("Performance remained at 46.0%.", 46.04, 46.0),  # the same as displayed
        ("Improvement is expected when 12 new staff start.", 44.0, 46.0),  # another figure
        ("", 44.0, 46.0),
        ("Performance improved.", 44.0, None),  # nothing to compare with
    ],
)
def test_no_warning_where_the_words_hold_or_speak_of_something_else(words, current, previous):
    assert contradictions(rated(words, current, previous), PERIODS) == []


def test_a_direction_said_of_something_else_is_no_claim():
    # the words before the verb name another thing than the KPI (not its name's words): no claim on it
    assert contradictions(rated("Demand rose.", 44.0, 46.0), PERIODS) == []
    assert contradictions(rated("Staff sickness improved in June.", 44.0, 46.0), PERIODS) == []
    assert [c.claim for c in contradictions(rated("Caseloads rose.", 44.0, 46.0, name="Caseloads"), PERIODS)] == [
        "improved"
    ]


def test_increase_means_better_or_worse_by_polarity():
    # a caseload (lower is better) that went up has declined; "increased" is then true, "improved" false
    lower = dict(polarity=Polarity.LOWER, target=15.0, floor=20.0, name="Average caseload")
    assert contradictions(rated("Caseloads increased.", 18.0, 16.0, **lower), PERIODS) == []
    assert [c.claim for c in contradictions(rated("Caseloads decreased.", 18.0, 16.0, **lower), PERIODS)] == [
        "improved"
    ]


def test_target_met_on_green_and_missed_on_amber_are_fine():
    assert contradictions(rated("The target was met.", 66.0, 60.0), PERIODS) == []
    assert contradictions(rated("Performance is below target.", 48.4, 46.0), PERIODS) == []
    found = contradictions(rated("Performance is below target.", 66.0, 60.0), PERIODS)
    assert [c.claim for c in found] == ["missed"] and "rated Green" in found[0].message()


def test_only_the_contradicting_sentence_is_quoted():
    words = "Performance fell to 44.0% in June. Regular meetings continue to be held. It improved on May."
    found = contradictions(rated(words, 44.0, 46.0), PERIODS)
    assert [c.words for c in found] == ["It improved on May."]


def kpi(commentary, current):
    return Kpi(id="K1", name="n", polarity=Polarity.HIGHER, current=current, previous=None, commentary=commentary)


def test_commentary_copied_forward_while_the_figure_moved():
    message = unchanged_since(kpi("Staffing  remains a concern.", 48.4), kpi("Staffing remains a concern.", 46.0))
    assert message == (
        "KPI 'K1': the commentary is word for word last month's, but the figure moved from 46.0 "
        "to 48.4; check that it still holds"
    )
    assert unchanged_since(kpi("Same words.", 48.4), kpi("Same words.", 48.4)) is None
    assert unchanged_since(kpi("New words.", 48.4), kpi("Old words.", 46.0)) is None
    assert unchanged_since(kpi("", 48.4), kpi("", 46.0)) is None


def test_the_samples_commentary_holds():
    """The sample's commentary is the cover report's own words, true of June 2018: no warning."""
    from pathlib import Path

    from scorecard.core.rules import load_rules
    from scorecard.usecases import evaluate_file

    root = Path(__file__).resolve().parents[1]
    result = evaluate_file(
        root / "workbook_templates" / "cic-scorecard-june-2018.xlsx", load_rules(root / "rules" / "cic-scorecard.yaml")
    )
    card = result.scorecard
    assert sum(1 for k in card.kpis if k.kpi.commentary) >= 5
    assert [c for k in card.kpis for c in contradictions(k, (card.period.current, card.period.previous))] == []


@pytest.mark.parametrize(
    ("sentence", "earlier"),
    [
        ("Re-let times fell to 23.0 days in August, the best this year.", True),
        ("Performance improved from 70.0% to 72.0% between July and August.", True),
        ("Down from 72% in August.", False),  # this month's change, from last month's figure
        ("Performance fell from 72% in August to 71% in September.", False),
        ("The team was short-staffed in August.", False),  # context, no figure moving
    ],
)
def test_a_sentence_telling_of_last_month_as_news_is_found(sentence, earlier):
    from scorecard.core.commentary import _of_an_earlier_period

    assert _of_an_earlier_period(sentence, ("September 2024", "August 2024")) is earlier


def test_commentary_telling_only_of_earlier_months_is_a_warning_to_check_it_is_this_months():
    from scorecard.core.commentary import of_earlier_periods
    from scorecard.core.model import Kpi, Polarity

    def kpi(words: str) -> Kpi:
        return Kpi("HR02", "Re-let days", Polarity.LOWER, 24.0, 23.0, 20, 28, "days", 1, commentary=words)

    periods = ("September 2024", "August 2024")
    assert of_earlier_periods(kpi("Re-let times fell to 23.0 days in August, the best this year."), periods)
    assert of_earlier_periods(kpi("Up from 23.0 days in August to 24.0 days in September."), periods) is None
    assert of_earlier_periods(kpi("Contractor delays continue; see the action plan."), periods) is None
