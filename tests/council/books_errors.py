"""Error values in figure, target and floor cells: cached by a formula (XlsxWriter), or typed as constants
(openpyxl, as a pasted extract leaves them), in the current, previous and an older period."""

from __future__ import annotations

from pathlib import Path

from council.registry import book
from council.xl import PCT, Book, D, Err, N, T, month, patch


def _p(value: float) -> N:
    return N(value, PCT)


@book("nhs_ipr_error_values")
def nhs_ipr_error_values(path: Path) -> None:
    b = Book(path)
    ws = b.sheet("IPR")
    b.put(ws, "A1", [[T("Integrated Performance Report – Responsiveness")], ["Board meeting, October 2024"]])
    b.put(ws, "A5", [["Ref", "Metric", "Target", "Floor", D(month(2024, 8)), D(month(2024, 9)), "RAG"]])
    b.put(
        ws,
        "A6",
        [
            ["AE01", "A&E: patients seen within 4 hours (%)", _p(0.78), _p(0.76), _p(0.741), Err("#N/A")],
            ["RTT01", "RTT: incomplete pathways within 18 weeks (%)", _p(0.92), Err("#REF!"), _p(0.589), _p(0.592)],
            ["CAN01", "Cancer: treated within 62 days of urgent referral (%)", Err("#VALUE!"), _p(0.75)]
            + [Err("#DIV/0!"), _p(0.701)],
            ["CAN02", "Cancer: faster diagnosis standard, 28 days (%)", _p(0.75), _p(0.70), _p(0.772), _p(0.781)],
            ["DM01", "Diagnostics: waiting 6 weeks or more (%)", _p(0.05), _p(0.10), _p(0.221), _p(0.207)],
        ],
    )
    data = b.sheet("Data")
    b.put(data, "A1", [["Lookup", "Value", "Count"]])
    b.close()


@book("waste_error_constants")
def waste_error_constants(path: Path) -> None:
    """The errors typed as constants (a cell holding #N/A itself, no formula), as pasted from an extract."""
    b = Book(path)
    ws = b.sheet("Waste KPIs")
    b.put(ws, "A2", [["Ref", "Indicator", "Polarity", "Target", "Floor", D(month(2024, 7)), D(month(2024, 8)), "RAG"]])
    b.put(
        ws,
        "A3",
        [
            ["WS01", "Household waste recycled (%)", "Higher", 50, 45, 47.9, 0],
            ["WS02", "Missed collections per 100,000", "Lower", 60, 80, 71, 66],
            ["WS03", "Fly-tipping incidents cleared within 48 hours (%)", "Higher", 0, 85, 91.0, 88.5],
            ["WS04", "Bulky waste collections on the agreed day (%)", "Higher", 95, 0, 96.1, 97.2],
            ["WS05", "Streets below the litter standard (%)", "Lower", 4, 8, 0, 5.1],
        ],
    )
    b.close()

    def errors(wb) -> None:
        sheet = wb["Waste KPIs"]
        sheet["G3"] = "#N/A"
        sheet["D5"] = "#DIV/0!"
        sheet["E6"] = "#N/A"
        sheet["F7"] = "#VALUE!"
        for ref in ("G3", "D5", "E6", "F7"):
            assert sheet[ref].data_type == "e", ref

    patch(path, errors)


@book("nhs_error_in_history")
def nhs_error_in_history(path: Path) -> None:
    """A monthly history: #N/A in an older month (June) and #REF! in the current month (September)."""
    b = Book(path)
    ws = b.sheet("Workforce")
    b.put(ws, "A1", [[T("Workforce – Trust Board report")]])
    b.put(ws, "A3", [["Ref", "Indicator", "Target", *[D(month(2024, m)) for m in range(4, 10)], "RAG"]])
    b.put(
        ws,
        "A4",
        [
            ["ST01", "Staff sickness absence rate (%)", 4.0, 5.1, 4.9, Err("#N/A"), 4.6, 4.4, 4.2],
            ["VR01", "Vacancy rate (%)", 8.0, 9.5, 9.3, 9.0, 8.8, 8.6, Err("#REF!")],
            ["MT01", "Mandatory training compliance (%)", 90, 86, 87, 88, 89, 90.5, 91.2],
            ["AP01", "Appraisal rate (%)", 85, 78, 79, 80, 80.5, 81, 82],
        ],
    )
    b.close()
