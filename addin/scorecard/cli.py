"""The ``scorecard`` command: refresh, narrative, check, report, rules, schema and addin.

Only the standard library is imported at start-up, so ``scorecard --help`` answers at once;
lxml and PyYAML load when a workbook or rules file is actually read.
Exit codes: 0 all done, 1 a workbook or rules file had a problem, 2 the command itself was wrong,
3 an unexpected error (one line, its traceback in the log file the line names).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .arguments import command_line

if TYPE_CHECKING:
    from .core.findings import Finding
    from .core.rules import Rules


def _error(message: str) -> None:
    _say(f"scorecard: error: {message}", sys.stderr)


def _say(text: str, file: Any = None) -> None:
    """Print a line that may quote the workbook or the rules: control characters escaped, length bounded
    (``errors.printable``), so a cell's text cannot drive the terminal or flood it."""
    from .errors import printable

    print(printable(text), file=file or sys.stdout)


def _load_rules(path: str) -> Rules:
    from .core.rules import load_rules_cached

    return load_rules_cached(path)


def _origin(rules: Rules) -> str:
    from .core.embedded import origin

    return origin(rules)


def _outputs(books: Sequence[str], output: str | None) -> list[Path | None]:
    from .errors import ScorecardError

    if output is None:
        return [None] * len(books)
    target = Path(output)
    as_folder = target.is_dir() or output.endswith(("/", os.sep)) or len(books) > 1
    if as_folder:
        if not target.is_dir():
            raise ScorecardError(f"output folder '{output}' does not exist")
        if not os.access(target, os.W_OK):
            raise ScorecardError(f"cannot write into the folder {target}: permission denied")
        return [target / Path(book).name for book in books]
    if not target.parent.is_dir():
        raise ScorecardError(f"output folder '{target.parent}' does not exist")
    _check_output_name(books[0], target)
    return [target]


def _check_output_name(book: str, target: Path) -> None:
    """--output names a workbook of the book's own kind: .xlsx for .xlsx, .xlsm for .xlsm (the package's
    own content type is checked again when it is written)."""
    from .errors import ScorecardError
    from .workbook.package import SUFFIXES

    given, kind = target.suffix.lower(), Path(book).suffix.lower()
    if given not in SUFFIXES:
        raise ScorecardError(
            f"--output '{target.name}' is not a workbook's name: Excel opens it only as .xlsx or .xlsm; name "
            f"it {target.stem}{kind if kind in SUFFIXES else '.xlsx'}"
        )
    if kind in SUFFIXES and given != kind:
        what = "its macros would be lost" if kind == ".xlsm" else "Excel would refuse to open it"
        raise ScorecardError(
            f"--output '{target.name}' is {given}, but the workbook is {kind} (written as {given}, {what}); "
            f"name it {target.stem}{kind}",
            file=book,
        )


@dataclass(frozen=True)
class RefreshJob:
    """One workbook to refresh, as sent to a worker process (picklable: plain fields only)."""

    book: str
    output: str | None  # None: the workbook itself
    rules_path: str | None  # None: the rules the workbook names or embeds
    period: str | None
    strict: bool
    full: bool  # the whole report (--json); else only what the summary line needs: less to send back
    previous: str | None = None  # last month's workbook (--previous), for commentary copied forward
    even_if_open: bool = False  # --even-if-open: write even though Excel's owner file says it is open
    stamp: tuple[int, int, int] | None = None  # the destination before (inode, size, mtime): was it replaced?


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_ino, found.st_size, found.st_mtime_ns)


@dataclass(frozen=True)
class RefreshOutcome:
    """What a worker sends back about one workbook: an error, or the summary (and with ``full`` the report)."""

    file: str
    error: str | None = None  # None: refreshed
    output: str = ""
    rules: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    kpis: int = 0
    changes: int = 0
    warnings: tuple[Finding, ...] = ()
    report: dict[str, Any] | None = None  # core.summary.as_dict, with ``full``
    saved: bool = False  # with an error: the workbook was refreshed all the same (its worker died after saving)

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_json(self) -> dict[str, Any]:
        """The line ``refresh --json`` prints for this workbook."""
        if self.error is not None:
            return {"file": self.file, "ok": False, "error": self.error}
        return {"file": self.file, "ok": True, "output": self.output, "rules": self.rules, **(self.report or {})}


