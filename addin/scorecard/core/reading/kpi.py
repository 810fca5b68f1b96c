"""Stage 4, a KPI: one candidate row's cells read as figures, target, floor and polarity, checked, assembled.

Each value's source is kept (``KpiRow``'s cells, the rules' YAML line, merged cells above) for the
explain view. The rules win over the sheet for what they give; the sheet gives the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ...errors import WorkbookError
from ..engine import displayed
from ..findings import Finding, Where
from ..model import Kpi, Unit
from ..numfmt import format_decimals, general_decimals, is_general, scaled_format
from ..polarity import POLARITY_CHOICES, Polarity
from ..rules import KpiRule, Rules, check_target_and_floor
from ..thresholds import Bound, Threshold, parse_threshold, parse_tolerance
from ..units import Figure, ScaleFinding, ratio_problem, scale_check, share_problem, within_scale
from .cells import (
    Doubt,
    as_written,
    error_value,
    is_percent_format,
    read_threshold,
    read_value,
    says_something,
    threshold_text_problem,
)
from .grid import Area, Grid
from .profile import Profile
from .series import HistoryColumns

SHARED_FIELDS = {"target", "floor", "polarity"}  # fields a sheet may merge down over several KPIs' rows
THRESHOLDS = ("target", "floor")
_PERCENT_NAME = re.compile(r"%|\bper\s*cent(age)?s?\b|\bproportion\b", re.IGNORECASE)


@dataclass
class RowCells:
    """One KPI row's cells, read as the rules say (layout.percent), with the findings and sources they make."""

    grid: Grid
    rules: Rules
    columns: dict[str, int]
    row: int
    kpi_id: str
    found: list[Finding]
    rule: KpiRule | None = None
    unit: Unit = "number"
    shared: dict[str, Area] = field(default_factory=dict)  # fields read from cells merged down from a row above
    written: dict[str, tuple[str, Threshold | None]] = field(default_factory=dict)  # thresholds typed as text
    sources: dict[str, str] = field(default_factory=dict)  # field -> where its value came from
    profile: Profile | None = None  # where the targets and floors of the current and previous period are
    keys: dict[str, Bound | None] = field(default_factory=dict)  # a RAG key's columns: what their signs say
    key_bounds: dict[str, Bound] = field(default_factory=dict)  # what the key says of this row's thresholds

    def __post_init__(self) -> None:
        self.values = self.grid.row(self.row)
        self.formats = self.grid.row_formats(self.row)
        self.rule = self.rules.kpis.get(self.kpi_id)

    def cell(self, name: str) -> tuple[Any, str | None]:
        c = self.columns.get(name)
        if c is None:
            return None, None
        value = self.values[c - 1] if c <= len(self.values) else None
        if value is None and name in SHARED_FIELDS and (area := self.grid.shared_by_rows(self.row, c)) is not None:
            # a target, floor or polarity merged down over several KPIs' rows: each of them shows it
            self.shared[name] = area
            return self.grid.value(area[0], area[1]), self.grid.number_format(area[0], area[1])
        return value, self.formats[c - 1] if c <= len(self.formats) else None

    def ref(self, name: str) -> str:
        return self.grid.ref(self.row, self.columns[name])

    def at(self, name: str) -> Where:
        return Where(sheet=self.grid.sheet, cell=self.ref(name))

    def as_stored(self, number_format: str | None) -> str | None:
        """The number format that decides scaling, by layout.percent."""
        percent = self.rules.layout.percent
        if percent == "format":
            return number_format
        return "0%" if percent == "fraction" and self.unit == "percent" else None

    def calculated(self, name: str) -> None:
        """A figure the file holds as a formula without its result cannot be read: refuse, naming the cell."""
        if self.grid.uncalculated and name in self.columns and (self.row, self.columns[name]) in self.grid.uncalculated:
            what = f"{name.split('.', 1)[1]} benchmark" if name.startswith("benchmarks.") else f"{name} figure"
            raise WorkbookError(
                f"the {what} of KPI '{self.kpi_id}' is a formula saved without its result (the file was written "
                "by a program that does not calculate); open and save the workbook in Excel or LibreOffice first",
                sheet=self.grid.sheet,
                cell=self.ref(name),
            )

    def figure(self, name: str) -> float | None:
        if name not in self.columns:
            return None
        self.calculated(name)
        value, number_format = self.cell(name)
        number, doubt = read_value(value, self.as_stored(number_format))
        if doubt:
            text = doubt.text + ("; read as no data" if number is None else "")
            self.found.append(Finding(doubt.code, text, self.at(name)))
        self.sources[name] = self.ref(name)
        return number

    def threshold(self, name: str) -> float | None:
        """A target or floor: the rules', else the sheet's (a number, or text as analysts write it): the current
        period's own when targets change by period (``profile``)."""
        given = getattr(self.rule, name) if self.rule else None
        if given is not None:
            self.sources[name] = f"rules line {self.rule.line_of(name)}"  # type: ignore[union-attr]
            return float(given)
        at = self.profiled(name, 0)
        if at is not None:
            return self.threshold_at(name, at)
        if name not in self.columns:
            return None
        self.calculated(name)
        value, number_format = self.cell(name)
        error = error_value(value)
        if error is not None:
            self.found.append(
                Finding("SC304", f"KPI '{self.kpi_id}': the {name} holds the error value {error}", self.at(name))
            )
        elif name in self.keys:  # a RAG key's band ('< 90%' under Red): where the colour starts, not a requirement
            said = parse_threshold(value) if isinstance(value, str) else None
            bound = (_flip(said.bound) if name == "floor" else said.bound) if said and said.bound else self.keys[name]
            if bound is not None:
                self.key_bounds[name] = bound
        elif isinstance(value, str):
            self.written[name] = (value, parse_threshold(value))
        area = self.shared.get(name)
        self.sources[name] = (
            f"{self.grid.ref(area[0], area[1])} (merged over rows {area[0]}-{area[2]})" if area else self.ref(name)
        )
        return read_threshold(value, self.as_stored(number_format))

    def profiled(self, name: str, which: int) -> tuple[int, int] | None:
        """The cell of the current (``which`` 0) or previous (1) period's target or floor, when they change by
        period."""
        if self.profile is None or self.from_rules(name) or name not in self.profile.cells:
            return None
        return self.profile.cells[name][which]

    def previous_threshold(self, name: str) -> float | None:
        """The previous period's own target or floor, when targets change by period; else None."""
        at = self.profiled(name, 1)
        return None if at is None else self.threshold_at(name, at, f"previous_{name}")

    def threshold_at(self, name: str, at: tuple[int, int], key: str | None = None) -> float | None:
        """A target or floor from one cell of a profile (a target column of a period, or a Target row)."""
        row, column = at
        key = key or name
        where = Where(sheet=self.grid.sheet, cell=self.grid.ref(row, column))
        if self.grid.uncalculated and at in self.grid.uncalculated:
            raise WorkbookError(
                f"the {key.replace('_', ' ')} of KPI '{self.kpi_id}' is a formula saved without its result; open "
                "and save the workbook in Excel or LibreOffice first",
                sheet=self.grid.sheet,
                cell=where.cell,
            )
        value, number_format = self.grid.value(row, column), self.grid.number_format(row, column)
        error = error_value(value)
        if error is not None:
            self.found.append(
                Finding(
                    "SC304", f"KPI '{self.kpi_id}': the {key.replace('_', ' ')} holds the error value {error}", where
                )
            )
        elif isinstance(value, str) and key == name:
            self.written[name] = (value, parse_threshold(value))
        self.sources[key] = f"{where.cell} ({self.profile.how})" if self.profile else str(where.cell)
        return read_threshold(value, self.as_stored(number_format))

    def from_rules(self, name: str) -> bool:
        """Whether the rules give this target or floor (the sheet's is then not read)."""
        return name in THRESHOLDS and self.rule is not None and getattr(self.rule, name) is not None


