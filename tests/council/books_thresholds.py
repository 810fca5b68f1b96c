"""Targets and floors as councils type them: text in the cells beside a name column; targets only; two-sided."""

from __future__ import annotations

from pathlib import Path

from council.registry import book
from council.xl import ONE, PCT, Book, D, N, T, month


def _revenues(path: Path, name_header: str) -> None:
    b = Book(path)
    ws = b.sheet("Revenues")
    ws.set_column("B:B", 52)
    b.put(ws, "A1", [[T("Revenues and Benefits – Performance Scorecard")], ["Reporting period: June 2024"]])
    header = ["Ref", name_header, "Polarity", "Target", "Floor", D(month(2024, 5)), D(month(2024, 6)), "RAG"]
    b.put(ws, "A4", [[*header, "Commentary"]])
    b.put(
        ws,
        "A5",
        [
            ["RB01", "% of Council Tax payers paying by direct debit", "Higher", "95%", "90%", 94.2, 95.3],
            ["RB02", "Housing Benefit overpayments as a % of expenditure", "Lower", "≤1%", "1.5%", 1.2, 0.9],
            ["RB03", "Council Tax complaints upheld", "Lower", "Zero", 3, 2, 0],
            ["RB04", "Business rates reliefs awarded (£000)", None, "TBC", "n/a", 412, 438],
            ["RB05", "Change of circumstances outstanding over 28 days", "Lower", "nil", 25, 31, 12],
            ["RB06", "Average days to process new Housing Benefit claims", "Lower", "20 days or fewer", 25, 22.4, 19.8],
        ],
    )
    b.close()


@book("revenues_text_targets_named")
def revenues_text_targets_named(path: Path) -> None:
    _revenues(path, "Measure")


@book("revenues_text_targets_unnamed")
def revenues_text_targets_unnamed(path: Path) -> None:
    _revenues(path, "Performance measure")


@book("asc_text_thresholds_quarterly")
def asc_text_thresholds_quarterly(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("ASC Scorecard")
    b.put(ws, "A1", [[T("Adult Social Care – Quarterly Performance")]])
    b.put(ws, "A3", [["PI Ref", "Performance Indicator", "Good is", "Target", "Floor", "Q4 2023/24", "Q1 2024/25"]])
    b.put(ws, "H3", [["Status"]])
    rows = [
        ["ASC1", "Older people still at home 91 days after discharge into reablement", "High", "85%", "≥ 80%"],
        ["ASC2", "Permanent admissions to residential care, aged 65+, per 100,000", "Low", "Max 600", "650"],
        ["ASC3", "Adults with a learning disability in paid employment", "High", "6-8%", "At least 5%"],
        ["ASC4", "Carers' assessments completed within 28 days", "High", "90%", "TBC"],
        ["ASC5", "Safeguarding enquiries where the risk was removed or reduced", "High", "At least 90%", "85%"],
    ]
    figures = [
        (N(0.842, PCT), N(0.861, PCT)),
        (N(612.4, ONE), N(587.9, ONE)),
        (N(0.051, PCT), N(0.056, PCT)),
        (N(0.883, PCT), N(0.917, PCT)),
        (N(0.934, PCT), N(0.912, PCT)),
    ]
    b.put(ws, "A4", [[*row, *fig] for row, fig in zip(rows, figures, strict=True)])
    b.close()


@book("nhs_text_targets_metric")
def nhs_text_targets_metric(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("IPR")
    b.put(ws, "A1", [[T("Integrated Performance Report – Operational standards")]])
    b.put(ws, "A2", [["ID", "Metric", "Standard", D(month(2024, 8)), D(month(2024, 9)), "RAG"]])
    b.put(
        ws,
        "A3",
        [
            ["AE1", "4-hour A&E performance (all types)", "78%", N(0.746, PCT), N(0.781, PCT)],
            ["RTT1", "Incomplete pathways within 18 weeks", "92%", N(0.583, PCT), N(0.579, PCT)],
            ["MRSA", "MRSA bacteraemia, hospital onset (cases)", "Zero", 1, 0],
            ["DM1", "Patients waiting 6 weeks or more for a diagnostic test", "≤ 5%", N(0.212, PCT), N(0.198, PCT)],
            ["CDI", "C. difficile infections, hospital onset (cases)", "TBC", 4, 6],
        ],
    )
    b.close()


@book("waste_targets_only")
def waste_targets_only(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Waste")
    b.put(ws, "A1", [["Ref", "Indicator", "Target", D(month(2024, 7)), D(month(2024, 8)), "RAG", "DOT"]])
    b.put(
        ws,
        "A2",
        [
            ["WM01", "% of household waste sent for reuse, recycling and composting", 50, 51.2, 48.7],
            ["WM02", "Missed bins per 100,000 collections", 80, 85, 62],
            ["WM03", "% of fly-tips removed within 2 working days", 95, 95.0, 96.4],
            ["WM04", "Residual household waste per household (kg)", 42, 44.1, 43.5],
        ],
    )
    b.close()


@book("asc_two_sided")
def asc_two_sided(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Finance and Capacity")
    b.put(ws, "A1", [["Ref", "Measure", D(month(2024, 8)), D(month(2024, 9)), "RAG"]])
    b.put(
        ws,
        "A2",
        [
            ["ASC01", "Adult social care spend against budget to date (%)", 101.2, 103.4],
            ["ASC02", "Care home bed occupancy (%)", 87.0, 85.5],
            ["ASC03", "Proportion of people receiving direct payments (%)", 26.8, 27.1],
            ["ASC04", "Average weekly cost of a home care package (£)", 331.2, 304.5],
        ],
    )
    b.close()


@book("corporate_mixed_thresholds")
def corporate_mixed_thresholds(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Corporate")
    b.put(ws, "A1", [[T("Corporate Services Directorate – Performance Pack")], ["Quarter 2 2024/25"]])
    b.put(ws, "A5", [["Ref", "Indicator", "Polarity", "Target", "Floor", "Q1 2024/25", "Q2 2024/25", "RAG"]])
    b.put(
        ws,
        "A6",
        [
            ["CP01", "Sickness days lost per FTE (rolling 12 months)", "Lower", 8.5, 10, 9.1, 9.4],
            ["CP02", "% of FOI requests answered within 20 working days", "Higher", 90, None, 88.2, 91.5],
            ["CP03", "% of undisputed invoices paid within 30 days", "Higher", 95, 90, 96.0, 89.5],
            ["CP04", "Council website visits (000s)", None, None, None, 412, 398],
            ["CP05", "Staff turnover (%)", "Close to target", 12, None, 11.0, 16.5],
            ["CP06", "% of complaints responded to within 10 working days", "Higher", None, 80, 83.0, 78.0],
        ],
    )
    b.close()