def _refresh_one(job: RefreshJob) -> RefreshOutcome:
    """Refresh one workbook; what it returns crosses a process boundary."""
    from .core.summary import as_dict
    from .errors import ScorecardError
    from .usecases import read_last_month, refresh_file
    from .workbook.bookrules import book_rules

    book = job.book
    try:
        rules = book_rules(book, job.rules_path)
        last = read_last_month(job.previous, rules) if job.previous else None
        result = refresh_file(
            book,
            rules,
            output=job.output,
            period=job.period,
            strict=job.strict,
            previous=last,
            even_if_open=job.even_if_open,
        )
    except ScorecardError as error:
        return RefreshOutcome(book, error=str(error))
    except Exception as error:  # a bug, not the user's fault: one line here, the traceback to the log
        from .errors import log_unexpected

        return RefreshOutcome(book, error=f"{Path(book).name}: " + log_unexpected(error, f"refresh {book}"))
    card = result.scorecard
    return RefreshOutcome(
        book,
        output=str(job.output or book),
        rules=_origin(rules),
        counts=dict(card.counts),
        kpis=len(card.kpis),
        changes=len(card.changes),
        warnings=tuple(card.warnings),
        report=as_dict(result.scorecard, result.narrative) if job.full else None,
    )


def _refresh(args: argparse.Namespace) -> int:
    from .errors import ScorecardError

    if args.rules:
        _load_rules(args.rules)  # a bad rules file is one error, not one per workbook
    locks = [b for b in args.books if Path(b).name.startswith("~$")]
    for lock in locks:  # what a folder glob picks up while a workbook is open in Excel
        _say(f"  note: skipped {lock}: an Excel lock file (its workbook is open in Excel)", sys.stderr)
    args.books = [b for b in args.books if b not in locks]
    if not args.books:
        raise ScorecardError("no workbooks to refresh")
    resolved = [os.path.realpath(b) for b in args.books]
    if len(set(resolved)) != len(resolved):
        twice = sorted({b for b in args.books if resolved.count(os.path.realpath(b)) > 1})
        raise ScorecardError(f"the same workbook is given more than once: {', '.join(twice)}")
    if args.previous and len(args.books) > 1:
        raise ScorecardError(
            "--previous names last month's copy of one workbook: refresh one workbook at a time with it"
        )
    outputs = _outputs(args.books, args.output)
    if args.output and len(set(map(str, outputs))) != len(outputs):
        raise ScorecardError(
            "two workbooks have the same file name and would overwrite each other in the output folder"
        )
    jobs = [
        RefreshJob(
            book,
            None if out is None else str(out),
            args.rules,
            args.period,
            args.strict,
            args.json,
            args.previous,
            args.even_if_open,
            _stamp(Path(out or book)),
        )
        for book, out in zip(args.books, outputs, strict=True)
    ]
    failed: list[str] = []
    for result in _run(jobs, args.jobs):
        if result.error is None:
            if args.json:
                print(json.dumps(result.as_json(), ensure_ascii=False))
            else:
                summary = ", ".join(f"{n} {status}" for status, n in result.counts.items() if n)
                changes = result.changes
                _say(
                    f"{result.output}: {result.kpis} KPIs: {summary}; {changes} RAG "
                    f"{'change' if changes == 1 else 'changes'}"
                )
                _say(f"  rules: {result.rules}", sys.stderr)
                for warning in result.warnings:
                    _say(f"  {warning.line()}", sys.stderr)
        else:
            failed.append(Path(result.file).name + (" (refreshed, its report lost)" if result.saved else ""))
            _error(result.error)
            if args.json:
                print(json.dumps(result.as_json(), ensure_ascii=False))
    if len(jobs) > 1:
        _say(_batch_summary(len(jobs), failed), sys.stderr)
    return 1 if failed else 0


