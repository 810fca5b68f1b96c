"""Periods: --period of the wrong kind, weekly scorecards (week-commencing dates, week numbers, week ended),
and a first return with a single period."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from council.registry import book
from council.xl import PCT, Book, D, N, T, month

WEEKS = [dt.date(2024, 7, 29) + dt.timedelta(days=7 * i) for i in range(4)]  # Mondays: 29 Jul ... 19 Aug 2024
DMY = "dd/mm/yyyy"


def _planning(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Planning")
    b.put(ws, "A1", [[T("Development Management – speed of decisions")]])
    b.put(ws, "A2", [["Ref", "Indicator", "Target", "Floor", *[D(month(2024, m)) for m in range(4, 10)], "RAG"]])
    b.put(
        ws,
        "A3",
        [
            ["PL01", "% of major applications decided in time", 60, 50, 70.0, 66.7, 75.0, 80.0, 66.7, 75.0],
            ["PL02", "% of minor applications decided in time", 70, 60, 71.2, 69.0, 73.5, 68.8, 72.5, 68.2],
            ["PL03", "% of other applications decided in time", 80, 70, 82.0, 81.5, 79.0, 83.3, 79.9, 81.3],
        ],
    )
    b.close()


@book("planning_period_quarter_over_months")
def planning_period_quarter_over_months(path: Path) -> None:
    _planning(path)


@book("planning_period_right_kind")
def planning_period_right_kind(path: Path) -> None:
    _planning(path)


@book("revenues_period_week_over_months")
def revenues_period_week_over_months(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Revenues")
    b.put(ws, "A1", [["Ref", "Measure", "Polarity", "Target", "Floor", D(month(2024, 7)), D(month(2024, 8)), "RAG"]])
    b.put(
        ws,
        "A2",
        [
            ["RV01", "Council tax collected in month (%)", "Higher", 9.5, 9.0, 9.7, 9.4],
            ["RV02", "Average days to process change of circumstances", "Lower", 8, 10, 8.8, 7.9],
        ],
    )
    b.close()


@book("planning_period_month_over_quarters")
def planning_period_month_over_quarters(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Planning")
    quarters = ["Q3 2023/24", "Q4 2023/24", "Q1 2024/25", "Q2 2024/25"]
    b.put(ws, "A1", [["Ref", "Indicator", "Target", "Floor", *quarters, "RAG"]])
    b.put(
        ws,
        "A2",
        [
            ["PQ01", "% of major applications decided in time", 60, 50, 71.4, 68.0, 70.6, 76.9],
            ["PQ02", "% of non-major applications decided in time", 70, 60, 74.0, 72.2, 69.5, 73.1],
        ],
    )
    b.close()


def _weekly(path: Path, headers: list, label: str | None) -> None:
    """The same weekly NHS sitrep with the week columns headed as ``headers``."""
    b = Book(path)
    ws = b.sheet("Weekly Sitrep")
    b.put(ws, "A1", [[T("Urgent and emergency care – weekly position")]])
    if label:
        ws.merge_range("D2:G2", label, b.fmt(bold=True, align="center"))
    b.put(ws, "A3", [["Ref", "Metric", "Target", *headers, "RAG"]])
    b.put(
        ws,
        "A4",
        [
            ["W01", "A&E 4-hour performance (%)", N(0.78, PCT), *[N(v, PCT) for v in (0.752, 0.769, 0.781, 0.774)]],
            ["W02", "Ambulance handovers over 60 minutes", 0, 41, 37, 29, 33],
            ["W03", "G&A bed occupancy (%)", N(0.92, PCT), *[N(v, PCT) for v in (0.948, 0.951, 0.939, 0.927)]],
            ["W04", "Patients with no criteria to reside", 90, 112, 108, 97, 88],
        ],
    )
    b.close()


@book("nhs_weekly_wc_dates")
def nhs_weekly_wc_dates(path: Path) -> None:
    _weekly(path, [D(w, DMY) for w in WEEKS], "Week commencing")


@book("nhs_weekly_week_numbers")
def nhs_weekly_week_numbers(path: Path) -> None:
    _weekly(path, [f"Week {n}" for n in (31, 32, 33, 34)], None)


@book("nhs_weekly_exact_dates_in_rules")
def nhs_weekly_exact_dates_in_rules(path: Path) -> None:
    _weekly(path, [D(w, DMY) for w in WEEKS], "Week commencing")


@book("nhs_period_quarter_over_weeks")
def nhs_period_quarter_over_weeks(path: Path) -> None:
    _weekly(path, [D(w, DMY) for w in WEEKS], "Week commencing")


@book("council_weekly_wc_text")
def council_weekly_wc_text(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Contact Centre")
    b.put(ws, "A1", [["Ref", "Measure", "Polarity", "Target", "Floor", *[f"w/c {w:%d/%m/%Y}" for w in WEEKS]]])
    b.put(
        ws,
        "A2",
        [
            ["CC01", "Calls answered within 60 seconds (%)", "Higher", 80, 70, 72.4, 75.1, 81.3, 79.0],
            ["CC02", "Call abandonment rate (%)", "Lower", 5, 8, 9.2, 7.7, 5.9, 4.8],
            ["CC03", "Average wait to answer (seconds)", "Lower", 60, 90, 104, 88, 71, 66],
        ],
    )
    b.close()


@book("ons_weekly_week_ended")
def ons_weekly_week_ended(path: Path) -> None:
    """ONS weekly deaths' shape: 'Week number' above 'Week ended' dates (Fridays), labels in column A."""
    b = Book(path)
    ws = b.sheet("Weekly figures 2024")
    b.put(ws, "A1", [["Contents"], [T("Weekly provisional figures on deaths registered in England and Wales")]])
    fridays = [dt.date(2024, 7, 26) + dt.timedelta(days=7 * i) for i in range(4)]
    b.put(ws, "A5", [["Week number", None, 30, 31, 32, 33], ["Week ended", None, *[D(f, "d-mmm-yy") for f in fridays]]])
    b.put(
        ws,
        "A8",
        [
            ["Total deaths, all ages", None, 9812, 9904, 9650, 9731],
            ["Total deaths: average of corresponding week over the previous 5 years", None, 9530, 9488, 9502, 9467],
            ["Deaths where the underlying cause was respiratory disease", None, 1032, 1011, 998, 1005],
        ],
        col_fmt={2: "#,##0", 3: "#,##0", 4: "#,##0", 5: "#,##0"},
    )
    b.close()


