"""Stage 2, the table's rows: which rows under the header are KPI rows, and which are something else.

Not KPIs, whatever they hold: the totals row and header row of an Excel Table, a header written again
further down (stacked tables). Each row that has an id is a candidate KPI row; its id is matched to the
rules' ids, loosely (case and spaces aside) when exactly one fits. Whether a candidate is a KPI is
decided when it is read (stage 4): a row with an id but nothing else is a section heading or a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ...errors import WorkbookError
from ..a1 import column_letter
from ..findings import Finding, Where
from ..periods import parse_period
from ..rules import Rules
from .cells import error_value, filled, id_key, id_text, norm
from .grid import Grid, RowHidden
from .header import Header, label_text
from .profile import Threshold, profile_rows

# marks of official statistics that stand where an id would (England's LA code 'z'), never ids themselves;
# single letters that are also ids ('X', 'C') are not among them
NOT_IDS = {"..", ".", ":", "-", "–", "—", "z", "[x]", "[z]", "[c]", "[low]", "[u]", "[w]", "n/a", "tbc"}
HIDDEN_WORDS = {"hidden": "in a hidden row", "grouped": "in a collapsed group"}


@dataclass(frozen=True)
class KpiRow:
    """A row under the header with an id: a KPI, unless stage 4 finds nothing in it."""

    row: int
    id: str  # the rules' spelling when it matches loosely
    written: str  # the id as the cell has it
    hidden: RowHidden | None = None
    breakdown: str | None = None  # the part of the measure the row is (layout.columns.breakdown); None: the whole

    @property
    def key(self) -> str:
        return self.id if self.breakdown is None else f"{self.id} ({self.breakdown})"


@dataclass(frozen=True)
class Rows:
    candidates: tuple[KpiRow, ...]
    not_kpis: dict[int, str] = field(default_factory=dict)  # row -> what it is instead
    repeated_headers: tuple[int, ...] = ()  # header rows further down (stacked tables)
    findings: tuple[Finding, ...] = ()
    profiles: dict[int, dict[Threshold, int]] = field(default_factory=dict)  # KPI row -> its Target and Floor rows

    def read(self, skip_hidden: bool) -> list[int]:
        """The rows whose figures decide the series: the candidates, less hidden ones that are skipped."""
        return [k.row for k in self.candidates if not (skip_hidden and k.hidden)]


def read_rows(grid: Grid, rules: Rules, header: Header) -> Rows:
    """Stage 2: the candidate KPI rows under the header, and the rows that are not KPIs."""
    id_column = header.columns["id"]
    first = max(rules.layout.first_row or header.row + 1, header.row + 1)
    last = min(rules.layout.last_row or grid.row_count, grid.row_count)
    not_kpis = _not_kpis(grid, header, first, last)
    found: list[Finding] = []
    candidates = _candidates(grid, rules, id_column, first, last, not_kpis, found)
    candidates = _summary_rows(grid, rules, header, candidates, not_kpis)
    if rules.layout.last_row is None:
        candidates = _second_block(grid, candidates, not_kpis)
    profiles: dict[int, dict[Threshold, int]] = {}
    if rules.layout.targets_by_period != "columns":
        profiles = profile_rows(grid, id_column, [k.row for k in candidates], last)
        under = {row for pair in profiles.values() for row in pair.values()}
        candidates = [k for k in candidates if k.row not in under]  # a Target row repeating the id is no KPI
    breakdown = header.columns.get("breakdown") or _breakdown_column(grid, header, candidates, found)
    if breakdown is not None:
        candidates = [replace(k, breakdown=breakdown_label(grid.value(k.row, breakdown))) for k in candidates]
    repeated = [
        row
        for row, what in sorted(not_kpis.items())
        if "header" in what and "header" not in not_kpis.get(row + 1, "")  # of a two-row header, the lower row
    ]
    for row, what in sorted(not_kpis.items()):
        if filled(grid.value(row, id_column)) and error_value(grid.value(row, id_column)) is None:
            found.append(Finding("SC501", f"row {row} is {what}: read as such, not as a KPI", Where(sheet=grid.sheet)))
    return Rows(tuple(candidates), not_kpis, tuple(repeated), tuple(found), profiles)


def _candidates(
    grid: Grid, rules: Rules, id_column: int, first: int, last: int, not_kpis: dict[int, str], found: list[Finding]
) -> list[KpiRow]:
    """The rows with an id, in the table's bounds and not known to be something else; ids matched to the rules'."""
    loose = _loose_ids(rules)
    candidates = []
    for row in grid.row_numbers(first, last):
        raw = grid.value(row, id_column)
        if raw is None and (area := grid.merged_range(row, id_column)) is not None and area[0] == row:
            raw = grid.value(area[0], area[1])  # an id merged across its row's cells shows in the first of them
        if row in not_kpis or raw is None or error_value(raw) is not None:
            continue
        written = label_text(raw) if grid.transposed else id_text(raw)  # read across, the ids are headers
        if not written or written.casefold() in NOT_IDS:  # '..', 'z', '[x]': a statistics mark, not an id
            continue
        kpi_id = written
        if kpi_id not in rules.kpis and len(loose.get(id_key(kpi_id), ())) == 1:
            kpi_id = loose[id_key(kpi_id)][0]
            found.append(
                Finding(
                    "SC502",
                    f"row {row}'s id '{written}' is read as KPI '{kpi_id}' of the rules (line "
                    f"{rules.kpis[kpi_id].line}): ids match whatever their case and spaces",
                    Where(sheet=grid.sheet, cell=grid.ref(row, id_column)),
                )
            )
        candidates.append(KpiRow(row, kpi_id, written, grid.hidden_rows.get(row)))
    return candidates


# Labels of rows that sum up or compare a table rather than report one of its KPIs: not KPIs unless the
# rules list them as KPI ids.
SUMMARY_LABELS = set(
    "max|maximum|min|minimum|median|mean|average|avg|total|totals|grand total|sum|count|range|upper quartile|"
    "lower quartile|standard deviation|std dev|overall|all|england|scotland|wales|northern ireland|uk|"
    "united kingdom|great britain|gb|national|national average|england average|regional average|"
    "statistical neighbours|statistical neighbour average|sn average|comparator average|all councils|"
    "all authorities|all england|shire counties|unitary authorities|green|amber|red|no data|not rated|rag|"
    "rag status|rag rating".split("|")
)


def _summary_rows(
    grid: Grid, rules: Rules, header: Header, candidates: list[KpiRow], not_kpis: dict[int, str]
) -> list[KpiRow]:
    """Drop rows that sum up or compare the table ("Max", "Median", "England average", "Total") and helper
    rows of index numbers (1, 2, 3 ... across, as charts and INDEX formulas use): not KPIs."""
    kept = []
    for candidate in candidates:
        label = " ".join(candidate.written.lower().replace(":", " ").split())
        # read across (a column per series), "Total" or "England" is a series like any other
        if candidate.id not in rules.kpis and label in SUMMARY_LABELS and not grid.transposed:
            not_kpis[candidate.row] = f"a summary row ('{candidate.written}')"
        elif _index_numbers(grid.row(candidate.row)):
            not_kpis[candidate.row] = "a helper row of index numbers"
        elif _period_labels(grid.row(candidate.row)):
            not_kpis[candidate.row] = "a row of period labels (dates, week or month names)"
        else:
            kept.append(candidate)
    return kept


def _period_labels(cells: Sequence[Any]) -> bool:
    """A row labelling the periods a second way (the dates under week numbers): two or more dates or period
    names, and no number."""
    filled_cells = [v for v in cells[1:] if v is not None and v != ""]
    if any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in filled_cells):
        return False  # a number: no row of labels (and no need to parse the rest as periods)
    periods = 0
    for v in filled_cells:
        if not isinstance(v, (int, float)) and parse_period(v) is not None:
            periods += 1
            if periods == 2:
                return True
    return False


def _index_numbers(cells: Sequence[Any]) -> bool:
    """A row of consecutive whole numbers, three or more, every filled cell one of them: a helper row."""
    numbers = [v for v in cells if v is not None and v != ""]
    if len(numbers) < 3 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in numbers):
        return False
    return all(float(b) - float(a) == 1 for a, b in zip(numbers, numbers[1:], strict=False))


def _second_block(grid: Grid, candidates: list[KpiRow], not_kpis: dict[int, str]) -> list[KpiRow]:
    """The table ends where a second block of its ids begins after a blank row: targets, last year's figures
    or a chart's helper block laid out under the table are not KPIs. Without a blank row between them, the
    same id twice stays an error (or, with layout.columns.breakdown, a breakdown)."""
    seen: dict[str, int] = {}
    for candidate in candidates:
        first = seen.get(candidate.id)
        blank = (
            None if first is None else next((r for r in range(candidate.row - 1, first, -1) if _blank(grid, r)), None)
        )
        if blank is not None:
            block = [k for k in candidates if k.row > blank]
            for later in block:
                not_kpis[later.row] = (
                    f"in a second block of the table's ids, from row {block[0].row} (the table is read as ending "
                    "above it; set layout.last_row to say where it ends)"
                )
            return [k for k in candidates if k.row < blank]
        seen.setdefault(candidate.id, candidate.row)
    return candidates


def breakdown_label(value: Any) -> str | None:
    """A breakdown cell as its label: blank, or a word for the whole (All, Total), is the whole measure."""
    text = label_text(value) if value is not None else ""
    return None if not text or text.casefold() in WHOLE_LABELS else text


WHOLE_LABELS = {"all", "total", "overall", "all areas", "all ages", "county", "whole", "all localities"}


def _breakdown_column(grid: Grid, header: Header, candidates: list[KpiRow], found: list[Finding]) -> int | None:
    """The column that tells apart rows sharing an id (an area, an age band), when the rules name none: found
    only when some id repeats and exactly one column of text (not another field's) differs on every repeat."""
    rows_by_id: dict[str, list[int]] = {}
    for candidate in candidates:
        rows_by_id.setdefault(candidate.id, []).append(candidate.row)
    repeated = [rows for rows in rows_by_id.values() if len(rows) > 1]
    if not repeated or not all(_one_measure(grid, header, rows) for rows in repeated):
        return None  # rows of one id naming different measures are a duplicated id, not breakdowns
    taken = set(header.columns.values())
    fits = [c for c in header.cells if c not in taken and all(_tells_apart(grid, rows, c) for rows in repeated)]
    if len(fits) != 1:
        return None
    found.append(
        Finding(
            "SC509",
            f"ids repeat on several rows, told apart by column {column_letter(fits[0])} "
            f"('{' '.join(str(header.cells.get(fits[0]) or '').split())}'): each row is read as a breakdown of its "
            "measure and rated on its own; name it in the rules (layout.columns.breakdown) to be sure",
            Where(sheet=grid.sheet, column=column_letter(fits[0])),
        )
    )
    return fits[0]


def _one_measure(grid: Grid, header: Header, rows: list[int]) -> bool:
    """Rows sharing an id say the same of the measure: its name and polarity, where the sheet has them."""
    for field_name in ("name", "polarity"):
        column = header.columns.get(field_name)
        if column is not None and len({norm(grid.value(r, column)) for r in rows if filled(grid.value(r, column))}) > 1:
            return False
    return True


def _tells_apart(grid: Grid, rows: list[int], column: int) -> bool:
    """Every row of one id holds a different label in the column (at most one blank: the whole)."""
    labels = [grid.value(r, column) for r in rows]
    if any(v is not None and not isinstance(v, str) for v in labels):
        return False
    parts = [breakdown_label(v) for v in labels]
    return parts.count(None) <= 1 and len(set(parts)) == len(parts)


def _blank(grid: Grid, row: int) -> bool:
    return not any(filled(value) for value in grid.row(row))


def _loose_ids(rules: Rules) -> dict[str, list[str]]:
    """The rules' ids by their key ignoring case and spaces: "CIC 01" finds CIC01."""
    by_key: dict[str, list[str]] = {}
    for rules_id in rules.kpis:
        by_key.setdefault(id_key(rules_id), []).append(rules_id)
    return by_key


def _not_kpis(grid: Grid, header: Header, first: int, last: int) -> dict[int, str]:
    """Rows that are never KPIs: table totals and header rows, and repeated headers."""
    not_kpis: dict[int, str] = {}
    for area in grid.tables:
        if area.totals_row and area.totals_row > header.row:
            not_kpis[area.totals_row] = f"the totals row of the Excel table '{area.name}'"
        if area.header_rows and area.first_row > header.row:
            not_kpis[area.first_row] = f"the header row of the Excel table '{area.name}'"
    wanted = header_norms(header.columns, header.cells)
    for row in grid.row_numbers(first, last):
        if row not in not_kpis and repeats_header(grid, row, wanted):
            _check_repeated_header(grid, row, header)
            not_kpis[row] = "a repeat of the header row"
    return not_kpis


def header_norms(columns: dict[str, int], headers: dict[int, Any]) -> list[tuple[str, int, str]]:
    """(name, column, header as compared) of each located column with a header: worked out once a table."""
    return [(name, c, norm(headers[c])) for name, c in columns.items() if filled(headers.get(c))]


def repeats_header(grid: Grid, row: int, wanted: Sequence[tuple[str, int, str]]) -> bool:
    """A header written again further down (stacked tables): the id cell reads as the id header, or
    two or more cells read as their column's header (the id header may be spelt differently)."""
    same = 0
    cells = grid.row(row)
    for name, c, header in wanted:
        value = cells[c - 1] if c <= len(cells) else None
        if value is not None and norm(value) == header:  # a blank reads as "", never as a header
            if name == "id":
                return True
            same += 1
    return same >= 2


def _check_repeated_header(grid: Grid, row: int, header: Header) -> None:
    """A repeated header must put each column where the first header does, and head its period columns with the
    same periods, or its rows would be misread (a quarterly table under a monthly one read as its months)."""
    for c, wanted in header.cells.items():
        ours, theirs = parse_period(wanted), parse_period(grid.value(row, c))
        above = parse_period(grid.value(header.top, c)) if header.top != header.row else None  # a two-row header
        if ours is not None and theirs is not None and theirs not in (ours, above):
            raise WorkbookError(
                f"the header repeated in row {row} heads column {column_letter(c)} {theirs.name}, where header row "
                f"{header.row} has {ours.name}: a second table with other periods; give each table its own sheet, "
                f"or end this one above it (layout.last_row: {row - 1})",
                sheet=grid.sheet,
                cell=grid.ref(row, c),
            )
    for c in header.columns.values():
        wanted = header.cells.get(c)
        if not filled(wanted):
            continue
        moved = [
            k
            for k in range(1, grid.width(row) + 1)
            if k != c and filled(grid.value(row, k)) and norm(grid.value(row, k)) == norm(wanted)
        ]
        if moved and norm(grid.value(row, c) or "") != norm(wanted):
            raise WorkbookError(
                f"the header repeated in row {row} has '{str(wanted).strip()}' in column {column_letter(moved[0])}, "
                f"not in column {column_letter(c)} as in header row {header.row}; tables stacked on one sheet must "
                "share their columns (or give each its own sheet)",
                sheet=grid.sheet,
                cell=grid.ref(row, moved[0]),
            )
