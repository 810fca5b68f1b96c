"""A real VBA project for macro-workbook fixtures: the one inside xlwings' own quickstart.xlsm."""

from __future__ import annotations

import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path

import xlwings


@lru_cache(maxsize=1)
def vba_project() -> Path:
    source = Path(xlwings.__file__).parent / "quickstart.xlsm"
    with zipfile.ZipFile(source) as archive:
        data = archive.read("xl/vbaProject.bin")
    target = Path(tempfile.mkdtemp(prefix="scorecard-vba-")) / "vbaProject.bin"
    target.write_bytes(data)
    return target
