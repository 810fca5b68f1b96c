"""A workbook file opened for a job: the file side's ``GridSource`` and ``PlanSink``.

``WorkbookFile`` opens the package once (``package``: refused before any parser sees what must not be
read), reads the table's sheet through ``reader``, says what the file holds beyond the grid that a refresh
must warn of (``conditional``, ``sparklines``), and applies a plan through ``writer`` to the same parts:
a refresh reads each part once. It is the one module of the file side that knows both the reader and
the writer; ``excel.book.ExcelBook`` is its twin on xlwings' Book API.
"""

from __future__ import annotations

import gc
import zipfile
import zlib
from pathlib import Path
from typing import Any

from ..core.findings import Finding
from ..core.plan import WritePlan
from ..core.reading import Grid
from ..errors import WorkbookError
from . import conditional, sparklines
from .package import Package, Workbook, check_file, open_zip
from .reader import SheetParts, read_named, read_sheet, sheet_parts
from .writer import apply_plan


class WorkbookFile:
    """A workbook opened once for a refresh: read its grid, then write a plan through the same parts.

    The file side's ``GridSource`` and ``PlanSink`` (``scorecard.core.ports``): the file holds
    everything a grid can carry, so every capability is there. ``apply`` saves to ``output``
    (default: the workbook itself).
    """

    can_read_number_formats = True
    can_read_formulas = True  # formula cells, and formulas saved without a result
    can_read_hidden_rows = True
    can_read_merged_cells = True

    def __init__(self, path: str | Path, output: str | Path | None = None):
        self.path = Path(path)
        self.output = Path(output) if output else self.path
        self._parts: SheetParts | None = None  # the shared strings and formats, once sheets are looked at (peek)
        check_file(self.path)
        self.archive = open_zip(self.path)
        try:
            self.package = Package(self.path, self.archive)
            self.workbook = Workbook(self.package)  # refuses Strict Open XML and a package without its workbook part
        except BaseException:
            self.archive.close()
            raise

    def __enter__(self) -> WorkbookFile:
        # Python's cycle collector paused for the job, as ``writer`` pauses it for a write: reading a large
        # sheet and deciding its KPIs make hundreds of thousands of objects that live to the end of the job
        # and form no reference cycles, and the collector would walk them all again and again as they grow
        self._collecting = gc.isenabled()
        gc.disable()
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            self.close()
        finally:
            if self._collecting:
                gc.enable()

    def close(self) -> None:
        self.archive.close()

    def grid(self, sheet: str | None) -> Grid:
        try:
            return read_sheet(self.package, self.workbook, sheet)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise WorkbookError(f"is damaged: {error}", file=self.path) from None

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.workbook.sheet_entries() if s.kind == "worksheet"]

    def peek(self, sheet: str, rows: int) -> Grid:
        try:
            if self._parts is None:  # read once for every sheet looked at
                self._parts = sheet_parts(self.package, self.workbook)
            return read_named(self.package, self.workbook, sheet, rows, self._parts)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise WorkbookError(f"is damaged: {error}", file=self.path) from None

    def named_sheet(self, name: str) -> Grid | None:
        """Another sheet than the table's, by its exact name (case aside), or None when there is none:
        read as the table's sheet is, e.g. the rules a workbook carries."""
        found = next((s.name for s in self.workbook.sheet_entries() if s.name.casefold() == name.casefold()), None)
        if found is None:
            return None
        try:
            return read_named(self.package, self.workbook, found)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise WorkbookError(f"is damaged: {error}", file=self.path) from None

    def findings(self, plan: WritePlan) -> list[Finding]:
        """What the file holds beyond the grid that a refresh should warn of, before anything is written:
        conditional formatting that would hide the colours the plan gives the RAG cells, sparklines drawn
        by hand in the trend column, a trend sheet the sparklines no longer read."""
        return (
            conditional.hiding_formats(self.package, self.workbook, plan)
            + sparklines.hand_drawn(self.package, self.workbook, plan)
            + sparklines.stale_trend_sheet(self.package, self.workbook, plan)
        )

    def apply(self, plan: WritePlan) -> None:
        """Apply ``plan`` and save to ``output``, atomically."""
        apply_plan(self.package, self.workbook, plan, self.output)


def open_workbook(path: str | Path, output: str | Path | None = None) -> WorkbookFile:
    return WorkbookFile(path, output)


def read_grid(path: str | Path, sheet: str | None) -> Grid:
    """The sheet's values (cached results for formulas), number formats and structure, from A1."""
    with open_workbook(path) as book:
        return book.grid(sheet)
