"""Worksheet functions (xlwings UDFs) applying the same rules as Refresh and the command line.

In desktop Excel on Windows, xlwings calls these through the VBA wrappers built into the add-in
(``ScorecardFunctions``), or through the ones xlwings' own add-in writes with "Import Functions":
the wrappers call nothing but xlwings, and the number formats are read here, in Python. VBA function
names cannot contain a dot, so Excel's names are ``SCORECARD_RAG`` and so on (see the README).
Elsewhere the xlwings decorators do nothing and
these are plain Python functions, which is how the tests call them.

Rules files are cached until they change (``load_rules_cached``), so a sheet of a thousand
``SCORECARD_RAG`` cells reads its rules once. Bad arguments return a short text starting with
``#`` (a UDF cannot return a custom Excel error) instead of raising into Excel's error dialog.

Percentages are read as the rules mean them (``layout.percent``): by the cell's number format where
the engine passes it (desktop Excel), as fractions or as points where the rules say so. xlwings Lite
and a number typed into the formula carry no format, so a percent-formatted 95% arrives as 0.95: where
a figure and the KPI's thresholds then differ about 100-fold (the scale check Refresh applies), the
function returns an error naming the finding (SC950) rather than a colour it cannot be sure of.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable
from typing import Any, NamedTuple

import xlwings as xw

from ..core.embedded import parse_cells
from ..core.engine import direction as _direction
from ..core.engine import rate
from ..core.model import Direction, Kpi, Polarity
from ..core.numfmt import cell_decimals
from ..core.reading import Grid, id_key, is_percent_format, read_threshold, read_value
from ..core.rules import Rules, load_rules_cached
from ..core.spc import analyse
from ..core.statuswords import status_of
from ..core.units import Figure, function_scale_unknown, scale_check, within_scale
from ..errors import ScorecardError
from ..usecases import Evaluation, evaluate_grid

__all__ = [
    "RAG",
    "DIRECTION",
    "SCORECARD_RAG",
    "SCORECARD_DIRECTION",
    "SCORECARD_COUNT",
    "SCORECARD_NARRATIVE",
    "SCORECARD_TABLE",
    "SCORECARD_SPC",
]


RULES_RANGE = "the rules range"  # how errors in rules given as a range name their place


class _BadArgument(Exception):
    pass


def _format(cells: Any) -> str | None:
    """The number format of a cell argument: xlwings gives the cell itself (an ``xw.Range``) for a
    reference and None for a literal; a text is taken as the format (as tests and VBA may pass it)."""
    if isinstance(cells, str) or cells is None:
        return cells
    try:
        number_format = cells[0, 0].number_format if cells.shape != (1, 1) else cells.number_format
    except Exception:  # not a range, or Excel would not say
        return None
    return number_format if isinstance(number_format, str) else None


def _figure(value: Any, number_format: Any = None) -> float | None:
    """A value as Refresh reads it: a percent-formatted cell is in percent points."""
    if isinstance(value, str) and value.startswith("#"):
        return None  # an Excel error passed through
    return read_value(value, _format(number_format))[0]


class _Argument(NamedTuple):
    """A figure or threshold argument as read: the stored value, its number format (None: the engine or a
    literal says none), and the number in the KPI's scale."""

    name: str
    stored: Any
    number_format: str | None
    value: float | None
    scaled: bool  # read x100, as a percentage stored as its fraction


def _read(name: str, value: Any, cells: Any, rules: Rules | None = None, unit: str = "number") -> _Argument:
    """A figure argument read as ``layout.percent`` says (as the table reader decides): by the cell's
    format (``format``, the default), as a fraction for a percent KPI (``fraction``), or as it stands."""
    number_format = _format(cells)
    mode = rules.layout.percent if rules is not None else "format"
    stored_as = number_format if mode == "format" else "0%" if mode == "fraction" and unit == "percent" else None
    return _Argument(name, value, number_format, _figure(value, stored_as), is_percent_format(stored_as))


def _rules_threshold(name: str, value: float | None) -> _Argument:
    return _Argument(name, None, None, value, False)


def _percent_kpi(kpi: Kpi, figures: list[_Argument]) -> bool:
    """Whether a KPI of the rules may be a percentage: its unit says so, a figure's cell is formatted as
    one, or no unit is stated and a figure came with no number format (Lite, a typed number)."""
    if kpi.unit == "percent" or any(is_percent_format(a.number_format) for a in figures):
        return True
    return kpi.unit == "number" and any(a.number_format is None for a in figures if a.value is not None)


