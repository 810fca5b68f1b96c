"""Shared fixtures: the bundled sample, and workbooks written by XlsxWriter the way Excel lays them out."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "workbook_templates" / "cic-scorecard-june-2018.xlsx"
SAMPLE_RULES = ROOT / "rules" / "cic-scorecard.yaml"
SLOW = pytest.mark.slow

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # the remote engine, for the Excel-side tests


def sweep(values: Iterable[Any], *, fast: Collection[Any]) -> list[Any]:
    """A sweep's parameters: those in ``fast`` run in the fast tier (make test-fast), the rest are marked slow.
    A tuple is one case's arguments, as parametrize takes them for several names."""
    return [
        value if value in fast else pytest.param(*(value if isinstance(value, tuple) else (value,)), marks=SLOW)
        for value in values
    ]


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A private copy of the bundled sample workbook."""
    copy = tmp_path / SAMPLE.name
    shutil.copyfile(SAMPLE, copy)
    return copy


@pytest.fixture
def sample_rules() -> Path:
    return SAMPLE_RULES


def write_book(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    sheet: str = "Scorecard",
    start_row: int = 0,
    formats: dict[int, str] | None = None,
    extra_sheets: Sequence[str] = (),
    macros: bool = False,
) -> Path:
    """Write ``rows`` from ``start_row`` (0-based) on ``sheet``; ``formats`` maps column -> number format.

    Strings are written as text, even one starting with "="; a dict ``{"formula": ..., "value": ...}``
    is written as a formula with a cached result.
    """
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    for name in extra_sheets:
        book.add_worksheet(name).write(0, 0, f"{name} sheet")
    ws = book.add_worksheet(sheet)
    number_formats = {c: book.add_format({"num_format": f}) for c, f in (formats or {}).items()}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            fmt = number_formats.get(c) if r > 0 else None
            if isinstance(value, dict):
                ws.write_formula(start_row + r, c, value["formula"], fmt, value.get("value", 0))
            elif isinstance(value, (dt.date, dt.datetime)):
                ws.write_datetime(start_row + r, c, value, book.add_format({"num_format": "mmm-yy"}))
            elif value is None:
                continue
            elif isinstance(value, str):
                ws.write_string(start_row + r, c, value, fmt)
            else:
                ws.write(start_row + r, c, value, fmt)
    book.close()
    return path


MINIMAL_RULES = """\
version: 1
title: Test Scorecard
layout:
  columns: {id: Ref, name: Indicator, current: Jun-18, previous: May-18, target: Target, floor: Floor, \
polarity: Polarity}
"""
