"""The files scorecard writes: one writer at a time, written beside, moved into place whole.

Every command that replaces a file (a refresh, ``rules embed``, the Word report) goes through here:

- ``writing(destination)`` is held for the whole read-modify-write: it refuses a workbook that is
  open in Excel (its owner file ``~$NAME`` is beside it), refuses a file with hard links (replacing
  it would split them), takes an advisory lock on the destination so a second scorecard run waits
  for the first instead of overwriting its work, and removes the hidden temporary files a killed
  run left behind (only a run holding the lock can have made them, so any found are stale);
- ``write_beside(destination, write)`` writes a temporary file in the destination's folder, flushes
  it to disk, gives it the destination's mode and owner (a new file: the usual mode, 0666 less the
  umask, as any program creates one), and moves it over the destination in one step. A symlink is
  followed: the file it points to is refreshed and the link stays a link.

Errors name the file and say what to do; a full disk or an unwritable folder is an error like any
other (exit 1), never a traceback, and the original is left as it was.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from ..errors import WorkbookError

LOCK_WAIT = 120.0  # seconds a second writer waits for the first before it gives up
TEMPORARY_MARK = ".scorecard-"  # in every temporary file's name: ".~book.xlsx.scorecard-k2j4.tmp"


def real_path(destination: Path) -> Path:
    """The file a write lands in: a symlink's target (followed to the end), else the path itself."""
    return Path(os.path.realpath(destination)) if destination.is_symlink() else destination


def temporary_prefix(target: Path) -> str:
    return f".~{target.name}{TEMPORARY_MARK}"


def lock_path(target: Path) -> Path:
    return target.with_name(f".~{target.name}.scorecard-lock")


# --- Excel's owner file ----------------------------------------------------------------------------


def owner_file(target: Path) -> Path:
    """The owner file Office keeps beside a document it has open: ``~$`` and the name (Word cuts the
    first one or two characters of a long name, as LibreOffice's reading of the format records)."""
    name = target.name
    if target.suffix.lower() in (".docx", ".docm", ".doc", ".rtf"):
        stem = len(name) - len(target.suffix)
        name = name[2:] if stem >= 8 else name[1:] if stem == 7 else name
    return target.with_name("~$" + name)


def owner_name(data: bytes) -> str | None:
    """The user an owner file records: a length byte, the name in the Windows code page, then at byte
    54 (Word) or 55 (Excel) a two-byte length and the name in UTF-16. None when it does not say."""
    if not data or not 0 < data[0] <= 52:
        return None
    for at in (55, 54):
        if len(data) >= at + 2:
            length = int.from_bytes(data[at : at + 2], "little")
            if 0 < length <= 52 and len(data) >= at + 2 + 2 * length:
                name = data[at + 2 : at + 2 + 2 * length].decode("utf-16-le", "replace").strip("\x00 ")
                if name.isprintable() and name:
                    return name
    name = data[1 : 1 + data[0]].decode("cp1252", "replace").strip("\x00 ")
    return name if name.isprintable() and name else None


def check_not_open(target: Path, file: str | Path | None = None) -> None:
    """Refuse a file that Office has open (its owner file is beside it), naming who has it open."""
    owner = owner_file(target)
    try:
        with owner.open("rb") as handle:
            data = handle.read(512)
    except FileNotFoundError:
        return
    except OSError:
        data = b""  # there, but unreadable: Excel holds it open
    who = owner_name(data)
    program = "Word" if target.suffix.lower().startswith(".doc") else "Excel"
    raise WorkbookError(
        f"is open in {program}{f' by {who}' if who else ''} (its owner file {owner.name} is beside it), so it was not "
        f"written: close it in {program} and try again. If nobody has it open ({program} left the owner file behind "
        f"when it closed badly), delete {owner.name} or give --even-if-open. Nothing was changed",
        file=file or target,
    )


# --- the lock ----------------------------------------------------------------------------------------


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def _same_file(fd: int, path: Path) -> bool:
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


