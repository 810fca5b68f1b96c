"""A second, blind batch of council and NHS scorecards (issue 16), written by someone who had not read the reader.

Designed from how UK councils and trusts build their packs, not from the reader's code: id headers spelt
'PI Code', 'Measure ID', 'KPI No.'; polarity as 'Bigger is better', arrows and 'Aim: Minimise'; targets as text,
numbers and percent-formatted fractions in one column; footnotes under the table; frozen panes and hidden
columns; month and quarter headers in their many spellings; cumulative measures against quarterly targets; RAG
and DOT columns filled in by hand; suppression marks; numbers stored as text; accounting brackets; an index sheet
before the scorecard; a grand total row; an .xlsm; a workbook saved by LibreOffice; and ambiguous sheets whose
right answer is a warning naming the cell. Real public files taught the last ones (see README).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from council.registry import book
from council.xl import PCT, PCT0, Book, D, F, N, T, month
from zipparts import rewrite

ACCOUNTS = "#,##0;(#,##0)"
POUNDS = "£#,##0;[Red](£#,##0)"


@book("blind_pi_code_arrows")
def blind_pi_code_arrows(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Corporate")
    b.put(ws, "A1", [["PI Code", "Measure", "Aim", "Target", "Floor", *[D(month(2024, m)) for m in (4, 5, 6)]]])
    b.put(
        ws,
        "A2",
        [
            ["CP01", "Residents satisfied with their local area (%)", "Bigger is better", 80, 75, 78.0, 79.5, 81.2],
            ["CP02", "Average days to pay supplier invoices", "Smaller is better", 20, 25, 22.0, 24.1, 26.3],
            ["CP03", "FOI requests answered within 20 working days (%)", "↑", 90, 85, 91.0, 88.0, 90.0],
            ["CP04", "Sickness absence days per FTE (rolling 12 months)", "↓", 8.5, 10, 9.9, 10.2, 10.0],
            ["CP05", "Complaints responded to in time (%)", "High", 95, 90, 96.1, 95.0, 89.9],
            ["CP06", "Missed bin collections per 100,000", "Low", 60, 80, 55, 58, 58],
        ],
    )
    b.close()


@book("blind_aim_minimise_target_year_header")
def blind_aim_minimise_target_year_header(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Housing Options")
    b.put(
        ws,
        "A1",
        [["Measure ID", "Performance Indicator", "Polarity", "Target 2024/25", "Tolerance", "Apr-24", "May-24"]],
    )
    b.put(
        ws,
        "A2",
        [
            ["MI01", "Homeless households in temporary accommodation", "Aim: Minimise", 250, 300, 262, 248],
            ["MI02", "Households prevented from becoming homeless (%)", "Aim: Maximise", 60, 50, 55.0, 49.5],
            ["MI03", "People sleeping rough (snapshot)", "Aim to reduce", 5, 10, 12, 9],
            ["MI04", "Disabled facilities grants completed in time (%)", "Aim to increase", 85, 80, 86.0, 86.0],
        ],
    )
    b.close()


@book("blind_targets_three_ways_numeric_ids")
def blind_targets_three_ways_numeric_ids(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Customer")
    b.put(ws, "A1", [["KPI No.", "KPI", "Polarity", "Target", "Floor", D(month(2024, 7)), D(month(2024, 8))]])
    b.put(
        ws,
        "A2",
        [
            [1.1, "Calls answered within 60 seconds", "Higher", "95%", "90%", N(0.931, PCT), N(0.957, PCT)],
            [1.2, "Web forms acknowledged the same day", "Higher", 95, 90, N(0.962, PCT), N(0.948, PCT)],
            [
                2.1,
                "Customers satisfied with their contact",
                "Higher",
                N(0.95, PCT0),
                N(0.9, PCT0),
                N(0.889, PCT),
                N(0.901, PCT),
            ],
        ],
    )
    b.close()


@book("blind_sections_footnotes")
def blind_sections_footnotes(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Council Plan")
    b.put(ws, "A1", [[T("Council Plan 2024-28: Quarter 2 performance")], ["Cabinet, 14 November 2024"]])
    b.put(
        ws, "A4", [["Ref", "Indicator", "Polarity", "Target", "Floor", "Q1 2024/25", "Q2 2024/25", "RAG", "Comments"]]
    )
    ws.merge_range("A5:I5", "Priority 1: A thriving economy", b.fmt(bold=True, bg_color="#D9E1F2"))
    ws.merge_range("A9:I9", "Priority 2: Healthy communities", b.fmt(bold=True, bg_color="#D9E1F2"))
    b.put(
        ws,
        "A6",
        [
            ["EC01", "Unemployment claimant rate (%)", "Lower", 3.5, 4.0, 3.8, 3.6],
            ["EC02", "New business start-ups", "Higher", 150, 120, 131, 158],
        ],
    )
    b.put(
        ws,
        "A10",
        [
            [
                "HC01",
                "Leisure centre visits (000s)",
                "Higher",
                300,
                270,
                288.5,
                265.2,
                None,
                "Riverside pool closed for repairs in August.",
            ],
            ["HC02", "Adults who are physically inactive (%)", "Lower", 22, 25, 24.0, 25.1],
            [],
            ["* Figures marked provisional may be revised at year end."],
            ["Source: Council performance system, extracted 15 October 2024."],
            ["1. Q2 figure for HC01 excludes the closed Riverside pool."],
            ["(a) Claimant rate: ONS claimant count as a share of residents aged 16-64."],
        ],
    )
    b.close()


@book("blind_title_frozen_hidden_formulas")
def blind_title_frozen_hidden_formulas(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Workforce")
    ws.merge_range("A1:I2", "Workforce Dashboard – August 2024", b.fmt(bold=True, font_size=16, align="center"))
    b.put(ws, "A3", [["Data as at 5 September 2024. Owner: HR Business Partners."]])
    b.put(ws, "A4", [["Ref", "Indicator", "Lead officer", "Polarity", "Target", "Floor", "Jul-24", "Aug-24", "RAG"]])
    b.put(
        ws,
        "A5",
        [
            [
                "HR01",
                "Staff turnover (%)",
                "J. Patel",
                "Lower",
                12,
                15,
                F("=ROUND(Data!B2/Data!C2*100,1)", 13.1, "0.0"),
                F("=ROUND(Data!B3/Data!C3*100,1)", 12.0, "0.0"),
            ],
            [
                "HR02",
                "Agency spend as % of pay bill",
                "J. Patel",
                "Lower",
                5,
                7,
                6.8,
                F("=Data!D4/Data!E4*100", 7.4, "0.0"),
            ],
            [
                "HR03",
                "Mandatory training compliance (%)",
                "K. Owen",
                "Higher",
                90,
                80,
                F("=Data!F2/Data!G2*100", 82.35, "0.0"),
                F("=Data!F3/Data!G3*100", 79.96, "0.0"),
            ],
        ],
    )
    ws.set_column(2, 2, None, None, {"hidden": True})
    ws.freeze_panes(4, 2)
    data = b.sheet("Data")
    data.hide()
    b.put(data, "A1", [["helper"]])
    b.close()


@book("blind_text_and_date_month_headers")
def blind_text_and_date_month_headers(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Highways")
    b.put(
        ws, "A1", [["Ref", "Indicator", "Polarity", "Target", "Floor", "Apr-24", D(month(2024, 5)), "Jun-24", "Jul-24"]]
    )
    b.put(
        ws,
        "A2",
        [
            ["TM01", "Category 1 potholes repaired within 28 days (%)", "Higher", 90, 85, 88.0, 91.5, 92.0],
            ["TM02", "Street lights repaired within 7 days (%)", "Higher", 95, 90, 96.0, 94.0, 89.5],
            ["TM03", "Highway insurance claims received", None, None, None, 41, 38, 44],
        ],
    )
    b.close()


@book("blind_month_words_ytd_column")
def blind_month_words_ytd_column(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Planning")
    b.put(
        ws,
        "A1",
        [["Ref", "Indicator", "Polarity", "Target", "Floor", "April 2024", "May 2024", "June 2024", "2024/25 YTD"]],
    )
    b.put(
        ws,
        "A2",
        [
            ["MW01", "Planning enforcement cases closed", None, None, None, 31, 28, 35, 94],
            ["MW02", "Householder applications decided in 8 weeks (%)", "Higher", 85, 80, 83.1, 86.4, 79.0, 82.8],
            ["MW03", "Applications validated within 5 working days (%)", "Higher", 90, 85, 91.2, 88.0, 90.4, 89.9],
        ],
    )
    b.close()


@book("blind_iso_month_headers")
def blind_iso_month_headers(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("CSC")
    b.put(ws, "A1", [["Ref", "Indicator", "Polarity", "Target", "Floor", "2024-10", "2024-11", "2024-12"]])
    b.put(
        ws,
        "A2",
        [
            ["IS01", "Assessments completed within 45 working days (%)", "Higher", 85, 75, 80.2, 84.9, 85.0],
            ["IS02", "Re-referrals within 12 months (%)", "Lower", 20, 25, 22.0, 19.5, 25.3],
        ],
    )
    b.close()


@book("blind_short_fy_quarters")
def blind_short_fy_quarters(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Homelessness")
    b.put(
        ws, "A1", [["Ref", "Indicator", "Polarity", "Target", "Floor", "Q1 24/25", "Q2 24/25", "Q3 24/25", "Q4 24/25"]]
    )
    b.put(
        ws,
        "A2",
        [
            ["QS01", "Households in temporary accommodation", "Lower", 250, 300, 271, 244],
            ["QS02", "Homelessness duty decisions within 56 days (%)", "Higher", 75, 65, 70.0, 64.9],
        ],
    )
    b.close()


@book("blind_year_merged_over_bare_quarters")
def blind_year_merged_over_bare_quarters(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Growth")
    head = b.fmt(bold=True, align="center", valign="vcenter")
    b.put(ws, "A1", [[T("Growth and Regeneration – quarterly indicators")]])
    for cols, text in (
        ("A3:A4", "Ref"),
        ("B3:B4", "Indicator"),
        ("C3:C4", "Polarity"),
        ("D3:D4", "Target"),
        ("E3:E4", "Floor"),
    ):
        ws.merge_range(cols, text, head)
    ws.merge_range("F3:I3", "2024/25", head)
    b.put(ws, "F4", [["Q1", "Q2", "Q3", "Q4"]])
    b.put(
        ws,
        "A5",
        [
            ["YQ01", "Affordable homes completed in the quarter", "Higher", 40, 30, 35, 41, 29],
            ["YQ02", "Major planning applications decided in 13 weeks (%)", "Higher", 60, 50, 55.0, 62.5, 71.4],
        ],
    )
    b.close()


@book("blind_cumulative_quarter_target_columns")
def blind_cumulative_quarter_target_columns(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Delivery")
    b.put(
        ws,
        "A1",
        [["Ref", "Indicator", "Polarity", "Q1 2024/25", "Target Q1 2024/25", "Q2 2024/25", "Target Q2 2024/25"]],
    )
    b.put(
        ws,
        "A2",
        [
            ["CU01", "Affordable homes delivered (cumulative)", "Higher", 45, 50, 110, 100],
            ["CU02", "Council tax collected to date (%)", "Higher", 28.9, 29.5, 56.1, 57.0],
            ["CU03", "Net additional dwellings (YTD)", "Higher", 120, 100, 180, 200],
        ],
    )
    b.close()


@book("blind_prefilled_rag_dot_wrong")
def blind_prefilled_rag_dot_wrong(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Housing")
    b.put(
        ws,
        "A1",
        [["Ref", "Indicator", "Polarity", "Target", "Floor", D(month(2024, 8)), D(month(2024, 9)), "RAG", "DOT"]],
    )
    b.put(
        ws,
        "A2",
        [
            ["PF01", "Rent collected as % of rent due", "Higher", 98, 96, 97.5, 98.2, "Green", "↓"],
            ["PF02", "Average days to re-let a void", "Lower", 30, 40, 33, 41, "Green", "↑"],
            ["PF03", "Repairs appointments kept (%)", "Higher", 95, 90, 92.0, 92.0, "Red", "↑"],
        ],
    )
    b.close()


@book("blind_suppression_marks")
def blind_suppression_marks(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("ASC")
    b.put(ws, "A1", [["Ref", "Indicator", "Polarity", "Target", "Floor", "Q1 2024/25", "Q2 2024/25"]])
    b.put(
        ws,
        "A2",
        [
            ["SM01", "Delayed discharges per 100,000 adults", "Lower", 9, 12, 10.2, "n/a"],
            ["SM02", "Care home admissions, 65 and over, per 100,000", "Lower", 600, 700, 612.0, "-"],
            ["SM03", "Safeguarding enquiries where the risk was reduced (%)", "Higher", 90, 85, 91.0, "*"],
            ["SM04", "Carers' reviews completed (%)", "Higher", 70, 60, 65.0, None],
            ["SM05", "People receiving direct payments (%)", "Higher", 30, 25, 28.1, 29.0],
        ],
    )
    b.close()


@book("blind_numbers_as_text_brackets")
def blind_numbers_as_text_brackets(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Finance")
    b.put(ws, "A1", [["Ref", "Measure", "Polarity", "Target", "Floor", "May-24", "Jun-24"]])
    b.put(
        ws,
        "A2",
        [
            ["NT01", "Council tax accounts in arrears", "Lower", 1500, 1800, N(1402, "#,##0"), "1,234"],
            ["NT02", "Empty homes brought back into use (%)", "Higher", 12, 10, 11.0, "12.5%"],
            ["NT03", "Place directorate budget variance (£000)", "Higher", 0, -50, -20, "(5)"],
        ],
    )
    b.close()


@book("blind_accounting_format_negatives")
def blind_accounting_format_negatives(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Budget")
    b.put(ws, "A1", [["Ref", "Measure", "Polarity", "Target", "Floor", "Q1 2024/25", "Q2 2024/25"]])
    b.put(
        ws,
        "A2",
        [
            [
                "FV01",
                "Adult social care forecast variance (£000)",
                "Higher",
                0,
                -500,
                N(-320, ACCOUNTS),
                N(-610, ACCOUNTS),
            ],
            [
                "FV02",
                "Children's services forecast variance (£000)",
                "Higher",
                0,
                -500,
                N(-150, POUNDS),
                N(120, POUNDS),
            ],
            ["FV03", "Capital programme slippage (£000)", "Lower", 1000, 2000, N(1500, ACCOUNTS), N(950, ACCOUNTS)],
        ],
    )
    b.close()


def _index_then_scorecard(path: Path) -> None:
    b = Book(path)
    index = b.sheet("Contents")
    b.put(
        index,
        "A1",
        [
            [T("Corporate Performance Report – Quarter 2 2024/25")],
            [],
            ["Sheet", "Contents"],
            ["Scorecard", "Corporate KPIs with RAG ratings"],
            ["Notes", "Definitions and data sources"],
        ],
    )
    ws = b.sheet("Scorecard")
    b.put(ws, "A1", [["Ref", "Indicator", "Polarity", "Target", "Floor", "Q1 2024/25", "Q2 2024/25", "RAG"]])
    b.put(
        ws,
        "A2",
        [
            ["IX01", "Invoices paid within 30 days (%)", "Higher", 95, 90, 93.4, 95.8],
            ["IX02", "Working days lost to sickness per FTE", "Lower", 2.0, 2.5, 2.3, 2.6],
        ],
    )
    notes = b.sheet("Notes")
    b.put(notes, "A1", [["IX01: invoices from the ledger."], ["IX02: HR system, quarterly."]])
    b.close()


@book("blind_index_sheet_named_lowercase")
def blind_index_sheet_named_lowercase(path: Path) -> None:
    _index_then_scorecard(path)


@book("blind_index_sheet_not_named")
def blind_index_sheet_not_named(path: Path) -> None:
    _index_then_scorecard(path)


@book("blind_grand_total_row")
def blind_grand_total_row(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Complaints")
    b.put(ws, "A1", [["Ref", "Service", "Polarity", "Target", "Floor", "Q1 2024/25", "Q2 2024/25"]])
    b.put(
        ws,
        "A2",
        [
            ["ST01", "Stage 1 complaints – Housing", "Lower", 40, 50, 45, 38],
            ["ST02", "Stage 1 complaints – Waste", "Lower", 30, 40, 28, 41],
            ["ST03", "Stage 1 complaints – Revenues", "Lower", 20, 30, 25, 25],
            ["Grand Total", "All services", None, None, None, F("=SUM(F2:F4)", 98), F("=SUM(G2:G4)", 104)],
            ["Average", None, None, None, None, F("=AVERAGE(F2:F4)", 32.7, "0.0"), F("=AVERAGE(G2:G4)", 34.7, "0.0")],
        ],
    )
    b.close()


@book("blind_xlsm_culture", ext="xlsm")
def blind_xlsm_culture(path: Path) -> None:
    b = Book(path, macros=True)
    ws = b.sheet("Culture")
    b.put(ws, "A1", [["Ref", "KPI", "Polarity", "Target", "Floor", D(month(2024, 8)), D(month(2024, 9))]])
    b.put(
        ws,
        "A2",
        [
            ["XM01", "Library visits (000s)", "Higher", 50, 45, 48.2, 51.0],
            ["XM02", "Museum visitors (000s)", "Higher", 12, 10, 12.4, 9.8],
            ["XM03", "Leisure memberships", "Higher", 8000, 7500, 7600, 7600],
        ],
    )
    b.close()


@book("blind_libreoffice_resaved")
def blind_libreoffice_resaved(path: Path) -> None:
    """Written as Excel would, then opened and saved by LibreOffice Calc (as a council on LibreOffice does)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is needed to build this case")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "excel" / path.name
        source.parent.mkdir()
        b = Book(source)
        ws = b.sheet("Flow")
        ws.merge_range("A1:I1", "Urgent and emergency care flow – September 2024", b.fmt(bold=True))
        b.put(
            ws,
            "A3",
            [["Ref", "Indicator", "Polarity", "Target", "Floor", *[D(month(2024, m)) for m in (7, 8, 9)], "RAG"]],
        )
        b.put(
            ws,
            "A4",
            [
                ["LO01", "G&A bed occupancy (%)", "Lower", 92, 95, N(0.931, PCT), N(0.948, PCT), N(0.962, PCT)],
                ["LO02", "Discharges before noon (%)", "Higher", 33, 25, N(0.281, PCT), N(0.302, PCT), N(0.339, PCT)],
                ["LO03", "Patients with no criteria to reside", None, None, None, 88, 94, 91],
                [
                    "LO04",
                    "Theatre utilisation (%)",
                    "Higher",
                    85,
                    80,
                    N(0.83, PCT),
                    N(0.842, PCT),
                    F("=851/1000", 0.851, PCT),
                ],
            ],
        )
        b.close()
        out = Path(tmp) / "lo"
        result = subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{Path(tmp) / 'profile'}",
                "--headless",
                "--convert-to",
                "xlsx:Calc MS Excel 2007 XML",
                "--outdir",
                str(out),
                str(source),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            env={**os.environ, "HOME": tmp},
        )
        saved = out / path.name
        if result.returncode != 0 or not saved.exists():
            raise RuntimeError(f"LibreOffice did not save the workbook: {result.stdout} {result.stderr}")
        shutil.copyfile(saved, path)


