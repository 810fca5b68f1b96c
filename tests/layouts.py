"""Workbooks laid out unlike the sample, each refreshed by writing only a rules file for it.

Each layout writes its workbook with XlsxWriter (as Excel lays files out) and carries its rules
and what a correct refresh must produce, so the batch, ribbon and formula tests share them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter


@dataclass(frozen=True)
class Layout:
    name: str
    suffix: str
    rules: str
    build: Callable[[Path], None]
    sheet: str
    expected: dict[str, tuple[str, str]]  # KPI id -> (RAG, direction text)
    period: tuple[str | None, str | None]


# --- 1. history of months, fractions formatted as percentages, sheet not first, title rows, no RAG/DOT columns


def _monthly(path: Path) -> None:
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    book.add_worksheet("About").write(0, 0, "Team performance pack: see the KPIs sheet")
    ws = book.add_worksheet("KPIs")
    pct = book.add_format({"num_format": "0.0%"})
    month = book.add_format({"num_format": "mmm-yy", "bold": True})
    bold = book.add_format({"bold": True})
    ws.write(0, 0, "District Team Scorecard", bold)
    ws.write(1, 0, "Figures to end of June 2018")
    headers = ["Measure ID", "Description", "Good is", "Goal", "Minimum"]
    ws.write_row(3, 0, headers, bold)
    months = [dt.datetime(2018, m, 1) for m in range(1, 8)]  # Jan..Jul; July not yet filled
    for i, m in enumerate(months):
        ws.write_datetime(3, 5 + i, m, month)
    rows = [
        ("D1", "Assessments completed within 45 days", "High", 0.85, 0.75, [0.70, 0.72, 0.78, 0.80, 0.83, 0.861]),
        ("D2", "Re-referrals within 12 months", "Low", 0.22, 0.25, [0.24, 0.23, 0.23, 0.231, 0.229, 0.262]),
        ("D3", "Children seen alone at visit", "High", 0.90, 0.80, [0.91, 0.90, 0.92, 0.905, 0.90, 0.90]),
        ("D4", "Strategy discussions held", None, None, None, [41, 38, 44, 40, 37, 45]),
    ]
    for r, (kid, name, good, goal, minimum, values) in enumerate(rows, start=4):
        ws.write(r, 0, kid)
        ws.write(r, 1, name)
        if good:
            ws.write(r, 2, good)
            ws.write_number(r, 3, goal, pct)
            ws.write_number(r, 4, minimum, pct)
        for i, v in enumerate(values):
            ws.write_number(r, 5 + i, v, pct if kid != "D4" else None)
    book.close()


MONTHLY = Layout(
    name="monthly-history",
    suffix=".xlsx",
    rules="""\
version: 1
title: District Team Scorecard
layout:
  sheet: KPIs
  history: true
  columns: {id: Measure ID, name: Description, polarity: Good is, target: Goal, floor: Minimum}
""",
    build=_monthly,
    sheet="KPIs",
    expected={
        "D1": ("Green", "↑ improved"),
        "D2": ("Red", "↓ declined"),
        "D3": ("Green", "→ same"),
        "D4": ("Not rated", "↑ increased"),
    },
    period=("June 2018", "May 2018"),
)


# --- 2. targets only in the rules, header lower down, RAG column of formulas with cached results


def _formulas(path: Path) -> None:
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    ws = book.add_worksheet("Dashboard")
    bold = book.add_format({"bold": True, "bottom": 1})
    for r, text in enumerate(["Adult Social Care", "Monthly dashboard", "Owner: Performance Team", "", "", ""]):
        ws.write(r, 0, text)
    ws.write_row(6, 0, ["Code", "KPI", "Last month", "This month", "RAG status", "Trend"], bold)
    data = [
        ("ASC1", "Reviews completed on time (%)", 62.0, 71.5, "Amber"),
        ("ASC2", "Delayed transfers of care (days)", 410, 380, "Green"),
        ("ASC3", "Carers assessed (%)", 55.0, 48.0, "Red"),
        ("ASC4", "Permanent admissions to care homes (per 100k)", 590.0, 640.0, "Green"),
    ]
    for r, (code, name, last, this, rag) in enumerate(data, start=7):
        ws.write(r, 0, code)
        ws.write(r, 1, name)
        ws.write_number(r, 2, last)
        ws.write_number(r, 3, this)
        # the analyst's own RAG formula (a simple one); its cached result is what Excel last computed
        ws.write_formula(r, 4, f'=IF(D{r + 1}>=75,"Green",IF(D{r + 1}>=60,"Amber","Red"))', None, rag)
    book.close()


FORMULAS = Layout(
    name="rag-formulas",
    suffix=".xlsx",
    rules="""\
