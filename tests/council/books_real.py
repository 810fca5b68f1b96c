"""Layouts reproduced from real Excel-made public-sector workbooks (see README.md, "Real files"): the figures are
made up, the shapes are the files'. ONS weekly deaths is in books_periods.py (ons_weekly_week_ended)."""

from __future__ import annotations

from pathlib import Path

from council.registry import book
from council.xl import PCT, Book, D, N, T, month


@book("nhs_rtt_time_series")
def nhs_rtt_time_series(path: Path) -> None:
    """NHS England's RTT 'Full Time Series': Title/Period/Source notes, a group label row ('Incomplete RTT
    pathways' typed over its first column only), measure headers repeated from group to group, financial years
    merged down column B, months as dates down column C, numbered notes under the table."""
    b = Book(path)
    ws = b.sheet("Full Time Series")
    b.put(ws, "B2", [["Title:", "Referral to Treatment (RTT) Waiting Times, England"]])
    b.put(
        ws,
        "B4",
        [
            ["Period:", "April 2023 to September 2024"],
            ["Source:", "NHS England: monthly RTT data collection"],
            ["Basis:", "Provider"],
        ],
    )
    b.put(ws, "B8", [["Missing data for Sep-24: one trust did not submit; estimates are included."]])
    b.put(
        ws,
        "B10",
        [["Year", "Month", "Incomplete RTT pathways", None, None, None, None, "Admitted (unadjusted) RTT pathways"]],
    )
    measures = ["Median wait (weeks)", "92nd percentile (weeks)", "% within 18 weeks", "No. > 52 weeks"]
    b.put(ws, "D11", [[*measures, "Total waiting (mil)", "Median wait (weeks)", "95th percentile (weeks)"]])
    centred = b.fmt(align="center", valign="vcenter")
    ws.merge_range("B12:B23", "2023/24", centred)
    ws.merge_range("B24:B29", "2024/25", centred)
    months = [month(2023, m) for m in range(4, 13)] + [month(2024, m) for m in range(1, 10)]
    for i, when in enumerate(months):
        last = i == len(months) - 1
        before = i == len(months) - 2
        median = 13.9 if last else 14.1 if before else round(15.0 - 0.05 * i, 1)
        p92 = 44.6 if last else 45.0 if before else round(47.5 - 0.1 * i, 1)
        within = 0.592 if last else 0.590 if before else round(0.570 + 0.001 * i, 3)
        over52 = 271862 if last else 280213 if before else 390000 - 6000 * i
        total = 7.57 if last else 7.71 if before else round(7.4 + 0.02 * i, 2)
        admitted = (round(12.0 + 0.1 * i, 1), round(50.0 - 0.2 * i, 1))
        b.put(
            ws,
            f"C{12 + i}",
            [[D(when), median, p92, N(within, PCT), N(over52, "#,##0"), N(total, "0.00"), *admitted]],
        )
    b.put(
        ws,
        "B31",
        [
            ["1. Median and percentile times are calculated from aggregate data, not patient-level data."],
            ["2. Incomplete RTT pathways are patients still waiting to start treatment at the end of the month."],
        ],
    )
    b.close()


@book("ons_neet_quarters_down_rows")
def ons_neet_quarters_down_rows(path: Path) -> None:
    """ONS NEET tables: a title and publication dates, an age group merged over its measures, headers split over
    two rows (some merged down), a row of column numbers under the header, quarters ('Apr-Jun 2024') down
    column A, '..' for no data, figures stored whole and shown in thousands (#,##0,)."""
    b = Book(path)
    ws = b.sheet("People - SA")
    b.put(ws, "A1", [[T("Not in Education, Employment or Training ('NEET') by age: People (seasonally adjusted)")]])
    b.put(ws, "A2", [["Date of publication:", D(month(2024, 11), "d mmmm yyyy")]])
    b.put(ws, "B4", [["United Kingdom (thousands) seasonally adjusted"]])
    head = b.fmt(bold=True, align="center", valign="vcenter", text_wrap=True)
    ws.merge_range("B5:F5", "Aged 16-24", head)
    ws.merge_range("B6:D6", "Young people who were NEET", head)
    ws.merge_range("E6:E7", "Total people in relevant population group", head)
    ws.merge_range("F6:F7", "People who were NEET as a percentage of people in relevant population group", head)
    ws.merge_range("G5:H5", "Aged 16-17", head)
    b.put(ws, "A7", [["Levels", "Total", "Unemployed", "Economically inactive"]])
    b.put(ws, "G6", [["Young people who were NEET", "Total people in relevant population group"]])
    b.put(ws, "G7", [["Total", None]])
    b.put(ws, "B8", [[1, 2, 3, 4, 5, 1, 2]])
    thousands = "#,##0,"
    rows = [
        ["Oct-Dec 2023", *[".."] * 7],
        ["Jan-Mar 2024", 851000, 360000, 491000, 7190000, 11.8, 89000, 1710000],
        ["Apr-Jun 2024", 872000, 368000, 504000, 7200000, 12.1, 91000, 1712000],
        ["Jul-Sep 2024", 987000, 412000, 575000, 7230000, 13.2, 97000, 1715000],
    ]
    b.put(
        ws,
        "A10",
        rows,
        col_fmt={1: thousands, 2: thousands, 3: thousands, 4: thousands, 5: "0.0", 6: thousands, 7: thousands},
    )
    b.put(ws, "A16", [["Source: Labour Force Survey"], ["Notes: '..' data not available."]])
    b.close()


