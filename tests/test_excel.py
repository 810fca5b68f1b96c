"""The ribbon macros on xlwings' remote engine agree with ``scorecard refresh`` cell for cell.

What this proves and what it does not: the macros are the same Python, calling the same xw.Book
API, that desktop Excel runs through RunPython; the remote engine turns those calls into actions,
which we replay. Desktop Excel's own execution of the calls is not exercised here (see README).
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

import test_trust_keep as keep
from clirun import run_cli
from conftest import SAMPLE, SAMPLE_RULES, sweep, write_book
from layouts import FORMULAS, MACROS, MONTHLY, Layout, make
from remote import action_counts, cells_of, payload, replay, run_macro
from scorecard.core.rules import load_rules
from scorecard.errors import ScorecardError
from scorecard.excel import ribbon as excel
from scorecard.excel import writer as excel_writer
from scorecard.excel.bookrules import find_rules
from scorecard.excel.journal import literal
from scorecard.excel.reader import column_formats
from scorecard.usecases import refresh_file

# The remote engine cannot read number formats, so a workbook storing percentages as fractions
# says so in its rules (layout.percent: fraction); batch and ribbon then read it the same way.
MONTHLY_FRACTION = Layout(
    name="monthly-fraction",
    suffix=".xlsx",
    rules=MONTHLY.rules.replace("history: true", "history: true\n  percent: fraction")
    + "defaults: {unit: percent}\nkpis:\n  - {id: D4, unit: count, decimals: 0}\n",
    build=MONTHLY.build,
    sheet=MONTHLY.sheet,
    expected=MONTHLY.expected,
    period=MONTHLY.period,
)


# Making Data Count's verdicts written beside RAG and direction: two more columns, added, text and fill
MONTHLY_SPC = dataclasses.replace(
    MONTHLY_FRACTION,
    name="monthly-spc-columns",
    rules=MONTHLY_FRACTION.rules.replace(
        "  columns: {id: Measure ID,",
        "  add_missing_columns: true\n  columns: {variation: Variation, assurance: Assurance, id: Measure ID,",
    )
    + "spc: {min_points: 6, run_length: 3}\n",
)


def _plain(path: Path) -> None:
    write_book(
        path,
        [
            ["KPI ref", "Measure", "Better when", "Aim", "Floor standard", "Previous", "Latest"],
            ["A-1", "Households in temporary accommodation", "L", 150, 180, 172, 168],
            ["A-2", "Homelessness prevented (%)", "H", 60, 50, 61.5, 58.0],
            ["A-3", "=1 leading equals in a name", "H", 10, 5, 4, 3],
            ["A-4", "Rough sleepers counted", None, None, None, 12, 9],
        ],
        sheet="Housing",
    )


PLAIN = Layout(
    name="plain-added-columns",
    suffix=".xlsx",
    rules="version: 1\ntitle: Housing Options\nlayout:\n  columns: {id: KPI ref, name: Measure, polarity: Better when, "
    "target: Aim, floor: Floor standard, current: Latest, previous: Previous}\nperiod: {current: April 2024}\n",
    build=_plain,
    sheet="Housing",
    expected={
        "A-1": ("Amber", "↑ improved"),
        "A-2": ("Amber", "↓ declined"),
        "A-3": ("Red", "↓ declined"),
        "A-4": ("Not rated", "↓ decreased"),
    },
    period=("April 2024", "the period before April 2024"),  # "Previous" says no spacing: March is not assumed
)


def _with_decimals(layout: Layout) -> Layout:
    """The remote engine cannot read number formats either, so the decimals a KPI's cells display are
    unknown there: a workbook used on it gives its decimals in the rules, and batch agrees."""
    return dataclasses.replace(layout, name=f"{layout.name}-decimals", rules=layout.rules + "defaults: {decimals: 1}\n")


def _sample(folder: Path) -> tuple[Path, Path]:
    book = folder / SAMPLE.name
    shutil.copyfile(SAMPLE, book)
    return book, SAMPLE_RULES


CASES = {
    "sample": _sample,
    "monthly-fraction": lambda folder: make(MONTHLY_FRACTION, folder),
    "macro-workbook": lambda folder: make(_with_decimals(MACROS), folder),
    "plain-added-columns": lambda folder: make(_with_decimals(PLAIN), folder),
    "monthly-spc-columns": lambda folder: make(MONTHLY_SPC, folder),
    # a RAG column typed in initials (G, A, R) is written in initials by both
    "rag-initials": lambda folder: (
        keep.build(folder / "book.xlsx", rag={i: "GAR"[i % 3] for i in range(len(keep.KPIS))}),
        keep.rules_file(folder, extra="defaults: {decimals: 0}\n"),
    ),
}


@pytest.mark.parametrize("case", sweep(CASES, fast={"plain-added-columns", "rag-initials"}))
def test_ribbon_refresh_equals_batch_refresh_cell_for_cell(case, tmp_path):
    book, rules = CASES[case](tmp_path)
    batch = tmp_path / f"batch{book.suffix}"
    refresh_file(book, load_rules(rules), output=batch)
    message, actions = run_macro(book, excel.refresh, rules=rules)
    assert message is None or message.startswith("warning SC"), message
    ribbon = replay(book, actions, tmp_path / f"ribbon{book.suffix}")
    expected, got = cells_of(batch), cells_of(ribbon)
    assert list(got) == list(expected)  # same sheets, same order
    for sheet in expected:
        assert got[sheet] == expected[sheet], sheet


def test_the_remote_engine_cannot_see_rag_formulas(tmp_path):
    """Documented limitation: on an engine that cannot read formulas, Refresh writes RAG values over them."""
    book, rules = make(FORMULAS, tmp_path)
    _, actions = run_macro(book, excel.refresh, rules=rules)
    ribbon = cells_of(replay(book, actions, tmp_path / "ribbon.xlsx"))["Dashboard"]
    assert ribbon["E9"][0] == "Amber"  # the batch path keeps the formula and colours it conditionally


@pytest.mark.slow
@pytest.mark.parametrize("kpis", [24, 1000])
def test_excel_calls_do_not_grow_with_the_number_of_kpis(kpis, tmp_path):
    rows = [["Ref", "Polarity", "Target", "Floor", "May-18", "Jun-18", "RAG", "DOT"]]
    rows += [[f"K{i}", "H", 85, 75, 70 + i % 30, 71 + (i * 7) % 30, None, None] for i in range(kpis)]
    book = write_book(tmp_path / "big.xlsx", rows)
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\nlayout:\n  columns: {id: Ref, polarity: Polarity, target: Target, floor: Floor, "
        "current: Jun-18, previous: May-18, rag: RAG, direction: DOT}\n"
    )
    _, actions = run_macro(book, excel.refresh, rules=rules)
    counts = action_counts(actions)
    assert counts["setValues"] == 3  # the RAG column, the direction column, the Narrative block
    assert counts["setRangeColors"] == 1
    assert len(actions) == ACTIONS_PER_REFRESH[kpis] == ACTIONS_PER_REFRESH[24]


# Measured for the README and `make bench`; equal by design, whatever the number of KPIs.
ACTIONS_PER_REFRESH = {24: 19, 1000: 19}


def test_sections_add_one_write_per_run_not_per_kpi(tmp_path, sample):
    _, actions = run_macro(sample, excel.refresh, rules=SAMPLE_RULES)
    counts = action_counts(actions)
    assert counts["setRangeColors"] == 4  # four sections of KPI rows in the sample, 24 KPIs
    assert counts["setValues"] == 4 * 2 + 1


def test_check_writes_nothing_and_reports(sample):
    message, actions = run_macro(sample, excel.check, rules=SAMPLE_RULES)
    assert [a["func"] for a in actions] == ["alert"]
    assert "24 KPIs on sheet 'Scorecard', rows 6-32, headers in row 4; June 2018 against May 2018" in message
    assert "ratings now: 14 Green, 10 Amber" in message and "No problems found." in message
    # the reading, as check --explain prints it from the file: the same header, columns, periods and sources
    done = run_cli("check", sample, "--rules", SAMPLE_RULES, "--explain")
    assert done.returncode == 0, done.stderr
    batch = done.stdout
    explained = batch[batch.index("how the workbook was read") :].splitlines()
    assert [line.strip() for line in explained] == [
        line.strip() for line in message[message.index("how the workbook was read") :].splitlines()
    ]


def test_narrative_only_leaves_the_rag_column(sample):
    _, actions = run_macro(sample, excel.narrative, rules=SAMPLE_RULES)
    assert {a["sheet_position"] for a in actions if a["sheet_position"] is not None} == {1}


def test_clear_removes_what_refresh_wrote(tmp_path):
    book, rules = make(PLAIN, tmp_path)
    refresh_file(book, load_rules(rules))
    _, actions = run_macro(book, excel.clear, rules=rules)
    cleared = cells_of(replay(book, actions, tmp_path / "cleared.xlsx"))
    assert list(cleared) == ["Housing"]
    assert not any(
        coordinate[0] in "HI" and value is not None
        for coordinate, (value, _) in cleared["Housing"].items()
        if coordinate[1:] != "1"
    )
    assert not any(fill[0] for coordinate, (_, fill) in cleared["Housing"].items() if coordinate[0] == "H")


def test_errors_are_alerts_with_the_cli_message(tmp_path, sample):
    rules = tmp_path / "bad.yaml"
    rules.write_text("version: 1\nlayout:\n  columns: {id: Ref, current: Jun-18, previous: May-18}\n  tagret: 1\n")
    message, actions = run_macro(sample, excel.refresh, rules=rules)
    assert (
        message == "bad.yaml, line 4: unknown key 'tagret' in layout; allowed keys: "
        "add_missing_columns, columns, first_row, header_row, hidden_columns, hidden_rows, history, kpis_in, "
        "last_column, last_row, percent, rag_text, sheet, targets_by_period"
    )
    assert [a["func"] for a in actions] == ["alert"] and actions[0]["args"][0] == message


def test_a_foreign_narrative_sheet_is_refused_before_any_write(tmp_path):
    book = write_book(
        tmp_path / "b.xlsx",
        [["Ref", "Polarity", "Target", "Floor", "May-18", "Jun-18"], ["K1", "H", 85, 75, 80, 90]],
        extra_sheets=["Narrative"],
    )
    rules = tmp_path / "r.yaml"
    rules.write_text(
        "version: 1\nlayout:\n  sheet: Scorecard\n  columns: {id: Ref, polarity: Polarity, target: Target, "
        "floor: Floor, current: Jun-18, previous: May-18}\n"
    )
    message, actions = run_macro(book, excel.refresh, rules=rules)
    assert "already has a sheet named 'Narrative' that scorecard did not write" in message
    assert [a["func"] for a in actions] == ["alert"]


def test_rules_are_found_from_the_workbook(tmp_path):
    import openpyxl
    from openpyxl.workbook.defined_name import DefinedName

    rules = tmp_path / "team-rules.yaml"
    shutil.copyfile(SAMPLE_RULES, rules)
    book = tmp_path / "named.xlsx"
    wb = openpyxl.load_workbook(SAMPLE)
    wb.defined_names["ScorecardRules"] = DefinedName("ScorecardRules", attr_text=f'"{rules}"')
    wb.save(book)
    import xlwings as xw

    assert find_rules(xw.Book(json=payload(book))) == rules
    settings = tmp_path / "settings.xlsx"
    wb = openpyxl.load_workbook(SAMPLE)
    ws = wb.create_sheet("Settings")
    ws.append(["Rules file", str(rules)])
    wb.save(settings)
    assert find_rules(xw.Book(json=payload(settings))) == rules
    with pytest.raises(ScorecardError, match="no rules file found.*define a name ScorecardRules"):
        find_rules(xw.Book(json=payload(SAMPLE)))


def test_literal_text_is_never_a_formula_or_a_number():
    assert literal("=SUM(A1)") == "'=SUM(A1)" and literal("3.4.1") == "'3.4.1"
    assert literal("+1") == "'+1" and literal("@x") == "'@x" and literal("Green") == "Green"


def test_rules_beside_the_workbook_with_its_name(tmp_path, monkeypatch):
    import xlwings as xw

    monkeypatch.chdir(tmp_path)  # the remote engine knows the workbook's name, not its folder
    shutil.copyfile(SAMPLE_RULES, tmp_path / "cic-scorecard-june-2018.yaml")
    book = xw.Book(json=payload(SAMPLE))
    assert find_rules(book) == Path("cic-scorecard-june-2018.yaml")
    message, actions = run_macro(SAMPLE, excel.check)
    assert "24 KPIs on sheet 'Scorecard'" in message


class _DesktopLikeSheet:
    """Answers number_format as desktop Excel does: the format of a uniform block, None for a mixed one."""

    def __init__(self, formats: dict[int, str]):
        self.formats, self.calls = formats, 0

    def range(self, top_left, bottom_right):
        sheet = self

        class Block:
            @property
            def number_format(self):
                sheet.calls += 1
                found = {sheet.formats.get(r, "General") for r in range(top_left[0], bottom_right[0] + 1)}
                return found.pop() if len(found) == 1 else None

        return Block()


def test_desktop_number_formats_cost_calls_per_format_change_not_per_row():
    rows = {r: "0.0%" for r in range(2, 1002)}
    rows[500] = "0"  # one count KPI in a column of percentages
    sheet = _DesktopLikeSheet(rows)
    got = column_formats(sheet, 7, 2, 1001)
    assert got == [rows[r] for r in range(2, 1002)]
    assert sheet.calls <= 2 * 11  # about two calls per level of halving, not 1,000
    uniform = _DesktopLikeSheet({r: "0.0%" for r in range(2, 1002)})
    assert column_formats(uniform, 7, 2, 1001) == ["0.0%"] * 1000 and uniform.calls == 1


# --- a write Excel refuses midway ------------------------------------------------------------------

MUTATING_CALLS = {"copy", "set_colors", "clear_contents", "clear", "delete", "add", "autofit", "add_cell_value"}


class Refused(Exception):
    pass


class _Writes:
    """Counts the writes made through proxied xlwings objects; the ``fail_at``-th is refused, unapplied.

    With ``original`` (a workbook file), the engine is desktop Excel's ("excel"), and fills, formulas,
    fonts and number formats read as there: from the file, which is what the cells hold before the run
    writes them."""

    def __init__(self, fail_at: int | None = None, original: Path | None = None):
        self.count, self.fail_at, self.refused = 0, fail_at, None
        self.fills = self.formulas = None
        if original is not None:
            import openpyxl

            book = openpyxl.load_workbook(original)
            self.fills = {
                (ws.title, c.row, c.column): (
                    tuple(bytes.fromhex(c.fill.fgColor.rgb[2:])) if c.fill.fill_type else None
                )
                for ws in book.worksheets
                for row in ws.iter_rows()
                for c in row
            }
            self.formulas = {
                (ws.title, c.row, c.column): c.value for ws in book.worksheets for row in ws.iter_rows() for c in row
            }
            self.fonts = {
                (ws.title, c.row, c.column): c.font.name
                for ws in book.worksheets
                for row in ws.iter_rows()
                for c in row
            }
            self.formats = {
                (ws.title, c.row, c.column): c.number_format
                for ws in book.worksheets
                for row in ws.iter_rows()
                for c in row
            }
            self.merges = {
                ws.title: [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
                for ws in book.worksheets
            }

    def write(self, what: str) -> None:
        self.count += 1
        if self.count == self.fail_at:
            self.refused = what
            raise Refused(f"write {self.count} ({what}) refused")


def _wrap(value: Any, writes: _Writes) -> Any:
    return _Proxy(value, writes) if type(value).__module__.startswith("xlwings") else value


def _unwrap(value: Any) -> Any:
    return object.__getattribute__(value, "_target") if isinstance(value, _Proxy) else value


class _Proxy:
    def __init__(self, target: Any, writes: _Writes):
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_writes", writes)

    def __getattr__(self, name: str) -> Any:
        target, writes = object.__getattribute__(self, "_target"), object.__getattribute__(self, "_writes")
        if name in ("color", "formula") and writes.fills is not None and type(target).__name__ == "Range":
            table = writes.fills if name == "color" else writes.formulas
            sheet = target.sheet.name
            cells = [
                [table.get((sheet, target.row + i, target.column + j)) for j in range(target.shape[1])]
                for i in range(target.shape[0])
            ]
            return cells[0][0] if target.shape == (1, 1) else cells
        if name == "font" and writes.fills is not None and type(target).__name__ == "Range":
            names = {
                writes.fonts.get((target.sheet.name, target.row + i, target.column + j))
                for i in range(target.shape[0])
                for j in range(target.shape[1])
            }
            font = _Proxy(target.font, writes)
            object.__setattr__(font, "_name", names.pop() if len(names) == 1 else None)  # mixed: None, as Excel
            return font
        if name == "engine" and writes.fills is not None and type(target).__name__ == "App":
            return _DesktopEngine()
        if name == "number_format" and writes.fills is not None and type(target).__name__ == "Range":
            found = {
                writes.formats.get((target.sheet.name, target.row + i, target.column + j), "General")
                for i in range(target.shape[0])
                for j in range(target.shape[1])
            }
            return found.pop() if len(found) == 1 else None  # mixed: None, as Excel
        if name in ("merge_cells", "merge_area") and writes.fills is not None and type(target).__name__ == "Range":
            areas = writes.merges.get(target.sheet.name, [])
            inside = [
                next((a for a in areas if a[0] <= target.row + i <= a[2] and a[1] <= target.column + j <= a[3]), None)
                for i in range(target.shape[0])
                for j in range(target.shape[1])
            ]
            if name == "merge_area":  # of a single cell, as asked: the area, or the cell itself
                return (
                    target
                    if inside[0] is None
                    else target.sheet.range((inside[0][0], inside[0][1]), (inside[0][2], inside[0][3]))
                )
            return True if all(inside) else False if not any(inside) else None  # as desktop Excel's MergeCells
        if name == "conditional_formats" and writes.fills is not None and type(target).__name__ == "Range":
            return _NoConditionalFormats(target.conditional_formats, writes)
        if name == "name" and "_name" in object.__getattribute__(self, "__dict__"):
            return object.__getattribute__(self, "_name")
        value = getattr(target, name)
        if inspect.ismethod(value):

            def call(*args: Any, **kwargs: Any) -> Any:
                if name in MUTATING_CALLS:
                    writes.write(name)
                return _wrap(value(*map(_unwrap, args), **{k: _unwrap(v) for k, v in kwargs.items()}), writes)

            return call
        return _wrap(value, writes)

    def __setattr__(self, name: str, value: Any) -> None:
        object.__getattribute__(self, "_writes").write(name)
        setattr(object.__getattribute__(self, "_target"), name, _unwrap(value))

    def __getitem__(self, key: Any) -> Any:
        return _wrap(object.__getattribute__(self, "_target")[key], object.__getattribute__(self, "_writes"))

    def __iter__(self):
        return (_wrap(v, object.__getattribute__(self, "_writes")) for v in object.__getattribute__(self, "_target"))

    def __len__(self) -> int:
        return len(object.__getattribute__(self, "_target"))


class _DesktopEngine:
    name, type = "excel", "desktop"


class _NoConditionalFormats(_Proxy):
    """Desktop Excel lists a range's conditional formats: these workbooks have none; adding one is a write."""

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0


