"""Which sheet holds the table, when the rules name none (``layout.sheet`` not given).

A workbook often opens on a contents page, a cover or notes, and a workbook of quarterly tabs holds the
same table on several sheets. Without ``layout.sheet`` the first sheet was read whatever it held: a
contents page refused the run, and of several tabs the first was read as if it were the only one. So the
top of each sheet is looked at for the id's header the rules name: the one sheet holding it is read (a
note says so), and when several hold it the first of them is read with a warning naming the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..embedded import is_rules_sheet
from ..findings import Finding, Where
from ..rules import Rules
from .grid import Grid
from .header import header_matches


def choose_sheet(
    names: Sequence[str], rules: Rules, peek: Callable[[str], Grid]
) -> tuple[str | None, str | None, list[Finding]]:
    """The sheet to read (None: the first, as ``pick_sheet`` takes it), how it was chosen (None: as before)
    and what to say about it. ``peek(name)`` gives a sheet's top rows."""
    wanted = rules.layout.columns.get("id")
    if rules.layout.sheet is not None or wanted is None or "id" in rules.layout.letters:
        return None, None, []
    candidates = [n for n in names if not is_rules_sheet(n) and n.casefold() != rules.narrative_sheet.casefold()]
    if len(candidates) < 2:
        return None, None, []
    holding = [n for n in candidates if _holds(peek(n), wanted)]
    if not holding or holding == [candidates[0]]:
        return None, None, []
    how = f"the one sheet holding the header '{wanted}' (layout.sheet not given)"
    if len(holding) == 1:
        note = Finding(
            "SC111",
            f"the rules name no sheet (layout.sheet) and the first, '{candidates[0]}', holds no header "
            f"'{wanted}': read '{holding[0]}', the one sheet that does",
            Where(sheet=holding[0]),
        )
        return holding[0], how, [note]
    others = ", ".join(f"'{n}'" for n in holding[1:])
    warning = Finding(
        "SC112",
        f"the rules name no sheet (layout.sheet) and {len(holding)} sheets hold a table headed '{wanted}': read "
        f"'{holding[0]}', the first of them, not {others}; name the sheet to read with layout.sheet",
        Where(sheet=holding[0]),
    )
    return holding[0], f"the first of {len(holding)} sheets holding the header '{wanted}'", [warning]


def _holds(top: Grid, wanted: str) -> bool:
    return any(header_matches(cell, wanted) for r in top.row_numbers() for cell in top.row(r) if cell is not None)