version: 1
title: Adult Social Care Dashboard
layout:
  sheet: Dashboard
  columns: {id: Code, name: KPI, current: This month, previous: Last month, rag: RAG status, direction: Trend}
period: {current: March 2019}
defaults: {unit: number}
kpis:
  - {id: ASC1, polarity: higher, target: 75, floor: 60, unit: percent}
  - {id: ASC2, polarity: lower, target: 350, floor: 420, unit: days, decimals: 0}
  - {id: ASC3, polarity: higher, target: 60, floor: 50, unit: percent}
  - {id: ASC4, polarity: lower, target: 580, floor: 620, decimals: 0}
""",
    build=_formulas,
    sheet="Dashboard",
    expected={
        "ASC1": ("Amber", "↑ improved"),
        "ASC2": ("Amber", "↑ improved"),
        "ASC3": ("Red", "↓ declined"),
        "ASC4": ("Red", "↓ declined"),
    },
    period=("March 2019", "February 2019"),
)


# --- 3. a macro workbook: two-sided KPI, no-data marks and Excel errors, polarity words, first sheet


def _macros(path: Path) -> None:
    from xlwings_vba import vba_project

    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    ws = book.add_worksheet("Performance")
    ws.write_row(0, 0, ["ID", "Measure", "Direction", "Target", "Floor", "Q4 2018", "Q1 2019", "Notes"])
    data = [
        ("P1", "Average occupancy (%)", "T", 92, None, 88.0, 91.0, "Near the planned level."),
        ("P2", "Complaints upheld", "Lower", 5, 10, 6, "N/A", "Figures delayed."),
        ("P3", "Budget variance (%)", "Target", 0, None, 3.5, -0.5, "=SUM(1,2) is not a formula here"),
        ("P4", "Calls answered in 20s (%)", "Higher", 80, 70, 81.0, "#DIV/0!", ""),
    ]
    for r, row in enumerate(data, start=1):
        for c, v in enumerate(row):
            if v is None:
                continue
            if c == 6 and v == "#DIV/0!":
                ws.write_formula(r, c, "=1/0", None, "#DIV/0!")
            elif isinstance(v, str) and v.startswith("="):
                ws.write_string(r, c, v)
            else:
                ws.write(r, c, v)
    book.add_vba_project(str(vba_project()))
    book.close()


MACROS = Layout(
    name="macro-workbook",
    suffix=".xlsm",
    rules="""\
version: 1
title: Facilities Quarterly
layout:
  columns: {id: ID, name: Measure, polarity: Direction, target: Target, floor: Floor,
            current: Q1 2019, previous: Q4 2018, commentary: Notes}
period: {current: Q1 2019, previous: Q4 2018}
kpis:
  - {id: P1, green_within: 2, amber_within: 5}
  - {id: P3, green_within: 1, amber_within: 3}
""",
    build=_macros,
    sheet="Performance",
    expected={
        "P1": ("Green", "↑ improved"),
        "P2": ("No data", ""),
        "P3": ("Green", "↑ improved"),
        "P4": ("No data", ""),
    },
    period=("Q1 2019", "Q4 2018"),
)

LAYOUTS = [MONTHLY, FORMULAS, MACROS]


def make(layout: Layout, folder: Path) -> tuple[Path, Path]:
    """Write the layout's workbook and rules into ``folder``; returns (workbook, rules)."""
    book = folder / f"{layout.name}{layout.suffix}"
    layout.build(book)
    rules = folder / f"{layout.name}.yaml"
    rules.write_text(layout.rules, encoding="utf-8")
    return book, rules
