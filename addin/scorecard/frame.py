"""The scorecard as a pandas DataFrame, for analysts who work in notebooks.

One row per KPI, indexed by its id, with the same fields as the JSON (``narrative --format json``):
the JSON's KPI objects are the one source, so the two cannot drift apart. Nested objects (``spc``,
``benchmarks``) are flattened into ``spc.mean``, ``benchmarks.England`` ... when a KPI has them.
pandas is imported here only, so the command line and the ribbon start without it; it is an extra
(``pip install 'scorecard[pandas]'``), which ``make install`` brings with the test dependencies.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from .core.rules import Rules

NESTED = ("spc", "benchmarks")


def flatten(kpis: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The JSON's KPI objects with nested objects spread into dotted columns."""
    rows = []
    for kpi in kpis:
        row = {key: value for key, value in kpi.items() if key not in NESTED}
        for key in NESTED:
            value = kpi.get(key)
            if isinstance(value, dict):
                row.update({f"{key}.{name}": item for name, item in value.items()})
            elif key in kpi:
                row[key] = value  # null: no history or no benchmark columns
        rows.append(row)
    return rows


def columns(rows: Iterable[dict[str, Any]]) -> list[str]:
    """The columns of flattened rows, in first-seen order; a nested object's own column is left out
    where some KPI spreads it into dotted columns (those KPIs' cells there are simply empty)."""
    seen = list(dict.fromkeys(key for row in rows for key in row))
    spread = {key.split(".", 1)[0] for key in seen if "." in key}
    return [key for key in seen if not (key in NESTED and key in spread)]


def read_scorecard(
    path: str | os.PathLike[str], rules: str | os.PathLike[str] | Rules, *, period: str | None = None
) -> pd.DataFrame:
    """Evaluate a workbook (nothing is written) and return one row per KPI, indexed by ``id``."""
    try:
        import pandas as pd
    except ImportError:  # an extra: the command line, the ribbon and the worksheet functions do without it
        from .errors import ScorecardError

        raise ScorecardError("read_scorecard needs pandas: pip install 'scorecard[pandas]'") from None

    from .core.rules import Rules, load_rules
    from .core.summary import as_dict
    from .usecases import evaluate_file

    if not isinstance(rules, Rules):
        rules = load_rules(Path(rules))
    result = evaluate_file(Path(path), rules, period=period)
    data = as_dict(result.scorecard, result.narrative)
    rows = flatten(data["kpis"])
    frame = pd.DataFrame(rows, columns=columns(rows))
    frame = frame.set_index("id")
    frame.attrs.update(title=data["title"], period=data["period"], counts=data["counts"], warnings=data["warnings"])
    return frame
