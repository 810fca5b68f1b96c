"""The narrative: the sample's facts, and none of the slips of a hand-typed report."""

from __future__ import annotations

import re

import pytest

from conftest import SAMPLE, SAMPLE_RULES
from scorecard.core.engine import evaluate
from scorecard.core.model import Kpi, Period, Polarity
from scorecard.core.narrative import figure, number_word, sentence_number, write_narrative
from scorecard.core.rules import load_rules
from scorecard.usecases import evaluate_file


@pytest.fixture(scope="module")
def sample_narrative():
    return evaluate_file(SAMPLE, load_rules(SAMPLE_RULES))


def text_of(result) -> str:
    return "\n".join(result.narrative.lines())


def test_sample_counts_and_meanings(sample_narrative):
    text = text_of(sample_narrative)
    assert "performance results against the targets for 24 Key Performance Indicators (KPIs)" in text
    assert "Of the 24 KPIs included in the report, the RAG status for June 2018 is as follows:" in text
    assert "• 14 are rated Green – target achieved or exceeded" in text
    assert "• 10 are rated Amber – below target but at or above the floor standard" in text
    assert "• 0 are rated Red – below the floor standard" in text
    assert sample_narrative.scorecard.counts == {"Green": 14, "Amber": 10, "Red": 0, "No data": 0, "Not rated": 0}


def test_sample_single_rag_change(sample_narrative):
    text = text_of(sample_narrative)
    assert "Since May 2018 the RAG status of 1 KPI has changed. The detail of this change is provided below:" in text
    assert (
        "3.3.1 Percentage of CIC who turned 18 during the month with a health history. Performance for this measure "
        "improved from 93.9% in May 2018 to 100.0% in June 2018, meeting the target of 100.0% and moving the RAG "
        "rating from Amber to Green."
    ) in text
    assert [c.kpi.id for c in sample_narrative.scorecard.changes] == ["CIC01"]


SEED_AMBER = {
    "improved": [
        ("46.0%", "48.4%"),
        ("83.9%", "84.8%"),
        ("77.8%", "80.1%"),
        ("73.9%", "74.1%"),
        ("17.0 cases", "15.8 cases"),
    ],
    "same": ["11.2%", "69.1%"],
    "declined": [("84.3%", "84.2%"), ("77.4%", "76.7%"), ("91.1 FTE", "89.4 FTE")],
}


def test_sample_amber_update_with_the_seed_figures(sample_narrative):
    lines = sample_narrative.narrative.lines()
    text = "\n".join(lines)
    assert "3.4 For the 10 KPIs rated as Amber an update on performance is provided below." in text
    improved = lines.index("Five of these KPIs show improved performance between May and June 2018:")
    same = lines.index("Two of these KPIs show the same performance in May and June 2018:")
    declined = lines.index("Three of these KPIs show a decline in performance between May and June 2018:")
    assert improved < same < declined
    for (before, after), line in zip(SEED_AMBER["improved"], lines[improved + 1 : same], strict=False):
        assert f"improved from {before} in May 2018 to {after} in June 2018" in line
    for value, line in zip(SEED_AMBER["same"], lines[same + 1 : declined], strict=False):
        assert f"remained at {value}" in line
    # said once: the commentary of CIC14 says it remained at 69.1%, so the narrative gives only the target
    cic14 = next(line for line in lines if line.startswith("3.4.7 "))
    assert cic14.count("69.1%") == 1 and "The target is 70.0%. Performance has remained at 69.1%" in cic14
    for (before, after), line in zip(SEED_AMBER["declined"], lines[declined + 1 : declined + 4], strict=False):
        assert f"declined from {before} in May 2018 to {after} in June 2018" in line
    assert "against a target of 85.0%." in lines[lines.index(next(line for line in lines if line.startswith("3.4.3")))]
    assert "3.5 No KPI is rated Red for June 2018." in text


def test_commentary_is_verbatim(sample_narrative):
    text = text_of(sample_narrative)
    assert "Performance for one Area, South Kent, remains low at 29.7% which is a consequence of high rates" in text
    assert "the authority’s IT system" in text  # the curly apostrophe survives


def test_numbering_has_no_gaps_or_repeats(sample_narrative):
    numbers = [p.number for p in sample_narrative.narrative.paragraphs if p.number]
    assert len(numbers) == len(set(numbers))
    assert numbers == ["3.1", "3.2", "3.3", "3.3.1", "3.4", *[f"3.4.{i}" for i in range(1, 11)], "3.5"]


