"""Layouts real files use: period labels in the row above the id header, one KPI per column with periods down
the rows (an NHS trend sheet, an ONS time series), a header text used twice, and one id with breakdowns."""

from __future__ import annotations

from pathlib import Path

from council.registry import book
from council.xl import PCT, Book, D, N, T, month


@book("benchmark_years_above_indicator")
def benchmark_years_above_indicator(path: Path) -> None:
    """Years typed one per column in the row above an 'Indicator' header whose cells under them are blank."""
    b = Book(path)
    ws = b.sheet("Indicators")
    b.put(ws, "A1", [[T("Education – local benchmarking indicators")]])
    b.put(ws, "C3", [["2021/22", "2022/23", "2023/24"]])
    b.put(ws, "A4", [["Indicator", "Description", None, None, None, "Polarity", "Target", "RAG"]])
    b.put(
        ws,
        "A5",
        [
            ["LG01", "Cost per primary school pupil (£)", 5420, 5610, 5795, "Lower", 5700],
            ["LG02", "% of adults satisfied with local schools", 71.2, 69.8, 72.4, "Higher", 70],
            ["LG03", "Sickness absence days per teacher", 6.1, 6.4, 6.0, "Lower", 6.2],
            ["LG04", "% of unemployed people assisted into work", 12.5, 13.8, 13.1, "Higher", 13],
        ],
    )
    b.close()


@book("water_company_years_above")
def water_company_years_above(path: Path) -> None:
    """Regulator-style: '2021-22' ... over 'Actual' columns, 'Company' as the id header below."""
    b = Book(path)
    ws = b.sheet("Leakage")
    b.put(ws, "A1", [[T("Leakage (Ml/d, three-year average)")]])
    b.put(ws, "C3", [["2021-22", "2022-23", "2023-24"]])
    b.put(ws, "A4", [["Company", "Name", "Actual", "Actual", "Actual", "Target", "RAG"]])
    b.put(
        ws,
        "A5",
        [
            ["ANH", "Anglian Water", 189.2, 185.0, 181.3, 183.0],
            ["NES", "Northumbrian Water", 133.0, 131.6, 132.4, 130.0],
            ["SRN", "Southern Water", 92.1, 93.5, 90.2, 91.0],
            ["TMS", "Thames Water", 590.1, 572.3, 566.0, 560.0],
            ["YKY", "Yorkshire Water", 280.4, 276.8, 274.1, 280.0],
        ],
    )
    b.close()


@book("months_above_actual")
def months_above_actual(path: Path) -> None:
    """Month dates in the row above, 'Actual' repeated under each in the header row."""
    b = Book(path)
    ws = b.sheet("Repairs")
    b.put(ws, "C4", [[D(month(2024, m)) for m in (7, 8, 9)]])
    b.put(ws, "A5", [["Ref", "Measure", "Actual", "Actual", "Actual", "Target", "Floor", "RAG"]])
    b.put(
        ws,
        "A6",
        [
            ["RP01", "Repairs completed right first time (%)", 86.0, 88.5, 87.2, 90, 85],
            ["RP02", "Average days to complete a routine repair", 18.2, 16.9, 15.1, 15, 20],
            ["RP03", "Emergency repairs attended within 4 hours (%)", 97.1, 98.3, 99.0, 98, 95],
        ],
    )
    b.close()


@book("nhs_ipr_kpis_in_columns")
def nhs_ipr_kpis_in_columns(path: Path) -> None:
    """A trust's trend sheet: one KPI per column; rows of ids, names, polarity, target and floor; then months."""
    b = Book(path)
    ws = b.sheet("Trend")
    b.put(ws, "A1", [[T("Integrated Performance Report – trend data")]])
    b.put(
        ws,
        "A3",
        [
            ["Indicator", "AE4HR", "RTT18", "CAN62", "DM01"],
            [
                "Description",
                "A&E within 4 hours (%)",
                "RTT within 18 weeks (%)",
                "Cancer 62-day (%)",
                "Diagnostics 6+ weeks (%)",
            ],
            ["Polarity", "Higher", "Higher", "Higher", "Lower"],
            ["Target", *[N(v, PCT) for v in (0.78, 0.92, 0.85, 0.05)]],
            ["Floor", *[N(v, PCT) for v in (0.76, 0.60, 0.75, 0.10)]],
        ],
    )
    series = {
        "AE4HR": (0.744, 0.751, 0.763, 0.758, 0.771, 0.782),
        "RTT18": (0.583, 0.585, 0.586, 0.589, 0.590, 0.592),
        "CAN62": (0.702, 0.688, 0.715, 0.731, 0.758, 0.749),
        "DM01": (0.231, 0.224, 0.219, 0.212, 0.205, 0.198),
    }
    rows = [[D(month(2024, 4 + i)), *[N(s[i], PCT) for s in series.values()]] for i in range(6)]
    b.put(ws, "A8", rows)
    b.close()