def _scale_problem(
    who: str, figures: list[_Argument], thresholds: list[_Argument], rules: Rules | None, unit: str = "number"
) -> str | None:
    """The error a function returns when a percentage's figures and thresholds differ about 100-fold, so
    that its scale is in doubt (the check Refresh applies to a KPI's cells); None when they agree."""
    known = [a for a in figures + thresholds if a.value is not None]
    if within_scale([a.value for a in known if a.value is not None]):
        return None
    found = scale_check(
        who,
        "",
        [
            Figure(a.name, a.value, None if a.stored is None else a.name, a.stored, a.number_format, a.scaled, 0)
            for a in known
            if a.value is not None
        ],
    )
    if found is None:
        return None
    return function_scale_unknown(
        who,
        [(a.name, a.value) for a in known if a.value is not None],
        rules.layout.percent if rules is not None else None,
        any(a.number_format is None for a in figures),
        unit == "percent",
    )


def _threshold(argument: Any, what: str, number_format: Any = None) -> float | None:
    if argument is None or argument == "":
        return None
    number = read_threshold(argument, _format(number_format))
    if number is None:
        raise _BadArgument(f"#VALUE! {what} {argument!r} is not a number")
    return number


def _polarity(argument: Any) -> Polarity:
    polarity = Polarity.parse(argument)
    if polarity is None:
        raise _BadArgument(
            f"#VALUE! polarity {argument!r}: use higher, lower or target (H/L/T, Up/Down, Higher is better ...)"
        )
    return polarity


def _decimals(argument: Any, *cells: tuple[Any, Any]) -> int:
    """The decimals given, else the most the argument cells display (as Refresh decides), else 1."""
    if argument is None or argument == "":
        return _shown_decimals(*cells) or 1
    if (
        isinstance(argument, (int, float))
        and not isinstance(argument, bool)
        and float(argument).is_integer()
        and 0 <= argument <= 10
    ):
        return int(argument)
    raise _BadArgument(f"#VALUE! decimals {argument!r}: a whole number from 0 to 10")


def _shown_decimals(*cells: tuple[Any, Any]) -> int | None:
    """The most decimals any of the (value, number format) cells displays; None when none can say.

    A literal argument has no format (xlwings passes None for its cells), so it says nothing."""
    formats = [(value, _format(cells_or_format)) for value, cells_or_format in cells]
    shown = [
        cell_decimals(value if isinstance(value, (int, float)) and not isinstance(value, bool) else None, number_format)
        for value, number_format in formats
        if number_format
    ]
    return max((d for d in shown if d is not None), default=None)


def _rules_decimals(kpi: Kpi, rules: Rules, *cells: tuple[Any, Any]) -> Kpi:
    """The KPI with the decimals its cells display when the rules give none, as Refresh compares it."""
    rule = rules.kpis.get(kpi.id)
    if (rule and rule.decimals is not None) or rules.decimals_line is not None:
        return kpi
    shown = _shown_decimals(*cells)
    return kpi if shown is None else dataclasses.replace(kpi, decimals=shown)


