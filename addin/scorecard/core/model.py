"""The words of the domain: a KPI, its RAG rating and its direction of travel (its polarity: ``polarity``).

Everything here is plain data. No module in the domain core imports an Excel library, so the
rules can be tested on numbers alone and every front end (ribbon, cell formula, command line)
reaches the same result by construction.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Literal

from .findings import Finding
from .polarity import Polarity
from .spc import Spc

Unit = Literal[
    "percent", "number", "count", "days", "weeks", "months", "hours", "fte", "pounds", "rate"
]  # rules.schema.json
Compare = Literal["displayed", "exact"]  # displayed: at the KPI's decimals, rounded half-up; exact: raw values


class Rag(enum.Enum):
    """A KPI's rating for one period."""

    GREEN = "Green"
    AMBER = "Amber"
    RED = "Red"
    NO_DATA = "No data"  # rated KPI without a usable value this period
    NOT_RATED = "Not rated"  # activity indicator: no target and no floor

    @property
    def is_rating(self) -> bool:
        """Green, Amber or Red: the statuses between which a change can be reported."""
        return self in (Rag.GREEN, Rag.AMBER, Rag.RED)


class Direction(enum.Enum):
    """Direction of travel between the previous and the current period."""

    IMPROVED = "improved"
    DECLINED = "declined"
    SAME = "same"
    INCREASED = "increased"  # activity indicators have no "better", only more or less
    DECREASED = "decreased"

    @property
    def arrow(self) -> str:
        return _ARROWS[self]


_ARROWS = {
    Direction.IMPROVED: "↑",
    Direction.DECLINED: "↓",
    Direction.SAME: "→",
    Direction.INCREASED: "↑",
    Direction.DECREASED: "↓",
}


@dataclass(frozen=True)
class Kpi:
    """One KPI as read from the workbook and completed from the rules.

    Values are in the units people read: a percentage is in percent points (48.4, not 0.484).
    ``row`` is the 1-based worksheet row it came from, so writes land beside it.
    """

    id: str
    name: str
    polarity: Polarity | None
    current: float | None
    previous: float | None
    target: float | None = None
    floor: float | None = None
    unit: Unit = "number"
    decimals: int = 1
    compare: Compare = "displayed"
    green_within: float | None = None
    amber_within: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    commentary: str = ""
    row: int = 0
    # the run of period columns (layout.history), oldest first, and the periods they are headed by
    history: tuple[float | None, ...] = ()
    history_periods: tuple[str, ...] = ()
    # comparator figures by the rules' labels ({"England": 58.9, "Statistical neighbours": 60.2});
    # None when no benchmark columns are mapped; read, never written
    benchmarks: dict[str, float | None] | None = field(default=None, hash=False)
    # the rank and quartile cells as written (layout.columns.rank, .quartile): "120/152", 3, "Bottom";
    # read, never written
    rank: str | None = None
    quartile: str | None = None
    # targets that change by period (a monthly profile): the previous period's own target and floor, used
    # to rate the previous figure when ``profiled``; otherwise the previous period is rated on target and floor
    previous_target: float | None = None
    previous_floor: float | None = None
    profiled: bool = False
    cumulative: bool = False  # a running total to date: a rise is no improvement by itself (rules: cumulative)
    breakdown: str | None = None  # the part of its id's measure this row is ("North", "Under 5"); None: the whole
    section: str | None = None  # the workbook's own section heading over the KPI's row ("Health"); None: none
    # how the sheet shows it when its format divides by 1,000 ('£#,##0.0,,"m"'): thousands, decimals, suffix
    scaled: tuple[int, int, str] | None = None

    @property
    def key(self) -> str:
        """The KPI's own key: its id, and the part of the measure a breakdown row is ("AR01 (North)")."""
        return self.id if self.breakdown is None else f"{self.id} ({self.breakdown})"

    def for_previous(self) -> Kpi:
        """The KPI as its previous figure is rated: against the previous period's target and floor when profiled."""
        if not self.profiled:
            return self
        return replace(self, target=self.previous_target, floor=self.previous_floor)

    @property
    def is_activity(self) -> bool:
        """An activity indicator has neither target nor floor and is not rated."""
        return self.target is None and self.floor is None


@dataclass(frozen=True)
class RatedKpi:
    kpi: Kpi
    rag: Rag
    previous_rag: Rag
    direction: Direction | None
    spc: Spc | None = None  # the XmR chart of the KPI's history and MDC's verdicts (core.spc), when there is one

    @property
    def changed(self) -> bool:
        """A RAG change: rated Green, Amber or Red in both periods, with different ratings."""
        return self.rag.is_rating and self.previous_rag.is_rating and self.rag is not self.previous_rag


@dataclass(frozen=True)
class Period:
    current: str | None
    previous: str | None


@dataclass(frozen=True)
class Scorecard:
    """The evaluated scorecard: what every writer and the narrative are made from."""

    title: str
    period: Period
    kpis: tuple[RatedKpi, ...]
    section: int = 1
    findings: tuple[Finding, ...] = field(default=())  # what the reading and the checks found (core.findings)

    def count(self, rag: Rag) -> int:
        return sum(1 for k in self.kpis if k.rag is rag)

    @property
    def counts(self) -> dict[str, int]:
        return {rag.value: self.count(rag) for rag in Rag}

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.is_warning)

    @property
    def changes(self) -> tuple[RatedKpi, ...]:
        return tuple(k for k in self.kpis if k.changed)
