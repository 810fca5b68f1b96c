"""What each way in imports: nothing heavy on a path that does not need it (the timings are make bench's;
no test here is timed). openpyxl, jsonschema, numpy and pandas are needed by no path of the package."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import SAMPLE, SAMPLE_RULES

# each test starts a fresh interpreter to see what it imports
pytestmark = pytest.mark.slow

HEAVY = {"openpyxl", "jsonschema", "referencing", "numpy", "pandas", "docx", "matplotlib"}
REPORT = "\nimport json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"


def _loaded(code: str, *arguments: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", code + REPORT, *arguments], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "command",
    [
        ["refresh", str(SAMPLE), "--rules", str(SAMPLE_RULES), "--output", "{out}"],
        ["check", str(SAMPLE), "--rules", str(SAMPLE_RULES)],
        ["narrative", str(SAMPLE), "--rules", str(SAMPLE_RULES), "--format", "json"],
    ],
)
def test_the_command_line_imports_nothing_heavy_nor_xlwings(command, tmp_path):
    arguments = [a.format(out=tmp_path / "out.xlsx") for a in command]
    code = (
        "import contextlib, io\nfrom scorecard.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()):\n    main({arguments!r})"
    )
    loaded = _loaded(code)
    assert not loaded & (HEAVY | {"xlwings"}), loaded & (HEAVY | {"xlwings"})


def test_the_excel_side_imports_no_file_library_and_nothing_heavy_of_its_own():
    """A ribbon click and a worksheet function: xlwings, the core and PyYAML. pandas and numpy are blocked
    here because xlwings loads them itself when they are installed (make bench measures that case)."""
    code = (
        "import sys\n"
        "sys.modules.update(numpy=None, pandas=None, matplotlib=None)\n"
        "import scorecard.excel, scorecard.udfs\n"
        f"scorecard.udfs.SCORECARD_RAG(95, 'CIC01', {str(SAMPLE_RULES)!r})\n"
        "for name in ('numpy', 'pandas', 'matplotlib'):\n    del sys.modules[name]\n"
    )
    loaded = _loaded(code)
    assert "xlwings" in loaded and "yaml" in loaded
    assert not loaded & HEAVY, loaded & HEAVY
    assert "lxml" not in loaded  # the Excel side reads through xlwings: no XML parser (Pyodide has none)
