"""Table bounds: rows under, above or beside the KPI table that are not KPIs, and must stay where they are
(charts and summaries use them): benchmark statistics, comparator rows, a chart-data block repeating the
period headers, a second block of the same ids holding targets, a helper row of index numbers, a RAG summary."""

from __future__ import annotations

from pathlib import Path

from council.registry import book
from council.xl import Book, D, F, T, month


def _waste_benchmarks(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Waste Benchmarking")
    b.put(ws, "A1", [[T("Waste – our performance and the family group")]])
    b.put(ws, "A3", [["Ref", "Indicator", "Polarity", "Target", "Floor", "2022/23", "2023/24", "RAG"]])
    b.put(
        ws,
        "A4",
        [
            ["WR01", "Household waste recycled (%)", "Higher", 50, 45, 48.2, 51.3],
            ["WR02", "Residual waste per household (kg)", "Lower", 450, 500, 512, 489],
            ["WR03", "Missed bins per 100,000 collections", "Lower", 60, 80, 55, 63],
            ["WR04", "Fly-tipping incidents per 1,000 population", "Lower", 10, 15, 12.4, 16.2],
            ["WR05", "Streets below the litter standard (%)", "Lower", 5, 8, 4.1, 3.6],
            [],
            ["Max", None, None, None, None, 62.1, 63.0],
            ["Median", None, None, None, None, 45.2, 46.1],
            ["Min", None, None, None, None, 31.0, 30.4],
        ],
    )
    b.close()


@book("waste_benchmark_rows_last_row")
def waste_benchmark_rows_last_row(path: Path) -> None:
    _waste_benchmarks(path)


@book("waste_benchmark_rows_detected")
def waste_benchmark_rows_detected(path: Path) -> None:
    _waste_benchmarks(path)


@book("childrens_comparators_beside_and_below")
def childrens_comparators_beside_and_below(path: Path) -> None:
    """A chart-data block to the right repeats the period headers; England and neighbours rows below."""
    b = Book(path)
    ws = b.sheet("Childrens")
    b.put(ws, "A1", [[T("Children's Services – quarterly scorecard")], ["Quarter 1 2024/25"]])
    quarters = ["Q4 2023/24", "Q1 2024/25"]
    b.put(
        ws, "A4", [["Ref", "Indicator", "Polarity", "Target", "Floor", *quarters, "RAG", None, "Chart data", *quarters]]
    )
    rows = [
        ["CS01", "Re-referrals within 12 months (%)", "Lower", 20, 25, 23.1, 19.4],
        ["CS02", "Child protection plans for a second or subsequent time (%)", "Lower", 18, 23, 24.0, 21.5],
        ["CS03", "Assessments completed within 45 working days (%)", "Higher", 85, 75, 88.2, 84.1],
        ["CS04", "Children in care with 3 or more placements in the year (%)", "Lower", 10, 12, 9.2, 10.4],
        ["CS05", "Care leavers in suitable accommodation (%)", "Higher", 90, 85, 91.0, 93.5],
    ]
    b.put(ws, "A5", [[*row, None, None, row[0], row[5], row[6]] for row in rows])
    b.put(
        ws,
        "A11",
        [
            ["England average", None, None, None, None, 22.0, 21.6],
            ["Statistical neighbours", None, None, None, None, 21.3, 20.9],
        ],
    )
    b.close()


def _asc_with_target_block(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("ASC")
    months = [D(month(2024, m)) for m in (7, 8, 9)]
    b.put(ws, "A3", [["Ref", "Measure", *months, "RAG"]])
    b.put(
        ws,
        "A4",
        [
            ["AS01", "New requests resolved at first contact (%)", 68.0, 71.0, 73.5],
            ["AS02", "Reviews completed on time (%)", 84.0, 82.0, 79.0],
            ["AS03", "Delayed discharges attributable to social care (days per 100,000)", 10.1, 11.2, 12.8],
            ["AS04", "Safeguarding enquiries concluded within 28 days (%)", 78.0, 81.5, 84.0],
            [],
            [T("Targets 2024/25")],
            ["Ref", "Measure", *months],
            ["AS01", "New requests resolved at first contact (%)", 70, 70, 72],
            ["AS02", "Reviews completed on time (%)", 85, 85, 85],
            ["AS03", "Delayed discharges attributable to social care (days per 100,000)", 9, 9, 9],
            ["AS04", "Safeguarding enquiries concluded within 28 days (%)", 80, 80, 80],
        ],
    )
    b.close()


@book("asc_second_block_targets")
def asc_second_block_targets(path: Path) -> None:
    _asc_with_target_block(path)


@book("asc_second_block_detected")
def asc_second_block_detected(path: Path) -> None:
    _asc_with_target_block(path)


@book("helper_index_row_and_notes")
def helper_index_row_and_notes(path: Path) -> None:
    """Column numbers under the header (for INDEX formulas, as ONS tables carry them) and notes under the table."""
    b = Book(path)
    ws = b.sheet("Housing")
    b.put(ws, "A2", [["Ref", "Indicator", "Polarity", "Target", "Floor", D(month(2024, 8)), D(month(2024, 9)), "RAG"]])
    b.put(
        ws,
        "A3",
        [
            [None, 1, 2, 3, 4, 5, 6, 7],
            ["HS01", "Average days to re-let standard voids", "Lower", 28, 35, 33.0, 29.5],
            ["HS02", "Rent collected as % of rent due", "Higher", 98.5, 97, 97.8, 98.9],
            ["HS03", "Emergency repairs completed within 24 hours (%)", "Higher", 98, 95, 96.2, 94.1],
            [],
            ["Source: housing management system, extracted 3 October 2024."],
            ["1. September figures are provisional."],
            ["* HS01 target revised from 30 days in July 2024."],
        ],
    )
    b.close()


def _rag_summary(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("Corporate")
    b.put(ws, "A1", [[T("Corporate scorecard – Q2 2024/25")]])
    b.put(ws, "A3", [["Ref", "Indicator", "Target", "Floor", "Q1 2024/25", "Q2 2024/25", "RAG"]])
    b.put(
        ws,
        "A4",
        [
            [
                "Green",
                "KPIs rated Green",
                None,
                None,
                F('=COUNTIF(I8:I12,"Green")', 2),
                F('=COUNTIF(G8:G12,"Green")', 2),
            ],
            [
                "Amber",
                "KPIs rated Amber",
                None,
                None,
                F('=COUNTIF(I8:I12,"Amber")', 2),
                F('=COUNTIF(G8:G12,"Amber")', 2),
            ],
            ["Red", "KPIs rated Red", None, None, F('=COUNTIF(I8:I12,"Red")', 1), F('=COUNTIF(G8:G12,"Red")', 1)],
            [],
            ["CR01", "Council tax collected (%)", 96, 94, 95.1, 96.3],
            ["CR02", "Days lost to sickness per FTE", 8, 10, 8.9, 10.6],
            ["CR03", "Complaints answered within 10 working days (%)", 90, 80, 91.0, 88.0],
            ["CR04", "Undisputed invoices paid within 30 days (%)", 95, 90, 89.0, 92.5],
            ["CR05", "FOI requests answered within 20 working days (%)", 90, 85, 93.1, 92.2],
        ],
    )
    b.close()


@book("corporate_rag_summary_above_first_row")
def corporate_rag_summary_above_first_row(path: Path) -> None:
    _rag_summary(path)


@book("corporate_rag_summary_above_detected")
def corporate_rag_summary_above_detected(path: Path) -> None:
    _rag_summary(path)
