"""Stage 1, the header: which sheet, which row (or two rows) is the header, and which column is which field.

The result, ``Header``, says for every field the column it was found in and how: by the header text the
rules give, by the column letter the rules give, or by a default header (RAG, DOT); the explain view
shows it, and every later stage reads columns from it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ...errors import WorkbookError
from ..a1 import column_letter
from ..embedded import is_rules_sheet
from ..periods import MONTHS, TimePeriod, exact_date, parse_period
from ..polarity import Polarity
from ..rules import DEFAULT_HEADERS, Rules
from ..thresholds import parse_threshold, parse_tolerance
from .cells import NO_DATA_TEXT, filled, norm
from .grid import Grid

HEADER_SEARCH_ROWS = 30
SPC_COLUMNS = ("variation", "assurance")  # optional written columns: Making Data Count's two verdicts
MONTH_NAMES = {name for m in MONTHS for name in (m.lower(), m[:3].lower())} | {"sept"}

Found = Literal["rules", "letter", "default", "series", "added", "key"]
HOW = {
    "rules": "by its header, as the rules name it",
    "letter": "by its column letter, as the rules give it",
    "default": "by its usual header",
    "series": "as a period of the series",
    "added": "not on the sheet: refresh adds it",
    "key": "by its RAG key header (the Green and Red boundaries)",
}


@dataclass(frozen=True)
class Header:
    """Where the table's header is and what each column holds."""

    sheet: str
    top: int  # the header's first row (a header written in two rows: the upper one)
    row: int  # its last row; KPI rows start below it
    cells: dict[int, Any]  # each column's header text: the lower row's, else the upper row's
    columns: dict[str, int]  # field -> column
    found: dict[str, Found]  # field -> how its column was found
    row_found: str  # how the header row was found, for the explain view
    beside: int | None = None  # the column of another table's id header, right of this table (not read)

    def ref(self, column: int) -> str:
        return f"{column_letter(column)}{self.row}"


