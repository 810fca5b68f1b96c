"""The acceptance self-test: inside Excel, Check, Word report and Refresh on a copy of the bundled sample,
and a few worksheet functions, each compared with what the command line's engine decides for the same file.

It runs from the add-in's **Self-test** button (``scorecard.excel.selftest``) or from the command
line (``scorecard addin selftest``, which drives the desktop Excel that xlwings finds). What it
proves on the machine it runs on: that Excel runs the add-in's macros, that Python is found, that
Excel's own writes land where the engine planned them (values and fills read back from Excel), and,
on Windows, that Excel calls the worksheet functions through xlwings. The report names the
versions of Excel, xlwings, Python, scorecard and the add-in build, for IT to send back.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

SAMPLE = "cic-scorecard-june-2018.xlsx"
RULES = "cic-scorecard.yaml"


@dataclass
class Report:
    checks: list[tuple[bool | None, str]] = field(default_factory=list)  # None: skipped
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(ok is not False for ok, _ in self.checks)

    def add(self, ok: bool | None, text: str) -> None:
        self.checks.append((ok, text))

    def text(self) -> str:
        mark = {True: "PASS", False: "FAIL", None: "SKIP"}
        lines = [f"Scorecard self-test: {'PASS' if self.passed else 'FAIL'}"]
        lines += [f"{mark[ok]}  {text}" for ok, text in self.checks]
        lines += ["", *[f"{name}: {value}" for name, value in self.versions.items()]]
        return "\n".join(lines)


def sample_files(folder: Path) -> tuple[Path, Path]:
    """A fresh copy of the bundled sample workbook and its rules in ``folder``."""
    data = resources.files(__package__).joinpath("selftest")
    book, rules = folder / SAMPLE, folder / RULES
    for name, target in ((SAMPLE, book), (RULES, rules)):
        with resources.as_file(data.joinpath(name)) as source:
            shutil.copyfile(source, target)
    return book, rules


def versions(app: Any, addin: str | None) -> dict[str, str]:
    import xlwings

    from .. import __version__

    try:
        excel = str(app.version)
    except Exception as error:  # an engine without an application version
        excel = f"unknown ({type(error).__name__})"
    platform = "Windows" if sys.platform.startswith("win") else "macOS" if sys.platform == "darwin" else sys.platform
    return {
        "Excel": f"{excel} on {platform}",
        "xlwings": xlwings.__version__,
        "Python": f"{sys.version.split()[0]} ({sys.executable})",
        "scorecard": __version__,
        "Add-in build": addin or "not given (run from the command line)",
    }


def _rgb(fill: str) -> tuple[int, int, int]:
    return tuple(bytes.fromhex(fill))  # type: ignore[return-value]


def run(app: Any, addin: str | None = None, formulas: bool | None = None) -> Report:
    """Run every check in ``app`` on a copy of the sample; the copy is closed unsaved and deleted."""
    from ..core.rules import load_rules
    from ..refresh import evaluate_file
    from . import ribbon, udfs

    report = Report(versions=versions(app, addin))
    if addin and addin.split(" ")[0] != report.versions["scorecard"]:
        report.add(
            False,
            f"the add-in was built for scorecard {addin.split(' ')[0]} but Python has "
            f"{report.versions['scorecard']}: run `scorecard addin install` again",
        )
    folder = Path(tempfile.mkdtemp(prefix="scorecard-selftest-"))
    path, rules_path = sample_files(folder)
    expected = evaluate_file(path, load_rules(rules_path))  # the command line's engine, on the file itself
    plan = expected.plan
    book = app.books.open(str(path))
    try:
        message = _quietly(ribbon.check, book, rules_path)
        kpis = len(expected.scorecard.kpis)
        report.add(
            message is not None and f"{kpis} KPIs" in message and "No problems found." in message,
            f"Check: {kpis} KPIs found, no problems"
            if message and "No problems found." in message
            else f"Check said: {message}",
        )
        message = _quietly(ribbon.report, book, rules_path)
        document = path.with_suffix(".docx")
        saved = document.is_file() and message is not None and message.startswith("The Word report is saved as")
        report.add(
            saved,
            f"Word report saved beside the workbook as {document.name}" if saved else f"Word report said: {message}",
        )
        message = _quietly(ribbon.refresh, book, rules_path)
        report.add(message is None, "Refresh ran without a message" if message is None else f"Refresh said: {message}")
        sheet = book.sheets[plan.sheet]
        wrong = []
        for column, writes in ((plan.rag_column, plan.rag), (plan.direction_column, plan.direction)):
            for write in writes:
                cell = sheet.range((write.row, column))
                if (cell.value or "") != write.text:
                    wrong.append(
                        f"{plan.sheet}!{ribbon._a1(write.row, column)} holds {cell.value!r}, not {write.text!r}"
                    )
                elif write.fill and cell.color != _rgb(write.fill):
                    wrong.append(
                        f"{plan.sheet}!{ribbon._a1(write.row, column)} is filled {cell.color}, not #{write.fill}"
                    )
        report.add(
            not wrong,
            f"Refresh wrote {len(plan.rag)} RAG and {len(plan.direction)} direction cells as planned"
            if not wrong
            else "Refresh: " + "; ".join(wrong[:5]),
        )
        narrative = ribbon._sheet_named(book, plan.narrative_sheet)
        title = plan.narrative_cells[0].text
        report.add(
            narrative is not None and narrative.range((1, 1)).value == title,
            f"the {plan.narrative_sheet} sheet begins {title!r}",
        )
        if formulas is None:
            formulas = sys.platform.startswith("win")
        if not formulas:
            report.add(None, "worksheet functions: Excel runs xlwings functions on Windows only")
        else:
            _formulas(book, app, expected, rules_path, report, udfs)
    finally:
        try:
            book.close()  # unsaved
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return report


def _quietly(entry_point: Any, book: Any, rules: Path) -> str | None:
    """An entry point's job without its alert (the report says it all): its message, or its error's."""
    from ..errors import ScorecardError

    try:
        return entry_point.__wrapped__(book, rules)
    except ScorecardError as error:
        return str(error)


def _formulas(book: Any, app: Any, expected: Any, rules_path: Path, report: Report, udfs: Any) -> None:
    from . import ribbon

    plan = expected.plan
    first = next(k for k in expected.scorecard.kpis if k.kpi.current is not None)
    rag_range = f"{ribbon._a1(plan.first_row, plan.rag_column)}:{ribbon._a1(plan.last_row, plan.rag_column)}"
    greens = sum(1 for w in plan.rag if w.text == "Green")
    rules = str(rules_path).replace('"', '""')
    cases = [
        ('=RAG(84.9,85,75,"H")', udfs.RAG(84.9, 85, 75, "H")),
        (f'=SCORECARD_RAG({first.kpi.current!r},"{first.kpi.id}","{rules}")', first.rag.value),
        (f"=SCORECARD_COUNT('{plan.sheet}'!{rag_range},\"Green\")", greens),
    ]
    sheet = book.sheets.add("SelfTest", after=book.sheets[len(book.sheets) - 1])
    for row, (formula, _) in enumerate(cases, start=1):
        sheet.range((row, 1)).formula = formula
    app.calculate()
    for row, (formula, want) in enumerate(cases, start=1):
        got = sheet.range((row, 1)).value
        same = got == want or (isinstance(want, int) and isinstance(got, float) and got == want)
        report.add(same, f"{formula} gives {got!r}" + ("" if same else f", not {want!r}"))


def report_file() -> Path:
    return Path(tempfile.gettempdir()) / "scorecard-selftest.txt"


def selftest(book: Any = None, addin: str | None = None) -> str:
    """The Self-test button: run every check in this Excel and show the report (also saved to a file)."""
    import xlwings as xw

    from .ribbon import _alert

    book = book if book is not None else xw.Book.caller()
    try:
        text = run(book.app, addin).text()
    except Exception as error:  # the report is the product here: never a traceback
        text = f"Scorecard self-test: FAIL\nFAIL  the self-test could not run: {type(error).__name__}: {error}"
    try:
        report_file().write_text(text + "\n", encoding="utf-8")
        text += f"\n\nThis report is saved in {report_file()}"
    except OSError:
        pass
    _alert(book, text)
    return text
