"""Reading a KPI table, stage by stage: header, rows, period series, then each KPI.

``read_table`` runs the stages in order, each taking the typed results of those before it, and keeps
them as the ``Reading`` the explain view shows (``scorecard check --explain``): which row is the
header, what each column holds and how that was decided, which rows are KPIs, the period series, and
where each KPI's figure, target and floor came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ...errors import WorkbookError
from ..a1 import column_letter
from ..findings import Finding, Where
from ..model import Kpi, Polarity, Rag
from ..rules import Rules
from ..statuswords import listed_words, read_status_words, status_of
from .across import read_across
from .cells import read_value, says_something
from .grid import Grid
from .header import SPC_COLUMNS, Header, key_bound, read_header
from .kpi import SHARED_FIELDS, read_kpi
from .long import is_long, read_long
from .profile import Profile, Threshold
from .result import KpiTable, Reading
from .rows import HIDDEN_WORDS, KpiRow, Rows, read_rows
from .series import Series, read_series


def read_table(grid: Grid, rules: Rules, *, period: str | None = None) -> KpiTable:
    """Find the KPI table the rules describe and read every KPI row of it (``period``: --period).

    KPI rows hidden in the workbook are rated or skipped as ``layout.hidden_rows`` says, and named either way.
    One KPI per column (``layout.kpis_in: columns``) is read across (``across.read_across``); with a
    breakdown column as well, a breakdown at a time (``long.read_long``).
    """
    if is_long(rules):
        return read_long(grid, rules, period, _read_one)
    return _read_one(grid, rules, period)


def _read_one(grid: Grid, rules: Rules, period: str | None) -> KpiTable:
    if rules.layout.kpis_in == "columns":
        grid, rules = read_across(grid, rules)
    header = read_header(grid, rules)
    rows = read_rows(grid, rules, header)
    skip_hidden = rules.layout.hidden_rows == "skip"
    series = read_series(grid, rules, header, rows.read(skip_hidden), period)
    if grid.transposed:
        rows = _code_columns(grid, rules, rows, series)
    columns = dict(header.columns)
    if series.current_column is not None:
        columns["current"] = series.current_column
    if series.previous_column is not None:
        columns["previous"] = series.previous_column
    added = _added_columns(rules, header, columns)
    found: list[Finding] = [*rows.findings, *series.findings]
    if header.beside is not None:
        found.append(
            Finding(
                "SC113",
                f"another table stands beside this one (its id header in {header.ref(header.beside)}): its KPIs are "
                "not read, nor counted in the narrative; give it a sheet of its own, or say where this table ends "
                "(layout.last_column) to read this one alone without this warning",
                Where(sheet=grid.sheet, cell=header.ref(header.beside)),
            )
        )
    if grid.transposed:
        found.append(
            Finding(
                "SC110",
                "one KPI per column (layout.kpis_in: columns): refresh writes the Narrative sheet; each KPI's RAG "
                "and direction are in it, in check and in the report, and are not written into the table",
                Where(sheet=grid.sheet),
            )
        )
    reading = Reading(header, rows, series)
    kpis, skipped = _read_kpis(grid, rules, columns, rows, series, found, reading)
    kpis = _sections(grid, header, kpis)
    if not kpis:
        raise WorkbookError(
            "no KPI rows under this header row: a KPI row needs an id in column "
            f"'{rules.layout.columns.get('id', column_letter(columns['id']))}' and a value, target or floor"
            + (" (hidden KPI rows are skipped: layout.hidden_rows)" if skipped else ""),
            sheet=grid.sheet,
            row=header.row,
        )
    found += _table_findings(grid, rules, columns, header, kpis, skipped)
    found += _profile_findings(grid, rules, series, kpis, reading)
    rag_words = _rag_words(grid, rules, columns, added, kpis, found)
    return KpiTable(
        sheet=grid.sheet,
        header_row=header.row,
        columns=columns,
        kpis=kpis,
        period=series.period,
        added_columns=added,
        findings=found,
        header_top=header.top,
        repeated_headers=list(rows.repeated_headers),
        history_columns=series.all_columns,
        rag_words=rag_words,
        reading=reading,
        across=grid.transposed,
    )


SECTION_LONGEST = 80  # characters: a longer lone text between KPI rows is a note, not a section heading


def _code_columns(grid: Grid, rules: Rules, rows: Rows, series: Series) -> Rows:
    """Read across, a labelled column holding text in every period and a figure in none is a column of codes
    or notes ('(a)', '(h)' keyed to a notes sheet), not a KPI: it is listed as such (and the rules can list it
    as a KPI), never read as a KPI with no data in every period."""
    periods = series.all_columns
    if len(periods) < 2:
        return rows
    codes: dict[int, str] = {}
    for candidate in rows.candidates:
        if candidate.id in rules.kpis:
            continue
        cells = [grid.value(candidate.row, c) for c in periods]
        read = [read_value(v, None) for v in cells if v is not None]
        if len(read) == len(periods) and all(number is None and doubt is not None for number, doubt in read):
            shown = ", ".join(dict.fromkeys(f"'{v}'" for v in cells if v is not None))
            codes[candidate.row] = f"text in every period, no figure: a column of codes or notes ({shown[:60]})"
    if not codes:
        return rows
    return replace(
        rows,
        candidates=tuple(k for k in rows.candidates if k.row not in codes),
        not_kpis={**rows.not_kpis, **codes},
    )


def _sections(grid: Grid, header: Header, kpis: list[Kpi]) -> list[Kpi]:
    """Each KPI's section: the workbook's own heading over it ("Health", "Workforce and placements"), a row
    between KPI rows holding one short text and nothing else; a KPI under no heading keeps the one before."""
    out: list[Kpi] = []
    above, section = header.row, None
    for kpi in kpis:
        for row in range(kpi.row - 1, above, -1):
            texts = [v for v in grid.row(row) if v is not None and str(v).strip()]
            if len(texts) == 1 and isinstance(texts[0], str) and len(texts[0].strip()) <= SECTION_LONGEST:
                section = " ".join(texts[0].split())
                break
        out.append(replace(kpi, section=section) if section else kpi)
        above = kpi.row
    return out


def written_columns(rules: Rules) -> tuple[str, ...]:
    """The columns a refresh writes: RAG, direction and (when the rules name them) the SPC verdicts."""
    return ("rag", "direction", *(name for name in SPC_COLUMNS if rules.layout.names(name)))


def _added_columns(rules: Rules, header: Header, columns: dict[str, int]) -> dict[str, int]:
    """Written columns the sheet lacks, placed after its last column (the header stage allowed them)."""
    last = max(max(header.cells, default=0), max(columns.values()))
    added: dict[str, int] = {}
    for name in written_columns(rules):
        if name not in columns:
            last += 1
            columns[name] = added[name] = last
    return added


def _read_kpis(
    grid: Grid,
    rules: Rules,
    columns: dict[str, int],
    rows: Rows,
    series: Series,
    found: list[Finding],
    reading: Reading,
) -> tuple[list[Kpi], set[str]]:
    kpis: list[Kpi] = []
    seen: dict[str, int] = {}
    skipped: set[str] = set()
    hidden_rated: list[str] = []
    merges = {name: [a for a in grid.merged if a[1] <= columns[name] <= a[3]] for name in written_columns(rules)}
    header = reading.header
    keys = {n: key_bound(n, header.cells.get(columns[n])) for n in ("target", "floor") if header.found.get(n) == "key"}
    for candidate in rows.candidates:
        if candidate.hidden and rules.layout.hidden_rows == "skip":
            if _skipped(grid, rules, columns, candidate, found):
                skipped.add(candidate.id)
            continue
        sources: dict[str, str] = {}
        profile = profile_of(candidate.row, rows, series)
        kpi = read_kpi(grid, rules, columns, candidate.row, candidate.id, found, series.history, sources, profile, keys)
        if kpi is None:
            reading.empty_rows.append(candidate.row)
            continue
        kpi = replace(kpi, breakdown=candidate.breakdown) if candidate.breakdown else kpi
        _check_unique(grid, columns, candidate, seen)
        _check_unmerged(grid, columns, candidate, merges)
        seen[kpi.key] = candidate.row
        reading.sources[kpi.key] = sources
        kpis.append(kpi)
        if candidate.hidden:
            where = f"KPI '{kpi.id}' (row {candidate.row}, {HIDDEN_WORDS.get(candidate.hidden, candidate.hidden)})"
            if rules.layout.hidden_rows is None:
                hidden_rated.append(where)
            else:
                found.append(Finding("SC504", f"{where}: rated (layout.hidden_rows: rate)", Where(sheet=grid.sheet)))
    if hidden_rated:
        found.append(
            Finding(
                "SC506",
                f"{len(hidden_rated)} KPI {'row is' if len(hidden_rated) == 1 else 'rows are'} hidden in the "
                f"workbook and rated like the others: {'; '.join(hidden_rated)}. Set layout.hidden_rows to skip to "
                "leave hidden KPIs out, or to rate to keep them without this warning",
                Where(sheet=grid.sheet),
            )
        )
    return kpis, skipped


def profile_of(row: int, rows: Rows, series: Series) -> Profile | None:
    """Where a KPI's targets and floors for the current and previous period are, when they change by period:
    in the Target (and Floor) rows under it, or in the target columns beside each period."""
    now, before = series.current_column, series.previous_column
    if row in rows.profiles:
        below = rows.profiles[row]
        cells = {kind: (_cell(r, now), _cell(r, before)) for kind, r in below.items()}
        return Profile(cells, f"the {' and '.join(k.capitalize() for k in below)} row under the KPI")
    if not series.targets:
        return None
    found: dict[Threshold, tuple[tuple[int, int] | None, tuple[int, int] | None]] = {}
    for kind in ("target", "floor"):
        at_now = series.targets.get(now or 0, {}).get(kind)
        at_before = series.targets.get(before or 0, {}).get(kind)
        if at_now or at_before:
            found[kind] = (_cell(row, at_now), _cell(row, at_before))
    return Profile(found, "a target column for each period") if found else None


def _cell(row: int | None, column: int | None) -> tuple[int, int] | None:
    return None if row is None or column is None else (row, column)


def _skipped(grid: Grid, rules: Rules, columns: dict[str, int], candidate: KpiRow, found: list[Finding]) -> bool:
    """A hidden KPI row left out (layout.hidden_rows: skip), named in a note; not one when it holds nothing."""
    try:
        probe = read_kpi(grid, rules, columns, candidate.row, candidate.id, [])
    except WorkbookError:
        probe = None
        is_kpi = True  # an id with figures that would not read: still a KPI row left out
    else:
        is_kpi = probe is not None
    if is_kpi:
        found.append(
            Finding(
                "SC503",
                f"KPI '{candidate.id}' (row {candidate.row}) is "
                f"{HIDDEN_WORDS.get(candidate.hidden or '', candidate.hidden)}: skipped (layout.hidden_rows: skip), "
                "not rated or counted",
                Where(sheet=grid.sheet),
            )
        )
    return is_kpi


BREAKDOWN_HINT = (
    " (or, for one measure by area or age band, name the column that tells the rows apart: layout.columns.breakdown)"
)


def _check_unique(grid: Grid, columns: dict[str, int], candidate: KpiRow, seen: dict[str, int]) -> None:
    if candidate.key not in seen:
        return
    loosely = (
        f", where it is written '{candidate.written}': ids match whatever their case and spaces"
        if candidate.written != candidate.id
        else ""
    )
    parts = "" if "breakdown" in columns else BREAKDOWN_HINT
    raise WorkbookError(
        f"KPI id '{candidate.key}' appears twice (rows {seen[candidate.key]} and {candidate.row}{loosely}); each KPI "
        f"needs its own id{parts}",
        sheet=grid.sheet,
        cell=grid.ref(candidate.row, columns["id"]),
    )


def _check_unmerged(
    grid: Grid, columns: dict[str, int], candidate: KpiRow, merges: dict[str, list[tuple[int, int, int, int]]]
) -> None:
    """A KPI's RAG or direction cell inside merged cells cannot take its own value: refused."""
    for name, areas in merges.items():
        merged = next((a for a in areas if a[0] <= candidate.row <= a[2]), None)  # as grid.merged_range finds it
        if merged and merged[:2] != merged[2:]:
            raise WorkbookError(
                f"the {name} cell of KPI '{candidate.id}' is part of merged cells "
                f"{grid.ref(merged[0], merged[1])}:{grid.ref(merged[2], merged[3])}; unmerge the RAG and direction "
                "cells of KPI rows",
                sheet=grid.sheet,
                cell=grid.ref(candidate.row, columns[name]),
            )