def read_kpi(
    grid: Grid,
    rules: Rules,
    columns: dict[str, int],
    row: int,
    kpi_id: str,
    found: list[Finding],
    history: HistoryColumns | None = None,
    sources: dict[str, str] | None = None,
    profile: Profile | None = None,
    keys: dict[str, Bound | None] | None = None,
) -> Kpi | None:
    """Stage 4: the KPI in ``row``, or None when the row holds no figure, target or floor (a section
    heading, a note, a blank line with an id-like label). Findings go to ``found``; where each value came
    from to ``sources``. ``profile``: where its targets are when they change by period; ``keys``: the target
    and floor columns that are a RAG key's Green and Red boundaries, and what their headers' signs say."""
    cells = RowCells(grid, rules, columns, row, kpi_id, found, profile=profile, keys=keys or {})
    cells.unit = _unit(cells)
    read = {
        "current": cells.figure("current"),
        "previous": cells.figure("previous"),
        "target": cells.threshold("target"),
        "floor": cells.threshold("floor"),
    }
    # benchmarks: read as the KPI's own figures are (same scaling), named "<label> benchmark" in the scale check
    benchmarks = {f"{label} benchmark": cells.figure(f"benchmarks.{label}") for label in rules.layout.benchmarks}
    scale = _check_scale(cells, read, benchmarks)
    own = {n: v for n, v in read.items() if not (n in THRESHOLDS and n in cells.shared)}
    if cells.rule is None and all(v is None for v in own.values()):
        return None
    polarity = _polarity(cells, read)
    _check_thresholds(cells, polarity, read)
    decimals = _decimals(cells, [n for n, v in read.items() if v is not None], scale)
    numerator, denominator = _counts(cells, read, decimals)
    _check_strict_bounds(cells, read, decimals)
    for name, area in cells.shared.items():
        found.append(
            Finding(
                "SC406",
                f"KPI '{kpi_id}': its {name} is read from the merged cells {grid.ref(area[0], area[1])}:"
                f"{grid.ref(area[2], area[3])}, which show one {name} for rows {area[0]}-{area[2]}",
                grid.line(row),
            )
        )
    rule = cells.rule
    previous_target, previous_floor = cells.previous_threshold("target"), cells.previous_threshold("floor")
    thresholds = (read["target"], read["floor"], previous_target, previous_floor)
    profiled = any(cells.profiled(n, w) for n in THRESHOLDS for w in (0, 1)) and any(v is not None for v in thresholds)
    if sources is not None:
        sources.update(cells.sources)
    return Kpi(
        id=kpi_id,
        name=_name(cells),
        polarity=polarity,
        current=read["current"],
        previous=read["previous"],
        target=read["target"],
        floor=read["floor"],
        unit=cells.unit,
        decimals=decimals,
        compare=(rule and rule.compare) or rules.compare,
        green_within=_green_within(cells, polarity, read),
        amber_within=rule.amber_within if rule else None,
        numerator=numerator,
        denominator=denominator,
        commentary=_commentary(cells.cell("commentary")[0]),
        row=row,
        history=_history(cells, history, read),
        history_periods=history.periods if history else (),
        benchmarks={label: benchmarks[f"{label} benchmark"] for label in rules.layout.benchmarks}
        if benchmarks
        else None,
        rank=as_written(cells.cell("rank")[0]),
        quartile=as_written(cells.cell("quartile")[0]),
        previous_target=previous_target if profiled else None,
        previous_floor=previous_floor if profiled else None,
        profiled=profiled,
        cumulative=_cumulative(cells),
        scaled=_scaled(cells),
    )


