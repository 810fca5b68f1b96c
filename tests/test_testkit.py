"""The test kit keeps its own rules: every test asserts something, the command is run through clirun, a
package's parts are changed through zipparts; and those two helpers check what they say they check."""

from __future__ import annotations

import ast
import functools
import json
import zipfile
from collections.abc import Set
from pathlib import Path

import pytest

import clirun
from clirun import argv, run_cli
from conftest import SAMPLE, SAMPLE_RULES
from zipparts import rewrite

TESTS = Path(__file__).resolve().parent
# Helpers of its own module a test may leave its checking to: each asserts (checked below). A test calling
# run_cli and no more checks only that the command did not crash, so run_cli is not one of them.
ASSERTING_HELPERS = {
    "test_docs.py": {"_run", "_found_in_order"},
    "test_openxml.py": {"refreshed_adds_nothing"},
    "test_trust_periods.py": {"assert_periods_named"},
}
# Files that write zips of their own: the zip-part helper itself, and the hostile corpus, which builds
# packages no Office program writes (a part named twice, a part grown to 600 MB as it is written)
ZIP_WRITERS = {"zipparts.py", "hostile/corpus.py"}


@functools.cache
def _sources() -> dict[str, list[ast.AST]]:
    """Every node of every file of tests/, by the file's path in tests/ (parsed and walked once)."""
    return {str(p.relative_to(TESTS)): list(ast.walk(ast.parse(p.read_text("utf-8")))) for p in TESTS.rglob("*.py")}


def _asserts(node: ast.AST, helpers: Set[str] = frozenset()) -> bool:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Assert):
            return True
        if isinstance(inner, ast.Call):
            func = inner.func
            if isinstance(func, ast.Attribute) and func.attr in ("raises", "warns", "fail"):
                if isinstance(func.value, ast.Name) and func.value.id == "pytest":
                    return True
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in helpers:
                return True
    return False


def _functions(nodes: list[ast.AST]) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [node for node in nodes if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]


@pytest.mark.slow
def test_every_test_asserts_something():
    """An assert, pytest.raises, pytest.warns or pytest.fail, or a call of a helper that asserts."""
    silent = [
        f"{name}:{node.lineno} {node.name}"
        for name, nodes in sorted(_sources().items())
        if Path(name).name.startswith("test_")
        for node in _functions(nodes)
        if node.name.startswith("test_") and not _asserts(node, ASSERTING_HELPERS.get(name, set()))
    ]
    assert silent == [], "tests that cannot fail:\n" + "\n".join(silent)


@pytest.mark.slow
def test_the_helpers_a_test_may_leave_its_checking_to_assert():
    for module, helpers in ASSERTING_HELPERS.items():
        found = {node.name: node for node in _functions(_sources()[module]) if node.name in helpers}
        assert set(found) == helpers, module
        assert [name for name, node in sorted(found.items()) if not _asserts(node)] == [], module


def test_the_scan_sees_a_test_without_an_assertion():
    quiet, checked, raised = ast.parse(
        "def test_a(x):\n    f(x)\n"
        "def test_b(x):\n    assert f(x)\n"
        "def test_c(x):\n    with pytest.raises(E):\n        f(x)\n"
    ).body
    assert [_asserts(quiet), _asserts(checked), _asserts(raised)] == [False, True, True]
    assert _asserts(quiet, {"f"})  # f, an allow-listed helper of its module, asserts


def _runs_the_command(node: ast.AST, mains: set[str]) -> bool:
    """cli.main(...), main(...) imported from scorecard.cli, or a list holding "-m", "scorecard.cli"."""
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute):
            return func.attr == "main" and ast.unparse(func.value) in ("cli", "scorecard.cli")
        return isinstance(func, ast.Name) and func.id in mains
    if isinstance(node, ast.List | ast.Tuple):
        words = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        return any(a == "-m" and b == "scorecard.cli" for a, b in zip(words, words[1:], strict=False))
    return False


@pytest.mark.slow
def test_the_command_is_run_through_clirun():
    found = []
    for name, nodes in sorted(_sources().items()):
        if name == "clirun.py":
            continue
        mains = {
            alias.asname or alias.name
            for node in nodes
            if isinstance(node, ast.ImportFrom) and node.module == "scorecard.cli"
            for alias in node.names
            if alias.name == "main"
        }
        found += [f"{name}:{node.lineno}" for node in nodes if _runs_the_command(node, mains)]
    assert found == [], "run the command with clirun.run_cli (or argv for a process of your own):\n" + "\n".join(found)


