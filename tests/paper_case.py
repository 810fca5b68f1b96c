"""The committee paper's test case: the bundled sample as the reader gives it, with what the sample's reading
does not yet give made by hand here (the core is pure): each KPI's section heading (the sample's own, from
make_sample.SECTIONS), two years of monthly history ending in the sample's May and June figures, one KPI
below its floor, and a report: block like the seed's. Deterministic: the same case every run."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from conftest import ROOT, SAMPLE, SAMPLE_RULES
from scorecard.core.engine import evaluate
from scorecard.core.narrative import write_narrative
from scorecard.core.rules import Rules, parse_rules
from scorecard.usecases import Evaluation, evaluate_file

sys.path.insert(0, str(ROOT / "workbook_templates"))
from make_sample import SECTIONS  # noqa: E402 - the sample's own section headings

REPORT_BLOCK = """
report:
  committee: Corporate Parenting Panel
  meeting: 2018-09-18
  previous_meeting: {date: 2018-07-17, period: May 2018}
  author: Jane Smith, Performance and Information Manager
  contact: "Telephone: 03000 000000; e-mail: jane.smith@example.gov.uk"
  classification: Unrestricted
  purpose: >-
    The performance Scorecard for Children in Care identifies the key performance data and targets that need
    to be monitored to promote the best outcomes for children and young people in care. The latest Scorecard,
    for {period}, is attached to this report.
  recommendation: Members of the {committee} are asked to NOTE and COMMENT on the performance data in the {title}.
  introduction:
    - >-
      Performance scorecards have been developed to identify and monitor progress on a range of areas where
      improvements in performance and practice will lead to better outcomes for children and young people.
    - This report includes the latest {title}, which is for {period}.
  context:
    - >-
      The {title} has been developed to provide the {committee} with an overview of the key performance
      measures for Children in Care.
    - The report is split into sections and includes a range of performance indicators and activity information.
  background: [None]
  nouns: {CIC12: cases}
spc: {min_points: 15, run_length: 7}
"""

MONTHS = [
    f"{m} {y}"
    for y in (2016, 2017, 2018)
    for m in "January February March April May June July August September October November December".split()
][6:30]  # July 2016 .. June 2018: 24 months

# the 22 months before May 2018, by KPI: shapes that give each of Making Data Count's verdicts
HISTORY = {
    "CIC02": [30.0 + 0.8 * i for i in range(22)],  # a steady climb: special cause improvement
    "CIC07": [74.0, 73.0, 75.5, 74.2, 73.4, 75.0, 74.6, 73.8, 74.9, 73.2, 74.4, 75.1] * 2,  # far below its target
    "CIC12": [16.2, 17.4, 16.8, 17.9, 16.5, 17.2, 16.9, 17.6, 16.4, 17.1, 16.7, 17.3] * 2,  # common cause
    "CIC16": [80.2, 81.1, 79.8, 80.6, 81.4, 80.0, 80.9, 81.2, 79.9, 80.7, 81.0, 80.4] * 2,  # falls below its mean
    "CIC09": [96.5, 97.2, 96.8, 97.5, 96.9, 97.1, 97.4, 96.6, 97.0, 97.3, 96.7, 97.2] * 2,  # then falls away: Red
}


def rules() -> Rules:
    own = SAMPLE_RULES.read_text("utf-8").split("\n# The committee paper")[0]  # the sample's rules, without its report:
    return parse_rules(own + "\n" + REPORT_BLOCK, source=str(SAMPLE_RULES))


def evaluation(rules_: Rules | None = None, *, sections: bool = True, histories: bool = True) -> Evaluation:
    """The sample read as the reader reads it, then given sections and histories by hand and evaluated again."""
    rules_ = rules_ or rules()
    read = evaluate_file(SAMPLE, rules_)
    kpis = []
    section = None
    for k in read.scorecard.kpis:
        kpi = k.kpi
        section = SECTIONS.get(kpi.id, section)
        if kpi.id == "CIC09":  # below its floor of 90: one Red KPI
            kpi = dataclasses.replace(kpi, current=88.5)
        if histories and kpi.id in HISTORY:
            history = (*HISTORY[kpi.id][:22], kpi.previous, kpi.current)
            kpi = dataclasses.replace(kpi, history=history, history_periods=tuple(MONTHS))
        kpis.append(dataclasses.replace(kpi, section=section if sections else None))
    card = evaluate(kpis, title=rules_.title, period=read.scorecard.period, section=rules_.section, spc=rules_.spc)
    return dataclasses.replace(read, scorecard=card, narrative=write_narrative(card, rules_.report))


REFERENCE = Path(__file__).resolve().parent / "reference"
