"""A third blind batch (issue 16): ordinary, correctly laid out scorecards whose figures stress what the narrative says.

The workbooks are plain (a header row, an id, name, polarity, target and floor, two months); the figures are
not. A figure exactly on its target or floor, at the displayed decimals and not (79.96 shown 80.0 against a
floor of 80; 0.796 in a '0%' cell); a change smaller than the displayed precision (84.96 to 85.04); figures
that did not move; lower-is-better KPIs that fell and rose; close-to-target KPIs moving across the target; a
zero target and negative figures (budget variance); percentages, counts, days, FTE and pounds, pounds shown in
millions; a floor or a target alone; a first return; no data this month or last; RAG changes across two bands,
Red to Amber, and a target raised by period under a figure that stood still; all Green; activity indicators
only; ties; 32 KPIs under section headings; names with full stops, quotes, ampersands and 230 characters;
commentary that contradicts the figures, or was last month's; a cumulative year-to-date KPI against its
profile; breakdowns by area; a six-month history (too short for SPC); a period named by the rules over 'Last
month' and 'This month' headers, and one the headers contradict; quarters and weeks. The truth, and what the
narrative must and must not say, are in each case's truth.json, worked out by hand from the figures below.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from council.registry import book
from council.xl import Book, D, N

HEAD = ["Ref", "Indicator", "Polarity", "Target", "Floor", "Aug-24", "Sep-24"]
ONE = "0.0"


def _table(path: Path, rows: list, headers: list | None = None, sheet: str = "Scorecard") -> None:
    b = Book(path)
    ws = b.sheet(sheet)
    b.put(ws, "A1", [headers or HEAD, *rows])
    b.close()


@book("blind3_on_the_floor_displayed")
def blind3_on_the_floor_displayed(path: Path) -> None:
    # Shown at one decimal: 79.96 is 80.0 (on the floor), 89.96 is 90.0 (on the target), 79.94 is 79.9.
    _table(
        path,
        [
            ["EX01", "Reviews completed on time (%)", "Higher", 90, 80, N(82.0, ONE), N(79.96, ONE)],
            ["EX02", "Care plans signed off within 20 days (%)", "Higher", 90, 80, N(88.0, ONE), N(89.96, ONE)],
            ["EX03", "Carers assessed within 28 days (%)", "Higher", 90, 80, N(80.0, ONE), N(79.94, ONE)],
        ],
    )


@book("blind3_on_the_threshold_exact")
def blind3_on_the_threshold_exact(path: Path) -> None:
    # Exactly on: a target of 95 met by 95.0, a floor of 25 days reached by 25.0, lower is better.
    _table(
        path,
        [
            ["EQ01", "Invoices paid within 30 days (%)", "Higher", 95, 90, N(93.0, ONE), N(95.0, ONE)],
            ["EQ02", "Average days to process new claims", "Lower", 20, 25, N(22.0, ONE), N(25.0, ONE)],
            ["EQ03", "Average days to process changes", "Lower", 10, 15, N(10.04, ONE), N(9.96, ONE)],
        ],
    )


@book("blind3_change_below_precision")
def blind3_change_below_precision(path: Path) -> None:
    _table(
        path,
        [
            ["PR01", "Repairs completed at first visit (%)", "Higher", 90, 80, N(84.96, ONE), N(85.04, ONE)],
            ["PR02", "Void properties re-let within 28 days (%)", "Higher", 90, 80, N(84.94, ONE), N(85.05, ONE)],
            ["PR03", "Rent arrears as a share of the rent roll (%)", "Lower", 2, 4, N(3.04, ONE), N(2.96, ONE)],
        ],
    )


@book("blind3_lower_is_better_moves")
def blind3_lower_is_better_moves(path: Path) -> None:
    _table(
        path,
        [
            ["LB01", "Average days to re-let council homes", "Lower", 20, 25, N(24.0, ONE), N(22.0, ONE)],
            ["LB02", "Average days to process housing benefit changes", "Lower", 20, 25, N(21.0, ONE), N(23.0, ONE)],
            ["LB03", "Average days lost to sickness per employee", "Lower", 8, 10, N(10.5, ONE), N(7.5, ONE)],
            ["LB04", "Missed bin collections per 100,000", "Lower", 50, 80, N(45.0, ONE), N(85.0, ONE)],
        ],
    )


@book("blind3_close_to_target_moves")
def blind3_close_to_target_moves(path: Path) -> None:
    # Two-sided, target 100: green within 1, amber within 5 (rules).
    _table(
        path,
        [
            ["CT01", "Bed occupancy against plan (%)", "Target", 100, None, N(97.0, ONE), N(103.0, ONE)],
            ["CT02", "Spend against budget (%)", "Target", 100, None, N(96.0, ONE), N(102.5, ONE)],
            ["CT03", "Staffing against establishment (%)", "Target", 100, None, N(103.0, ONE), N(94.0, ONE)],
            ["CT04", "Placements against commissioned (%)", "Target", 100, None, N(99.5, ONE), N(100.5, ONE)],
        ],
    )


@book("blind3_zero_target_negative_figures")
def blind3_zero_target_negative_figures(path: Path) -> None:
    _table(
        path,
        [
            ["BV01", "Budget variance (%)", "Target", 0, None, N(-2.5, ONE), N(-0.5, ONE)],
            ["BV02", "Capital programme variance (%)", "Target", 0, None, N(0.8, ONE), N(-4.0, ONE)],
            ["BV03", "Reserves variance (%)", "Target", 0, None, N(-1.5, ONE), N(-0.04, ONE)],
            ["BV04", "Forecast overspend (£)", "Lower", 0, 250000, N(180000, "£#,##0"), N(310000, "£#,##0")],
        ],
    )


@book("blind3_units_in_sentences")
def blind3_units_in_sentences(path: Path) -> None:
    _table(
        path,
        [
            ["UN01", "Average social worker caseload", "Lower", 15, 18, N(17.0, ONE), N(15.8, ONE)],
            ["UN02", "Households in temporary accommodation", "Lower", 350, 400, N(412, "0"), N(430, "0")],
            [
                "UN03",
                "Savings delivered to date",
                "Higher",
                2000000,
                1500000,
                N(1650000, "£#,##0"),
                N(1800000, "£#,##0"),
            ],
            ["UN04", "Average days to assess a carer", "Lower", 20, 28, N(26.0, ONE), N(24.5, ONE)],
            ["UN05", "Social worker vacancies (FTE)", "Lower", 10, 20, N(14.5, ONE), N(16.0, ONE)],
            ["UN06", "Appraisals completed (%)", "Higher", 90, 80, N(82.0, ONE), N(84.0, ONE)],
        ],
    )


@book("blind3_first_return")
def blind3_first_return(path: Path) -> None:
    _table(
        path,
        [
            ["FR01", "Referrals screened within 24 hours (%)", "Higher", 95, 85, N(91.0, ONE)],
            ["FR02", "Assessments completed within 45 days (%)", "Higher", 90, 80, N(78.0, ONE)],
            ["FR03", "Repeat referrals within 12 months (%)", "Lower", 20, 25, N(18.0, ONE)],
        ],
        headers=["Ref", "Indicator", "Polarity", "Target", "Floor", "Sep-24"],
    )


@book("blind3_no_data_either_month")
def blind3_no_data_either_month(path: Path) -> None:
    _table(
        path,
        [
            ["ND01", "Reviews completed on time (%)", "Higher", 90, 80, N(85.0, ONE), None],
            ["ND02", "Direct payments uptake (%)", "Higher", 30, 25, None, N(31.0, ONE)],
            ["ND03", "Safeguarding enquiries concluded in 28 days (%)", "Higher", 90, 80, N(70.0, ONE), N(72.0, ONE)],
        ],
    )


@book("blind3_green_to_red_and_back")
def blind3_green_to_red_and_back(path: Path) -> None:
    _table(
        path,
        [
            ["GR01", "Children seen within 5 working days (%)", "Higher", 90, 80, N(92.0, ONE), N(75.0, ONE)],
            ["GR02", "Plans reviewed on time (%)", "Higher", 90, 80, N(70.0, ONE), N(91.0, ONE)],
            ["GR03", "Visits within timescale (%)", "Higher", 90, 80, N(85.0, ONE), N(90.5, ONE)],
            ["GR04", "Audits rated good (%)", "Higher", 90, 80, N(95.0, ONE), N(96.0, ONE)],
        ],
    )


@book("blind3_all_green")
def blind3_all_green(path: Path) -> None:
    _table(
        path,
        [
            ["AG01", "Library visits against plan (%)", "Higher", 90, 80, N(95.0, ONE), N(96.0, ONE)],
            ["AG02", "Leisure centre satisfaction (%)", "Higher", 85, 75, N(88.0, ONE), N(86.0, ONE)],
            ["AG03", "Average days to repair a streetlight", "Lower", 7, 10, N(5.0, ONE), N(6.0, ONE)],
            ["AG04", "Parks inspected on schedule (%)", "Higher", 90, 80, N(100.0, ONE), N(100.0, ONE)],
        ],
    )


@book("blind3_activity_only")
def blind3_activity_only(path: Path) -> None:
    _table(
        path,
        [
            ["AI01", "Contacts to the front door", None, None, None, N(1200, "#,##0"), N(1350, "#,##0")],
            ["AI02", "Referrals to children's social care", None, None, None, N(410, "#,##0"), N(380, "#,##0")],
            ["AI03", "Children in care", None, None, None, N(1502, "#,##0"), N(1502, "#,##0")],
        ],
    )


@book("blind3_ties_in_counts")
def blind3_ties_in_counts(path: Path) -> None:
    _table(
        path,
        [
            ["TI01", "Early help plans closed with needs met (%)", "Higher", 80, 70, N(82.0, ONE), N(85.0, ONE)],
            ["TI02", "Children's centre registrations (%)", "Higher", 80, 70, N(81.0, ONE), N(80.0, ONE)],
            ["TI03", "Families re-referred within 12 months (%)", "Lower", 10, 15, N(12.0, ONE), N(12.0, ONE)],
            ["TI04", "Family plans reviewed in 3 months (%)", "Higher", 80, 70, N(75.0, ONE), N(72.0, ONE)],
            ["TI05", "Two-year-olds taking up free childcare (%)", "Higher", 80, 70, N(60.0, ONE), N(65.0, ONE)],
            ["TI06", "Exclusions from school per 1,000 pupils", "Lower", 5, 8, N(9.0, ONE), N(9.5, ONE)],
        ],
    )


# 32 KPIs in four sections, a heading row over each: 18 Green, 10 Amber (2 of them Green last month), 4 Red.
def _many_rows() -> list:
    sections = ["Children", "Adults", "Housing", "Environment"]
    rows: list = []
    n = 0
    for s, section in enumerate(sections):
        rows.append([None, section])
        for k in range(8):
            n += 1
            kid = f"MK{n:02d}"
            name = f"{section} measure {k + 1} (%)"
            if k < 5:  # Green both months
                prev, cur = 94.0, 95.0
            elif k < 7:  # Amber both months, declined
                prev, cur = 86.0, 85.0
            else:  # Red both months, no movement
                prev, cur = 70.0, 70.0
            if s < 2 and k == 0:  # MK01 and MK09: Green to Amber
                prev, cur = 92.0, 85.0
            rows.append([kid, name, "Higher", 90, 80, N(prev, ONE), N(cur, ONE)])
    return rows


@book("blind3_many_kpis_sections")
def blind3_many_kpis_sections(path: Path) -> None:
    _table(path, _many_rows())


LONG_NAME = (
    "Percentage of children and young people in care for 2.5 years or more, aged under 16, who have lived in the "
    "same placement for at least 2 years, or are placed for adoption and their adoptive placement together with "
    "their previous placement lasted for at least 2 years (%)"
)


@book("blind3_names_punctuation")
def blind3_names_punctuation(path: Path) -> None:
    _table(
        path,
        [
            ["NP01", "Rent collected.", "Higher", 98, 95, N(96.5, ONE), N(96.0, ONE)],
            ["NP02", "No. of FOI requests answered on time (%)", "Higher", 90, 80, N(86.0, ONE), N(84.0, ONE)],
            ["NP03", 'Tenants rating repairs "good" or better (%)', "Higher", 85, 75, N(80.0, ONE), N(81.0, ONE)],
            ["NP04", "Repairs & maintenance jobs done on time (%)", "Higher", 90, 80, N(82.0, ONE), N(83.0, ONE)],
            ["NP05", LONG_NAME, "Higher", 70, 60, N(66.0, ONE), N(65.0, ONE)],
            [
                "NP06",
                "Children's homes rated Good or Outstanding (Ofsted) (%)",
                "Higher",
                90,
                80,
                N(85.0, ONE),
                N(85.0, ONE),
            ],
        ],
    )


def _commentary(path: Path) -> None:
    _table(
        path,
        [
            [
                "CM01",
                "Adult safeguarding enquiries closed in 28 days (%)",
                "Higher",
                90,
                80,
                N(86.0, ONE),
                N(83.0, ONE),
                "Performance improved this month. The team is fully staffed.",
            ],
            [
                "CM02",
                "Reviews completed on time (%)",
                "Higher",
                90,
                80,
                N(84.0, ONE),
                N(85.0, ONE),
                "We met the target this month.",
            ],
            [
                "CM03",
                "Carers' assessments on time (%)",
                "Higher",
                90,
                80,
                N(88.0, ONE),
                N(86.0, ONE),
                "Performance fell as two officers left the team.",
            ],
        ],
        headers=[*HEAD, "Commentary"],
    )


@book("blind3_commentary_contradicts_hold")
def blind3_commentary_contradicts_hold(path: Path) -> None:
    _commentary(path)


@book("blind3_commentary_contradicts_flag")
def blind3_commentary_contradicts_flag(path: Path) -> None:
    _commentary(path)


@book("blind3_commentary_last_months")
def blind3_commentary_last_months(path: Path) -> None:
    # Last month's commentary left in the cell: it speaks of July to August, not August to September.
    _table(
        path,
        [
            [
                "CL01",
                "Homes re-let within 28 days (%)",
                "Higher",
                80,
                70,
                N(72.0, ONE),
                N(71.0, ONE),
                "Performance improved from 70.0% to 72.0% between July and August.",
            ],
            [
                "CL02",
                "Average days to re-let council homes",
                "Lower",
                20,
                25,
                N(23.0, ONE),
                N(24.0, ONE),
                "Re-let times fell to 23.0 days in August, the best this year.",
            ],
        ],
        headers=[*HEAD, "Commentary"],
    )


@book("blind3_cumulative_ytd_profile")
def blind3_cumulative_ytd_profile(path: Path) -> None:
    _table(
        path,
        [
            ["YT01", "Council tax collected, year to date (%)", "Higher", N(46.0, ONE), 45.5, N(54.0, ONE), 55.0],
            ["YT02", "Business rates collected, year to date (%)", "Higher", N(44.0, ONE), 45.0, N(56.0, ONE), 55.5],
        ],
        headers=["Ref", "Indicator", "Polarity", "Aug-24", "Aug-24 Target", "Sep-24", "Sep-24 Target"],
    )


@book("blind3_breakdown_by_area")
def blind3_breakdown_by_area(path: Path) -> None:
    _table(
        path,
        [
            ["AR01", "Reviews completed on time (%)", "North", "Higher", 90, 80, N(84.0, ONE), N(76.0, ONE)],
            ["AR01", "Reviews completed on time (%)", "South", "Higher", 90, 80, N(72.0, ONE), N(68.0, ONE)],
            ["AR01", "Reviews completed on time (%)", "East", "Higher", 90, 80, N(93.0, ONE), N(94.0, ONE)],
            ["AR02", "Delayed transfers of care (average days)", None, "Lower", 10, 15, N(12.0, ONE), N(13.0, ONE)],
        ],
        headers=["Ref", "Indicator", "Area", "Polarity", "Target", "Floor", "Aug-24", "Sep-24"],
    )


@book("blind3_spc_short_history")
def blind3_spc_short_history(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Scorecard")
    months = [D(dt.date(2024, m, 1)) for m in range(4, 10)]
    b.put(ws, "A1", [["Ref", "Indicator", "Polarity", "Target", "Floor", *months]])
    b.put(
        ws,
        "A2",
        [
            ["SP01", "Initial health assessments in 20 days (%)", "Higher", 85, 75, 70.0, 72.0, 74.0, 76.0, 78.0, 80.0],
            [
                "SP02",
                "Missing episodes with a return interview (%)",
                "Higher",
                85,
                75,
                80.0,
                60.0,
                82.0,
                81.0,
                79.0,
                55.0,
            ],
        ],
        col_fmt={i: ONE for i in range(5, 11)},
    )
    b.close()


@book("blind3_period_named_by_rules")
def blind3_period_named_by_rules(path: Path) -> None:
    _table(
        path,
        [
            ["PN01", "Homes adapted within 6 months (%)", "Higher", 80, 70, N(74.0, ONE), N(76.0, ONE)],
            ["PN02", "Average days to fit a stairlift", "Lower", 30, 40, N(35.0, ONE), N(42.0, ONE)],
        ],
        headers=["Ref", "Indicator", "Polarity", "Target", "Floor", "Last month", "This month"],
    )


@book("blind3_quarterly_periods")
def blind3_quarterly_periods(path: Path) -> None:
    _table(
        path,
        [
            [
                "QP01",
                "Major planning applications decided in 13 weeks (%)",
                "Higher",
                80,
                70,
                N(75.0, ONE),
                N(78.0, ONE),
            ],
            ["QP02", "Average weeks to decide minor applications", "Lower", 8, 10, N(11.0, ONE), N(10.5, ONE)],
        ],
        headers=["Ref", "Indicator", "Polarity", "Target", "Floor", "Q1 2024/25", "Q2 2024/25"],
    )


@book("blind3_weekly_periods")
def blind3_weekly_periods(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Weekly")
    weeks = [
        D(dt.date(2024, 8, 5), "dd/mm/yyyy"),
        D(dt.date(2024, 8, 12), "dd/mm/yyyy"),
        D(dt.date(2024, 8, 19), "dd/mm/yyyy"),
    ]
    b.put(ws, "A1", [["Ref", "Indicator", "Polarity", "Target", "Floor", *weeks]])
    b.put(
        ws,
        "A2",
        [
            ["WK01", "Calls answered within 60 seconds (%)", "Higher", 80, 70, 78.0, 76.0, 72.0],
            ["WK02", "Average days to process a claim", "Lower", 10, 14, 12.0, 11.0, 13.0],
        ],
        col_fmt={i: ONE for i in range(5, 8)},
    )
    b.close()


@book("blind3_percent_format_whole")
def blind3_percent_format_whole(path: Path) -> None:
    # Fractions in '0%' cells and no decimals in the rules: 0.796 is shown 80% (on the floor), 0.8951 is 90%.
    pct = "0%"
    _table(
        path,
        [
            ["PF01", "Annual reviews completed (%)", "Higher", 90, 80, N(0.83, pct), N(0.796, pct)],
            ["PF02", "Carers offered a review (%)", "Higher", 90, 80, N(0.884, pct), N(0.8951, pct)],
            ["PF03", "Care packages started on time (%)", "Higher", 90, 80, N(0.801, pct), N(0.7949, pct)],
        ],
    )


@book("blind3_pounds_shown_in_millions")
def blind3_pounds_shown_in_millions(path: Path) -> None:
    millions, thousands = '£#,##0.0,,"m"', '£#,##0,"k"'
    _table(
        path,
        [
            [
                "MP01",
                "Savings delivered to date",
                "Higher",
                N(1500000, millions),
                N(1000000, millions),
                N(1180000, millions),
                N(1420000, millions),
            ],
            [
                "MP02",
                "Agency staff spend in month",
                "Lower",
                N(300000, thousands),
                N(400000, thousands),
                N(320000, thousands),
                N(410000, thousands),
            ],
        ],
    )


@book("blind3_target_raised_same_figure")
def blind3_target_raised_same_figure(path: Path) -> None:
    # The target rises from 85 in August to 90 in September: the same 85.0% moves Green to Amber.
    _table(
        path,
        [
            ["TG01", "Pupils attending a good school (%)", "Higher", 80, N(85.0, ONE), 85, N(85.0, ONE), 90],
            [
                "TG02",
                "Education health and care plans in 20 weeks (%)",
                "Higher",
                80,
                N(86.0, ONE),
                85,
                N(87.0, ONE),
                90,
            ],
        ],
        headers=["Ref", "Indicator", "Polarity", "Floor", "Aug-24", "Aug-24 Target", "Sep-24", "Sep-24 Target"],
    )


@book("blind3_red_to_amber_changes")
def blind3_red_to_amber_changes(path: Path) -> None:
    _table(
        path,
        [
            ["RA01", "Initial assessments in 10 days (%)", "Higher", 90, 80, N(75.0, ONE), N(85.0, ONE)],
            [
                "RA02",
                "Average days to complete a disabled facilities grant",
                "Lower",
                20,
                25,
                N(30.0, ONE),
                N(24.0, ONE),
            ],
            [
                "RA03",
                "Occupancy of extra care housing against plan (%)",
                "Target",
                100,
                None,
                N(94.0, ONE),
                N(97.0, ONE),
            ],
            ["RA04", "Reablement completed within 6 weeks (%)", "Higher", 90, 80, N(85.0, ONE), N(95.0, ONE)],
        ],
    )


@book("blind3_rules_period_disagrees")
def blind3_rules_period_disagrees(path: Path) -> None:
    _table(
        path,
        [
            ["RP01", "Homes adapted within 6 months (%)", "Higher", 80, 70, N(74.0, ONE), N(76.0, ONE)],
            ["RP02", "Average days to fit a stairlift", "Lower", 30, 40, N(35.0, ONE), N(42.0, ONE)],
        ],
    )


@book("blind3_floor_only_target_only")
def blind3_floor_only_target_only(path: Path) -> None:
    _table(
        path,
        [
            ["FO01", "Care leavers in suitable accommodation (%)", "Higher", None, 80, N(78.0, ONE), N(82.0, ONE)],
            ["FO02", "Personal education plans up to date (%)", "Higher", 90, None, N(92.0, ONE), N(88.0, ONE)],
            ["FO03", "Average days to allocate a social worker", "Lower", None, 25, N(24.0, ONE), N(26.0, ONE)],
        ],
    )


@book("blind3_period_flag_names_previous_month")
def blind3_period_flag_names_previous_month(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Scorecard")
    months = [D(dt.date(2024, m, 1)) for m in (7, 8, 9)]
    b.put(ws, "A1", [["Ref", "Indicator", "Polarity", "Target", "Floor", *months]])
    b.put(
        ws,
        "A2",
        [
            ["PF11", "Care leavers in education (%)", "Higher", 60, 50, N(48.0, ONE), N(55.0, ONE), N(61.0, ONE)],
            ["PF12", "Average days to complete a review", "Lower", 20, 25, N(26.0, ONE), N(22.0, ONE), N(19.0, ONE)],
        ],
    )
    b.close()


@book("blind3_count_noun_one")
def blind3_count_noun_one(path: Path) -> None:
    _table(
        path,
        [
            ["CN01", "Families in bed and breakfast for over 6 weeks", "Lower", 0, 2, N(3, "0"), N(1, "0")],
            ["CN02", "Complaints upheld by the Ombudsman", "Lower", 0, 2, N(1, "0"), N(1, "0")],
        ],
    )