def test_counts_agree_with_the_lists_that_follow(sample_narrative):
    lines = sample_narrative.narrative.lines()
    words = {number_word(n).capitalize(): n for n in range(0, 30)}
    for i, line in enumerate(lines):
        match = re.match(r"^(\w+) of these KPIs", line)
        if match:
            listed = 0
            for following in lines[i + 1 :]:
                if not re.match(r"^\d+\.\d+\.\d+ ", following):
                    break
                listed += 1
            assert words[match.group(1)] == listed, line


def test_same_input_gives_byte_identical_text():
    first = evaluate_file(SAMPLE, load_rules(SAMPLE_RULES)).narrative
    second = evaluate_file(SAMPLE, load_rules(SAMPLE_RULES)).narrative
    assert first.to_text().encode() == second.to_text().encode()
    assert first.to_markdown() == second.to_markdown()


# --- plain data ---------------------------------------------------------------------------------


def k(id, current, previous, target=85.0, floor=75.0, polarity=Polarity.HIGHER, **kw):
    return Kpi(
        id=id,
        name=f"Measure {id}",
        polarity=polarity,
        current=current,
        previous=previous,
        target=target,
        floor=floor,
        unit="percent",
        **kw,
    )


def narrate(*kpis, period=Period("June 2018", "May 2018")):  # noqa: B008 - Period is frozen
    return write_narrative(evaluate(kpis, title="T", period=period))


def test_plurals_and_single_items():
    lines = narrate(k("A", 80, 70), k("B", 90, 90)).lines()
    text = "\n".join(lines)
    assert "• 1 is rated Green" in text and "• 1 is rated Amber" in text
    assert "the RAG status of 1 KPI has changed" in text  # A: Red -> Amber
    assert "For the KPI rated as Amber" in text
    assert "This KPI shows improved performance between May and June 2018:" in text
    assert "moving above the floor standard of 75.0% but still short of the target of 85.0%" in text
    assert "Measure A. Rated Amber for June 2018, from Red for May 2018: see 1.4.1." in text  # described once


def test_red_section_and_changes_to_red():
    text = "\n".join(narrate(k("A", 70, 80), k("B", 60, 65), k("C", 90, 95)).lines())
    assert "the RAG status of 1 KPI has changed" in text
    assert "falling below the floor standard of 75.0%" in text
    assert "For the 2 KPIs rated as Red" in text
    assert "Two of these KPIs show a decline in performance" in text
    assert "No KPI is rated Amber for June 2018." in text


def test_no_data_is_reported_separately_never_as_a_change():
    text = "\n".join(narrate(k("A", None, 80), k("B", 90, None), k("C", 90, 90)).lines())
    assert "the RAG status of no KPI has changed" in text
    assert "• 1 has no data for June 2018" in text
    assert "The RAG status of 2 KPIs cannot be compared with May 2018 because they have no data" in text
    assert "Measure A (no data for June 2018); Measure B (no data for May 2018)" in text


def test_activity_indicators_are_counted_apart():
    text = "\n".join(narrate(k("A", 90, 80), k("N", 12, 10, target=None, floor=None)).lines())
    assert "for 2 KPIs: 1 is assessed against targets" in text and "1 is an activity indicator" in text
    assert "Of the 1 KPI rated, the RAG status" in text


def test_periods_across_a_year_and_unnamed_periods():
    text = "\n".join(narrate(k("A", 80, 79), period=Period("January 2019", "December 2018")).lines())
    assert "between December 2018 and January 2019" in text
    with pytest.raises(ValueError, match="previous figure but no previous period"):  # read_table never makes it
        narrate(k("A", 80, 79), period=Period("June 2018", None))
    first = "\n".join(narrate(k("A", 80, None), period=Period("June 2018", None)).lines())
    assert "June 2018 is the first period this scorecard reports" in first and "Since" not in first


@pytest.mark.parametrize(
    "value, unit, decimals, text",
    [
        (48.4, "percent", 1, "48.4%"),
        (15.8, "number", 1, "15.8"),
        (89.4, "fte", 1, "89.4 FTE"),
        (1204, "count", 0, "1,204"),
        (398, "days", 0, "398 days"),
        (1, "days", 0, "1 day"),
        (-0.04, "number", 1, "0.0"),
        (2.675, "percent", 2, "2.68%"),
        (1234.5, "pounds", 2, "£1,234.50"),
    ],
)
def test_figures_as_people_write_them(value, unit, decimals, text):
    assert (
        figure(value, Kpi(id="x", name="x", polarity=None, current=None, previous=None, unit=unit, decimals=decimals))
        == text
    )


def test_number_words():
    assert [number_word(n) for n in (0, 1, 5, 12, 20, 42, 99)] == [
        "zero",
        "one",
        "five",
        "twelve",
        "twenty",
        "forty-two",
        "ninety-nine",
    ]
    assert sentence_number(5) == "Five" and sentence_number(150) == "150"
