"""Conditional formats on the RAG column through xlwings: those a refresh adds to a column of RAG formulas,
and the analyst's that would hide its colours. The Excel side's twin of ``workbook.conditional``."""

from __future__ import annotations

from typing import Any

from ..core import kept
from ..core.a1 import range_ref
from ..core.findings import Finding
from ..core.plan import WritePlan


def hiding_formats(sheet: Any, plan: WritePlan) -> list[Finding]:
    """Conditional formats that fill the RAG cells, so their colours show instead of ours (as the batch
    writer warns), for an engine that can list them (``Capabilities.can_read_conditional_formats``)."""
    if not plan.rag:
        return []
    ours = {(f'"{status}"', tuple(int(c[i : i + 2], 16) for i in (0, 2, 4))) for status, c in plan.colours.items()}
    span = range_ref((plan.first_row, plan.rag_column, plan.last_row, plan.rag_column))
    rules = list(sheet.range((plan.first_row, plan.rag_column), (plan.last_row, plan.rag_column)).conditional_formats)
    hiding = [
        cf
        for cf in rules
        if (cf.type == "color_scale" or cf.fill_color is not None)
        and not (cf.type == "cell_value" and cf.operator == "equal" and (cf.formula1, cf.fill_color) in ours)
    ]
    if not hiding:
        return []
    what = sorted({f"{cf.type} {cf.formula1 or cf.formula or ''}".strip() for cf in hiding})
    return [kept.hiding_formats(sheet.name, span, rules=what)]


def write_status_formats(rag: Any, plan: WritePlan, listable: bool) -> None:
    """Colour formula RAG cells by conditional formatting, never deleting a rule: the analyst's rules on the
    column stay. Rules an earlier refresh added with the same colours are recognised and not added twice;
    after a change of colours the new rules are added above the old ones (Excel puts new rules first), so
    the new colours show. An engine that cannot list rules (``listable`` False) gets ours added."""
    wanted = {
        f'"{status}"': tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4)) for status, colour in plan.colours.items()
    }
    present = set()
    if listable:
        present = {
            (cf.formula1, cf.fill_color)
            for cf in rag.conditional_formats
            if cf.type == "cell_value" and cf.operator == "equal"
        }
    if all((word, fill) in present for word, fill in wanted.items()):
        return
    for status, colour in plan.colours.items():
        rag.conditional_formats.add_cell_value("equal", f'"{status}"', fill_color=f"#{colour}")
