"""Differential check for speed work: refresh a varied set of workbooks with two code trees and
compare every output byte (each part of the written .xlsx) and the JSON of `scorecard narrative`.

Usage: .venv/bin/python bench/difftest.py BASE_ADDIN_DIR NEW_ADDIN_DIR
  e.g. with the old code checked out by `git worktree add ../base HEAD~1`: bench/difftest.py ../base/addin addin
Builds its corpus in the temporary folder; exits 1 on any difference, listing it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

BASE, NEW = sys.argv[1:3]
ROOT = Path(__file__).resolve().parent.parent
WORK = Path(tempfile.gettempdir()) / f"scorecard-difftest-{os.getpid()}"
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench"), str(ROOT / "addin")]

import run as bench  # noqa: E402

import layouts  # noqa: E402
import spellings  # noqa: E402

WORK.mkdir()
cases: list[tuple[str, Path, Path]] = []
sample, sample_rules = (
    ROOT / "workbook_templates" / "cic-scorecard-june-2018.xlsx",
    ROOT / "rules" / "cic-scorecard.yaml",
)
cases.append(("sample", sample, sample_rules))
for name, spelling in spellings.SPELLINGS.items():
    cases.append((f"sample-{name}", spellings.respell(sample, WORK / f"sample-{name}.xlsx", spelling), sample_rules))
for layout in layouts.LAYOUTS:
    book, rules = layouts.make(layout, WORK)
    cases.append((layout.name, book, rules))
big = bench.generate(WORK / "k1000.xlsx", 1000)
variants = {
    "history": bench.HISTORY_RULES,
    "spc": bench.HISTORY_RULES.replace("DOT}", "DOT, variation: Variation, assurance: Assurance}").replace(
        "history: true", "history: true\n  add_missing_columns: true"
    )
    + "spc: {min_points: 12}\n",
    "percent-fraction": bench.HISTORY_RULES.replace("history: true", "history: true\n  percent: fraction"),
    "decimals": bench.HISTORY_RULES + "defaults: {decimals: 0}\n",
}
for name, text in variants.items():
    rules = WORK / f"{name}.yaml"
    rules.write_text(text)
    cases.append((f"k1000-{name}", big, rules))


def run(tree: str, book: Path, rules: Path, out: Path) -> tuple[int, str, dict[str, bytes], str]:
    env = {**os.environ, "PYTHONPATH": tree}
    py = str(ROOT / ".venv" / "bin" / "python")
    r = subprocess.run(
        [py, "-m", "scorecard.cli", "refresh", str(book), "--rules", str(rules), "--output", str(out)],
        capture_output=True,
        text=True,
        env=env,
    )
    parts = {}
    if out.exists():
        with zipfile.ZipFile(out) as z:
            parts = {i.filename: z.read(i) for i in z.infolist()}
    j = subprocess.run(
        [py, "-m", "scorecard.cli", "narrative", str(book), "--rules", str(rules), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
    )
    return r.returncode, r.stdout + r.stderr, parts, j.stdout + j.stderr


bad = 0
for name, book, rules in cases:
    a = run(BASE, book, rules, WORK / f"{name}-base.xlsx")
    b = run(NEW, book, rules, WORK / f"{name}-new.xlsx")
    problems = []
    if a[0] != b[0]:
        problems.append(f"exit {a[0]} vs {b[0]}")
    if a[1].replace("-base", "-new") != b[1]:
        problems.append(f"messages differ:\n  base: {a[1][:600]}\n  new:  {b[1][:600]}")
    if set(a[2]) != set(b[2]):
        problems.append(f"parts differ: {sorted(set(a[2]) ^ set(b[2]))}")
    for part in sorted(set(a[2]) & set(b[2])):
        if a[2][part] != b[2][part]:
            problems.append(f"part {part} differs")
    if a[3] != b[3]:
        problems.append("narrative --json differs")
    print(f"{'OK  ' if not problems else 'DIFF'} {name} (exit {a[0]})")
    for p in problems:
        print("     " + p)
    bad += bool(problems)
shutil.rmtree(WORK)
sys.exit(1 if bad else 0)
