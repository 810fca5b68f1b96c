"""Which rules a job on an open workbook uses: named for the job, named by the workbook, embedded in it, or
beside it. The Excel side's twin of ``workbook.bookrules``.

First found wins (see ``scorecard.core.embedded``): the ``rules`` argument of a macro; the file the
workbook names (its defined name ScorecardRules, or a Settings sheet); the rules embedded in the workbook
(its hidden ScorecardRules sheet); ``<workbook name>.yaml`` beside it. xlwings Lite reaches no file on the
user's disk, so there only the embedded rules are read.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import xlwings as xw

from ..core.embedded import SHEET as EMBEDDED_SHEET
from ..core.embedded import parse_cells
from ..core.rules import Rules, load_rules_cached
from ..errors import ScorecardError
from .reader import sheet_named

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


HOW_TO_EMBED_RULES = (
    "xlwings Lite cannot read files on your disk: embed the rules in the workbook with "
    "scorecard rules embed {name} --rules RULES, then open it again."
)


def book_rules(book: xw.Book, rules: str | os.PathLike[str] | None = None) -> Rules:
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
    sheet = sheet_named(book, SETTINGS_SHEET)
    if sheet is None:
        return None
    values = sheet.used_range.options(ndim=2).value or []
    for row in values:
        if len(row) >= 2 and isinstance(row[0], str) and row[0].strip().casefold() in SETTINGS_KEYS and row[1]:
            return str(row[1]), f"the {SETTINGS_SHEET} sheet"
    return None


def embedded_rules(book: xw.Book) -> Rules | None:
    """The rules embedded in the workbook (its hidden ScorecardRules sheet), or None: one read of column A."""
    sheet = sheet_named(book, EMBEDDED_SHEET)
    if sheet is None:
        return None
    used = sheet.used_range
    last_row = used.row + used.shape[0] - 1
    cells = sheet.range((1, 1), (last_row, 1)).options(ndim=2).value or []
    return parse_cells([row[0] if row else None for row in cells], book.name)


def files_reachable() -> bool:
    """False in xlwings Lite (Python in WebAssembly inside Excel): no file on the user's disk is reachable."""
    return sys.platform != "emscripten"
