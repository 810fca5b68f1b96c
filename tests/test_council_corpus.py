"""The council acceptance corpus (issue 16): every case through the scorecard command, against its hand-written truth.

Each case of ``tests/council`` is built once per session and run as a user runs it (``narrative --format
json``, ``check --strict``, and ``refresh`` where the case is about what a refresh writes), all at once in
a thread pool. Each aspect is its own test, so a case the reader gets half right shows which half:

- ``test_reading``: the period names and, per KPI (and breakdown), name, figures, target, floor, ratings
  and direction; no KPI more or less.
- ``test_narrative``: what the narrative must and must not say (the truth's regular expressions, line by line).
- ``test_strict``: the exit status of ``check --strict`` (1 where the workbook has something to warn of).
- ``test_warned_cells``: a warning naming each cell the truth lists.
- ``test_finding_codes``: the finding codes the truth lists (and forbids) in the JSON's findings.
- ``test_refresh``: what refresh writes (the RAG column's words, the output's file type).
- ``test_inputs_unchanged``: check and narrative leave the workbook byte for byte.

No run may print a traceback or exit with 3 (scorecard's exit for its own bug). A case the current code
gets wrong is marked ``xfail(strict=True)`` with its class from issue 16, so it fails loudly once fixed.
"""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from openpyxl.utils.cell import range_boundaries

from clirun import Run, run_cli
from council.registry import Case, load

CASES = load()
BY_NAME = {case.name: case for case in CASES}
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


@dataclass
class Built:
    case: Case
    book: Path | None = None
    error: str | None = None
    digest_before: str = ""
    digest_after: str = ""
    runs: dict[str, Run | AssertionError] = field(default_factory=dict)
    refreshed: Path | None = None


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(args: list[str]) -> Run | AssertionError:
    """In a process of its own, as the cases run side by side; what run_cli finds wrong (a traceback,
    scorecard's own bug) is kept for the case's own tests to report."""
    try:
        return run_cli(*args, process=True)
    except AssertionError as failure:
        return failure


def _jobs(built: Built, folder: Path) -> dict[str, list[str]]:
    case, book = built.case, str(built.book)
    extra = list(case.truth.get("args", []))
    jobs = {
        "narrative": ["narrative", book, "--rules", str(case.rules), "--format", "json", *extra],
        "strict": ["check", book, "--rules", str(case.rules), "--strict", *extra],
    }
    refresh = case.truth.get("refresh")
    if refresh:
        out = folder / "out" / refresh.get("output", f"refreshed.{case.ext}")
        out.parent.mkdir()
        built.refreshed = out
        jobs["refresh"] = ["refresh", str(built.book), "--rules", str(case.rules), "--output", str(out), *extra]
    return jobs


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict[str, Built]:
    """Every case built and run once: the workbooks in a temporary folder, the runs in parallel."""
    root = tmp_path_factory.mktemp("council")
    built: dict[str, Built] = {}
    work: list[tuple[Built, str, list[str]]] = []
    for case in CASES:
        b = built[case.name] = Built(case)
        folder = root / case.name
        folder.mkdir()
        try:
            path = folder / f"{case.name}.{case.ext}"
            case.build(path)
            b.book = path
            b.digest_before = _digest(path)
        except Exception as exc:  # a generator's fault: reported by every test of the case
            b.error = f"{type(exc).__name__}: {exc}"
            continue
        work += [(b, name, args) for name, args in _jobs(b, folder).items()]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        for (b, name, _), run in zip(work, pool.map(lambda w: _run(w[2]), work), strict=True):
            b.runs[name] = run
    for b in built.values():
        if b.book is not None:
            b.digest_after = _digest(b.book)
    return built


def _params(aspect: str, wanted=lambda case: True) -> list:
    out = []
    for case in CASES:
        if not wanted(case):
            continue
        reason = case.xfail(aspect)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(case.name, marks=marks, id=case.name))
    return out


def _get(corpus: dict[str, Built], name: str) -> Built:
    b = corpus[name]
    assert b.error is None, f"the generator failed: {b.error}"
    return b


