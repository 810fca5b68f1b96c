"""The cases of the council corpus: a generator each (``@book``), and the rules and truth written by hand.

``cases/<name>/rules.yaml`` are the rules an analyst would write for the workbook; ``cases/<name>/truth.json``
is what a right reading gives, worked out by hand from the figures the generator writes (never by running
scorecard). The fields of a truth file are listed in ``README.md``.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CASES_DIR = HERE / "cases"
MODULES = (
    "books_thresholds",
    "books_profiles",
    "books_errors",
    "books_periods",
    "books_bounds",
    "books_shapes",
    "books_refresh",
    "books_ordinary",
    "books_real",
    "books_blind",
    "books_blind2",
    "books_blind3",
)

Builder = Callable[[Path], None]
_BOOKS: dict[str, tuple[str, Builder]] = {}


def book(name: str, ext: str = "xlsx") -> Callable[[Builder], Builder]:
    """Register the generator of case ``name``; it writes the workbook to the path it is given."""

    def register(build: Builder) -> Builder:
        if name in _BOOKS:
            raise ValueError(f"two generators for case {name}")
        _BOOKS[name] = (ext, build)
        return build

    return register


@dataclass(frozen=True)
class Case:
    name: str
    ext: str
    build: Builder
    truth: dict[str, Any]
    rules: Path

    @property
    def klass(self) -> str:
        return self.truth["class"]

    def xfail(self, aspect: str) -> str | None:
        return self.truth.get("xfail", {}).get(aspect)


def load() -> list[Case]:
    for module in MODULES:
        importlib.import_module(f"council.{module}")
    cases = []
    names = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())
    missing = sorted(set(_BOOKS) - set(names))
    if missing:
        raise ValueError(f"generators without a case folder: {missing}")
    for name in names:
        if name not in _BOOKS:
            raise ValueError(f"case folder {name} has no generator")
        ext, build = _BOOKS[name]
        truth = json.loads((CASES_DIR / name / "truth.json").read_text(encoding="utf-8"))
        cases.append(Case(name, ext, build, truth, CASES_DIR / name / "rules.yaml"))
    return cases
