"""One KPI per column, periods down the rows (``layout.kpis_in: columns``), as NHS and ONS time series are laid out.

The sheet is read across: the grid is turned (``Grid.across``) so each KPI is a row and each period a
column, and the same stages read it. The rules are turned with it: a field named by its label finds the
row of that label (the turned grid's column); ``{row: N}`` names a row by its number; ``header_row`` (the
sheet's row of ids) pins the ids; ``last_column`` bounds the KPIs and ``last_row`` the periods. The column
of labels (the turned grid's header row) is the one holding the id's label, else the one holding the
most periods. Cell names in findings stay the sheet's own.
"""

from __future__ import annotations

import dataclasses

from ...errors import WorkbookError
from ..periods import parse_period
from ..rules import Rules
from .cells import norm
from .grid import Grid
from .header import HEADER_SEARCH_ROWS


def read_across(grid: Grid, rules: Rules) -> tuple[Grid, Rules]:
    """The sheet turned so its KPI columns are rows, and the rules turned to read it."""
    turned = grid.across()
    letters = dict(rules.layout.letters)
    if rules.layout.header_row and "id" not in letters and "id" not in rules.layout.columns:
        letters["id"] = rules.layout.header_row  # the sheet's row of ids
    layout = dataclasses.replace(
        rules.layout,
        letters=letters,
        header_row=_label_line(turned, rules, letters),
        first_row=None,
        last_row=rules.layout.last_column,  # the KPI columns' bound
        last_column=rules.layout.last_row,  # the periods' bound
        kpis_in="rows",
    )
    return turned, dataclasses.replace(rules, layout=layout)


def _label_line(turned: Grid, rules: Rules, letters: dict[str, int]) -> int:
    """The sheet's column of labels (the turned grid's header row): the one holding the id's label, else, the
    ids named by row, the one holding the most periods (the months down column C)."""
    search = range(1, min(turned.row_count, HEADER_SEARCH_ROWS) + 1)
    wanted = rules.layout.columns.get("id")
    if wanted is not None and "id" not in letters:
        hit = next((r for r in search if any(v is not None and norm(v) == norm(wanted) for v in turned.row(r))), None)
        if hit is not None:
            return hit
    counts = {r: sum(1 for v in turned.row(r) if v is not None and parse_period(v) is not None) for r in search}
    best = max(counts, key=lambda r: (counts[r], -r), default=None)
    if best is None or counts[best] < 1:
        raise WorkbookError(
            "layout.kpis_in: columns, but no column of the sheet holds the periods (or the id's label) in its "
            f"first {HEADER_SEARCH_ROWS} columns; name the row of ids with layout.columns.id",
            sheet=turned.sheet,
        )
    return best
