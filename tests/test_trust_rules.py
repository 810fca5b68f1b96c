"""Rules files as people write them: tabs, ids YAML would turn into numbers, polarity in analysts' words,
and rules that list only some KPIs."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clirun import run_cli
from conftest import sweep, write_book
from expect import printed
from scorecard.core.model import Polarity
from scorecard.core.reading import Grid, read_table
from scorecard.core.rules import parse_rules, schema
from scorecard.errors import RulesError, WorkbookError
from scorecard.excel import functions as udfs

H, L, T = Polarity.HIGHER, Polarity.LOWER, Polarity.TARGET

# Block-style rules, one key a line, so every line number below is counted by hand.
LINES = [
    "version: 1",  # 1
    "title: Adult Social Care",  # 2
    "layout:",  # 3
    "  sheet: Scorecard",  # 4
    "  columns:",  # 5
    "    id: Ref",  # 6
    "    current: Jun-18",  # 7
    "    previous: May-18",  # 8
    "kpis:",  # 9
    "  - id: ASC1",  # 10
    "    polarity: higher",  # 11
    "    target: 75",  # 12
    "  - id: ASC2",  # 13
    "    polarity: lower",  # 14
]
INDENTED = [n for n, line in enumerate(LINES, 1) if line.startswith(" ")]


def error_of(text: str) -> str:
    with pytest.raises(RulesError) as caught:
        parse_rules(text, source="rules.yaml")
    return str(caught.value)


def test_the_base_text_is_valid():
    rules = parse_rules("\n".join(LINES) + "\n", source="rules.yaml")
    assert set(rules.kpis) == {"ASC1", "ASC2"}


# --- tabs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("line", INDENTED)
@pytest.mark.parametrize("indent", ["\t", "  \t", "\t  ", "\t\t"])
def test_a_tab_used_for_indentation_names_its_line(line, indent):
    lines = list(LINES)
    lines[line - 1] = indent + lines[line - 1].lstrip(" ")
    assert (
        error_of("\n".join(lines) + "\n")
        == f"rules.yaml, line {line}: a tab is used for indentation; YAML needs spaces"
    )


@pytest.mark.parametrize("line", [2, 4, 7, 12])
def test_a_tab_between_key_and_value(line):
    lines = list(LINES)
    lines[line - 1] = lines[line - 1].replace(": ", ":\t", 1)
    message = error_of("\n".join(lines) + "\n")
    assert message.startswith(
        f"rules.yaml, line {line}: a tab separates the words or values on this line; YAML needs spaces"
    )


def test_a_tab_inside_quotes_is_text():
    rules = parse_rules("\n".join(LINES).replace("title: Adult Social Care", 'title: "Adult\tSocial Care"') + "\n")
    assert rules.title == "Adult\tSocial Care"


# --- ids YAML would read as something else -----------------------------------------------------


@pytest.mark.parametrize(
    "written, read",
    [
        ("1.10", "the number 1.1"),
        ("2.20", "the number 2.2"),
        ("1.0", "a number"),
        ("1.5", "a number"),
        ("010", "the number 8"),
        ("0x1F", "the number 31"),
        ("1_000", "the number 1000"),
        (".5", "the number 0.5"),
        ("3.", "the number 3.0"),
        ("1:20", "the number 80"),
        ("2018-06-01", "a date"),
        ("yes", "true"),
        ("Off", "false"),
        ("~", "nothing"),
        ("null", "nothing"),
    ],
)
@pytest.mark.parametrize("style", ["block", "flow"])
def test_an_id_yaml_reads_as_a_number_must_be_quoted(written, read, style):
    if style == "block":
        text = "\n".join(LINES[:9] + ["  - id: ASC1", f"  - id: {written}", "    polarity: higher"]) + "\n"
    else:
        text = "\n".join(LINES[:9] + ["  - {id: ASC1}", f"  - {{id: {written}, polarity: higher}}"]) + "\n"
    assert (
        error_of(text)
        == f"rules.yaml, line 11: write the id in quotes: '{written}' (without quotes YAML reads it as {read})"
    )


@pytest.mark.parametrize(
    "written, kept",
    [
        ("'1.10'", "1.10"),
        ('"2.20"', "2.20"),
        ("12", "12"),
        ("CIC01", "CIC01"),
        ("1e3", "1e3"),
        ("'010'", "010"),
        ("1.1.2", "1.1.2"),
        ("2018/19-3", "2018/19-3"),
    ],
)
def test_ids_whose_text_survives(written, kept):
    text = "\n".join(LINES[:9] + [f"  - id: {written}", "    polarity: higher"]) + "\n"
    assert list(parse_rules(text).kpis) == [kept]


def test_every_such_id_is_reported_at_once():
    text = "\n".join(LINES[:9] + ["  - id: 1.10", "  - id: 1.20", "  - id: '1.30'"]) + "\n"
    assert error_of(text).splitlines() == [
        "rules.yaml, line 10: write the id in quotes: '1.10' (without quotes YAML reads it as the number 1.1)",
        "rules.yaml, line 11: write the id in quotes: '1.20' (without quotes YAML reads it as the number 1.2)",
    ]


# --- polarity in the words analysts use ----------------------------------------------------------

SPELLINGS = [
    ("higher", H),
    ("High", H),
    ("H", H),
    ("Up", H),
    ("Higher is better", H),
    ("Bigger is better", H),
    ("More is better", H),
    ("Greater is better", H),
    ("high is better", H),
    ("Up is good", H),
    ("Higher is good", H),
    ("lower", L),
    ("Low", L),
    ("l", L),
    ("Down", L),
    ("Lower is better", L),
    ("Smaller is better", L),
    ("Less is better", L),
    ("Fewer is better", L),
    ("Down is good", L),
    ("low is better", L),
    ("target", T),
    ("T", T),
    ("Close to target", T),
    ("Closer to target", T),
    ("Close to target is better", T),
    ("High is good", H),
    ("Good if higher", H),
    ("Aim high", H),
    ("Maximise", H),
    ("Maximize", H),
    ("Increase", H),
    ("More", H),
    ("↑", H),
    ("▲", H),
    ("⬆", H),
    ("Low is good", L),
    ("Good if lower", L),
    ("Aim low", L),
    ("Minimise", L),
    ("Minimize", L),
    ("Reduce", L),
    ("Decrease", L),
    ("Fewer", L),
    ("↓", L),
    ("▼", L),
    ("⬇", L),
    ("Within range", T),
    ("In range", T),
    ("Near target", T),
]
REFUSED = [
    "Bigger/Smaller is better",
    "better",
    "higher or lower",
    "up/down",
    "sideways",
    "Good",
    "hi",
    "Targets",
    "is better",
    "higher is worse",
    "on target",
    "RAG",
]


def variants(word: str) -> list[str]:
    return [word, word.upper(), word.lower(), word.title(), f"  {word}  ", word.replace(" ", "   "), word + "."]


ALL_SPELLINGS = [(v, polarity) for word, polarity in SPELLINGS for v in variants(word)]


@pytest.mark.parametrize("word, polarity", sweep(ALL_SPELLINGS, fast=ALL_SPELLINGS[::5]))
def test_polarity_words_in_the_rules(word, polarity):
    target, floor = (50, 40) if polarity is not L else (40, 50)
    text = (
        "\n".join(LINES[:9] + ["  - id: A", f"    polarity: '{word}'", f"    target: {target}", f"    floor: {floor}"])
        + "\n"
    )
    assert parse_rules(text).kpis["A"].polarity is polarity
    flow = "\n".join(LINES[:9] + [f"  - {{id: A, polarity: {word.strip()}, target: {target}, floor: {floor}}}"]) + "\n"
    assert parse_rules(flow).kpis["A"].polarity is polarity


@pytest.mark.parametrize("word", REFUSED)
def test_words_that_say_neither_way_are_refused_with_the_accepted_words(word):
    message = error_of("\n".join(LINES[:9] + ["  - id: A", f"    polarity: '{word}'"]) + "\n")
    assert message.startswith(
        f"rules.yaml, line 11: kpis[0] (A).polarity: '{word}' is not one of higher, lower, target (or H, L, T;"
    )
    assert "Higher is better, Lower is better" in message and "Close to target" in message
    if "/" in word or " or " in word:
        assert message.endswith("(it names both ways; choose one)")


def test_a_misspelt_word_gets_a_suggestion():
    message = error_of("\n".join(LINES[:9] + ["  - id: A", "    polarity: Higher is beter"]) + "\n")
    assert message.endswith("(did you mean 'higher is better'?)")


@given(
    st.lists(
        st.sampled_from(
            [
                "higher",
                "lower",
                "target",
                "is",
                "better",
                "good",
                "close",
                "to",
                "up",
                "down",
                "H",
                "T",
                "x",
                "/",
                "bigger",
                "  ",
                ".",
            ]
        ),
        min_size=1,
        max_size=4,
    ).map(" ".join)
)
def test_the_shipped_schema_accepts_exactly_the_words_the_reader_reads(text):
    """Editors validate with the schema; the add-in reads with Polarity.parse: they must agree."""
    pattern = schema()["properties"]["kpis"]["items"]["properties"]["polarity"]["pattern"]
    assert (re.search(pattern, text) is not None) == (Polarity.parse(text) is not None), text


@pytest.mark.parametrize("word", [word for word, _ in ALL_SPELLINGS[::3]])
def test_the_schema_accepts_every_spelling(word):
    rules = {"version": 1, "layout": {"columns": {"id": "Ref"}}, "kpis": [{"id": "A", "polarity": word}]}
    validator = jsonschema.validators.validator_for(schema())(schema())
    assert [error.message for error in validator.iter_errors(rules)] == []


HEADER = ["Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18"]
TABLE_RULES = (
    "version: 1\nlayout:\n  columns: {id: Ref, name: Indicator, polarity: Polarity, target: Target, "
    "floor: Floor, current: Jun-18, previous: May-18}\n"
)


@pytest.mark.parametrize("word, polarity", sweep(ALL_SPELLINGS, fast=ALL_SPELLINGS[::5]))
def test_polarity_words_in_the_workbook_column(word, polarity):
    target, floor, now = (85, 75, 80) if polarity is not L else (15, 18, 16)
    rows = [HEADER, ["K1", "One", word, target, floor, now, now]]
    table = read_table(Grid(sheet="Scorecard", values=rows), parse_rules(TABLE_RULES))
    assert table.kpis[0].polarity is polarity
    assert table.warnings == []


@pytest.mark.parametrize("word", REFUSED)
def test_a_refused_word_in_the_workbook_names_the_cell(word):
    rows = [HEADER, ["K1", "One", 85, 75, 80, 80], ["K2", "Two", word, 85, 75, 80, 80]]
    rows[1].insert(2, "H")
    with pytest.raises(WorkbookError) as caught:
        read_table(Grid(sheet="Scorecard", values=rows), parse_rules(TABLE_RULES))
    assert str(caught.value).startswith(
        f"sheet 'Scorecard', cell C3: polarity '{word}' for KPI 'K2' is not one of higher, lower, target"
    )


@pytest.mark.parametrize("word, polarity", ALL_SPELLINGS[::2])
def test_polarity_words_in_worksheet_functions(word, polarity):
    target, floor, value = (85, 75, 80) if polarity is not L else (15, 18, 16)
    assert udfs.RAG(value, target, floor, word) == "Amber"  # between target and floor, for every polarity
    if polarity is not T:  # a two-sided DIRECTION needs its target (SCORECARD_DIRECTION)
        assert udfs.DIRECTION(value + 1, value, word) == ("improved" if polarity is H else "declined")


def test_a_refused_word_in_a_worksheet_function():
    assert udfs.RAG(80, 85, 75, "Bigger/Smaller is better").startswith("#VALUE! polarity 'Bigger/Smaller is better'")


# --- rules that list only some KPIs ---------------------------------------------------------------

ROWS = [
    HEADER,
    ["K1", "Listed in the rules", None, 85, 75, 80, 86],
    ["K2", "Fully described by its row", "Lower is better", 15, 18, 17, 16],
    ["K3", "Two-sided, fully described", "Close to target", 100, 90, 95, 99],
    ["K4", "Activity: referrals received", None, None, None, 120, 131],
]
SOME = TABLE_RULES + "kpis:\n  - {id: K1, polarity: higher}\n"


def files(tmp_path: Path, rows: list, rules: str) -> tuple[Path, Path]:
    """The workbook of ``rows`` and the rules file holding ``rules``."""
    (tmp_path / "rules.yaml").write_text(rules)
    return write_book(tmp_path / "book.xlsx", rows), tmp_path / "rules.yaml"


def test_a_sound_workbook_with_rules_for_some_kpis_passes_strict(tmp_path):
    book, rules_path = files(tmp_path, ROWS, SOME)
    code, out, err = run_cli("refresh", book, "--rules", rules_path, "--strict")
    assert code == 0, out + err
    assert "warning" not in out + err


def test_check_notes_the_kpis_read_from_the_workbook(tmp_path):
    book, rules_path = files(tmp_path, ROWS, SOME)
    code, out, err = run_cli("check", book, "--rules", rules_path, "--strict")
    assert code == 0, out + err
    assert printed(out) == ["SC508", "SC508"]
    assert "2 KPIs not in the rules, rated by the workbook's polarity, target and floor columns: K2, K3" in out
    assert "1 KPI not in the rules, with no polarity, target or floor in the workbook: not rated, as activity" in out
    assert "warning" not in out + err


@pytest.mark.parametrize(
    "row, how",
    [
        (["K5", "Polarity inferred", None, 85, 75, 80, 86], "rated from the workbook's columns"),
        (["K5", "No floor", "H", 85, None, 80, 86], "rated from the workbook's columns"),
        (["K5", "No target", "Higher is better", None, 75, 80, 86], "rated from the workbook's columns"),
        (["K5", "A polarity but nothing to rate by", "Up", None, None, 80, 86], "an activity indicator (not rated)"),
    ],
)
def test_an_incomplete_row_keeps_its_warning_and_strict_refuses(tmp_path, row, how):
    book, rules_path = files(tmp_path, ROWS + [row], SOME)
    code, out, err = run_cli("refresh", book, "--rules", rules_path, "--strict")
    assert code == 1
    assert f"SC505 sheet 'Scorecard': KPI 'K5' (row 6) is not in the rules: {how}" in out + err
    assert "not refreshed (--strict)" in err


def test_without_target_and_floor_columns_an_unlisted_kpi_is_still_a_warning(tmp_path):
    rows = [["Ref", "Indicator", "May-18", "Jun-18"], ["K1", "Listed", 80, 86], ["K2", "Not listed", 1, 2]]
    rules = (
        "version: 1\nlayout:\n  columns: {id: Ref, name: Indicator, current: Jun-18, previous: May-18}\n"
        "kpis:\n  - {id: K1, polarity: higher, target: 85, floor: 75}\n"
    )
    book, rules_path = files(tmp_path, rows, rules)
    code, out, err = run_cli("check", book, "--rules", rules_path)
    assert code == 0
    assert (
        printed(out) == ["SC505"] and "KPI 'K2' (row 3) is not in the rules: an activity indicator (not rated)" in out
    )


# --- from the command line ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lines, message",
    [
        (LINES[:5] + ["\tid: Ref"] + LINES[6:], "rules.yaml, line 6: a tab is used for indentation; YAML needs spaces"),
        (LINES[:9] + ["  - id: 1.10"], "rules.yaml, line 10: write the id in quotes: '1.10'"),
        (
            LINES[:9] + ["  - {id: A, polarity: Bigger/Smaller is better}"],
            "rules.yaml, line 10: kpis[0] (A).polarity: 'Bigger/Smaller is better' is not one of higher, lower, target",
        ),
    ],
)
@pytest.mark.parametrize("command", ["check", "refresh", "narrative"])
def test_rules_errors_on_the_command_line(tmp_path, lines, message, command):
    rows = [["Ref", "Indicator", "May-18", "Jun-18"], ["ASC1", "x", 1, 2]]
    book, rules_path = files(tmp_path, rows, "\n".join(lines) + "\n")
    code, out, err = run_cli(command, book, "--rules", rules_path)
    assert code == 1
    assert err.startswith("scorecard: error: ") and message in err, err
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize(
    "key, written",
    [("target", ".nan"), ("floor", "-.inf"), ("target", ".Inf"), ("green_within", ".inf"), ("amber_within", ".NaN")],
)
def test_infinity_and_not_a_number_are_refused(key, written):
    polarity = "target" if key.endswith("within") else "higher"
    text = (
        "\n".join(LINES[:9] + ["  - id: A", f"    polarity: {polarity}", "    target: 50", f"    {key}: {written}"])
        + "\n"
    )
    if key == "target":
        text = text.replace("    target: 50\n", "")
        line = 12
    else:
        line = 13
    assert error_of(text) == (
        f"rules.yaml, line {line}: KPI 'A': {key} must be a figure, not infinity or not-a-number "
        "(.inf, .nan); write the figure, or leave the key out"
    )


def _schema_pattern(words) -> str:
    """The schema's polarity pattern as it must be built from the reader's words: each letter in either
    case, a space as any run of whitespace, the longest word first, an optional full stop."""

    def one(word: str) -> str:
        return "".join(
            r"\s+" if ch == " " else f"[{ch.upper()}{ch.lower()}]" if ch.upper() != ch.lower() else re.escape(ch)
            for ch in word
        )

    return r"^\s*(?:" + "|".join(one(w) for w in sorted(words, key=lambda w: (-len(w), w))) + r")\.?\s*$"


def test_the_shipped_schema_pattern_is_built_from_the_readers_words():
    from scorecard.core.polarity import POLARITY_WORDS

    assert schema()["properties"]["kpis"]["items"]["properties"]["polarity"]["pattern"] == _schema_pattern(
        POLARITY_WORDS
    )


@pytest.mark.parametrize("mark", ["N/A", "n/a", "-", "TBC", "  "])
def test_a_no_data_mark_in_the_polarity_column_is_no_polarity(mark):
    """An activity indicator's polarity cell often says N/A: it is not rated, and nothing is refused."""
    grid = Grid(sheet="Scorecard", values=[HEADER, ["K1", "Contacts received", mark, None, None, 120, 131]])
    t = read_table(grid, parse_rules(TABLE_RULES, "r.yaml"))
    assert t.kpis[0].polarity is None and t.kpis[0].is_activity
    with_target = Grid(sheet="Scorecard", values=[HEADER, ["K1", "Visits on time", mark, 85, None, 80, 82]])
    with pytest.raises(WorkbookError, match="has a target or floor but no polarity"):
        read_table(with_target, parse_rules(TABLE_RULES, "r.yaml"))


