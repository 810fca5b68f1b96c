"""The ribbon's entry points, written against the ``xw.Book`` API only.

The same code runs in desktop Excel (through the add-in's RunPython) and on xlwings' remote
engine, which is how it is tested on Linux. Each entry point reads the workbook once, decides
everything in the domain core (the same ``evaluate_grid`` and ``WritePlan`` as the command line),
and only then writes, in few, large calls:

- the KPI table is read in one call (values) plus one per figure column (number formats; a
  column of mixed formats is halved until each block has one format);
- each run of consecutive KPI rows is written with one call per column and one ``set_colors``;
- the Narrative sheet is one block of values and a fixed number of format calls.

So the number of Excel calls grows with the number of sections that interrupt the KPI rows, not
with the number of KPIs. Every write is decided (and every import it needs done) before the first
one; each write is journalled first (the values, formulas and fills it replaces, where the engine
can read them), so a write Excel refuses midway is undone and the alert names exactly what could
not be put back. Errors reach the user as an Excel alert carrying the same message the
command line prints; no traceback reaches a Python console.

Public API, also for a user's own VBA (``RunPython "import scorecard.excel; scorecard.excel.refresh()"``):
``refresh``, ``check``, ``narrative``, ``clear``, ``report``, ``open_rules``, ``help``; ``book=None`` means
``xw.Book.caller()``.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlwings as xw

from ..core import kept
from ..core.embedded import SHEET as EMBEDDED_SHEET
from ..core.embedded import check_embedded, origin, parse_cells
from ..core.findings import Finding
from ..core.plan import (
    NARRATIVE_PAGES,
    NARRATIVE_WIDTHS,
    SYMBOL_FONTS,
    WritePlan,
    foreign_narrative,
    narrative_header,
    tables_to_widen,
    written_by_scorecard,
)
from ..core.reading import (
    Grid,
    RowHidden,
    TableArea,
    figure_columns,
    pick_sheet,
)
from ..core.reading.explain import explain_lines
from ..core.report import check_summary
from ..core.rules import Rules, load_rules_cached
from ..errors import ScorecardError, column_letter
from ..refresh import Evaluation, evaluate_book
from ..refresh import refresh as refresh_book

TITLE = "Scorecard"
RULES_NAME = "ScorecardRules"
SETTINGS_SHEET = "Settings"
SETTINGS_KEYS = {"rules", "rules file", "scorecard rules"}
HOW_TO_NAME_RULES = (
    "Tell scorecard where the rules are in one of four ways: define a name ScorecardRules "
    '(Formulas > Name Manager) whose value is the rules file\'s path, e.g. ="cic-rules.yaml"; or add a sheet '
    "named Settings with 'Rules file' in column A and the path in column B; or embed the rules in the "
    "workbook (scorecard rules embed {name} --rules RULES); or save the rules as {stem}.yaml beside the "
    "workbook. A relative path is taken from the workbook's folder."
)
HOW_TO_REPORT_LITE = (
    "xlwings Lite cannot save files to your disk, so it cannot save the Word report: on a computer with "
    "Python run scorecard report {name} --rules RULES."
)
HOW_TO_REPORT_NO_FOLDER = (
    "the Word report is saved beside the workbook as {stem}.docx, but Excel does not say which folder "
    "the workbook is in (it has not been saved yet, or it is open from the web): save it to a folder on "
    "this computer and press Report again, or run scorecard report {name} --rules RULES."
)
HOW_TO_EMBED_RULES = (
    "xlwings Lite cannot read files on your disk: embed the rules in the workbook with "
    "scorecard rules embed {name} --rules RULES, then open it again."
)


# --- entry points ----------------------------------------------------------------------------------


def _entry_point(job: Callable[..., str | None]) -> Callable[..., str | None]:
    """Run a job on the calling workbook; show its message, or its error, as an Excel alert."""

    @functools.wraps(job)
    def run(book: xw.Book | None = None, rules: str | os.PathLike | None = None) -> str | None:
        book = book if book is not None else xw.Book.caller()
        try:
            message = job(book, rules)
        except ScorecardError as error:
            message = str(error)
        except Exception as error:  # a bug: still an alert, never a console traceback
            # every write goes through _apply, which turns a failed write into a WriteFailed (a
            # ScorecardError) saying what changed; any other error comes before the first write
            message = (
                f"scorecard stopped on an unexpected error ({type(error).__name__}: {error}) before "
                "writing anything: the workbook was not changed. Please report it with the rules file."
            )
        if message:
            _alert(book, message)
        return message

    run.__signature__ = inspect.signature(run, follow_wrapped=False)  # type: ignore[attr-defined]  # show book=None, not the job's (inspect reads it; wraps' type omits it)
    return run


def _alert(book: xw.Book, message: str) -> None:
    try:
        book.app.alert(message, title=TITLE)
    except Exception:  # no app to show it (a script without Excel): print instead
        print(message, file=sys.stderr)


@_entry_point
def refresh(book: xw.Book, rules: str | os.PathLike | None = None) -> str | None:
    """RAG column, direction column and the Narrative sheet, from the rules."""
    loaded = _rules(book, rules)
    excel = ExcelBook(book, loaded)
    try:
        result = refresh_book(excel, excel, loaded)  # the command line's use case, on the book
    except ScorecardError as error:
        if not excel.writing:  # a problem of the table is the workbook's; a write's refusal says where itself
            error.file = error.file or book.name
        raise
    warnings = result.table.warnings
    return "\n".join(f.line() for f in warnings) if warnings else None


@_entry_point
def check(book: xw.Book, rules: str | os.PathLike | None = None) -> str:
    """List what was found and every problem, writing nothing."""
    loaded = _rules(book, rules)
    _, result = _evaluate(book, loaded)
    differs = check_embedded(loaded, lambda: embedded_rules(book))
    if differs:
        result.table.findings.append(differs)
    lines = [f"Rules: {origin(loaded)} (sha256 {loaded.sha256[:12]})", *check_summary(result.table, result.scorecard)]
    if not result.table.warnings:
        lines.append("No problems found.")
    lines += explain_lines(result.table, loaded)  # how the sheet was read, as check --explain shows it
    return "\n".join(lines)


@_entry_point
def narrative(book: xw.Book, rules: str | os.PathLike | None = None) -> str | None:
    """Only the Narrative sheet: the RAG and direction columns are left as they are."""
    _, result = _evaluate(book, _rules(book, rules))
    _apply(_narrative_steps(book, result.plan, _narrative_sheet(book, result.plan)))
    return None


@_entry_point
def clear(book: xw.Book, rules: str | os.PathLike | None = None) -> str | None:
    """Remove what Refresh wrote: RAG and direction texts and fills, and the Narrative sheet."""
    sheet, result = _evaluate(book, _rules(book, rules))
    plan = result.plan
    narrative_sheet = _narrative_sheet(book, plan)
    steps = []
    for first, last in _runs(w.row for w in plan.rag):
        for column in (plan.rag_column, plan.direction_column, *plan.spc_columns):
            block: Block = ((first, column), (last, column))
            steps.append(_Step(_clear_contents(sheet, block), sheet, block, frozenset({"values"})))
        nones = [[None]] * (last - first + 1)
        for column in (plan.rag_column, *plan.spc_columns):  # the columns refresh colours
            filled: Block = ((first, column), (last, column))
            steps.append(_Step(_set_colors(sheet, filled, nones), sheet, filled, frozenset({"fills"})))
    if narrative_sheet is not None:  # last: nothing can fail after it
        steps.append(_Step(narrative_sheet.delete, slot=_SheetSlot(plan.narrative_sheet, narrative_sheet)))
    _apply(steps)
    return None


@_entry_point
def report(book: xw.Book, rules: str | os.PathLike | None = None) -> str:
    """The committee's cover report as a Word document saved beside the workbook, <workbook name>.docx
    (the command line's ``scorecard report``); the workbook is read as Check reads it and not changed."""
    output = report_path(book)  # before anything is read: where it cannot be saved, say so first
    loaded = _rules(book, rules)
    _, result = _evaluate(book, loaded)
    from ..word.cover_report import write_report

    written = write_report(result, loaded, output)
    lines = [f"The Word report is saved as {written}"]
    return "\n".join(lines + [f.line() for f in result.table.warnings])


def report_path(book: xw.Book) -> Path:
    """Where the Report button saves the document: beside the workbook, named after it. Refused where
    there is no folder to save to: xlwings Lite (no file on the user's disk is reachable), a workbook
    never saved, or an engine that knows the workbook's name but not its folder (the remote engine)."""
    stem = Path(book.name).stem
    if not files_reachable():
        raise ScorecardError(HOW_TO_REPORT_LITE.format(name=book.name), file=book.name)
    full = Path(book.fullname)
    if not full.is_absolute() or not full.parent.is_dir():
        raise ScorecardError(HOW_TO_REPORT_NO_FOLDER.format(name=book.name, stem=stem), file=book.name)
    return full.parent / f"{stem}.docx"


@_entry_point
def open_rules(book: xw.Book, rules: str | os.PathLike | None = None) -> str | None:
    """Open the rules file in the system's editor for YAML files."""
    path = Path(rules) if rules else find_rules(book)
    try:
        if sys.platform.startswith("win"):
            os.startfile(path)  # type: ignore[attr-defined]
            return None
        if sys.platform == "darwin":
            import subprocess

            subprocess.Popen(["open", "-t", str(path)])
            return None
    except OSError as error:
        return f"Could not open {path}: {error.strerror}"
    return f"The rules file is {path}"


@_entry_point
def help(book: xw.Book, rules: str | os.PathLike | None = None) -> str:
    """A short guide in an alert. It needs no workbook of the user's: with none open the add-in runs it on
    a blank one, never saved, so the rules' file names are given in general."""
    from . import udfs

    saved = Path(book.fullname).is_absolute()
    stem, name = (Path(book.name).stem, book.name) if saved else ("<workbook name>", "<workbook>.xlsx")
    return (
        "Refresh rates every KPI from the rules, writes the RAG and direction of travel columns and "
        "replaces the Narrative sheet. Check lists what was found and any problems, writing nothing. "
        "Narrative only rewrites the Narrative sheet. Clear removes what Refresh wrote. "
        "Word report saves the committee's cover report beside the workbook as a Word document. "
        "Open rules opens the YAML rules file. Self-test checks that Scorecard works in this Excel.\n\n"
        + HOW_TO_NAME_RULES.format(stem=stem, name=name)
        + "\n\nWorksheet functions: "
        + ", ".join(udfs.__all__)
        + " (see the README)."
    )


# --- finding the rules ---------------------------------------------------------------------------


def find_rules(book: xw.Book) -> Path:
    """The rules file the workbook names: ScorecardRules name, Settings sheet, or <workbook>.yaml beside it."""
    folder = Path(book.fullname).parent
    named = _rules_from_name(book) or _rules_from_settings(book)
    if named:
        text, source = named
        path = Path(os.path.expandvars(os.path.expanduser(text.strip())))
        path = path if path.is_absolute() else folder / path
        if not path.is_file():
            raise ScorecardError(f"the rules file {path} named by {source} does not exist", file=book.name)
        return path
    stem = Path(book.name).stem
    for suffix in (".yaml", ".yml"):
        candidate = folder / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate
    raise ScorecardError("no rules file found. " + HOW_TO_NAME_RULES.format(stem=stem, name=book.name), file=book.name)


def _rules_from_name(book: xw.Book) -> tuple[str, str] | None:
    try:
        name = book.names[RULES_NAME]
    except Exception:
        return None
    refers_to = (name.refers_to or "").strip()
    if refers_to.startswith('="') and refers_to.endswith('"'):
        return refers_to[2:-1].replace('""', '"'), f"the name {RULES_NAME}"
    try:
        value = name.refers_to_range.value
    except Exception:
        value = None
    return (str(value), f"the name {RULES_NAME} ({refers_to})") if value else None


def _rules_from_settings(book: xw.Book) -> tuple[str, str] | None:
    sheet = _sheet_named(book, SETTINGS_SHEET)
    if sheet is None:
        return None
    values = sheet.used_range.options(ndim=2).value or []
    for row in values:
        if len(row) >= 2 and isinstance(row[0], str) and row[0].strip().casefold() in SETTINGS_KEYS and row[1]:
            return str(row[1]), f"the {SETTINGS_SHEET} sheet"
    return None


def embedded_rules(book: xw.Book) -> Rules | None:
    """The rules embedded in the workbook (its hidden ScorecardRules sheet), or None: one read of column A."""
    sheet = _sheet_named(book, EMBEDDED_SHEET)
    if sheet is None:
        return None
    used = sheet.used_range
    last_row = used.row + used.shape[0] - 1
    cells = sheet.range((1, 1), (last_row, 1)).options(ndim=2).value or []
    return parse_cells([row[0] if row else None for row in cells], book.name)


def files_reachable() -> bool:
    """False in xlwings Lite (Python in WebAssembly inside Excel): no file on the user's disk is reachable."""
    return sys.platform != "emscripten"


def book_rules(book: xw.Book, rules: str | os.PathLike | None = None) -> Rules:
    """The rules a job on this workbook uses, first found wins (see ``scorecard.core.embedded``):
    the ``rules`` argument; the file the workbook names (ScorecardRules name, Settings sheet); the rules
    embedded in the workbook; ``<workbook name>.yaml`` beside it. In xlwings Lite only embedded rules."""
    if rules:
        return load_rules_cached(rules)
    if not files_reachable():
        inside = embedded_rules(book)
        if inside is None:
            raise ScorecardError(
                "no rules in the workbook. " + HOW_TO_EMBED_RULES.format(name=book.name), file=book.name
            )
        return inside
    if _rules_from_name(book) or _rules_from_settings(book):
        return load_rules_cached(find_rules(book))
    inside = embedded_rules(book)
    return inside if inside is not None else load_rules_cached(find_rules(book))


def _rules(book: xw.Book, rules: str | os.PathLike | None) -> Rules:
    return book_rules(book, rules)


# --- reading -------------------------------------------------------------------------------------


def _sheet_named(book: xw.Book, name: str) -> Any:
    for sheet in book.sheets:
        if sheet.name.casefold() == name.casefold():
            return sheet
    return None


@dataclass(frozen=True)
class Capabilities:
    """What an engine's ``xw.Book`` API can read back, known from the engine before anything is read.

    Desktop Excel ("excel": Windows or Mac) reads everything it writes. xlwings' remote engine, the
    Office.js add-in and xlwings Lite work on a payload of values the client sent, so number formats,
    formulas, fonts, fills and conditional formats cannot be read there (their properties raise).
    Hidden rows are read through COM (``SpecialCells``): desktop Excel on Windows only. Merged cells are
    read by desktop Excel (``Range.merge_cells`` and ``merge_area``) in the columns a KPI may share with
    the rows below (target, floor, polarity); the other engines answer those only asynchronously.
    """

    engine: str
    can_read_number_formats: bool
    can_read_formulas: bool
    can_read_fonts: bool
    can_read_fills: bool
    can_read_conditional_formats: bool
    can_read_hidden_rows: bool
    can_read_tables: bool
    can_read_merged_cells: bool = False

    @classmethod
    def of(cls, book: Any) -> Capabilities:
        """The capabilities of the engine ``book`` runs on, told by its public ``app.engine.name``."""
        engine = str(book.app.engine.name)
        desktop = engine == "excel"  # any other engine (remote, officejs, Lite, one to come) sends values only
        return cls(
            engine,
            can_read_number_formats=desktop,
            can_read_formulas=desktop,
            can_read_fonts=desktop,
            can_read_fills=desktop,
            can_read_conditional_formats=desktop,
            can_read_hidden_rows=desktop and sys.platform == "win32",
            can_read_tables=True,
            can_read_merged_cells=desktop,
        )


class ExcelBook:
    """An ``xw.Book`` as the use cases' ``GridSource`` and ``PlanSink`` (``scorecard.core.ports``).

    ``grid`` reads the table's sheet (values in one call, number formats in one call per figure
    column, where the engine can read them); ``apply`` writes a plan as journalled steps (``_apply``):
    a write Excel refuses is undone and the error says exactly what could not be put back.
    """

    def __init__(self, book: xw.Book, rules: Rules):
        self.book, self.rules = book, rules
        self.capabilities = Capabilities.of(book)
        self.sheet: Any = None  # the table's sheet, once read
        self.writing = False  # apply has begun: its refusals name the cells or sheet themselves

    @property
    def can_read_number_formats(self) -> bool:
        return self.capabilities.can_read_number_formats

    @property
    def can_read_formulas(self) -> bool:
        return self.capabilities.can_read_formulas

    @property
    def can_read_hidden_rows(self) -> bool:
        return self.capabilities.can_read_hidden_rows

    @property
    def can_read_merged_cells(self) -> bool:
        return self.capabilities.can_read_merged_cells

    def grid(self, sheet: str | None) -> Grid:
        found = self.book.sheets[pick_sheet([s.name for s in self.book.sheets], sheet)]
        used = found.used_range
        last_row, last_column = used.row + used.shape[0] - 1, used.column + used.shape[1] - 1
        values = found.range((1, 1), (last_row, last_column)).options(ndim=2).value
        tables = _tables(found) if self.capabilities.can_read_tables else []
        grid = Grid(sheet=found.name, values=[list(row) for row in values], tables=tables)
        hidden = _hidden_rows(found, last_row, last_column) if self.can_read_hidden_rows else None
        if hidden is None:
            grid.hidden_rows_known = False
        else:
            grid.hidden_rows = hidden
        grid.formats = None
        grid.merged_known = self.can_read_merged_cells
        grid.choices_known = False  # xlwings reads no data validation on any engine
        self.sheet = found
        try:  # the reading's own first stages, on the values: which columns' formats, formulas and merges matter
            header_row, figures, columns = figure_columns(grid, self.rules)
        except ScorecardError:
            return grid  # evaluate_grid reports it, from the same grid
        if self.can_read_number_formats:  # scaling (layout.percent: format) and decimals shown
            grid.formats = _number_formats(found, grid, header_row, figures)
        if self.can_read_formulas and "rag" in columns:
            grid.formulas = _rag_formulas(found, grid, header_row, columns["rag"])
        if self.can_read_merged_cells:
            grid.merged = _merged_areas(found, grid, header_row, columns)
        return grid

    def findings(self, plan: WritePlan) -> list[Finding]:
        notes = _sparkline_note(self.sheet, plan)  # no engine of xlwings draws sparklines
        if not self.capabilities.can_read_conditional_formats:
            return notes  # the engine cannot list conditional formats: none found, as before a refresh there
        return _hiding_formats(self.sheet, plan) + notes

    def apply(self, plan: WritePlan) -> None:
        """Write the RAG and direction columns and the Narrative sheet: refused before the first write
        (a Narrative sheet scorecard did not write, a write inside another table) or undone after it."""
        self.writing = True
        sheet, book = self.sheet, self.book
        if not plan.rag:  # a table read across (one KPI per column): only the Narrative sheet is written
            _apply(_narrative_steps(book, plan, _narrative_sheet(book, plan)))
            return
        formula_rows = _formula_rows(sheet, plan) if self.can_read_formulas else None
        narrative_sheet = _narrative_sheet(book, plan)  # refuse before writing anything
        widen = tables_to_widen(plan, _tables(sheet) if self.capabilities.can_read_tables else [])  # likewise
        # everything is decided before the first write; a write Excel refuses is undone (see _apply)
        steps = _cell_steps(sheet, plan, formula_rows) + _table_steps(sheet, plan, widen)
        _apply(steps + _narrative_steps(book, plan, narrative_sheet))


def read_grid(book: xw.Book, rules: Rules) -> tuple[Any, Grid]:
    """The table's sheet and its Grid, as ``ExcelBook.grid`` reads them."""
    excel = ExcelBook(book, rules)
    grid = excel.grid(rules.layout.sheet)
    return excel.sheet, grid


def _tables(sheet: Any) -> list[TableArea]:
    """The sheet's Excel Tables, as desktop Excel and the remote engine both report them."""
    areas: list[TableArea] = []
    try:
        tables = list(sheet.tables)
    except (NotImplementedError, KeyError):  # a run-time refusal: a client whose payload carries no tables
        return areas
    for table in tables:
        whole = table.range
        if whole is None:
            continue
        areas.append(
            TableArea(
                name=table.name,
                first_row=whole.row,
                first_column=whole.column,
                last_row=whole.row + whole.shape[0] - 1,
                last_column=whole.column + whole.shape[1] - 1,
                header_rows=1 if table.show_headers else 0,
                totals_rows=1 if table.show_totals else 0,
            )
        )
    return areas


XL_CELL_TYPE_VISIBLE = 12


def _hidden_rows(sheet: Any, last_row: int, last_column: int) -> dict[int, RowHidden] | None:
    """Hidden rows (and those folded in a collapsed group) from desktop Excel on Windows; None where
    the engine cannot tell (the remote engine has no row visibility, and neither has a Mac's API here).

    One call for the visible areas of the used range, one per area, then one per hidden row for its
    outline level (Excel's level 1 is a row in no group). Called only where the engine can tell
    (``Capabilities.can_read_hidden_rows``); COM may still refuse at run time (a protected sheet,
    Excel busy), which makes the rows unknown rather than stopping the job.
    """
    try:
        used = sheet.api.Range(sheet.api.Cells(1, 1), sheet.api.Cells(last_row, max(last_column, 2)))
        try:
            areas = used.SpecialCells(XL_CELL_TYPE_VISIBLE).Areas
            visible = {a.Row + i for a in areas for i in range(a.Rows.Count)}
        except Exception as error:  # every row hidden: Excel says "no cells were found"
            if "No cells were found" not in str(error):
                raise
            visible = set()
        hidden: dict[int, RowHidden] = {}
        for row in range(1, last_row + 1):
            if row not in visible:
                hidden[row] = "grouped" if sheet.api.Rows(row).OutlineLevel > 1 else "hidden"
        return hidden
    except Exception:  # not Excel on Windows (COM): hidden rows are not known
        return None


def _rag_formulas(sheet: Any, grid: Grid, header_row: int, column: int) -> frozenset[tuple[int, int]]:
    """The RAG column's formula cells (one call), for the core's check of their results against the rules.
    Only for an engine that can read formulas (``Capabilities``)."""
    if grid.row_count <= header_row:
        return frozenset()
    formulas = sheet.range((header_row + 1, column), (grid.row_count, column)).options(ndim=2).formula
    return frozenset(
        (header_row + 1 + i, column)
        for i, (f, *_) in enumerate(formulas or [])
        if isinstance(f, str) and f.startswith("=")
    )


def _number_formats(sheet: Any, grid: Grid, header_row: int, columns: list[int]) -> list[list[str | None]]:
    """Formats of the figure columns only (the rest is never scaled nor compared), for an engine that can read them."""
    formats: list[list[str | None]] = [[None] * len(row) for row in grid.values]
    first, last = header_row + 1, grid.row_count
    if last < first:
        return formats
    for column in columns:
        cells = _column_formats(sheet, column, first, last)
        for offset, number_format in enumerate(cells):
            row = formats[first - 1 + offset]
            if column <= len(row):
                row[column - 1] = number_format
    return formats


def _merged_areas(sheet: Any, grid: Grid, header_row: int, columns: dict[str, int]) -> list[tuple[int, int, int, int]]:
    """The merged cells of the columns a KPI may share with the rows below it (target, floor, polarity:
    merged down over several KPIs, one value shows on each), in the KPI rows; for desktop Excel, which
    answers whether a block holds merged cells in one call, so the calls grow with the merges, not the rows."""
    first, last = header_row + 1, grid.row_count
    areas: set[tuple[int, int, int, int]] = set()
    for name in ("target", "floor", "polarity"):
        if name in columns and last >= first:
            _merges_in(sheet, columns[name], first, last, areas)
    return sorted(areas)


def _merges_in(sheet: Any, column: int, first: int, last: int, areas: set[tuple[int, int, int, int]]) -> None:
    if sheet.range((first, column), (last, column)).merge_cells is False:  # True: all merged; None: some
        return
    if first == last:
        area = sheet.range((first, column)).merge_area
        areas.add((area.row, area.column, area.row + area.shape[0] - 1, area.column + area.shape[1] - 1))
        return
    middle = (first + last) // 2
    _merges_in(sheet, column, first, middle, areas)
    _merges_in(sheet, column, middle + 1, last, areas)


def _column_formats(sheet: Any, column: int, first: int, last: int) -> list[str | None]:
    """Number formats of rows first..last of a column, in as few calls as the column allows.

    Desktop Excel answers a block's format when all its cells share it, and None when they differ;
    a mixed block is split in halves, so the calls grow with the number of format changes down the
    column, not with the number of rows.
    """
    uniform = sheet.range((first, column), (last, column)).number_format
    if uniform is not None or first == last:
        return [uniform] * (last - first + 1)
    middle = (first + last) // 2
    return _column_formats(sheet, column, first, middle) + _column_formats(sheet, column, middle + 1, last)


def _evaluate(book: xw.Book, rules: Rules) -> tuple[Any, Evaluation]:
    excel = ExcelBook(book, rules)
    try:
        result = evaluate_book(excel, rules)
    except ScorecardError as error:
        error.file = error.file or book.name
        raise
    return excel.sheet, result


def _sparkline_note(sheet: Any, plan: WritePlan) -> list[Finding]:
    """xlwings has no sparklines (on any engine), so the trend column's are drawn by the command line only."""
    spark = plan.sparklines
    if spark is None:
        return []
    cells = f"{column_letter(spark.column)}{spark.first_row}:{column_letter(spark.column)}{spark.last_row}"
    trend = spark.trend_sheet
    return [kept.sparklines_not_drawn_here(sheet.name, cells, trend.name if trend else None)]


def _hiding_formats(sheet: Any, plan: WritePlan) -> list[Finding]:
    """Conditional formats that fill the RAG cells, so their colours show instead of ours (as the batch
    writer warns), for an engine that can list them (``Capabilities.can_read_conditional_formats``)."""
    if not plan.rag:
        return []
    ours = {(f'"{status}"', tuple(int(c[i : i + 2], 16) for i in (0, 2, 4))) for status, c in plan.colours.items()}
    span = f"{column_letter(plan.rag_column)}{plan.first_row}:{column_letter(plan.rag_column)}{plan.last_row}"
    rules = list(sheet.range((plan.first_row, plan.rag_column), (plan.last_row, plan.rag_column)).conditional_formats)
    hiding = [
        cf
        for cf in rules
        if (cf.type == "color_scale" or cf.fill_color is not None)
        and not (cf.type == "cell_value" and cf.operator == "equal" and (cf.formula1, cf.fill_color) in ours)
    ]
    if not hiding:
        return []
    what = sorted({f"{cf.type} {cf.formula1 or cf.formula or ''}".strip() for cf in hiding})
    return [kept.hiding_formats(sheet.name, span, what)]


def _formula_rows(sheet: Any, plan: WritePlan) -> set[int]:
    """Rows whose RAG cell holds a formula, for an engine that can read formulas."""
    rows: set[int] = set()
    for first, last in _runs(w.row for w in plan.rag):
        formulas = sheet.range((first, plan.rag_column), (last, plan.rag_column)).options(ndim=2).formula
        rows |= {first + i for i, (f,) in enumerate(formulas) if isinstance(f, str) and f.startswith("=")}
    return rows


def _narrative_sheet(book: xw.Book, plan: WritePlan) -> Any:
    """The existing Narrative sheet if scorecard wrote it; refuses one it did not write."""
    sheet = _sheet_named(book, plan.narrative_sheet)
    if sheet is None:
        return None
    values = sheet.used_range.options(ndim=2).value or []
    if not written_by_scorecard(v for row in values for v in row):
        raise foreign_narrative(plan.narrative_sheet)
    return sheet


# --- writing -------------------------------------------------------------------------------------


def _runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive rows as (first, last) runs: each run is written in one call per column."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def literal(text: str) -> str:
    """Text Excel must keep as text: never a formula (=, +, -, @) and never a number or date ("3.1")."""
    return f"'{text}" if text and (text[0] in "=+-@'" or text[0].isdigit()) else text


def _a1(row: int, column: int) -> str:
    letters = ""
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return f"{letters}{row}"


Block = tuple[tuple[int, int], tuple[int, int]]


@dataclass
class _Step:
    """One write, decided before anything is written.

    ``changes`` says what it changes in ``block`` of ``sheet``: "values", "fills", and "format" (other
    formatting, described by ``note``; ``undo`` puts it back when that is possible). A step with no
    block writes on a sheet this run created or cleared, which the journal restores as a whole.
    """

    run: Callable[[], None]
    sheet: Any = None
    block: Block | None = None
    changes: frozenset[str] = frozenset()
    note: str = ""
    undo: Callable[[], None] | None = None
    sheet_event: str = ""  # "created" or "cleared": the step creates or clears a whole sheet (see _SheetSlot)
    slot: Any = None


class _SheetSlot:
    """The Narrative sheet: the existing one, or the one a step creates."""

    def __init__(self, name: str, sheet: Any = None):
        self.name, self.sheet = name, sheet


@dataclass
class _Saved:
    sheet: Any
    block: Block
    values: list[list[Any]] | None = None
    formulas: list[list[Any]] | None = None
    fills: list[list[Any]] | None = None
    fills_unreadable: bool = False
    changes: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)  # formatting written that cannot be put back
    maybe: list[str] = field(default_factory=list)  # the same, by the refused write: it may not have happened
    undos: list[Callable[[], None]] = field(default_factory=list)

    @property
    def where(self) -> str:
        (r1, c1), (r2, c2) = self.block
        address = _a1(r1, c1) if (r1, c1) == (r2, c2) else f"{_a1(r1, c1)}:{_a1(r2, c2)}"
        return f"{self.sheet.name}!{address}"