def _batch_summary(total: int, failed: list[str]) -> str:
    """The batch's last line: how many were refreshed, and which failed (each failure's own line says why)."""
    line = f"{total - len(failed)} of {total} workbooks refreshed"
    if failed:
        names = ", ".join(failed[:20]) + (f" and {len(failed) - 20} more" if len(failed) > 20 else "")
        saved = sum(1 for name in failed if name.endswith("(refreshed, its report lost)"))
        line += f", {len(failed)} failed: {names}"
        if not saved:
            line += f" (left as {'it was' if len(failed) == 1 else 'they were'})"
        elif saved < len(failed):
            line += " (the others left as they were)"
    return line


def _run(jobs: list[RefreshJob], workers: int) -> Iterator[RefreshOutcome]:
    """Refresh in order, with a progress bar on a terminal; in several processes when asked."""
    progress = _progress(len(jobs))
    if workers == 0:
        workers = os.cpu_count() or 1
    if workers > 1 and len(jobs) > 1:
        # everything a refresh imports (_refresh_one's imports, the reader and the writer) is imported once,
        # before the workers start, so forked ones inherit it rather than each importing it again
        from . import usecases  # noqa: F401 - imported for its effect: loaded before the fork
        from .batch import run_in_workers
        from .core import summary  # noqa: F401 - imported for its effect: loaded before the fork
        from .workbook import book, bookrules  # noqa: F401 - imported for their effect: loaded before the fork

        yield from run_in_workers(jobs, min(workers, len(jobs)), _refresh_one, _worker_lost, progress)
    else:
        for job in jobs:
            result = _refresh_one(job)
            progress(result)
            yield result
    progress(None)


def _worker_lost(job: RefreshJob, how: str) -> RefreshOutcome:
    """The outcome of a workbook whose worker process died under it (killed, as the out-of-memory killer
    does): a clear error, and the temporary file it was writing removed. The workbook is as it was: a
    refresh replaces it only when the new file is complete."""
    from .workbook.files import lock, real_path, remove_stale_temporaries

    destination = real_path(Path(job.output or job.book))
    try:
        with lock(destination, wait=10):  # the dead worker's lock went with it; a live writer's is waited for
            remove_stale_temporaries(destination)
    except Exception:  # noqa: BLE001 - tidying only: the next run that writes it removes what is left
        pass
    if _stamp(destination) != job.stamp:  # stopped after the refreshed workbook was saved, before saying so
        return RefreshOutcome(
            job.book,
            error=f"{Path(job.book).name}: the process refreshing it stopped ({how}) after saving it: it is "
            f"refreshed, but what it found was lost; run scorecard check on it to see its warnings",
            saved=True,
        )
    return RefreshOutcome(
        job.book,
        error=f"{Path(job.book).name}: the process refreshing it stopped ({how}), so it was not refreshed; the "
        "workbook is as it was. A process is stopped so when the computer runs short of memory: refresh it on its "
        "own (without --jobs), or close other programs and try again",
    )


def _progress(total: int) -> Callable[[RefreshOutcome | None], None]:
    """A one-line progress bar on standard error when it is a terminal and there is more than one book."""
    if total < 2 or not sys.stderr.isatty():
        return lambda result: None
    done = [0]

    def show(result: RefreshOutcome | None) -> None:
        if result is None:
            sys.stderr.write("\r\033[K")
            return
        done[0] += 1
        width = 30
        filled = width * done[0] // total
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done[0]}/{total} {Path(result.file).name[:40]}\033[K"
        )
        sys.stderr.flush()

    return show


