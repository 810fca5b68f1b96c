"""The ribbon's jobs as xlwings Lite's ``main.py`` runs them (``addin/lite/main.py``), on the workbook as
Lite hands it over; its functions call the worksheet functions (``functions``) themselves.

xlwings Lite runs Python in WebAssembly (Pyodide) inside Excel. Its ``xw.Book`` is the same
values-in, actions-out Book as xlwings' remote engine, so the ribbon's entry points run on it
unchanged. Lite cannot read files on the user's disk, number formats or formulas, so:

- the rules come from the workbook's hidden ScorecardRules sheet (``scorecard rules embed``);
- a workbook storing percentages as fractions says ``layout.percent: fraction`` in its rules;
- a RAG column of formulas is overwritten with values (desktop Excel keeps the formulas).

Nothing here, nor anything it imports, uses lxml, threads, subprocesses or multiprocessing, none
of which Pyodide has. Each job returns the text Lite prints in its task pane: where the rules came
from and what was done (problems are also shown as an alert, as in desktop Excel).
"""

from __future__ import annotations

from collections.abc import Callable

import xlwings as xw

from ..core.embedded import origin
from ..errors import ScorecardError
from . import ribbon
from .bookrules import book_rules


def _report(book: xw.Book, job: Callable[[xw.Book], str | None], done: str) -> str:
    message = job(book)  # shows problems as an alert itself, and returns them
    try:
        where = f"Rules: {origin(book_rules(book))}"
    except ScorecardError:
        return message or done  # the job already said what is wrong with the rules
    return "\n".join(line for line in (where, message or done) if line)


def refresh(book: xw.Book) -> str:
    """RAG column, direction column and the Narrative sheet."""
    return _report(book, ribbon.refresh, "Refreshed: RAG and direction columns written, Narrative sheet replaced.")


def check(book: xw.Book) -> str:
    """What was found and every problem; writes nothing (its message names the rules)."""
    return ribbon.check(book) or ""


def narrative(book: xw.Book) -> str:
    """Only the Narrative sheet."""
    return _report(book, ribbon.narrative, "Narrative sheet replaced.")


def clear(book: xw.Book) -> str:
    """Remove what Refresh wrote."""
    return _report(book, ribbon.clear, "Cleared the RAG and direction cells and deleted the Narrative sheet.")
