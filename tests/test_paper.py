"""The rules' report: block (core.paper): read with its lines, refused with a line when wrong, and what check
notes when it is missing."""

from __future__ import annotations

import datetime as dt

import pytest

from scorecard.core.paper import long_date, notes
from scorecard.core.rules import parse_rules
from scorecard.errors import RulesError

BASE = "version: 1\nlayout:\n  columns: {id: Ref, name: Indicator, current: Jun-18, previous: May-18}\n"
BLOCK = """report:
  committee: Corporate Parenting Panel
  meeting: 2018-09-18
  previous_meeting: {date: 2018-07-17, period: May 2018}
  author: Jane Smith, Performance Manager
  contact: jane.smith@example.gov.uk
  purpose: The latest performance Scorecard for {period} is attached to this report.
  recommendation: Members of the {committee} are asked to NOTE and COMMENT on the performance data.
  introduction:
    - Performance scorecards have been developed to monitor progress.
    - This report includes the latest {title} which is for {period}.
  context: The scorecard is split into sections.
  background: [None]
  commentary: flag
  nouns: {CIC12: cases}
"""


def test_a_whole_block_is_read():
    paper = parse_rules(BASE + BLOCK).report
    assert paper.given and paper.committee == "Corporate Parenting Panel"
    assert paper.meeting == dt.date(2018, 9, 18) and paper.previous_meeting == dt.date(2018, 7, 17)
    assert paper.previous_period == "May 2018" and paper.commentary == "flag"
    assert paper.introduction == (
        "Performance scorecards have been developed to monitor progress.",
        "This report includes the latest {title} which is for {period}.",
    )
    assert paper.context == ("The scorecard is split into sections.",) and paper.background == ("None",)
    assert paper.noun("CIC12") == "cases" and paper.noun("CIC01") is None
    assert notes(paper) == []
    assert long_date(paper.previous_meeting) == "17 July 2018"


@pytest.mark.parametrize(
    "block, line, words",
    [
        ("report:\n  meeting: next Tuesday\n", 5, "report.meeting: 'next Tuesday' is not a date"),
        ("report:\n  purpose: For {month}.\n", 5, "unknown field {month}"),
        ("report:\n  meeting: 2018-07-17\n  previous_meeting: 17 July 2018\n", 6, "is not before report.meeting"),
        ("report:\n  commitee: Panel\n", 5, "unknown key 'commitee' in report (did you mean 'committee'?)"),
        ("report:\n  commentary: hide\n", 5, "report.commentary: 'hide' is not one of hold, flag"),
        ("report:\n  previous_meeting: {date: 2018-07-17, month: May}\n", 5, "unknown key 'month'"),
    ],
)
def test_a_bad_block_is_one_message_naming_its_line(block, line, words):
    with pytest.raises(RulesError) as caught:
        parse_rules(BASE + block, source="rules.yaml")
    assert caught.value.line == line and words in str(caught.value), str(caught.value)


def test_dates_are_read_as_councils_write_them():
    paper = parse_rules(BASE + "report:\n  meeting: 18th September 2018\n  previous_meeting: '2018-07-17'\n").report
    assert paper.meeting == dt.date(2018, 9, 18) and paper.previous_meeting == dt.date(2018, 7, 17)


def test_check_notes_what_a_whole_paper_is_missing():
    assert [f.code for f in notes(parse_rules(BASE).report)] == ["SC703"]
    partial = parse_rules(BASE + "report:\n  committee: Panel\n").report
    found = notes(partial, {"CIC12": "number"})
    assert [f.code for f in found] == ["SC704"] * 6 + ["SC707"]
    assert all(f.where.line == 5 for f in found if f.code == "SC704")  # the block's first line
    assert not any(f.is_warning for f in found)


def test_spc_screening_and_recalculation_are_read():
    spc = parse_rules(BASE + "spc: {screen_outliers: true, recalc: after_shift}\n").spc
    assert spc.screen_outliers and spc.recalc == "after_shift"
    with pytest.raises(RulesError, match="not one of never, after_shift"):
        parse_rules(BASE + "spc: {recalc: always}\n")


def test_check_notes_a_previous_meeting_that_saw_another_period():
    from scorecard.core.committee import check_notes
    from scorecard.core.engine import evaluate
    from scorecard.core.model import Kpi, Period, Polarity

    paper = parse_rules(BASE + "report:\n  previous_meeting: {date: 2018-05-15, period: March 2018}\n").report
    card = evaluate(
        [Kpi("A", "A", Polarity.HIGHER, 90, 80, target=85)],
        title="T",
        period=Period("June 2018", "May 2018"),
        section=3,
    )
    assert "SC708" in [f.code for f in check_notes(card, paper)]


def test_a_noun_must_be_a_word():
    with pytest.raises(RulesError) as caught:
        parse_rules(BASE + "report:\n  nouns:\n    CIC12: 3\n")
    assert caught.value.line == 6 and "report.nouns.CIC12" in str(caught.value)
