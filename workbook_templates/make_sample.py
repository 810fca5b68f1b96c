"""Write the bundled Children in Care scorecard for June 2018 (``cic-scorecard-june-2018.xlsx``).

Every figure the June 2018 cover report gives is here; the KPIs it does not describe carry
illustrative figures, marked so in the Source column and in a note under the table. Written with
XlsxWriter, as Excel would lay it out, with a fixed creation date so the file is reproducible:

    .venv/bin/python workbook_templates/make_sample.py [OUTPUT]
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
DEFAULT_OUTPUT = HERE / "cic-scorecard-june-2018.xlsx"
ILLUSTRATIVE = "Illustrative"

SECTIONS = {
    "CIC01": "Health",
    "CIC07": "Social work practice",
    "CIC12": "Workforce and placements",
    "CIC19": "Education and care leavers",
}

# id, indicator, polarity, target, floor, May, June, numerator, denominator, commentary, source
KPIS = [
    (
        "CIC01",
        "Percentage of CIC who turned 18 during the month with a health history",
        "H",
        100,
        90,
        93.9,
        100.0,
        None,
        None,
        "",
        "Cover report 3.3.1",
    ),
    (
        "CIC02",
        "Percentage of CIC for 18 months and allocated to the same Social Worker for the last 12 months",
        "H",
        65,
        45,
        46.0,
        48.4,
        None,
        None,
        "Performance for one Area, South Kent, remains low at 29.7% which is a consequence of high rates of maternity "
        "leave in that Area. Performance for South Kent has been showing month-on-month improvement since March 2018 "
        "when it was 23.0%.",
        "Cover report 3.4.1; target and floor illustrative",
    ),
    (
        "CIC03",
        "Percentage of Initial Health referrals made to Health within 5 days of a child/young person coming into care",
        "H",
        90,
        80,
        83.9,
        84.8,
        None,
        None,
        "Regular meetings continue to be held with Health colleagues to review records for children where referrals "
        "have not been made in time, with the aim of preventing delays in arranging timely health assessments.",
        "Cover report 3.4.2; target and floor illustrative",
    ),
    (
        "CIC04",
        "Percentage of Initial Health Assessments taking place within 20 working days",
        "H",
        85,
        70,
        77.8,
        80.1,
        None,
        None,
        "This continues the trend of month-on-month improvements towards the target.",
        "Cover report 3.4.3; floor illustrative",
    ),
    (
        "CIC05",
        "Percentage of CIC with an up-to-date Review Health Assessment",
        "H",
        90,
        80,
        91.2,
        92.0,
        None,
        None,
        "",
        ILLUSTRATIVE,
    ),
    (
        "CIC06",
        "Percentage of CIC with an up-to-date dental check",
        "H",
        85,
        75,
        87.5,
        88.1,
        None,
        None,
        "",
        ILLUSTRATIVE,
    ),
    (
        "CIC07",
        "Percentage of Returner Interviews completed for CIC",
        "H",
        85,
        70,
        73.9,
        74.1,
        None,
        None,
        "This remains some way off from the Target of 85% however this target has been set locally, and in the absence "
        "of any comparative data from any other local authority. It should also be noted that there are some issues "
        "within the authority’s IT system which is likely to have led to an under-reporting of the actual performance "
        "figure. These issues are due to be rectified by the software supplier in a future system upgrade.",
        "Cover report 3.4.4; floor illustrative",
    ),
    ("CIC08", "Percentage of CIC visits held within timescales", "H", 90, 80, 94.1, 93.6, None, None, "", ILLUSTRATIVE),
    ("CIC09", "Percentage of CIC with a current Care Plan", "H", 95, 90, 97.8, 98.0, None, None, "", ILLUSTRATIVE),
    (
        "CIC10",
        "Percentage of CIC Reviews held within timescales",
        "H",
        95,
        90,
        96.4,
        97.1,
        None,
        None,
        "",
        ILLUSTRATIVE,
    ),
    (
        "CIC11",
        "Percentage of CIC who participated in their review",
        "H",
        90,
        80,
        95.2,
        95.5,
        None,
        None,
        "",
        ILLUSTRATIVE,
    ),
    (
        "CIC12",
        "Average caseloads of Social Workers in CIC Teams",
        "L",
        15,
        18,
        17.0,
        15.8,
        None,
        None,
        "The average caseload for social workers in the Children in Care teams is now closer to the Target of "
        "15 cases.",
        "Cover report 3.4.5; floor illustrative",
    ),
    (
        "CIC13",
        "CIC Placement stability: Percentage with 3 or more placements in the last 12 months",
        "L",
        10,
        12,
        11.2,
        11.2,
        None,
        None,
        "The Target has been set to be in line with the National Average for England for 2016/17.",
        "Cover report 3.4.6; floor illustrative",
    ),
    (
        "CIC14",
        "CIC Placement stability: Percentage in the same placement for the last 2 years",
        "H",
        70,
        65,
        69.1,
        69.1,
        None,
        None,
        "Performance has remained at 69.1% for the last three months. The Target has been set to be in line "
        "with the National Average for England for 2016/17.",
        "Cover report 3.4.7; floor illustrative",
    ),
    (
        "CIC15",
        "Percentage of CIC Foster Care in KCC Foster Care/Relatives and Friends placements (excluding UASC)",
        "H",
        85,
        75,
        84.3,
        84.2,
        1003,
        1191,
        "The reduction in performance is minimal: the variance between the numerator and denominator figures for both "
        "periods equates to a difference of one child.",
        "Cover report 3.4.8; target, floor, numerator and denominator illustrative",
    ),
    (
        "CIC16",
        "Percentage of CIC placed within 20 miles from home (excluding UASC)",
        "H",
        85,
        75,
        77.4,
        76.7,
        988,
        1288,
        "In June there were 300 children and young people that were placed 20 miles or more from home, which compares "
        "to 297 children in May 2018.",
        "Cover report 3.4.9; target and floor illustrative",
    ),
    ("CIC17", "Percentage of CIC placed in residential care", "L", 12, 15, 10.8, 10.5, None, None, "", ILLUSTRATIVE),
    (
        "CIC18",
        "Average days between entering care and moving in with an adoptive family",
        "L",
        426,
        500,
        402,
        398,
        None,
        None,
        "",
        ILLUSTRATIVE,
    ),
    (
        "CIC19",
        "Percentage of CIC with a Personal Education Plan",
        "H",
        95,
        90,
        96.1,
        96.9,
        None,
        None,
        "",
        ILLUSTRATIVE,
    ),
    (
        "CIC20",
        "Percentage of care leavers in education, employment or training",
        "H",
        65,
        55,
        66.3,
        65.9,
        None,
        None,
        "",
        ILLUSTRATIVE,
    ),
    (
        "CIC21",
        "Percentage of care leavers in suitable accommodation",
        "H",
        90,
        80,
        91.7,
        92.4,
        None,
        None,
        "",
        ILLUSTRATIVE,
    ),
    ("CIC22", "Percentage of care leavers with a Pathway Plan", "H", 95, 90, 96.5, 95.8, None, None, "", ILLUSTRATIVE),
    (
        "CIC23",
        "CIC team posts filled by KCC Permanent QSW (excluding teams in the Fostering and Adoption services)",
        "H",
        95,
        85,
        91.1,
        89.4,
        None,
        None,
        "A reduction of 1.7 FTE.",
        "Cover report 3.4.9 (second of that number); reported there in FTE; target and floor illustrative",
    ),
    (
        "CIC24",
        "Percentage of CIC Social Workers receiving monthly supervision",
        "H",
        90,
        80,
        92.3,
        93.0,
        None,
        None,
        "",
        ILLUSTRATIVE,
    ),
]

HEADERS = [
    "Ref",
    "Indicator",
    "Polarity",
    "Target",
    "Floor",
    "May-18",
    "Jun-18",
    "RAG",
    "DOT",
    "Numerator",
    "Denominator",
    "Commentary",
    "Source",
]


def build(output: Path) -> Path:
    book = xlsxwriter.Workbook(str(output))
    book.set_properties(
        {
            "title": "Children in Care Scorecard, June 2018",
            "author": "Performance and Information",
            "created": dt.datetime(2018, 7, 20, 9, 0, 0),
        }
    )  # fixed: the file is reproducible
    sheet = book.add_worksheet("Scorecard")
    title = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format(
        {"bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF", "text_wrap": True, "valign": "top", "border": 1}
    )
    section = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
    text = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    figure = book.add_format({"num_format": "0.0", "valign": "top", "border": 1})
    whole = book.add_format({"num_format": "0", "valign": "top", "border": 1})
    plain = book.add_format({"valign": "top", "border": 1})
    note = book.add_format({"italic": True})

    sheet.write(0, 0, "Children in Care Scorecard", title)
    sheet.write(1, 0, "June 2018: for the Corporate Parenting Panel")
    sheet.write_row(3, 0, HEADERS, header)
    row = 4
    for kpi in KPIS:
        kid, name, polarity, target, floor, may, june, num, den, comment, source = kpi
        if kid in SECTIONS:
            sheet.merge_range(row, 0, row, len(HEADERS) - 1, SECTIONS[kid], section)
            row += 1
        number = whole if kid == "CIC18" else figure
        sheet.write(row, 0, kid, plain)
        sheet.write(row, 1, name, text)
        sheet.write(row, 2, polarity, plain)
        sheet.write_number(row, 3, target, number)
        sheet.write_number(row, 4, floor, number)
        sheet.write_number(row, 5, may, number)
        sheet.write_number(row, 6, june, number)
        sheet.write_blank(row, 7, None, plain)
        sheet.write_blank(row, 8, None, plain)
        for col, value in ((9, num), (10, den)):
            sheet.write(row, col, value, whole) if value is not None else sheet.write_blank(row, col, None, plain)
        sheet.write(row, 11, comment, text) if comment else sheet.write_blank(row, 11, None, text)
        sheet.write(row, 12, source, text)
        lines = max(-(-len(name) // 50), -(-len(comment) // 60), -(-len(source) // 24), 1)
        sheet.set_row(row, 15 * lines + 2)  # spreadsheet programs do not all fit wrapped rows on opening
        row += 1
    row += 1
    sheet.write(
        row,
        0,
        "Note: rows whose Source reads Illustrative are not from the published June 2018 report; "
        "they complete the 24 KPIs for demonstration. All other figures are the report's.",
        note,
    )
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 48)
    sheet.set_column(2, 8, 9)
    sheet.set_column(9, 10, 12)
    sheet.set_column(11, 11, 55)
    sheet.set_column(12, 12, 22)
    sheet.freeze_panes(4, 2)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(3)
    book.close()
    return output


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT))
