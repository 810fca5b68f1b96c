"""Findings: what scorecard tells the analyst beside the result, each with a code, a severity and a place.

A finding is a fact about the input that the analyst may need to act on: a text in a figure cell, a
period header that could not be read, a KPI the rules list but the sheet lacks. Every one has

- a stable **code** (``SC301``) that ``docs/findings.md`` explains (made from ``KINDS`` below, and kept
  in step by a test) and that tests assert, so a message can be reworded without breaking anything;
- a **severity**: a *warning* means the result may be wrong, and ``--strict`` refuses it; a *note*
  records how something was read, and is never refused;
- a **place** (``Where``): the file, sheet and cell, range or row, or a line of the rules file;
- a **message**: a sentence or two in the analyst's words saying what was found and what to do.

Errors that stop a job are ``scorecard.errors.ScorecardError``; a finding never stops one by itself.
The codes are grouped by hundreds, as ``docs/findings.md`` lists them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any


class Severity(enum.Enum):
    WARNING = "warning"  # the result may be wrong: printed, and refused by --strict
    NOTE = "note"  # how something was read, for the record: printed, never refused


@dataclass(frozen=True)
class Where:
    """Where a finding is: a cell, range or row of a sheet, or a line of the rules; every part optional."""

    file: str | None = None
    sheet: str | None = None
    cell: str | None = None  # "H7", or a range "A5:A9"
    column: str | None = None  # a whole column, by its letter, when no one cell is meant
    row: int | None = None  # a whole row, when no one cell is meant
    line: int | None = None  # a line of the rules file

    def __str__(self) -> str:
        parts = []
        if self.sheet is not None:
            place = f"sheet '{self.sheet}'"
            if self.cell:
                place += f", {'cells' if ':' in self.cell else 'cell'} {self.cell}"
            elif self.column:
                place += f", column {self.column}"
            elif self.row:
                place += f", row {self.row}"
            parts.append(place)
        if self.line is not None:
            parts.append(f"rules line {self.line}")
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


@dataclass(frozen=True)
class Kind:
    """One kind of finding as ``docs/findings.md`` documents it."""

    code: str
    name: str  # a short slug: text-in-figure
    severity: Severity
    means: str  # what it means and what to do, in a sentence or two


@dataclass(frozen=True)
class Finding:
    """One finding: a kind (by its code), a message and a place."""

    code: str
    message: str
    where: Where = Where()

    def __post_init__(self) -> None:
        if self.code not in KINDS:
            raise ValueError(f"unknown finding code {self.code!r}: add it to scorecard.core.findings.KINDS")

    @property
    def kind(self) -> Kind:
        return KINDS[self.code]

    @property
    def severity(self) -> Severity:
        return KINDS[self.code].severity

    @property
    def is_warning(self) -> bool:
        return self.severity is Severity.WARNING

    def __str__(self) -> str:
        place = str(self.where)
        return f"{place}: {self.message}" if place else self.message

    def line(self) -> str:
        """As the command line prints it: ``warning SC301 sheet 'Scorecard', cell H7: ...``."""
        return f"{self.severity.value} {self.code} {self}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.kind.name,
            "severity": self.severity.value,
            "where": self.where.as_dict(),
            "message": self.message,
        }


def warnings(found: Iterable[Finding]) -> list[Finding]:
    return [f for f in found if f.is_warning]


def notes(found: Iterable[Finding]) -> list[Finding]:
    return [f for f in found if not f.is_warning]


W, N = Severity.WARNING, Severity.NOTE

# The catalogue. A code, once published, keeps its meaning; a kind no longer found is retired, not reused.
# 1xx the sheet, its header and columns   2xx periods               3xx cell values
# 4xx targets, floors and polarity        5xx KPI rows and ids      6xx units, scale and decimals
# 7xx commentary, narrative and report    8xx what a refresh writes 9xx engines, rules and installs
_CATALOGUE = (
    # --- 1xx the sheet, its header and columns
    Kind(
        "SC110",
        "kpis-across-narrative-only",
        N,
        (
            "One KPI per column (layout.kpis_in: columns): refresh writes the Narrative sheet; the KPIs' RAG "
            "and direction are in it, in check and in the report, not in the table."
        ),
    ),
    Kind(
        "SC111",
        "sheet-found-by-header",
        N,
        "The rules name no sheet and the first holds no id header: the one sheet that does is read.",
    ),
    Kind(
        "SC112",
        "several-sheets-hold-the-table",
        W,
        (
            "The rules name no sheet and several sheets hold a table with the id header: the first of them is"
            " read. Name the sheet with layout.sheet."
        ),
    ),
    Kind(
        "SC113",
        "table-beside-not-read",
        W,
        "Another table stands beside the KPI table (its id header again, after a blank column): it is not read.",
    ),
    # --- 2xx periods
    Kind(
        "SC201",
        "later-period-not-read",
        W,
        (
            "A header names a period later than the current one but is not read as a period column, so an "
            "older period is reported as the latest. Head the column as a period, or move it out of the "
            "table."
        ),
    ),
    Kind(
        "SC202",
        "figures-off-series",
        N,
        (
            "KPI rows hold figures only under period headers of another cadence than the history's (annual "
            "KPIs on a monthly sheet): they read as no data."
        ),
    ),
    Kind(
        "SC203",
        "period-differs-from-column",
        W,
        ("--period or period.current names another period than the current column's header: the header's is used."),
    ),
    Kind(
        "SC204",
        "previous-period-differs-from-column",
        W,
        ("period.previous in the rules names another period than the previous column's header: the header's is used."),
    ),
    Kind(
        "SC205",
        "current-period-unnamed",
        W,
        (
            "The current column's header names no period, so the narrative calls it by its header text. Name "
            "the periods in the rules or with --period."
        ),
    ),
    Kind(
        "SC206",
        "previous-period-unnamed",
        W,
        (
            "The previous column's header names no period, so the narrative calls it by its header text or "
            "'the period before'. Name the periods in the rules."
        ),
    ),
    Kind(
        "SC207",
        "period-column-hidden",
        W,
        (
            "The current or previous period's column is hidden in the workbook (a month hidden while it is"
            " filled in?) and is read as that period. Set layout.hidden_columns to say which you mean."
        ),
    ),
    # --- 3xx cell values
    Kind(
        "SC301",
        "not-a-figure",
        W,
        ("A figure cell holds something that is not a figure (a text, a date, TRUE): read as no data."),
    ),
    Kind(
        "SC302",
        "number-stored-as-text",
        W,
        ("A figure is stored as text; it is read as the number, but Excel's SUM and AVERAGE skip it."),
    ),
    Kind(
        "SC303",
        "history-cell-not-a-figure",
        W,
        ("A cell in a KPI's history (an older period) is not a figure: read as no data in its SPC chart."),
    ),
    Kind(
        "SC304",
        "error-value",
        W,
        (
            "A figure, target or floor cell holds an Excel error value (#N/A, #REF!, #DIV/0!, #VALUE! ...): "
            "read as no data, so the KPI may show No data or go unrated. Mend the formula behind it."
        ),
    ),
    Kind(
        "SC305",
        "text-of-unknown-scale",
        W,
        (
            "A bare number stored as text ('0.85') where percentages are read from fractions: its scale is "
            "not known, so it is read as no data. Enter it as a number."
        ),
    ),
    # --- 4xx targets, floors and polarity
    Kind(
        "SC401",
        "thresholds-merged-across-columns",
        W,
        ("Cells merged across the target and floor columns give one value for two fields."),
    ),
    Kind(
        "SC402",
        "polarity-from-threshold-words",
        W,
        ("A KPI has no polarity; it was taken from the words of its target or floor ('at least 85%')."),
    ),
    Kind(
        "SC403",
        "polarity-from-target-and-floor",
        W,
        ("A KPI has no polarity; it was taken from which side of the target its floor lies."),
    ),
    Kind(
        "SC404",
        "threshold-text",
        W,
        ("A target or floor typed as text is not one number, or states a bound against the KPI's polarity."),
    ),
    Kind(
        "SC405",
        "strict-bound-met-exactly",
        W,
        ("A target written with a strict bound ('> 85%') is met exactly by the figure, which is rated as reaching it."),
    ),
    Kind(
        "SC406",
        "threshold-merged-down",
        N,
        ("A target, floor or polarity is read from cells merged down over several KPIs' rows."),
    ),
    Kind(
        "SC407",
        "running-total-by-name",
        W,
        (
            "A KPI named as a running total ('year to date', 'YTD') is read as one: its rise is not called an"
            " improvement. Say so in the rules: cumulative: true (or false)."
        ),
    ),
    Kind(
        "SC408",
        "targets-by-period",
        N,
        (
            "Each KPI's targets change by period (a profile): each period is rated against its own period's "
            "target, read from a target column beside each period or a Target row under each KPI."
        ),
    ),
    Kind(
        "SC409",
        "previous-target-missing",
        W,
        (
            "A KPI whose targets change by period has no target for the previous period: its previous RAG is "
            "not rated, so no change of RAG is reported."
        ),
    ),
    Kind(
        "SC410",
        "polarity-without-thresholds",
        W,
        "The sheet gives KPIs a polarity but has no target or floor column: they are not rated.",
    ),
    Kind(
        "SC411",
        "two-sided-without-band",
        W,
        "A close-to-target KPI has no band (green_within), amber_within, floor or tolerance: Green only on target.",
    ),
    # --- 5xx KPI rows and ids
    Kind(
        "SC501",
        "row-not-a-kpi",
        N,
        ("A row with an id is read as something other than a KPI (a table's totals row, a repeated header)."),
    ),
    Kind(
        "SC502",
        "id-matched-loosely",
        N,
        ("A row's id matches a KPI of the rules only when case and spaces are ignored."),
    ),
    Kind("SC503", "hidden-kpi-skipped", N, "A KPI row hidden in the workbook is skipped (layout.hidden_rows: skip)."),
    Kind("SC504", "hidden-kpi-rated", N, "A KPI row hidden in the workbook is rated (layout.hidden_rows: rate)."),
    Kind(
        "SC505",
        "kpi-not-in-rules",
        W,
        ("A KPI on the sheet is not in the rules and its row does not describe it fully."),
    ),
    Kind(
        "SC506",
        "hidden-kpis-rated",
        W,
        ("KPI rows hidden in the workbook are rated like the others; set layout.hidden_rows to say which you mean."),
    ),
    Kind("SC507", "rules-kpi-not-on-sheet", W, "A KPI of the rules is not on the sheet."),
    Kind("SC508", "kpis-described-by-rows", N, "KPIs the rules leave out are rated (or not) from their own rows."),
    Kind(
        "SC509",
        "breakdown-column-found",
        N,
        (
            "Ids repeat on several rows, told apart by one column (an area, an age band): each row is read as"
            " a breakdown of its measure and rated on its own."
        ),
    ),
    Kind(
        "SC510",
        "long-table-read",
        N,
        (
            "A long table (a row per period and breakdown, a column per measure) is read one breakdown at a"
            " time: each measure of each breakdown is a KPI with its own series."
        ),
    ),
    Kind(
        "SC511",
        "breakdown-periods-differ",
        W,
        (
            "The rows of one breakdown of a long table do not hold the period the others are rated for: its"
            " KPIs are left out, not rated against another period."
        ),
    ),
    # --- 6xx units, scale and decimals
    Kind("SC601", "scale-slip", W, "A figure, target or floor is a hundred times too big or too small for the others."),
    Kind("SC602", "share-over-whole", W, "A share of a whole is over 100% or below 0%."),
    Kind("SC603", "ratio-disagrees", W, "A percentage disagrees with its numerator over its denominator."),
    Kind("SC604", "decimals-disagree", N, "The rules' decimals and the cells' number formats differ."),
    # --- 7xx commentary, narrative and report
    Kind("SC701", "commentary-contradicted", W, "Commentary says something the figures contradict."),
    Kind("SC702", "commentary-copied-forward", W, "Commentary is last month's, word for word, while the figure moved."),
    # --- 703-799 the committee paper (core/paper.py, core/narrative.py, word/)
    Kind(
        "SC703",
        "no-report-block",
        N,
        "The rules have no report: block: the paper's summary box, introduction and context are worded from the "
        "figures and name no committee, meeting or author. Add report: to the rules.",
    ),
    Kind("SC704", "report-key-missing", N, "The report: block leaves out a particular a whole paper gives."),
    Kind(
        "SC705",
        "commentary-held-back",
        N,
        "A sentence of commentary the figures contradict is left out of the narrative and the paper "
        "(report.commentary: hold). Correct the commentary to have it printed.",
    ),
    Kind(
        "SC706",
        "commentary-flagged",
        N,
        "A sentence of commentary the figures contradict is printed with a note of what the figures show "
        "(report.commentary: flag).",
    ),
    Kind("SC707", "count-without-noun", N, "A count's figures are written bare: name what it counts in report.nouns."),
    Kind(
        "SC708",
        "previous-meeting-other-period",
        N,
        "The scorecard at the previous meeting was for another period than the one compared with; the paper says so.",
    ),
    Kind(
        "SC709",
        "chart-without-history",
        N,
        "A Red KPI, or one that consistently misses its target, has no history of figures to chart (layout.history).",
    ),
    Kind(
        "SC710",
        "summary-renumbered",
        N,
        "The paper numbers the summary of performance as section 3, after its introduction and context; the "
        "Narrative sheet keeps narrative.section.",
    ),
    Kind(
        "SC711",
        "commentary-of-earlier-months",
        W,
        "A KPI's commentary tells of earlier months only, nothing of the current one: is it last month's?",
    ),
    # --- 8xx what a refresh writes
    Kind("SC801", "rag-formula-spelling", N, "RAG formulas decide how the statuses are spelt, not layout.rag_text."),
    Kind("SC802", "rag-spelling-mixed", W, "The RAG column spells the statuses in more than one way."),
    Kind(
        "SC803",
        "rag-spelling-mixed-rules-decide",
        N,
        ("The RAG column spells the statuses in more than one way; layout.rag_text decides."),
    ),
    Kind("SC804", "rag-formula-disagrees", W, "A RAG formula shows another rating than the rules give."),
    Kind("SC805", "formatting-hides-colours", W, "Conditional formatting would hide the colours a refresh writes."),
    Kind("SC806", "sparklines-drawn-by-hand", W, "The trend column holds sparklines scorecard did not draw."),
    Kind("SC807", "trend-sheet-stale", W, "The ScorecardTrend sheet is left from an earlier setting."),
    Kind("SC808", "sparkline-axis", W, "A sparkline cannot be drawn from its target or floor as sparklines.axis asks."),
    Kind(
        "SC809",
        "periods-not-adjacent",
        W,
        ("The period columns are not one run of adjacent columns, so no sparkline."),
    ),
    Kind(
        "SC810",
        "sparkline-without-line",
        N,
        ("An activity indicator's sparkline has no target or floor line to draw."),
    ),
    Kind(
        "SC811",
        "rag-spelling-from-list",
        N,
        (
            "The RAG column has a drop-down list (data validation) of statuses: they are written in its "
            "words, whatever layout.rag_text says."
        ),
    ),
    Kind(
        "SC850",
        "cell-text-cut",
        W,
        ("A text is longer than an Excel cell holds (32,767 characters): it is written cut, with a note saying so."),
    ),
    # --- 9xx engines, rules and installs
    Kind(
        "SC901",
        "hidden-rows-unknown-skip",
        W,
        ("This engine cannot tell hidden rows, so layout.hidden_rows: skip cannot be applied."),
    ),
    Kind(
        "SC902",
        "hidden-rows-unknown",
        N,
        "This engine cannot tell hidden rows (nor hidden period columns): every KPI row and period column is read.",
    ),
    Kind(
        "SC903",
        "merges-unknown",
        N,
        ("This engine cannot tell merged cells: a merged target is read for its first row."),
    ),
    Kind("SC904", "formats-unknown", N, "This engine cannot read number formats: decimals come from the rules."),
    Kind("SC905", "no-sparklines-here", N, "This engine cannot draw sparklines."),
    Kind("SC906", "embedded-rules-differ", W, "The rules embedded in the workbook differ from the rules used."),
    Kind(
        "SC907",
        "embedded-rules-broken",
        W,
        ("The rules embedded in the workbook do not load (they were not used: the rules given were)."),
    ),
    Kind(
        "SC908",
        "rag-list-unknown",
        N,
        (
            "This engine cannot read the RAG column's drop-down list (data validation): with an empty RAG "
            "column the statuses are written as words; set layout.rag_text to be sure."
        ),
    ),
    Kind(
        "SC950",
        "function-scale-unknown",
        W,
        (
            "A worksheet function's figures and thresholds differ about 100-fold, so it cannot tell a "
            "percentage from its fraction (xlwings Lite and typed numbers carry no cell format): it gives "
            "this error, not a colour. Give percent points, or say layout.percent: fraction in the rules."
        ),
    ),
    Kind(
        "SC951",
        "xlwings-dll-missing",
        W,
        (
            "xlwings' DLL is not in the folder of the Python Excel runs (pip put it in the user's folder, as "
            "it does without administrator rights into a Python installed for all users), so every worksheet "
            "function fails. Install xlwings there as an administrator, or use a Python of the user's own."
        ),
    ),
    Kind(
        "SC952",
        "addin-build-differs",
        W,
        (
            "The add-in was built from other sources than the scorecard its Python imports (an upgrade "
            "without scorecard addin install): run scorecard addin install again with that Python."
        ),
    ),
)

KINDS: dict[str, Kind] = {kind.code: kind for kind in _CATALOGUE}

_SECTIONS = {
    "1": "The sheet, its header and columns",
    "2": "Periods",
    "3": "Cell values",
    "4": "Targets, floors and polarity",
    "5": "KPI rows and ids",
    "6": "Units, scale and decimals",
    "7": "Commentary, narrative and report",
    "8": "What a refresh writes",
    "9": "Engines, rules and installs",
}


def catalogue_markdown() -> str:
    """docs/findings.md, made from the catalogue: ``python -m scorecard.core.findings > docs/findings.md``."""
    out = [
        "# Findings",
        "",
        "Every warning and note scorecard gives has a code, a severity and a place (file, sheet and cell, or a",
        "line of the rules). A **warning** means the result may be wrong: it is printed, and `--strict` refuses",
        "the workbook. A **note** records how something was read and is never refused. `check --format json`",
        "lists them as `findings`, each with `code`, `name`, `severity`, `where` and `message`.",
        "",
        "This page is made from `scorecard.core.findings.KINDS`; a test keeps the two the same.",
    ]
    section = None
    for kind in sorted(KINDS.values(), key=lambda k: k.code):
        if kind.code[2] != section:
            section = kind.code[2]
            out += [
                "",
                f"## {section}xx {_SECTIONS[section]}",
                "",
                "| code | name | severity | meaning |",
                "|---|---|---|---|",
            ]
        out.append(f"| {kind.code} | {kind.name} | {kind.severity.value} | {kind.means} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(catalogue_markdown(), end="")
