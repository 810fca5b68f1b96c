"""The explain view: how a workbook was read, stage by stage, and what of it the rules state.

``scorecard check --explain`` prints it, ``check --format json`` carries it as ``reading``, and the ribbon's
Check shows it: the sheet, the header row(s), each column's field and how it was found, the period series
with the current and previous period, which rows are KPIs (and which are not), and for each KPI the cell or
rules line its figure, target, floor and polarity came from. Everything the reader worked out for itself,
rather than read from the rules, is marked, so the analyst can pin it in the rules if it is wrong.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..a1 import column_letter
from ..model import Kpi
from ..rules import Rules
from .header import HOW
from .result import KpiTable

INFERRED = "*"  # the mark of what the reader worked out, not read from the rules
FIELDS = ("current", "previous", "target", "previous_target", "floor", "previous_floor", "polarity")


def explain_lines(table: KpiTable, rules: Rules, *, kpis: bool = True) -> list[str]:
    """The reading as lines of text; ``kpis``: with one line per KPI saying where its values came from."""
    data = reading_dict(table, rules)
    lines = [f"how the workbook was read ({INFERRED} = worked out by scorecard, not stated in the rules):"]
    sheet = data["sheet"]
    lines.append(f"  sheet '{sheet['name']}'{_mark(sheet['stated'])}: {sheet['how']}")
    across, header = data["across"], data["header"]
    key = _line_key(across, "header")
    top, bottom = header[key]
    place = f"{key} {top}-{bottom}" if top != bottom else f"{key[:-1]} {bottom}"
    lines.append(f"  {'labels in' if across else 'header'} {place}{_mark(header['stated'])}: {header['how']}")
    lines.append("  fields, one a row (one KPI per column):" if across else "  columns:")
    key = _line_key(across, "field")
    for column in data["columns"]:
        shown = f"'{column['header']}'" if column["header"] is not None else "(none)"
        lines.append(
            f"    {column[key]!s:<3} {column['field']:<12} {shown + _mark(column['stated']):<30} {column['how']}"
        )
    lines.append(f"  periods: {_periods_line(data['periods'], key)}")
    if data["breakdowns"] is not None:
        lines.append(f"  {_breakdowns_line(data['breakdowns'])}")
    lines.append(f"  {'KPI columns' if across else 'rows'}: {_rows_line(data['rows'], across, data['breakdowns'])}")
    if kpis:
        lines.append("  KPIs (field: value from where):")
        lines += [f"    {_kpi_line(entry)}" for entry in data["kpis"]]
    return lines


def _mark(stated: bool) -> str:
    return "" if stated else INFERRED


def reading_dict(table: KpiTable, rules: Rules) -> dict[str, Any]:
    """The reading as JSON-ready data (``check --format json``: ``reading``)."""
    reading = table.reading
    if reading is None:
        raise ValueError("the table was not read by read_table: no reading to explain")
    header, series, across = reading.header, reading.series, table.across
    return {
        "sheet": {
            "name": table.sheet,
            "stated": rules.layout.sheet is not None,
            "how": "layout.sheet in the rules"
            if rules.layout.sheet
            else table.sheet_how or "the first sheet (layout.sheet not given)",
        },
        "across": across,  # one KPI per column: the fields are rows, the KPIs columns, as the sheet has them
        "header": {
            _line_key(across, "header"): [_line(across, header.top, "header"), _line(across, header.row, "header")],
            "stated": rules.layout.header_row is not None and not across,
            "how": "the column holding the labels" if across else header.row_found,
        },
        "columns": [
            {
                "field": field,
                _line_key(across, "field"): _line(across, column, "field"),
                "header": None if field in table.added_columns else _text(header.cells.get(column)),
                "stated": _stated(field, table, rules),
                "how": _how(field, table, rules),
            }
            for field, column in sorted(table.columns.items(), key=lambda item: (item[1], item[0]))
            if not (across and field in table.added_columns)  # read across, nothing is written, so nothing added
        ],
        "periods": _periods_dict(table, rules, series, across),
        "breakdowns": _breakdowns_dict(table),
        "rows": {
            "kpis": list(dict.fromkeys(_line(across, k.row, "kpi") for k in table.kpis)),
            "not_kpis": [{"row": _line(across, r, "kpi"), "what": w} for r, w in sorted(reading.rows.not_kpis.items())],
            "no_figures": [_line(across, r, "kpi") for r in reading.empty_rows],
            "stated": False,
        },
        "kpis": [
            {**_kpi_dict(kpi, reading.sources.get(kpi.key, {})), "line": _kpi_place(across, kpi.row)}
            for kpi in table.kpis
        ],
    }


def _breakdowns_dict(table: KpiTable) -> dict[str, Any] | None:
    """A long table's breakdowns: the column telling them apart and each one's rows (the periods shown are the
    first breakdown's rows; each breakdown's KPIs name their own cells)."""
    found = table.breakdowns
    if found is None:
        return None
    return {
        "column": column_letter(found.column),
        "header_row": found.header_row,
        "rows": [{"breakdown": label, "rows": rows} for label, rows in found.rows.items()],
    }


def _breakdowns_line(data: dict[str, Any]) -> str:
    parts = [f"'{entry['breakdown'] or 'the whole'}' {_spans(entry['rows'])}" for entry in data["rows"]]
    return (
        f"breakdowns in column {data['column']}, each its own series of periods (the rows above are the first's): "
        + "; ".join(parts)
    )


def _text(value: Any) -> str | None:
    """A header as written: a date cell as its date (2024-08-01), not a time of day."""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    return None if value is None else " ".join(str(value).split())


def _line_key(across: bool, kind: str) -> str:
    """What a line of the grid is on the sheet. A field's line is a column and a KPI's (or the header's) a row;
    read across (one KPI per column), the other way round."""
    column = (kind == "field") != across
    if kind == "header":
        return "columns" if column else "rows"
    return "column" if column else "row"


def _line(across: bool, index: int, kind: str) -> int | str:
    """A grid line's name on the sheet: a column's letter, or a row's number."""
    return column_letter(index) if (kind == "field") != across else index


def _kpi_place(across: bool, index: int) -> str:
    return f"column {column_letter(index)}" if across else f"row {index}"


def _periods_dict(table: KpiTable, rules: Rules, series: Any, across: bool) -> dict[str, Any]:
    key = _line_key(across, "field")

    def place(column: int | None) -> int | str | None:
        return None if column is None else _line(across, column, "field")

    return {
        "kind": series.current.kind if series.current else None,
        "series": [{"period": period.name, key: place(column)} for period, column in series.columns],
        "current": {"name": table.period.current, key: place(series.current_column)},
        "previous": {"name": table.period.previous, key: place(series.previous_column)},
        "stated": not rules.layout.history,
        "named_by": "the rules" if rules.period_current else "the headers",
    }


def _stated(field: str, table: KpiTable, rules: Rules) -> bool:
    reading = table.reading
    assert reading is not None
    found = reading.header.found.get(field)
    if found in ("rules", "letter"):
        return True
    if field in ("current", "previous"):
        return not rules.layout.history
    return False


def _how(field: str, table: KpiTable, rules: Rules) -> str:
    reading = table.reading
    assert reading is not None
    if field in table.added_columns:
        return HOW["added"]
    found = reading.header.found.get(field)
    if found == "letter" and table.across:
        return "by its row number, as the rules give it"
    if found is not None:
        return HOW[found]
    if field in ("current", "previous") and rules.layout.history:
        return f"the {'newest period holding figures' if field == 'current' else 'period before it'} (layout.history)"
    return HOW["rules"]


def _periods_line(periods: dict[str, Any], key: str) -> str:
    def at(entry: dict[str, Any]) -> str:
        return f"row {entry[key]}" if key == "row" else str(entry[key])

    current, previous = periods["current"], periods["previous"]
    text = f"{current['name']} ({at(current)})"
    if previous["name"]:
        text += f" against {previous['name']} ({at(previous)})"
    else:
        text += ", the only period (no previous one)"
    series = periods["series"]
    if series:
        first, last = series[0], series[-1]
        text += (
            f"{INFERRED}; a series of {len(series)} {periods['kind']}s, {first['period']} ({at(first)}) to "
            f"{last['period']} ({at(last)}), the current the newest holding figures"
        )
    return text + f"; named by {periods['named_by']}"


def _rows_line(rows: dict[str, Any], across: bool, breakdowns: dict[str, Any] | None) -> str:
    kpi_rows = rows["kpis"]
    if across:  # the KPIs' columns, by letter; in a long table each column is a measure, a KPI for each breakdown
        what = "measures" if breakdowns else "KPIs"
        each = ", each a KPI for each breakdown" if breakdowns else ""
        text = f"{len(kpi_rows)} {what}{INFERRED}{each}, in columns {', '.join(map(str, kpi_rows))}"
        others = [f"column {entry['row']}: {entry['what']}" for entry in rows["not_kpis"]]
        return text + (f"; not KPIs: {'; '.join(others)}" if others else "")
    text = f"{len(kpi_rows)} KPI rows{INFERRED}, {_spans(kpi_rows)}"
    others = [f"row {entry['row']}: {entry['what']}" for entry in rows["not_kpis"]]
    if rows["no_figures"]:
        others.append(f"{_spans(rows['no_figures'])}: an id but no figure, target or floor (headings or notes)")
    return text + (f"; not KPIs: {'; '.join(others)}" if others else "")


def _spans(rows: list[int]) -> str:
    """[5, 6, 7, 9] -> 'rows 5-7, 9'."""
    runs: list[list[int]] = []
    for row in sorted(rows):
        if runs and row == runs[-1][1] + 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])
    shown = ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in runs)
    return f"{'row' if len(rows) == 1 else 'rows'} {shown}"


