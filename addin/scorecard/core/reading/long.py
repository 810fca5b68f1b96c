"""A long table: a row per period and breakdown, a column per measure, as HSE, ONS and DfE publish them.

``layout.kpis_in: columns`` with ``layout.columns.breakdown`` names one: the ids are the measure headers
(``layout.columns.id: {row: N}``), a column of periods runs down the rows, and the breakdown column (an
industry, an area, an age band) tells apart the rows of each period. Each breakdown's rows are a table of
KPIs in columns of their own: they are read one breakdown at a time by the same stages, each measure of
each breakdown becomes a KPI with that breakdown, and the tables are joined. Rows keep their numbers, so
every cell named in a finding or in the reading is the sheet's own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ...errors import ScorecardError, WorkbookError
from ..a1 import column_letter
from ..findings import Finding, Where
from ..rules import Rules
from .grid import Grid, SparseRow, SparseRows
from .header import HEADER_SEARCH_ROWS, header_matches
from .result import Breakdowns, KpiTable
from .rows import breakdown_label

ReadOne = Callable[[Grid, Rules, "str | None"], KpiTable]


def is_long(rules: Rules) -> bool:
    return rules.layout.kpis_in == "columns" and rules.layout.names("breakdown")


def read_long(grid: Grid, rules: Rules, period: str | None, read_one: ReadOne) -> KpiTable:
    """Read each breakdown's rows as a table of KPIs in columns (``read_one``) and join the tables."""
    found = find_breakdowns(grid, rules)
    plain = _without_breakdown(rules)
    joined: KpiTable | None = None
    findings: list[Finding] = []
    kpis = []
    sources: dict[str, dict[str, str]] = {}
    for label, rows in found.rows.items():
        part = _part_grid(grid, found, rows)
        try:
            table = read_one(part, plain, period)
        except ScorecardError as error:
            if joined is None:
                raise
            findings.append(_left_out(grid, found, label, rows, joined, error))
            continue
        if joined is None:
            joined = table
        elif table.period != joined.period:
            findings.append(_left_out(grid, found, label, rows, joined, None))
            continue
        findings += [f for f in table.findings if not _said(f, findings)]
        for kpi in table.kpis:
            labelled = dataclasses.replace(kpi, breakdown=label)
            sources[labelled.key] = (table.reading.sources.get(kpi.key, {})) if table.reading else {}
            kpis.append(labelled)
    if joined is None:  # no breakdown has a row (find_breakdowns refuses that): for the type checker
        raise WorkbookError("no rows under the long table's header", sheet=grid.sheet, row=found.header_row)
    findings.insert(0, _note(grid, found))
    reading = dataclasses.replace(joined.reading, sources=sources) if joined.reading else None
    return dataclasses.replace(joined, kpis=kpis, findings=findings, reading=reading, breakdowns=found)


def find_breakdowns(grid: Grid, rules: Rules) -> Breakdowns:
    """The breakdown column (by its header, or its letter with ``layout.header_row``) and each breakdown's rows."""
    label = rules.layout.columns.get("breakdown")
    letter = rules.layout.letters.get("breakdown")
    header_row = rules.layout.header_row or rules.layout.letters.get("id")  # read across, {row: N}: the row of ids
    if header_row is None and label is not None:
        header_row = next((r for r in grid.row_numbers(1, HEADER_SEARCH_ROWS) if _column_of(grid, r, label)), None)
    if header_row is None:
        raise WorkbookError(
            f"no row of the first {HEADER_SEARCH_ROWS} holds the breakdown's header "
            f"'{label or column_letter(letter or 1)}' (layout.columns.breakdown); name the header row with "
            "layout.header_row",
            sheet=grid.sheet,
        )
    column = letter or _column_of(grid, header_row, label or "")
    if column is None:
        raise WorkbookError(
            f"no column headed '{label}' (layout.columns.breakdown) in the long table's header row",
            sheet=grid.sheet,
            row=header_row,
        )
    last = rules.layout.last_row
    rows: dict[str | None, list[int]] = {}
    for r in grid.row_numbers(header_row + 1, last):
        value = grid.value(r, column)
        if value is not None and str(value).strip():
            rows.setdefault(breakdown_label(value), []).append(r)
    if not rows:
        raise WorkbookError(
            f"the breakdown column {column_letter(column)} holds nothing under the header",
            sheet=grid.sheet,
            row=header_row,
        )
    return Breakdowns(header_row, column, rows)


def _said(finding: Finding, findings: list[Finding]) -> bool:
    """Already said for another breakdown: the same finding, or a note about the same column (a measure's
    decimals, say once, not once for each breakdown)."""
    if finding in findings:
        return True
    column = finding.where.column
    return (
        not finding.is_warning
        and column is not None
        and any(f.code == finding.code and f.where.column == column for f in findings)
    )


def _column_of(grid: Grid, row: int, label: str) -> int | None:
    return next((c for c, v in enumerate(grid.row(row), start=1) if header_matches(v, label)), None)


def _without_breakdown(rules: Rules) -> Rules:
    layout = rules.layout
    columns = {k: v for k, v in layout.columns.items() if k != "breakdown"}
    letters = {k: v for k, v in layout.letters.items() if k != "breakdown"}
    last_row = None  # each part holds only its own rows; last_row bounded them already
    layout = dataclasses.replace(layout, columns=columns, letters=letters, last_row=last_row)
    return dataclasses.replace(rules, layout=layout)


def _part_grid(grid: Grid, found: Breakdowns, rows: list[int]) -> Grid:
    """The sheet with the rows above the table and one breakdown's rows, the breakdown column left out."""
    kept = [r for r in grid.row_numbers(1, found.header_row)] + rows
    keep = set(kept)

    def cut(cells: Any) -> SparseRow:
        return SparseRow({c: v for c, v in enumerate(cells, start=1) if v is not None and c != found.column})

    values = SparseRows({r: cut(grid.row(r)) for r in kept})
    formats = None if grid.formats is None else SparseRows({r: cut(grid.row_formats(r)) for r in kept})
    return dataclasses.replace(
        grid,
        values=values,
        formats=formats,
        merged=[a for a in grid.merged if a[0] in keep and a[2] in keep],
        uncalculated=frozenset(cell for cell in grid.uncalculated if cell[0] in keep),
        formulas=frozenset(cell for cell in grid.formulas if cell[0] in keep),
        hidden_rows={r: how for r, how in grid.hidden_rows.items() if r in keep},
        tables=(),
        choices={},
    )


def _periods(table: KpiTable) -> str:
    current, previous = table.period.current, table.period.previous
    return f"{current} against {previous}" if previous else f"{current} alone"


def _note(grid: Grid, found: Breakdowns) -> Finding:
    names = ", ".join(f"'{label or 'the whole'}' ({len(rows)} rows)" for label, rows in found.rows.items())
    return Finding(
        "SC510",
        f"a long table, a row per period and breakdown: each breakdown in column {column_letter(found.column)} is "
        f"read as its own series of periods, and each measure of it is a KPI: {names}",
        Where(sheet=grid.sheet, column=column_letter(found.column)),
    )


def _left_out(
    grid: Grid, found: Breakdowns, label: str | None, rows: list[int], joined: KpiTable, error: ScorecardError | None
) -> Finding:
    why = f": {error.message}" if error is not None else ""
    return Finding(
        "SC511",
        f"the rows of breakdown '{label or 'the whole'}' (rows {rows[0]}-{rows[-1]}) do not hold {_periods(joined)}, "
        f"as the other breakdowns do; its KPIs are left out, not rated for other periods{why}",
        Where(sheet=grid.sheet, row=rows[0]),
    )