def _two_d(value: Any, rows: int, columns: int) -> list[list[Any]]:
    """A block read from Excel as rows of cells, whatever shape xlwings gave it."""
    if rows == 1 and columns == 1 and not isinstance(value, (list, tuple)):
        return [[value]]
    if rows == 1 and value and not isinstance(value[0], (list, tuple)):
        return [list(value)]
    if columns == 1 and value and not isinstance(value[0], (list, tuple)):
        return [[v] for v in value]
    return [list(row) for row in value]


class _Journal:
    """What each write is about to change, read just before it, so that a failed run can be undone.

    Values are read in one call per block (formulas too, where the engine can read them); fills cell
    by cell, and only for blocks whose fills are written. An engine that cannot read fills (xlwings'
    remote engine) leaves them unrestorable, and the message says so.
    """

    def __init__(self) -> None:
        self.saved: list[_Saved] = []
        self.sheets: list[tuple[str, _SheetSlot, list[list[Any]] | None]] = []
        self.formulas_unreadable = False
        self.pending: tuple[_Saved, str] | None = None
        self.capabilities: Capabilities | None = None  # of the book written, told once

    def before(self, step: _Step) -> None:
        self.pending = None
        if step.sheet_event == "cleared":
            values = step.slot.sheet.used_range.options(ndim=2).value or []
            self.sheets.append(("cleared", step.slot, [list(row) for row in values]))
            return
        if step.sheet_event or step.block is None:
            return
        saved = next((s for s in self.saved if s.sheet.name == step.sheet.name and s.block == step.block), None)
        if saved is None:
            saved = _Saved(step.sheet, step.block)
            self.saved.append(saved)
        block = step.sheet.range(*step.block)
        rows, columns = step.block[1][0] - step.block[0][0] + 1, step.block[1][1] - step.block[0][1] + 1
        can = self.capabilities = self.capabilities or Capabilities.of(step.sheet.book)
        if "values" in step.changes and saved.values is None:
            saved.values = _two_d(block.options(ndim=2).value, rows, columns)
            if can.can_read_formulas:
                saved.formulas = _two_d(block.formula, rows, columns)
            else:
                self.formulas_unreadable = True
        if "fills" in step.changes and saved.fills is None and not saved.fills_unreadable:
            if can.can_read_fills:
                (r1, c1) = step.block[0]
                saved.fills = [[step.sheet.range((r1 + i, c1 + j)).color for j in range(columns)] for i in range(rows)]
            else:
                saved.fills_unreadable = True
        saved.changes |= step.changes
        if "format" in step.changes:
            if step.undo is not None:
                saved.undos.append(step.undo)
            elif step.note not in saved.notes:
                self.pending = (saved, step.note)

    def done(self, step: _Step) -> None:
        if step.sheet_event == "created":
            self.sheets.append(("created", step.slot, None))
        if self.pending is not None:
            saved, note = self.pending
            saved.notes.append(note)
            self.pending = None

    def undo(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Put back what can be put back, last write first.

        Returns (what was put back, what is still changed), each as {description: [places]}, in the
        order the places were first written."""
        if self.pending is not None:  # the refused write's formatting: it may or may not have happened
            saved, note = self.pending
            saved.maybe.append(note)
        restored: dict[str, list[str]] = {}
        changed: dict[str, list[str]] = {}
        for event, slot, values in reversed(self.sheets):
            try:
                if event == "created":
                    slot.sheet.delete()
                    restored.setdefault(f"the {slot.name} sheet it had added (removed)", [])
                    continue
                if values:
                    slot.sheet.range((1, 1), (len(values), max(len(r) for r in values))).value = [
                        [literal(v) if isinstance(v, str) else v for v in row] for row in values
                    ]
                restored.setdefault(f"the text of the {slot.name} sheet", [])
                changed.setdefault(f"the formatting of the {slot.name} sheet", [])
            except Exception:
                changed.setdefault(f"the {slot.name} sheet ({'added' if event == 'created' else 'cleared'})", [])
        for saved in reversed(self.saved):
            block = saved.sheet.range(*saved.block)
            if saved.values is not None:
                try:
                    block.value = [
                        [
                            f if isinstance(f, str) and f.startswith("=") else (literal(v) if isinstance(v, str) else v)
                            for v, f in zip(row, frow, strict=False)
                        ]
                        for row, frow in zip(saved.values, saved.formulas or saved.values, strict=False)
                    ]
                    restored.setdefault("the values of", []).insert(0, saved.where)
                except Exception:
                    changed.setdefault("the values of", []).insert(0, saved.where)
            if "fills" in saved.changes:
                if saved.fills is None:
                    changed.setdefault("the fills of", []).insert(0, saved.where)
                else:
                    try:
                        block.set_colors(saved.fills)
                        restored.setdefault("the fills of", []).insert(0, saved.where)
                    except Exception:
                        changed.setdefault("the fills of", []).insert(0, saved.where)
            for undo in saved.undos:
                try:
                    undo()
                    restored.setdefault("the font of", []).insert(0, saved.where)
                except Exception:
                    changed.setdefault("the font of", []).insert(0, saved.where)
            for note in saved.notes:
                changed.setdefault(note, []).insert(0, saved.where)
            for note in saved.maybe:
                changed.setdefault(f"perhaps (the refused write) {note}", []).insert(0, saved.where)
        return restored, changed


def _listing(parts: dict[str, list[str]]) -> str:
    return "; ".join(
        what.format(", ".join(where)) if "{}" in what else f"{what} {', '.join(where)}" if where else what
        for what, where in parts.items()
    )


class WriteFailed(ScorecardError):
    """Excel refused a write: says what was put back and exactly what is still changed."""


def _apply(steps: list[_Step]) -> None:
    """Run the steps in order; if one fails, undo what was written and say exactly what is left."""
    journal = _Journal()
    for step in steps:
        try:
            journal.before(step)
            step.run()
        except Exception as error:
            restored, changed = journal.undo()
            if "the fills of" in changed and all(s.fills is None for s in journal.saved if "fills" in s.changes):
                changed["the fills of {} (this engine cannot read fills, so it could not put them back)"] = changed.pop(
                    "the fills of"
                )
            lines = [f"scorecard stopped: Excel refused to write {_describe(step)} ({type(error).__name__}: {error})."]
            if restored:
                lines.append(f"Undone: {_listing(restored)}.")
                if journal.formulas_unreadable and "the values of" in restored:
                    lines.append("(This engine cannot read formulas: a formula among those values is now its value.)")
            lines.append(
                f"Still changed: {_listing(changed)}."
                if changed
                else "Nothing is left changed: the workbook is as it was."
            )
            raise WriteFailed("\n".join(lines)) from error
        journal.done(step)


def _describe(step: _Step) -> str:
    if step.block is not None:
        return _Saved(step.sheet, step.block).where
    return f"the {step.slot.name} sheet" if step.slot is not None else "the workbook"


def _set(sheet: Any, block: Block, attribute: str, value: Any) -> Callable[[], None]:
    return lambda: setattr(sheet.range(*block), attribute, value)


def _set_colors(sheet: Any, block: Block, colours: list[list[Any]]) -> Callable[[], None]:
    return lambda: sheet.range(*block).set_colors(colours)


def _clear_contents(sheet: Any, block: Block) -> Callable[[], None]:
    return lambda: sheet.range(*block).clear_contents()


def _copy(source: Any, sheet: Any, block: Block) -> Callable[[], None]:
    return lambda: source.copy(sheet.range(*block))


def _symbol_fonts() -> set[str]:
    return set(SYMBOL_FONTS)


def _cell_steps(sheet: Any, plan: WritePlan, formula_rows: set[int] | None) -> list[_Step]:
    """Every write of the RAG and direction columns (and headers the workbook lacked), in order."""
    steps: list[_Step] = []
    created = sorted({w.column for w in plan.headers})  # a header repeated further down adds none
    copied = f"the cell formats copied from column {_a1(1, plan.style_source)[:-1]} into"
    for header in plan.headers:  # look like the headers beside them: copy, then write the text
        cell = ((header.row, header.column), (header.row, header.column))
        source = sheet.range((header.row, plan.style_source))
        steps.append(_Step(_copy(source, sheet, cell), sheet, cell, frozenset({"values", "fills", "format"}), copied))
        steps.append(_Step(_set(sheet, cell, "value", literal(header.text)), sheet, cell, frozenset({"values"})))
    formula_rows = formula_rows or set()
    by_row = {w.row: w for w in plan.rag}
    directions = {w.row: w for w in plan.direction}
    symbol_fonts = _symbol_fonts()
    can = Capabilities.of(sheet.book)
    id_font = None
    for first, last in _runs(by_row):
        rows = range(first, last + 1)
        rag: Block = ((first, plan.rag_column), (last, plan.rag_column))
        direction: Block = ((first, plan.direction_column), (last, plan.direction_column))
        for column in created:
            source = sheet.range((first, plan.style_source), (last, plan.style_source))
            target: Block = ((first, column), (last, column))
            steps.append(
                _Step(_copy(source, sheet, target), sheet, target, frozenset({"values", "fills", "format"}), copied)
            )
        values = [r for r in rows if r not in formula_rows]
        for a, b in _runs(values):  # around formula cells, which keep their formula
            block: Block = ((a, plan.rag_column), (b, plan.rag_column))
            steps.append(
                _Step(
                    _set(sheet, block, "value", [[literal(by_row[r].text)] for r in range(a, b + 1)]),
                    sheet,
                    block,
                    frozenset({"values"}),
                )
            )
        colours = [[... if r in formula_rows else f"#{by_row[r].fill}"] for r in rows]
        steps.append(_Step(_set_colors(sheet, rag, colours), sheet, rag, frozenset({"fills"})))
        steps.append(
            _Step(
                _set(sheet, direction, "value", [[literal(directions[r].text) or None] for r in rows]),
                sheet,
                direction,
                frozenset({"values"}),
            )
        )
        spc_blocks: list[tuple[Block, int]] = []
        for column in plan.spc_columns:  # text and fill, as the RAG column
            cells = {w.row: w for w in plan.spc if w.column == column}
            block = ((first, column), (last, column))
            spc_blocks.append((block, column))
            steps.append(
                _Step(
                    _set(sheet, block, "value", [[literal(cells[r].text) or None] for r in rows]),
                    sheet,
                    block,
                    frozenset({"values"}),
                )
            )
            fills = [[f"#{cells[r].fill}"] for r in rows]
            steps.append(_Step(_set_colors(sheet, block, fills), sheet, block, frozenset({"fills"})))
        for block, column in ((rag, plan.rag_column), (direction, plan.direction_column), *spc_blocks):
            font_source = ((first, plan.style_source), (last, plan.style_source)) if column in created else block
            if not can.can_read_fonts:  # engines that cannot read fonts leave them as they are
                continue
            name = sheet.range(*font_source).font.name
            if isinstance(name, str) and name.strip().casefold() in symbol_fonts:
                if id_font is None:
                    id_font = sheet.range((plan.rag[0].row, 1)).font.name or ""
                readable = id_font if id_font and id_font.casefold() not in symbol_fonts else "Calibri"
                steps.append(
                    _Step(
                        _set_font(sheet, block, readable),
                        sheet,
                        block,
                        frozenset({"format"}),
                        undo=_set_font(sheet, block, name),
                    )
                )
    if formula_rows:
        whole: Block = ((plan.first_row, plan.rag_column), (plan.last_row, plan.rag_column))
        steps.append(
            _Step(
                lambda: _status_formats(sheet.range(*whole), plan, can.can_read_conditional_formats),
                sheet,
                whole,
                frozenset({"format"}),
                "the conditional formats colouring the RAG words added to",
            )
        )
    return steps


def _status_formats(rag: Any, plan: WritePlan, listable: bool) -> None:
    """Colour formula RAG cells by conditional formatting, never deleting a rule: the analyst's rules on the
    column stay. Rules an earlier refresh added with the same colours are recognised and not added twice;
    after a change of colours the new rules are added above the old ones (Excel puts new rules first), so
    the new colours show. An engine that cannot list rules (``listable`` False) gets ours added."""
    wanted = {
        f'"{status}"': tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4)) for status, colour in plan.colours.items()
    }
    present = set()
    if listable:
        present = {
            (cf.formula1, cf.fill_color)
            for cf in rag.conditional_formats
            if cf.type == "cell_value" and cf.operator == "equal"
        }
    if all((word, fill) in present for word, fill in wanted.items()):
        return
    for status, colour in plan.colours.items():
        rag.conditional_formats.add_cell_value("equal", f'"{status}"', fill_color=f"#{colour}")


def _table_steps(sheet: Any, plan: WritePlan, widen: list[TableArea]) -> list[_Step]:
    """Take the added columns into the Excel Table holding the KPIs, their headers already written."""
    if not widen:
        return []
    last = max(w.column for w in plan.headers)
    steps = []
    for area in widen:

        def resize(area: TableArea = area) -> None:
            for table in sheet.tables:
                if table.name == area.name:
                    table.resize(sheet.range((area.first_row, area.first_column), (area.last_row, last)))

        def restore(area: TableArea = area) -> None:
            for table in sheet.tables:
                if table.name == area.name:
                    table.resize(sheet.range((area.first_row, area.first_column), (area.last_row, area.last_column)))

        block: Block = ((area.first_row, area.first_column), (area.last_row, last))
        steps.append(
            _Step(
                resize, sheet, block, frozenset({"format"}), f"the Excel Table '{area.name}' widened over", undo=restore
            )
        )
    return steps


def _set_font(sheet: Any, block: Block, name: str) -> Callable[[], None]:
    """Give the cells a font: the words must read as words, not as Wingdings arrows (as the batch
    writer gives them the workbook's default)."""
    return lambda: setattr(sheet.range(*block).font, "name", name)


def _bold_names(sheet: Any, names: list[tuple[int, int]]) -> None:
    """Each KPI's name bold at the start of its paragraph (one call a paragraph: rich text is set character
    by character). An engine without ``characters`` (a stand-in, a future one) leaves the text plain."""
    for row, length in names:
        try:
            sheet.range((row, 2)).characters[0:length].font.bold = True
        except (AttributeError, NotImplementedError):
            return


XL_PORTRAIT, XL_PAPER_A4 = 1, 9


def _print_setup(sheet: Any, left: str, right: str) -> None:
    """The Narrative sheet prints as the batch writer sets it up: A4 portrait, one page wide, the title in the
    header, "Page X of Y" in the footer. Through COM, so desktop Excel on Windows; elsewhere (a Mac's
    AppleScript bridge names these otherwise) the sheet keeps Excel's default page set-up. Excel may refuse
    page set-up with no printer installed: the text is written all the same."""
    if not sys.platform.startswith("win"):
        return
    try:
        setup = sheet.api.PageSetup
        setup.Orientation, setup.PaperSize = XL_PORTRAIT, XL_PAPER_A4
        setup.Zoom = False  # before the fit: Excel fits only when zoom is off
        setup.FitToPagesWide, setup.FitToPagesTall = 1, False
        setup.LeftHeader, setup.RightHeader, setup.CenterFooter = left, right, NARRATIVE_PAGES
    except Exception:  # COM refuses (no printer, a protected sheet): keep Excel's default page set-up
        return


def _narrative_steps(book: xw.Book, plan: WritePlan, existing: Any) -> list[_Step]:
    """Every write of the Narrative sheet, in order; the block of text is built before any of them."""
    slot = _SheetSlot(plan.narrative_sheet, existing)
    cells = plan.narrative_cells
    last = max(c.row for c in cells)
    block: list[list[str | None]] = [[None, None] for _ in range(last)]
    for cell in cells:
        block[cell.row - 1][cell.column - 1] = literal(cell.text)
    by_style: dict[str, list[int]] = {}
    for cell in cells:
        by_style.setdefault(cell.style, []).append(cell.row)
    italic = by_style.get("lead", []) + by_style.get("note", [])
    headings = [
        (row, bold, size)
        for style, bold, size in (("title", True, 14), ("heading", True, 12))
        for row in by_style.get(style, [])
    ]
    names = [(cell.row, cell.bold) for cell in cells if cell.bold]  # KPI names, bold in their paragraphs
    titles = {cell.style: cell.text for cell in cells if cell.style in ("title", "heading")}
    desktop = Capabilities.of(book).engine == "excel"  # rich text and page set-up: desktop Excel's own API

    def add() -> None:
        slot.sheet = book.sheets.add(plan.narrative_sheet, after=book.sheets[len(book.sheets) - 1])

    def write() -> None:
        sheet = slot.sheet
        sheet.range((1, 1), (last, 2)).value = block
        sheet.range("A:A").column_width = NARRATIVE_WIDTHS[0]
        sheet.range("B:B").column_width = NARRATIVE_WIDTHS[1]
        body = sheet.range((3, 1), (last, 2))
        body.wrap_text = True
        for row, bold, size in headings:
            font = sheet.range((row, 1)).font
            font.bold, font.size = bold, size
        sheet.range((3, 1), (last, 1)).font.bold = True
        for row in italic:
            sheet.range((row, 2)).font.italic = True
        body.rows.autofit()
        if desktop:
            _bold_names(sheet, names)
            _print_setup(sheet, *narrative_header(titles.get("title", ""), titles.get("heading", "")))

    first = (
        _Step(lambda: slot.sheet.clear(), sheet_event="cleared", slot=slot)
        if existing is not None
        else _Step(add, sheet_event="created", slot=slot)
    )
    return [first, _Step(write, slot=slot)]
