"""Targets that change by period: a profile, laid out as columns beside the periods or as rows under a KPI.

Councils profile targets month by month (council tax collected to date against a monthly profile). A
sheet shows them in one of two ways:

- **columns**: a target (or floor) column for each period: headed "Jun-18 Target", "Target Jun-18",
  "Profile" under a period label in a two-row header, or a bare "Target" right after each period's
  column (two such pairs at least, or ``layout.targets_by_period: columns``);
- **rows**: a row of targets under each KPI's row of figures, labelled Target or Profile (its id cell
  blank or the KPI's own id), and likewise a Floor row.

Each period is then rated against its own period's target: the previous figure against the previous
period's, so a change of RAG is reported truthfully.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..periods import TimePeriod, mentioned_period, parse_period
from .cells import norm
from .grid import Grid
from .header import Header

Threshold = Literal["target", "floor"]
TARGET_WORDS = {"target", "targets", "profile", "profiled", "profiled target", "target profile", "plan", "trajectory"}
FLOOR_WORDS = {"floor", "floor standard", "minimum", "minimum standard", "tolerance", "threshold", "lower threshold"}
_WORD = re.compile(r"[^\w\s]")

Cell = tuple[int, int]  # (row, column)


@dataclass(frozen=True)
class Profile:
    """Where one KPI's target and floor for the current and the previous period are."""

    cells: dict[Threshold, tuple[Cell | None, Cell | None]]  # threshold -> (current period's, previous period's)
    how: str  # "a target column for each period" or "the Target row under the KPI"


def role(text: Any) -> Threshold | None:
    """Whether a header or label says target (profile, plan, trajectory) or floor (minimum, tolerance)."""
    if not isinstance(text, str):
        return None
    words = " ".join(_WORD.sub(" ", norm(text)).split())
    if words in TARGET_WORDS:
        return "target"
    if words in FLOOR_WORDS:
        return "floor"
    return None


def _period_role(text: Any) -> tuple[TimePeriod, Threshold] | None:
    """A header naming a period and a target or floor: "Jun-18 Target", "Target Q2 2018/19", "May profile 24"."""
    if not isinstance(text, str):
        return None
    period = mentioned_period(text)
    if period is None:
        return None
    kinds = {kind for w in _WORD.sub(" ", norm(text)).split() if (kind := role(w)) is not None}
    return (period, kinds.pop()) if len(kinds) == 1 else None


def profile_columns(
    grid: Grid, header: Header, series: Sequence[tuple[TimePeriod, int]], stated: bool
) -> dict[int, dict[Threshold, int]]:
    """Period column -> its target (and floor) column, when the header pairs them; ``stated``: the rules say
    targets_by_period: columns, so one bare pair is enough."""
    by_period = {p: c for p, c in series}
    by_column = {c: p for p, c in series}
    columns = set(by_column)
    taken = set(header.columns.values()) - {header.columns.get("target"), header.columns.get("floor")}
    found: dict[int, dict[Threshold, int]] = {}
    beside: dict[int, dict[Threshold, int]] = {}
    for c, cell in header.cells.items():
        if c in columns or c in taken:
            continue
        said = _period_role(cell) or _period_role(_two_rows(grid, header, c, cell, by_column))
        if said is not None and said[0] in by_period:
            found.setdefault(by_period[said[0]], {})[said[1]] = c
        elif (kind := role(cell)) is not None and c - 1 in columns:
            beside.setdefault(c - 1, {})[kind] = c  # a bare "Target" right after a period's column
        elif (kind := role(cell)) is not None and c - 2 in columns and role(header.cells.get(c - 1)) is not None:
            beside.setdefault(c - 2, {})[kind] = c  # "Jun | Target | Floor"
    if sum(1 for pair in beside.values() if "target" in pair or "floor" in pair) >= (1 if stated else 2):
        for column, pair in beside.items():
            found.setdefault(column, {}).update(pair)
    return found


def _two_rows(grid: Grid, header: Header, column: int, cell: Any, by_column: dict[int, TimePeriod]) -> str | None:
    """A column's two header rows as one text ("Apr-24" over "Target"), for a header written in two rows: the
    label right above it, or, under a label merged over a period's columns, the period of the column on its
    left ("Apr-24" over Actual and Target). A label further left is another column's ("2023/24" over its own
    figures, then Polarity, then Target: that Target is the KPI's one target)."""
    if header.top == header.row or cell is None:
        return None
    own = grid.value(header.top, column)
    if parse_period(own) is not None:
        return f"{parse_period(own).name} {cell}"  # type: ignore[union-attr]
    if own is None and column - 1 in by_column and _labels_span(grid, header.top, column):
        return f"{by_column[column - 1].name} {cell}"
    return None


def _labels_span(grid: Grid, top: int, column: int) -> bool:
    """Whether the period label left of a column stands over it too: merged across it (where merges are known),
    or, merges unknown, labels spaced out over several columns each ("Apr-24", blank, "May-24", blank). Labels
    side by side each stand over one column."""
    area = grid.merged_range(top, column)
    if area is not None:
        return parse_period(grid.value(area[0], area[1])) is not None
    labels = [c for c, value in enumerate(grid.row(top), start=1) if parse_period(value) is not None]
    left = [c for c in labels if c < column]
    if not left or len(labels) < 2:
        return False
    return min(b - a for a, b in zip(labels, labels[1:], strict=False)) >= 2


def profile_rows(grid: Grid, id_column: int, rows: Sequence[int], last: int) -> dict[int, dict[Threshold, int]]:
    """KPI row -> its Target (and Floor) row: the rows right under it whose label says so, with a blank id
    or the KPI's own. ``rows``: the candidate KPI rows, in order; ``last``: the table's last row."""
    found: dict[int, dict[Threshold, int]] = {}
    for kpi_row in rows:
        own = grid.value(kpi_row, id_column)
        below = kpi_row + 1
        while below <= last:
            labelled = _label_role(grid, below, id_column, own)
            if labelled is None:
                break
            found.setdefault(kpi_row, {}).setdefault(labelled, below)
            below += 1
    return found


def _label_role(grid: Grid, row: int, id_column: int, own: Any) -> Threshold | None:
    """The role a row under a KPI row says it holds: its id cell blank (or the KPI's id), and a cell reading
    Target, Profile, Floor ... exactly."""
    cells = grid.row(row)
    if not cells:
        return None
    here = cells[id_column - 1] if id_column <= len(cells) else None
    if here is not None and str(here).strip() and norm(here) != norm(own) and role(here) is None:
        return None
    kinds = {kind for value in cells if isinstance(value, str) and (kind := role(value)) is not None}
    return kinds.pop() if len(kinds) == 1 else None