def _scaled(cells: RowCells) -> tuple[int, int, str] | None:
    """How the current figure's cell shows it, when its format shows thousands or millions (not for percentages,
    nor when the rules give the KPI's decimals)."""
    if cells.unit == "percent" or (cells.rule and cells.rule.decimals is not None):
        return None
    shown = scaled_format(cells.cell("current")[1])
    return None if shown is None else (shown.thousands, shown.decimals, shown.suffix)


def _green_within(cells: RowCells, polarity: Polarity | None, read: dict[str, float | None]) -> float | None:
    """A close-to-target KPI's Green band: the rules' green_within, else its tolerance column's ('+/- 2%'). With
    neither, nor an amber_within or a floor, it is Green only exactly on its target: a warning (SC411)."""
    rule = cells.rule
    if rule and rule.green_within is not None:
        return rule.green_within
    if polarity is not Polarity.TARGET:
        return None
    band = None
    if "tolerance" in cells.columns:
        value, number_format = cells.cell("tolerance")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            band = read_threshold(value, cells.as_stored(number_format))
        else:
            band = parse_tolerance(value)
        if band is not None:
            cells.sources["green_within"] = cells.ref("tolerance")
    if band is None and read["target"] is not None and read["floor"] is None and not (rule and rule.amber_within):
        cells.found.append(
            Finding(
                "SC411",
                f"KPI '{cells.kpi_id}' is close to target (two-sided) with no band: it is Green only exactly on its "
                f"target and Red anywhere else; give green_within (and amber_within) in the rules, a floor, or a "
                "tolerance column (layout.columns.tolerance)",
                cells.at("target") if "target" in cells.columns and not cells.from_rules("target") else cells.at("id"),
            )
        )
    return band