def _table_findings(
    grid: Grid, rules: Rules, columns: dict[str, int], header: Header, kpis: list[Kpi], skipped: set[str]
) -> list[Finding]:
    """What only the whole table shows: the engine's limits, merges across fields, the rules' KPIs missing
    from the sheet, and KPIs the rules leave out."""
    found = _engine_findings(grid, rules, kpis)
    fields = {columns[name]: name for name in SHARED_FIELDS if name in columns}
    for block in grid.merged:  # merged across columns as well as down: one value for two fields is no field's own
        crossed = sorted({fields[c] for c in range(block[1], block[3] + 1) if c in fields})
        if (
            block[1] != block[3]
            and block[2] > header.row
            and crossed
            and any(block[0] <= k.row <= block[2] for k in kpis)
        ):
            found.append(
                Finding(
                    "SC401",
                    f"merged across columns, so the {' and '.join(crossed)} of the KPIs in rows {block[0]}-{block[2]} "
                    "cannot be told apart and are read as blank below its first row; unmerge them and give each "
                    "column its own value",
                    Where(sheet=grid.sheet, cell=f"{grid.ref(block[0], block[1])}:{grid.ref(block[2], block[3])}"),
                )
            )
    seen = {k.id for k in kpis}
    for kpi_id, rule in rules.kpis.items():
        if kpi_id not in seen and kpi_id not in skipped:
            found.append(
                Finding(
                    "SC507",
                    f"KPI '{kpi_id}' is in the rules but not in sheet '{grid.sheet}'",
                    Where(line=rule.line),
                )
            )
    return found + _unlisted(grid, rules, columns, kpis) + _no_thresholds(grid, rules, columns, kpis)


