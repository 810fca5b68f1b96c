"""The acceptance self-test: inside Excel, Check, Word report and Refresh on a copy of the bundled sample,
and the worksheet functions, each compared with what the command line's engine decides for the same file.

It runs the way a button press runs: the add-in's ``RunSelfTest`` macro (the **Self-test** button, or
``scorecard addin selftest``, which runs that macro in the Excel xlwings finds) starts Python through
xlwings' RunPython with the interpreter ``scorecard addin install`` recorded (on a Mac through xlwings'
AppleScript), and that Python compares the build the add-in carries with the scorecard installed there.
What it proves on the machine it runs on: that Excel runs the add-in's macros, that the recorded Python
is found and holds the same build as the add-in, that Excel's own writes land where the engine planned
them (values and fills read back from Excel), and, on Windows, that Excel calls the worksheet functions
through xlwings, reads a percent-formatted cell's format, finds the rules without a path and spills the
array functions. The report names the versions of Excel, xlwings, Python, scorecard and the add-in build,
for IT to send back.
"""

from __future__ import annotations

import re
import shutil
import struct
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.a1 import cell_ref
from ..core.findings import KINDS
from ..errors import ScorecardError

SAMPLE = "cic-scorecard-june-2018.xlsx"
RULES = "cic-scorecard.yaml"  # as bundled; the copy is named after the workbook, so Excel's functions find it
RUN_MACRO = "ScorecardRibbon.RunSelfTest"  # in the add-in: what the Self-test button runs
DLL_MISSING = KINDS["SC951"].code  # xlwings' DLL is not where Excel looks for it
BUILD_DIFFERS = KINDS["SC952"].code  # the add-in's build is not the installed scorecard's


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
    """A fresh copy of the bundled sample workbook and its rules in ``folder``, the rules named after the
    workbook (``<workbook>.yaml``), where the ribbon and the worksheet functions find them without a path."""
    from importlib import resources

    data = resources.files(__package__).joinpath("selftest")
    book = folder / SAMPLE
    rules = book.with_suffix(".yaml")
    for name, target in ((SAMPLE, book), (RULES, rules)):
        with resources.as_file(data.joinpath(name)) as source:
            shutil.copyfile(source, target)
    return book, rules


def installed_build() -> str:
    """The build of the scorecard this Python imports, as the add-in's ``ADDIN_BUILD`` names its own."""
    from ..xlam.build import build_id

    return build_id()


def versions(app: Any, addin: str | None) -> dict[str, str]:
    import xlwings

    from ..version import __version__

    try:
        excel = str(app.version)
    except Exception as error:  # an engine without an application version
        excel = f"unknown ({type(error).__name__})"
    platform = "Windows" if sys.platform.startswith("win") else "macOS" if sys.platform == "darwin" else sys.platform
    return {
        "Excel": f"{excel} on {platform}",
        "xlwings": xlwings.__version__,
        "Python": f"{sys.version.split()[0]} ({sys.executable})",
        "scorecard": f"{__version__} (build {installed_build()})",
        "Add-in build": addin or "not given (run from Python, not from the add-in)",
    }


def sheet_prefix(name: str) -> str:
    """A sheet's name as Excel writes it before ``!`` in a formula: bare when it is a plain word (letters,
    digits, underscores and full stops, not starting with a digit, not readable as a cell reference such as
    A1 or R1C1), else in single quotes with each quote doubled: Scorecard!, 'KPIs 2018'!, 'O''Neil''s'!."""
    plain = re.fullmatch(r"[^\W\d][\w.]*", name) is not None
    cell = re.fullmatch(r"[A-Za-z]{1,3}\d+|[Rr]\d*([Cc]\d*)?|[Cc]\d*", name) is not None
    return f"{name}!" if plain and not cell else "'" + name.replace("'", "''") + "'!"


