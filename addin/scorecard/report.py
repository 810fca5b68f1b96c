"""The scorecard as JSON-ready data: what `--format json` and `--json` print."""

from __future__ import annotations

from typing import Any

from .model import Scorecard
from .narrative import Narrative


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
                "current": k.kpi.current,
                "previous": k.kpi.previous,
                "target": k.kpi.target,
                "floor": k.kpi.floor,
                "rag": k.rag.value,
                "previous_rag": k.previous_rag.value,
                "direction": k.direction.value if k.direction else None,
                "commentary": k.kpi.commentary,
            }
            for k in card.kpis
        ],
        "changes": [{"id": k.kpi.id, "from": k.previous_rag.value, "to": k.rag.value} for k in card.changes],
        "narrative": narrative.lines(),
        "warnings": list(card.warnings),
    }