def _profile_findings(grid: Grid, rules: Rules, series: Series, kpis: list[Kpi], reading: Reading) -> list[Finding]:
    """Say that targets change by period and where they were read, once a table (a note), and name the
    profiled KPIs whose previous period has no target of its own (a warning: its last RAG is not rated)."""
    profiled = [k for k in kpis if k.profiled]
    if not profiled:
        return []
    where = {k.id: reading.sources.get(k.id, {}).get("target", "") for k in profiled}
    how = "a target column for each period" if series.targets else "the Target row under each KPI"
    stated = f" (layout.targets_by_period: {rules.layout.targets_by_period})" if rules.layout.targets_by_period else ""
    found = [
        Finding(
            "SC408",
            f"targets change by period{stated}: {len(profiled)} KPI{'s' if len(profiled) != 1 else ''} "
            f"{'are' if len(profiled) != 1 else 'is'} rated against each period's own target, read from {how} "
            f"(e.g. KPI '{profiled[0].id}': {where[profiled[0].id]})",
            Where(sheet=grid.sheet),
        )
    ]
    for kpi in profiled:
        if kpi.previous is not None and kpi.previous_target is None and kpi.previous_floor is None:
            found.append(
                Finding(
                    "SC409",
                    f"KPI '{kpi.id}' has no target for {series.period.previous}, so its RAG for that period is not "
                    "rated and no change of RAG is reported; fill in the previous period's target",
                    grid.line(kpi.row),
                )
            )
    return found


