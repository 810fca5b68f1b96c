"""Checks that need the ratings as well as the cells: what the workbook shows against what the rules say.

Shared by every front end: the command line passes the formula cells its reader found, the Excel
macros the RAG cells they read as formulas.
"""

from __future__ import annotations

from collections.abc import Iterable

from .findings import Finding, Where
from .model import Scorecard
from .reading import Grid
from .statuswords import status_of


def formula_rag_findings(
    grid: Grid, card: Scorecard, rag_column: int, formulas: Iterable[tuple[int, int]]
) -> list[Finding]:
    """A warning for each KPI whose RAG cell is a formula whose result (as last calculated) is a RAG word
    other than the rules' rating.

    A refresh keeps such a formula (it colours it with conditional formatting instead of writing a word
    over it), so the column would go on showing the formula's opinion while the narrative tells the
    rules'; readers would see two ratings for one KPI. A result that is not a RAG word (a number, a
    blank, an error) is left alone: it is not a rating to disagree with.
    """
    cells = set(formulas)
    warnings: list[Finding] = []
    for rated in card.kpis:
        row = rated.kpi.row
        if (row, rag_column) not in cells:
            continue
        shown = grid.value(row, rag_column)
        if not isinstance(shown, str):
            continue
        word = status_of(shown)  # "Green", "GREEN" or "G"
        if word is None or word is rated.rag:
            continue
        warnings.append(
            Finding(
                "SC804",
                f"the RAG formula there shows '{shown.strip()}' but the rules rate KPI '{rated.kpi.id}' "
                f"{rated.rag.value}; refresh keeps the formula, so correct it (or replace it with a value) so the "
                "column and the narrative agree",
                Where(sheet=grid.sheet, cell=grid.ref(row, rag_column)),
            )
        )
    return warnings
