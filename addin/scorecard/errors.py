"""Errors a user can act on.

Every message names where the problem is (file, then sheet and cell, or YAML line), because
the person reading it is an analyst with a workbook open, not a developer with a traceback.
The command line and the Excel alert print ``str(error)`` and nothing else.
"""

from __future__ import annotations

from pathlib import Path


class ScorecardError(Exception):
    """A problem with the user's input that the user can fix."""

    exit_code = 1

    def __init__(self, message: str, *, file: str | Path | None = None, where: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = None if file is None else str(file)
        self.where = where

    def __str__(self) -> str:
        place = ", ".join(p for p in (self.file and Path(self.file).name, self.where) if p)
        return f"{place}: {self.message}" if place else self.message


class RulesError(ScorecardError):
    """The rules file is not valid YAML or does not follow the schema."""

    def __init__(self, message: str, *, file: str | Path | None = None, line: int | None = None):
        super().__init__(message, file=file, where=None if line is None else f"line {line}")
        self.line = line


class WorkbookError(ScorecardError):
    """The workbook cannot be read as the rules describe, or cannot be written safely."""

    def __init__(
        self, message: str, *, file: str | Path | None = None, sheet: str | None = None, cell: str | None = None,
        row: int | None = None,
    ):
        where = None
        if sheet is not None:
            where = f"sheet '{sheet}'" + (f", cell {cell}" if cell else f", row {row}" if row else "")
        super().__init__(message, file=file, where=where)
        self.sheet = sheet
        self.cell = cell


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA: for messages and cell references."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, column: int) -> str:
    return f"{column_letter(column)}{row}"
