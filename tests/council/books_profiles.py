"""Targets that change by period: a monthly profile beside each actual, a Target row under each KPI's actuals,
and cumulative year-to-date KPIs that rise every month while falling behind their profile."""

from __future__ import annotations

from pathlib import Path

from council.registry import book
from council.xl import PCT, Book, D, N, T, month


def _pct(*values: float | None) -> list:
    return [None if v is None else N(round(v / 100, 6), PCT) for v in values]


@book("revenues_ct_profile_pairs")
def revenues_ct_profile_pairs(path: Path) -> None:
    """Apr-24 | Apr-24 Target | May-24 | May-24 Target ...: July laid out with its target, no actual yet."""
    b = Book(path)
    ws = b.sheet("Collection")
    b.put(ws, "A1", [[T("Council Tax and Business Rates – collection against profile 2024/25")], ["Figures to date"]])
    header: list = ["Ref", "Measure", "Polarity"]
    for m in (4, 5, 6, 7):
        header += [D(month(2024, m)), f"{month(2024, m):%b-%y} Target"]
    b.put(ws, "A4", [[*header, "RAG"]])
    b.put(
        ws,
        "A5",
        [
            ["CT01", "Council tax collected to date (% of annual debit)", "Higher", *_pct(10.4, 10.5, 20.3, 20.0)]
            + _pct(28.9, 29.6, None, 39.2),
            ["NNDR01", "Business rates collected to date (% of annual debit)", "Higher", *_pct(11.2, 10.8, 19.1, 20.1)]
            + _pct(30.5, 29.9, None, 38.7),
            [
                "HB01",
                "Average days to process new Housing Benefit claims",
                "Lower",
                21.0,
                22,
                19.5,
                20,
                17.6,
                18,
                None,
                18,
            ],
            ["CS01", "% of calls answered within 60 seconds", "Higher", *_pct(78.0, 80, 82.5, 80, 81.0, 80, None, 80)],
        ],
    )
    b.close()


@book("revenues_profile_repeated_target")
def revenues_profile_repeated_target(path: Path) -> None:
    _repeated_target(path)


@book("revenues_profile_repeated_target_detected")
def revenues_profile_repeated_target_detected(path: Path) -> None:
    _repeated_target(path)


def _repeated_target(path: Path) -> None:
    """Jul-24 | Target | Aug-24 | Target | Sep-24 | Target: each period's target in the column after it."""
    b = Book(path)
    ws = b.sheet("Revenues KPIs")
    b.put(ws, "A1", [[T("Revenues KPIs 2024/25 (percentages in points)")]])
    header = ["Ref", "Indicator", "Polarity"]
    for m in (7, 8, 9):
        header += [f"{month(2024, m):%b-%y}", "Target"]
    b.put(ws, "A3", [[*header, "RAG", "DOT"]])
    b.put(
        ws,
        "A4",
        [
            [
                "CT02",
                "Council Tax in-year collection rate (cumulative %)",
                "Higher",
                37.9,
                38.4,
                47.6,
                47.3,
                55.8,
                56.5,
            ],
            ["SD01", "Sundry debt over 90 days old (£000)", "Lower", 812, 800, 774, 780, 765, 760],
            ["HB02", "New benefit claims processed within 14 days (%)", "Higher", 84.1, 85, 86.3, 85, 88.0, 90],
            ["CTR01", "Council Tax Reduction claimants", None, 10412, None, 10388, None, 10460, None],
        ],
    )
    b.close()


@book("waste_actual_profile_merged_months")
def waste_actual_profile_merged_months(path: Path) -> None:
    """A month label merged over Actual | Profile, the usual two-row header of a profiled waste pack."""
    b = Book(path)
    ws = b.sheet("Waste")
    b.put(ws, "A1", [[T("Waste Management – performance against profile")]])
    centred = b.fmt("mmm-yy", align="center", bold=True)
    for i, m in enumerate((4, 5, 6, 7)):
        ws.merge_range(2, 3 + 2 * i, 2, 4 + 2 * i, "", centred)
        ws.write_datetime(2, 3 + 2 * i, month(2024, m), centred)
    b.put(ws, "A4", [["Ref", "Indicator", "Polarity", *["Actual", "Profile"] * 4, "RAG"]])
    b.put(
        ws,
        "A5",
        [
            ["RW01", "Residual household waste per household, year to date (kg)", "Lower"]
            + [40.1, 41, 82.6, 82, 121.9, 123, None, 164],
            ["RC01", "Household waste recycled and composted (%)", "Higher", 44.0, 45, 46.2, 46, 47.5, 48, None, 48],
            ["GW01", "Garden waste subscriptions (cumulative)", "Higher"]
            + [21450, 21000, 23810, 24000, 24990, 25000, None, 25500],
        ],
    )
    b.close()


@book("ctax_target_rows")
def ctax_target_rows(path: Path) -> None:
    """A Target row (no id) under each KPI's row of actuals; September laid out with targets only."""
    b = Book(path)
    ws = b.sheet("Scorecard")
    b.put(ws, "A1", [[T("Collection Fund – monthly scorecard")]])
    b.put(ws, "A3", [["Ref", "Measure", "Type", *[D(month(2024, m)) for m in range(4, 10)], "RAG"]])
    b.put(
        ws,
        "A4",
        [
            ["CT01", "Council tax collected to date (%)", "Actual", 10.4, 20.3, 28.9, 39.0, 47.0],
            [None, None, "Target", 10.5, 20.0, 29.6, 38.9, 47.5, 56.5],
            ["NNDR01", "Business rates collected to date (%)", "Actual", 11.2, 19.1, 30.5, 38.2, 48.3],
            [None, None, "Target", 10.8, 20.1, 29.9, 38.7, 47.9, 57.0],
            ["HB01", "Average days to process new Housing Benefit claims", "Actual", 21.0, 19.5, 17.6, 18.4, 17.9],
            [None, None, "Target", 22, 20, 18, 18, 18, 18],
        ],
    )
    b.close()


@book("housing_target_rows_same_id")
def housing_target_rows_same_id(path: Path) -> None:
    """Quarterly: the same id on an Actual row and a Target row, targets laid out for the whole year."""
    b = Book(path)
    ws = b.sheet("Housing Delivery")
    b.put(ws, "A1", [[T("Housing delivery and homelessness 2024/25")]])
    quarters = [f"Q{q} 2024/25" for q in (1, 2, 3, 4)]
    b.put(ws, "A2", [["Ref", "Indicator", "Measure", *quarters]])
    affordable = "New affordable homes delivered (cumulative)"
    b.put(
        ws,
        "A3",
        [
            ["HD01", affordable, "Actual", 42, 95],
            ["HD01", affordable, "Target", 40, 100, 160, 220],
            ["HD02", "Homelessness preventions", "Actual", 150, 171],
            ["HD02", "Homelessness preventions", "Target", 140, 160, 160, 160],
            ["HD03", "Households in temporary accommodation", "Actual", 212, 226],
            ["HD03", "Households in temporary accommodation", "Target", 200, 200, 190, 180],
        ],
    )
    b.close()