def _narrative(args: argparse.Namespace) -> int:
    from .core.summary import as_dict
    from .errors import printable
    from .usecases import evaluate_file, read_last_month
    from .workbook.bookrules import book_rules

    rules = book_rules(args.book, args.rules)
    _say(f"rules: {_origin(rules)}", sys.stderr)
    last = read_last_month(args.previous, rules) if args.previous else None
    result = evaluate_file(args.book, rules, period=args.period, previous=last)
    for warning in result.table.warnings:
        _say(f"  {warning.line()}", sys.stderr)
    if args.format == "json":
        print(json.dumps(as_dict(result.scorecard, result.narrative), ensure_ascii=False, indent=2))
    elif args.format == "markdown":
        sys.stdout.write(printable(result.narrative.to_markdown(), limit=None))
    else:
        sys.stdout.write(printable(result.narrative.to_text(), limit=None))
    return 0


def _check(args: argparse.Namespace) -> int:
    from .core.embedded import check_embedded
    from .core.reading.explain import explain_lines
    from .core.summary import check_dict, check_summary
    from .errors import ScorecardError
    from .usecases import evaluate_file, read_last_month
    from .workbook import bookrules
    from .workbook.bookrules import book_rules

    if not args.book and not args.rules:
        raise ScorecardError("give --rules RULES, a workbook, or both")
    if args.previous and not args.book:
        raise ScorecardError("--previous needs a workbook to compare with it")
    rules = _load_rules(args.rules) if args.rules else book_rules(args.book, None)
    valid = f"rules: {_origin(rules)}: rules are valid ({len(rules.kpis)} KPIs described)"
    _say(valid, sys.stderr if args.format == "json" else None)  # standard output holds the JSON alone
    if not args.book:
        from .core.paper import notes as paper_notes

        for note in paper_notes(rules.report):  # SC703, SC704
            _say(f"  {note.line()}")
        return 0
    last = read_last_month(args.previous, rules) if args.previous else None
    result = evaluate_file(args.book, rules, period=args.period, previous=last)
    differs = check_embedded(rules, lambda: bookrules.load(args.book))
    if differs:
        result.table.findings.append(differs)
    from .core.committee import check_notes

    result.table.findings.extend(check_notes(result.scorecard, rules.report))  # SC703-SC710: notes of the paper
    if args.format == "json":
        print(json.dumps(check_dict(result.table, result.scorecard, rules, args.book), ensure_ascii=False, indent=2))
    else:
        first, *rest = check_summary(result.table, result.scorecard)
        _say(f"{args.book}: {first}")
        for line in rest:
            _say(f"  {line}")
        if args.explain:
            for line in explain_lines(result.table, rules):
                _say(f"  {line}")
    return 1 if args.strict and result.table.warnings else 0


def _report(args: argparse.Namespace) -> int:
    from .usecases import evaluate_file
    from .word.cover_report import write_report
    from .workbook.bookrules import book_rules

    rules = book_rules(args.book, args.rules)
    _say(f"rules: {_origin(rules)}", sys.stderr)
    result = evaluate_file(args.book, rules, period=args.period)
    output = Path(args.output) if args.output else Path(args.book).with_suffix(".docx")
    _say(str(write_report(result, rules, output, template=args.template)))
    for warning in result.table.warnings:
        _say(f"  {warning.line()}", sys.stderr)
    from .word.cover_report import report_notes

    for note in report_notes(result, rules):  # SC705, SC706, SC709, SC710
        _say(f"  {note.line()}", sys.stderr)
    if args.pdf:
        from .word.pdf import to_pdf

        _say(str(to_pdf(output)))
    return 0


def _schema(args: argparse.Namespace) -> int:
    from .core.rules import schema

    print(json.dumps(schema(), indent=2))
    return 0


