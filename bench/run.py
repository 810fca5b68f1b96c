"""The benchmark behind `make bench`: figures to bench/results.json and bench/results.md.

Every time is the median of several runs, and every ratio is against baselines measured in the
same run on the same file, each in a fresh process:
- the floor: what any refresh must do at least, in a few lines: unzip every part, parse the sheets and
  the shared strings with lxml, and zip the package back. lxml can parse a part two ways, as a whole
  tree (faster) or streamed with iterparse (less memory); both are measured, and the floor takes the
  faster time and the smaller memory of the two, so it is the harder target on each count;
- the cell floor: the floor, plus each cell of the sheets visited once from Python (its reference, type,
  style and value text into a list, nothing converted). Any refresh written in Python that looks at the
  figures pays at least this, so the floor targets below it cannot be met by one (see README, Performance);
- openpyxl's load_workbook plus save, the floor of a tool re-saving through openpyxl.
Memory is the peak resident set of a fresh process above what it held before the work began (so
imports do not count), for the refresh and the baselines alike. No figure here is asserted by the
test suite; targets are printed beside them.

Start-up, what a user pays on every command and every ribbon click, is timed on whole processes against
the floor run as a whole process (interpreter, imports and all), in packages installed as a user installs
them (``pip install .`` into a fresh virtual environment, with its compiled bytecode), each round running
every command once in turn so that a busy machine slows all alike; the ratio is the median of the rounds'
ratios. ``--before REF`` installs that commit the same way and times it in the same rounds, so the
before-and-after figures come from one run.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The remote engine (for counting Excel calls) registers at xlwings' import: the key must be set first. It is
# set for this process only: with it, importing xlwings also loads its PRO remote engine (0.03 s), which the
# add-in's clicks never set, so the processes timed here run without it (CHILD_ENV).
KEY_WAS_SET = "XLWINGS_LICENSE_KEY" in os.environ
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "workbook_templates" / "cic-scorecard-june-2018.xlsx"
SAMPLE_RULES = ROOT / "rules" / "cic-scorecard.yaml"
HISTORY_RULES = """\
version: 1
title: Benchmark Scorecard
layout:
  sheet: Scorecard
  history: true
  columns: {id: Ref, name: Indicator, polarity: Polarity, target: Target, floor: Floor, rag: RAG, direction: DOT}