def _unit(cells: RowCells) -> Unit:
    """The rules' unit, else percent when either period's cell is formatted as one (layout.percent: format;
    a General cell beside them is checked for scale), else the rules' default."""
    if cells.rule and cells.rule.unit:
        return cells.rule.unit
    percent_cell = is_percent_format(cells.cell("current")[1]) or is_percent_format(cells.cell("previous")[1])
    return "percent" if cells.rules.layout.percent == "format" and percent_cell else cells.rules.unit


def _name(cells: RowCells) -> str:
    """The rules' name, else the name column's, else the id: never any other field's text."""
    if cells.rule and cells.rule.name:
        text = cells.rule.name
    else:
        value = cells.cell("name")[0] if "name" in cells.columns else None
        text = str(value) if value is not None and str(value).strip() and error_value(value) is None else cells.kpi_id
        if value is not None and text != cells.kpi_id:
            text += _name_continued(cells)
    return " ".join(text.split())


def _name_continued(cells: RowCells) -> str:
    """A KPI written over two rows or more (its id merged down them): the name's further lines, in the rows
    below that the merged id covers, are its name too ('Average days to process new' / 'benefit claims')."""
    area = cells.grid.merged_range(cells.row, cells.columns["id"])
    if area is None or area[0] != cells.row or area[2] == cells.row:
        return ""
    column = cells.columns["name"]
    lines = [cells.grid.value(r, column) for r in range(cells.row + 1, area[2] + 1)]
    return "".join(f" {v}" for v in lines if isinstance(v, str) and v.strip())


_RUNNING_TOTAL = re.compile(
    r"\b(ytd|year[ -]to[ -]date|cumulative|so far this (financial )?year|to date this (financial )?year)\b",
    re.IGNORECASE,
)


def _cumulative(cells: RowCells) -> bool:
    """A running total to date: as the rules say (cumulative: true or false); else, when its name says so
    ('... year to date', 'YTD'), taken as one with a warning, so its rise is never called an improvement."""
    rule = cells.rule
    if rule is not None and rule.cumulative is not None:
        return rule.cumulative
    name = _name(cells)
    if not _RUNNING_TOTAL.search(name):
        return False
    line = f" (rules line {rule.line})" if rule is not None else ""
    cells.found.append(
        Finding(
            "SC407",
            f"KPI '{cells.kpi_id}' is named as a running total ('{name[:60]}'), so it is read as one: its rise is "
            "not called an improvement, and it is judged against its profile; say so in the rules with "
            f"cumulative: true (or cumulative: false if it is not){line}",
            Where(sheet=cells.grid.sheet, cell=cells.ref("name"))
            if "name" in cells.columns
            else cells.grid.line(cells.row),
        )
    )
    return True


def _commentary(value: Any) -> str:
    return "" if value is None or error_value(value) is not None else str(value).strip()


def _check_scale(
    cells: RowCells, read: dict[str, float | None], benchmarks: dict[str, float | None]
) -> ScaleFinding | None:
    """A percent KPI (or one named as a percentage) whose figures differ about 100-fold: a warning, and the
    one figure corrected when its cell formats leave no doubt."""
    rule = cells.rule
    title = (rule and rule.name) or cells.cell("name")[0]
    named_percent = (
        cells.unit != "percent"
        and not (rule and rule.unit)
        and isinstance(title, str)
        and bool(_PERCENT_NAME.search(title))
    )
    checked = [v for v in [*read.values(), *benchmarks.values()] if v is not None]
    if not (cells.unit == "percent" or named_percent) or within_scale(checked):
        return None
    evidence = [_evidence(cells, n, v) for n, v in read.items() if v is not None]
    evidence += [_evidence(cells, n, v, f"benchmarks.{n[: -len(' benchmark')]}") for n, v in benchmarks.items() if v]
    naming = f", named '{' '.join(title.split())[:60]}' but with no percent unit or format" if named_percent else ""
    finding = scale_check(cells.kpi_id, naming, [e for e in evidence if e is not None])
    if finding:
        cells.found.append(Finding("SC601", finding.message, cells.grid.line(cells.row)))
        read.update({n: v for n, v in finding.corrected.items() if n in read})
        benchmarks.update({n: v for n, v in finding.corrected.items() if n in benchmarks})
    return finding