def _engine_findings(grid: Grid, rules: Rules, kpis: list[Kpi]) -> list[Finding]:
    found = []
    sheet = Where(sheet=grid.sheet)
    if not grid.hidden_rows_known and rules.layout.hidden_rows == "skip":
        found.append(
            Finding(
                "SC901",
                "this engine cannot tell which rows are hidden, so every KPI row is rated and layout.hidden_rows: "
                "skip is not applied; refresh from the command line or desktop Excel to skip them",
                sheet,
            )
        )
    elif not grid.hidden_rows_known:
        columns = rules.layout.history and not grid.hidden_columns_known
        found.append(
            Finding(
                "SC902",
                "hidden rows are not known on this engine; every KPI row is rated, hidden or not"
                + ("; nor are hidden columns: a hidden period column is read like any other" if columns else ""),
                sheet,
            )
        )
    if not grid.merged_known and any(k.target is None or k.floor is None or k.polarity is None for k in kpis):
        found.append(
            Finding(
                "SC903",
                "merged cells are not known on this engine, so a target, floor or polarity merged down over several "
                "KPIs' rows is read for its first row only; refresh from the command line or desktop Excel to read "
                "it for each",
                sheet,
            )
        )
    if (
        grid.formats is None
        and rules.decimals_line is None
        and any(k.id not in rules.kpis or rules.kpis[k.id].decimals is None for k in kpis)
    ):
        found.append(
            Finding(
                "SC904",
                "number formats cannot be read here, so KPIs whose rules give no decimals are shown and compared at "
                f"{rules.decimals}; give defaults.decimals in the rules to be sure",
                sheet,
            )
        )
    return found