"""
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
CHILD_ENV = {  # a user's Python writes .pyc; a click runs without xlwings' remote-engine key (above)
    k: v
    for k, v in os.environ.items()
    if k != "PYTHONDONTWRITEBYTECODE" and (k != "XLWINGS_LICENSE_KEY" or KEY_WAS_SET)
}
TARGETS = {
    "floor_time_ratio": "<= 2.5 at 10,000 KPIs",
    "floor_memory_ratio": "<= 2.0 at 10,000 KPIs",
    "time_ratio": "<= 1.0 at 1,000 and 10,000 rows",
    "memory_ratio": "<= 1.0 at 10,000 rows",
    "batch_speedup": ">= 1.7 on 2 cores",
    "help_seconds": "< 0.3 s",
    "udf_microseconds": "< 20 us",
    "excel_calls": "the same at 1,000 KPIs as at 24",
    "cli_startup": "<= 2.0 x the floor process",
    "ribbon_startup": "<= 3.0 x the floor process, or a persistent Python",
}
HEAVY = ("openpyxl", "numpy", "pandas", "jsonschema", "docx", "matplotlib")  # not to be imported needlessly


def generate(path: Path, rows: int) -> Path:
    """A scorecard of ``rows`` KPIs with 13 month columns, written by XlsxWriter as Excel would."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("Scorecard")
    pct = book.add_format({"num_format": "0.0%"})
    month = book.add_format({"num_format": "mmm-yy", "bold": True})
    headers = ["Ref", "Indicator", "Polarity", "Target", "Floor", "RAG", "DOT"]
    ws.write_row(0, 0, headers)
    for i in range(13):
        ws.write_datetime(0, len(headers) + i, dt.datetime(2017 + (5 + i) // 12, (5 + i) % 12 + 1, 1), month)
    for r in range(1, rows + 1):
        higher = r % 4 != 0
        ws.write_row(r, 0, [f"K{r:05d}", f"Indicator number {r}", "H" if higher else "L"])
        ws.write_number(r, 3, 0.85 if higher else 0.15, pct)
        ws.write_number(r, 4, 0.75 if higher else 0.25, pct)
        for i in range(13):
            ws.write_number(r, len(headers) + i, ((r * 7 + i * 13) % 100) / 100, pct)
    book.close()
    return path


# --- measurements in fresh processes -------------------------------------------------------------

CHILD = r"""
import json, sys, time, shutil
def rss_kb(field="VmRSS:"):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1])
job, source, work, rules = sys.argv[1:5]
if job == "baseline":
    import openpyxl
    def run():
        book = openpyxl.load_workbook(work)
        book.save(work)
elif job.startswith("floor"):
    import io, zipfile
    from lxml import etree
    MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    def run():
        with zipfile.ZipFile(work) as archive:
            parts = [(info, archive.read(info)) for info in archive.infolist()]
        for info, data in parts:
            name = info.filename
            if (name.startswith("xl/worksheets/sheet") or name.endswith("sharedStrings.xml")) and name.endswith(".xml"):
                if job == "floor-tree":
                    etree.fromstring(data)
                elif job == "floor-cells":  # streamed, the faster way to visit every cell (a tree takes twice as long)
                    cells = []
                    for _, row in etree.iterparse(io.BytesIO(data), tag=(MAIN + "row", MAIN + "si")):
                        for c in row:
                            v = c[0] if len(c) else None
                            cells.append((c.get("r"), c.get("t"), c.get("s"), v.text if v is not None else None))
                        row.clear()
                        while row.getprevious() is not None:
                            del row.getparent()[0]
                else:
                    for _, element in etree.iterparse(io.BytesIO(data), tag=(MAIN + "row", MAIN + "si")):
                        element.clear()
        with zipfile.ZipFile(work, "w", zipfile.ZIP_DEFLATED) as out:
            for info, data in parts:
                out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
else:
    from scorecard.usecases import refresh_file
    from scorecard.core.rules import load_rules
    # imported before the clock, like the baseline's
    import lxml.etree, yaml, scorecard.workbook.reader, scorecard.workbook.writer
    loaded = load_rules(rules)
    def run():
        refresh_file(work, loaded)
shutil.copyfile(source, work)
before = rss_kb()
started = time.perf_counter()
run()
elapsed = time.perf_counter() - started
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the forking parent (this benchmark,
# grown by generating workbooks), which would hide any peak smaller than the parent's
peak = rss_kb("VmHWM:")
print(json.dumps({"seconds": elapsed, "peak_kb": peak - before}))
"""


# Where a refresh's time goes, stage by stage, in CPU seconds (the process alone, whatever the machine's load):
# opening the package, reading the sheet into the grid, reading the table of KPIs, everything else a refresh
# decides (rating, SPC, the narrative, the plan), and writing (the sheets spliced and written, the package zipped).
STAGES = r"""
import json, shutil, sys, time
from scorecard.core.reading import read_table
from scorecard.core.rules import load_rules
from scorecard.usecases import evaluate_grid
from scorecard.workbook.book import open_workbook
source, work, rules = sys.argv[1:4]
loaded = load_rules(rules)
shutil.copyfile(source, work)
clock = time.process_time
stages = {}
started = clock()
with open_workbook(work) as book:
    stages["open"] = clock() - started
    started = clock()
    grid = book.grid(loaded.layout.sheet)
    stages["grid"] = clock() - started
    started = clock()
    read_table(grid, loaded)
    stages["table"] = clock() - started
    started = clock()
    result = evaluate_grid(grid, loaded)  # reads the table again: its time is taken off below
    stages["decide"] = clock() - started - stages["table"]
    started = clock()
    book.apply(result.plan)
    stages["write"] = clock() - started
print(json.dumps(stages))
"""


def stages(source: Path, rules: Path, folder: Path, python: str = sys.executable) -> dict[str, float]:
    """Median CPU seconds of each stage of a refresh (STAGES), in fresh processes."""
    runs: list[dict[str, float]] = []
    for _ in range(RUNS):
        out = subprocess.run(
            [python, "-c", STAGES, str(source), str(folder / f"stages{source.suffix}"), str(rules)],
            capture_output=True,
            text=True,
            check=True,
            env=CHILD_ENV,
        )
        runs.append(json.loads(out.stdout))
    return {name: statistics.median(run[name] for run in runs) for name in runs[0]}


def measure(job: str, source: Path, rules: Path, folder: Path, python: str = sys.executable) -> dict:
    work = folder / f"work-{job}{source.suffix}"
    times, peaks = [], []
    for _ in range(RUNS):
        out = subprocess.run(
            [python, "-c", CHILD, job, str(source), str(work), str(rules)],
            capture_output=True,
            text=True,
            check=True,
            env=CHILD_ENV,
        )
        figures = json.loads(out.stdout)
        times.append(figures["seconds"])
        peaks.append(figures["peak_kb"])
    return {"seconds": statistics.median(times), "peak_mb": statistics.median(peaks) / 1024, "runs": RUNS}


def refresh_vs_baseline(folder: Path, before: Path | None = None) -> list[dict]:
    """Each workbook refreshed against the baselines; with ``before`` (that commit's python), its refresh too."""
    rules = folder / "history.yaml"
    rules.write_text(HISTORY_RULES)
    cases = [("sample (24 KPIs)", SAMPLE, SAMPLE_RULES)]
    for rows in (1000, 10000):
        cases.append((f"{rows:,} KPIs x 13 months", generate(folder / f"kpis-{rows}.xlsx", rows), rules))
    results = []
    for name, source, rules_path in cases:
        ours = measure("refresh", source, rules_path, folder)
        tree = measure("floor-tree", source, rules_path, folder)
        stream = measure("floor-stream", source, rules_path, folder)
        cells = measure("floor-cells", source, rules_path, folder)
        base = measure("baseline", source, rules_path, folder)
        stage_cpu = stages(source, rules_path, folder)
        old = measure("refresh", source, rules_path, folder, str(before)) if before else None
        floor_s, floor_mb = min(tree["seconds"], stream["seconds"]), min(tree["peak_mb"], stream["peak_mb"])
        results.append(
            {
                "workbook": name,
                "bytes": source.stat().st_size,
                "refresh_s": ours["seconds"],
                "refresh_peak_mb": ours["peak_mb"],
                "floor_s": floor_s,
                "floor_peak_mb": floor_mb,
                "floor_tree_s": tree["seconds"],
                "floor_stream_s": stream["seconds"],
                "floor_tree_peak_mb": tree["peak_mb"],
                "floor_stream_peak_mb": stream["peak_mb"],
                "cell_floor_s": cells["seconds"],
                "cell_floor_peak_mb": cells["peak_mb"],
                "cell_floor_time_ratio": cells["seconds"] / floor_s,
                "refresh_to_cell_floor": ours["seconds"] / cells["seconds"],
                "floor_time_ratio": ours["seconds"] / floor_s,
                "floor_memory_ratio": ours["peak_mb"] / floor_mb if floor_mb > 0 else None,
                "baseline_s": base["seconds"],
                "time_ratio": ours["seconds"] / base["seconds"],
                "baseline_peak_mb": base["peak_mb"],
                "memory_ratio": ours["peak_mb"] / base["peak_mb"] if base["peak_mb"] else None,
                "stages_cpu_s": stage_cpu,
                **(
                    {
                        "before_s": old["seconds"],
                        "before_peak_mb": old["peak_mb"],
                        "before_floor_time_ratio": old["seconds"] / floor_s,
                        "before_floor_memory_ratio": old["peak_mb"] / floor_mb if floor_mb > 0 else None,
                    }
                    if old
                    else {}
                ),
            }
        )
        print(
            f"  {name}: refresh {ours['seconds']:.3f} s, floor {floor_s:.3f} s (tree {tree['seconds']:.3f}, stream "
            f"{stream['seconds']:.3f}; each cell visited {cells['seconds']:.3f}), openpyxl "
            f"{base['seconds']:.3f} s; peak {ours['peak_mb']:.1f} MB, floor "
            f"{floor_mb:.1f} MB (tree {tree['peak_mb']:.1f}, stream {stream['peak_mb']:.1f}), openpyxl "
            f"{base['peak_mb']:.1f} MB"
            + (f"; before: refresh {old['seconds']:.3f} s, peak {old['peak_mb']:.1f} MB" if old else ""),
            flush=True,
        )
    return results


CPU_WORK = "total = 0\nfor i in range(3_000_000):\n    total += i % 7\n"  # pure Python, no I/O: what a core gives


def _timed(commands: list[list[str]]) -> tuple[float, float]:
    """Run the commands at once: wall seconds, and CPU seconds of their processes and all their children."""
    before = os.times()
    started = time.perf_counter()
    quiet = subprocess.DEVNULL
    running = [subprocess.Popen(c, stdout=quiet, stderr=quiet, env=CHILD_ENV) for c in commands]
    for process in running:
        if process.wait():
            raise SystemExit(f"failed: {' '.join(process.args[:3])}")
    after = os.times()
    return time.perf_counter() - started, (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )


def batch(folder: Path, scorecard: Path) -> dict:
    """200 copies of the sample refreshed by one command, in one process and on every core; in the same
    rounds, what the machine gives two independent Python processes (on a shared machine, the ceiling)."""
    books = folder / "batch"
    if not books.is_dir():
        books.mkdir()
        for i in range(200):
            shutil.copyfile(SAMPLE, books / f"district-{i:03d}.xlsx")
    cores = os.cpu_count() or 1
    walls: dict[str, list[float]] = {"one_process": [], "all_cores": [], "cpu_one": [], "cpu_all": []}
    machine: list[float] = []
    for _ in range(max(RUNS, 3)):
        for jobs in (1, 0):
            out = folder / f"out-{jobs}"
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            command = [str(scorecard), "refresh", *map(str, sorted(books.iterdir())), "--rules", str(SAMPLE_RULES)]
            wall, cpu = _timed([[*command, "--output", str(out), "--jobs", str(jobs)]])
            walls["one_process" if jobs == 1 else "all_cores"].append(wall)
            walls["cpu_one" if jobs == 1 else "cpu_all"].append(cpu)
        alone, _ = _timed([[sys.executable, "-c", CPU_WORK]])
        together, _ = _timed([[sys.executable, "-c", CPU_WORK]] * cores)
        machine.append(cores * alone / together)
    figures = {
        "one_process": 200 / statistics.median(walls["one_process"]),
        "all_cores": 200 / statistics.median(walls["all_cores"]),
        "cores": cores,
        # CPU seconds a workbook costs, all processes counted: more on all cores means the batch's own overhead
        "cpu_ms_one_process": statistics.median(walls["cpu_one"]) / 200 * 1000,
        "cpu_ms_all_cores": statistics.median(walls["cpu_all"]) / 200 * 1000,
        # what the machine gave `cores` independent pure-Python processes against one, in the same rounds
        "machine_speedup": statistics.median(machine),
        "load_average": os.getloadavg()[0],
    }
    figures["speedup"] = figures["all_cores"] / figures["one_process"]
    # What bounds the speedup: the command's serial start-up (interpreter, imports, validating the
    # rules once), measured as one workbook's command time less one workbook's share of the batch.
    single = []
    for _ in range(max(RUNS, 3)):
        started = time.perf_counter()
        subprocess.run(
            [
                str(scorecard),
                "refresh",
                str(books / "district-000.xlsx"),
                "--rules",
                str(SAMPLE_RULES),
                "--output",
                str(folder / "out-1") + "/",
            ],
            check=True,
            capture_output=True,
            env=CHILD_ENV,
        )
        single.append(time.perf_counter() - started)
    per_book = 1 / figures["one_process"]
    startup = max(statistics.median(single) - per_book, 0.0)
    figures["startup_s"] = startup
    figures["speedup_bound"] = (startup + 200 * per_book) / (startup + 200 * per_book / figures["cores"])
    print(
        f"  batch of 200: {figures['one_process']:.1f}/s on 1 process, {figures['all_cores']:.1f}/s on "
        f"{figures['cores']} cores ({figures['speedup']:.2f}x; start-up {figures['startup_s']:.2f} s bounds it at "
        f"{figures['speedup_bound']:.2f}x; the machine gave {cores} independent processes "
        f"{figures['machine_speedup']:.2f}x; CPU a workbook {figures['cpu_ms_one_process']:.1f} ms on 1 process, "
        f"{figures['cpu_ms_all_cores']:.1f} ms on {cores}; load average {figures['load_average']:.1f})",
        flush=True,
    )
    return figures


def cold_start(scorecard: Path) -> float:
    times = []
    for _ in range(max(RUNS, 5)):
        started = time.perf_counter()
        subprocess.run([str(scorecard), "--help"], check=True, capture_output=True, env=CHILD_ENV)
        times.append(time.perf_counter() - started)
    print(f"  scorecard --help: {statistics.median(times):.3f} s", flush=True)
    return statistics.median(times)


# --- start-up: whole processes, the package installed as a user installs it --------------------------

FLOOR_PROCESS = r"""
import sys, zipfile
from lxml import etree
source, work = sys.argv[1:3]
with zipfile.ZipFile(source) as archive:
    parts = [(info, archive.read(info)) for info in archive.infolist()]
for info, data in parts:
    name = info.filename
    if (name.startswith("xl/worksheets/sheet") or name.endswith("sharedStrings.xml")) and name.endswith(".xml"):
        etree.fromstring(data)
with zipfile.ZipFile(work, "w", zipfile.ZIP_DEFLATED) as out:
    for info, data in parts:
        out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
"""


def _tree_key(tree: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted([tree / "pyproject.toml", *(tree / "addin").rglob("*")]):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(tree)).encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def environment(tree: Path, extras: str = "") -> Path:
    """A virtual environment (kept in build/bench) with the package at ``tree`` installed as a user installs
    it, ``pip install .`` with its dependencies and compiled bytecode: its python."""
    folder = ROOT / "build" / "bench" / f"venv-{_tree_key(tree)}{'-' + extras if extras else ''}"
    python = folder / "bin" / "python"
    if not (folder / ".installed").is_file():
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        spec = f"{tree}[{extras}]" if extras else str(tree)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", spec], check=True, env=CHILD_ENV)
        (folder / ".installed").touch()
    return python


HEAVY_REPORT = f"""
import json, sys
loaded = sorted({{name.split(".")[0] for name in sys.modules}} & set({HEAVY!r}))
sys.stderr.write("HEAVY " + json.dumps(loaded))
"""


def _heavy_imports(python: Path, code: str) -> list[str]:
    """Which of HEAVY a path imports, in that environment."""
    done = subprocess.run([str(python), "-c", code + HEAVY_REPORT], capture_output=True, text=True, env=CHILD_ENV)
    line = next((ln for ln in done.stderr.splitlines() if ln.startswith("HEAVY ")), None)
    return json.loads(line[6:]) if line else [f"failed: {done.stderr.strip()[-200:]}"]


def startup(folder: Path, before: Path | None) -> dict:
    """Whole processes, timed in rounds against the floor process of the same round."""
    trees = {"after": ROOT, **({"before": before} if before else {})}
    pythons = {label: environment(tree) for label, tree in trees.items()}
    with_pandas = environment(ROOT, "pandas")
    floor = pythons["after"]
    commands: dict[str, list[str]] = {
        "floor": [str(floor), "-c", FLOOR_PROCESS, str(SAMPLE), str(folder / "floor.xlsx")]
    }
    for label, python in pythons.items():
        scorecard = str(python.parent / "scorecard")
        out = str(folder / f"startup-{label}.xlsx")
        commands[f"{label}: cli"] = [scorecard, "refresh", str(SAMPLE), "--rules", str(SAMPLE_RULES), "--output", out]
        commands[f"{label}: ribbon"] = [str(python), "-c", "import scorecard.excel"]
    commands["after: ribbon, pandas installed"] = [str(with_pandas), "-c", "import scorecard.excel"]
    rounds = max(RUNS * 3, 9)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, env=CHILD_ENV)
            times[name].append(time.perf_counter() - started)
    figures: dict = {"rounds": rounds, "seconds": {}, "ratio": {}}
    for name, measured in times.items():
        figures["seconds"][name] = statistics.median(measured)
        figures["ratio"][name] = statistics.median(t / f for t, f in zip(measured, times["floor"], strict=True))
    cli_code = (
        "import sys\n"
        f"sys.argv = ['scorecard', 'refresh', {str(SAMPLE)!r}, '--rules', {str(SAMPLE_RULES)!r}, "
        f"'--output', {str(folder / 'heavy.xlsx')!r}]\n"
        "from scorecard.cli import main\nmain()"
    )
    figures["heavy"] = {}
    for label, python in {**pythons, "after, pandas installed": with_pandas}.items():
        figures["heavy"][label] = {
            "scorecard refresh": _heavy_imports(python, cli_code),
            "ribbon click": _heavy_imports(python, "import scorecard.excel"),
            "worksheet function": _heavy_imports(
                python, f"import scorecard.udfs\nscorecard.udfs.SCORECARD_RAG(95, 'CIC01', {str(SAMPLE_RULES)!r})"
            ),
        }
    figures["warm_click_s"] = warm_click()
    figures["warm_click_ratio"] = figures["warm_click_s"] / figures["seconds"]["floor"]
    for name in commands:
        print(
            f"  {name}: {figures['seconds'][name]:.3f} s, {figures['ratio'][name]:.2f} x the floor process", flush=True
        )
    print(f"  a click in a persistent Python (the job alone): {figures['warm_click_s']:.3f} s", flush=True)
    for label, paths in figures["heavy"].items():
        print(f"  heavy imports, {label}: {paths}", flush=True)
    return figures


def warm_click() -> float:
    """A ribbon Refresh of the sample in a Python that has run one before (xlwings' remote engine standing in
    for Excel): what each click after the first costs when Python persists (xlwings' USE UDF SERVER)."""
    sys.path.insert(0, str(ROOT / "tests"))
    import xlwings as xw

    from remote import payload
    from scorecard.excel import ribbon

    data = payload(SAMPLE)
    times = []
    for _ in range(RUNS + 1):
        book = xw.Book(json=copy.deepcopy(data))  # the engine adds to its payload: a fresh one each click
        started = time.perf_counter()
        message = ribbon.refresh(book, rules=SAMPLE_RULES)
        times.append(time.perf_counter() - started)
        assert message is None, message  # the sample refreshes without a warning
    return statistics.median(times[1:])  # the first pays the imports and reads the rules


def udf_cost() -> dict:
    import timeit

    from scorecard import udfs

    rules = str(SAMPLE_RULES)
    udfs.SCORECARD_RAG(48.4, "CIC02", rules)  # loads and caches the rules
    figures = {}
    for name, call in (
        ("SCORECARD_RAG", lambda: udfs.SCORECARD_RAG(48.4, "CIC02", rules)),
        ("RAG", lambda: udfs.RAG(84.9, 85, 75, "H")),
    ):
        number = 20000
        best = min(timeit.repeat(call, number=number, repeat=RUNS))
        figures[name] = best / number * 1e6
    print("  UDF per call: " + ", ".join(f"{k} {v:.1f} us" for k, v in figures.items()), flush=True)
    return figures


def excel_calls(folder: Path) -> dict:
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import write_book
    from remote import run_macro
    from scorecard.excel import ribbon as excel

    rules = folder / "calls.yaml"
    rules.write_text(
        "version: 1\nlayout:\n  columns: {id: Ref, polarity: Polarity, target: Target, floor: Floor, "
        "current: Jun-18, previous: May-18, rag: RAG, direction: DOT}\n"
    )
    counts = {}
    for kpis in (24, 1000):
        rows = [["Ref", "Polarity", "Target", "Floor", "May-18", "Jun-18", "RAG", "DOT"]]
        rows += [[f"K{i}", "H", 85, 75, 70 + i % 30, 71 + (i * 7) % 30, None, None] for i in range(kpis)]
        book = write_book(folder / f"calls-{kpis}.xlsx", rows)
        _, actions = run_macro(book, excel.refresh, rules=rules)
        counts[f"{kpis:,} KPIs"] = len(actions)
    _, actions = run_macro(SAMPLE, excel.refresh, rules=SAMPLE_RULES)
    counts["sample (24 KPIs in 4 sections)"] = len(actions)
    print("  Excel calls per ribbon refresh: " + ", ".join(f"{k}: {v}" for k, v in counts.items()), flush=True)
    return counts


def machine() -> dict:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
        platform.processor(),
    )
    import lxml.etree
    import openpyxl

    return {
        "python": platform.python_version(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "openpyxl": openpyxl.__version__,
        "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)),
        "date": dt.date.today().isoformat(),
        "runs": RUNS,
    }


STARTUP_ROWS = {
    "floor": "the floor process (unzip, parse the sheets and strings with lxml, zip back)",
    "after: cli": "`scorecard refresh` of the sample",
    "before: cli": "`scorecard refresh` of the sample, before",
    "after: ribbon": "a ribbon click's imports (`import scorecard.excel`), default install",
    "before: ribbon": "a ribbon click's imports, before",
    "after: ribbon, pandas installed": "a ribbon click's imports with pandas installed (xlwings then loads it)",
}


def startup_table(figures: dict, before: str | None) -> list[str]:
    rows = [
        f"Start-up: whole processes, the package installed with pip into a fresh environment, medians of "
        f"{figures['rounds']} rounds, xlwings' remote-engine key unset as in a click"
        + (f"; before = commit {before}" if before else "")
        + ":",
        "",
        "| Process | seconds | x the floor process | target |",
        "|---|---|---|---|",
    ]
    for name, label in STARTUP_ROWS.items():
        if name in figures["seconds"]:
            target = TARGETS["cli_startup"] if name.endswith("cli") else TARGETS["ribbon_startup"]
            target = "" if name == "floor" or name.startswith("before") else target
            rows.append(f"| {label} | {figures['seconds'][name]:.3f} | {figures['ratio'][name]:.2f} | {target} |")
    rows.append(
        f"| a click in a persistent Python (the job alone, imports done) | {figures['warm_click_s']:.3f} | "
        f"{figures['warm_click_ratio']:.2f} | {TARGETS['ribbon_startup']} |"
    )
    rows += ["", "| Environment | " + " | ".join(next(iter(figures["heavy"].values()))) + " |", "|---|---|---|---|"]
    for label, paths in figures["heavy"].items():
        rows.append(f"| {label} | " + " | ".join(", ".join(found) or "none" for found in paths.values()) + " |")
    return rows + [f"(which of {', '.join(HEAVY)} each path imports)", ""]


def table(results: dict) -> str:
    rows = [
        *startup_table(results["startup"], results.get("before")),
        "| Workbook | refresh | floor | ratio | peak MB refresh | peak MB floor | ratio | openpyxl load+save | "
        "ratio | peak MB openpyxl | ratio |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["refresh"]:
        memory = f"{r['memory_ratio']:.2f}" if r["memory_ratio"] is not None else "-"
        floor_memory = f"{r['floor_memory_ratio']:.2f}" if r["floor_memory_ratio"] is not None else "-"
        rows.append(
            f"| {r['workbook']} | {r['refresh_s']:.3f} s | {r['floor_s']:.3f} s | {r['floor_time_ratio']:.2f} | "
            f"{r['refresh_peak_mb']:.1f} | {r['floor_peak_mb']:.1f} | {floor_memory} | "
            f"{r['baseline_s']:.3f} s | {r['time_ratio']:.2f} | {r['baseline_peak_mb']:.1f} | {memory} |"
        )
    for r in results["refresh"]:
        if "before_s" in r:
            memory = f"{r['before_floor_memory_ratio']:.2f}" if r["before_floor_memory_ratio"] is not None else "-"
            rows.append(
                f"| {r['workbook']}, before | {r['before_s']:.3f} s | {r['floor_s']:.3f} s | "
                f"{r['before_floor_time_ratio']:.2f} | {r['before_peak_mb']:.1f} | {r['floor_peak_mb']:.1f} | {memory} "
                "| | | | |"
            )
    rows += [
        "",
        f"Targets: against the floor, time {TARGETS['floor_time_ratio']}, memory {TARGETS['floor_memory_ratio']}; "
        f"against openpyxl, time {TARGETS['time_ratio']}, memory {TARGETS['memory_ratio']}.",
    ]
    rows += [
        "",
        "What the floor leaves out: visiting each cell once from Python (the floor plus each cell's reference, "
        "type, style and value text read into a list, nothing converted), the least any refresh written in "
        "Python pays:",
        "",
        "| Workbook | floor | each cell visited | its ratio to the floor | refresh to it |",
        "|---|---|---|---|---|",
    ]
    for r in results["refresh"]:
        rows.append(
            f"| {r['workbook']} | {r['floor_s']:.3f} s | {r['cell_floor_s']:.3f} s | "
            f"{r['cell_floor_time_ratio']:.2f} | "
            f"{r['refresh_to_cell_floor']:.2f} |"
        )
    rows += [
        "",
        "Where a refresh's time goes (CPU seconds, the process alone), each stage also as a multiple of the floor's "
        "time: the time target at 10,000 KPIs, 2.5 times the floor, is for all of them together:",
        "",
        "| Workbook | open | read the sheet (grid) | read the table (KPIs) | rate, SPC, narrative, plan "
        "| write and zip | all | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results["refresh"]:
        cpu, floor = r["stages_cpu_s"], r["floor_s"]
        named = ("open", "grid", "table", "decide", "write")
        cells = " | ".join(f"{cpu[n]:.3f} s ({cpu[n] / floor:.1f}x)" for n in named)
        total = sum(cpu.values())
        target = f"{2.5 * floor:.3f} s (2.5x)" if r["workbook"].startswith("10,000") else ""
        rows.append(f"| {r['workbook']} | {cells} | {total:.3f} s ({total / floor:.1f}x) | {target} |")
    b = results["batch"]
    m = results["machine"]
    rows += [
        "",
        "| Measure | Figure | Target |",
        "|---|---|---|",
        f"| batch of 200 sample workbooks, 1 process | {b['one_process']:.1f} workbooks/s | |",
        f"| batch of 200, all {b['cores']} cores | {b['all_cores']:.1f} workbooks/s ({b['speedup']:.2f}x) | "
        f"{TARGETS['batch_speedup']} |",
        f"| the command's serial start-up, and the speedup it allows | {b['startup_s']:.2f} s; at most "
        f"{b['speedup_bound']:.2f}x | |",
        f"| the machine, same rounds: {b['cores']} independent pure-Python processes against one (load average "
        f"{b['load_average']:.1f}) | {b['machine_speedup']:.2f}x | the ceiling on a shared machine |",
        f"| CPU a workbook costs, all processes counted: 1 process, all cores | {b['cpu_ms_one_process']:.1f} ms, "
        f"{b['cpu_ms_all_cores']:.1f} ms | the batch's own overhead is the difference |",
        *(
            [
                f"| before: batch of 200, 1 process and all cores | {results['batch_before']['one_process']:.1f} and "
                f"{results['batch_before']['all_cores']:.1f} workbooks/s ({results['batch_before']['speedup']:.2f}x); "
                f"start-up {results['batch_before']['startup_s']:.2f} s; the machine, its rounds: "
                f"{results['batch_before']['machine_speedup']:.2f}x | |"
            ]
            if "batch_before" in results
            else []
        ),
        f"| `scorecard --help` cold start | {results['help_seconds']:.3f} s | {TARGETS['help_seconds']} |",
        *[
            f"| UDF `{k}` per call, rules cached | {v:.1f} us | {TARGETS['udf_microseconds']} |"
            for k, v in results["udf_us"].items()
        ],
        *[
            f"| Excel calls per ribbon refresh, {k} | {v} | {TARGETS['excel_calls']} |"
            for k, v in results["excel_calls"].items()
        ],
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, openpyxl {m['openpyxl']}, lxml {m['lxml']}; "
        f"medians of {m['runs']} runs; {m['date']}.",
    ]
    return "\n".join(rows) + "\n"


def exported(ref: str, folder: Path) -> Path:
    """The package as it was at commit ``ref``, exported from git into ``folder``."""
    tree = folder / f"tree-{ref}"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--before", metavar="REF", help="also time start-up of this commit, in the same rounds")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="scorecard-bench-") as tmp:
        folder = Path(tmp)
        print("start-up, whole processes against the floor process:", flush=True)
        before = exported(args.before, folder) if args.before else None
        results = {"machine": machine(), "targets": TARGETS, "before": args.before, "startup": startup(folder, before)}
        print("refresh against the floor and openpyxl load+save:", flush=True)
        results["refresh"] = refresh_vs_baseline(folder, environment(before) if before else None)
        print("other figures:", flush=True)
        installed = environment(ROOT).parent / "scorecard"
        results["batch"] = batch(folder, installed)
        if before:
            print("  before:", flush=True)
            results["batch_before"] = batch(folder, environment(before).parent / "scorecard")
        results["help_seconds"] = cold_start(installed)
        results["udf_us"] = udf_cost()
        results["excel_calls"] = excel_calls(folder)
    results["bench_seconds"] = time.perf_counter() - started
    out = Path(__file__).parent
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "results.md").write_text(table(results))
    print(f"\nwrote {out / 'results.json'} and {out / 'results.md'} in {results['bench_seconds']:.0f} s\n")
    print(table(results))


if __name__ == "__main__":
    main()