def _evidence(cells: RowCells, name: str, value: float | None, column: str | None = None) -> Figure | None:
    if value is None:
        return None
    if name in THRESHOLDS and cells.from_rules(name):
        return Figure(name, value, line=cells.rule.line_of(name))  # type: ignore[union-attr]
    column = column or name
    if column not in cells.columns:
        return None
    stored, number_format = cells.cell(column)
    scaled = not isinstance(stored, str) and is_percent_format(cells.as_stored(number_format))  # text: as written
    return Figure(name, value, cell=cells.ref(column), stored=stored, number_format=number_format, percent_cell=scaled)


def _polarity(cells: RowCells, read: dict[str, float | None]) -> Polarity | None:
    """The rules', else the polarity column's, else taken (with a warning) from the words of a target typed
    as text ('at least 85%'), else from which side of the target the floor lies."""
    rule, kpi_id, target, floor = cells.rule, cells.kpi_id, read["target"], read["floor"]
    polarity = rule.polarity if rule and rule.polarity else None
    if polarity is not None:
        cells.sources["polarity"] = f"rules line {rule.line_of('polarity')}"  # type: ignore[union-attr]
    if polarity is None and "polarity" in cells.columns:
        raw = cells.cell("polarity")[0]
        if says_something(raw):  # "N/A" or "-" in the polarity column: no polarity, as a blank
            polarity = Polarity.from_cell(raw)
            if polarity is None:
                raise WorkbookError(
                    f"polarity {raw!r} for KPI '{kpi_id}' is not one of {POLARITY_CHOICES}",
                    sheet=cells.grid.sheet,
                    cell=cells.ref("polarity"),
                )
            cells.sources["polarity"] = cells.ref("polarity")
    if polarity is None and cells.key_bounds and len(set(cells.key_bounds.values())) == 1:
        polarity = Polarity.HIGHER if set(cells.key_bounds.values()) == {"at least"} else Polarity.LOWER
        cells.sources["polarity"] = "the RAG key (" + ", ".join(cells.ref(n) for n in cells.key_bounds) + ")"
    if polarity is None:
        polarity = _inferred_polarity(cells, target, floor)
    if polarity is None and (target is not None or floor is not None):
        raise WorkbookError(
            f"KPI '{kpi_id}' has a target or floor but no polarity: give it one in the rules "
            "(kpis: - id: ... polarity: higher) or in a polarity column",
            sheet=cells.grid.sheet,
            cell=cells.ref("id"),
        )
    if polarity is Polarity.TARGET and target is None and "target" not in cells.written:  # text: SC404 names it
        raise WorkbookError(
            f"KPI '{kpi_id}' has polarity target but no target", sheet=cells.grid.sheet, cell=cells.ref("id")
        )
    return polarity


def _flip(bound: Bound) -> Bound:
    return "at most" if bound == "at least" else "at least"


def _inferred_polarity(cells: RowCells, target: float | None, floor: float | None) -> Polarity | None:
    where = cells.grid.line(cells.row)
    said = {n: (t, x) for n, (t, x) in cells.written.items() if x and x.bound and not cells.from_rules(n)}
    bounds = {x.bound for _, x in said.values() if x}
    if len(bounds) == 1:
        polarity = Polarity.HIGHER if bounds == {"at least"} else Polarity.LOWER
        said_by = ", ".join(f"{n} {cells.ref(n)} {' '.join(t.split())!r}" for n, (t, _) in said.items())
        cells.found.append(
            Finding(
                "SC402", f"KPI '{cells.kpi_id}' has no polarity; taken as {polarity.value} from its {said_by}", where
            )
        )
        cells.sources["polarity"] = f"inferred from {said_by}"
        return polarity
    if target is not None and floor is not None and target != floor:
        polarity = Polarity.HIGHER if target > floor else Polarity.LOWER
        cells.found.append(
            Finding(
                "SC403",
                f"KPI '{cells.kpi_id}' has no polarity; taken as {polarity.value} from its target and floor",
                where,
            )
        )
        cells.sources["polarity"] = "inferred from its target and floor"
        return polarity
    return None