@book("blind_hidden_newest_month_column")
def blind_hidden_newest_month_column(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Contact Centre")
    b.put(ws, "A1", [["Ref", "Indicator", "Polarity", "Target", "Floor", *[D(month(2024, m)) for m in (7, 8, 9, 10)]]])
    b.put(
        ws,
        "A2",
        [
            ["WK01", "Calls answered (%)", "Higher", 90, 85, 88.0, 91.0, 92.5, 84.0],
            ["WK02", "Emails answered within 5 days (%)", "Higher", 95, 90, 96.0, 94.0, 95.5],
            ["WK03", "Visitors seen within 15 minutes (%)", "Higher", 80, 70, 75.0, 79.0, 81.0, 69.0],
            ["WK04", "Abandoned calls (%)", "Lower", 5, 8, 6.0, 5.5, 4.9],
        ],
    )
    ws.set_column(8, 8, None, None, {"hidden": True})  # October: being filled in, hidden until signed off
    b.close()


@book("blind_relative_period_headers")
def blind_relative_period_headers(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Scorecard")
    ws.merge_range("A1:G1", "Regulatory Services Scorecard – September 2024", b.fmt(bold=True, font_size=14))
    b.put(ws, "A3", [["Ref", "Indicator", "Polarity", "Target", "Floor", "Last month", "This month"]])
    b.put(
        ws,
        "A4",
        [
            ["RS01", "Food hygiene inspections completed on time (%)", "Higher", 90, 80, 86.0, 91.0],
            ["RS02", "Noise complaints responded to in 2 days (%)", "Higher", 95, 85, 96.0, 84.0],
        ],
    )
    b.close()


@book("blind_month_end_dates")
def blind_month_end_dates(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Benefits")
    ends = [dt.date(2024, 4, 30), dt.date(2024, 5, 31), dt.date(2024, 6, 30)]
    b.put(ws, "A1", [["Ref", "Indicator", "Polarity", "Target", "Floor", *[D(d, "dd/mm/yyyy") for d in ends]]])
    b.put(
        ws,
        "A2",
        [
            ["EM01", "Average days to process new claims", "Lower", 18, 22, 19.0, 17.5, 22.4],
            ["EM02", "Discretionary housing payments decided in 10 days (%)", "Higher", 90, 80, 85.0, 88.8, 90.0],
        ],
    )
    b.close()


@book("blind_rolling_year_one_text_month")
def blind_rolling_year_one_text_month(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Street Scene")
    months = [(2023, m) for m in (10, 11, 12)] + [(2024, m) for m in range(1, 10)]
    headers = ["Jan-24" if (y, m) == (2024, 1) else D(month(y, m)) for y, m in months]
    b.put(ws, "A1", [["Ref", "Indicator", "Polarity", "Target", "Floor", *headers]])
    b.put(
        ws,
        "A2",
        [
            [
                "RY01",
                "Fly-tipping incidents reported",
                None,
                None,
                None,
                120,
                131,
                118,
                140,
                122,
                109,
                115,
                127,
                133,
                140,
                151,
                138,
            ],
            [
                "RY02",
                "Fly-tips cleared within 2 working days (%)",
                "Higher",
                95,
                90,
                93,
                94,
                95,
                96,
                92,
                97,
                95,
                96,
                94,
                93,
                91,
                96.5,
            ],
        ],
    )
    b.close()


@book("blind_target_without_polarity")
def blind_target_without_polarity(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Economy")
    b.put(ws, "A1", [["Ref", "Indicator", "Target", "Jul-24", "Aug-24"]])
    b.put(
        ws,
        "A2",
        [
            ["NP01", "Average time to answer business enquiries (seconds)", 60, 58, 72],
            ["NP02", "Apprenticeship starts with council support", 40, 35, 44],
        ],
    )
    b.close()


@book("blind_monitor_only_targets")
def blind_monitor_only_targets(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Childrens")
    b.put(ws, "A1", [["Ref", "Measure", "Polarity", "Target", "Floor", "Q1 2024/25", "Q2 2024/25"]])
    b.put(
        ws,
        "A2",
        [
            ["MO01", "Number of children looked after", "-", "Monitor only", "-", 412, 405],
            ["MO02", "Children subject to a child protection plan", "-", "Contextual", None, 288, 301],
            ["MO03", "Care leavers in education, employment or training (%)", "Higher", 60, 55, 57.0, 61.2],
        ],
    )
    b.close()


@book("blind_minimal_rules_detected")
def blind_minimal_rules_detected(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Waste")
    b.put(ws, "A1", [["Ref", "Description", "Good is", "Target", "Floor", D(month(2024, 7)), D(month(2024, 8))]])
    b.put(
        ws,
        "A2",
        [
            ["MR01", "Household waste sent for reuse, recycling or composting (%)", "High", 50, 45, 46.0, 51.0],
            ["MR02", "Residual household waste per household (kg)", "Low", 110, 120, 118.2, 121.0],
        ],
    )
    b.close()


@book("blind_snapshot_dates_row_labels")
def blind_snapshot_dates_row_labels(path: Path) -> None:
    """The Ministry of Justice prison population table's shape (real file, see README): row labels as ids under a
    blank header cell, 30 June snapshot dates across, '-' for a category not counted that year."""
    b = Book(path)
    ws = b.sheet("A1_1")
    b.put(ws, "A1", [["Table A1.1: Prison population by type of custody, 30 June 2019 to 2022, England and Wales"]])
    dates = [D(dt.date(y, 6, 30), "dd/mm/yyyy") for y in (2019, 2020, 2021, 2022)]
    b.put(ws, "A2", [[None, *dates]])
    b.put(
        ws,
        "A3",
        [
            ["Males and Females", 82710, 79514, 78180, 80659],
            ["Remand", 9163, 12990, 12787, 13103],
            ["Fine defaulter", 6, "-", 1, 2],
        ],
        col_fmt={i: "#,##0" for i in range(1, 5)},
    )
    b.put(ws, "A7", [["Source: HMPPS prison population returns."]])
    b.close()


@book("blind_forecast_column_after_current")
def blind_forecast_column_after_current(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Finance KPIs")
    b.put(
        ws,
        "A1",
        [
            [
                "Ref",
                "Indicator",
                "Polarity",
                "Target",
                "Floor",
                *[D(month(2024, m)) for m in (7, 8, 9)],
                "Mar-25 (forecast)",
            ]
        ],
    )
    b.put(
        ws,
        "A2",
        [
            ["FC01", "Income from fees and charges (% of budget)", "Higher", 100, 95, 96.0, 97.5, 99.0, 101.0],
            ["FC02", "Savings delivered (% of plan)", "Higher", 100, 90, 88.0, 91.0, 93.5, 100.0],
        ],
    )
    b.close()


@book("blind_quarter_tabs_newest_last")
def blind_quarter_tabs_newest_last(path: Path) -> None:
    b = Book(path)
    for name, quarters, figures in (
        ("Q1", ("Q4 23/24", "Q1 24/25"), (92.0, 94.0)),
        ("Q2", ("Q1 24/25", "Q2 24/25"), (94.0, 96.0)),
    ):
        ws = b.sheet(name)
        b.put(ws, "A1", [["Ref", "Indicator", "Polarity", "Target", "Floor", *quarters]])
        b.put(ws, "A2", [["QT01", "Invoices paid within 30 days (%)", "Higher", 95, 90, *figures]])
    b.close()


@book("blind_iferror_blank_string")
def blind_iferror_blank_string(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("OT")
    b.put(ws, "A1", [["Ref", "Indicator", "Polarity", "Target", "Floor", "Aug-24", "Sep-24"]])
    b.put(
        ws,
        "A2",
        [
            [
                "IE01",
                "Occupational therapy assessments within 28 days (%)",
                "Higher",
                80,
                70,
                78.0,
                F('=IFERROR(Data!B2/Data!C2*100,"")', ""),
            ],
            ["IE02", "Reviews completed on time (%)", "Higher", 85, 75, 86.0, F("=ROUND(Data!B3/Data!C3*100,1)", 87.2)],
        ],
    )
    b.close()
    _as_excel_saves_text_results(path, ["G2"])


def _as_excel_saves_text_results(path: Path, cells: list[str]) -> None:
    """Mark formula cells whose cached result is a string as Excel does (t="str"): XlsxWriter leaves the type
    off an empty cached string, which Excel itself never writes."""

    def mark(xml: bytes) -> bytes:
        text = xml.decode()
        for ref in cells:
            text = text.replace(f'<c r="{ref}"><f>', f'<c r="{ref}" t="str"><f>', 1)
        return text.encode()

    # the only sheet of the workbooks that use this
    path.write_bytes(rewrite(path, {"xl/worksheets/sheet1.xml": mark}))


@book("blind_calendar_quarter_ranges")
def blind_calendar_quarter_ranges(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Community Safety")
    b.put(ws, "A1", [["Ref", "Indicator", "Polarity", "Target", "Floor", "Jan-Mar 24", "Apr-Jun 24", "Jul-Sep 24"]])
    b.put(
        ws,
        "A2",
        [
            ["CQ01", "Crimes per 1,000 residents", "Lower", 18, 20, 19.1, 18.4, 17.9],
            ["CQ02", "Anti-social behaviour incidents reported", None, None, None, 1210, 1388, 1502],
        ],
    )
    b.close()


@book("blind_same_month_last_year_after")
def blind_same_month_last_year_after(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Waste")
    b.put(
        ws,
        "A1",
        [
            [
                "Ref",
                "Indicator",
                "Polarity",
                "Target",
                "Floor",
                *[D(month(2024, m)) for m in (7, 8, 9)],
                D(month(2023, 9)),
            ]
        ],
    )
    b.put(
        ws,
        "A2",
        [
            ["LY01", "Household waste recycled (%)", "Higher", 50, 45, 47.0, 49.0, 51.0, 44.0],
            ["LY02", "Missed collections per 100,000", "Lower", 60, 80, 70, 65, 85, 55],
        ],
    )
    b.close()
