"""Reading a scorecard: from a grid of cells to a table of KPIs, in stages with typed results.

1. ``header``: which row (or two rows) is the header, and which column is which field (``Header``);
2. ``rows``: which rows under it are candidate KPI rows, and which are something else (``Rows``);
3. ``series``: the period columns, the current and previous period, and their names (``Series``);
4. ``kpi``: each candidate row's cells (``cells``) read as figures, target, floor and polarity (``Kpi``).

``table.read_table`` runs them in order and keeps the results as the ``Reading`` that
``scorecard check --explain`` shows. Adapters only turn their workbook into a ``grid.Grid``, so every
engine reads a workbook the same way; ``figure_columns`` tells an adapter which columns' number formats
the reading needs, from the values alone.
"""

from __future__ import annotations

from ..rules import Rules
from .cells import id_key, is_percent_format, read_threshold, read_value
from .grid import CellError, Grid, RowHidden, SparseRows, TableArea
from .header import pick_sheet, read_header
from .result import KpiTable, Reading
from .rows import read_rows
from .series import read_series
from .table import read_table

__all__ = [
    "CellError",
    "Grid",
    "KpiTable",
    "Reading",
    "RowHidden",
    "SparseRows",
    "TableArea",
    "figure_columns",
    "id_key",
    "is_percent_format",
    "pick_sheet",
    "read_table",
    "read_threshold",
    "read_value",
]


def figure_columns(grid: Grid, rules: Rules) -> tuple[int, list[int], dict[str, int]]:
    """What an engine that reads number formats column by column needs: the header's last row, the columns
    whose formats the reading uses (figures, target, floor, and the period series), and every located
    field's column (the RAG column's formulas, the columns a KPI may share through merged cells). Read
    from the values alone, as ``read_table`` reads them."""
    if rules.layout.kpis_in == "columns":
        return 1, [], {}  # read across: the engine's column-by-column reads do not apply (decimals from the rules)
    header = read_header(grid, rules)
    rows = read_rows(grid, rules, header)
    columns = dict(header.columns)
    wanted = [columns[f] for f in ("current", "previous", "target", "floor") if f in columns]
    if rules.layout.history:
        series = read_series(grid, rules, header, rows.read(rules.layout.hidden_rows == "skip"))
        wanted += list(series.all_columns)
    wanted += [c for name, c in columns.items() if name.startswith("benchmarks.")]
    return header.row, sorted(set(wanted)), columns
