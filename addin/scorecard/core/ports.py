"""The contracts between the use cases (``scorecard.usecases``) and the adapters that hold a workbook.

Two adapters implement both: the file (``scorecard.workbook.book.WorkbookFile``: the .xlsx/.xlsm
read and written by its XML parts) and Excel (``scorecard.excel.book.ExcelBook``: an ``xw.Book`` on
desktop Excel, xlwings' remote engine or xlwings Lite). The use cases see only these.

What a source can read is a named capability, known before anything is read, rather than an error
to be caught: the remote engine and Lite send values only, so a grid from them has no number formats
and no formulas, and the core warns (or relies on ``layout.percent``) instead of guessing.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from .findings import Finding
from .plan import WritePlan
from .reading import Grid


@runtime_checkable
class GridSource(Protocol):
    """A workbook the core can read a table from."""

    @property
    def can_read_number_formats(self) -> bool:
        """The grid carries the figure cells' number formats (else ``Grid.formats`` is None)."""
        ...

    @property
    def can_read_formulas(self) -> bool:
        """The grid says which RAG cells hold formulas (else ``Grid.formulas`` is empty)."""
        ...

    @property
    def can_read_hidden_rows(self) -> bool:
        """The grid knows hidden and grouped rows (else ``Grid.hidden_rows_known`` is False)."""
        ...

    @property
    def can_read_merged_cells(self) -> bool:
        """The grid lists merged areas (else ``Grid.merged`` is empty)."""
        ...

    def grid(self, sheet: str | None) -> Grid:
        """The sheet the rules name (None: the first) as a Grid, from A1."""
        ...

    def sheet_names(self) -> list[str]:
        """The workbook's worksheets, in their order."""
        ...

    def peek(self, sheet: str, rows: int) -> Grid:
        """The top ``rows`` rows of a sheet, values only: enough to see which sheet holds the table."""
        ...

    def findings(self, plan: WritePlan) -> list[Finding]:
        """What the workbook holds beyond the grid that would hide what the plan writes (conditional
        formats filling the RAG cells), found before anything is written."""
        ...


@runtime_checkable
class PlanSink(Protocol):
    """A workbook a plan is written to: all of it, or (after undoing what it can) nothing but a clear error."""

    def apply(self, plan: WritePlan) -> None: ...