@book("dfe_asg_quarter_end_snapshots")
def dfe_asg_quarter_end_snapshots(path: Path) -> None:
    """DfE adoption and special guardianship agency-level tables: each measure's words merged over its four
    quarters, measures side by side under the same headers 'at 30 Jun 2024 \\n(end of Q1 2024/25)', no header
    over the LA code and name columns, an England row and a region row with no code, codes as numbers, 'c' for
    suppressed figures and '.' for an LA reported with another."""
    b = Book(path)
    ws = b.sheet("Adoption LAs")
    b.put(ws, "A2", [[T("Quarter 4 2024/25 - Adoption Data")], ["Coverage: Local Authorities in England"]])
    b.put(ws, "C4", [["Children waiting"]])
    wrap = b.fmt(text_wrap=True, valign="top")
    ws.merge_range("C5:F6", "with a best interest decision but not yet placed as", wrap)
    ws.merge_range("G5:J6", "with a placement order but not yet placed as", wrap)
    ends = [("30 Jun 2024", "Q1"), ("30 Sep 2024", "Q2"), ("31 Dec 2024", "Q3"), ("31 Mar 2025", "Q4")]
    headers = [f"at {day} \n(end of {q} 2024/25)" for day, q in ends]
    b.put(ws, "C7", [[*headers, *headers]])
    b.put(
        ws,
        "A9",
        [
            [None, "ALL LOCAL AUTHORITIES IN ENGLAND", 3270, 3280, 3350, 3560, 2020, 1950, 2020, 2110],
            [],
            [None, "NORTH EAST", 220, 210, 230, 230, 140, 140, 140, 150],
            [841, "Darlington", 9, "c", 6, 11, 9, "c", "c", 6],
            [840, "Durham", 34, 29, 46, 41, 34, 29, 30, 31],
            [390, "Gateshead", 12, 15, 15, 21, 12, 15, 14, 14],
            [805, "Hartlepool", "c", "c", 5, 7, "c", "c", "c", 5],
            [420, "Isles of Scilly (see Cornwall)", ".", ".", ".", ".", ".", ".", ".", "."],
        ],
    )
    b.close()


@book("dfe_england_row_z_code")
def dfe_england_row_z_code(path: Path) -> None:
    """DfE school places summary data: group labels typed over every column of their group (unmerged), an ENGLAND
    row first whose LA code is 'z' (not applicable), 'z' in the cells of an LA that no longer exists."""
    b = Book(path)
    ws = b.sheet("Primary Summary Data")
    b.put(ws, "A1", [["Local Authority Information"] * 2 + ["Quantity"] * 2])
    b.put(ws, "A2", [["LA Code", "LA Name", "2022/23", "2023/24"]])
    b.put(
        ws,
        "A3",
        [
            ["z", "ENGLAND", 10.2, 10.9],
            [301, "Barking and Dagenham", 12.1, 13.5],
            [302, "Barnet", 8.3, 8.0],
            [370, "Barnsley", 5.4, 6.1],
            [837, "Pre-LGR 2019 Bournemouth", "z", "z"],
        ],
    )
    b.close()


@book("hse_note_markers_in_headers")
def hse_note_markers_in_headers(path: Path) -> None:
    """HSE tables' spellings: '[Note 2]' after a header on a new line, and '2021/22p' for a provisional year."""
    b = Book(path)
    ws = b.sheet("Table 1")
    b.put(ws, "A1", [["Table 1: Work-related injuries, Great Britain [Note 1]"], ["Contents"]])
    b.put(ws, "A4", [["Ref", "Indicator\n[Note 3]", "Target\n[Note 2]", "Floor", "2020/21", "2021/22p\n[Note 4]"]])
    b.put(
        ws,
        "A5",
        [
            ["HS01", "Fatal injuries to workers", 120, 140, 145, 123],
            ["HS02", "Fatal injury rate per 100,000 workers", 0.40, 0.45, 0.44, 0.38],
            ["HS03", "Non-fatal injuries reported by employers (000s)", 55, 60, 51.2, 61.7],
        ],
    )
    b.close()


@book("hse_riddor_years_by_industry")
def hse_riddor_years_by_industry(path: Path) -> None:
    """HSE RIDDOR Table 1's shape: an Excel Table, a row per year and industry, a column per measure."""
    b = Book(path)
    ws = b.sheet("Table 1")
    b.put(ws, "A1", [["Table 1: Work-related fatal injuries to workers by broad industry group"], ["Contents"]])
    rows = []
    figures = {
        "All industries": [(149, 0.46), (145, 0.44), (123, 0.38)],
        "Agriculture, forestry and fishing": [(21, 5.9), (34, 10.5), (22, 7.0)],
        "Construction": [(40, 1.7), (39, 1.8), (45, 2.1)],
    }
    for i, year in enumerate(["2019/20", "2020/21", "2021/22p"]):
        for industry, values in figures.items():
            rows.append([year, industry, *values[i]])
    ws.add_table(
        "A8:D17",
        {
            "name": "Table_1_fatal_injuries",
            "data": rows,
            "columns": [
                {"header": "Year"},
                {"header": "Industry"},
                {"header": "Number of fatal injuries to workers"},
                {"header": "Rate of fatal injury per 100,000 workers"},
            ],
        },
    )
    b.close()