def _addin(args: argparse.Namespace) -> int:
    from .xlam import install

    if args.action == "build":
        from .xlam.build import build

        print(build(args.output))
        return 0
    if args.action == "selftest":
        return _selftest(Path(args.dir) if args.dir else None)
    folder = Path(args.dir) if args.dir else None
    config = Path(args.config) if args.config else None
    if args.action == "install":
        from .excel.selftest import xlwings_dll_problem
        from .xlam.build import build_id

        target, config_file = install.install(folder, config, persistent=args.persistent_python)
        print(f"Installed {target} (build {build_id()})")
        print(f"Recorded {install.interpreter_key()} = {sys.executable} in {config_file}")
        if args.persistent_python:
            print(
                f"Recorded {install.PERSISTENT_KEY} = True: on Windows the buttons run in one Python kept while Excel "
                "is open, so only the first click pays Python's start-up (restart Excel after upgrading scorecard)"
            )
        problem = xlwings_dll_problem()  # Windows: the worksheet functions need xlwings' DLL beside this Python
        if problem:
            print(f"  warning: {problem}", file=sys.stderr)
        if sys.platform == "darwin":
            print(f"Copied {install.applescript_source().name} (RunPython needs it) to {install.applescript_folder()}")
        print("Restart Excel: the Scorecard tab appears on the ribbon.")
    else:
        removed = install.uninstall(folder, config)
        print("\n".join(f"Removed {p}" for p in removed) or "Nothing to remove.")
    return 0


def _rules_command(args: argparse.Namespace) -> int:
    from .workbook import bookrules

    if args.action == "embed":
        if args.output:
            _check_output_name(args.book, Path(args.output))
        rules = _load_rules(args.rules)  # only rules that load are embedded
        text = Path(args.rules).read_bytes().decode("utf-8-sig")
        count = bookrules.embed(args.book, text, args.output, even_if_open=args.even_if_open)
        print(
            f"{args.output or args.book}: embedded {args.rules} ({len(rules.kpis)} KPIs described) in the hidden "
            f"sheet ScorecardRules, cells A1:A{count}; --rules may now be left out"
        )
        return 0
    from .errors import ScorecardError, printable

    cells = bookrules.read_lines(args.book)
    if cells is None:
        raise ScorecardError("has no embedded rules (no sheet ScorecardRules)", file=args.book)
    from .core.embedded import from_cells

    sys.stdout.write(printable(from_cells(cells), limit=None))
    return 0


def _selftest(folder: Path | None) -> int:
    """Run the installed add-in's self-test macro in the desktop Excel xlwings finds (a running one, else a
    new hidden one): the way the Self-test button runs it, through RunPython and the recorded interpreter."""
    from .errors import ScorecardError
    from .excel.selftest import run_from_command_line
    from .xlam import install

    try:
        import xlwings as xw

        apps = xw.apps
        running = apps.count > 0
    except Exception:  # no desktop engine at all (Linux)
        apps, running = None, False
    if apps is None or (not running and not _can_start_excel()):
        raise ScorecardError(
            "no desktop Excel here: the self-test runs in Excel for Windows or Mac "
            "(or from the Self-test button of the Scorecard tab)"
        )
    if sys.platform == "darwin" and not (install.applescript_folder() / install.applescript_source().name).is_file():
        raise ScorecardError(
            f"RunPython needs {install.applescript_source().name} in {install.applescript_folder()}: "
            "run scorecard addin install again"
        )
    app = apps.active if running else xw.App(visible=False)
    assert app is not None  # a running Excel has an active instance
    try:
        text = run_from_command_line(app, (folder or install.default_startup_folder()) / install.ADDIN_FILE)
    finally:
        if not running:
            app.quit()
    print(text)
    return 0 if text.startswith("Scorecard self-test: PASS") else 1


def _can_start_excel() -> bool:
    return sys.platform.startswith("win") or sys.platform == "darwin"


COMMANDS = {
    "refresh": _refresh,
    "narrative": _narrative,
    "check": _check,
    "report": _report,
    "schema": _schema,
    "addin": _addin,
    "rules": _rules_command,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = command_line()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    from .errors import ScorecardError

    try:
        return COMMANDS[args.command](args)
    except ScorecardError as error:
        _error(str(error))
        return error.exit_code
    except KeyboardInterrupt:
        _error("interrupted; workbooks not yet written were left as they were")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # a bug: one line for the user, the traceback to the log (exit 3)
        from .errors import log_unexpected

        _error(log_unexpected(error, "scorecard " + " ".join(sys.argv[1:] if argv is None else argv)))
        return 3


if __name__ == "__main__":
    sys.exit(main())
