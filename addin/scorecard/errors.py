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
        self,
        message: str,
        *,
        file: str | Path | None = None,
        sheet: str | None = None,
        cell: str | None = None,
        row: int | None = None,
    ):
        where = None
        if sheet is not None:
            where = f"sheet '{sheet}'" + (f", cell {cell}" if cell else f", row {row}" if row else "")
        super().__init__(message, file=file, where=where)
        self.sheet = sheet
        self.cell = cell


# --- text for a terminal ----------------------------------------------------------------------

LINE_LIMIT = 2_000  # characters of one printed line: a message names a value, it does not reprint a megabyte


def _escaped(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_REORDERING = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _unsafe(character: str) -> bool:
    """A control character (but a line break or tab), a lone surrogate, a line or paragraph separator,
    or a mark that reorders the text around it; spaces (a no-break space too) and letters are safe."""
    if character in "\n\t":
        return False
    import unicodedata

    return unicodedata.category(character) in ("Cc", "Cs", "Zl", "Zp") or character in _REORDERING


def printable(text: str, limit: int | None = LINE_LIMIT) -> str:
    """Text from a workbook or rules file made safe to print: control characters (ESC, which starts a
    terminal's escape sequences, NUL, a vertical tab...) and the invisible marks that reorder text shown
    as escapes (``\\x1b``), line breaks and tabs kept; each line cut to ``limit`` characters (None: the
    narrative itself, printed whole)."""
    if not text.isprintable():
        text = "".join(_escaped(c) if _unsafe(c) else c for c in text)
    if limit is not None and len(text) > limit:
        lines = text.split("\n")
        text = "\n".join(
            line if len(line) <= limit else f"{line[:limit]}... ({len(line) - limit:,} more characters)"
            for line in lines
        )
    return text


# --- unexpected errors: a one-line message for the user, the traceback to a log ---------------

LOG_LIMIT = 1_000_000  # bytes: a log past this starts afresh rather than grow without end


def log_path() -> Path:
    """Where tracebacks go: $SCORECARD_LOG, else the user's cache folder (LOCALAPPDATA on Windows)."""
    import os
    import sys

    if os.environ.get("SCORECARD_LOG"):
        return Path(os.environ["SCORECARD_LOG"])
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "scorecard" / "scorecard.log"


def log_unexpected(error: BaseException, context: str) -> str:
    """Record an unexpected error (a bug, not the user's input) with its traceback in the log, and
    return the one line to show: what happened and where the details are.

    Modelled on pre-commit's error handler: the user sees one line, the maintainer gets the log.
    """
    import datetime as dt
    import platform
    import traceback

    from .version import __version__

    summary = f"{type(error).__name__}: {error}".strip().splitlines()[0][:200] if str(error) else type(error).__name__
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = "w" if path.exists() and path.stat().st_size > LOG_LIMIT else "a"
        with path.open(mode, encoding="utf-8") as log:
            log.write(
                f"### {dt.datetime.now().isoformat(timespec='seconds')} scorecard {__version__}, "
                f"Python {platform.python_version()}, {platform.platform()}\n"
                f"### {context}\n" + "".join(traceback.format_exception(type(error), error, error.__traceback__)) + "\n"
            )
    except OSError:
        return f"unexpected error ({summary}); the log {path} could not be written, so please report this message"
    return f"unexpected error ({summary}); the details are in {path}: please send that file with your report"