def _check_thresholds(cells: RowCells, polarity: Polarity | None, read: dict[str, float | None]) -> None:
    for name, (text, said) in cells.written.items():
        if cells.from_rules(name):
            continue  # the rules' value is the one used
        doubt = threshold_text_problem(name, text, said, polarity)
        if doubt:
            cells.found.append(Finding("SC404", f"KPI '{cells.kpi_id}': {doubt}", cells.at(name)))
    complaint = check_target_and_floor(polarity, read["target"], read["floor"])
    if complaint:
        where = "rules" if cells.from_rules("floor") else f"sheet '{cells.grid.sheet}' row {cells.row}"
        raise WorkbookError(
            f"KPI '{cells.kpi_id}' ({where}): {complaint}", sheet=cells.grid.sheet, cell=cells.ref("id")
        )


def _counts(cells: RowCells, read: dict[str, float | None], decimals: int) -> tuple[float | None, float | None]:
    """The numerator and denominator (counts: never scaled), and a percentage checked against them."""
    numerator = read_value(*cells.cell("numerator"))[0]
    denominator = read_value(*cells.cell("denominator"))[0]
    if cells.unit != "percent":
        return numerator, denominator
    rule, current = cells.rule, read["current"]
    counted = numerator is not None and denominator is not None
    if rule and rule.share:
        why = f"share: true, rules line {rule.line_of('share')}"
    elif counted:
        why = f"it has numerator {cells.ref('numerator')} and denominator {cells.ref('denominator')}"
    else:
        return numerator, denominator
    for n in ("current", "previous"):
        value = read[n]
        problem = value is not None and share_problem(value, cells.kpi_id, why)
        if problem:
            cells.found.append(Finding("SC602", problem, cells.at(n)))
    if current is not None and numerator is not None and denominator is not None:
        problem = ratio_problem(
            current, numerator, denominator, decimals, (cells.ref("numerator"), cells.ref("denominator")), cells.kpi_id
        )
        if problem:
            cells.found.append(Finding("SC603", problem, cells.at("current")))
    return numerator, denominator


def _check_strict_bounds(cells: RowCells, read: dict[str, float | None], decimals: int) -> None:
    """ "> 85%": a figure on the value does not meet it, but is rated as meeting it."""
    current = read["current"]
    for threshold, (text, said) in cells.written.items():
        if (
            said
            and said.strict
            and not cells.from_rules(threshold)
            and current is not None
            and displayed(current, decimals) == displayed(said.value, decimals)
        ):
            cells.found.append(
                Finding(
                    "SC405",
                    f"KPI '{cells.kpi_id}': the {threshold} {' '.join(text.split())!r} excludes {said.value:g} itself, "
                    f"but the current figure is {said.value:g} and scorecard rates a figure on its {threshold} as "
                    f"reaching it; write the {threshold} as the figure that reaches it",
                    cells.at(threshold),
                )
            )


@lru_cache(maxsize=1024)
def _read_as_percent(mode: str, percent_unit: bool, number_format: str | None) -> bool:
    """Whether a figure is read x100, by layout.percent (``mode``), as ``RowCells.as_stored`` decides."""
    if mode == "format":
        return is_percent_format(number_format)
    return mode == "fraction" and percent_unit


