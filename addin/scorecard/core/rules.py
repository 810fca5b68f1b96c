"""The rules file: YAML, schema version 1, validated with messages that name the YAML line.

The JSON Schema shipped beside this module (``rules.schema.json``) is the one definition of
the format: editors use it to validate and complete a rules file, and ``load_rules`` runs the
same schema, then the checks a schema cannot express (a floor on the wrong side of the target,
the same KPI twice). YAML is read with a safe loader only.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from ..errors import RulesError
from .a1 import column_number
from .model import Compare, Rag, Unit
from .paper import DEFAULT as NO_PAPER
from .paper import Paper, parse_paper
from .polarity import POLARITY_CHOICES, POLARITY_WORDS, Polarity
from .rulesyaml import QUOTE_LIMIT, Map, combine, cut, line_of, load_document, quote
from .spc import SpcSettings

DEFAULT_COLOURS = {
    Rag.GREEN: "C6EFCE",
    Rag.AMBER: "FFEB9C",
    Rag.RED: "FFC7CE",
    Rag.NO_DATA: "D9D9D9",
    Rag.NOT_RATED: "FFFFFF",
}

DEFAULT_HEADERS = {"rag": "RAG", "direction": "DOT"}

# fills of the optional SPC columns (layout.columns.variation, .assurance): light tints of Making Data
# Count's icon colours (blue improvement, orange concern, grey common cause and hit and miss, purple
# neither), pale enough for black text
DEFAULT_SPC_COLOURS = {
    "improvement": "BDD7EE",
    "concern": "F8CBAD",
    "common cause": "E7E6E6",
    "neither": "E4DFEC",
    "pass": "BDD7EE",
    "fail": "F8CBAD",
    "hit and miss": "E7E6E6",
}


@dataclass(frozen=True)
class KpiRule:
    """What the rules say about one KPI; anything left None is read from the workbook."""

    id: str
    line: int
    name: str | None = None
    polarity: Polarity | None = None
    unit: Unit | None = None
    decimals: int | None = None
    compare: Compare | None = None
    target: float | None = None
    floor: float | None = None
    green_within: float | None = None
    amber_within: float | None = None
    share: bool = False  # a share of a whole: a percentage that cannot pass 100% or go below 0
    cumulative: bool | None = None  # a running total to date: judged against its profile, never by its rise
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)  # key -> YAML line

    def line_of(self, key: str) -> int:
        """The YAML line of one of this KPI's keys (its target, its decimals...), else the KPI's own."""
        return self.lines.get(key, self.line)


@dataclass(frozen=True)
class Layout:
    columns: dict[str, str]
    sheet: str | None = None
    header_row: int | None = None
    history: bool = False
    percent: Literal["format", "fraction", "points"] = "format"  # how percentages are stored
    hidden_rows: Literal["rate", "skip"] | None = (
        None  # rate | skip: KPI rows hidden in the workbook; None: not set (rated, with a warning)
    )
    hidden_columns: Literal["rate", "skip"] | None = None  # period columns hidden in the workbook; None: warned
    add_missing_columns: bool = False  # create absent RAG/direction columns instead of refusing
    rag_text: Literal["words", "initials"] | None = None  # Green or G; None: as the RAG column is written, else words
    first_row: int | None = None  # the table's bounds, when the rules give them (else found)
    last_row: int | None = None
    last_column: int | None = None
    targets_by_period: Literal["columns", "rows"] | None = None  # a profile; None: found where it leaves no doubt
    kpis_in: Literal["rows", "columns"] = "rows"  # columns: one KPI per column, periods down the rows
    # comparator columns, read and never written: label as the narrative and JSON name it -> header
    benchmarks: dict[str, str] = field(default_factory=dict)
    # fields whose column the rules give by its letter ({column: F}): field -> column number (A is 1);
    # ``columns`` holds such a field's header too when the rules give one, which must then be there
    letters: dict[str, int] = field(default_factory=dict)

    def names(self, field_name: str) -> bool:
        """Whether the rules give this field a column, by header or by letter."""
        return field_name in self.columns or field_name in self.letters


@dataclass(frozen=True)
class Rules:
    layout: Layout
    title: str = "Scorecard"
    period_current: str | None = None
    period_previous: str | None = None
    decimals: int = 1
    decimals_line: int | None = None  # where defaults.decimals is given; None: the rules do not say
    compare: Compare = "displayed"
    unit: Unit = "number"
    colours: dict[Rag, str] = field(default_factory=lambda: dict(DEFAULT_COLOURS))
    spc: SpcSettings = field(default_factory=SpcSettings)  # statistical process control (core.spc)
    spc_colours: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SPC_COLOURS))
    narrative_sheet: str = "Narrative"
    section: int = 1
    sparkline_type: str = "line"  # sparklines: how the sparklines in layout.columns.trend are drawn
    sparkline_markers: tuple[str, ...] = ("last",)
    sparkline_scale: str | None = None  # own | zero; None: zero for columns, own for lines
    sparkline_axis: str | None = (
        None  # target | floor: figures drawn measured from it (its line is the axis); None: as they are
    )
    sparkline_axis_line: int | None = None  # where sparklines.axis is given, for warnings
    kpis: dict[str, KpiRule] = field(default_factory=dict)
    report: Paper = NO_PAPER  # the committee paper's particulars (the report: block, core.paper)
    source: str = "<rules>"
    sha256: str = ""

    @property
    def provenance(self) -> str:
        return f"{Path(self.source).name} (sha256 {self.sha256[:12]})"


# --- schema validation ----------------------------------------------------------------------


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The JSON Schema of the rules format, as shipped for editors."""
    from importlib import resources  # here: it imports tempfile and shutil, which a refresh needs no more

    return json.loads(resources.files(__package__).joinpath("rules.schema.json").read_text("utf-8"))


