"""Ordinary variations every reader must keep reading right: titles and notes above the header, merged group
labels, section headings, spacer rows and columns, hidden and grouped rows, an Excel Table with a totals row,
percentages as fractions and as points, a scale slip, text period headers, quarter spellings, newest first,
polarity words."""

from __future__ import annotations

from pathlib import Path

from council.registry import book
from council.xl import PCT, PCT0, Book, D, N, T, month

HOUSING = [
    ["HV01", "Average re-let time, standard voids (days)", "Lower", 28, 35, 36.2, 31.4],
    ["HV02", "Number of void properties", None, None, None, 142, 131],
    ["HV03", "Rent collected as % of rent due", "Higher", 98.5, 97, 98.1, 98.7],
    ["HV04", "Repairs completed right first time (%)", "Higher", 90, 85, 86.5, 84.0],
    ["HV05", "Rent arrears as % of rent due", "Lower", 2.5, 3.5, 2.9, 2.9],
]
HEADER = ["Ref", "Indicator", "Polarity", "Target", "Floor", D(month(2024, 8)), D(month(2024, 9)), "RAG", "DOT"]


@book("housing_title_notes_merged_title")
def housing_title_notes_merged_title(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Housing")
    ws.merge_range("A1:J1", "Housing Services Performance Scorecard – September 2024", b.fmt(bold=True, font_size=14))
    b.put(
        ws,
        "A2",
        [
            ["Prepared by the Performance and Insight Team for Housing Scrutiny Committee."],
            ["Figures are for the month unless stated; RAG against the 2024/25 targets."],
            ["Notes: void figures exclude properties held for decant."],
        ],
    )
    b.put(ws, "A7", [[*HEADER, "Commentary"]])
    b.put(ws, "A8", HOUSING)
    b.write(ws, 7, 9, "Re-let times improved as the backlog of major voids cleared.")
    b.write(ws, 10, 9, "Below target; a new repairs contractor starts in October.")
    b.close()


@book("planning_merged_year_over_bare_months")
def planning_merged_year_over_bare_months(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Planning")
    head = b.fmt(bold=True, align="center", valign="vcenter")
    ws.merge_range("A4:A5", "Ref", head)
    ws.merge_range("B4:B5", "Indicator", head)
    ws.merge_range("C4:D4", "Thresholds", head)
    ws.merge_range("E4:J4", "2024/25", head)
    ws.merge_range("K4:K5", "RAG", head)
    b.put(ws, "C5", [["Target", "Floor", "Apr", "May", "Jun", "Jul", "Aug", "Sep"]])
    b.put(
        ws,
        "A6",
        [
            ["PL01", "% of major applications decided in time", 60, 50, 70.0, 66.7, 75.0, 80.0, 66.7, 75.0],
            ["PL02", "% of minor applications decided in time", 70, 60, 71.2, 69.0, 73.5, 68.8, 72.5, 68.2],
            ["PL03", "% of other applications decided in time", 80, 70, 82.0, 81.5, 79.0, 83.3, 79.9, 81.3],
            ["PL04", "Appeals allowed as % of decisions", 10, 12, 8.0, 9.5, 11.0, 10.2, 9.1, 14.3],
        ],
    )
    b.close()


@book("waste_sections_spacers")
def waste_sections_spacers(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Environment")
    b.put(ws, "A2", [["Ref", "Indicator", None, "Target", "Floor", None, D(month(2024, 7)), D(month(2024, 8)), "RAG"]])
    b.put(
        ws,
        "A3",
        [
            [T("Waste collection")],
            ["WC01", "Missed bins per 100,000 collections", None, 80, 100, None, 85, 62],
            ["WC02", "Household waste recycled (%)", None, 50, 45, None, 51.2, 48.7],
            [],
            [T("Street cleansing")],
            ["SC01", "Fly-tips removed within 2 working days (%)", None, 95, 90, None, 95.0, 96.4],
            ["SC02", "Streets below the litter standard (%)", None, 5, 8, None, 6.2, 8.4],
            [],
            [T("Parks and open spaces")],
            ["PK01", "Parks holding a Green Flag award", None, 6, 5, None, 6, 6],
        ],
    )
    b.close()


def _hidden(path: Path, level: int) -> None:
    b = Book(path)
    ws = b.sheet("Housing")
    b.put(ws, "A1", [HEADER])
    b.put(ws, "A2", HOUSING)
    for row in (2, 5):  # HV02 and HV05 (0-based rows 2 and 5)
        ws.set_row(row, None, None, {"hidden": True, "level": level})
    b.close()


@book("housing_hidden_rows_skip")
def housing_hidden_rows_skip(path: Path) -> None:
    _hidden(path, level=0)


@book("housing_grouped_rows_rate")
def housing_grouped_rows_rate(path: Path) -> None:
    _hidden(path, level=1)


@book("revenues_excel_table")
def revenues_excel_table(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Revenues")
    b.put(ws, "A1", [[T("Revenues – monthly")]])
    rows = [
        ["RV01", "Council tax collected in month (%)", "Higher", 9.5, 9.0, 9.7, 9.4],
        ["RV02", "Business rates collected in month (%)", "Higher", 9.0, 8.5, 8.1, 9.2],
        ["RV03", "Days to process a change of circumstances", "Lower", 8, 10, 8.8, 7.9],
        ["RV04", "Benefit overpayments recovered (£000)", "Higher", 120, 100, 131, 118],
    ]
    columns = ["Ref", "Indicator", "Polarity", "Target", "Floor", "Jul-24", "Aug-24"]
    ws.add_table(
        "A3:G8",
        {
            "name": "RevenuesKPIs",
            "data": rows,
            "total_row": True,
            "columns": [{"header": "Ref", "total_string": "Total"}]
            + [{"header": h} for h in columns[1:5]]
            + [
                {"header": "Jul-24", "total_function": "sum", "total_value": 157.6},
                {"header": "Aug-24", "total_function": "sum", "total_value": 144.5},
            ],
        },
    )
    b.close()


@book("asc_fractions_vs_points")
def asc_fractions_vs_points(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("ASC")
    b.put(ws, "A1", [["Ref", "Measure", D(month(2024, 8)), D(month(2024, 9)), "RAG"]])
    b.put(
        ws,
        "A2",
        [
            ["AF01", "Older people at home 91 days after reablement", N(0.842, PCT), N(0.861, PCT)],
            ["AF02", "People receiving direct payments", 26.8, 27.1],
            ["AF03", "Carers assessed within 28 days", N(0.88, PCT0), N(0.92, PCT0)],
            ["AF04", "Repeat safeguarding enquiries within 12 months", N(0.0842, "0.00%"), N(0.0781, "0.00%")],
        ],
    )
    b.close()


@book("corporate_scale_slip_general_fraction")
def corporate_scale_slip_general_fraction(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("HR")
    b.put(ws, "A1", [["Ref", "Indicator", "Polarity", "Target", "Floor", D(month(2024, 7)), D(month(2024, 8))]])
    b.put(
        ws,
        "A2",
        [
            ["SS01", "Staff survey response rate (%)", "Higher", 70, 60, 0.598, 0.612],
            ["SS02", "Appraisals completed (%)", "Higher", 90, 80, 85.0, 91.2],
        ],
    )
    b.close()


@book("childrens_month_name_text_headers")
def childrens_month_name_text_headers(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Childrens")
    b.put(ws, "A1", [["Ref", "Indicator", "Polarity", "Target", "Floor", "Jul 2024", "Aug 2024", "Sept 2024"]])
    b.put(
        ws,
        "A2",
        [
            ["CA01", "Re-referrals within 12 months (%)", "Lower", 20, 25, 21.0, 22.4, 19.6],
            ["CA02", "Assessments completed within 45 working days (%)", "Higher", 85, 75, 86.1, 84.0, 88.3],
            ["CA03", "Children in care per 10,000 children", "Lower", 70, 80, 81.2, 80.4, 79.1],
        ],
    )
    b.close()


@book("planning_fy_quarter_spellings")
def planning_fy_quarter_spellings(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Planning")
    b.put(ws, "A1", [["Ref", "Indicator", "Target", "Floor", "Qtr 1 2024-25", "Qtr 2 2024-25", "Q3 24/25", "Q4 24/25"]])
    b.put(
        ws,
        "A2",
        [
            ["PQ01", "% of major applications decided in time", 60, 50, 70.6, 76.9],
            ["PQ02", "% of non-major applications decided in time", 70, 60, 69.5, 73.1],
            ["PQ03", "Appeals allowed as % of decisions", 10, 12, 11.5, 12.5],
        ],
    )
    b.close()


@book("nhs_newest_first")
def nhs_newest_first(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Board")
    b.put(ws, "A1", [["Ref", "Metric", "Target", "Floor", *[D(month(2024, m)) for m in (9, 8, 7, 6)]]])
    b.put(
        ws,
        "A2",
        [
            ["NF01", "A&E within 4 hours (%)", 78, 76, 77.0, 75.9, 76.4, 74.8],
            ["NF02", "Cancer faster diagnosis standard (%)", 77, 75, 78.3, 77.9, 76.1, 75.2],
            ["NF03", "G&A bed occupancy (%)", 92, 95, 95.6, 94.1, 93.0, 93.8],
        ],
    )
    b.close()


@book("revenues_polarity_words")
def revenues_polarity_words(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Revenues")
    b.put(
        ws, "A1", [["Ref", "Measure", "Good performance is", "Target", "Floor", D(month(2024, 5)), D(month(2024, 6))]]
    )
    b.put(
        ws,
        "A2",
        [
            ["PW01", "Council tax payers paying by direct debit (%)", "Higher is better", 95, 90, 94.2, 95.3],
            ["PW02", "Overpayments as % of benefit expenditure", "Lower is better", 1, 1.5, 1.2, 0.9],
            ["PW03", "Days to process new benefit claims", "Smaller is better", 20, 25, 22.4, 26.0],
            ["PW04", "Recovery of overpayments (%)", "↑", 80, 70, 72.0, 69.0],
            ["PW05", "Council tax accounts in arrears (%)", "↓", 5, 8, 6.0, 6.0],
        ],
    )
    b.close()