def udf(**cells_of: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a worksheet function; ``cells_of`` maps hidden arguments to the argument whose cells they get.

    A hidden argument is not in Excel's signature: the VBA wrapper passes it the same argument again
    (``vba=``), and xlwings hands it over as the cells themselves (``xw.Range``) rather than their
    values, so that the number format is read here and a percent-formatted cell is read in percent
    points exactly as Refresh reads it. The wrapper needs no helper of ours: xlwings' own "Import
    Functions" writes one that works as well as the add-in's. The same table drives xlwings on
    Windows (``xw.arg``) and our VBA generator (``xlam``).
    """

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        wrapped = _errors_as_text(function)
        wrapped.__scorecard_vba__ = {"caller": "Nothing", **cells_of}  # type: ignore[attr-defined]  # read by xlam's generator
        for name, argument in cells_of.items():
            wrapped = xw.arg(name, xw.Range, vba=argument)(wrapped)
        return xw.func(category="Scorecard")(wrapped)

    return decorate


def _errors_as_text(function: Callable[..., Any]) -> Callable[..., Any]:
    """Return the message as the cell's value instead of raising into Excel."""

    @functools.wraps(function)  # keeps the name and signature xlwings reads to build the Excel function
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except _BadArgument as error:
            return str(error)
        except ScorecardError as error:
            return f"#SCORECARD! {error}"

    return wrapper


def _rules(rules_path: Any, caller: Any) -> Rules:
    """The rules file named in the formula, or the rules' lines given as a range (such as the embedded
    sheet's ScorecardRules!A1:A60), else the file the calling workbook names (as Refresh finds it)."""
    if isinstance(rules_path, (list, tuple)):  # a column comes as a list of values, a block as rows
        cells = [row[0] if isinstance(row, (list, tuple)) and row else row for row in rules_path]
        return parse_cells([None if c == [] else c for c in cells], RULES_RANGE)
    if isinstance(rules_path, str) and rules_path.strip():
        path = rules_path.strip()
        if not os.path.isabs(path) and caller is not None:
            path = os.path.join(os.path.dirname(caller.sheet.book.fullname), path)
        return load_rules_cached(path)
    if caller is not None:
        from .bookrules import find_rules  # the same search as the ribbon's

        return load_rules_cached(find_rules(caller.sheet.book))
    raise _BadArgument("#VALUE! no rules file: give rules_path or name it in the workbook (ScorecardRules)")


def _matrix(argument: Any) -> list[list[Any]] | None:
    """A 2D argument as a list of rows: xlwings gives lists for ranges; a VBA array may come as tuples."""
    if isinstance(argument, (list, tuple)) and argument and all(isinstance(row, (list, tuple)) for row in argument):
        return [list(row) for row in argument]
    return None


def _range_formats(cells: Any) -> list[list[str | None]] | None:
    """Number formats of every cell of a range argument, one call per run of equal formats down each
    column (as the ribbon reads them); None for a literal or an engine that cannot say."""
    if cells is None or not hasattr(cells, "sheet"):
        return None
    from .reader import column_formats

    rows, columns = cells.shape
    try:
        by_column = [
            column_formats(cells.sheet, cells.column + j, cells.row, cells.row + rows - 1) for j in range(columns)
        ]
    except Exception:
        return None
    return [[by_column[j][i] for j in range(columns)] for i in range(rows)]


def _direction_of(polarity: Polarity, current: float | None, previous: float | None, decimals: int) -> Direction | None:
    # The KPI is rated (it has a target) so travel is improved/declined, not increased/decreased;
    # for higher and lower polarity the target's value plays no part in the direction.
    kpi = Kpi(id="", name="", polarity=polarity, current=current, previous=previous, target=0.0, decimals=decimals)
    return _direction(kpi)


_KPIS: dict[tuple[int, str], tuple[Rules, Kpi]] = {}


def _kpi_from_rules(rules: Rules, kpi_id: Any) -> Kpi:
    """The KPI as the rules define it, built once per rules object (a new file is a new object)."""
    key = str(int(kpi_id) if isinstance(kpi_id, float) and kpi_id.is_integer() else kpi_id).strip()
    cached = _KPIS.get((id(rules), key))
    if cached is not None and cached[0] is rules:
        return cached[1]
    if len(_KPIS) > 10_000:
        _KPIS.clear()
    kpi = _build_kpi(rules, key)
    _KPIS[(id(rules), key)] = (rules, kpi)
    return kpi


def _build_kpi(rules: Rules, key: str) -> Kpi:
    rule = rules.kpis.get(key)
    if rule is None:  # as refresh matches a sheet's id: ignoring case and spaces, when one rules id fits
        loose = [k for k in rules.kpis if id_key(k) == id_key(key)]
        rule = rules.kpis[loose[0]] if len(loose) == 1 else None
    if rule is None:
        raise _BadArgument(f"#N/A KPI {key!r} is not in {os.path.basename(rules.source)}")
    return Kpi(
        id=key,
        name=rule.name or key,
        polarity=rule.polarity,
        current=None,
        previous=None,
        target=rule.target,
        floor=rule.floor,
        unit=rule.unit or rules.unit,
        decimals=rules.decimals if rule.decimals is None else rule.decimals,
        compare=rule.compare or rules.compare,
        green_within=rule.green_within,
        amber_within=rule.amber_within,
    )


@udf(value_format="value", target_format="target", floor_format="floor")
def RAG(value, target, floor, polarity, decimals=None, value_format=None, target_format=None, floor_format=None):  # type: ignore[no-untyped-def]  # xlwings reads type hints as converters: none here
    """RAG status of a value: Green, Amber, Red, Not rated (no target and floor) or No data."""
    kpi = Kpi(
        id="",
        name="",
        polarity=_polarity(polarity),
        current=None,
        previous=None,
        target=_threshold(target, "target", target_format),
        floor=_threshold(floor, "floor", floor_format),
        decimals=_decimals(decimals, (value, value_format), (target, target_format), (floor, floor_format)),
    )
    figure = _read("value", value, value_format)
    thresholds = [
        _Argument(name, stored, _format(cells), number, is_percent_format(_format(cells)))
        for name, stored, cells, number in (
            ("target", target, target_format, kpi.target),
            ("floor", floor, floor_format, kpi.floor),
        )
    ]
    if any(is_percent_format(a.number_format) for a in [figure, *thresholds]):  # a percentage, by its cells
        problem = _scale_problem("RAG", [figure], thresholds, None)
        if problem:
            return problem
    return rate(figure.value, kpi).value


@udf(current_format="current", previous_format="previous")
def DIRECTION(current, previous, polarity, decimals=None, current_format=None, previous_format=None):  # type: ignore[no-untyped-def]  # xlwings reads type hints as converters: none here
    """Direction of travel: improved, declined or same (by polarity); empty when a value is missing.

    For polarity target the direction depends on the target: use SCORECARD_DIRECTION.
    """
    polarity = _polarity(polarity)
    if polarity is Polarity.TARGET:
        raise _BadArgument("#VALUE! polarity target needs its target: use SCORECARD_DIRECTION")
    shown = _decimals(decimals, (current, current_format), (previous, previous_format))
    figures = [_read("current", current, current_format), _read("previous", previous, previous_format)]
    if any(is_percent_format(a.number_format) for a in figures):
        problem = _scale_problem("DIRECTION", figures, [], None)
        if problem:
            return problem
    moved = _direction_of(polarity, figures[0].value, figures[1].value, shown)
    return "" if moved is None else moved.value


@udf(value_format="value")
def SCORECARD_RAG(value, kpi_id, rules_path=None, value_format=None, caller=None):  # type: ignore[no-untyped-def]  # xlwings reads type hints as converters: none here
    """RAG status of a value for a KPI of the rules file (target, floor, polarity and decimals from it)."""
    rules = _rules(rules_path, caller)
    kpi = _rules_decimals(_kpi_from_rules(rules, kpi_id), rules, (value, value_format))
    figure = _read("value", value, value_format, rules, kpi.unit)
    if _percent_kpi(kpi, [figure]):
        thresholds = [_rules_threshold("target", kpi.target), _rules_threshold("floor", kpi.floor)]
        problem = _scale_problem(kpi.id, [figure], thresholds, rules, kpi.unit)
        if problem:
            return problem
    return rate(figure.value, kpi).value


@udf(current_format="current", previous_format="previous")
def SCORECARD_DIRECTION(  # type: ignore[no-untyped-def]  # xlwings reads type hints as converters: none here
    current, previous, kpi_id, rules_path=None, current_format=None, previous_format=None, caller=None
):
    """Direction of travel for a KPI of the rules file: improved/declined/same, or increased/decreased."""
    rules = _rules(rules_path, caller)
    kpi = _rules_decimals(_kpi_from_rules(rules, kpi_id), rules, (current, current_format), (previous, previous_format))
    figures = [
        _read("current", current, current_format, rules, kpi.unit),
        _read("previous", previous, previous_format, rules, kpi.unit),
    ]
    if _percent_kpi(kpi, figures):
        thresholds = [_rules_threshold("target", kpi.target), _rules_threshold("floor", kpi.floor)]
        problem = _scale_problem(kpi.id, figures, thresholds, rules, kpi.unit)
        if problem:
            return problem
    moved = _direction(dataclasses.replace(kpi, current=figures[0].value, previous=figures[1].value))
    return "" if moved is None else moved.value


@udf()
def SCORECARD_COUNT(rag_range, status):  # type: ignore[no-untyped-def]  # xlwings reads type hints as converters: none here
    """How many cells of the range hold the status (Green, Amber, Red, No data, Not rated), in any of its
    spellings (Green, GREEN, G): a column written in initials counts as one written in words."""
    wanted = status_of(str(status))
    if wanted is None:
        raise _BadArgument(f"#VALUE! status {status!r}: Green, Amber, Red, No data or Not rated")
    rows = rag_range if isinstance(rag_range, list) else [rag_range]
    cells = [c for row in rows for c in (row if isinstance(row, list) else [row])]
    return sum(1 for c in cells if status_of(c) is wanted)


def _evaluate_range(table_range: Any, rules_path: Any, table_formats: Any, caller: Any) -> Evaluation:
    """A KPI table given as a range (its header row first) evaluated as Refresh evaluates the sheet."""
    rules = _rules(rules_path, caller)
    rows = _matrix(table_range)
    if rows is None:
        raise _BadArgument("#VALUE! table_range must be the KPI table, its header row included")
    formats = _matrix(table_formats) if isinstance(table_formats, (list, tuple)) else _range_formats(table_formats)
    rules = dataclasses.replace(rules, layout=dataclasses.replace(rules.layout, header_row=None, sheet=None))
    return evaluate_grid(
        Grid(sheet="(formula range)", values=rows, formats=formats, hidden_rows_known=False, merged_known=False), rules
    )


@udf(table_formats="table_range")
def SCORECARD_NARRATIVE(table_range, rules_path=None, table_formats=None, caller=None):  # type: ignore[no-untyped-def]  # xlwings reads type hints as converters: none here
    """The narrative paragraphs for a KPI table (its header row included), one per row: a dynamic array."""
    result = _evaluate_range(table_range, rules_path, table_formats, caller)
    return [[line] for line in result.narrative.lines()]


def table_values(
    table_range: Any, rules_path: Any = None, table_formats: Any = None, caller: Any = None
) -> list[list[Any]]:
    """The evaluated KPI table as rows of values, the header row first: one row per KPI, one column per
    field of a KPI in ``narrative --format json`` (nested objects spread into ``spc.mean`` ... columns, as
    ``scorecard.read_scorecard`` spreads them), so the table and the JSON cannot drift apart."""
    from ..core.summary import as_dict
    from ..frame import columns as frame_columns
    from ..frame import flatten

    result = _evaluate_range(table_range, rules_path, table_formats, caller)
    records = flatten(as_dict(result.scorecard, result.narrative)["kpis"])
    columns = frame_columns(records)
    return [columns] + [[_cell(record.get(column)) for column in columns] for record in records]


def _cell(value: Any) -> Any:
    """A JSON value as a cell holds it: a list (such as the SPC rules a point breaks) as one text."""
    return ", ".join(str(item) for item in value) if isinstance(value, (list, tuple)) else value


@udf(table_formats="table_range")
def SCORECARD_TABLE(table_range, rules_path=None, table_formats=None, caller=None):  # type: ignore[no-untyped-def]  # xlwings reads type hints as converters: none here
    """The evaluated KPI table (its header row included), one row per KPI with the JSON's fields: a dynamic array."""
    return table_values(table_range, rules_path, table_formats, caller)  # rows: Excel spills them, None is empty


@udf(history_formats="history")
def SCORECARD_SPC(history, polarity, target=None, history_formats=None):  # type: ignore[no-untyped-def]  # xlwings reads type hints as converters: none here
    """Making Data Count's variation for a run of figures, oldest first (a row or a column): improvement,
    concern, common cause, or neither (a special cause on a KPI with no good side: polarity target or
    blank). With fewer than 15 figures, "#N/A" and why. Blanks and texts are left out, as Refresh does;
    a percent-formatted cell is read in percent points, as the target is given."""
    rows = _matrix(history)
    cells = (
        [c for row in rows for c in row]
        if rows is not None
        else list(history)
        if isinstance(history, (list, tuple))
        else [history]
    )
    formats = (
        _matrix(history_formats) if isinstance(history_formats, (list, tuple)) else _range_formats(history_formats)
    )
    shapes = [f for row in formats for f in row] if formats else [None] * len(cells)
    if len(shapes) != len(cells):
        shapes = [None] * len(cells)
    figures = [_figure(value, number_format) for value, number_format in zip(cells, shapes, strict=True)]
    side = None if polarity is None or (isinstance(polarity, str) and not polarity.strip()) else _polarity(polarity)
    spc = analyse(figures, side, _threshold(target, "target"))
    if spc.variation is None:
        return f"#N/A {spc.reason}"
    return spc.variation.value
