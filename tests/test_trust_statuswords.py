"""The RAG column keeps the workbook's own spelling of the statuses (Green or G, in its case), so a
summary counting it (=COUNTIF(H:H,"G")) goes on counting after a refresh; every way of writing reads."""

from __future__ import annotations

import re
import zipfile

import pytest

from clirun import run_cli
from scorecard.core.model import Rag
from scorecard.core.reading import Grid, read_table
from scorecard.core.rules import parse_rules
from scorecard.core.statuswords import read_status_words, status_of, status_words
from scorecard.excel.functions import SCORECARD_COUNT
from scorecard.workbook.book import read_grid
from test_trust_keep import HEADERS, KPIS, RATINGS, build, rules_file

G, A, R, N, X = Rag.GREEN, Rag.AMBER, Rag.RED, Rag.NO_DATA, Rag.NOT_RATED


@pytest.mark.parametrize(
    "text, rag",
    [
        ("Green", G),
        ("GREEN", G),
        (" green ", G),
        ("G", G),
        ("g", G),
        ("A", A),
        ("r", R),
        ("No data", N),
        ("NOT RATED", X),
        ("Gr", None),
        ("B", None),
        ("", None),
        (3, None),
    ],
)
def test_every_spelling_of_a_status_reads(text, rag):
    assert status_of(text) is rag


@pytest.mark.parametrize(
    "cells, written",
    [
        (["G", "A", "R"], ["G", "A", "R", "No data", "Not rated"]),
        (
            ["G", "R", "No data", None, 4.0, "see note"],
            ["G", "A", "R", "No data", "Not rated"],
        ),  # only Green, Amber, Red vote
        (
            ["A", "NA", "A"],
            ["Green", "Amber", "Red", "No data", "Not rated"],
        ),  # one initial alone: Achieved? no evidence
        (["GREEN"], ["GREEN", "AMBER", "RED", "NO DATA", "NOT RATED"]),  # a word alone is evidence enough
        (["g", "a"], ["g", "a", "r", "no data", "not rated"]),
        (["G", "G"], ["Green", "Amber", "Red", "No data", "Not rated"]),
        (["Green", "Red"], ["Green", "Amber", "Red", "No data", "Not rated"]),
        (["GREEN", "AMBER"], ["GREEN", "AMBER", "RED", "NO DATA", "NOT RATED"]),
        (["green"], ["green", "amber", "red", "no data", "not rated"]),
        ([], ["Green", "Amber", "Red", "No data", "Not rated"]),
    ],
)
def test_the_column_keeps_its_spelling(cells, written):
    words, note = read_status_words(cells)
    assert [words[r] for r in (G, A, R, N, X)] == written and note is None


def test_a_column_mixing_spellings_is_written_in_words_with_a_reason():
    words, note = read_status_words(["G", "Amber"])
    assert words == status_words() and "mixes spellings" in note and "layout.rag_text" in note


def test_the_rules_choose_for_an_empty_column_and_keep_its_case():
    assert read_status_words([], "initials") == (status_words("initials"), None)
    assert read_status_words(["g", "a"], "initials") == (status_words("initials", "lower"), None)
    words, note = read_status_words(["Green"], "initials")
    assert words[G] == "G" and "layout.rag_text: initials" in note


def test_count_reads_a_column_of_initials():
    column = [["G"], ["A"], ["green"], ["R"], [None], ["No data"]]
    assert [SCORECARD_COUNT(column, s) for s in ("Green", "G", "amber", "Red", "No data")] == [2, 2, 1, 1, 1]


# --- end to end: the command line on generated workbooks ------------------------------------------

INITIALS = {"Green": "G", "Amber": "A", "Red": "R"}


