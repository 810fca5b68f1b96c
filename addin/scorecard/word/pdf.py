"""The paper as PDF beside its .docx, as councils publish agenda packs: LibreOffice converts it, headless.

LibreOffice is found on the PATH (soffice or libreoffice) or where its installers put it on Windows and
macOS; it runs with a profile of its own in a temporary folder, so a LibreOffice the user has open is not
disturbed. The PDF is tagged (PDF/UA's structure, for screen readers) and written atomically.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..errors import ScorecardError

WHERE = {
    "win32": [
        r"C:\Program Files\LibreOffice\program\soffice.exe",
        r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
    ],
    "darwin": ["/Applications/LibreOffice.app/Contents/MacOS/soffice"],
}
EXPORT = 'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}'
TIMEOUT = 300


def libreoffice() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    return next((path for path in WHERE.get(sys.platform, []) if os.path.isfile(path)), None)


NOT_INSTALLED = (
    "no PDF: LibreOffice is not installed (it converts the paper to PDF); install it from "
    "https://www.libreoffice.org, or save the .docx as PDF from Word. The Word document was written: {docx}"
)


def to_pdf(docx: str | Path) -> Path:
    """Convert the .docx to a PDF beside it (same name); raises ScorecardError when it cannot."""
    docx = Path(docx)
    program = libreoffice()
    if program is None:
        raise ScorecardError(NOT_INSTALLED.format(docx=docx))
    target = docx.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="scorecard-pdf-") as folder:
        profile = Path(folder) / "profile"
        command = [
            program,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            EXPORT,
            "--outdir",
            folder,
            str(docx),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise ScorecardError(f"no PDF: LibreOffice took more than {TIMEOUT} s to convert it", file=docx) from None
        except OSError as error:
            raise ScorecardError(f"no PDF: LibreOffice could not be started: {error.strerror}", file=docx) from None
        made = Path(folder) / f"{docx.stem}.pdf"
        if not made.is_file():
            said = (done.stderr or done.stdout or "").strip().splitlines()
            reason = said[-1] if said else f"it exited with code {done.returncode}"
            raise ScorecardError(f"no PDF: LibreOffice did not convert it ({reason})", file=docx)
        try:
            os.replace(made, target)
        except OSError:  # another drive: copy, then the temporary folder goes
            try:
                shutil.copyfile(made, target)
            except PermissionError:
                raise ScorecardError("cannot be written: it may be open; close it and try again", file=target) from None
    return target
