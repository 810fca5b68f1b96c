"""A second blind batch of council and NHS scorecards (issue 16), written without reading the reader.

Designed from how UK councils and trusts build their packs: an NHS integrated performance report with SPC columns
(mean, limits, variation and assurance as text) beside the months; RAG thresholds as 'Green >=' and 'Red <'
columns; targets written as ranges and tolerances; money as '£1.2m' and '£850k'; periods as month ranges, year to
date quarters, 'Month 6', 'P6' and financial-year weeks across the turn of the year; the same month last year as
the comparator; 'Previous' and 'Current' with the months in the row above; stacked tables, a chart's data beside
the table, a KPI written over two rows, ids with stray spaces and case, ids duplicated by mistake, an analyst's
RAG formulas, blank rows, a table from column C, a protected sheet, dates typed as text, the 1904 date system,
external links and defined names, and Welsh bilingual headers.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from council.registry import book
from council.xl import Book, D, F, N, month

HEAD = ["Ref", "Indicator", "Polarity", "Target", "Floor"]
# The three KPIs most cases share, with the previous and current figures (rated by hand in the truth files).
BASE = [
    ["RV01", "Council tax collected in month (%)", "Higher", 90, 85, 88.0, 91.0],
    ["RV02", "Average days to process new benefit claims", "Lower", 20, 25, 19.0, 26.0],
    ["RV03", "Complaints answered within 10 days (%)", "Higher", 95, 90, 96.0, 92.0],
]
HOUSING = [
    ["HO01", "Homes re-let within 28 days (%)", "Higher", 80, 70, 72.0, 81.0],
    ["HO02", "Households in B&B for over 6 weeks", "Lower", 0, 5, 3, 7],
]


def _simple(path: Path, sheet: str, headers: list, rows: list, top_left: str = "A1") -> None:
    b = Book(path)
    ws = b.sheet(sheet)
    b.put(ws, top_left, [headers, *rows])
    b.close()


@book("blind2_ipr_spc_columns")
def blind2_ipr_spc_columns(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("IPR")
    months = [D(month(2024, m)) for m in range(4, 10)]
    b.put(ws, "A1", [["Ref", "Metric", "Standard", *months, "Mean", "UCL", "LCL", "Variation", "Assurance"]])
    b.put(
        ws,
        "A2",
        [
            [
                "ED01",
                "A&E 4-hour performance (%)",
                78,
                74.0,
                75.2,
                76.1,
                77.0,
                76.4,
                78.3,
                76.2,
                79.9,
                72.5,
                "Common cause",
                "Hit and miss",
            ],
            [
                "CN01",
                "Cancer 62-day treatment (%)",
                85,
                68.1,
                70.2,
                66.0,
                69.5,
                71.0,
                67.4,
                68.7,
                74.6,
                62.8,
                "Common cause",
                "Consistently failing",
            ],
            [
                "RT01",
                "RTT waits over 52 weeks",
                0,
                412,
                398,
                377,
                350,
                341,
                329,
                367.8,
                401.0,
                334.6,
                "Special cause improving",
                "Consistently failing",
            ],
        ],
    )
    b.close()


def _boundary(path: Path) -> None:
    _simple(
        path,
        "Scorecard",
        ["Ref", "Indicator", "Green >=", "Red <", "Aug-24", "Sep-24"],
        [
            ["GB01", "Invoices paid within 30 days (%)", 95, 90, 93.0, 96.0],
            ["GB02", "Street lights repaired within 7 days (%)", 90, 80, 91.0, 79.5],
        ],
    )


@book("blind2_rag_boundary_columns_minimal")
def blind2_rag_boundary_columns_minimal(path: Path) -> None:
    _boundary(path)


@book("blind2_rag_boundary_columns_named")
def blind2_rag_boundary_columns_named(path: Path) -> None:
    _boundary(path)


@book("blind2_target_ranges_tolerance")
def blind2_target_ranges_tolerance(path: Path) -> None:
    _simple(
        path,
        "Finance and Flow",
        [*HEAD, "Aug-24", "Sep-24"],
        [
            ["TR01", "General and acute bed occupancy (%)", "Close to target", "85-90%", None, 88.0, 93.0],
            ["TR02", "Budget variance (%)", "Target", "0% +/- 2%", None, 1.5, -3.0],
            ["TR03", "Staff appraisals completed (%)", "Higher", 90, 80, 85.0, 90.0],
        ],
    )


@book("blind2_pounds_text_figures")
def blind2_pounds_text_figures(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Finance")
    millions = '£#,##0.0,,"m"'
    thousands = '£#,##0,"k"'
    b.put(ws, "A1", [[*HEAD, "Aug-24", "Sep-24"]])
    b.put(
        ws,
        "A2",
        [
            ["FN01", "Forecast overspend", "Lower", 0, 500000, "£850k", "£1.2m"],
            ["FN02", "Savings delivered", "Higher", "£2.0m", "£1.5m", N(1650000, millions), N(2100000, millions)],
            [
                "FN03",
                "Agency staff spend",
                "Lower",
                N(300000, thousands),
                N(350000, thousands),
                N(320000, thousands),
                N(290000, thousands),
            ],
        ],
    )
    b.close()


def _periods(path: Path, headers: list, figures: list[list], sheet: str = "Scorecard", title: str | None = None):
    b = Book(path)
    ws = b.sheet(sheet)
    top = "A1"
    if title:
        b.put(ws, "A1", [[title]])
        top = "A3"
    rows = [[*kpi[:5], *fig] for kpi, fig in zip(BASE, figures, strict=True)]
    b.put(ws, top, [[*HEAD, *headers], *rows])
    b.close()


QUARTERS = [[88.0, 91.0, None], [19.0, 26.0, None], [96.0, 92.0, None]]


@book("blind2_period_month_range_quarters")
def blind2_period_month_range_quarters(path: Path) -> None:
    _periods(path, ["Apr 2024 - Jun 2024", "Jul 2024 - Sep 2024", "Oct 2024 - Dec 2024"], QUARTERS)


@book("blind2_period_ytd_quarters")
def blind2_period_ytd_quarters(path: Path) -> None:
    _periods(path, ["2024/25 Q1 YTD", "2024/25 Q2 YTD", "2024/25 Q3 YTD"], QUARTERS)


MONTHLY3 = [[86.0, 88.0, 91.0], [22.0, 19.0, 26.0], [97.0, 96.0, 92.0]]


@book("blind2_period_month_numbers")
def blind2_period_month_numbers(path: Path) -> None:
    _periods(path, ["Month 4", "Month 5", "Month 6"], MONTHLY3, title="Revenues and Benefits 2024/25")


@book("blind2_period_finance_p_numbers")
def blind2_period_finance_p_numbers(path: Path) -> None:
    _periods(path, ["P4 24/25", "P5 24/25", "P6 24/25"], MONTHLY3)


@book("blind2_weeks_across_financial_year")
def blind2_weeks_across_financial_year(path: Path) -> None:
    _periods(
        path,
        ["Week 51 2024/25", "Week 52 2024/25", "Week 1 2025/26", "Week 2 2025/26"],
        [[86.0, 87.0, 88.0, 91.0], [21.0, 22.0, 19.0, 26.0], [97.0, 95.0, 96.0, 92.0]],
    )


@book("blind2_same_month_last_year_comparator")
def blind2_same_month_last_year_comparator(path: Path) -> None:
    _periods(path, ["Sep-23", "Aug-24", "Sep-24"], [[88.0, 93.5, 91.0], [19.0, 27.5, 26.0], [96.0, 91.0, 92.0]])


@book("blind2_words_previous_current_period_above")
def blind2_words_previous_current_period_above(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Scorecard")
    b.put(ws, "A1", [["Revenues scorecard"]])
    b.put(ws, "F2", [["Aug-24", "Sep-24"]])
    b.put(ws, "A3", [[*HEAD, "Previous", "Current"], *BASE])
    b.close()


@book("blind2_stacked_tables_repeated_header")
def blind2_stacked_tables_repeated_header(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Scorecard")
    header = [*HEAD, "Aug-24", "Sep-24"]
    b.put(ws, "A1", [["Revenues and Benefits"], header, *BASE])
    b.put(ws, "A7", [["Housing"], header, *HOUSING])
    b.close()


@book("blind2_table_beside_chart_data")
def blind2_table_beside_chart_data(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Scorecard")
    b.put(ws, "A1", [[*HEAD, "Jul-24", "Aug-24", "Sep-24"]])
    b.put(ws, "A2", [[*k[:5], m[0], *k[5:]] for k, m in zip(BASE, MONTHLY3, strict=True)])
    b.put(ws, "K1", [["Month", "Collected", "Profile"]])
    chart = [(4, 84.0, 85.0), (5, 85.5, 86.0), (6, 86.0, 87.0), (7, 86.0, 88.0), (8, 88.0, 89.0), (9, 91.0, 90.0)]
    b.put(ws, "K2", [[D(month(2024, m)), a, p] for m, a, p in chart])
    chart_obj = b.wb.add_chart({"type": "line"})
    chart_obj.add_series({"categories": "=Scorecard!$K$2:$K$7", "values": "=Scorecard!$L$2:$L$7"})
    ws.insert_chart("K10", chart_obj)
    b.close()


@book("blind2_name_over_two_rows")
def blind2_name_over_two_rows(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Scorecard")
    b.put(ws, "A1", [[*HEAD, "Aug-24", "Sep-24"]])
    names = [
        ("Council tax collected in month", "(% of net collectable debit)"),
        ("Average days to process new", "benefit claims"),
        ("Complaints answered within", "10 days (%)"),
    ]
    fmt = b.fmt(valign="top")
    for i, (kpi, (first, second)) in enumerate(zip(BASE, names, strict=True)):
        top = 2 + 2 * i  # 1-based row of the KPI's first line
        for col in (0, 2, 3, 4):
            ws.merge_range(top - 1, col, top, col, kpi[col], fmt)
        b.put(ws, f"B{top}", [[first], [second]])
        b.put(ws, f"F{top}", [kpi[5:]])
    b.close()


@book("blind2_ids_stray_spaces_and_case")
def blind2_ids_stray_spaces_and_case(path: Path) -> None:
    _simple(
        path,
        "Scorecard",
        ["Ref\u00a0", "Indicator ", " Aug-24", "Sep-24\u00a0"],
        [
            ["RV01 ", BASE[0][1], 88.0, 91.0],
            ["RV02\u00a0", BASE[1][1], 19.0, 26.0],
            ["rv03", BASE[2][1], 96.0, 92.0],
        ],
    )


def _duplicate(path: Path, third: list) -> None:
    _simple(path, "Scorecard", [*HEAD, "Aug-24", "Sep-24"], [BASE[0], BASE[1], third])


@book("blind2_duplicate_id_typo")
def blind2_duplicate_id_typo(path: Path) -> None:
    _duplicate(path, ["RV02", *BASE[2][1:]])


@book("blind2_duplicate_row_pasted_twice")
def blind2_duplicate_row_pasted_twice(path: Path) -> None:
    _duplicate(path, list(BASE[1]))


@book("blind2_formula_rag_disagrees")
def blind2_formula_rag_disagrees(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Scorecard")
    b.put(ws, "A1", [[*HEAD, "Aug-24", "Sep-24", "RAG"]])
    cached = ["Green", "Green", "Amber"]  # RV01 against the sheet's 90; RV02 by a higher-is-better formula
    rows = []
    for r, (kpi, rag) in enumerate(zip(BASE, cached, strict=True), start=2):
        formula = f'=IF(G{r}>=D{r},"Green",IF(G{r}>=E{r},"Amber","Red"))'
        rows.append([*kpi, F(formula, rag)])
    b.put(ws, "A2", rows)
    b.close()


@book("blind2_blank_rows_inside_minimal")
def blind2_blank_rows_inside_minimal(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Scorecard")
    b.put(ws, "A1", [[*HEAD, "Aug-24", "Sep-24"], BASE[0], BASE[1], [], BASE[2], [], [], *HOUSING])
    b.close()


@book("blind2_table_from_column_c_notes_in_a")
def blind2_table_from_column_c_notes_in_a(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Scorecard")
    notes = [
        "Notes",
        "1. Figures for September are provisional.",
        "2. RV02 excludes claims suspended for evidence.",
        "3. Targets agreed by Cabinet, March 2024.",
        "4. Contact: performance@example.gov.uk",
    ]
    b.put(ws, "A1", [[n] for n in notes])
    b.put(ws, "C2", [[*HEAD, "Aug-24", "Sep-24"], *BASE])
    ws.set_column(0, 0, 40)
    b.close()


@book("blind2_protected_sheet_by_locality")
def blind2_protected_sheet_by_locality(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Adult Social Care")
    b.put(
        ws,
        "A1",
        [
            ["Ref", "Locality", "Indicator", "Polarity", "Target", "Floor", "Aug-24", "Sep-24"],
            ["AS01", "North", "Reviews completed on time (%)", "Higher", 90, 80, 92.0, 85.0],
            ["AS01", "South", "Reviews completed on time (%)", "Higher", 90, 80, 91.0, 78.0],
            ["AS02", None, "Delayed discharges (average days)", "Lower", 10, 15, 12.0, 9.0],
        ],
    )
    ws.protect("council", {"format_cells": False})
    b.close()


@book("blind2_dates_text_day_first")
def blind2_dates_text_day_first(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Scorecard")
    b.put(ws, "A1", [[*HEAD, "01/07/2024", "01/08/2024", "01/09/2024"]])
    b.put(ws, "A2", [[*k[:5], *m] for k, m in zip(BASE, MONTHLY3, strict=True)])
    b.close()


@book("blind2_date_system_1904")
def blind2_date_system_1904(path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path), {"date_1904": True, "in_memory": True})
    ws = wb.add_worksheet("Scorecard")
    month_fmt = wb.add_format({"num_format": "mmm-yy"})
    for c, text in enumerate(HEAD):
        ws.write_string(0, c, text)
    for i, m in enumerate((7, 8, 9)):
        ws.write_datetime(0, 5 + i, dt.datetime(2024, m, 1), month_fmt)
    for r, (kpi, figures) in enumerate(zip(BASE, MONTHLY3, strict=True), start=1):
        for c, value in enumerate([*kpi[:5], *figures]):
            ws.write(r, c, value)
    wb.close()


@book("blind2_external_links_defined_names")
def blind2_external_links_defined_names(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Scorecard")
    b.put(ws, "A1", [[*HEAD, "Aug-24", "Sep-24"]])
    rows = []
    for r, kpi in enumerate(BASE, start=2):
        rows.append(
            [
                *kpi[:3],
                F(f"=Targets!B{r}", kpi[3]),
                F(f"=Targets!C{r}", kpi[4]),
                F(f"='[Revenues Extract 2024-25.xlsx]Aug'!$D${r + 10}", kpi[5]),
                F(f"='[Revenues Extract 2024-25.xlsx]Sep'!$D${r + 10}", kpi[6]),
            ]
        )
    b.put(ws, "A2", rows)
    targets = b.sheet("Targets")
    b.put(targets, "A1", [["Ref", "Target", "Floor"], *[[k[0], k[3], k[4]] for k in BASE]])
    b.wb.define_name("Scorecard_Table", "=Scorecard!$A$1:$G$4")
    b.wb.define_name("Current_Month", "=Scorecard!$G$1")
    b.wb.define_name("Scorecard!Print_Area", "=Scorecard!$A$1:$G$4")
    b.close()


@book("blind2_welsh_bilingual_headers")
def blind2_welsh_bilingual_headers(path: Path) -> None:
    _simple(
        path,
        "Cerdyn Sgorio",
        [
            "Cyf / Ref",
            "Dangosydd / Indicator",
            "Pegwn / Polarity",
            "Targed / Target",
            "Llawr / Floor",
            "Awst 2024 / August 2024",
            "Medi 2024 / September 2024",
        ],
        [[k[0], k[1], {"Higher": "Uwch / Higher", "Lower": "Is / Lower"}[k[2]], *k[3:]] for k in BASE],
    )


@book("blind2_units_in_target_text_and_formats")
def blind2_units_in_target_text_and_formats(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Scorecard")
    days, weeks = '0.0 "days"', '0.0 "wks"'
    b.put(ws, "A1", [[*HEAD, "Aug-24", "Sep-24"]])
    b.put(
        ws,
        "A2",
        [
            ["UD01", "Average days to process new claims", "Lower", "20 days", "25 days", N(19.0, days), N(26.0, days)],
            [
                "UD02",
                "Average wait for OT assessment (weeks)",
                "Lower",
                "6 weeks",
                "8 weeks",
                N(7.0, weeks),
                N(5.5, weeks),
            ],
            ["UD03", "Planning appeals allowed (%)", "Lower", "≤ 10%", "15%", 12.0, 9.0],
        ],
    )
    b.close()


@book("blind2_stacked_tables_other_periods")
def blind2_stacked_tables_other_periods(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Scorecard")
    b.put(ws, "A1", [["Monthly measures"], [*HEAD, "Aug-24", "Sep-24"], *BASE])
    b.put(ws, "A7", [["Quarterly measures"], [*HEAD, "Q1 2024/25", "Q2 2024/25"], *HOUSING])
    b.close()


@book("blind2_stacked_tables_swapped_thresholds")
def blind2_stacked_tables_swapped_thresholds(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Scorecard")
    b.put(ws, "A1", [["Revenues and Benefits"], [*HEAD, "Aug-24", "Sep-24"], *BASE])
    swapped = [[k[0], k[1], k[2], k[4], k[3], k[5], k[6]] for k in HOUSING]  # Floor before Target
    b.put(ws, "A7", [["Housing"], ["Ref", "Indicator", "Polarity", "Floor", "Target", "Aug-24", "Sep-24"], *swapped])
    b.close()


@book("blind2_side_by_side_tables")
def blind2_side_by_side_tables(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Scorecard")
    header = [*HEAD, "Aug-24", "Sep-24"]
    b.put(ws, "A1", [["Revenues and Benefits"], header, *BASE])
    b.put(ws, "J1", [["Housing"], header, *HOUSING])
    b.close()


@book("blind2_ipr_minimal_standard_column")
def blind2_ipr_minimal_standard_column(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("IPR")
    months = [D(month(2024, m)) for m in range(4, 10)]
    b.put(ws, "A1", [["Ref", "Metric", "Polarity", "Operational Standard", *months, "Mean", "UCL", "LCL"]])
    b.put(
        ws,
        "A2",
        [
            ["ED01", "A&E 4-hour performance (%)", "Higher", 78, 74.0, 75.2, 76.1, 77.0, 76.4, 78.3, 76.2, 79.9, 72.5],
            ["CN01", "Cancer 62-day treatment (%)", "Higher", 85, 68.1, 70.2, 66.0, 69.5, 71.0, 67.4, 68.7, 74.6, 62.8],
            ["RT01", "RTT waits over 52 weeks", "Lower", 0, 412, 398, 377, 350, 341, 329, 367.8, 401.0, 334.6],
        ],
    )
    b.close()


@book("blind2_rag_band_text_columns")
def blind2_rag_band_text_columns(path: Path) -> None:
    _simple(
        path,
        "Scorecard",
        ["Ref", "Indicator", "Green", "Amber", "Red", "Aug-24", "Sep-24"],
        [
            ["BT01", "Invoices paid within 30 days (%)", "≥ 95%", "90% - 94.9%", "< 90%", 93.0, 96.0],
            ["BT02", "Average days to re-let council homes", "≤ 25", "26 - 35", "> 35", 30, 36],
        ],
    )


@book("blind2_provisional_month_header")
def blind2_provisional_month_header(path: Path) -> None:
    _periods(path, ["Jul-24", "Aug-24", "Sep-24 (provisional)"], MONTHLY3)


@book("blind2_tolerance_column_two_sided")
def blind2_tolerance_column_two_sided(path: Path) -> None:
    _simple(
        path,
        "Finance",
        ["Ref", "Indicator", "Polarity", "Target", "Tolerance", "Aug-24", "Sep-24"],
        [
            ["BV01", "Revenue budget variance (%)", "Target", 0, "+/- 2%", 1.5, -3.0],
            ["BV02", "Capital programme delivered to profile (%)", "Target", 100, "+/- 5%", 93.0, 104.0],
        ],
    )


@book("blind2_duplicate_id_with_service_column")
def blind2_duplicate_id_with_service_column(path: Path) -> None:
    rows = [
        [k[0], service, *k[1:]] for k, service in zip(BASE, ("Revenues", "Benefits", "Customer Services"), strict=True)
    ]
    rows[2][0] = "RV02"  # a typo for RV03
    _simple(path, "Scorecard", ["Ref", "Service", *HEAD[1:], "Aug-24", "Sep-24"], rows)
