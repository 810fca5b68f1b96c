"""The layers, checked by package: the domain core (``scorecard.core``) imports no Excel or file-format
library, and no adapter package is imported by it; the command's --help stays light."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import scorecard.core

CORE_DIR = Path(scorecard.core.__file__).parent
CORE = sorted(f"scorecard.core.{m.name}" for m in pkgutil.iter_modules([str(CORE_DIR)]))
FILE_AND_EXCEL = {"openpyxl", "xlwings", "lxml", "xlsxwriter", "zipfile", "defusedxml", "docx"}
ADAPTERS = ("scorecard.workbook", "scorecard.excel", "scorecard.xlam", "scorecard.cli")


def _loaded_after(imports: list[str]) -> set[str]:
    code = "import sys, json\n" + "".join(f"import {m}\n" for m in imports)
    code += "print(json.dumps(sorted(sys.modules)))"
    return set(json.loads(subprocess.check_output([sys.executable, "-c", code], text=True)))


def test_core_is_found_by_package():
    assert {
        "scorecard.core.model",
        "scorecard.core.engine",
        "scorecard.core.reading",
        "scorecard.core.narrative",
    } <= set(CORE)


def test_core_imports_no_excel_or_file_library():
    loaded = _loaded_after(CORE)
    assert not {m.split(".")[0] for m in loaded} & FILE_AND_EXCEL
    assert not [m for m in loaded if m.startswith(ADAPTERS)]


def test_core_source_names_no_adapter():
    """Also at the source level, so an import inside a function cannot slip past."""
    for path in CORE_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                assert not module.lstrip(".").startswith(
                    ("workbook", "excel", "xlam", "word", "cli", "usecases", "frame")
                ), (path.name, module)
                assert node.level or module.split(".")[0] not in FILE_AND_EXCEL, (path.name, module)
            elif isinstance(node, ast.Import):
                assert not {a.name.split(".")[0] for a in node.names} & FILE_AND_EXCEL, path.name


def test_cli_help_imports_nothing_heavy():
    loaded = {m.split(".")[0] for m in _loaded_after(["scorecard.cli"])}
    assert not loaded & (FILE_AND_EXCEL - {"zipfile"} | {"yaml", "jsonschema", "pandas"})


@pytest.mark.slow
def test_the_ribbon_and_the_worksheet_functions_start_without_pandas_docx_or_matplotlib():
    """Excel imports these on the first button press and the first formula: the Word report (python-docx)
    and the charts (matplotlib) load their library only when used, and no worksheet function needs pandas
    (SCORECARD_TABLE returns rows, not a DataFrame). xlwings itself loads pandas and matplotlib when they
    are installed, so they are made unimportable here: the add-in must still start and SCORECARD_TABLE
    still answer. python-docx, which xlwings does not load, is not loaded at all."""
    blocked = ["pandas", "docx", "matplotlib"]
    code = (
        "import sys\n"
        "class Absent:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {blocked!r}:\n"
        "            raise ImportError(f'{name} is not installed')\n"
        "sys.meta_path.insert(0, Absent())\n"
        "import scorecard.excel, scorecard.excel.functions, scorecard.udfs, scorecard.excel.lite\n"
        "table = [['Ref', 'Polarity', 'Target', 'Now', 'Before'], ['K1', 'H', 85, 90, 80]]\n"
        "rules = 'version: 1\\nlayout:\\n  columns: {id: Ref, polarity: Polarity, target: Target, current: Now, '\n"
        "rules += 'previous: Before}'\n"
        "rules = rules.splitlines()\n"
        "rows = scorecard.udfs.SCORECARD_TABLE(table, [[line] for line in rules])\n"
        "assert rows[1][0] == 'K1' and 'Green' in rows[1], rows\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:])))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, *blocked], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr[-2000:]
    loaded = {
        m.split(".")[0] for m in _loaded_after(["scorecard.excel", "scorecard.excel.functions", "scorecard.excel.lite"])
    }
    assert "docx" not in loaded and "xlwings" in loaded