@pytest.mark.parametrize("written", ["cic01", "Cic01 ", "CIC 01", " c i c 0 1"])
def test_an_id_differing_from_the_rules_only_in_case_or_spaces_gets_its_rules(written):
    """The rules' target applies, and check says which row was matched to which id."""
    rules = TABLE_RULES + "kpis:\n  - {id: CIC01, target: 90}\n"
    grid = Grid(sheet="Scorecard", values=[HEADER, [written, "Visits", "H", 85, 75, 80, 82]])
    t = read_table(grid, parse_rules(rules, "r.yaml"))
    assert [(k.id, k.target) for k in t.kpis] == [("CIC01", 90)]
    assert t.warnings == []
    (note,) = [n for n in t.notes if n.code == "SC502"]
    assert note.where.cell == "A2" and f"'{written.strip()}'" in note.message


def test_ids_that_match_two_rules_ids_loosely_are_not_guessed():
    rules = TABLE_RULES + "kpis:\n  - {id: CIC01, target: 90}\n  - {id: cic 01, target: 95}\n"
    grid = Grid(sheet="Scorecard", values=[HEADER, ["Cic01", "Visits", "H", 85, 75, 80, 82]])
    t = read_table(grid, parse_rules(rules, "r.yaml"))
    assert [(k.id, k.target) for k in t.kpis] == [("Cic01", 85)]
    assert [(f.code, f.where.line) for f in t.warnings] == [("SC507", 5), ("SC507", 6)]


def test_a_loosely_matched_id_twice_names_how_it_is_written():
    rules = TABLE_RULES + "kpis:\n  - {id: CIC01, target: 90}\n"
    grid = Grid(
        sheet="Scorecard",
        values=[HEADER, ["CIC01", "Visits", "H", 85, 75, 80, 82], ["cic 01", "Reviews", "H", 85, 75, 80, 82]],
    )
    with pytest.raises(WorkbookError) as caught:
        read_table(grid, parse_rules(rules, "r.yaml"))
    assert str(caught.value) == (
        "sheet 'Scorecard', cell A3: KPI id 'CIC01' appears twice (rows 2 and 3, where it is written "
        "'cic 01': ids match whatever their case and spaces); each KPI needs its own id (or, for one measure by "
        "area or age band, name the column that tells the rows apart: layout.columns.breakdown)"
    )