def _sane(run: Run | AssertionError) -> Run:
    """The run, if run_cli found nothing wrong with it (no traceback, not scorecard's own bug) and it exited
    0 or 1."""
    if isinstance(run, AssertionError):
        raise run
    assert run.returncode in (0, 1), f"exit {run.returncode}: {run.stderr[-1000:]}"
    return run


# --- comparing with the truth


def matches(expected: Any, actual: Any) -> bool:
    """``expected`` as the truth writes it: a value, or {"any_of": [...]} for answers the issue leaves open."""
    if isinstance(expected, dict) and "any_of" in expected:
        return any(matches(option, actual) for option in expected["any_of"])
    if isinstance(expected, bool) or expected is None:
        return actual is expected
    if isinstance(expected, (int, float)):
        return isinstance(actual, (int, float)) and not isinstance(actual, bool) and abs(actual - expected) < 1e-6
    return expected == actual


def _key(kpi: dict[str, Any]) -> tuple[str, str | None]:
    return (str(kpi["id"]), kpi.get("breakdown"))


def compare_kpis(truth: list[dict[str, Any]], kpis: list[dict[str, Any]]) -> list[str]:
    problems = []
    got = {}
    for kpi in kpis:
        if _key(kpi) in got:
            problems.append(f"KPI {_key(kpi)} read twice")
        got[_key(kpi)] = kpi
    wanted = {_key(k): k for k in truth}
    for key in sorted(set(got) - set(wanted), key=str):
        problems.append(
            f"read as a KPI but is not one: {key} (row {got[key].get('row')}, name {got[key].get('name')!r})"
        )
    for key, expected in wanted.items():
        if key not in got:
            problems.append(f"KPI {key} not read")
            continue
        for field_name, value in expected.items():
            if field_name in ("id", "breakdown"):
                continue
            if field_name not in got[key]:
                problems.append(f"{key}: no field {field_name!r} in the JSON (want {value!r})")
            elif not matches(value, got[key][field_name]):
                problems.append(f"{key}: {field_name} is {got[key][field_name]!r}, want {value!r}")
    return problems


def _named_cells(text: str) -> list[str]:
    found = []
    for ref in re.findall(r"\bcells? ((?:[A-Z]{1,3}\d+(?::[A-Z]{1,3}\d+)?(?:, | and )?)+)", text):
        found += [r for r in re.split(r", | and ", ref) if r]
    return found


def _warned(data: dict[str, Any]) -> list[tuple[str | None, str]]:
    """(code, cell or range) of every warning: each finding's place and the cells its message names (the
    strings of ``warnings`` before findings came)."""
    if "findings" in data:
        found = []
        for f in data["findings"]:
            if f["severity"] == "warning":
                found.append((f.get("code"), f.get("where", {}).get("cell") or ""))
                found += [(f.get("code"), r) for r in _named_cells(f.get("message", ""))]
        return found
    return [(None, r) for text in data.get("warnings", []) for r in _named_cells(text)]


def _covers(ref: str, cell: str) -> bool:
    if not ref:
        return False
    if ":" not in ref:
        return ref == cell
    lo_c, lo_r, hi_c, hi_r = range_boundaries(ref)
    c_c, c_r, _, _ = range_boundaries(cell)
    return lo_c <= c_c <= hi_c and lo_r <= c_r <= hi_r


# --- the tests


@pytest.mark.slow
@pytest.mark.parametrize("name", _params("reading"))
def test_reading(corpus, name):
    b = _get(corpus, name)
    truth, run = b.case.truth, _sane(b.runs["narrative"])
    if truth.get("refuse_or_warn"):
        # refused outright, or read with a warning (and check --strict refuses: test_strict)
        if run.returncode == 1:
            return
        data = run.json()
        if "findings" in data:  # a warning about the periods (2xx), not any warning
            warned = any(f["severity"] == "warning" and f["code"].startswith("SC2") for f in data["findings"])
        else:
            warned = bool(data["warnings"])
        assert warned, f"--period {truth['args']} was taken silently: read as {data['period']}"
        return
    exit_status, wanted = run.returncode, truth.get("narrative_exit", 0)
    assert exit_status == wanted, run.stderr[-2000:]
    if run.returncode:
        return
    data = run.json()
    problems = []
    for key in ("current", "previous"):
        if key in truth.get("period", {}) and not matches(truth["period"][key], data["period"][key]):
            problems.append(f"period {key} is {data['period'][key]!r}, want {truth['period'][key]!r}")
    problems += compare_kpis(truth["kpis"], data["kpis"])
    if "changes" in truth:
        got = sorted((c["id"], c["from"], c["to"]) for c in data["changes"])
        want = sorted((c["id"], c["from"], c["to"]) for c in truth["changes"])
        if got != want:
            problems.append(f"RAG changes are {got}, want {want}")
    assert not problems, "\n".join(problems) + f"\nwarnings: {data.get('warnings')}"