def sheet_xml(path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize(
    "spell", [lambda w: w[0], lambda w: w.upper(), lambda w: w[0].lower()], ids=["G", "GREEN", "g"]
)
def test_refresh_writes_the_rag_column_as_it_was_written(tmp_path, spell):
    # last month's statuses, typed by hand in the column's spelling (all Amber: this month differs for most)
    book = build(
        tmp_path / "book.xlsx", rag={i: spell(("Green", "Amber", "Red")[i % 3]) for i in range(len(KPIS))}, summary=True
    )
    result = run_cli("refresh", book, "--rules", rules_file(tmp_path), "--strict")
    assert result.returncode == 0, result.stderr
    grid = read_grid(book, "Scorecard")
    assert [grid.value(r, 8) for r in range(2, 2 + len(KPIS))] == [spell(w) for w in RATINGS]
    summary = read_grid(book, "Summary")
    assert [summary.value(r, 1) for r in (1, 2, 3)] == ["Green", "Amber", "Red"]  # the analyst's sheet untouched


def test_rag_formulas_giving_initials_are_coloured_and_checked(tmp_path):
    """A formula column in initials gets "cell equals" colours for G, A and R, and a formula showing
    another status than the rules' is named, as one in words is."""
    formula = '=IF(G{row}>=80,"G",IF(G{row}>=70,"A","R"))'
    cached = [INITIALS[w] for w in RATINGS]
    cached[1] = "G"  # K2: the rules rate it Amber
    book = build(tmp_path / "book.xlsx", rag={i: (formula, c) for i, c in enumerate(cached)})
    result = run_cli("refresh", book, "--rules", rules_file(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "cell H3: the RAG formula there shows 'G' but the rules rate KPI 'K2' Amber" in result.stderr
    xml = sheet_xml(book)
    equals = re.findall(rb'<cfRule type="cellIs"[^>]*operator="equal"[^>]*>\s*<formula>([^<]*)</formula>', xml)
    assert {b"&quot;G&quot;", b"&quot;A&quot;", b"&quot;R&quot;"} <= set(equals) or {b'"G"', b'"A"', b'"R"'} <= set(
        equals
    ), equals
    assert b'"Green"' not in b"".join(equals) and b"&quot;Green&quot;" not in b"".join(equals)


def test_rules_rag_text_initials_for_a_new_column(tmp_path):
    book = build(tmp_path / "book.xlsx", headers=HEADERS[:7] + ["DOT"])
    rules = (
        rules_file(tmp_path, extra="")
        .read_text()
        .replace("sheet: Scorecard", "sheet: Scorecard\n  rag_text: initials\n  add_missing_columns: true")
    )
    (tmp_path / "rules.yaml").write_text(rules)
    result = run_cli("refresh", book, "--rules", tmp_path / "rules.yaml")
    assert result.returncode == 0, result.stderr
    grid = read_grid(book, "Scorecard")
    column = next(c for c in range(1, 12) if grid.value(1, c) == "RAG")
    assert [grid.value(r, column) for r in range(2, 2 + len(KPIS))] == [INITIALS[w] for w in RATINGS]


def test_a_mixed_column_is_a_warning_and_written_in_words(tmp_path):
    book = build(tmp_path / "book.xlsx", rag={0: "G", 1: "Amber"})
    result = run_cli("refresh", book, "--rules", rules_file(tmp_path))
    assert result.returncode == 0 and "column H: the RAG column mixes spellings" in result.stderr
    grid = read_grid(book, "Scorecard")
    assert [grid.value(r, 8) for r in range(2, 2 + len(KPIS))] == RATINGS
    assert run_cli("refresh", book, "--rules", rules_file(tmp_path), "--strict").returncode == 0  # words now, all alike


def test_the_core_reads_the_spelling_from_the_grid():
    rules = parse_rules(rules_file.__globals__["RULES"].format(rag="RAG", extra=""), "r.yaml")
    rows = [HEADERS] + [list(k) + ["ag"[i % 2], None] for i, k in enumerate(KPIS)]
    t = read_table(Grid(sheet="Scorecard", values=rows), rules)
    assert t.rag_words[G] == "g" and t.rag_words[N] == "no data"


def test_rag_formulas_spelt_otherwise_than_the_rules_keep_their_colours(tmp_path):
    """Formulas showing G/A/R are kept, so their colours are keyed to G/A/R even if the rules say words."""
    formula = '=IF(G{row}>=80,"G",IF(G{row}>=70,"A","R"))'
    book = build(tmp_path / "book.xlsx", rag={i: (formula, INITIALS[w]) for i, w in enumerate(RATINGS)})
    rules = rules_file(tmp_path).read_text().replace("sheet: Scorecard", "sheet: Scorecard\n  rag_text: words")
    (tmp_path / "rules.yaml").write_text(rules)
    result = run_cli("refresh", book, "--rules", tmp_path / "rules.yaml", "--strict")
    assert result.returncode == 0, result.stderr
    xml = sheet_xml(book)
    assert b"&quot;G&quot;" in xml or b'"G"' in xml
    assert b"&quot;Green&quot;" not in xml and b'"Green"' not in xml
    check = run_cli("check", book, "--rules", tmp_path / "rules.yaml")
    assert (
        "the RAG formulas show the statuses as G, A, R, so their colours, and any status scorecard writes in that "
        "column, follow that spelling, not layout.rag_text: words"
    ) in check.stdout + check.stderr


# --- a drop-down list (data validation) on the RAG column decides its spelling ---------------------


@pytest.mark.parametrize(
    "choices, green, no_data",
    [
        (("G", "A", "R"), "G", "No data"),
        (("green", "amber", "red", "n/a"), "green", "n/a"),
        (("Red", "Amber", "Green", "-"), "Green", "-"),
        (("R", "A", "G", "No data"), "G", "No data"),
    ],
)
def test_a_list_of_statuses_gives_the_words(choices, green, no_data):
    from scorecard.core.statuswords import listed_words

    words = listed_words(choices)
    assert (words[Rag.GREEN], words[Rag.NO_DATA]) == (green, no_data)


def test_a_list_that_is_not_of_statuses_decides_nothing():
    from scorecard.core.statuswords import listed_words

    assert listed_words(("Yes", "No")) is None and listed_words(("G", "A")) is None


@pytest.mark.parametrize("source", ["inline", "range", "other sheet", "defined name"])
def test_the_file_reader_reads_a_list_validation_every_way_it_is_written(source, tmp_path):
    import xlsxwriter

    from scorecard.workbook.book import read_grid

    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Scorecard")
    lists = book.add_worksheet("Lists")
    for r, word in enumerate("GAR"):
        lists.write(r, 0, word)
        sheet.write(r, 25, word)  # Z1:Z3 on the sheet itself
    book.define_name("RAGList", "=Lists!$A$1:$A$3")
    sheet.write_row(0, 0, ["Ref", "RAG"])
    wanted = {
        "inline": ["G", "A", "R"],
        "range": "=$Z$1:$Z$3",
        "other sheet": "=Lists!$A$1:$A$3",
        "defined name": "=RAGList",
    }[source]
    sheet.data_validation("B2:B20", {"validate": "list", "source": wanted})
    book.close()
    assert read_grid(path, "Scorecard").choices.get(2) == ("G", "A", "R")