def pick_sheet(names: Sequence[str], wanted: str | None) -> str:
    """The sheet the rules name (matched ignoring case), or the first; a clear error with a
    'did you mean' otherwise. Shared by every front end, which only differ in where names come from."""
    if wanted is not None and is_rules_sheet(wanted):
        raise WorkbookError(f"sheet '{wanted}' (layout.sheet) holds the embedded rules, not a KPI table")
    names = [name for name in names if not is_rules_sheet(name)]  # never rated, whatever its place
    if not names:
        raise WorkbookError("has no worksheets")
    if wanted is None:
        return names[0]
    by_case = {name.casefold(): name for name in names}
    if wanted.casefold() in by_case:
        return by_case[wanted.casefold()]
    close = difflib.get_close_matches(wanted, list(names), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise WorkbookError(f"no sheet named '{wanted}' (layout.sheet){hint}; sheets: {', '.join(names)}")


def read_header(grid: Grid, rules: Rules) -> Header:
    """Stage 1: the header row or rows and the column of every field the rules name (and RAG and DOT)."""
    row, row_found = _header_row(grid, rules)
    top = header_top(grid, rules, row)
    cells = header_cells(grid, top, row)
    beside = None if rules.layout.last_column else _table_beside(rules, cells)
    last = rules.layout.last_column or (beside[0] if beside else None)
    if last is not None:
        cells = {c: v for c, v in cells.items() if c <= last}  # columns right of the table are not read
    columns, found = _locate(grid, rules, top, row, cells)
    return Header(grid.sheet, top, row, cells, columns, found, row_found, beside[1] if beside else None)


def _table_beside(rules: Rules, cells: dict[int, Any]) -> tuple[int, int] | None:
    """The table's last column, and the other table's id column, when another table stands beside it: the id
    header written again to the right, after a blank column. None: every column of the header is the table's."""
    wanted = rules.layout.columns.get("id")
    if wanted is None:
        return None
    ids = [c for c, v in cells.items() if v is not None and norm(v) == norm(wanted)]
    if len(ids) < 2:
        return None
    gap = next((c for c in range(ids[1] - 1, ids[0], -1) if not filled(cells.get(c))), None)
    return (gap - 1, ids[1]) if gap is not None else None


def _header_row(grid: Grid, rules: Rules) -> tuple[int, str]:
    if rules.layout.header_row:
        return header_span(grid, rules, rules.layout.header_row)[1], "layout.header_row in the rules"
    row = find_header_row(grid, rules)
    id_column = rules.layout.letters.get("id")
    if "id" in rules.layout.columns:
        how = f"the first row with a cell reading '{rules.layout.columns['id']}' (layout.columns.id)"
    else:
        letter = column_letter(id_column or 1)
        how = f"the first row whose cells read as the headers the rules name (id in column {letter})"
    return row, how


def find_header_row(grid: Grid, rules: Rules) -> int:
    """The header's last row (two-row headers: the lower one); KPI rows start below it."""
    if rules.layout.header_row:
        return header_span(grid, rules, rules.layout.header_row)[1]
    tables = sorted(t.first_row for t in grid.tables if t.header_rows)  # an Excel Table's header, however far down
    rows = [*range(1, min(grid.row_count, HEADER_SEARCH_ROWS) + 1), *(t for t in tables if t > HEADER_SEARCH_ROWS)]
    for row in rows:
        if _holds_id_header(grid, rules, row):
            return header_span(grid, rules, row)[1]
    if "id" not in rules.layout.columns:
        raise WorkbookError(
            f"no row in the first {HEADER_SEARCH_ROWS} holds the headers the rules name; set layout.header_row",
            sheet=grid.sheet,
        )
    raise WorkbookError(
        f"no header cell reading '{rules.layout.columns['id']}' (layout.columns.id) in the first "
        f"{HEADER_SEARCH_ROWS} rows{' or the header rows of its Excel tables' if tables else ''}; set "
        "layout.header_row or correct the header text",
        sheet=grid.sheet,
    )


def _holds_id_header(grid: Grid, rules: Rules, row: int) -> bool:
    """The row holds the id header (by its text), or, with the id given by letter only, two headers the rules name."""
    if "id" in rules.layout.columns:
        wanted = norm(rules.layout.columns["id"])
        return any(norm(v) == wanted for v in grid.row(row) if v is not None)
    named = [text for text in rules.layout.columns.values()]
    hits = sum(1 for v in grid.row(row) if v is not None and any(header_matches(v, text) for text in named))
    return hits >= min(2, len(named)) > 0


def _leftmost(grid: Grid, row: int) -> int | None:
    return next((c for c in range(1, grid.width(row) + 1) if filled(grid.value(row, c))), None)


def _is_header_pair(grid: Grid, rules: Rules, top: int, bottom: int) -> bool:
    """Whether rows ``top`` and ``bottom`` are one header written in two rows.

    The id header sits in one of the two rows, with nothing under it in the other (a KPI row would
    have an id there), and: a header cell is merged down across both rows ("Ref" merged A4:A5); or
    the lower row holds a header the rules name ("Target", a month) that the upper row does not, so
    the header goes on below the id header (this needs no merge information, which not every engine
    has); or, with layout.history, period labels in the upper row stand over its columns ("2018/19"
    over Apr, May ...; years over columns whose lower cells are blank); or the upper row holds a group
    label merged across columns ("Thresholds" over Target and Floor) above headers in the lower row.
    A title merged across the whole table covers its first column, so it is never taken for a group label.
    """
    if top < 1 or bottom > grid.row_count:
        return False
    if any(a[0] == top and a[2] == bottom and filled(grid.value(a[0], a[1])) for a in grid.merged):
        return True
    id_cell = _id_header_cell(grid, rules, top, bottom)
    if id_cell is None:
        return False
    row, column = id_cell
    if row == top:
        if filled(grid.value(bottom, column)):
            return False  # a KPI row has an id under the id header
        if _lower_row_goes_on(grid, rules, top, bottom):
            return True
    if rules.layout.history and _periods_over_columns(grid, top, bottom):
        return True
    return _group_label_over(grid, top, bottom)


def _id_header_cell(grid: Grid, rules: Rules, top: int, bottom: int) -> tuple[int, int] | None:
    if "id" not in rules.layout.columns:
        column = rules.layout.letters.get("id", 1)
        return (bottom, column) if filled(grid.value(bottom, column)) else None
    wanted = norm(rules.layout.columns["id"])
    return next(
        ((r, c) for r in (top, bottom) for c in range(1, grid.width(r) + 1) if norm(grid.value(r, c) or "") == wanted),
        None,
    )


def _lower_row_goes_on(grid: Grid, rules: Rules, top: int, bottom: int) -> bool:
    """The lower row holds a header the rules name (or, with a history, a period) that the upper row does not."""
    named = [text for key, text in rules.layout.columns.items() if key != "id"] + list(rules.layout.benchmarks.values())

    def headers(r: int) -> set[str]:
        found = set()
        for cell in grid.row(r):
            found |= {text for text in named if header_matches(cell, text)}
            period = parse_period(cell) if rules.layout.history else None
            if period is not None:
                found.add(f"period {period}")
        return found

    return bool(headers(bottom) - headers(top))


def _periods_over_columns(grid: Grid, top: int, bottom: int) -> bool:
    """Period labels in the upper row over the lower row's columns: bare month names under a year label
    ("2018/19" over Apr, May ...), or two or more periods over columns whose lower cells name no period
    (years over blank cells, or over "Actual" and "Target")."""
    if any(month_under_year(grid, top, c, grid.value(bottom, c)) for c in range(1, grid.width(bottom) + 1)):
        return True
    over = [
        c
        for c, value in enumerate(grid.row(top), start=1)
        if value is not None and parse_period(value) is not None and parse_period(grid.value(bottom, c)) is None
    ]
    # under the labels, blanks or words ("Actual"): a number there is a row of figures, not a header
    return len(over) >= 2 and all(isinstance(grid.value(bottom, c), (str, type(None))) for c in over)


def _group_label_over(grid: Grid, top: int, bottom: int) -> bool:
    starts = [c for c in (_leftmost(grid, top), _leftmost(grid, bottom)) if c is not None]
    first = min(starts) if starts else 1
    for a in grid.merged:
        if a[0] == a[2] == top and a[3] > a[1] and not a[1] <= first <= a[3] and filled(grid.value(top, a[1])):
            if any(filled(grid.value(bottom, c)) for c in range(a[1], a[3] + 1)):
                return True
    return False


def header_span(grid: Grid, rules: Rules, row: int) -> tuple[int, int]:
    """The header's first and last row around ``row`` (the row found holding the id header, or
    layout.header_row): (row, row), or two rows when the header is written in two (see above)."""
    if _is_header_pair(grid, rules, row, row + 1):
        return row, row + 1
    if _is_header_pair(grid, rules, row - 1, row):
        return row - 1, row
    return row, row


def header_cells(grid: Grid, top: int, bottom: int) -> dict[int, Any]:
    """The header text of each column: the lower row's, else the upper row's (a header merged down
    across both rows, or one written in the upper row only). A merged label names its first column."""
    width = max(grid.width(top), grid.width(bottom))
    cells = {}
    for c in range(1, width + 1):
        value = grid.value(bottom, c)
        cells[c] = value if filled(value) or top == bottom else grid.value(top, c)
    return cells


def header_top(grid: Grid, rules: Rules, header_row: int) -> int:
    return header_row - 1 if _is_header_pair(grid, rules, header_row - 1, header_row) else header_row


_NOTE_MARK = re.compile(r"\s*[\[(]\s*(?:notes?|footnote)?\s*\d+[a-z]?\s*[\])]\s*$|\s*[*†‡§¹²³]+\s*$", re.IGNORECASE)


def header_text(cell: Any) -> str:
    """A header as compared: spaces collapsed, case folded, a trailing note mark dropped ("Target [Note 2]",
    "Industry\n[note 6]", "Target*", "Floor (2)")."""
    text = norm(cell)
    while (cut := _NOTE_MARK.sub("", text)) != text:
        text = cut
    return text


def label_text(cell: Any) -> str:
    """A header or label as shown in a message or a KPI's id: spaces and line breaks collapsed, a trailing note
    mark dropped ("Number of fatal injuries\n[Note 9]", "Agriculture [Note 8]"), the case kept."""
    text = " ".join(str(cell).split())
    while (cut := _NOTE_MARK.sub("", text)) != text and cut:
        text = cut
    return text


def header_matches(cell: Any, wanted: str) -> bool:
    """A header cell reads as the wanted header: the same text (a note mark aside), or the same period
    ("Jun-18", "June 2018")."""
    if cell is None:
        return False
    if norm(cell) == norm(wanted) or header_text(cell) == header_text(wanted):
        return True
    day = exact_date(wanted)  # a day written in the rules matches its own column, not every date of its month
    if day is not None and exact_date(cell) is not None:
        return exact_date(cell) == day
    period = parse_period(cell)  # a date cell or "Jun-18" matches "June 2018"; "Q2 18/19" matches "Q2 2018/19"
    return period is not None and period == parse_period(wanted)


def label_above(grid: Grid, top: int, column: int) -> Any:
    """The group label over a column in a two-row header: the nearest filled cell of the upper row at or
    left of it. A merged label is in its first cell on every engine, merges known or not, so the file and
    Excel read alike."""
    return next((grid.value(top, c) for c in range(column, 0, -1) if filled(grid.value(top, c))), None)


def month_under_year(grid: Grid, top: int, column: int, cell: Any) -> TimePeriod | None:
    """A bare month name ('Apr') in a two-row header under a year label ('2018/19' or '2018', merged across
    the months or written over the first of them): that month of that year, April to March for a
    financial year (the label: ``label_above``)."""
    if not isinstance(cell, str) or norm(cell).rstrip(".") not in MONTH_NAMES:
        return None
    year = parse_period(label_above(grid, top, column))
    if year is None or year.kind != "year":
        return None
    month = next(i for i, m in enumerate(MONTHS) if norm(cell).rstrip(".")[:3] == m[:3].lower())
    index = next(k for k in range(year.start, year.start + 12) if k % 12 == month)
    return parse_period(f"{MONTHS[month]} {index // 12}")


# --- the columns -------------------------------------------------------------------------------------


def _locate(
    grid: Grid, rules: Rules, top: int, row: int, cells: dict[int, Any]
) -> tuple[dict[str, int], dict[str, Found]]:
    columns: dict[str, int] = {}
    found: dict[str, Found] = {}
    for name, column in rules.layout.letters.items():
        _check_letter(grid, rules, row, cells, name, column)
        columns[name], found[name] = column, "letter"
    missing: dict[str, str] = {}
    # the RAG and direction columns are looked for by their default headers too, so a column
    # scorecard added on an earlier refresh is found again rather than added twice; the SPC columns
    # (variation, assurance) are written columns too, when the rules name them
    written = {*DEFAULT_HEADERS, *(name for name in SPC_COLUMNS if rules.layout.names(name))}
    if grid.transposed:  # read across: nothing is written into the table, so no written column is looked for
        written = set()
    benchmarks = {f"benchmarks.{label}": header for label, header in rules.layout.benchmarks.items()}
    defaults = {} if grid.transposed else DEFAULT_HEADERS
    for name, wanted in {**defaults, **rules.layout.columns, **benchmarks}.items():
        if name in columns:
            continue
        hits = [
            c for c, cell in cells.items() if header_matches(cell, wanted) and c not in rules.layout.letters.values()
        ]
        if len(hits) > 1 and name in ("target", "floor") and _beside_periods(grid, top, row, cells, hits):
            continue  # a target column for each period (a profile): the series stage pairs them
        if len(hits) > 1:
            raise WorkbookError(
                f"two columns are headed '{wanted}' ({' and '.join(grid.ref(row, c) for c in hits)}); "
                f"layout.columns.{name} must match one: name it by its letter ({name}: {{column: "
                f"{column_letter(hits[0])}}})",
                sheet=grid.sheet,
                cell=grid.ref(row, hits[0]),
            )
        if hits:
            columns[name] = hits[0]
            found[name] = "rules" if name in rules.layout.columns or name in benchmarks else "default"
        elif name in written:
            missing[name] = wanted
        else:
            raise _no_column(grid, top, row, cells, name, wanted)
    taken = set(columns.values())  # a header another field claims is never the missing column
    for name, wanted in missing.items():
        missing_written_column(grid, rules, row, name, wanted, cells, taken)
    if "name" not in columns and not rules.layout.names("name"):
        _name_by_header(cells, columns, found)
    for name in USUAL_HEADERS:
        if name not in columns and not rules.layout.names(name) and rules.layout.targets_by_period is None:
            _by_usual_header(grid, row, cells, name, columns, found)
    if not ({"target", "floor"} & (set(columns) | set(rules.layout.columns) | set(rules.layout.letters))):
        if rules.layout.targets_by_period is None:
            _by_rag_key(grid, row, cells, columns, found)
    return columns, found


# headers that plainly head a KPI's name, for a table whose rules do not name its name column
NAME_HEADERS = set(
    "indicator|indicator name|indicator title|indicator description|measure|measure name|measure description|"
    "performance measure|performance indicator|kpi|kpi name|kpi title|kpi description|key performance indicator|"
    "metric|metric name|description|name|title".split("|")
)


def _name_by_header(cells: dict[int, Any], columns: dict[str, int], found: dict[str, Found]) -> None:
    """The name column the rules leave out, when one header alone plainly heads names ('Indicator',
    'Performance measure', 'Metric'): a KPI is then named by it, not by its id (shown as inferred)."""
    taken = set(columns.values())
    hits = [c for c, v in cells.items() if c not in taken and isinstance(v, str) and header_text(v) in NAME_HEADERS]
    if len(hits) == 1:
        columns["name"], found["name"] = hits[0], "default"


# headers that plainly head a KPI's target, floor or polarity, for a table whose rules do not name those columns
USUAL_HEADERS = {
    "target": set(
        "target|targets|target value|annual target|agreed target|target level|target %|target (%)|standard|"
        "operational standard|national standard|constitutional standard|target/standard|standard/target".split("|")
    ),
    "floor": set("floor|floor standard|floor target|floor level|minimum standard|floor %|floor (%)".split("|")),
    "tolerance": set("tolerance|tolerance (+/-)|tolerance +/-|+/- tolerance|green band|tolerance %".split("|")),
    "polarity": set(
        "polarity|good is|good performance is|direction of good|better is|good direction|high or low is good|"
        "higher or lower is better|is higher better?|high/low is good|aim".split("|")
    ),
}
USUAL_LOOK_DOWN = 200  # rows under the header whose polarity cells must all read as polarities


def _by_usual_header(
    grid: Grid, row: int, cells: dict[int, Any], name: str, columns: dict[str, int], found: dict[str, Found]
) -> None:
    """A target, floor or polarity column the rules leave out, when one header alone plainly heads it ('Target',
    'Floor standard', 'Good is'): read as if the rules named it (shown as inferred). A polarity column is taken
    only when every cell under it reads as a polarity, so a guess never refuses the workbook."""
    taken = set(columns.values())
    hits = [
        c for c, v in cells.items() if c not in taken and isinstance(v, str) and header_text(v) in USUAL_HEADERS[name]
    ]
    if len(hits) != 1:
        return
    if name == "polarity" and not _every_cell_under(grid, row, hits[0], Polarity.from_cell):
        return
    if name == "tolerance" and not _every_cell_under(grid, row, hits[0], parse_tolerance):
        return
    columns[name], found[name] = hits[0], "default"


def _every_cell_under(grid: Grid, row: int, column: int, reads: Callable[[Any], object]) -> bool:
    """Whether the column under the header says something, and every cell of it that does reads as ``reads``
    reads (a guessed column is taken only so: a guess never refuses a workbook nor reads the wrong thing)."""
    below = [grid.value(r, column) for r in grid.row_numbers(row + 1, row + USUAL_LOOK_DOWN)]
    said = [v for v in below if filled(v) and norm(v) not in NO_DATA_TEXT]
    return bool(said) and all(reads(v) is not None for v in said)


# a RAG key written as columns: 'Green >=' and 'Red <', or 'Green', 'Amber', 'Red' holding the bands ('≥ 95%');
# never the single letters G and R, which head a hand-ticked status as often as a key
_RAG_KEY = re.compile(
    r"^(green|red)\s*(>=|≥|=>|>|<=|≤|=<|<)?\s*(?:threshold|boundary|from|if|level)?\s*(>=|≥|=>|>|<=|≤|=<|<)?$"
)
_AT_LEAST = {">=", "≥", "=>", ">"}


def key_bound(name: str, cell: Any) -> Literal["at least", "at most"] | None:
    """What a RAG key header's sign says the figure must be: 'Green >=' at least the target; 'Red <' (red
    below the floor) at least the floor. None when the header has no sign."""
    match = _RAG_KEY.match(header_text(cell)) if isinstance(cell, str) else None
    sign = (match.group(2) or match.group(3)) if match else None
    if sign is None:
        return None
    at_least = sign in _AT_LEAST
    return "at least" if at_least == (name == "target") else "at most"


def _by_rag_key(grid: Grid, row: int, cells: dict[int, Any], columns: dict[str, int], found: dict[str, Found]) -> None:
    """The target and floor as a RAG key's Green and Red boundary columns, when the rules name neither and one
    column of each is headed so ('Green >=', 'Red <'; or 'Green' and 'Red' holding '≥ 95%', '< 90%'), and
    every cell under them reads as a threshold: the Green boundary is the target, the Red one the floor."""
    taken = set(columns.values())
    keys: dict[str, list[int]] = {"g": [], "r": []}
    for c, v in cells.items():
        match = _RAG_KEY.match(header_text(v)) if isinstance(v, str) and c not in taken else None
        if match:
            keys[match.group(1)[0]].append(c)
    if len(keys["g"]) != 1 or len(keys["r"]) != 1:
        return
    if not all(_every_cell_under(grid, row, c, _threshold) for c in (keys["g"][0], keys["r"][0])):
        return
    columns["target"], columns["floor"] = keys["g"][0], keys["r"][0]
    found["target"] = found["floor"] = "key"


def _threshold(value: Any) -> object:
    """A RAG key cell as a threshold: a number, or text such as '≥ 95%' (None for anything else)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return parse_threshold(value) if isinstance(value, str) else None


def _beside_periods(grid: Grid, top: int, row: int, cells: dict[int, Any], hits: list[int]) -> bool:
    """Each of several columns of one header stands right after a period's column, or under a period label."""

    def paired(column: int) -> bool:
        left = cells.get(column - 1)
        return parse_period(left) is not None or (
            top != row and parse_period(label_above(grid, top, column)) is not None
        )

    return all(paired(c) for c in hits)


def _check_letter(grid: Grid, rules: Rules, row: int, cells: dict[int, Any], name: str, column: int) -> None:
    """A field the rules give by letter and header must find that header there."""
    wanted = rules.layout.columns.get(name)
    if wanted is not None and not header_matches(cells.get(column), wanted):
        shown = " ".join(str(cells.get(column) or "").split()) or "nothing"
        raise WorkbookError(
            f"layout.columns.{name} names column {column_letter(column)} headed '{wanted}', but "
            f"{grid.ref(row, column)} reads {shown!r}",
            sheet=grid.sheet,
            cell=grid.ref(row, column),
        )


def _no_column(grid: Grid, top: int, row: int, cells: dict[int, Any], name: str, wanted: str) -> WorkbookError:
    present = [str(h).strip() for h in cells.values() if h is not None and str(h).strip()]
    close = difflib.get_close_matches(wanted, present, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    merges = [a for a in grid.merged if a[0] <= row and top <= a[2] and a[1] != a[3]]
    if merges:
        areas = ", ".join(f"{grid.ref(a[0], a[1])}:{grid.ref(a[2], a[3])}" for a in merges)
        hint += f"; the header row has merged cells ({areas}), and a merged header names only its first column"
    return WorkbookError(
        f"no column headed '{wanted}' (layout.columns.{name}) in the header "
        f"{'row' if top == row else f'rows {top}-{row}'}{hint}; "
        f"headers found: {', '.join(present) or 'none'}",
        sheet=grid.sheet,
        row=row,
    )


# words that mark a header as probably the RAG or direction column under another name
_WRITTEN_WORDS = {
    "rag": ("rag", "rating", "status"),
    "direction": ("direction", "travel", "dot"),
    "variation": ("variation", "spc"),
    "assurance": ("assurance",),
}
_WRITTEN_WHAT = {
    "rag": "RAG ratings",
    "direction": "direction of travel",
    "variation": "SPC variation",
    "assurance": "SPC assurance",
}


def missing_written_column(
    grid: Grid, rules: Rules, header_row: int, name: str, wanted: str, headers: dict[int, Any], taken: set[int]
) -> None:
    """A RAG or direction column that is not in the header row.

    A silent add is how a mistyped header left last month's ratings standing in the real column, so:
    a header close to the wanted one (a typo) is always an error with "did you mean"; a column the
    rules name is added only when they say so (layout.add_missing_columns: true); a column the rules
    do not name is added under its default header unless a header looks like that column already
    ('RAG Status', 'Direction of travel'), which the rules must then name."""
    everything = {c: " ".join(str(h).split()) for c, h in headers.items() if h is not None and str(h).strip()}
    present = {c: h for c, h in everything.items() if c not in taken}  # candidates: not another field's column
    named = rules.layout.names(name)
    key = f"layout.columns.{name}"
    which = key if named else f"the default when {key} is not given"
    # a period header is never a typo of RAG or DOT ('Oct' is as close to 'DOT' as a typo would be)
    spelled = {c: h for c, h in present.items() if parse_period(h) is None and norm(h).rstrip(".") not in MONTH_NAMES}
    close = difflib.get_close_matches(norm(wanted), [norm(h) for h in spelled.values()], n=1, cutoff=0.6)
    if close:
        column = next(c for c, h in spelled.items() if norm(h) == close[0])
        fix = f"correct {key} or the header" if named else f"set {key}: {present[column]}"
        raise WorkbookError(
            f"no column headed '{wanted}' ({which}) in the header row (did you mean '{present[column]}' in "
            f"{grid.ref(header_row, column)}?); {fix}",
            sheet=grid.sheet,
            row=header_row,
        )
    if rules.layout.add_missing_columns:
        return
    what = _WRITTEN_WHAT[name]
    likely = [c for c, h in present.items() if set(re.findall(r"[a-z]+", norm(h))) & set(_WRITTEN_WORDS[name])]
    if named:
        hint = f" (is it '{present[likely[0]]}' in {grid.ref(header_row, likely[0])}?)" if likely else ""
        raise WorkbookError(
            f"no column headed '{wanted}' for the {what} ({key}) in the header row{hint}; headers found: "
            f"{', '.join(everything.values()) or 'none'}. Correct {key} to the header of the column that holds them, "
            f"or set layout.add_missing_columns: true to have refresh add a '{wanted}' column after the last one",
            sheet=grid.sheet,
            row=header_row,
        )
    if likely:
        column = likely[0]
        raise WorkbookError(
            f"no column headed '{wanted}' ({which}) for the {what}, but '{present[column]}' in "
            f"{grid.ref(header_row, column)} looks like it: set {key}: {present[column]} to write there, or "
            f"layout.add_missing_columns: true to add a new '{wanted}' column after the last one",
            sheet=grid.sheet,
            row=header_row,
        )