def _says(case: Case) -> bool:
    return bool(case.truth.get("narrative_must") or case.truth.get("narrative_must_not"))


@pytest.mark.slow
@pytest.mark.parametrize("name", _params("narrative", _says))
def test_narrative(corpus, name):
    """What the narrative must say and must not say, each line against the truth's regular expressions: an
    aspect of its own, so a false sentence is told apart from a wrong reading."""
    b = _get(corpus, name)
    data = _read(b)
    if data is None:
        return
    truth, problems = b.case.truth, []
    for pattern in truth.get("narrative_must_not", []):
        said = [line for line in data["narrative"] if re.search(pattern, line)]
        if said:
            problems.append(f"the narrative says what it must not ({pattern!r}): {said[0]!r}")
    for pattern in truth.get("narrative_must", []):
        if not any(re.search(pattern, line) for line in data["narrative"]):
            problems.append(f"the narrative never says {pattern!r}")
    assert not problems, "\n".join(problems) + "\nnarrative:\n" + "\n".join(data["narrative"])


@pytest.mark.slow
@pytest.mark.parametrize("name", _params("strict"))
def test_strict(corpus, name):
    b = _get(corpus, name)
    run = _sane(b.runs["strict"])
    exit_status, wanted = run.returncode, b.case.truth["strict_exit"]
    assert exit_status == wanted, run.stdout[-3000:] + run.stderr[-2000:]


def _read(b: Built) -> dict[str, Any] | None:
    """The narrative JSON, or None when the case was refused as its truth allows."""
    truth, run = b.case.truth, _sane(b.runs["narrative"])
    if run.returncode == 1 and truth.get("refuse_or_warn"):
        return None  # refused: nothing was read to warn about
    assert run.returncode == 0, run.stderr[-2000:]
    return run.json()


@pytest.mark.slow
@pytest.mark.parametrize("name", _params("warned", lambda case: bool(case.truth.get("warn_cells"))))
def test_warned_cells(corpus, name):
    """A warning names each cell the truth lists (from the findings, or the warning text until they come)."""
    b = _get(corpus, name)
    data = _read(b)
    if data is None:
        return
    warned = _warned(data)
    missing = [cell for cell in b.case.truth["warn_cells"] if not any(_covers(r, cell) for _, r in warned)]
    assert not missing, f"no warning names {missing}\nwarnings: {data.get('warnings')}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", _params("codes", lambda case: bool(case.truth.get("codes") or case.truth.get("no_codes")))
)
def test_finding_codes(corpus, name):
    """The finding codes the truth lists are in the JSON's findings, and those it forbids are not."""
    b = _get(corpus, name)
    data = _read(b)
    if data is None:
        return
    assert "findings" in data, "the JSON has no findings (issue 16 §4)"
    codes = {f["code"] for f in data["findings"]}
    problems = [f"no finding {code}" for code in b.case.truth.get("codes", []) if code not in codes]
    problems += [
        f"finding {code} where there must be none" for code in b.case.truth.get("no_codes", []) if code in codes
    ]
    assert not problems, "\n".join(problems) + f"\nfindings: {data['findings']}"