@book("ons_style_time_series")
def ons_style_time_series(path: Path) -> None:
    """ONS time-series download: Title/CDID/... rows, then years, quarters and months stacked in column A."""
    b = Book(path)
    ws = b.sheet("data")
    b.put(
        ws,
        "A1",
        [
            [
                "Title",
                "LFS: Unemployment rate: UK: All: Aged 16 and over: %: SA",
                "LFS: Employment rate: UK: All: Aged 16-64: %: SA",
                "LFS: Economic inactivity rate: UK: All: Aged 16-64: %: SA",
            ],
            ["CDID", "MGSX", "LF24", "LF2S"],
            ["Source dataset ID", "LMS", "LMS", "LMS"],
            ["PreUnit", None, None, None],
            ["Unit", "%", "%", "%"],
            ["Release date", "10-09-2024", "10-09-2024", "10-09-2024"],
            ["Next release", "15 October 2024", "15 October 2024", "15 October 2024"],
            ["Important notes", None, None, None],
            ["2021", 4.5, 75.4, 21.1],
            ["2022", 3.7, 75.6, 21.4],
            ["2023", 4.0, 75.7, 21.2],
            ["2023 Q3", 4.2, 75.6, 21.1],
            ["2023 Q4", 3.9, 75.0, 21.8],
            ["2024 Q1", 4.3, 74.5, 22.2],
            ["2024 Q2", 4.2, 74.8, 21.9],
            ["2024 MAR", 4.3, 74.5, 22.2],
            ["2024 APR", 4.4, 74.3, 22.3],
            ["2024 MAY", 4.4, 74.4, 22.3],
            ["2024 JUN", 4.2, 74.8, 21.9],
            ["2024 JUL", 4.1, 74.8, 22.0],
        ],
    )
    b.close()


@book("directorate_two_target_columns")
def directorate_two_target_columns(path: Path) -> None:
    """'Target' twice: last year's (C, under 2023/24) and this year's (E, under 2024/25)."""
    b = Book(path)
    ws = b.sheet("Place Directorate")
    centred = b.fmt(bold=True, align="center")
    ws.merge_range("C3:D3", "2023/24", centred)
    ws.merge_range("E3:G3", "2024/25", centred)
    b.put(ws, "A4", [["Ref", "Indicator", "Target", "Outturn", "Target", "Q1 2024/25", "Q2 2024/25", "RAG"]])
    b.put(
        ws,
        "A5",
        [
            ["PD01", "Major planning applications decided in time (%)", 60, 71.0, 65, 70.6, 63.2],
            ["PD02", "Category 1 highway defects repaired within 24 hours (%)", 95, 93.2, 97, 96.1, 97.4],
            ["PD03", "Building regulations applications checked within 5 weeks (%)", 85, 88.0, 90, 86.5, 91.0],
            ["PD04", "Street lighting faults fixed within 7 days (%)", 90, 92.1, 92, 90.8, 89.9],
        ],
    )
    b.close()


@book("asc_by_locality_breakdown_column")
def asc_by_locality_breakdown_column(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("ASC by area")
    b.put(ws, "A2", [["Ref", "Measure", "Area", "Target", "Floor", D(month(2024, 8)), D(month(2024, 9)), "RAG"]])
    reviews = "Reviews completed on time (%)"
    b.put(
        ws,
        "A3",
        [
            ["AR01", reviews, None, 85, 75, 80.2, 82.6],
            ["AR01", reviews, "North", 85, 75, 86.0, 88.1],
            ["AR01", reviews, "South", 85, 75, 77.5, 74.3],
            ["AR01", reviews, "East", 85, 75, 79.9, 85.2],
            ["AR01", reviews, "West", 85, 75, 78.0, 83.0],
            ["AR02", "Average days from referral to assessment", None, 28, 35, 31.0, 29.5],
        ],
    )
    b.close()


@book("childrens_by_age_band_detected")
def childrens_by_age_band_detected(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("CiN")
    b.put(ws, "A1", [[T("Children in need – rates per 10,000 children")]])
    b.put(ws, "A3", [["Ref", "Indicator", "Age band", "Target", "Floor", "Q1 2024/25", "Q2 2024/25"]])
    cin = "Rate of children in need per 10,000"
    b.put(
        ws,
        "A4",
        [
            ["CN01", cin, None, 330, 360, 341.2, 338.0],
            ["CN01", cin, "Under 1", 330, 360, 402.5, 395.1],
            ["CN01", cin, "1-4", 330, 360, 290.3, 301.8],
            ["CN01", cin, "5-9", 330, 360, 312.7, 331.0],
            ["CN01", cin, "10-15", 330, 360, 351.4, 344.9],
            ["CN01", cin, "16-17", 330, 360, 376.0, 352.2],
            ["CN02", "Children subject to a child protection plan per 10,000", None, 40, 50, 44.1, 41.7],
        ],
    )
    b.close()