def _kpi_dict(kpi: Kpi, sources: dict[str, str]) -> dict[str, Any]:
    values = {
        "current": kpi.current,
        "previous": kpi.previous,
        "target": kpi.target,
        "previous_target": kpi.previous_target,
        "floor": kpi.floor,
        "previous_floor": kpi.previous_floor,
        "polarity": kpi.polarity.value if kpi.polarity else None,
    }
    return {
        "id": kpi.id,
        "breakdown": kpi.breakdown,
        "row": kpi.row,
        "name": kpi.name,
        "fields": {
            name: {"value": values[name], "from": sources.get(name), "stated": _from_rules(sources.get(name))}
            for name in FIELDS
            if not name.startswith("previous_") or kpi.profiled
        },
    }


def _from_rules(source: str | None) -> bool:
    return source is not None and source.startswith("rules line")


def _kpi_line(entry: dict[str, Any]) -> str:
    parts = []
    for name in FIELDS:
        if name not in entry["fields"]:
            continue
        field = entry["fields"][name]
        if field["value"] is None and field["from"] is None:
            continue
        value = field["value"]
        value = "blank" if value is None else f"{value:g}" if isinstance(value, float) else value
        inferred = INFERRED if (field["from"] or "").startswith("inferred") else ""
        parts.append(f"{name} {value}{inferred} ({field['from']})" if field["from"] else f"{name} {value}")
    key = entry["id"] if entry["breakdown"] is None else f"{entry['id']} ({entry['breakdown']})"
    return f"{key} ({entry['line']}): " + ", ".join(parts)