def _describe_path(document: Any, path: list[Any]) -> str:
    text, node = "", document
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
            node = node[step] if isinstance(node, list) and step < len(node) else None
            if isinstance(node, dict) and "id" in node:
                text += f" ({quote(node['id']).strip(chr(39))})"
        else:
            text += f".{step}" if text else str(step)
            node = node.get(step) if isinstance(node, dict) else None
    return text or "the top level"


_BOUND_WORDS = {
    "maximum": "more than the largest allowed,",
    "minimum": "less than the smallest allowed,",
    "maxLength": "longer than the most characters allowed,",
    "minLength": "shorter than the fewest characters allowed,",
    "maxItems": "more items than allowed,",
    "minItems": "fewer items than allowed,",
}


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(str(word).lower(), [c.lower() for c in choices], n=1, cutoff=0.6)
    if not close:
        return ""
    original = next(c for c in choices if c.lower() == close[0])
    return f" (did you mean '{original}'?)"


def _schema_messages(document: Any, source: str) -> list[RulesError]:
    from .schema import iter_errors  # JSON Schema 2020-12 as the jsonschema package applies it, without its start-up

    problems: list[RulesError] = []
    for error in sorted(iter_errors(schema(), document), key=lambda e: [str(p) for p in e.absolute_path]):
        if error.validator == "anyOf" and isinstance(error.instance, dict):
            # a mapping where a text or a mapping may stand ({column: F}): the mapping's own problems
            error = next((e for e in error.context or () if e.validator != "type"), error)
        path = list(error.absolute_path)
        where = _describe_path(document, path)
        line = line_of(document, path)
        if error.validator == "additionalProperties":
            allowed = sorted(error.schema.get("properties", {}))
            for key in sorted(set(error.instance) - set(allowed), key=str):
                hint = _did_you_mean(str(key)[:QUOTE_LIMIT], allowed)
                problems.append(
                    RulesError(
                        f"unknown key {quote(key)} in {where}{hint}; allowed keys: {', '.join(allowed)}",
                        file=source,
                        line=line_of(document, path + [key]),
                    )
                )
            continue
        if error.validator == "required":
            message = f"{where} is missing the required key {error.message.split(' is a required')[0]}"
        elif error.validator == "enum":
            canonical = [str(c) for c in error.validator_value]
            hint = _did_you_mean(str(error.instance)[:QUOTE_LIMIT], canonical)
            message = f"{where}: {quote(error.instance)} is not one of {', '.join(canonical)}{hint}"
        elif error.validator == "pattern" and path and path[-1] == "polarity":
            hint = _did_you_mean(" ".join(str(error.instance)[:QUOTE_LIMIT].split()), sorted(POLARITY_WORDS))
            if any(mark in str(error.instance).lower() for mark in ("/", " or ")):
                hint = " (it names both ways; choose one)"
            message = f"{where}: {quote(error.instance)} is not one of {POLARITY_CHOICES}{hint}"
        elif error.validator == "const":
            message = f"{where} must be {error.validator_value!r}, not {quote(error.instance)}"
        elif error.validator in ("anyOf", "pattern") and "description" in error.schema:
            message = f"{where}: {quote(error.instance)} is not valid: {error.schema['description']}"
        elif error.validator == "type":
            expected = error.validator_value
            expected = " or ".join(expected) if isinstance(expected, list) else expected
            message = (
                f"{where} should be {'an' if expected[0] in 'aeiou' else 'a'} {expected}, not {quote(error.instance)}"
            )
        elif error.validator in ("maximum", "minimum", "maxLength", "minLength", "maxItems", "minItems"):
            message = f"{where}: {quote(error.instance)} is {_BOUND_WORDS[error.validator]} {error.validator_value}"
        else:
            message = f"{where}: {cut(error.message)}"
        problems.append(RulesError(message, file=source, line=line))
    return problems