@contextlib.contextmanager
def lock(target: Path, file: str | Path | None = None, wait: float | None = None) -> Iterator[None]:
    """Hold the advisory lock on ``target`` (a hidden file beside it, removed when released); a second
    holder waits up to ``wait`` seconds, then is refused. A killed holder's lock goes with it (the
    operating system releases it), so a lock never outlives its run."""
    path = lock_path(target)
    deadline = time.monotonic() + (LOCK_WAIT if wait is None else wait)
    pause = 0.02
    while True:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o666)
        except OSError as error:
            raise WorkbookError(
                f"cannot write into the folder {path.parent}: {describe(error)}; nothing was changed", file=file
            ) from None
        if _try_lock(fd):
            if _same_file(fd, path):  # not a lock file its last holder removed as we opened it
                break
            _unlock(fd)
        os.close(fd)
        if time.monotonic() >= deadline:
            raise WorkbookError(
                f"is being written by another scorecard run (its lock {path.name} is held), and it was still "
                "running after "
                f"{LOCK_WAIT if wait is None else wait:g} seconds; try again when it has finished. Nothing was changed",
                file=file or target,
            )
        time.sleep(pause)
        pause = min(pause * 2, 0.5)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)  # while still held: a waiter that opened it sees it is gone and opens afresh
        _unlock(fd)
        os.close(fd)


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove the temporary files a killed write of ``target`` left (called holding its lock, so no
    live run is writing one); returns those removed."""
    pattern = os.path.join(glob.escape(str(target.parent)), glob.escape(temporary_prefix(target)) + "*.tmp")
    removed = []
    for name in glob.glob(pattern):  # the pattern starts with a dot: hidden files match
        with contextlib.suppress(OSError):
            os.unlink(name)
            removed.append(Path(name))
    return removed


def check_links(target: Path, file: str | Path | None = None) -> None:
    """Refuse a file with hard links: replacing it would leave the other names with the old contents."""
    try:
        status = os.stat(target)
    except OSError:
        return
    links = status.st_nlink
    if stat.S_ISREG(status.st_mode) and links > 1:
        raise WorkbookError(
            f"has {links - 1} other hard link{'s' if links > 2 else ''} (other names for the same file), which a "
            "refresh would split from it; write into another file with --output, or remove the extra links. "
            "Nothing was changed",
            file=file or target,
        )


@contextlib.contextmanager
def writing(
    destination: str | Path,
    file: str | Path | None = None,
    *,
    even_if_open: bool = False,
    wait: float | None = None,
) -> Iterator[Path]:
    """Hold ``destination`` for a read-modify-write (see the module's docstring); yields the real file
    to write (a symlink's target)."""
    target = real_path(Path(destination))
    if not even_if_open:
        check_not_open(target, file)
    check_links(target, file)
    with lock(target, file, wait):
        remove_stale_temporaries(target)
        yield target


# --- writing beside --------------------------------------------------------------------------------


def describe(error: OSError) -> str:
    """An operating system error as the analyst can act on it."""
    if error.errno == errno.ENOSPC:
        return "the disk is full"
    if error.errno == getattr(errno, "EDQUOT", None):
        return "the disk quota is used up"
    if error.errno == errno.EROFS:
        return "the drive is read-only"
    return error.strerror or str(error)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def take_on(temporary: Path, target: Path) -> None:
    """Give the new file the mode and owner of the one it replaces (a new file: 0666 less the umask)."""
    try:
        old = os.stat(target)
    except FileNotFoundError:
        os.chmod(temporary, 0o666 & ~_umask())
        return
    if hasattr(os, "chown"):
        try:
            os.chown(temporary, old.st_uid, old.st_gid)
        except PermissionError:  # only an administrator gives a file away; a group we are in is ours to give
            with contextlib.suppress(PermissionError):
                os.chown(temporary, -1, old.st_gid)
    os.chmod(temporary, stat.S_IMODE(old.st_mode))


def write_beside(destination: str | Path, write: Callable[[IO[bytes]], None], file: str | Path | None = None) -> Path:
    """Write through ``write`` into a temporary file beside ``destination``, then move it into place
    (see the module's docstring); returns the file written. On any failure the temporary file is
    removed and the destination is as it was."""
    target = real_path(Path(destination))
    folder = target.parent
    try:
        handle = tempfile.NamedTemporaryFile(prefix=temporary_prefix(target), suffix=".tmp", dir=folder, delete=False)
    except OSError as error:
        raise WorkbookError(
            f"cannot write into the folder {folder}: {describe(error)}; nothing was changed", file=file
        ) from None
    temporary = Path(handle.name)
    try:
        with handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        take_on(temporary, target)
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        hint = ""
        if isinstance(error, PermissionError):  # on Windows, what Office's hold on an open file gives
            word = target.suffix.lower().startswith(".doc")
            hint = (
                " (is it open in Word? close it and try again)"
                if word
                else " (is it open in Excel? close it and refresh again)"
            )
        raise WorkbookError(
            f"could not write {target}: {describe(error)}{hint}; the original is unchanged", file=file
        ) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target
