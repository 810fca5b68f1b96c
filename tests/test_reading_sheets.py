"""Which sheet holds the table when the rules name none: a contents page first, or quarterly tabs."""

from __future__ import annotations

import pytest
import xlsxwriter

from clirun import run_cli
from expect import codes
from scorecard.core.reading import Grid
from scorecard.core.reading.sheets import choose_sheet
from scorecard.core.rules import parse_rules

RULES = "version: 1\nlayout:\n  columns: {id: Ref, current: Sep-24}\n"
TABLE = [["Ref", "Sep-24"], ["K1", 5]]
CONTENTS = [["Contents"], ["Scorecard: the monthly KPIs"]]


def _choose(sheets: dict[str, list[list[object]]], text: str = RULES):
    return choose_sheet(list(sheets), parse_rules(text, "r.yaml"), lambda name: Grid(sheet=name, values=sheets[name]))


def test_the_one_sheet_holding_the_id_header_is_read_when_the_first_does_not_hold_it():
    sheet, how, found = _choose({"Contents": CONTENTS, "Scorecard": TABLE, "Notes": [["Notes"]]})
    assert sheet == "Scorecard" and "one sheet holding the header 'Ref'" in how
    assert codes(found) == ["SC111"] and not found[0].is_warning


def test_of_several_sheets_holding_the_table_the_first_is_read_with_a_warning_naming_the_others():
    sheet, _, found = _choose({"Contents": CONTENTS, "Q1": TABLE, "Q2": TABLE})
    assert sheet == "Q1" and codes(found) == ["SC112"] and found[0].is_warning and "'Q2'" in found[0].message


@pytest.mark.parametrize(
    ("sheets", "text"),
    [
        ({"Scorecard": TABLE, "Notes": [["Notes"]]}, RULES),  # the first holds it: as ever, nothing said
        ({"Contents": CONTENTS, "Scorecard": TABLE}, RULES.replace("layout:\n", "layout:\n  sheet: Contents\n")),
        ({"Contents": CONTENTS, "Scorecard": TABLE}, RULES.replace("id: Ref", "id: {column: A}")),  # by letter
        ({"Contents": CONTENTS, "Other": [["Nothing"]]}, RULES),  # none holds it: the first, and its own error
    ],
)
def test_the_first_sheet_stays_the_choice_where_nothing_else_is_plain(sheets, text):
    assert _choose(sheets, text) == (None, None, [])


def test_a_contents_page_first_no_longer_refuses_the_run_through_the_command(tmp_path):
    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for name, rows in (("Contents", CONTENTS), ("Scorecard", TABLE)):
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)
    book.close()
    (tmp_path / "r.yaml").write_text(RULES)
    done = run_cli("check", path, "--rules", tmp_path / "r.yaml", "--explain")
    assert done.returncode == 0 and "1 KPIs on sheet 'Scorecard'" in done.stdout
    assert "sheet 'Scorecard'*: the one sheet holding the header 'Ref'" in done.stdout
