"""Writes to an open workbook as journalled steps: a write Excel refuses midway is undone, and the error says
exactly what could not be put back.

Every write is decided before the first one (``writer``) as a ``Step``; ``apply_steps`` runs them in order,
and before each the journal reads what it is about to change (values, formulas and fills, where the engine
can read them). The file side needs none of this: it writes a new file and moves it into place
(``workbook.files``), so a failed write leaves the old file as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..core.a1 import cell_ref, range_ref
from ..errors import ScorecardError
from .reader import Capabilities


def literal(text: str) -> str:
    """Text Excel must keep as text: never a formula (=, +, -, @) and never a number or date ("3.1")."""
    return f"'{text}" if text and (text[0] in "=+-@'" or text[0].isdigit()) else text


Block = tuple[tuple[int, int], tuple[int, int]]


@dataclass
class Step:
    """One write, decided before anything is written.

    ``changes`` says what it changes in ``block`` of ``sheet``: "values", "fills", and "format" (other
    formatting, described by ``note``; ``undo`` puts it back when that is possible). A step with no
    block writes on a sheet this run created or cleared, which the journal restores as a whole.
    """

    run: Callable[[], None]
    sheet: Any = None
    block: Block | None = None
    changes: frozenset[str] = frozenset()
    note: str = ""
    undo: Callable[[], None] | None = None
    sheet_event: str = ""  # "created" or "cleared": the step creates or clears a whole sheet (see SheetSlot)
    slot: Any = None


class SheetSlot:
    """The Narrative sheet: the existing one, or the one a step creates."""

    def __init__(self, name: str, sheet: Any = None):
        self.name, self.sheet = name, sheet


@dataclass
class _Saved:
    sheet: Any
    block: Block
    values: list[list[Any]] | None = None
    formulas: list[list[Any]] | None = None
    fills: list[list[Any]] | None = None
    fills_unreadable: bool = False
    changes: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)  # formatting written that cannot be put back
    maybe: list[str] = field(default_factory=list)  # the same, by the refused write: it may not have happened
    undos: list[Callable[[], None]] = field(default_factory=list)

    @property
    def where(self) -> str:
        (r1, c1), (r2, c2) = self.block
        address = cell_ref(r1, c1) if (r1, c1) == (r2, c2) else range_ref((r1, c1, r2, c2))
        return f"{self.sheet.name}!{address}"


def _two_d(value: Any, rows: int, columns: int) -> list[list[Any]]:
    """A block read from Excel as rows of cells, whatever shape xlwings gave it."""
    if rows == 1 and columns == 1 and not isinstance(value, (list, tuple)):
        return [[value]]
    if rows == 1 and value and not isinstance(value[0], (list, tuple)):
        return [list(value)]
    if columns == 1 and value and not isinstance(value[0], (list, tuple)):
        return [[v] for v in value]
    return [list(row) for row in value]


class _Journal:
    """What each write is about to change, read just before it, so that a failed run can be undone.

    Values are read in one call per block (formulas too, where the engine can read them); fills cell
    by cell, and only for blocks whose fills are written. An engine that cannot read fills (xlwings'
    remote engine) leaves them unrestorable, and the message says so.
    """

    def __init__(self) -> None:
        self.saved: list[_Saved] = []
        self.sheets: list[tuple[str, SheetSlot, list[list[Any]] | None]] = []
        self.formulas_unreadable = False
        self.pending: tuple[_Saved, str] | None = None
        self.capabilities: Capabilities | None = None  # of the book written, told once

    def before(self, step: Step) -> None:
        self.pending = None
        if step.sheet_event == "cleared":
            values = step.slot.sheet.used_range.options(ndim=2).value or []
            self.sheets.append(("cleared", step.slot, [list(row) for row in values]))
            return
        if step.sheet_event or step.block is None:
            return
        saved = next((s for s in self.saved if s.sheet.name == step.sheet.name and s.block == step.block), None)
        if saved is None:
            saved = _Saved(step.sheet, step.block)
            self.saved.append(saved)
        block = step.sheet.range(*step.block)
        rows, columns = step.block[1][0] - step.block[0][0] + 1, step.block[1][1] - step.block[0][1] + 1
        can = self.capabilities = self.capabilities or Capabilities.of(step.sheet.book)
        if "values" in step.changes and saved.values is None:
            saved.values = _two_d(block.options(ndim=2).value, rows, columns)
            if can.can_read_formulas:
                saved.formulas = _two_d(block.formula, rows, columns)
            else:
                self.formulas_unreadable = True
        if "fills" in step.changes and saved.fills is None and not saved.fills_unreadable:
            if can.can_read_fills:
                (r1, c1) = step.block[0]
                saved.fills = [[step.sheet.range((r1 + i, c1 + j)).color for j in range(columns)] for i in range(rows)]
            else:
                saved.fills_unreadable = True
        saved.changes |= step.changes
        if "format" in step.changes:
            if step.undo is not None:
                saved.undos.append(step.undo)
            elif step.note not in saved.notes:
                self.pending = (saved, step.note)

    def done(self, step: Step) -> None:
        if step.sheet_event == "created":
            self.sheets.append(("created", step.slot, None))
        if self.pending is not None:
            saved, note = self.pending
            saved.notes.append(note)
            self.pending = None

    def undo(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Put back what can be put back, last write first.

        Returns (what was put back, what is still changed), each as {description: [places]}, in the
        order the places were first written."""
        if self.pending is not None:  # the refused write's formatting: it may or may not have happened
            saved, note = self.pending
            saved.maybe.append(note)
        restored: dict[str, list[str]] = {}
        changed: dict[str, list[str]] = {}
        for event, slot, values in reversed(self.sheets):
            try:
                if event == "created":
                    slot.sheet.delete()
                    restored.setdefault(f"the {slot.name} sheet it had added (removed)", [])
                    continue
                if values:
                    slot.sheet.range((1, 1), (len(values), max(len(r) for r in values))).value = [
                        [literal(v) if isinstance(v, str) else v for v in row] for row in values
                    ]
                restored.setdefault(f"the text of the {slot.name} sheet", [])
                changed.setdefault(f"the formatting of the {slot.name} sheet", [])
            except Exception:
                changed.setdefault(f"the {slot.name} sheet ({'added' if event == 'created' else 'cleared'})", [])
        for saved in reversed(self.saved):
            block = saved.sheet.range(*saved.block)
            if saved.values is not None:
                try:
                    block.value = [
                        [
                            f if isinstance(f, str) and f.startswith("=") else (literal(v) if isinstance(v, str) else v)
                            for v, f in zip(row, frow, strict=False)
                        ]
                        for row, frow in zip(saved.values, saved.formulas or saved.values, strict=False)
                    ]
                    restored.setdefault("the values of", []).insert(0, saved.where)
                except Exception:
                    changed.setdefault("the values of", []).insert(0, saved.where)
            if "fills" in saved.changes:
                if saved.fills is None:
                    changed.setdefault("the fills of", []).insert(0, saved.where)
                else:
                    try:
                        block.set_colors(saved.fills)
                        restored.setdefault("the fills of", []).insert(0, saved.where)
                    except Exception:
                        changed.setdefault("the fills of", []).insert(0, saved.where)
            for undo in saved.undos:
                try:
                    undo()
                    restored.setdefault("the font of", []).insert(0, saved.where)
                except Exception:
                    changed.setdefault("the font of", []).insert(0, saved.where)
            for note in saved.notes:
                changed.setdefault(note, []).insert(0, saved.where)
            for note in saved.maybe:
                changed.setdefault(f"perhaps (the refused write) {note}", []).insert(0, saved.where)
        return restored, changed