def dll_problem(interpreter: Path, version: str, bits: int, elsewhere: list[Path], windows: bool = True) -> str | None:
    """Why Excel could not load xlwings' DLL for the worksheet functions, or None when it can.

    xlwings' VBA loads ``xlwings<bits>-<version>.dll`` from the recorded interpreter's folder (a Python
    installed normally) or the folder above it (a virtual environment's Scripts). ``pip install`` puts
    it in the Python's own folder, except when it installs for the user alone, as it does without
    administrator rights into a Python installed for all users: then it lands in the user's folder
    (``elsewhere``: where else it may be, searched to say so) and every worksheet function fails."""
    if not windows:
        return None
    name = f"xlwings{bits}-{version}.dll"
    beside = [interpreter.parent, interpreter.parent.parent]
    if any((folder / name).is_file() for folder in beside):
        return None
    found = next((folder / name for folder in elsewhere if (folder / name).is_file()), None)
    where = f"pip put it in {found.parent}, the user's own folder, as it does" if found else "as pip leaves it"
    return (
        f"xlwings' {name} is not in {beside[0]} (nor {beside[1]}), where Excel looks for it beside the Python it "
        f"runs, so every worksheet function fails ({where} when installing without administrator rights into "
        "a Python installed for all users). Either reinstall xlwings there as an administrator "
        f'("{interpreter}" -m pip install --force-reinstall --no-deps xlwings), or use a Python of your own: '
        "python -m venv %USERPROFILE%\\scorecard-env, install scorecard into it with its pip, and run "
        f"scorecard addin install from it ({DLL_MISSING})"
    )


def xlwings_dll_problem() -> str | None:
    """``dll_problem`` for this Python: the one RunPython starts and ``scorecard addin install`` records."""
    import site

    import xlwings

    interpreter = Path(sys.executable)
    elsewhere = [Path(site.USER_BASE), Path(sys.prefix)] if site.USER_BASE else [Path(sys.prefix)]
    windows = sys.platform.startswith("win")
    return dll_problem(interpreter, xlwings.__version__, struct.calcsize("P") * 8, elsewhere, windows)


