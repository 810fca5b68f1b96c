"""What a refresh keeps of the analyst's work and must warn of: worded once here, for every engine.

The adapters find the facts (the file writer by reading the sheet's XML, the Excel side through
xlwings) and pass them in; the words, codes and places are the same whichever found them.
"""

from __future__ import annotations

from collections.abc import Sequence

from .findings import Finding, Where


def hiding_formats(sheet: str, rag_cells: str, *, ranges: Sequence[str] = (), rules: Sequence[str] = ()) -> Finding:
    """Conditional formats that fill the RAG cells: their colours show instead of the ones scorecard gives.
    Each is told by the ``ranges`` it applies to (the file says), or by its rule's type and formula (``rules``,
    as the Excel side lists them)."""
    formats = [f"on {area}" for area in ranges] + list(rules)
    return Finding(
        "SC805",
        f"the conditional formatting {', '.join(formats)} fills RAG cells ({rag_cells}); its colours show instead "
        "of the RAG colours scorecard gives them. It is kept: check it agrees with the rules, or remove it "
        "(Home > Conditional Formatting > Manage Rules)",
        Where(sheet=sheet, cell=rag_cells),
    )


def hand_drawn_sparklines(sheet: str, cells: Sequence[str]) -> Finding:
    """Trend cells that hold a sparkline the analyst drew, in a group that also draws elsewhere: kept."""
    shown = ", ".join(cells[:5]) + (", ..." if len(cells) > 5 else "")
    return Finding(
        "SC806",
        f"{len(cells)} trend {'cell holds' if len(cells) == 1 else 'cells hold'} a sparkline drawn by hand ({shown}) "
        "in a group that also draws elsewhere; it is kept and scorecard draws none there. Delete that sparkline "
        "(Sparkline > Clear) to have scorecard draw the KPI's trend",
        Where(sheet=sheet),
    )


def stale_trend_sheet(trend_sheet: str) -> Finding:
    """A trend sheet an earlier refresh wrote for sparklines.axis, which the sparklines drawn now no longer read."""
    return Finding(
        "SC807",
        "it was written by an earlier refresh with sparklines.axis, and the sparklines drawn now (without it) no "
        "longer read it; it is left as it is: delete it in Excel (right-click a sheet tab > Unhide, then delete it), "
        "or put sparklines.axis back in the rules",
        Where(sheet=trend_sheet),
    )


def sparklines_not_drawn_here(sheet: str, cells: str, trend_sheet: str | None) -> Finding:
    """An engine without sparklines (every xlwings engine) leaves the trend column's as they are."""
    drawn_from = (
        f", as is the hidden sheet {trend_sheet} they are drawn from (its formulas follow the figures typed; a new "
        "period or KPI needs the command line)"
        if trend_sheet
        else ""
    )
    return Finding(
        "SC905",
        f"the sparklines of layout.columns.trend ({cells}) are drawn by the command line (scorecard refresh), not "
        f"from Excel{drawn_from}: this refresh leaves the sparklines already there as they are",
        Where(sheet=sheet),
    )