# --- building the Rules -------------------------------------------------------------------------

_NUMBER = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+))\s*%?\s*$")


def parse_number(value: Any) -> float | None:
    """85, 85.0 and "85%" all mean 85 (percent points, as people read them)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            return float(value)
        except OverflowError:  # an integer of hundreds of digits: past any figure, refused as infinity is
            return math.inf if value > 0 else -math.inf
    if isinstance(value, str):
        match = _NUMBER.match(value)
        if match:
            return float(match.group(1))
    return None


def _kpi_rule(raw: Map, source: str) -> KpiRule:
    def number(key: str) -> float | None:
        return None if raw.get(key) is None else parse_number(raw[key])

    polarity = Polarity.parse(raw["polarity"]) if "polarity" in raw else None
    return KpiRule(
        id=str(raw["id"]).strip(),
        line=raw.line,
        name=raw.get("name"),
        polarity=polarity,
        unit=raw.get("unit"),
        decimals=raw.get("decimals"),
        compare=raw.get("compare"),
        target=number("target"),
        floor=number("floor"),
        green_within=raw.get("green_within"),
        amber_within=raw.get("amber_within"),
        share=bool(raw.get("share", False)),
        cumulative=raw.get("cumulative"),
        lines=dict(raw.lines),
    )


def check_target_and_floor(polarity: Polarity | None, target: float | None, floor: float | None) -> str | None:
    """The floor must sit on the bad side of the target; returns the complaint, if any."""
    if polarity is None or target is None or floor is None:
        return None
    if polarity is Polarity.HIGHER and floor > target:
        return (
            f"floor {floor:g} is above target {target:g}, but higher is better: the floor must be at or below "
            "the target"
        )
    if polarity is Polarity.LOWER and floor < target:
        return (
            f"floor {floor:g} is below target {target:g}, but lower is better: the floor must be at or above the target"
        )
    return None


def _orientation_checks(rules: Rules, document: Map, source: str) -> list[RulesError]:
    """{column: F} names a column of a table of KPI rows; {row: N} a row of a table of KPI columns."""
    across = rules.layout.kpis_in == "columns"
    problems = []
    for key, value in document["layout"]["columns"].items():
        if not isinstance(value, dict) or ("row" in value) == across:
            continue
        if across and key == "breakdown":  # a long table's breakdown is a column of it (reading/long.py)
            continue
        said, meant = ("{column: ...}", "{row: N}") if across else ("{row: ...}", "{column: F}")
        problems.append(
            RulesError(
                f"layout.columns.{key} is given as {said}, but with layout.kpis_in: {rules.layout.kpis_in} a field is "
                f"named by {meant} (or by its label)",
                file=source,
                line=line_of(document, ["layout", "columns", key]),
            )
        )
    return problems


def _semantic_checks(rules: Rules, document: Map, source: str) -> list[RulesError]:
    problems = _orientation_checks(rules, document, source)
    layout = document["layout"]
    spc = document.get("spc") or {}
    if spc.get("baseline") is not None and spc["baseline"] < spc.get("min_points", 15):
        problems.append(
            RulesError(
                f"spc.baseline {spc['baseline']} is fewer than spc.min_points {spc.get('min_points', 15)}: "
                "limits need at "
                "least min_points points; raise the baseline or lower min_points",
                file=source,
                line=line_of(document, ["spc", "baseline"]),
            )
        )
    for name in ("variation", "assurance"):
        if rules.layout.names(name) and not rules.layout.history:
            problems.append(
                RulesError(
                    f"layout.columns.{name} needs layout.history: true (the SPC verdicts are worked from the "
                    "history of period columns)",
                    file=source,
                    line=line_of(document, ["layout", "columns", name]),
                )
            )
    if not rules.layout.history and not rules.layout.names("current"):
        problems.append(
            RulesError(
                "layout.columns needs 'current' (the header of the current period's values) unless layout.history "
                "is true; 'previous' too, unless this is a first return with no earlier period",
                file=source,
                line=line_of(document, ["layout", "columns"]) or layout.line,
            )
        )
    if rules.layout.names("trend") and not rules.layout.history:
        problems.append(
            RulesError(
                "layout.columns.trend needs layout.history: true (a sparkline is drawn from the KPI's period columns)",
                file=source,
                line=line_of(document, ["layout", "columns", "trend"]) or layout.line,
            )
        )
    if "sparklines" in document and not rules.layout.names("trend"):
        problems.append(
            RulesError(
                "sparklines is set but layout.columns.trend is not: give the header of the column the sparklines go in",
                file=source,
                line=line_of(document, ["sparklines"]),
            )
        )
    problems += _benchmark_checks(rules, document, source)
    for key, number in rules.layout.letters.items():
        if number > MAX_COLUMN:
            problems.append(
                RulesError(
                    f"layout.columns.{key}: column {document['layout']['columns'][key]['column']} is beyond Excel's "
                    "last column, XFD",
                    file=source,
                    line=line_of(document, ["layout", "columns", key]),
                )
            )
    narrative = document.get("narrative")
    if isinstance(narrative, Map) and "sheet" in narrative:
        complaint = sheet_name_problem(str(narrative["sheet"]))
        if complaint:
            problems.append(RulesError(f"narrative.sheet {complaint}", file=source, line=narrative.lines["sheet"]))
    seen: dict[str, int] = {}
    for raw in document.get("kpis") or []:
        rule = _kpi_rule(raw, source)
        if rule.id in seen:
            problems.append(
                RulesError(
                    f"KPI '{rule.id}' is listed twice (first on line {seen[rule.id]})", file=source, line=rule.line
                )
            )
        seen.setdefault(rule.id, rule.line)
        for key in ("target", "floor", "green_within", "amber_within"):
            value, given = getattr(rule, key), raw.get(key)
            if isinstance(given, int) and not isinstance(given, bool) and abs(given) >= 10**300:
                problems.append(
                    RulesError(
                        f"KPI {quote(rule.id)}: {key} is a number of {len(str(abs(given))):,} digits, too large to "
                        "be a figure; write the figure, or leave the key out",
                        file=source,
                        line=raw.lines.get(key, rule.line),
                    )
                )
            elif isinstance(value, float) and not math.isfinite(value):
                problems.append(
                    RulesError(
                        f"KPI '{rule.id}': {key} must be a figure, not infinity or not-a-number (.inf, .nan); "
                        "write the figure, or leave the key out",
                        file=source,
                        line=raw.lines.get(key, rule.line),
                    )
                )
        complaint = check_target_and_floor(rule.polarity, rule.target, rule.floor)
        if complaint:
            problems.append(
                RulesError(f"KPI '{rule.id}': {complaint}", file=source, line=raw.lines.get("floor", rule.line))
            )
        if rule.share and rule.unit not in (None, "percent"):
            problems.append(
                RulesError(
                    f"KPI '{rule.id}': share applies only to percentages (a share of a whole), not unit {rule.unit}",
                    file=source,
                    line=raw.lines["share"],
                )
            )
        if rule.polarity is Polarity.TARGET:
            if rule.target is None:
                problems.append(
                    RulesError(f"KPI '{rule.id}' has polarity target but no target", file=source, line=rule.line)
                )
            if (
                rule.green_within is not None
                and rule.amber_within is not None
                and rule.green_within > rule.amber_within
            ):
                problems.append(
                    RulesError(
                        f"KPI '{rule.id}': green_within {rule.green_within:g} is wider than amber_within "
                        f"{rule.amber_within:g}",
                        file=source,
                        line=raw.lines.get("amber_within", rule.line),
                    )
                )
        elif rule.polarity is not None and (rule.green_within is not None or rule.amber_within is not None):
            key = "green_within" if "green_within" in raw else "amber_within"
            problems.append(
                RulesError(f"KPI '{rule.id}': {key} applies only to polarity target", file=source, line=raw.lines[key])
            )
    return problems


SHEET_NAME_FORBIDDEN = "[]:*?/\\"
MAX_COLUMN = 16_384  # XFD


def sheet_name_problem(name: str) -> str | None:
    """Why Excel would not accept ``name`` for a sheet it writes, or None: 1 to 31 characters, none of
    []:*?/\\ or a control character, not starting or ending with an apostrophe, not 'History' (which
    Excel keeps for itself). A workbook with such a sheet name is one Excel will not open."""
    shown = quote(name)
    if not name.strip():
        return "is empty: a sheet needs a name"
    if len(name) > 31:
        return f"{shown} is {len(name)} characters long; Excel's sheet names are at most 31"
    bad = sorted({c for c in name if c in SHEET_NAME_FORBIDDEN})
    if bad:
        return f"{shown} holds {' '.join(bad)}; Excel allows none of {SHEET_NAME_FORBIDDEN} in a sheet name"
    if any(not c.isprintable() for c in name):
        return f"{shown} holds a control character, which Excel does not allow in a sheet name"
    if name.startswith("'") or name.endswith("'"):
        return f"{shown} starts or ends with an apostrophe, which Excel does not allow in a sheet name"
    if name.casefold() == "history":
        return f"{shown} is a name Excel keeps for itself (the change history of a shared workbook); choose another"
    return None


def _benchmark_checks(rules: Rules, document: Map, source: str) -> list[RulesError]:
    """A benchmark column is read only: its header must not be another field's column, nor another label's."""
    problems: list[RulesError] = []
    raw = document["layout"]["columns"].get("benchmarks")
    if not isinstance(raw, Map):
        return problems
    others = {" ".join(v.split()).casefold(): f"layout.columns.{k}" for k, v in rules.layout.columns.items()}
    seen_labels: dict[str, str] = {}
    for label, header in raw.items():
        line = raw.lines[label]
        key = " ".join(str(header).split()).casefold()
        if key in others:
            problems.append(
                RulesError(
                    f"benchmark '{label}' is headed '{header}', the header of {others[key]}; a benchmark "
                    "needs a column of its own (benchmark columns are read, never written)",
                    file=source,
                    line=line,
                )
            )
        others.setdefault(key, f"benchmark '{label}'")
        folded = " ".join(str(label).split()).casefold()
        if folded in seen_labels:
            problems.append(
                RulesError(
                    f"benchmark labels '{seen_labels[folded]}' and '{label}' differ only in case or spacing; "
                    "give each benchmark its own label",
                    file=source,
                    line=line,
                )
            )
        seen_labels.setdefault(folded, str(label))
    return problems


def parse_rules(text: str, source: str = "<rules>") -> Rules:
    """Validate and build the rules from YAML text; raises RulesError naming the line."""
    document = load_document(text, source)
    if document is None:
        raise RulesError("the rules file is empty; it needs at least 'version: 1' and a 'layout'", file=source, line=1)
    if not isinstance(document, Map):  # the loader builds every mapping as a Map
        raise RulesError("the rules file must be a mapping of keys (version, layout, kpis, ...)", file=source, line=1)

    problems = _schema_messages(document, source)
    if problems:
        raise combine(problems)

    layout_doc = document["layout"]
    columns, letters = _columns(layout_doc["columns"])
    benchmarks = {
        " ".join(str(k).split()): str(v).strip() for k, v in (layout_doc["columns"].get("benchmarks") or {}).items()
    }
    defaults = document.get("defaults") or {}
    colours = dict(DEFAULT_COLOURS)
    spc_colours = dict(DEFAULT_SPC_COLOURS)
    for name, value in (document.get("colours") or {}).items():
        if name in spc_colours:
            spc_colours[name] = value.lstrip("#").upper()
        else:
            colours[Rag(name)] = value.lstrip("#").upper()
    spc_doc = document.get("spc") or {}
    period = document.get("period") or {}
    narrative = document.get("narrative") or {}
    rules = Rules(
        layout=Layout(
            columns=columns,
            sheet=layout_doc.get("sheet"),
            header_row=layout_doc.get("header_row"),
            history=bool(layout_doc.get("history", False)),
            percent=layout_doc.get("percent", "format"),
            hidden_rows=layout_doc.get("hidden_rows"),
            hidden_columns=layout_doc.get("hidden_columns"),
            add_missing_columns=bool(layout_doc.get("add_missing_columns", False)),
            rag_text=layout_doc.get("rag_text"),
            first_row=layout_doc.get("first_row"),
            last_row=layout_doc.get("last_row"),
            last_column=column_number(layout_doc["last_column"]) if "last_column" in layout_doc else None,
            targets_by_period=layout_doc.get("targets_by_period"),
            kpis_in=layout_doc.get("kpis_in", "rows"),
            benchmarks=benchmarks,
            letters=letters,
        ),
        title=document.get("title", "Scorecard"),
        period_current=period.get("current"),
        period_previous=period.get("previous"),
        decimals=defaults.get("decimals", 1),
        decimals_line=defaults.lines.get("decimals") if isinstance(defaults, Map) and "decimals" in defaults else None,
        compare=defaults.get("compare", "displayed"),
        unit=defaults.get("unit", "number"),
        colours=colours,
        spc=SpcSettings(
            min_points=spc_doc.get("min_points", 15),
            run_length=spc_doc.get("run_length", 7),
            baseline=spc_doc.get("baseline"),
            screen_outliers=spc_doc.get("screen_outliers", False),
            recalc=spc_doc.get("recalc", "never"),
        ),
        spc_colours=spc_colours,
        narrative_sheet=narrative.get("sheet", "Narrative"),
        section=narrative.get("section", 1),
        sparkline_type=(document.get("sparklines") or {}).get("type", "line"),
        # with an axis, the periods below its line are marked too unless the rules list the markers
        sparkline_markers=tuple(
            (document.get("sparklines") or {}).get(
                "markers", ("last", "negative") if (document.get("sparklines") or {}).get("axis") else ("last",)
            )
        ),
        sparkline_scale=(document.get("sparklines") or {}).get("scale"),
        sparkline_axis=(document.get("sparklines") or {}).get("axis"),
        sparkline_axis_line=line_of(document, ["sparklines", "axis"])
        if "axis" in (document.get("sparklines") or {})
        else None,
        kpis={rule.id: rule for rule in (_kpi_rule(raw, source) for raw in document.get("kpis") or [])},
        report=parse_paper(document.get("report"), source),
        source=source,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    problems = _semantic_checks(rules, document, source)
    if problems:
        raise combine(problems)
    return rules


def _columns(raw: dict[str, Any]) -> tuple[dict[str, str], dict[str, int]]:
    """layout.columns as headers (field -> header text) and letters (field -> column number)."""
    columns: dict[str, str] = {}
    letters: dict[str, int] = {}
    for key, value in raw.items():
        if key == "benchmarks":
            continue
        if isinstance(value, dict):
            letters[key] = column_number(str(value["column"])) if "column" in value else int(value["row"])
            if value.get("header") is not None:
                columns[key] = str(value["header"]).strip()
        else:
            columns[key] = str(value).strip()
    return columns, letters


def load_rules(path: str | os.PathLike[str]) -> Rules:
    """Read and validate a rules file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RulesError("rules file not found", file=path) from None
    except OSError as error:
        raise RulesError(f"cannot read the rules file: {error.strerror}", file=path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RulesError(f"not UTF-8 text (byte {error.start}); save the rules file as UTF-8", file=path) from None
    return parse_rules(text, source=str(path))


_CACHE: dict[tuple[str, str], tuple[tuple[int, int, int], Rules]] = {}


def load_rules_cached(path: str | os.PathLike[str]) -> Rules:
    """``load_rules``, remembered until the file changes (modification time, size or inode).

    Batch workers and worksheet functions ask for the same rules many times a second, so the
    check is one ``stat`` of the path as given (relative paths keyed with the working folder).
    """
    text = os.fspath(path)
    key = (text, "" if os.path.isabs(text) else os.getcwd())
    try:
        stat = os.stat(text)
    except OSError:
        return load_rules(path)  # raises the proper "not found" message
    stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    cached = _CACHE.get(key)
    if cached is None or cached[0] != stamp:
        cached = _CACHE[key] = (stamp, load_rules(path))
    return cached[1]
