"""Issue 17, class 1: memory and time are bounded by what is present, not by what a file claims.

A cell reference past XFD1048576 is refused naming the cell, wherever a sheet gives coordinates (a
cell, a row, merged cells, the dimension, an Excel Table, the embedded rules sheet); a legal far
corner (XFD1048576) is read in bounded memory and time; YAML aliases, nesting and the length of any
value quoted in a message are bounded; a Word template gets a workbook's package limits."""

from __future__ import annotations

import resource
import time
import tracemalloc
from pathlib import Path

import pytest

from clirun import run_cli
from conftest import sweep
from hostile import corpus
from scorecard.core.rules import parse_rules
from scorecard.core.rulesyaml import MAX_NODES
from scorecard.errors import RulesError
from scorecard.workbook.book import read_grid


@pytest.mark.parametrize("name", sweep(sorted(corpus.beyond_excel_cases()), fast={"row-50-million", "merge-beyond"}))
def test_a_reference_beyond_excel_is_refused_naming_it(name, tmp_path):
    book = tmp_path / "book.xlsx"
    book.write_bytes(corpus.beyond_excel_cases()[name])
    before = book.read_bytes()
    rules = corpus.rules_file(tmp_path)
    for command in ("check", "refresh"):
        code, _, err = run_cli(command, book, "--rules", rules)
        assert code == 1, err
        assert "book.xlsx, sheet 'Scorecard'" in err, err
        assert "unexpected" not in err and len(err) < 1_000, err
    assert book.read_bytes() == before
    assert corpus.hidden_leftovers(tmp_path) == []


@pytest.mark.parametrize("ref", ["A1:G2000000", "A1:ZZZZ3"])
def test_an_excel_table_beyond_excel_is_refused(ref, tmp_path):
    book = tmp_path / "book.xlsx"
    book.write_bytes(corpus.book_with_table(ref))
    rules = corpus.rules_file(tmp_path, corpus.TABLE_RULES)
    code, _, err = run_cli("check", book, "--rules", rules)
    assert code == 1, err
    assert "Excel Table 'KPIs'" in err and "beyond Excel's last cell" in err, err


def test_the_embedded_rules_sheet_is_bounded_too(tmp_path):
    book = corpus.copy_sample(tmp_path)
    assert run_cli("rules", "embed", book, "--rules", corpus.SAMPLE_RULES).returncode == 0
    parts = corpus.parts_of(book)
    rules_part = next(n for n, d in parts.items() if n.startswith("xl/worksheets/") and b"version: 1" in d)
    book.write_bytes(
        corpus.edit_parts(
            book, {rules_part: corpus.sheet_rows('<row r="99999999"><c r="A99999999"><v>1</v></c></row>')}
        )
    )
    started = time.perf_counter()
    code, _, err = run_cli("check", book)
    assert code == 1, err
    assert "sheet 'ScorecardRules'" in err and "A99999999" in err, err
    assert time.perf_counter() - started < 10


def _peak_child_rss_mb(args: list[object], folder: Path) -> tuple[int, float, object]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = run_cli(*args, cwd=folder, process=True)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(peak, before) // 1024, elapsed, result


def test_fifty_million_rows_are_refused_in_bounded_memory_and_time(tmp_path):
    """The issue's 9.5 KB workbook: 7 GB and 113 s before; now refused in the memory of any refresh."""
    book = tmp_path / "book.xlsx"
    book.write_bytes(corpus.far_cell("A50000000"))
    rules = corpus.rules_file(tmp_path)
    tracemalloc.start()
    started = time.perf_counter()
    code = run_cli("check", book, "--rules", rules).returncode
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code == 1
    assert peak < 30_000_000 and elapsed < 10, (peak, elapsed)


def test_excels_last_cell_is_read_in_memory_that_follows_the_cells(tmp_path):
    """XFD1048576 is a legal cell: the sheet is read, and what the reader holds grows with the cells present."""
    book = tmp_path / "book.xlsx"
    book.write_bytes(corpus.far_cell("XFD1048576"))
    tracemalloc.start()
    started = time.perf_counter()
    grid = read_grid(book, "Scorecard")
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert grid.value(1_048_576, 16_384) == 1 and grid.value(6, 1) == "CIC01"
    assert grid.row_count == 1_048_576 and grid.value(1_048_575, 16_384) is None
    assert peak < 10_000_000 and elapsed < 5, (peak, elapsed)  # a padded grid: some hundreds of megabytes