def _listing(parts: dict[str, list[str]]) -> str:
    return "; ".join(
        what.format(", ".join(where)) if "{}" in what else f"{what} {', '.join(where)}" if where else what
        for what, where in parts.items()
    )


class WriteFailed(ScorecardError):
    """Excel refused a write: says what was put back and exactly what is still changed."""


def apply_steps(steps: list[Step]) -> None:
    """Run the steps in order; if one fails, undo what was written and say exactly what is left."""
    journal = _Journal()
    for step in steps:
        try:
            journal.before(step)
            step.run()
        except Exception as error:
            restored, changed = journal.undo()
            if "the fills of" in changed and all(s.fills is None for s in journal.saved if "fills" in s.changes):
                changed["the fills of {} (this engine cannot read fills, so it could not put them back)"] = changed.pop(
                    "the fills of"
                )
            lines = [f"scorecard stopped: Excel refused to write {_describe(step)} ({type(error).__name__}: {error})."]
            if restored:
                lines.append(f"Undone: {_listing(restored)}.")
                if journal.formulas_unreadable and "the values of" in restored:
                    lines.append("(This engine cannot read formulas: a formula among those values is now its value.)")
            lines.append(
                f"Still changed: {_listing(changed)}."
                if changed
                else "Nothing is left changed: the workbook is as it was."
            )
            raise WriteFailed("\n".join(lines)) from error
        journal.done(step)


def _describe(step: Step) -> str:
    if step.block is not None:
        return _Saved(step.sheet, step.block).where
    return f"the {step.slot.name} sheet" if step.slot is not None else "the workbook"