def run(app: Any, addin: str | None = None, formulas: bool | None = None) -> Report:
    """Run every check in ``app`` on a copy of the sample; the copy is closed unsaved and deleted."""
    from ..core.rules import load_rules
    from ..usecases import evaluate_file
    from . import functions, ribbon

    report = Report(versions=versions(app, addin))
    build = installed_build()
    if addin is None:
        report.add(None, "the add-in's build: not compared (the self-test was started from Python, not the add-in)")
    elif addin == build:
        report.add(True, f"the add-in and the scorecard this Python runs are the same build, {build}")
    else:
        report.add(
            False,
            f"the add-in is build {addin} but the scorecard this Python runs is build {build}: run "
            f"scorecard addin install again with this Python ({sys.executable}) ({BUILD_DIFFERS})",
        )
    folder = Path(tempfile.mkdtemp(prefix="scorecard-selftest-"))
    path, rules_path = sample_files(folder)
    expected = evaluate_file(path, load_rules(rules_path))  # the command line's engine, on the file itself
    plan = expected.plan
    book = app.books.open(str(path))
    try:
        message = _quietly(ribbon.check, book, None)  # the rules found as a user's would be: beside the workbook
        kpis = len(expected.scorecard.kpis)
        found = message is not None and f"{kpis} KPIs" in message and "No problems found." in message
        report.add(
            found,
            f"Check: {kpis} KPIs found with the rules beside the workbook, no problems"
            if found
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
        _check_writes(book, plan, report)
        if formulas is None:
            formulas = sys.platform.startswith("win")
        dll = xlwings_dll_problem() if formulas else None
        if not formulas:
            report.add(None, "worksheet functions: Excel runs xlwings functions on Windows only")
        elif dll:
            report.add(False, dll)
        else:
            _formulas(book, app, expected, rules_path, report, functions)
    finally:
        try:
            book.close()  # unsaved
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return report


def _sheet(book: Any, name: str) -> Any:
    return next((sheet for sheet in book.sheets if sheet.name.casefold() == name.casefold()), None)


def _check_writes(book: Any, plan: Any, report: Report) -> None:
    """Read back from Excel what Refresh wrote: every RAG and direction cell's text and fill, the Narrative."""
    sheet = book.sheets[plan.sheet]
    wrong = []
    for column, writes in ((plan.rag_column, plan.rag), (plan.direction_column, plan.direction)):
        for write in writes:
            cell = sheet.range((write.row, column))
            if (cell.value or "") != write.text:
                wrong.append(f"{plan.sheet}!{cell_ref(write.row, column)} holds {cell.value!r}, not {write.text!r}")
            elif write.fill and cell.color != tuple(bytes.fromhex(write.fill)):
                wrong.append(f"{plan.sheet}!{cell_ref(write.row, column)} is filled {cell.color}, not #{write.fill}")
    report.add(
        not wrong,
        f"Refresh wrote {len(plan.rag)} RAG and {len(plan.direction)} direction cells as planned"
        if not wrong
        else "Refresh: " + "; ".join(wrong[:5]),
    )
    narrative = _sheet(book, plan.narrative_sheet)
    title = plan.narrative_cells[0].text
    report.add(
        narrative is not None and narrative.range((1, 1)).value == title,
        f"the {plan.narrative_sheet} sheet begins {title!r}",
    )


def _quietly(entry_point: Any, book: Any, rules: Path | None) -> str | None:
    """An entry point's job without its alert (the report says it all): its message, or its error's."""
    try:
        return entry_point.__wrapped__(book, rules)
    except ScorecardError as error:
        return str(error)


def _formulas(book: Any, app: Any, expected: Any, rules_path: Path, report: Report, functions: Any) -> None:
    """Worksheet functions in a sheet of the copy, as a user enters them: literal values, a percent-formatted
    cell, no rules path (found beside the workbook), a range of another sheet, and the spilled arrays."""
    plan = expected.plan
    first = next(k for k in expected.scorecard.kpis if k.kpi.current is not None)
    prefix = sheet_prefix(plan.sheet)
    rag_range = f"{cell_ref(plan.first_row, plan.rag_column)}:{cell_ref(plan.last_row, plan.rag_column)}"
    table = book.sheets[plan.sheet]
    header_row = expected.table.header_top or expected.table.header_row
    used = table.used_range
    table_range = f"{cell_ref(header_row, used.column)}:{cell_ref(plan.last_row, used.column + used.shape[1] - 1)}"
    table_values = table.range(table_range).options(ndim=2).value
    rules = str(rules_path).replace('"', '""')
    greens = sum(1 for w in plan.rag if w.text == "Green")
    sheet = book.sheets.add("SelfTest", after=book.sheets[len(book.sheets) - 1])
    sheet.range("B4").value = first.kpi.current / 100  # a fraction in a percent-formatted cell, as Excel holds 95%
    sheet.range("B4").number_format = "0.0%"
    cases = [
        ('=RAG(84.9,85,75,"H")', functions.RAG(84.9, 85, 75, "H"), "a literal"),
        (f'=SCORECARD_RAG({first.kpi.current:g},"{first.kpi.id}","{rules}")', first.rag.value, "the rules' path"),
        (f'=SCORECARD_RAG({first.kpi.current:g},"{first.kpi.id}")', first.rag.value, "rules found without a path"),
        (f'=SCORECARD_RAG(B4,"{first.kpi.id}")', first.rag.value, "a percent-formatted cell, read in points"),
        (f'=SCORECARD_COUNT({prefix}{rag_range},"Green")', greens, "another sheet's range"),
    ]
    for row, (formula, _, _) in enumerate(cases, start=1):
        sheet.range((row, 1)).formula = formula
    narrative = functions.SCORECARD_NARRATIVE(table_values, str(rules_path))
    rows = functions.SCORECARD_TABLE(table_values, str(rules_path))
    sheet.range("D1").formula = f"=SCORECARD_NARRATIVE({prefix}{table_range})"
    sheet.range("F1").formula = f"=SCORECARD_TABLE({prefix}{table_range})"
    app.calculate()
    for row, (formula, want, what) in enumerate(cases, start=1):
        got = sheet.range((row, 1)).value
        same = got == want or (isinstance(want, int) and isinstance(got, float) and got == want)
        report.add(same, f"{formula} gives {got!r} ({what})" + ("" if same else f", not {want!r}"))
    _spilled(report, sheet, "D1", f"=SCORECARD_NARRATIVE({prefix}{table_range})", narrative, "paragraphs")
    _spilled(report, sheet, "F1", f"=SCORECARD_TABLE({prefix}{table_range})", rows, "rows")


def _spilled(report: Report, sheet: Any, anchor: str, formula: str, expected: Any, what: str) -> None:
    """Compare the cells an array formula spilled into with the function's own answer (None: an empty cell)."""
    if not isinstance(expected, list):
        report.add(False, f"{formula} could not be worked out in Python: {expected}")
        return
    top = sheet.range(anchor)
    bottom = (top.row + len(expected) - 1, top.column + max(len(row) for row in expected) - 1)
    got = sheet.range((top.row, top.column), bottom).options(ndim=2).value
    want = [["" if value is None else value for value in row] for row in expected]
    got = [["" if value is None else value for value in row] for row in got]
    if got == want:
        report.add(True, f"{formula} spills {len(expected)} {what}, as the engine gives them")
    elif got[0] == want[0] and all(value == "" for row in got[1:] for value in row):
        report.add(
            False,
            f"{formula} shows only its first cell: this Excel does not spill arrays (Excel 365 and 2021 do); "
            "enter it as an array formula over enough cells (Ctrl+Shift+Enter)",
        )
    else:
        wrong = next(i for i, (a, b) in enumerate(zip(got, want, strict=True)) if a != b)
        report.add(False, f"{formula} spills {got[wrong]!r} in its row {wrong + 1}, not {want[wrong]!r}")


def report_file() -> Path:
    return Path(tempfile.gettempdir()) / "scorecard-selftest.txt"


def selftest(book: Any = None, addin: str | None = None, report: str | None = None) -> str:
    """The Self-test button: run every check in this Excel and show the report (also saved to a file).
    With ``report`` (``scorecard addin selftest``), the report is written there and not shown."""
    import xlwings as xw

    from .ribbon import alert

    book = book if book is not None else xw.Book.caller()
    try:
        text = run(book.app, addin or None).text()
    except Exception as error:  # the report is the product here: never a traceback
        text = f"Scorecard self-test: FAIL\nFAIL  the self-test could not run: {type(error).__name__}: {error}"
    target = Path(report) if report else report_file()
    try:
        target.write_text(text + "\n", encoding="utf-8")
        if not report:
            text += f"\n\nThis report is saved in {target}"
    except OSError:
        pass
    if not report:
        alert(book, text)
    return text


def run_from_command_line(app: Any, addin: Path) -> str:
    """``scorecard addin selftest``: run the add-in's own self-test macro in ``app``, the way the Self-test
    button runs it (RunPython, the recorded interpreter or the AppleScript), and return the report it wrote."""
    if not addin.is_file():
        raise ScorecardError(f"no add-in at {addin}: run scorecard addin install first (or give --dir)")
    try:
        app.books[addin.name]  # loaded already (Excel started by a user loads XLSTART)
    except Exception:
        app.books.open(str(addin))  # an Excel started from a program loads no add-in by itself
    folder = Path(tempfile.mkdtemp(prefix="scorecard-selftest-"))
    written = folder / "report.txt"
    try:
        app.macro(f"'{addin.name}'!{RUN_MACRO}")(str(written))
        if not written.is_file():
            raise ScorecardError(
                "Excel ran the add-in's self-test but Python wrote no report: press Self-test on the Scorecard tab "
                "to see the error, which is usually the interpreter recorded by scorecard addin install"
            )
        return written.read_text("utf-8").rstrip("\n")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