@pytest.mark.slow
def test_parts_are_rewritten_through_zipparts():
    found = []
    for name, nodes in sorted(_sources().items()):
        if name in ZIP_WRITERS:
            continue
        for node in nodes:
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "ZipFile":
                mode = (
                    node.args[1]
                    if len(node.args) > 1
                    else next((k.value for k in node.keywords if k.arg == "mode"), None)
                )
                if isinstance(mode, ast.Constant) and mode.value != "r":
                    found.append(f"{name}:{node.lineno}")
    assert found == [], "change a package's parts with zipparts.rewrite:\n" + "\n".join(found)


# --- clirun ----------------------------------------------------------------------------------------


def test_a_run_gives_the_exit_status_and_both_streams():
    code, out, err = run_cli("narrative", SAMPLE, "--rules", SAMPLE_RULES, "--format", "json")
    assert code == 0 and len(json.loads(out)["kpis"]) == 24 and err.startswith("rules: ")
    assert run_cli("schema").json()["title"].startswith("scorecard rules")
    assert run_cli("--version").returncode == 0 and run_cli().returncode == 2  # argparse's own exits
    assert argv("check", SAMPLE) == [*argv(), "check", str(SAMPLE)] and " ".join(argv()[1:]) == "-m scorecard.cli"


def _boom(*args, **kwargs):
    raise KeyError("column 99")


def test_a_bug_fails_the_run_unless_the_test_expects_one(monkeypatch, tmp_path):
    from scorecard import usecases

    monkeypatch.setenv("SCORECARD_LOG", str(tmp_path / "scorecard.log"))
    monkeypatch.setattr(usecases, "evaluate_file", _boom)
    with pytest.raises(AssertionError, match="exit 3, scorecard's own bug"):
        run_cli("check", SAMPLE, "--rules", SAMPLE_RULES)
    assert run_cli("check", SAMPLE, "--rules", SAMPLE_RULES, bug=True).returncode == clirun.BUG_EXIT
    with pytest.raises(AssertionError, match="exit 0, not the bug handler the test expects"):
        run_cli("check", "--rules", SAMPLE_RULES, bug=True)  # the rules alone: no workbook read, no bug


def test_a_traceback_or_a_warning_fails_the_run(monkeypatch, tmp_path):
    import sys
    import warnings

    from scorecard import cli

    monkeypatch.setenv("SCORECARD_LOG", str(tmp_path / "scorecard.log"))

    def prints_a_traceback(args):
        print("Traceback (most recent call last):", file=sys.stderr)
        return 1

    monkeypatch.setitem(cli.COMMANDS, "check", prints_a_traceback)
    with pytest.raises(AssertionError, match="Traceback"):
        run_cli("check")

    def warns(args):
        warnings.warn("a UserWarning for the user's terminal", UserWarning, stacklevel=1)
        return 0

    monkeypatch.setitem(cli.COMMANDS, "check", warns)
    with pytest.raises(AssertionError, match="exit 3, scorecard's own bug"):  # an error: the bug handler answers
        run_cli("check")


# --- zipparts --------------------------------------------------------------------------------------


def _entries(data: bytes) -> dict[str, tuple]:
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {i.filename: (i.date_time, i.compress_type, archive.read(i)) for i in archive.infolist()}


def test_rewrite_changes_adds_and_leaves_out_parts_and_keeps_the_rest_as_it_was():
    before = _entries(SAMPLE.read_bytes())
    after = _entries(
        rewrite(
            SAMPLE,
            {
                "xl/styles.xml": b"<styleSheet/>",
                "xl/workbook.xml": lambda data: data.replace(b"<sheets>", b"<sheets>"),
                "docProps/app.xml": None,
                "custom/new.xml": b"<new/>",
            },
        )
    )
    assert list(after) == [n for n in before if n != "docProps/app.xml"] + ["custom/new.xml"]
    assert after["xl/styles.xml"][2] == b"<styleSheet/>" and after["xl/styles.xml"][:2] == before["xl/styles.xml"][:2]
    assert {n: e for n, e in after.items() if n not in ("xl/styles.xml", "custom/new.xml")} == {
        n: e for n, e in before.items() if n not in ("xl/styles.xml", "docProps/app.xml")
    }
    assert after["custom/new.xml"] == ((2024, 1, 1, 0, 0, 0), zipfile.ZIP_DEFLATED, b"<new/>")


@pytest.mark.parametrize("change", [None, lambda data: data])
def test_rewrite_refuses_to_change_a_part_the_package_lacks(change):
    with pytest.raises(KeyError, match="xl/nothing.xml"):
        rewrite(SAMPLE, {"xl/nothing.xml": change})
