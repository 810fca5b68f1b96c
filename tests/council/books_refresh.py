"""What a refresh writes: a RAG column held to a list validation (G/A/R) that a COUNTIF summary counts, two
RAG columns (last month's and this month's), and macro workbooks refreshed to an output of the other type."""

from __future__ import annotations

from pathlib import Path

from council.registry import book
from council.xl import Book, D, F, T, month

HOUSING = [
    ["HO01", "Average re-let time, standard voids (days)", "Lower", 28, 35],
    ["HO02", "Rent collected as % of rent due", "Higher", 98.5, 97],
    ["HO03", "Repairs completed right first time (%)", "Higher", 90, 85],
    ["HO04", "Rent arrears as % of rent due", "Lower", 2.5, 3.5],
    ["HO05", "Tenancy audits completed (%)", "Higher", 95, 90],
]
AUGUST = [36.2, 98.1, 86.5, 2.9, 96.0]
SEPTEMBER = [31.4, 98.7, 84.0, 2.9, 97.5]


def _housing(path: Path, validation: dict, rag: list | None = None, lists: list[str] | None = None) -> None:
    b = Book(path)
    ws = b.sheet("Scorecard")
    b.put(ws, "A1", [[T("Housing Services – monthly scorecard")]])
    b.put(ws, "A3", [["Ref", "Indicator", "Polarity", "Target", "Floor", D(month(2024, 8)), D(month(2024, 9)), "RAG"]])
    b.put(ws, "A4", [[*row, aug, sep] for row, aug, sep in zip(HOUSING, AUGUST, SEPTEMBER, strict=True)])
    for i, value in enumerate(rag or []):
        b.write(ws, 3 + i, 7, value)
    ws.data_validation("H4:H8", validation)
    summary = b.sheet("Summary")
    spelled = ("G", "A", "R") if not lists else tuple(lists)
    b.put(
        summary,
        "A1",
        [
            [T("RAG summary")],
            ["Green", F(f'=COUNTIF(Scorecard!H4:H8,"{spelled[0]}")', 0)],
            ["Amber", F(f'=COUNTIF(Scorecard!H4:H8,"{spelled[1]}")', 0)],
            ["Red", F(f'=COUNTIF(Scorecard!H4:H8,"{spelled[2]}")', 0)],
        ],
    )
    if lists:
        sheet = b.sheet("Lists")
        b.put(sheet, "A1", [[v] for v in lists])
        sheet.hide()
    b.close()


@book("housing_rag_validation_gar")
def housing_rag_validation_gar(path: Path) -> None:
    """An empty RAG column whose cells only accept G, A or R; a Summary sheet counts "G", "A" and "R"."""
    _housing(path, {"validate": "list", "source": ["G", "A", "R"]})


@book("housing_rag_validation_range")
def housing_rag_validation_range(path: Path) -> None:
    """The validation's list is a range on a hidden Lists sheet (G, A, R); last month left one 'A' behind."""
    _housing(
        path,
        {"validate": "list", "source": "=Lists!$A$1:$A$3"},
        rag=[None, None, "A"],
        lists=["G", "A", "R"],
    )


@book("waste_rag_validation_lowercase")
def waste_rag_validation_lowercase(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Waste")
    b.put(ws, "A1", [["Ref", "Indicator", "Polarity", "Target", "Floor", D(month(2024, 7)), D(month(2024, 8)), "RAG"]])
    b.put(
        ws,
        "A2",
        [
            ["WM01", "% of household waste recycled", "Higher", 50, 45, 51.2, 48.7],
            ["WM02", "Missed bins per 100,000 collections", "Lower", 80, 100, 85, 62],
            ["WM03", "% of fly-tips removed within 2 working days", "Higher", 95, 90, 95.0, 88.0],
        ],
    )
    ws.data_validation("H2:H4", {"validate": "list", "source": ["green", "amber", "red"]})
    b.put(ws, "J1", [["Green", F('=COUNTIF(H2:H4,"green")', 0)], ["Red", F('=COUNTIF(H2:H4,"red")', 0)]])
    b.close()


def _directorate(path: Path, macros: bool) -> None:
    b = Book(path, macros=macros)
    ws = b.sheet("Pack")
    b.put(ws, "A1", [["Ref", "Indicator", "Polarity", "Target", "Floor", "Q1 2024/25", "Q2 2024/25", "RAG"]])
    b.put(
        ws,
        "A2",
        [
            ["DP01", "Agency staff spend (£000)", "Lower", 250, 300, 287, 265],
            ["DP02", "Staff turnover (%)", "Lower", 12, 15, 13.1, 11.8],
            ["DP03", "Establishment posts filled (%)", "Higher", 92, 88, 90.2, 87.5],
        ],
    )
    b.close()


@book("directorate_xlsm_to_xlsx", ext="xlsm")
def directorate_xlsm_to_xlsx(path: Path) -> None:
    _directorate(path, macros=True)


@book("directorate_xlsx_to_xlsm")
def directorate_xlsx_to_xlsm(path: Path) -> None:
    _directorate(path, macros=False)


@book("housing_two_rag_columns")
def housing_two_rag_columns(path: Path) -> None:
    """'RAG' twice: last month's (G, kept) beside August and this month's (I, to write) beside September."""
    b = Book(path)
    ws = b.sheet("Scorecard")
    centred = b.fmt(bold=True, align="center")
    ws.merge_range("F3:G3", "August 2024", centred)
    ws.merge_range("H3:I3", "September 2024", centred)
    header = ["Ref", "Indicator", "Polarity", "Target", "Floor", D(month(2024, 8)), "RAG", D(month(2024, 9)), "RAG"]
    b.put(ws, "A4", [[*header, "Commentary"]])
    last_month = ["Red", "Amber", "Amber", "Amber", "Green"]
    b.put(
        ws,
        "A5",
        [[*row, aug, rag, sep] for row, aug, rag, sep in zip(HOUSING, AUGUST, last_month, SEPTEMBER, strict=True)],
    )
    b.close()
