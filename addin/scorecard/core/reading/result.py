"""What reading a table gives: the KPIs and their periods (``KpiTable``), and how they were read (``Reading``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..findings import Finding
from ..model import Kpi, Period, Rag
from ..statuswords import DEFAULT_WORDS
from .header import Header
from .rows import Rows
from .series import Series


@dataclass(frozen=True)
class Breakdowns:
    """The breakdown column of a long table and the sheet rows of each breakdown, in the sheet's order."""

    header_row: int
    column: int
    rows: dict[str | None, list[int]]  # breakdown label (None: the whole) -> its rows


@dataclass(frozen=True)
class Reading:
    """How the table was read, stage by stage: what the explain view shows."""

    header: Header
    rows: Rows
    series: Series
    sources: dict[str, dict[str, str]] = field(default_factory=dict)  # KPI id -> field -> where its value came from
    empty_rows: list[int] = field(default_factory=list)  # rows with an id but no figure, target or floor


@dataclass
class KpiTable:
    """What was read: the KPIs, where they are, the two periods they cover, and every finding on the way."""

    sheet: str
    header_row: int
    columns: dict[str, int]
    kpis: list[Kpi]
    period: Period
    added_columns: dict[str, int] = field(default_factory=dict)  # rag/direction columns to create
    findings: list[Finding] = field(default_factory=list)
    header_top: int | None = None  # the header's first row when it is written in two rows
    repeated_headers: list[int] = field(default_factory=list)  # header rows further down (stacked tables)
    history_columns: tuple[int, ...] = ()  # layout.history: the period columns, oldest period first
    rag_words: Mapping[Rag, str] = field(default_factory=lambda: dict(DEFAULT_WORDS))  # the RAG column's spelling
    reading: Reading | None = None
    across: bool = False  # one KPI per column: read across, and nothing written into the table
    sheet_how: str | None = None  # how the sheet was chosen, when the rules name none and it is not the first
    breakdowns: Breakdowns | None = None  # a long table: its breakdown column and each breakdown's rows

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.is_warning]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_warning]

    @property
    def rag_column(self) -> int:
        return self.columns["rag"]

    @property
    def direction_column(self) -> int:
        return self.columns["direction"]
