"""The one way tests run the ``scorecard`` command, and check what is never right whatever the test.

``run_cli("refresh", book, "--rules", rules)`` runs it in this process: ``main()`` is what the installed
``scorecard`` script calls, and an interpreter's start-up per run would make the suite slow. ``process=True``
runs ``python -m scorecard.cli`` in a process of its own, for what only a process shows: a worker pool, a
lock held between processes, what a fresh interpreter imports, the module's own entry point. ``argv()``
is that command line, for a test that must start, race or kill the process itself.

Every run is checked: no traceback on either stream, and no sign of scorecard's own bug (exit 3, or a
batch's "unexpected error" line for one workbook), which a test of the bug handler asks for with
``bug=True``. Python's UserWarnings are errors in both kinds of run: a warning is not for the user's
terminal.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple
from unittest import mock

BUG_EXIT = 3  # cli.py: an unexpected error, the traceback in the log
BUG_LINE = "unexpected error ("  # errors.log_unexpected's line, also a batch's line for one workbook


class Run(NamedTuple):
    """What a run gave: unpacks as ``code, out, err``."""

    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def argv(*args: object) -> list[str]:
    """The command line of a run in a process of its own."""
    return [sys.executable, "-m", "scorecard.cli", *map(str, args)]


def run_cli(
    *args: object,
    process: bool = False,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    bug: bool = False,
) -> Run:
    """Run ``scorecard *args`` (each made a string); ``env`` is added to the environment for the run."""
    run = _in_a_process(args, cwd, env) if process else _in_this_process(args, cwd, env)
    shown = run.stdout + run.stderr
    assert "Traceback" not in shown, shown
    said_bug = run.returncode == BUG_EXIT or BUG_LINE in run.stderr
    if bug:
        assert said_bug, f"exit {run.returncode}, not the bug handler the test expects: {run.stderr}"
    else:
        assert not said_bug, f"exit {run.returncode}, scorecard's own bug: {run.stderr}"
    return run


def _in_this_process(args: tuple[object, ...], cwd: Path | None, env: Mapping[str, str] | None) -> Run:
    from scorecard.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.ExitStack() as stack:
        if cwd is not None:
            stack.enter_context(contextlib.chdir(cwd))
        stack.enter_context(mock.patch.dict(os.environ, env or {}))
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("error", UserWarning)
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        try:
            code = main([str(a) for a in args])
        except SystemExit as exit_:  # argparse: --help, --version, a malformed command
            code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    return Run(code, out.getvalue(), err.getvalue())


def _in_a_process(args: tuple[object, ...], cwd: Path | None, env: Mapping[str, str] | None) -> Run:
    done = subprocess.run(
        argv(*args),
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONWARNINGS": "error::UserWarning", **(env or {})},
        timeout=300,
    )
    return Run(done.returncode, done.stdout, done.stderr)