@book("asc_first_return_month")
def asc_first_return_month(path: Path) -> None:
    """April only: the first month of a new scorecard, the rest of the year laid out."""
    b = Book(path)
    ws = b.sheet("ASC Monthly")
    months = [D(month(2024, m)) for m in range(4, 13)] + [D(month(2025, m)) for m in range(1, 4)]
    b.put(ws, "A3", [["Ref", "Measure", "Polarity", "Target", "Floor", *months, "RAG"]])
    b.put(
        ws,
        "A4",
        [
            ["AS01", "New contacts resolved at the first point of contact (%)", "Higher", 70, 60, 72.5],
            ["AS02", "Reviews completed on time (%)", "Higher", 85, 75, 78.0],
            ["AS03", "People waiting for a Care Act assessment", "Lower", 150, 200, 212],
        ],
    )
    b.close()


@book("childrens_first_return_annual")
def childrens_first_return_annual(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Annual")
    b.put(ws, "A1", [["Ref", "Indicator", "Polarity", "Target", "Floor", "2023/24", "RAG"]])
    b.put(
        ws,
        "A2",
        [
            ["CH01", "Re-referrals to children's social care within 12 months (%)", "Lower", 20, 25, 22.4],
            ["CH02", "Child protection plans lasting 2 years or more (%)", "Lower", 3, 5, 2.1],
            ["CH03", "Care leavers aged 19-21 in education, employment or training (%)", "Higher", 60, 50, 48.0],
        ],
    )
    b.close()


@book("planning_first_quarter_no_previous")
def planning_first_quarter_no_previous(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Planning")
    b.put(ws, "A1", [["Ref", "Indicator", "Target", "Floor", "Q1 2024/25", "RAG"]])
    b.put(
        ws,
        "A2",
        [
            ["PL01", "% of major applications decided in time", 60, 50, 75.0],
            ["PL02", "% of minor applications decided in time", 70, 60, 68.2],
        ],
    )
    b.close()
