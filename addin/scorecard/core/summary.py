"""The scorecard summed up: as JSON-ready data (what ``--format json`` and ``--json`` print), and the lines
``check`` reports. The Word report is ``scorecard.word``."""

from __future__ import annotations

from typing import Any

from .a1 import column_letter
from .model import Scorecard
from .narrative import Narrative
from .reading import KpiTable
from .reading.explain import reading_dict
from .rules import Rules


def check_summary(table: KpiTable, card: Scorecard) -> list[str]:
    """What `check` reports, from the command line and from the ribbon alike."""
    rows = [k.kpi.row for k in card.kpis]
    current = card.period.current or "(current period not named)"
    against = f"{current} against {card.period.previous}" if card.period.previous else f"{current}, the only period"
    top = table.header_top or table.header_row
    where = f"row {top}" if top == table.header_row else f"rows {top}-{table.header_row}"
    if table.across:  # one KPI per column: the KPIs are columns, the labels a column
        spread = f"columns {column_letter(min(rows))}-{column_letter(max(rows))}, labels in column {column_letter(top)}"
    else:
        spread = f"rows {min(rows)}-{max(rows)}, headers in {where}"
    lines = [
        f"{len(card.kpis)} KPIs on sheet '{table.sheet}', {spread}; {against}",
        "ratings now: " + ", ".join(f"{n} {status}" for status, n in card.counts.items() if n),
    ]
    lines += [
        f"note: no '{name}' column yet; refresh will add one after the last column"
        for name in sorted(table.added_columns)
        if not table.across  # read across, nothing is written into the table
    ]
    lines += [finding.line() for finding in table.notes]  # e.g. rules and cell formats give different decimals
    lines += [finding.line() for finding in table.warnings]
    return lines


def check_dict(table: KpiTable, card: Scorecard, rules: Rules, book: str) -> dict[str, Any]:
    """What ``check --format json`` prints: the workbook's findings and how it was read."""
    return {
        "book": book,
        "rules": rules.provenance,
        "kpis": len(card.kpis),
        "period": {"current": card.period.current, "previous": card.period.previous},
        "counts": card.counts,
        "findings": [f.as_dict() for f in table.findings],
        "reading": reading_dict(table, rules),
    }


def as_dict(card: Scorecard, narrative: Narrative) -> dict[str, Any]:
    return {
        "title": card.title,
        "period": {"current": card.period.current, "previous": card.period.previous},
        "counts": card.counts,
        "kpis": [
            {
                "id": k.kpi.id,
                "name": k.kpi.name,
                "row": k.kpi.row,
                "polarity": k.kpi.polarity.value if k.kpi.polarity else None,
                "unit": k.kpi.unit,
                "decimals": k.kpi.decimals,
                "compare": k.kpi.compare,  # exact: the narrative may write figures sharper than the decimals
                "current": k.kpi.current,
                "previous": k.kpi.previous,
                "target": k.kpi.target,
                "floor": k.kpi.floor,
                # targets that change by period: the previous period's own (null unless profiled)
                "previous_target": k.kpi.previous_target,
                "previous_floor": k.kpi.previous_floor,
                "profiled": k.kpi.profiled,
                "cumulative": k.kpi.cumulative,
                "breakdown": k.kpi.breakdown,
                "section": k.kpi.section,  # the workbook's own heading over the KPI's row
                "green_within": k.kpi.green_within,  # a two-sided KPI's bands, as the narrative states them
                "amber_within": k.kpi.amber_within,
                "numerator": k.kpi.numerator,
                "denominator": k.kpi.denominator,
                "rag": k.rag.value,
                "previous_rag": k.previous_rag.value,
                "direction": k.direction.value if k.direction else None,
                "commentary": k.kpi.commentary,
                "rank": k.kpi.rank,  # the rank and quartile cells as written; null when not mapped or blank
                "quartile": k.kpi.quartile,
                "spc": k.spc.as_dict() if k.spc else None,  # null without a history (layout.history)
                "benchmarks": None
                if k.kpi.benchmarks is None
                else dict(k.kpi.benchmarks),  # null: no benchmark columns mapped
            }
            for k in card.kpis
        ],
        "changes": [{"id": k.kpi.id, "from": k.previous_rag.value, "to": k.rag.value} for k in card.changes],
        "narrative": narrative.lines(),
        "warnings": [str(f) for f in card.warnings],
        "findings": [f.as_dict() for f in card.findings],
    }
