"""``scorecard addin install`` / ``uninstall``: put the add-in where Excel loads it, the xlwings way.

Excel opens every workbook and add-in in the user's XLSTART folder when it starts (it is a trusted
location by default), so the add-in is built straight into it. The Python interpreter is recorded
in the add-in's user configuration file, which xlwings' custom add-in module reads
(``%USERPROFILE%\\.scorecard\\scorecard.conf`` on Windows, ``scorecard.conf`` in Excel's container
on macOS), as ``xlwings addin install`` / ``xlwings config create`` do for xlwings itself, and in the
same encoding: the locale's (the ANSI code page on Windows), which VBA's ``Input #`` reads.

On macOS, RunPython calls ``AppleScriptTask("xlwings-<version>.applescript")``, which Excel finds
only in ``~/Library/Application Scripts/com.microsoft.Excel/``: install copies it there from the
installed xlwings, as ``xlwings runpython install`` does, and uninstall removes it again if it was
put there by scorecard (another xlwings add-in may still need one it found there).
"""

from __future__ import annotations

import locale
import os
import shutil
import sys
from pathlib import Path

from ..errors import ScorecardError
from .build import PROJECT_NAME

ADDIN_FILE = f"{PROJECT_NAME}.xlam"


def default_startup_folder() -> Path:
    home = Path.home()
    if sys.platform.startswith("win"):
        return Path(os.environ.get("APPDATA", home / "AppData" / "Roaming")) / "Microsoft" / "Excel" / "XLSTART"
    if sys.platform == "darwin":
        return home / "Library" / "Group Containers" / "UBF8T346G9.Office" / "User Content" / "Startup" / "Excel"
    raise ScorecardError("Excel does not run on this system; give the XLSTART folder with --dir")


def default_config_file() -> Path:
    home = Path.home()
    if sys.platform.startswith("win"):
        return Path(os.environ.get("USERPROFILE", home)) / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf"
    if sys.platform == "darwin":
        return home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / f"{PROJECT_NAME}.conf"
    return home / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf"


def applescript_folder() -> Path:
    """Where Excel for Mac finds the scripts AppleScriptTask may run (as xlwings' runpython install)."""
    return Path(os.path.expanduser("~")) / "Library" / "Application Scripts" / "com.microsoft.Excel"


def applescript_source() -> Path:
    import xlwings

    return Path(xlwings.__file__).parent / f"xlwings-{xlwings.__version__}.applescript"


APPLESCRIPT_KEY = "SCORECARD_INSTALLED_APPLESCRIPT"  # ours to remove on uninstall; VBA never reads it


def config_encoding() -> str:
    """The encoding the configuration file is written in: the locale's, as xlwings writes its own
    (``open(path, "w")``). On Windows that is the ANSI code page VBA's ``Input #`` reads, unless
    Python's UTF-8 mode is on; VBA reads the ANSI code page whatever Python's mode, so there it is
    named outright (``mbcs``)."""
    return "mbcs" if sys.platform.startswith("win") else locale.getpreferredencoding(False)


def interpreter_key() -> str:
    return "INTERPRETER_MAC" if sys.platform == "darwin" else "INTERPRETER_WIN"


def _read_config(path: Path) -> list[tuple[str, str]]:
    entries = []
    if path.exists():
        data = path.read_bytes()
        try:  # UTF-8 as an earlier version wrote it: text in a code page is almost never valid UTF-8
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode(config_encoding(), errors="replace")
        for line in text.splitlines():
            key, _, value = line.partition(",")
            if key.strip():
                entries.append((key.strip().strip('"'), value.strip().strip('"')))
    return entries


def _write_config(path: Path, entries: list[tuple[str, str]]) -> None:
    if not entries:
        path.unlink(missing_ok=True)
        return
    encoding = config_encoding()
    for key, value in entries:
        try:
            value.encode(encoding)
        except UnicodeEncodeError:
            raise ScorecardError(
                f"{key} {value!r} has characters Excel cannot read from {path} in this system's code page "
                f"({encoding}); install Python in a folder whose path has none (for example C:\\Python311)"
            ) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding) as out:  # text mode: CRLF on Windows, as xlwings writes it
        out.writelines(f'"{k}","{v}"\n' for k, v in entries)


PERSISTENT_KEY = "USE UDF SERVER"  # xlwings' setting: RunPython runs in its COM server, one Python for the session


def install(
    folder: Path | None = None,
    config: Path | None = None,
    interpreter: str | None = None,
    persistent: bool | None = None,
) -> tuple[Path, Path]:
    """Build the add-in into ``folder`` and record the interpreter in ``config``. ``persistent`` True makes
    the buttons run in one Python kept for the Excel session (xlwings' COM server, Windows only), so only
    the first click pays Python's start-up; False goes back to a fresh Python per click; None leaves it."""
    from .build import build

    folder = folder or default_startup_folder()
    config = config or default_config_file()
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
    key = interpreter_key()
    entries = [(k, v) for k, v in _read_config(config) if k.upper() != key]
    entries.append((key, interpreter or sys.executable))
    if persistent is not None:
        entries = [(k, v) for k, v in entries if k.upper() != PERSISTENT_KEY]
        entries += [(PERSISTENT_KEY, "True")] if persistent else []
    if sys.platform == "darwin":
        entries = [(k, v) for k, v in entries if k != APPLESCRIPT_KEY] + _install_applescript(config)
    _write_config(config, entries)  # first: refuses a path Excel could not read before anything is put in place
    target = build(folder / ADDIN_FILE)
    return target, config


def _install_applescript(config: Path) -> list[tuple[str, str]]:
    """Copy xlwings' AppleScript where Excel for Mac looks; remember it if it was not there before."""
    source, folder = applescript_source(), applescript_folder()
    if not source.is_file():
        raise ScorecardError(f"the installed xlwings has no {source.name}, which RunPython needs on macOS")
    target = folder / source.name
    ours = [(k, v) for k, v in _read_config(config) if k == APPLESCRIPT_KEY and v == str(target)]
    existed = target.exists()
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return ours if existed else [(APPLESCRIPT_KEY, str(target))]


def uninstall(folder: Path | None = None, config: Path | None = None) -> list[Path]:
    folder = folder or default_startup_folder()
    config = config or default_config_file()
    removed = []
    target = folder / ADDIN_FILE
    if target.exists():
        target.unlink()
        removed.append(target)
    key = interpreter_key()
    entries = _read_config(config)
    for k, v in entries:
        if k == APPLESCRIPT_KEY and Path(v).exists():
            Path(v).unlink()
            removed.append(Path(v))
    ours = {key, APPLESCRIPT_KEY.upper(), PERSISTENT_KEY}
    if any(k.upper() in ours for k, _ in entries):
        _write_config(config, [(k, v) for k, v in entries if k.upper() not in ours])
        removed.append(config)
    return removed