def _no_thresholds(grid: Grid, rules: Rules, columns: dict[str, int], kpis: list[Kpi]) -> list[Finding]:
    """A polarity column and no target or floor column anywhere: the KPIs it gives a polarity cannot be rated, and
    the sheet says they are meant to be (an IPR's 'Operational Standard' the reader did not take for a target)."""
    if "polarity" not in columns or "target" in columns or "floor" in columns or rules.layout.targets_by_period:
        return []
    unrated = [k.id for k in kpis if k.is_activity and k.polarity is not None and k.id not in rules.kpis]
    if not unrated:
        return []
    shown = ", ".join(unrated[:5]) + (f" and {len(unrated) - 5} more" if len(unrated) > 5 else "")
    return [
        Finding(
            "SC410",
            f"the sheet gives polarities (column {column_letter(columns['polarity'])}) but no target or floor column "
            f"was found, so {len(unrated)} KPI{'s are' if len(unrated) > 1 else ' is'} not rated: {shown}; name the "
            "target column (layout.columns.target) and floor column, or give targets in the rules",
            Where(sheet=grid.sheet, column=column_letter(columns["polarity"])),
        )
    ]


def _unlisted(grid: Grid, rules: Rules, columns: dict[str, int], kpis: list[Kpi]) -> list[Finding]:
    """KPIs the rules leave out: a note when their rows describe them fully, else a warning each."""
    if not rules.kpis:
        return []
    found: list[Finding] = []
    described: list[Kpi] = []
    for kpi in kpis:
        if kpi.id in rules.kpis:
            continue
        if described_by_row(grid, columns, kpi.row, kpi):
            described.append(kpi)
        else:
            how = "an activity indicator (not rated)" if kpi.is_activity else "rated from the workbook's columns"
            line = f"column {column_letter(kpi.row)}" if grid.transposed else f"row {kpi.row}"
            found.append(
                Finding("SC505", f"KPI '{kpi.id}' ({line}) is not in the rules: {how}", Where(sheet=grid.sheet))
            )
    for activity, how in (
        (False, "rated by the workbook's polarity, target and floor columns"),
        (True, "with no polarity, target or floor in the workbook: not rated, as activity indicators"),
    ):
        ids = [k.id for k in described if k.is_activity is activity]
        if ids:
            count = f"{len(ids)} KPI" if len(ids) == 1 else f"{len(ids)} KPIs"
            found.append(
                Finding("SC508", f"{count} not in the rules, {how}: {', '.join(ids)}", Where(sheet=grid.sheet))
            )
    return found


