"""The use cases, end to end: workbook -> table of KPIs -> evaluated scorecard -> writes.

Data flows one way. The front ends (the command line, the ribbon's macros, the worksheet functions) call
these functions and only differ in where the grid comes from and how the plan is applied: a ``GridSource``
and a ``PlanSink`` (``scorecard.core.ports``), the workbook file (``workbook.book.WorkbookFile``) or the
Excel book (``excel.book.ExcelBook``). ``refresh_book`` refreshes an open book of either kind;
``refresh_file`` opens a file, refreshes it and saves it atomically.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from .core.checks import formula_rag_findings
from .core.commentary import commentary_findings
from .core.engine import evaluate
from .core.findings import Finding
from .core.model import Kpi, Scorecard
from .core.narrative import Narrative, write_narrative
from .core.plan import WritePlan, cut_cell_findings, make_plan, trend_findings
from .core.ports import GridSource, PlanSink
from .core.reading import Grid, KpiTable, read_table
from .core.reading.header import HEADER_SEARCH_ROWS
from .core.reading.sheets import choose_sheet
from .core.rules import Rules


@dataclass(frozen=True)
class Evaluation:
    table: KpiTable
    scorecard: Scorecard
    narrative: Narrative
    plan: WritePlan


@dataclass(frozen=True)
class LastMonth:
    """Last month's KPIs by id (``--previous``), read with the same rules, and the file they came from."""

    kpis: Mapping[str, Kpi]
    file: str | None = None


def evaluate_grid(
    grid: Grid, rules: Rules, *, period: str | None = None, previous: LastMonth | None = None
) -> Evaluation:
    """Everything a refresh decides, from a grid of cells: pure, no file or Excel touched."""
    table = read_table(grid, rules, period=period)
    card = evaluate(
        table.kpis,
        title=rules.title,
        period=table.period,
        section=rules.section,
        findings=table.findings,
        spc=rules.spc,
    )
    card = with_findings(
        table, card, formula_rag_findings(grid, card, table.rag_column, grid.formulas) + trend_findings(table, rules)
    )
    card = with_findings(
        table,
        card,
        commentary_findings(
            card,
            table.sheet,
            table.columns.get("commentary"),
            previous.kpis if previous else None,
            previous.file if previous else None,
        ),
    )
    narrative = write_narrative(card, rules.report)
    plan = make_plan(card, table, rules, narrative, grid)
    card = with_findings(table, card, cut_cell_findings(plan))  # a Narrative cell cut to what Excel holds
    return Evaluation(table, card, narrative, plan)


def with_findings(table: KpiTable, card: Scorecard, extra: list[Finding]) -> Scorecard:
    """Add findings made after the table was read: to the table (check, --strict) and the scorecard (JSON)."""
    if not extra:
        return card
    table.findings.extend(extra)
    return replace(card, findings=tuple(table.findings))


def evaluate_book(
    book: GridSource, rules: Rules, *, period: str | None = None, previous: LastMonth | None = None
) -> Evaluation:
    """Evaluate an open workbook (file or Excel book): its grid, and what it holds beyond the grid that
    a refresh must warn of (formatting that would hide the colours a refresh writes)."""
    sheet, how, chosen = choose_sheet(book.sheet_names(), rules, lambda name: book.peek(name, HEADER_SEARCH_ROWS))
    result = evaluate_grid(book.grid(sheet or rules.layout.sheet), rules, period=period, previous=previous)
    result.table.sheet_how = how
    extra = chosen + book.findings(result.plan)
    return replace(result, scorecard=with_findings(result.table, result.scorecard, extra))


def read_last_month(path: str | Path, rules: Rules) -> LastMonth:
    """Last month's workbook (``--previous``), read with the same rules; its own warnings are not this
    month's business. An error names that file."""
    from .errors import ScorecardError
    from .workbook.book import open_workbook

    try:
        with open_workbook(path) as book:
            table = read_table(book.grid(rules.layout.sheet), rules)
    except ScorecardError as error:
        error.file = error.file or str(path)
        error.message = f"last month's workbook (--previous): {error.message}"
        raise
    return LastMonth({k.key: k for k in table.kpis}, str(path))


def evaluate_file(
    path: str | Path, rules: Rules, *, period: str | None = None, previous: LastMonth | None = None
) -> Evaluation:
    from .errors import ScorecardError
    from .workbook.book import open_workbook

    try:
        with open_workbook(path) as book:
            return evaluate_book(book, rules, period=period, previous=previous)
    except ScorecardError as error:
        error.file = error.file or str(path)
        raise


def refresh_book(
    source: GridSource,
    sink: PlanSink,
    rules: Rules,
    *,
    period: str | None = None,
    strict: bool = False,
    previous: LastMonth | None = None,
) -> Evaluation:
    """Read the table from ``source``, decide everything, then write the plan to ``sink``.

    With ``strict``, a warning stops the refresh before anything is written."""
    from .errors import ScorecardError

    result = evaluate_book(source, rules, period=period, previous=previous)
    if strict and result.table.warnings:
        raise ScorecardError("not refreshed (--strict): " + "; ".join(f"{f.code} {f}" for f in result.table.warnings))
    sink.apply(result.plan)
    return result


def refresh_file(
    path: str | Path,
    rules: Rules,
    *,
    output: str | Path | None = None,
    period: str | None = None,
    strict: bool = False,
    previous: LastMonth | None = None,
    even_if_open: bool = False,
) -> Evaluation:
    """Refresh one workbook; the result replaces ``output`` (default: the workbook) atomically.

    With ``strict``, a warning (a text in a figure cell, a percentage 100-fold out of scale, a share
    over 100%, a KPI missing from the rules, a conditional format hiding the RAG colours) stops the
    refresh before anything is written. A read-only destination is refused before the workbook is read,
    and so is one open in Excel (unless ``even_if_open``); the destination is locked from the read to the
    write (``workbook.files.writing``), so a second writer waits and no update is lost.
    """
    from .errors import ScorecardError
    from .workbook.book import open_workbook
    from .workbook.files import writing
    from .workbook.package import check_writable

    check_writable(Path(output or path))  # before reading: a file Excel would not save is not refreshed
    try:
        with (
            writing(Path(output or path), path, even_if_open=even_if_open),
            open_workbook(path, output) as book,  # one package for reading and writing: each part is read once
        ):
            result = refresh_book(book, book, rules, period=period, strict=strict, previous=previous)
    except ScorecardError as error:
        error.file = error.file or str(path)
        raise
    return result
