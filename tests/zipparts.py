"""The one way tests change the parts of a package (a workbook, a Word document): a test says only which
parts change and how; every other part, and the zip entry of each part changed (its place, date and
compression), stays as it was."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

Change = bytes | Callable[[bytes], bytes] | None
ADDED_ON = (2024, 1, 1, 0, 0, 0)  # the date of a part a test adds: fixed, so a package is built the same each run


def rewrite(source: Path | bytes, changes: Mapping[str, Change]) -> bytes:
    """``source`` (a file or a package's bytes) with ``changes``: part name -> new bytes, a function of the
    part's bytes, or None to leave it out. A name the package lacks is added, given its bytes. To change a
    file in place: ``path.write_bytes(rewrite(path, {...}))``."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    left = dict(changes)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as archive, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in archive.infolist():
            if info.filename not in left:
                target.writestr(info, archive.read(info))
                continue
            change = left.pop(info.filename)
            if change is not None:
                target.writestr(info, change(archive.read(info)) if callable(change) else change)
        for name, change in left.items():
            if not isinstance(change, bytes):
                raise KeyError(f"{name}: the package has no such part to change or leave out")
            added = zipfile.ZipInfo(name, date_time=ADDED_ON)
            added.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(added, change)
    return out.getvalue()
