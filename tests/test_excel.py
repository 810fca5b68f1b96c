"""The ribbon macros on xlwings' remote engine agree with ``scorecard refresh`` cell for cell.

What this proves and what it does not: the macros are the same Python, calling the same xw.Book
API, that desktop Excel runs through RunPython; the remote engine turns those calls into actions,
which we replay. Desktop Excel's own execution of the calls is not exercised here (see README).
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from scorecard.excel import ribbon as excel
from scorecard.errors import ScorecardError
from scorecard.refresh import refresh_file
from scorecard.core.rules import load_rules

from conftest import SAMPLE, SAMPLE_RULES, write_book
from layouts import FORMULAS, MACROS, MONTHLY, Layout, make
from remote import action_counts, cells_of, payload, replay, run_macro

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


def _plain(path: Path) -> None:
    write_book(path, [["KPI ref", "Measure", "Better when", "Aim", "Floor standard", "Previous", "Latest"],
                      ["A-1", "Households in temporary accommodation", "L", 150, 180, 172, 168],
                      ["A-2", "Homelessness prevented (%)", "H", 60, 50, 61.5, 58.0],
                      ["A-3", "=1 leading equals in a name", "H", 10, 5, 4, 3],
                      ["A-4", "Rough sleepers counted", None, None, None, 12, 9]], sheet="Housing")  # fmt: skip


PLAIN = Layout(
    name="plain-added-columns",
    suffix=".xlsx",
    rules="version: 1\ntitle: Housing Options\nlayout:\n  columns: {id: KPI ref, name: Measure, polarity: Better when, "
          "target: Aim, floor: Floor standard, current: Latest, previous: Previous}\nperiod: {current: April 2024}\n",
    build=_plain,
    sheet="Housing",
    expected={"A-1": ("Amber", "↑ improved"), "A-2": ("Amber", "↓ declined"), "A-3": ("Red", "↓ declined"),
              "A-4": ("Not rated", "↓ decreased")},  # fmt: skip
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
}


@pytest.mark.parametrize("case", CASES)
def test_ribbon_refresh_equals_batch_refresh_cell_for_cell(case, tmp_path):
    book, rules = CASES[case](tmp_path)
    batch = tmp_path / f"batch{book.suffix}"
    refresh_file(book, load_rules(rules), output=batch)
    message, actions = run_macro(book, excel.refresh, rules=rules)
    assert message is None or message.startswith("Warning"), message
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


@pytest.mark.parametrize("kpis", [24, 1000])
def test_excel_calls_do_not_grow_with_the_number_of_kpis(kpis, tmp_path):
    rows = [["Ref", "Polarity", "Target", "Floor", "May-18", "Jun-18", "RAG", "DOT"]]
    rows += [[f"K{i}", "H", 85, 75, 70 + i % 30, 71 + (i * 7) % 30, None, None] for i in range(kpis)]
    book = write_book(tmp_path / "big.xlsx", rows)
    rules = tmp_path / "rules.yaml"
    rules.write_text("version: 1\nlayout:\n  columns: {id: Ref, polarity: Polarity, target: Target, floor: Floor, "
                     "current: Jun-18, previous: May-18, rag: RAG, direction: DOT}\n")  # fmt: skip
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
    assert "ratings now: 14 Green, 10 Amber" in message and message.endswith("No problems found.")


def test_narrative_only_leaves_the_rag_column(sample):
    _, actions = run_macro(sample, excel.narrative, rules=SAMPLE_RULES)
    assert {a["sheet_position"] for a in actions if a["sheet_position"] is not None} == {1}


def test_clear_removes_what_refresh_wrote(tmp_path):
    book, rules = make(PLAIN, tmp_path)
    refresh_file(book, load_rules(rules))
    _, actions = run_macro(book, excel.clear, rules=rules)
    cleared = cells_of(replay(book, actions, tmp_path / "cleared.xlsx"))
    assert list(cleared) == ["Housing"]
    assert not any(coordinate[0] in "HI" and value is not None for coordinate, (value, _) in cleared["Housing"].items() if coordinate[1:] != "1")
    assert not any(fill[0] for coordinate, (_, fill) in cleared["Housing"].items() if coordinate[0] == "H")


def test_errors_are_alerts_with_the_cli_message(tmp_path, sample):
    rules = tmp_path / "bad.yaml"
    rules.write_text("version: 1\nlayout:\n  columns: {id: Ref, current: Jun-18, previous: May-18}\n  tagret: 1\n")
    message, actions = run_macro(sample, excel.refresh, rules=rules)
    assert message == "bad.yaml, line 4: unknown key 'tagret' in layout; allowed keys: add_missing_columns, columns, header_row, hidden_rows, history, percent, sheet"
    assert [a["func"] for a in actions] == ["alert"] and actions[0]["args"][0] == message


def test_a_foreign_narrative_sheet_is_refused_before_any_write(tmp_path):
    book = write_book(tmp_path / "b.xlsx", [["Ref", "Polarity", "Target", "Floor", "May-18", "Jun-18"], ["K1", "H", 85, 75, 80, 90]], extra_sheets=["Narrative"])
    rules = tmp_path / "r.yaml"
    rules.write_text("version: 1\nlayout:\n  sheet: Scorecard\n  columns: {id: Ref, polarity: Polarity, target: Target, floor: Floor, current: Jun-18, previous: May-18}\n")
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

    assert excel.find_rules(xw.Book(json=payload(book))) == rules
    settings = tmp_path / "settings.xlsx"
    wb = openpyxl.load_workbook(SAMPLE)
    ws = wb.create_sheet("Settings")
    ws.append(["Rules file", str(rules)])
    wb.save(settings)
    assert excel.find_rules(xw.Book(json=payload(settings))) == rules
    with pytest.raises(ScorecardError, match="no rules file found.*define a name ScorecardRules"):
        excel.find_rules(xw.Book(json=payload(SAMPLE)))


def test_literal_text_is_never_a_formula_or_a_number():
    assert excel.literal("=SUM(A1)") == "'=SUM(A1)" and excel.literal("3.4.1") == "'3.4.1"
    assert excel.literal("+1") == "'+1" and excel.literal("@x") == "'@x" and excel.literal("Green") == "Green"


def test_rules_beside_the_workbook_with_its_name(tmp_path, monkeypatch):
    import xlwings as xw

    monkeypatch.chdir(tmp_path)  # the remote engine knows the workbook's name, not its folder
    shutil.copyfile(SAMPLE_RULES, tmp_path / "cic-scorecard-june-2018.yaml")
    book = xw.Book(json=payload(SAMPLE))
    assert excel.find_rules(book) == Path("cic-scorecard-june-2018.yaml")
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
    got = excel._column_formats(sheet, 7, 2, 1001)
    assert got == [rows[r] for r in range(2, 1002)]
    assert sheet.calls <= 2 * 11  # about two calls per level of halving, not 1,000
    uniform = _DesktopLikeSheet({r: "0.0%" for r in range(2, 1002)})
    assert excel._column_formats(uniform, 7, 2, 1001) == ["0.0%"] * 1000 and uniform.calls == 1
