"""The ribbon's entry points, written against the ``xw.Book`` API only.

The same code runs in desktop Excel (through the add-in's RunPython) and on xlwings' remote
engine, which is how it is tested on Linux. Each entry point finds the rules (``bookrules``), reads the
workbook once and decides everything in the domain core (the same use cases, ``evaluate_grid`` and
``WritePlan`` as the command line, on an ``ExcelBook``), and only then writes: in few, large calls
(``writer``), each journalled first, so a write Excel refuses midway is undone and the alert names exactly
what could not be put back (``journal``). Errors reach the user as an Excel alert carrying the same
message the command line prints; no traceback reaches a Python console.

The Excel side mirrors the file side (``scorecard.workbook``): ``book`` opens the workbook for a job
(``ExcelBook``, the twin of ``WorkbookFile``), ``reader`` and ``writer`` read and write it, ``conditional``
handles the RAG column's conditional formats, ``bookrules`` finds the rules.

Public API, also for a user's own VBA (``RunPython "import scorecard.excel; scorecard.excel.refresh()"``):
``refresh``, ``check``, ``narrative``, ``clear``, ``report``, ``open_rules``, ``help``; ``book=None`` means
``xw.Book.caller()``.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import xlwings as xw

from ..core.embedded import check_embedded, origin
from ..core.reading.explain import explain_lines
from ..core.rules import Rules
from ..core.summary import check_summary
from ..errors import ScorecardError
from ..usecases import Evaluation, evaluate_book, refresh_book
from .book import ExcelBook
from .bookrules import HOW_TO_NAME_RULES, book_rules, embedded_rules, files_reachable, find_rules
from .journal import apply_steps
from .reader import existing_narrative
from .writer import clear_steps, narrative_steps

TITLE = "Scorecard"


HOW_TO_REPORT_LITE = (
    "xlwings Lite cannot save files to your disk, so it cannot save the Word report: on a computer with "
    "Python run scorecard report {name} --rules RULES."
)


HOW_TO_REPORT_NO_FOLDER = (
    "the Word report is saved beside the workbook as {stem}.docx, but Excel does not say which folder "
    "the workbook is in (it has not been saved yet, or it is open from the web): save it to a folder on "
    "this computer and press Report again, or run scorecard report {name} --rules RULES."
)


# --- entry points ---------------------------------------------------------------------------------


def _entry_point(job: Callable[..., str | None]) -> Callable[..., str | None]:
    """Run a job on the calling workbook; show its message, or its error, as an Excel alert."""

    @functools.wraps(job)
    def run(book: xw.Book | None = None, rules: str | os.PathLike[str] | None = None) -> str | None:
        book = book if book is not None else xw.Book.caller()
        try:
            message = job(book, rules)
        except ScorecardError as error:
            message = str(error)
        except Exception as error:  # a bug: still an alert, never a console traceback
            # every write goes through apply_steps, which turns a failed write into a WriteFailed (a
            # ScorecardError) saying what changed; any other error comes before the first write
            message = (
                f"scorecard stopped on an unexpected error ({type(error).__name__}: {error}) before "
                "writing anything: the workbook was not changed. Please report it with the rules file."
            )
        if message:
            alert(book, message)
        return message

    run.__signature__ = inspect.signature(run, follow_wrapped=False)  # type: ignore[attr-defined]  # show book=None, not the job's (inspect reads it; wraps' type omits it)
    return run


def alert(book: xw.Book, message: str) -> None:
    try:
        book.app.alert(message, title=TITLE)
    except Exception:  # no app to show it (a script without Excel): print instead
        print(message, file=sys.stderr)


@_entry_point
def refresh(book: xw.Book, rules: str | os.PathLike[str] | None = None) -> str | None:
    """RAG column, direction column and the Narrative sheet, from the rules."""
    loaded = book_rules(book, rules)
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
def check(book: xw.Book, rules: str | os.PathLike[str] | None = None) -> str:
    """List what was found and every problem, writing nothing."""
    loaded = book_rules(book, rules)
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
def narrative(book: xw.Book, rules: str | os.PathLike[str] | None = None) -> str | None:
    """Only the Narrative sheet: the RAG and direction columns are left as they are."""
    _, result = _evaluate(book, book_rules(book, rules))
    apply_steps(narrative_steps(book, result.plan, existing_narrative(book, result.plan)))
    return None


@_entry_point
def clear(book: xw.Book, rules: str | os.PathLike[str] | None = None) -> str | None:
    """Remove what Refresh wrote: RAG and direction texts and fills, and the Narrative sheet."""
    sheet, result = _evaluate(book, book_rules(book, rules))
    apply_steps(clear_steps(sheet, result.plan, existing_narrative(book, result.plan)))
    return None


@_entry_point
def report(book: xw.Book, rules: str | os.PathLike[str] | None = None) -> str:
    """The committee's cover report as a Word document saved beside the workbook, <workbook name>.docx
    (the command line's ``scorecard report``); the workbook is read as Check reads it and not changed."""
    output = report_path(book)  # before anything is read: where it cannot be saved, say so first
    loaded = book_rules(book, rules)
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
def open_rules(book: xw.Book, rules: str | os.PathLike[str] | None = None) -> str | None:
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
def help(book: xw.Book, rules: str | os.PathLike[str] | None = None) -> str:
    """A short guide in an alert. It needs no workbook of the user's: with none open the add-in runs it on
    a blank one, never saved, so the rules' file names are given in general."""
    from . import functions

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
        + ", ".join(functions.__all__)
        + " (see the README)."
    )


def _evaluate(book: xw.Book, rules: Rules) -> tuple[Any, Evaluation]:
    excel = ExcelBook(book, rules)
    try:
        result = evaluate_book(excel, rules)
    except ScorecardError as error:
        error.file = error.file or book.name
        raise
    return excel.sheet, result
