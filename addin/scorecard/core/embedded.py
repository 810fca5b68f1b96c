"""Rules that travel inside the workbook: the YAML, one line per cell, in column A of a hidden sheet.

A sheet of text cells is the one form every engine can read: openpyxl and our package reader,
desktop Excel through COM, xlwings' remote engine and xlwings Lite (which sees the workbook only
as a payload of cell values and cannot reach a file on the user's disk). Line N of the YAML is
cell A<N>, so a problem in the rules is reported as "sheet 'ScorecardRules', cell A7".

Which rules a job uses, first found wins (README, "Rules inside the workbook"):

1. rules named for the job: ``--rules`` on the command line, the ``rules`` argument of a macro;
2. rules the workbook names: its defined name ScorecardRules or its Settings sheet (desktop);
3. the rules embedded in the workbook (this module);
4. ``<workbook name>.yaml`` beside the workbook (desktop).

Named rules win because naming them is a deliberate act for this run or this workbook; the
embedded copy is the workbook's own default, and ``check`` warns when it differs from the rules
that were used, so a stale copy cannot go unnoticed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import RulesError, ScorecardError
from .findings import Finding
from .rules import Rules, parse_rules

SHEET = "ScorecardRules"
MAX_CELL_TEXT = 32767  # characters an Excel cell holds
_SOURCE_SUFFIX = f", sheet {SHEET}"


def is_rules_sheet(name: str) -> bool:
    return name.casefold() == SHEET.casefold()


def to_lines(text: str) -> list[str]:
    """The rules text as the cells of column A: one line a cell, an empty line an empty cell."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the last line is not a line of its own
    while lines and not lines[-1].strip():
        lines.pop()
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_CELL_TEXT:
            raise RulesError(
                f"the line is {len(line):,} characters long; an Excel cell holds {MAX_CELL_TEXT:,}", line=number
            )
    return lines


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def from_cells(cells: Iterable[Any]) -> str:
    """Column A's values back as the YAML text (an empty cell is an empty line)."""
    lines = [_cell_text(value) for value in cells]
    while lines and not lines[-1].strip():
        lines.pop()
    return "".join(line + "\n" for line in lines)


def source_of(book: str) -> str:
    """The ``Rules.source`` of rules embedded in ``book``: its provenance reads 'book.xlsx, sheet ScorecardRules'."""
    return f"{book}{_SOURCE_SUFFIX}"


def is_embedded(rules: Rules) -> bool:
    return rules.source.endswith(_SOURCE_SUFFIX)


def origin(rules: Rules) -> str:
    """Where the rules came from, for messages: 'embedded in BOOK (sheet ScorecardRules)' or the file."""
    if is_embedded(rules):
        return f"embedded in {rules.source[: -len(_SOURCE_SUFFIX)]} (sheet {SHEET})"
    return rules.source


def parse_cells(cells: Iterable[Any], book: str) -> Rules:
    """Rules from column A's values; an error names the sheet and the cell of the offending line."""
    text = from_cells(cells)
    if not text.strip():
        raise ScorecardError(
            f"the sheet {SHEET} is empty: embed the rules again with `scorecard rules embed`", file=book
        )
    key = (text, book)
    if key in _PARSED:
        return _PARSED[key]
    try:
        rules = parse_rules(text, source=source_of(book))
    except RulesError as error:
        for problem in [error, *getattr(error, "problems", ())]:
            problem.file = book
            problem.where = f"sheet '{SHEET}'" + (f", cell A{problem.line}" if problem.line else "")
        raise
    if len(_PARSED) > 64:
        _PARSED.clear()
    _PARSED[key] = rules
    return rules


# Parsed rules by (text, book): a worksheet function given the rules range parses them once, not per cell.
_PARSED: dict[tuple[str, str], Rules] = {}


def check_embedded(used: Rules, read_embedded: Callable[[], Rules | None]) -> Finding | None:
    """For ``check``: a warning when the workbook's embedded rules differ from the rules used, or do not load."""
    try:
        inside = read_embedded()
    except RulesError as error:
        return Finding("SC907", f"the rules embedded in the workbook were not used and do not load: {error}")
    if inside is None or inside is used or same_rules(used, inside):
        return None
    return Finding("SC906", differ_warning(used, inside))


def _comparable(rules: Rules) -> Rules:
    kpis = {key: dataclasses.replace(rule, line=0) for key, rule in rules.kpis.items()}
    given = None if rules.decimals_line is None else 0  # whether defaults.decimals is given, not on which line
    return dataclasses.replace(rules, source="", sha256="", kpis=kpis, decimals_line=given)


def same_rules(a: Rules, b: Rules) -> bool:
    """Whether two sets of rules rate, lay out and narrate alike (comments, spacing and key order aside)."""
    return _comparable(a) == _comparable(b)


def differ_warning(used: Rules, embedded: Rules) -> str:
    return (
        f"the rules {origin(embedded)} differ from {origin(used)}, which were used; to make the workbook "
        f"carry these rules, run: scorecard rules embed BOOK --rules {used.source}"
    )