def _run_refusing(path: Path, macro, writes: _Writes, **kwargs: Any) -> tuple[Any, list[dict]]:
    import xlwings as xw

    book = xw.Book(json=payload(path))
    result = macro(_Proxy(book, writes), **kwargs)
    return result, book.json()["actions"]


def _named(message: str) -> tuple[set[tuple[str, str]], bool]:
    """Cells the message says are still changed, and whether it names the Narrative sheet as changed."""
    from openpyxl.utils import get_column_letter, range_boundaries

    still = message.split("Still changed: ", 1)[1] if "Still changed: " in message else ""
    cells = set()
    for sheet, address in re.findall(r"(\w[\w ]*?)!([A-Z]+\d+(?::[A-Z]+\d+)?)", still):
        c1, r1, c2, r2 = range_boundaries(address)
        cells |= {(sheet, f"{get_column_letter(c)}{r}") for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    return cells, "Narrative sheet" in still


REFUSED_CASES = {"plain-added-columns": lambda folder: make(PLAIN, folder), "sample-again": None}


@pytest.mark.slow
@pytest.mark.parametrize("desktop", [False, True], ids=["remote-engine", "desktop-like"])
@pytest.mark.parametrize("case", REFUSED_CASES)
def test_a_refused_write_is_undone_or_named_exactly(case, desktop, tmp_path):
    """Whichever write Excel refuses, every cell left different from before is named in the message,
    and 'as it was' is said only when nothing is left different. Where fills and formulas can be read
    (desktop), everything is put back."""
    if case == "sample-again":  # sections (several runs) and a Narrative sheet to replace
        book, rules = tmp_path / SAMPLE.name, SAMPLE_RULES
        refresh_file(SAMPLE, load_rules(rules), output=book)
    else:
        book, rules = REFUSED_CASES[case](tmp_path)
    before = cells_of(book)
    clean = _Writes()
    message, _ = _run_refusing(book, excel.refresh, clean, rules=rules)
    assert message is None or message.startswith("warning SC"), message
    assert clean.count > 5
    for n in range(1, clean.count + 1):
        writes = _Writes(fail_at=n, original=book if desktop else None)
        message, actions = _run_refusing(book, excel.refresh, writes, rules=rules)
        assert writes.refused and message.startswith("scorecard stopped: Excel refused to write"), (n, message)
        assert f"write {n} ({writes.refused}) refused" in message
        after = cells_of(replay(book, actions, tmp_path / f"after-{n}{book.suffix}"))
        differing = {
            (sheet, cell)
            for sheet in set(before) | set(after)
            for cell in set(before.get(sheet, {})) | set(after.get(sheet, {}))
            if before.get(sheet, {}).get(cell) != after.get(sheet, {}).get(cell)
        }
        named, narrative_named = _named(message)
        unnamed = {d for d in differing if d not in named and not (d[0] == "Narrative" and narrative_named)}
        assert not unnamed, (n, sorted(unnamed)[:5], message)
        if list(after) != list(before):  # a sheet added and not removed
            assert narrative_named, (n, message)
        if desktop:
            assert not differing and list(after) == list(before), (n, sorted(differing)[:5], message)
        if "the workbook is as it was" in message:
            assert not differing and list(after) == list(before)
        else:
            assert "Still changed:" in message


@pytest.mark.slow
def test_remote_engine_says_which_fills_it_could_not_put_back(tmp_path):
    book, rules = make(PLAIN, tmp_path)
    clean = _Writes()
    _run_refusing(book, excel.refresh, clean, rules=rules)
    counts = []
    for n in range(1, clean.count + 1):
        writes = _Writes(fail_at=n)
        message, _ = _run_refusing(book, excel.refresh, writes, rules=rules)
        counts.append((writes.refused, message))
    assert all(
        "the fills of Housing!H1" in m and "(this engine cannot read fills, so it could not put them back)" in m
        for _, m in counts
    )  # the header cell's fill came with the copied format
    after_fills = [m for what, m in counts if "Housing!H2:H5, Housing!I2:I5 (this engine cannot read fills" in m]
    assert len(after_fills) == len(counts) - 5  # every refusal after the fifth write (the copy of the RAG column)
    first = counts[0][1]
    assert first.startswith("scorecard stopped: Excel refused to write Housing!H1 (Refused: write 1 (copy) refused).")
    assert "Undone: the values of Housing!H1." in first
    assert "perhaps (the refused write) the cell formats copied from column G into Housing!H1" in first


def test_an_import_failure_before_writing_changes_nothing(tmp_path, monkeypatch, sample):
    """The failure once seen in the field: an import needed by a write failed after rows 6 to 11 were
    written. Every import a write needs now happens before the first write."""

    def missing() -> set[str]:
        raise ImportError("No module named 'lxml'")

    monkeypatch.setattr(excel_writer, "_symbol_fonts", missing)
    message, actions = run_macro(sample, excel.refresh, rules=SAMPLE_RULES)
    assert [a["func"] for a in actions] == ["alert"]
    assert "before writing anything: the workbook was not changed" in message


def test_clear_refused_midway_is_undone(tmp_path):
    book, rules = make(PLAIN, tmp_path)
    refresh_file(book, load_rules(rules))
    before = cells_of(book)
    writes = _Writes(fail_at=3, original=book)  # after the RAG and direction values were cleared
    message, actions = _run_refusing(book, excel.clear, writes, rules=rules)
    assert (
        "Undone: the values of Housing!H2:H5, Housing!I2:I5; the fills of Housing!H2:H5.\nNothing is left changed"
        in message
    )
    assert cells_of(replay(book, actions, tmp_path / "after.xlsx")) == before


def test_a_symbol_font_made_readable_is_put_back_when_a_later_write_is_refused(tmp_path):
    book = write_book(
        tmp_path / "arrows.xlsx",
        [
            ["Ref", "Polarity", "Target", "Floor", "May-18", "Jun-18", "DOT"],
            ["K1", "H", 85, 75, 80, 90, "h"],
            ["K2", "L", 10, 12, 9, 11, "i"],
        ],
    )
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.load_workbook(book)
    for row in (2, 3):
        wb["Scorecard"].cell(row, 7).font = Font(name="Wingdings 3")
    wb.save(book)
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\nlayout:\n  columns: {id: Ref, polarity: Polarity, target: Target, floor: Floor, "
        "current: Jun-18, previous: May-18, direction: DOT}\n"
    )
    clean = _Writes(original=book)
    _, actions = _run_refusing(book, excel.refresh, clean, rules=rules)
    fonts = [a["args"] for a in actions if a["func"] == "setFontProperty"]
    assert ["name", "Calibri"] in fonts  # the id column's font (XlsxWriter's default), not Wingdings
    writes = _Writes(fail_at=clean.count, original=book)  # the last write: the Narrative sheet's autofit
    message, actions = _run_refusing(book, excel.refresh, writes, rules=rules)
    # G is the direction column; H, the RAG column the workbook lacked, took G's formats (Wingdings too)
    assert "the font of Scorecard!H2:H3, Scorecard!G2:G3" in message.split("Still changed")[0]
    names = [a["args"][1] for a in actions if a["func"] == "setFontProperty" and a["args"][0] == "name"]
    assert names[-4:] == ["Calibri", "Calibri", "Wingdings 3", "Wingdings 3"]  # made readable, then put back


# --- the Word report button ------------------------------------------------------------------------

REPORT_CASES = {"sample": _sample, "plain-added-columns": lambda folder: make(_with_decimals(PLAIN), folder)}
REPORT_KPIS = {"sample": 24, "plain-added-columns": 4}
REPORT_SECTIONS = {"sample": 4, "plain-added-columns": 0}  # the workbook's own section headings, a table row each


def _sheets(workbook) -> dict[str, list[list[Any]]]:
    return {
        ws.title: [[(c.value, c.fill.fgColor.rgb) for c in row] for row in ws.iter_rows()] for ws in workbook.worksheets
    }


@pytest.mark.slow
@pytest.mark.parametrize("case", REPORT_CASES)
def test_report_saves_the_word_document_beside_the_workbook_and_changes_nothing(case, tmp_path):
    """Desktop Excel (the stand-in) knows the workbook's folder: the report lands there, named after the
    workbook, with the table the command line's report has; the workbook is only read."""
    from docx import Document

    from desktop import App

    book_path, rules = REPORT_CASES[case](tmp_path)
    before = book_path.read_bytes()
    app = App()
    book = app.books.open(str(book_path))
    message = excel.report(book, rules=rules)
    expected = book_path.parent / f"{book_path.stem}.docx"
    assert message.splitlines()[0] == f"The Word report is saved as {expected}" and app.alerts == [message]
    assert book_path.read_bytes() == before
    import openpyxl

    assert list(book.wb.sheetnames) == openpyxl.load_workbook(book_path).sheetnames  # nothing written in Excel either
    assert _sheets(book.wb) == _sheets(openpyxl.load_workbook(book_path))
    assert not [p for p in tmp_path.rglob(".~*")]  # no temporary file left behind
    got = Document(expected)
    by_cli = tmp_path / "cli.docx"
    assert run_cli("report", book_path, "--rules", rules, "--output", by_cli).returncode == 0
    want = Document(by_cli)
    table = lambda doc: [[c.text for c in row.cells] for row in doc.tables[-1].rows]  # noqa: E731 - the RAG table
    assert table(got) == table(want) and len(table(got)) == 1 + REPORT_SECTIONS[case] + REPORT_KPIS[case]
    assert [p.text for p in got.paragraphs] == [p.text for p in want.paragraphs]


def test_report_on_the_remote_engine_is_refused_with_what_to_do():
    """The remote engine knows the workbook's name, not its folder: nothing to save beside."""
    message, actions = run_macro(SAMPLE, excel.report, rules=SAMPLE_RULES)
    assert message == (
        f"{SAMPLE.name}: the Word report is saved beside the workbook as {SAMPLE.stem}.docx, but Excel "
        "does not say which folder the workbook is in (it has not been saved yet, or it is open from the "
        "web): save it to a folder on this computer and press Report again, or run scorecard report "
        f"{SAMPLE.name} --rules RULES."
    )
    assert [a["func"] for a in actions] == ["alert"]


def test_report_of_a_workbook_never_saved_is_refused(tmp_path):
    from desktop import App

    book = App().books.open(str(_sample(tmp_path)[0]))
    book.fullname, book.name = "Book1", "Book1"  # what Excel says of a new workbook
    assert (
        "Book1: the Word report is saved beside the workbook as Book1.docx, but Excel does not say which folder"
        in excel.report(book, rules=SAMPLE_RULES)
    )
    assert not list(tmp_path.glob("*.docx"))


def test_report_in_xlwings_lite_is_refused_with_what_to_do(monkeypatch):
    monkeypatch.setattr(excel, "files_reachable", lambda: False)
    message, actions = run_macro(SAMPLE, excel.report)
    assert message == (
        f"{SAMPLE.name}: xlwings Lite cannot save files to your disk, so it cannot save the Word report: "
        f"on a computer with Python run scorecard report {SAMPLE.name} --rules RULES."
    )
    assert [a["func"] for a in actions] == ["alert"]


def test_clear_removes_the_spc_columns_too(tmp_path):
    book, rules = make(MONTHLY_SPC, tmp_path)
    refresh_file(book, load_rules(rules))
    written = cells_of(book)["KPIs"]
    # D1: 70 72 78 80 83 86.1, mean 469.1/6 = 78.18, the last three above it (run_length 3): a shift, improvement;
    # mean moving range 16.1/5 = 3.22, limits 78.18 -+ 8.57 = 69.62 to 86.75, target 85 inside: hit and miss
    assert written["O5"][0] == "improvement" and written["P5"][0] == "hit and miss"
    _, actions = run_macro(book, excel.clear, rules=rules)
    cleared = cells_of(replay(book, actions, tmp_path / "cleared.xlsx"))["KPIs"]
    assert sum(1 for c in written if c[0] in "MNOP" and c[1:] in ("5", "6", "7", "8")) == 16  # each written
    left = {c: v for c, v in cleared.items() if c[0] in "MNOP" and c[1:] in ("5", "6", "7", "8")}
    assert left == {}  # cells_of keeps a cell with a value or a fill: none is left


def test_a_relative_rules_path_is_taken_from_the_workbooks_folder_and_a_missing_one_is_named(tmp_path, monkeypatch):
    """Desktop Excel knows the workbook's folder (the stand-in does too): a Settings cell holding
    'team-rules.yaml' means the file beside the workbook, wherever Python was started from."""
    import openpyxl

    from desktop import App

    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copyfile(SAMPLE_RULES, folder / "team-rules.yaml")
    settings = folder / "settings.xlsx"
    wb = openpyxl.load_workbook(SAMPLE)
    wb.create_sheet("Settings").append(["Rules file", "team-rules.yaml"])
    wb.save(settings)
    monkeypatch.chdir(tmp_path)  # not the workbook's folder
    app = App()
    assert find_rules(app.books.open(str(settings))) == folder / "team-rules.yaml"
    (folder / "team-rules.yaml").unlink()
    with pytest.raises(ScorecardError) as refused:
        find_rules(app.books.open(str(settings)))
    assert str(refused.value) == (
        f"settings.xlsx: the rules file {folder / 'team-rules.yaml'} named by the Settings sheet does not exist"
    )