def _history(cells: RowCells, spec: HistoryColumns | None, read: dict[str, float | None]) -> tuple[float | None, ...]:
    """A KPI's figures in every period column up to the current one (layout.history), oldest first, read
    as its current figure is (the same percent scaling). The current and previous figures are taken as
    read above (a scale slip corrected there stays corrected here); a blank is None, and a text, a date
    or an uncalculated formula in an older period is no data, with a warning naming the cell."""
    if not spec or not spec.columns:
        return ()
    taken = {cells.columns.get("current"): read["current"], cells.columns.get("previous"): read["previous"]}
    mode, percent_unit = cells.rules.layout.percent, cells.unit == "percent"
    uncalculated = cells.grid.uncalculated  # formula cells saved without a result: usually none
    out: list[float | None] = []
    for column in spec.columns:
        if column in taken:
            out.append(taken[column])
            continue
        stored = cells.values[column - 1] if column <= len(cells.values) else None
        number_format = cells.formats[column - 1] if column <= len(cells.formats) else None
        late = bool(uncalculated) and (cells.row, column) in uncalculated
        if stored is None and not late:
            out.append(None)
        elif isinstance(stored, (int, float)) and type(stored) is not bool and stored - stored == 0 and not late:
            # a finite number, the common case, made quick: scaled as cells.scaled does
            percent = _read_as_percent(mode, percent_unit, number_format)
            out.append(float(f"{stored * 100:.12g}") if percent else float(stored))
        else:
            out.append(_history_cell(cells, column, stored, number_format, late))
    return tuple(out)


def _history_cell(cells: RowCells, column: int, stored: Any, number_format: str | None, late: bool) -> float | None:
    """An older period's cell that is not a plain number: no data (or a number read from text), with a
    finding naming the cell."""
    percent = _read_as_percent(cells.rules.layout.percent, cells.unit == "percent", number_format)
    value, doubt = read_value(stored, "0%" if percent else None)
    if late:
        value, doubt = (
            None,
            Doubt(
                "SC303", "a formula saved without its result (open and save the workbook in Excel or LibreOffice first)"
            ),
        )
    if doubt is None:
        return value
    code = doubt.code if doubt.code in ("SC302", "SC304", "SC305") else "SC303"
    read = "read as no data" if value is None else "read so"
    cells.found.append(
        Finding(
            code,
            f"{doubt.text}; {read} in the history of KPI '{cells.kpi_id}'",
            Where(sheet=cells.grid.sheet, cell=cells.grid.ref(cells.row, column)),
        )
    )
    return value


def _decimals(cells: RowCells, present: list[str], finding: ScaleFinding | None) -> int:
    """The decimals a KPI is shown and compared at: the rules' when they give any (the KPI's, else
    defaults.decimals), else the most its figure cells display, else 1 (formats unknown).

    A cell with a fixed format shows its format's decimals (0.0% shows 1, of percent points); a
    General cell shows its number as stored, to 10 significant digits (84.96 shows 2). A figure read
    in another scale than its cell shows (a corrected one) says nothing about precision.
    """
    rule, rules = cells.rule, cells.rules
    fixed: dict[int, tuple[int, str]] = {}  # column -> (decimals shown, format)
    general: list[int] = []
    for name in present:
        if name not in cells.columns or cells.from_rules(name) or (finding and name in finding.corrected):
            continue
        column = cells.columns[name]
        number_format = cells.formats[column - 1] if column <= len(cells.formats) else None
        stored = cells.values[column - 1] if column <= len(cells.values) else None
        if number_format is None or not isinstance(stored, (int, float)) or isinstance(stored, bool):
            continue
        # a fraction read in percent points by layout.percent: fraction shows two decimals fewer as points
        shift = 2 if is_percent_format(cells.as_stored(number_format)) and not is_percent_format(number_format) else 0
        shown = format_decimals(number_format)
        if shown is not None:
            fixed[column] = (max(0, shown - shift), number_format)
        elif is_general(number_format):
            general.append(max(0, general_decimals(stored) - shift))
    given = rule.decimals if rule and rule.decimals is not None else rules.decimals if rules.decimals_line else None
    if given is None:
        return max([d for d, _ in fixed.values()] + general, default=rules.decimals)
    differ = {cells.grid.ref(cells.row, c): shown for c, shown in fixed.items() if shown[0] != given}
    if differ:
        line = rule.line_of("decimals") if rule and rule.decimals is not None else rules.decimals_line
        listed = ", ".join(
            f"{ref} shows {d} (format {f})" for ref, (d, f) in sorted(differ.items(), key=lambda i: (len(i[0]), i[0]))
        )
        cells.found.append(
            Finding(
                "SC604",
                f"KPI '{cells.kpi_id}': the rules give {given} decimals (line {line}) but cell {listed}; it is rated "
                f"at {given}, as the rules say: change the rules or the cell format if they should agree",
                cells.grid.line(cells.row),
            )
        )
    return given
