"""The jobs, end to end: workbook -> table of KPIs -> evaluated scorecard -> writes.

Data flows one way. The front ends (command line, Excel macros) call these functions and only
differ in where the grid comes from and how the plan is applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .core.engine import evaluate
from .core.model import Scorecard
from .core.narrative import Narrative, write_narrative
from .core.plan import WritePlan, make_plan
from .core.rules import Rules
from .core.table import Grid, KpiTable, read_table


@dataclass(frozen=True)
class Evaluation:
    table: KpiTable
    scorecard: Scorecard
    narrative: Narrative
    plan: WritePlan


def evaluate_grid(grid: Grid, rules: Rules, *, period: str | None = None) -> Evaluation:
    """Everything a refresh decides, from a grid of cells: pure, no file or Excel touched."""
    table = read_table(grid, rules, period=period)
    card = evaluate(
        table.kpis, title=rules.title, period=table.period, section=rules.section, warnings=table.warnings
    )
    narrative = write_narrative(card)
    return Evaluation(table, card, narrative, make_plan(card, table, rules, narrative))


def evaluate_file(path: str | Path, rules: Rules, *, period: str | None = None) -> Evaluation:
    from .errors import ScorecardError
    from .workbook.reader import read_grid

    try:
        return evaluate_grid(read_grid(path, rules.layout.sheet), rules, period=period)
    except ScorecardError as error:
        error.file = error.file or str(path)
        raise


def refresh_file(
    path: str | Path, rules: Rules, *, output: str | Path | None = None, period: str | None = None, strict: bool = False
) -> Evaluation:
    """Refresh one workbook; the result replaces ``output`` (default: the workbook) atomically.

    With ``strict``, a warning (a text in a figure cell, a percentage 100-fold out of scale, a share
    over 100%, a KPI missing from the rules) stops the refresh before anything is written.
    """
    from .errors import ScorecardError
    from .workbook.reader import write_plan

    result = evaluate_file(path, rules, period=period)
    if strict and result.table.warnings:
        raise ScorecardError(
            "not refreshed (--strict): " + "; ".join(result.table.warnings), file=path
        )
    try:
        write_plan(path, output or path, result.plan)
    except ScorecardError as error:
        error.file = error.file or str(path)
        raise
    return result
