"""The domain core stays pure: no Excel library is imported by the rules, the engine or the narrative."""

from __future__ import annotations

import json
import subprocess
import sys

CORE = ["scorecard.model", "scorecard.rules", "scorecard.engine", "scorecard.months", "scorecard.table",
        "scorecard.narrative", "scorecard.plan", "scorecard.report", "scorecard.refresh"]
EXCEL_LIBRARIES = {"openpyxl", "xlwings", "lxml", "xlsxwriter"}


def test_core_imports_no_excel_library():
    code = (
        "import sys, json\n"
        + "".join(f"import {m}\n" for m in CORE)
        + "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    loaded = set(json.loads(subprocess.check_output([sys.executable, "-c", code], text=True)))
    assert not loaded & EXCEL_LIBRARIES, loaded & EXCEL_LIBRARIES


def test_cli_help_imports_nothing_heavy():
    code = "import sys, json\nfrom scorecard import cli\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    loaded = set(json.loads(subprocess.check_output([sys.executable, "-c", code], text=True)))
    assert not loaded & (EXCEL_LIBRARIES | {"yaml", "jsonschema", "pandas"})