def _listed(rules: Rules, listed: dict[Rag, str], where: Where, found: list[Finding]) -> Mapping[Rag, str]:
    """The RAG column's list validation decides its spelling: the summaries counting it (COUNTIF "G") count
    the list's words. Noted when the rules' rag_text says otherwise."""
    ratings = ", ".join(listed[r] for r in (Rag.GREEN, Rag.AMBER, Rag.RED))
    chosen = rules.layout.rag_text
    if chosen is not None and read_status_words([], chosen)[0][Rag.GREEN] != listed[Rag.GREEN]:
        found.append(
            Finding(
                "SC811",
                f"the RAG column's drop-down list (data validation) allows {ratings}, so the statuses are written "
                f"so, not as layout.rag_text: {chosen} says",
                where,
            )
        )
    return listed


def described_by_row(grid: Grid, columns: dict[str, int], row: int, kpi: Kpi) -> bool:
    """Whether a KPI the rules leave out is fully described by its row, so needs no warning.

    Rules that list only some KPIs are normal. A row whose polarity column gives the polarity and
    which has a target and a floor is rated as the workbook says; in a table with target and floor
    columns, a row with none of polarity, target and floor is plainly an activity indicator.
    Anything in between (a polarity inferred, a floor missing) keeps the warning.
    """
    if "target" not in columns or "floor" not in columns:
        return False
    given = None
    shown = grid.value(row, columns["polarity"]) if "polarity" in columns else None
    if shown is None and "polarity" in columns and (area := grid.shared_by_rows(row, columns["polarity"])):
        shown = grid.value(area[0], area[1])  # merged down over several KPIs' rows
    if says_something(shown):
        given = Polarity.from_cell(shown)
        if given is None:
            return False
    if kpi.is_activity:
        return given is None
    return given is not None and given is kpi.polarity and kpi.target is not None and kpi.floor is not None


def _rag_words(
    grid: Grid, rules: Rules, columns: dict[str, int], added: dict[str, int], kpis: list[Kpi], found: list[Finding]
) -> Mapping[Rag, str]:
    """How the RAG column spells the statuses (Green or G): RAG formulas decide, then the rules
    (layout.rag_text), then what the column already holds."""
    rag_cells = [grid.value(k.row, columns["rag"]) for k in kpis] if "rag" in columns and "rag" not in added else []
    # RAG formulas are kept and coloured by what they show: their spelling decides, whatever the rules choose
    shown_by_formulas = any((k.row, columns["rag"]) in grid.formulas for k in kpis) if rag_cells else False
    where = Where(sheet=grid.sheet, column=column_letter(columns["rag"])) if "rag" in columns else Where()
    listed = listed_words(grid.choices.get(columns["rag"], ())) if "rag" in columns else None
    if listed is not None and not shown_by_formulas:
        return _listed(rules, listed, where, found)
    rag_words, mixed = read_status_words(rag_cells, None if shown_by_formulas else rules.layout.rag_text)
    if (
        not grid.choices_known
        and rules.layout.rag_text is None
        and not shown_by_formulas
        and not any(status_of(cell) for cell in rag_cells)
    ):
        found.append(
            Finding(
                "SC908",
                "this engine cannot read the RAG column's drop-down list (data validation), and the column holds no "
                "status yet, so the statuses are written as words; if its list allows only G, A and R, set "
                "layout.rag_text: initials so Excel and the command line write alike",
                where,
            )
        )
    if shown_by_formulas and rules.layout.rag_text and rag_words != read_status_words([], rules.layout.rag_text)[0]:
        found.append(
            Finding(
                "SC801",
                "the RAG formulas show the statuses as "
                f"{', '.join(rag_words[r] for r in (Rag.GREEN, Rag.AMBER, Rag.RED))}, so their colours, and any "
                "status scorecard writes in that column, follow that spelling, not layout.rag_text: "
                f"{rules.layout.rag_text}",
                where,
            )
        )
    if mixed:
        code = "SC803" if rules.layout.rag_text and not shown_by_formulas else "SC802"
        found.append(Finding(code, mixed, where))
    return rag_words