@pytest.mark.slow
def test_a_refresh_with_a_cell_at_excels_last_cell_stays_bounded(tmp_path):
    book = tmp_path / "book.xlsx"
    book.write_bytes(corpus.far_cell("XFD1048576"))
    rules = corpus.rules_file(tmp_path)
    peak_mb, elapsed, result = _peak_child_rss_mb(["refresh", book, "--rules", rules], tmp_path)
    assert result.returncode == 0, result.stderr
    assert peak_mb < 400 and elapsed < 60, (peak_mb, elapsed)


# --- YAML ----------------------------------------------------------------------------------------

BASE = "version: 1\nlayout:\n  columns: {id: Ref, current: A, previous: B}\n"


def laughs(levels: int) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


YAML_CASES = {
    "billion-laughs": BASE + laughs(9),
    "laughs-under-kpis": BASE
    + "kpis:\n  - id: K1\n    name: &n [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"    n{i}: &n{i} [{', '.join(['*n' if i == 0 else f'*n{i - 1}'] * 10)}]\n" for i in range(8)),
    "one-level-more": BASE + laughs(10),
    "self-reference": BASE + "title: &t [*t]\n",
    "nested-lists": BASE + "title: " + "[" * 5000 + "]" * 5000 + "\n",
    "nested-mappings": BASE + "".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "end: 1\n",
    "nested-through-aliases": BASE
    + "".join(f"d{i}: &d{i} " + "[" * 60 + (f"*d{i - 1}" if i else "x") + "]" * 60 + "\n" for i in range(40)),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", YAML_CASES)
def test_yaml_expansion_and_nesting_are_bounded(name, tmp_path):
    rules = corpus.rules_file(tmp_path, YAML_CASES[name])
    tracemalloc.start()
    started = time.perf_counter()
    code, _, err = run_cli("check", "--rules", rules)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code == 1 and "rules.yaml, line " in err and "unexpected" not in err, err
    assert len(err) < 2_000, len(err)  # the case printed 312 MB
    assert peak < 100_000_000 and elapsed < 20, (peak, elapsed)


@pytest.mark.slow
def test_the_expansion_bound_leaves_real_rules_alone():
    kpis = "".join(f"  - {{id: K{i}, polarity: higher, target: 90, floor: 80}}\n" for i in range(2_000))
    rules = parse_rules(BASE + "defaults: &d {unit: percent}\nkpis:\n" + kpis)
    assert len(rules.kpis) == 2_000 and MAX_NODES > 2_000 * 10


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        BASE + "title: " + "x" * 200_000 + "\n  bad: [\n",  # a syntax error after a long value
        BASE + "title: [" + ", ".join(["a long value " * 50] * 300) + "]\n",  # the wrong type, a big value
        BASE + "kpis:\n  - {id: K1, polarity: " + "sideways" * 20_000 + "}\n",  # not one of the choices
        BASE + "kpis:\n" + "".join(f"  - {{id: K{i}, tagret{i}: 1}}\n" for i in range(500)),  # 500 problems
        BASE + "x" * 900 + ": 1\n",  # an unknown key a page long
    ],
    ids=["syntax", "type", "enum", "many-problems", "long-key"],
)
def test_a_value_quoted_in_a_message_is_cut_to_a_bounded_size(text, tmp_path):
    rules = corpus.rules_file(tmp_path, text)
    code, _, err = run_cli("check", "--rules", rules)
    assert code == 1, err
    assert "rules.yaml" in err and "unexpected" not in err, err[:500]
    assert len(err) < 8_000, len(err)
    assert all(len(line) < 2_100 for line in err.splitlines())


def test_an_alias_bomb_is_one_error_naming_its_line():
    with pytest.raises(RulesError) as caught:
        parse_rules(BASE + laughs(9), "r.yaml")
    # a0 is on line 4; a4 expands to 111,111 values, a5 (line 9) to 1,111,111: the first past the bound
    assert caught.value.line == 9


# --- the Word template -----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_zip_bomb_template_is_refused_quickly_in_bounded_memory(tmp_path):
    book = corpus.copy_sample(tmp_path)
    template = tmp_path / "council.docx"
    template.write_bytes(corpus.zip_bomb(corpus.docx_template(), "word/document.xml"))
    assert template.stat().st_size < 2_000_000
    tracemalloc.start()
    started = time.perf_counter()
    code, _, err = run_cli(
        "report", book, "--rules", corpus.SAMPLE_RULES, "--template", template, "--output", tmp_path / "paper.docx"
    )
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code == 1 and "council.docx: refused: part word/document.xml expands to 600,000,000 bytes" in err, err
    assert "Word document" in err
    assert peak < 50_000_000 and elapsed < 10, (peak, elapsed)
    assert not (tmp_path / "paper.docx").exists()