def _main_type(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        types = package.read("[Content_Types].xml").decode()
    found = re.search(r'PartName="/xl/workbook\.xml"\s+ContentType="([^"]+)"', types)
    return found.group(1) if found else ""


@pytest.mark.slow
@pytest.mark.parametrize("name", _params("refresh", lambda case: "refresh" in case.truth))
def test_refresh(corpus, name):
    import openpyxl

    b = _get(corpus, name)
    want, run, out = b.case.truth["refresh"], _sane(b.runs["refresh"]), b.refreshed
    assert out is not None
    if want.get("refuse_or_type"):
        if run.returncode == 1:
            assert not out.exists(), "refused, yet an output file was left"
            return
        assert run.returncode == 0
        expected = XLSM_MAIN if out.suffix == ".xlsm" else XLSX_MAIN
        assert _main_type(out) == expected, f"{out.name} is written as {_main_type(out)}"
        if out.suffix == ".xlsx":
            with zipfile.ZipFile(out) as package:
                assert not [n for n in package.namelist() if n.endswith("vbaProject.bin")], "macros in an .xlsx"
        openpyxl.load_workbook(out)  # and it opens
        return
    assert run.returncode == want.get("exit", 0), run.stderr[-2000:]
    sheet = openpyxl.load_workbook(out)[want["sheet"]]
    problems = [
        f"{ref} holds {sheet[ref].value!r}, want {value!r}"
        for ref, value in {**want.get("cells", {}), **want.get("unchanged", {})}.items()
        if sheet[ref].value != value
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("name", _params("unchanged"))
def test_inputs_unchanged(corpus, name):
    b = _get(corpus, name)
    assert b.book is not None and b.digest_after == b.digest_before, "check or narrative changed the workbook"


def test_every_case_says_what_it_proves():
    for case in CASES:
        assert case.truth.get("proves"), case.name
        assert case.truth["class"] in CLASSES, (case.name, case.truth["class"])
        assert "strict_exit" in case.truth, case.name
        assert case.rules.is_file(), case.name


def test_the_readme_lists_every_case():
    readme = (Path(__file__).parent / "council" / "README.md").read_text(encoding="utf-8")
    missing = [case.name for case in CASES if f"`{case.name}`" not in readme]
    assert not missing, f"cases missing from tests/council/README.md: {missing}"


def test_the_comparison_can_fail():
    """The comparison itself: a wrong figure, a missing KPI and an extra one are all caught."""
    truth = [{"id": "A", "current": 95.3, "rag": "Green", "direction": {"any_of": ["declined", None]}}]
    assert compare_kpis(truth, [{"id": "A", "current": 95.30000000001, "rag": "Green", "direction": None}]) == []
    assert compare_kpis(truth, [{"id": "A", "current": 95.4, "rag": "Green", "direction": None}])
    assert compare_kpis(truth, [{"id": "A", "current": 95.3, "rag": "Green", "direction": "improved"}])
    assert compare_kpis(truth, [])
    extra = [{"id": "A", "current": 95.3, "rag": "Green", "direction": None}, {"id": "Max", "row": 12}]
    assert compare_kpis(truth, extra) == ["read as a KPI but is not one: ('Max', None) (row 12, name None)"]
    assert _warned({"warnings": ["sheet 'S', cell F6: #N/A", "sheet 'S', cells C8 and E8: errors"]}) == [
        (None, "F6"),
        (None, "C8"),
        (None, "E8"),
    ]
    assert _covers("A5:A9", "A7") and not _covers("A5:A9", "B7")


CLASSES = {
    "text-thresholds": "§1 a KPI's name comes only from its name column",
    "period-targets": "§1 targets that change by period; cumulative year to date",
    "error-values": "§1 error values cached in figure, target and floor cells",
    "threshold-shapes": "§1 legend words: targets only, two-sided, mixed",
    "wrong-period": "§1 --period of the wrong kind",
    "rag-validation": "§1 the RAG column keeps its data validation's words",
    "xlsm-output": "§1 .xlsm refreshed to an .xlsx (or the reverse)",
    "table-bounds": "§2 rows under or beside the table that are not KPIs",
    "period-row-above": "§2 period labels in the row above the id header, unmerged",
    "weekly": "§2 weekly periods",
    "kpis-in-columns": "§2 one KPI per column, periods down the rows",
    "duplicate-header": "§2 a header text used twice, named by letter",
    "single-period": "§2 a single period (a first return)",
    "breakdowns": "§2 one id with breakdowns",
    "ordinary": "ordinary variations every reader must keep reading right",
    "narrative": "what the narrative says of ordinary figures: thresholds, precision, units, counts, periods",
}
