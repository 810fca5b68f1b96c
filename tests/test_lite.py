"""xlwings Lite: main.py's scripts and functions run inside Pyodide (Python in WebAssembly) under Node,
offline, and return exactly what CPython returns for the same payload.

What this proves: scorecard's wheel installs in Pyodide 0.29.5 as Lite installs a requirements.txt
line, its dependencies resolved by micropip (PyYAML from Pyodide's lock file, xlwings from a package
index, both served from local files over HTTP) with nothing Lite does not use; the Excel path imports
no lxml and starts no thread or process (Pyodide has neither, and a try fails there); the scripts'
Excel actions and the functions' values are the same in WebAssembly as in CPython, and the functions
give what the desktop functions give. What it does not prove: Excel's Lite add-in itself (its task
pane, its payload builder, its fetch of the wheel under the browser's CORS rules) is not run here; the
payload is built from the .xlsx as Office.js builds it (tests/remote.py).

Needs node and npm; tests/lite/setup.sh fetches the rest once into build/lite. Without node the test
is skipped on a developer's machine and fails under CI (CI=true).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE, SAMPLE_RULES
from layouts import MACROS, make
from remote import cells_of, payload, replay
from scorecard.core.embedded import to_lines
from scorecard.core.rules import load_rules
from scorecard.excel import functions as udfs
from scorecard.usecases import refresh_file
from scorecard.workbook import bookrules
from test_excel import MONTHLY_FRACTION, _sample, _with_decimals
from test_udfs import FRACTION_RULES

MAIN = ROOT / "addin" / "lite" / "main.py"
HERE = ROOT / "tests" / "lite"
SCRIPTS = ["scorecard_refresh", "scorecard_check", "scorecard_narrative", "scorecard_clear"]


@pytest.fixture(scope="module")
def cache() -> Path:
    if not shutil.which("node") or not shutil.which("npm"):
        if os.environ.get("CI") == "true":
            pytest.fail("node and npm are needed for the xlwings Lite test under CI (.ci/run installs them)")
        pytest.skip("node and npm not installed: the xlwings Lite (Pyodide) test needs them")
    done = subprocess.run(
        ["bash", str(HERE / "setup.sh")], capture_output=True, text=True, env={**os.environ, "PYTHON": sys.executable}
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return Path(done.stdout.strip().splitlines()[-1])


CASES = {
    "sample": _sample,
    # Lite, like the remote engine, cannot read number formats: the workbook gives its decimals in the rules
    "macro-workbook": lambda folder: make(_with_decimals(MACROS), folder),
    "monthly-fraction": lambda folder: make(MONTHLY_FRACTION, folder),
}


def _column(values) -> list[list]:
    return [[v] for v in values]


def _function_jobs(rules_cells: list[list], table: list[list], rules) -> list[dict]:
    """Calls for every KPI with thresholds: values on, between, above and below them, and no data."""
    jobs = []
    for kpi in rules.kpis.values():
        points = [p for p in (kpi.target, kpi.floor) if p is not None] or [50.0]
        values = sorted({*points, sum(points) / len(points), min(points) - 7.25, max(points) + 3.5})
        for value in [*values, None, "N/A"]:
            jobs.append({"kind": "function", "name": "rag", "args": [[[value]], [[kpi.id]], rules_cells]})
        for current, previous in zip(values, values[1:] + [None], strict=True):
            jobs.append(
                {"kind": "function", "name": "direction", "args": [[[current]], [[previous]], [[kpi.id]], rules_cells]}
            )
    jobs.append({"kind": "function", "name": "narrative", "args": [table, rules_cells]})
    jobs.append({"kind": "function", "name": "table", "args": [table, rules_cells]})
    return jobs


@contextlib.contextmanager
def _serving(folder: Path):
    """A web server on 127.0.0.1 serving ``folder``, for the length of the block: its base URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            thread.join()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def runs(cache, tmp_path_factory) -> dict:
    """Every case's jobs, run once in Pyodide (one Node process) and once in CPython."""
    folder = tmp_path_factory.mktemp("lite")
    jobs, index = [], {}
    for name, build in CASES.items():
        case = folder / name
        case.mkdir()
        book, rules_file = build(case)
        bookrules.embed(book, rules_file.read_text("utf-8"))
        request = payload(book)
        lines = next(s for s in request["sheets"] if s["name"] == "ScorecardRules")["values"]
        rules_cells = [
            [row[0] if row else None] for row in lines
        ]  # the range ScorecardRules!A1:A<n>, as Excel passes it
        table = next(s for s in request["sheets"] if s["name"] not in ("ScorecardRules",) and len(s["values"]) > 3)[
            "values"
        ]
        start = len(jobs)
        jobs += [{"kind": "script", "name": script, "payload": request} for script in SCRIPTS]
        if (
            name != "monthly-fraction"
        ):  # functions take cell values: fractions and dated headers are the table's business
            jobs += _function_jobs(rules_cells, table, load_rules(rules_file))
        index[name] = (start, len(jobs), book, rules_file)
    # SCORECARD.SPC on series worked by hand: 12 and 10 alternating, 16 points: mean 11, limits 5.68-16.32, no
    # rule fires; then a 30 after them: mean 206/17 = 12.12, mean moving range (15 x 2 + 20)/16 = 3.125, upper
    # limit 12.12 + 8.31 = 20.43, so the 30 is outside (higher: improvement; lower: concern; no polarity:
    # neither); 9 points are too few
    spc_start = len(jobs)
    for series, polarity in (
        ([12, 10] * 8, "higher"),
        ([12, 10] * 8 + [30], "higher"),
        ([12, 10] * 8 + [30], "Lower is better"),
        ([12, 10] * 8 + [30], ""),
        ([12, 10] * 4 + [11], "higher"),
    ):
        jobs.append({"kind": "function", "name": "spc", "args": [_column(series), [[polarity]], [[None]]]})
    index["spc"] = (spc_start, len(jobs), None, None)
    # percentages as the rules mean them: Lite passes a percent-formatted 95% as 0.95 (CIC01: target 100, floor 90)
    percent_start = len(jobs)
    for rules_text in (SAMPLE_RULES.read_text("utf-8"), FRACTION_RULES):
        cells = [[line] for line in to_lines(rules_text)]
        for value in (0.95, 95):
            jobs.append({"kind": "function", "name": "rag", "args": [[[value]], [["CIC01"]], cells]})
        jobs.append({"kind": "function", "name": "direction", "args": [[[0.95]], [[0.939]], [["CIC01"]], cells]})
    index["percent"] = (percent_start, len(jobs), None, None)
    plain = folder / "no-rules.xlsx"
    shutil.copyfile(SAMPLE, plain)
    jobs.append({"kind": "script", "name": "scorecard_check", "payload": payload(plain)})
    count_range = _column(["Green", "Amber", None, "green ", "Red", "No data", "Not rated"])
    for status in ("Green", "amber", "Not rated", "Purple"):
        jobs.append({"kind": "function", "name": "count", "args": [count_range, [[status]]]})
    jobs_file = folder / "jobs.json"
    jobs_file.write_text(json.dumps(jobs), encoding="utf-8")

    with _serving(cache) as server:  # the wheel's URL and the package index, as Lite fetches them
        pyodide = subprocess.run(
            ["node", str(HERE / "run.mjs"), str(cache), str(MAIN), str(jobs_file), server],
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert pyodide.returncode == 0, pyodide.stderr[-3000:]
    env = {
        **os.environ,
        "XLWINGS_ON_SERVER": "true",
        "XLWINGS_LICENSE_KEY": "noncommercial",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "addin"), os.environ.get("PYTHONPATH", "")]),
    }
    cpython = subprocess.run(
        [sys.executable, str(HERE / "driver.py"), str(MAIN), str(jobs_file)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert cpython.returncode == 0, cpython.stderr[-3000:]
    return {
        "jobs": jobs,
        "index": index,
        "pyodide": json.loads(pyodide.stdout),
        "cpython": json.loads(cpython.stdout),
        "folder": folder,
    }


@pytest.mark.slow
def test_lite_installs_scorecard_with_only_what_lite_uses(runs):
    """micropip resolves the wheel's dependencies as Lite does (deps=True): PyYAML from Pyodide's repository,
    xlwings from the package index, nothing else: no lxml, python-docx, pandas, openpyxl or jsonschema, whose
    absence here would have failed the install. A link whose path does not end in .whl is not taken for a wheel."""
    install = runs["pyodide"]["install"]
    packages = {name: source for name, (_, source) in install["packages"].items()}
    assert set(packages) == {"scorecard", "pyyaml", "xlwings", "micropip"}, packages
    assert packages["pyyaml"] == "pyodide"  # the lock file's entry: Pyodide's repository
    assert packages["xlwings"] == "pypi"  # micropip's word for a package index (here the test's, for PyPI)
    assert packages["scorecard"].endswith(".whl")  # the wheel's own URL
    assert install["refused"] == ["InvalidRequirement"]  # .../download.aspx?file=scorecard-...whl is no wheel URL


@pytest.mark.slow
def test_it_really_ran_in_webassembly_without_lxml_threads_or_processes(runs):
    wasm, native = runs["pyodide"], runs["cpython"]
    assert wasm["platform"] == "emscripten" and wasm["python"].startswith("3.13")
    assert native["platform"] != "emscripten"
    assert wasm["modules"] == [] and wasm["threads"] == 1  # no lxml, multiprocessing or openpyxl was imported


@pytest.mark.slow
def test_function_and_script_names(runs):
    names = {f["name"]: [p["name"] for p in f["parameters"]] for f in runs["pyodide"]["functions"]["functions"]}
    assert names == {
        "SCORECARD.RAG": ["value", "kpi_id", "rules"],
        "SCORECARD.DIRECTION": ["current", "previous", "kpi_id", "rules"],
        "SCORECARD.COUNT": ["rag_range", "status"],
        "SCORECARD.NARRATIVE": ["table_range", "rules"],
        "SCORECARD.TABLE": ["table_range", "rules"],
        "SCORECARD.SPC": ["history", "polarity", "target"],
    }
    assert sorted(s["function_name"] for s in runs["pyodide"]["scripts"]) == sorted(SCRIPTS)
    assert runs["pyodide"]["functions"] == runs["cpython"]["functions"]
    assert runs["pyodide"]["scripts"] == runs["cpython"]["scripts"]


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_pyodide_returns_exactly_what_cpython_returns(runs, case):
    start, end, _, _ = runs["index"][case]
    wasm, native = runs["pyodide"]["results"][start:end], runs["cpython"]["results"][start:end]
    assert len(wasm) == end - start
    for job, a, b in zip(runs["jobs"][start:end], wasm, native, strict=False):
        assert a == b, (job["kind"], job["name"], job.get("args", "")[:2])


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_lite_refresh_equals_the_command_line_cell_for_cell(runs, case, tmp_path):
    """The actions Pyodide produced, replayed onto the workbook, give what `scorecard refresh` writes
    with the same embedded rules: every value and fill of every sheet, the rules sheet untouched."""
    start, _, book, _ = runs["index"][case]
    refresh, check = runs["pyodide"]["results"][start], runs["pyodide"]["results"][start + 1]
    assert refresh["printed"].startswith(f"Rules: embedded in {book.name} (sheet ScorecardRules)\n")
    assert "on sheet" in check["printed"] and check["printed"].startswith(
        f"Rules: embedded in {book.name} (sheet ScorecardRules)"
    )
    batch = tmp_path / f"batch{book.suffix}"
    refresh_file(book, bookrules.load(book), output=batch)
    expected, got = cells_of(batch), cells_of(replay(book, refresh["actions"], tmp_path / f"lite{book.suffix}"))
    assert list(got) == list(expected) and list(got)[-2:] == ["ScorecardRules", "Narrative"]
    for sheet in expected:
        assert got[sheet] == expected[sheet], sheet
    assert not any(a["sheet_position"] == list(got).index("ScorecardRules") for a in refresh["actions"])


@pytest.mark.slow
@pytest.mark.parametrize("case", ["sample", "macro-workbook"])
def test_lite_functions_give_what_the_desktop_functions_give(runs, case):
    start, end, _, rules_file = runs["index"][case]
    checked = 0
    for job, result in zip(runs["jobs"][start:end], runs["pyodide"]["results"][start:end], strict=False):
        if job["kind"] != "function":
            continue
        args = [a[0][0] if len(a) == 1 and len(a[0]) == 1 else a for a in job["args"]]
        desktop = {
            "rag": udfs.SCORECARD_RAG,
            "direction": udfs.SCORECARD_DIRECTION,
            "narrative": udfs.SCORECARD_NARRATIVE,
            "table": _desktop_table,
        }[job["name"]]
        expected = desktop(*args[:-1], str(rules_file))  # the desktop function, given the rules file
        expected = expected if isinstance(expected, list) else [[expected]]
        assert result["value"] == expected, (job["name"], args[:-1])
        checked += 1
    assert checked > 10


def _desktop_table(table, rules_path):
    """What desktop Excel shows for SCORECARD_TABLE: its rows through xlwings' converter (None as empty)."""
    from xlwings import conversion

    return conversion.write(udfs.SCORECARD_TABLE(table, rules_path), None, {}, engine_name="remote")


@pytest.mark.slow
def test_lite_table_function_in_pyodide(runs):
    start, end, _, _ = runs["index"]["sample"]
    table = next(
        r["value"]
        for j, r in zip(runs["jobs"][start:end], runs["pyodide"]["results"][start:end], strict=False)
        if j["kind"] == "function" and j["name"] == "table"
    )
    header, first = table[0], dict(zip(table[0], table[1], strict=False))
    assert header[:2] == ["id", "name"] and len(table) == 1 + 24  # the sample's 24 KPIs
    # CIC01: 100.0% in June 2018 against 93.9% in May, target 100, floor 90 (rules/cic-scorecard.yaml)
    assert (
        first["id"],
        first["current"],
        first["previous"],
        first["rag"],
        first["previous_rag"],
        first["direction"],
    ) == ("CIC01", 100.0, 93.9, "Green", "Amber", "improved")


@pytest.mark.slow
def test_hand_worked_values_in_pyodide(runs):
    start, end, _, _ = runs["index"]["sample"]
    by_args = {}
    for job, result in zip(runs["jobs"][start:end], runs["pyodide"]["results"][start:end], strict=False):
        if job["kind"] == "function" and job["name"] == "rag":
            by_args[(job["args"][1][0][0], job["args"][0][0][0])] = result["value"][0][0]
    # CIC01: higher is better, target 100, floor 90 (rules/cic-scorecard.yaml)
    assert by_args[("CIC01", 100.0)] == "Green"
    assert by_args[("CIC01", 95.0)] == "Amber"
    assert by_args[("CIC01", 82.75)] == "Red"
    assert by_args[("CIC01", None)] == "No data" and by_args[("CIC01", "N/A")] == "No data"
    start, end, _, _ = runs["index"]["spc"]
    assert [r["value"][0][0] for r in runs["pyodide"]["results"][start:end]] == [
        "common cause",
        "improvement",
        "concern",
        "neither",
        "#N/A 9 points, fewer than the 15 needed for limits",
    ]
    counts = [r["value"][0][0] for r in runs["pyodide"]["results"][-4:]]
    assert counts[:3] == [2, 1, 1] and counts[3].startswith("#VALUE! status 'Purple'")


@pytest.mark.slow
def test_lite_without_embedded_rules_says_how_to_embed_them(runs):
    printed = runs["pyodide"]["results"][-5]["printed"]
    assert "no rules in the workbook. xlwings Lite cannot read files on your disk: embed the rules" in printed
    assert printed.startswith("no-rules.xlsx: ") and "scorecard rules embed no-rules.xlsx --rules RULES" in printed


@pytest.mark.slow
def test_lite_reads_percentages_as_the_rules_mean_them(runs):
    """Lite carries no cell formats: under the default layout.percent a fraction is an error naming SC950,
    never a confident Red; with layout.percent: fraction it is read as the percentage it is."""
    start, end, _, _ = runs["index"]["percent"]
    wasm = [r["value"][0][0] for r in runs["pyodide"]["results"][start:end]]
    assert wasm == [r["value"][0][0] for r in runs["cpython"]["results"][start:end]]
    by_format, by_fraction = wasm[:3], wasm[3:]
    assert by_format[0].startswith("#VALUE!") and by_format[0].endswith("(SC950)")  # 0.95: which scale?
    assert by_format[1] == "Amber"  # 95 points against 100 and 90
    assert by_format[2].startswith("#VALUE!") and by_format[2].endswith("(SC950)")
    assert by_fraction[0] == "Amber"  # 0.95 read as 95%
    assert by_fraction[1].endswith("(SC950)")  # 95 where fractions are promised: 9,500%
    assert by_fraction[2] == "improved"  # 93.9% to 95%


def test_the_requirements_file_names_one_wheel_url_and_nothing_lite_resolves_itself():
    """What the README tells a user to paste: the wheel's URL, ending in the file name pip gives the wheel
    of this version (micropip reads the name and version from it); the dependencies come from its metadata."""
    from scorecard import __version__

    lines = [
        line.strip()
        for line in (ROOT / "addin" / "lite" / "requirements.txt").read_text("utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert len(lines) == 1 and lines[0].startswith("https://")
    assert lines[0].rsplit("/", 1)[1] == f"scorecard-{__version__}-py3-none-any.whl"
