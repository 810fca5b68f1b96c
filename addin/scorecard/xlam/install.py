"""``scorecard addin install`` / ``uninstall``: put the add-in where Excel loads it, the xlwings way.

Excel opens every workbook and add-in in the user's XLSTART folder when it starts (it is a trusted
location by default), so the add-in is built straight into it. The Python interpreter is recorded
in the add-in's user configuration file, which xlwings' custom add-in module reads
(``%USERPROFILE%\\.scorecard\\scorecard.conf`` on Windows, ``scorecard.conf`` in Excel's container
on macOS), as ``xlwings addin install`` / ``xlwings config create`` do for xlwings itself.
"""

from __future__ import annotations

import os
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


def interpreter_key() -> str:
    return "INTERPRETER_MAC" if sys.platform == "darwin" else "INTERPRETER_WIN"


def _read_config(path: Path) -> list[tuple[str, str]]:
    entries = []
    if path.exists():
        for line in path.read_text("utf-8").splitlines():
            key, _, value = line.partition(",")
            if key.strip():
                entries.append((key.strip().strip('"'), value.strip().strip('"')))
    return entries


def _write_config(path: Path, entries: list[tuple[str, str]]) -> None:
    if not entries:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f'"{k}","{v}"\n' for k, v in entries), "utf-8")


def install(folder: Path | None = None, config: Path | None = None, interpreter: str | None = None) -> tuple[Path, Path]:
    from .build import build

    folder = folder or default_startup_folder()
    config = config or default_config_file()
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
    target = build(folder / ADDIN_FILE)
    key = interpreter_key()
    entries = [(k, v) for k, v in _read_config(config) if k.upper() != key]
    _write_config(config, entries + [(key, interpreter or sys.executable)])
    return target, config


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
    if any(k.upper() == key for k, _ in entries):
        _write_config(config, [(k, v) for k, v in entries if k.upper() != key])
        removed.append(config)
    return removed
