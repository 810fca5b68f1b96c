"""The Word side's safety: the council's template opened with a workbook's care, the report written as a
refresh writes a workbook, and text made fit for Word.

A template arrives by email like any workbook, so it gets the same limits before python-docx sees it
(``workbook.package.check_archive``: a zip bomb, two entries of one name, a DTD in any XML part are
refused) and every XML part is read under the one parser policy (``workbook.ooxml``). The report is
then built from a clean copy of the template:

- no macros: the VBA project (``vbaProject.bin``, its data, and the key bindings that call macros) is
  left out, and a macro-enabled or template package becomes an ordinary document: a .docx is never
  macro-enabled;
- no link to an attached template (``attachedTemplate``), which Word fetches when it opens the report
  (a remote one is a way to run code, or to tell a stranger the paper was opened).

``save_report`` writes like a refresh (``workbook.files``): beside the output, moved into place whole,
the mode of the file it replaces or the usual mode of a new file (never private 0600), the output
locked while it is written, a killed run's temporary files removed. ``for_word`` drops or replaces
the characters Word cannot hold (control characters from a workbook cell or a rules file).
"""

from __future__ import annotations

import dataclasses
import io
import os
import posixpath
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

from ..errors import ScorecardError, WorkbookError
from ..workbook.files import lock, real_path, remove_stale_temporaries, write_beside
from ..workbook.ooxml import CONTENT_TYPES, looks_like_xml, parse
from ..workbook.package import OLE_MAGIC, ZIP_MAGIC, check_archive, damaged_part

W_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCUMENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
# main parts python-docx would refuse, which are documents all the same once their macros are gone
MAIN_TYPES = {
    DOCUMENT_TYPE,
    "application/vnd.ms-word.document.macroEnabled.main+xml",  # .docm
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",  # .dotx
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",  # .dotm
}
# relationships whose targets a report must not carry: macros, and what only macros use
MACRO_RELATIONSHIPS = ("/vbaProject", "/wordVbaData", "/keyMapCustomizations", "/vbaProjectSignature")
ATTACHED_TEMPLATE = "/attachedTemplate"


# --- the template ------------------------------------------------------------------------------------


def check_paths(output: Path, template: str | Path | None) -> None:
    """Refuse an output that is not a .docx in a folder that exists, a template that is not a .docx, and
    an output that is the template itself (the report would replace the council's template)."""
    if output.suffix.lower() != ".docx":
        raise ScorecardError(f"the report must be a .docx file, not '{output.name}'")
    if not output.parent.is_dir():
        raise ScorecardError(f"output folder '{output.parent}' does not exist")
    if template is None:
        return
    template = Path(template)
    if template.suffix.lower() != ".docx":
        raise ScorecardError(
            "a template must be a Word document (.docx); open it in Word and save it as .docx", file=template
        )
    if _same_file(output, template):
        raise ScorecardError(
            f"--output is the template itself ({template.name}): the report would replace it. Write the report "
            "to another file",
            file=template,
        )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them is not there yet
        return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def open_template(template: str | Path | None) -> Any:
    """The python-docx document the report is built in: the template's clean copy, or python-docx's
    own default document when there is no template."""
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    if template is None:
        return Document()
    path = Path(template)
    data = clean_template(path)
    try:
        return Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ScorecardError(f"cannot be used as a Word template: {first_line[:300]}", file=path) from None


def clean_template(path: Path) -> bytes:
    """The template's package, checked and read under the parser policy, without macros or an attached
    template (see the module's docstring)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except FileNotFoundError:
        raise ScorecardError("template not found", file=path) from None
    except (IsADirectoryError, PermissionError, OSError) as error:
        raise ScorecardError(f"cannot read the template: {error.strerror}", file=path) from None
    if head.startswith(OLE_MAGIC):
        raise ScorecardError(
            "cannot be used as a Word template: it is password-protected or an old Word 97-2003 document; "
            "open it in Word and save it as .docx without a password",
            file=path,
        )
    if not head.startswith(ZIP_MAGIC):
        raise ScorecardError("cannot be used as a Word template: it is not a Word document (not a zip)", file=path)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise ScorecardError(f"cannot be used as a Word template: it is damaged ({error})", file=path) from None
    with archive:
        check_archive(archive, path, "Word document")
        return _Cleaner(archive, path).package()


class _Cleaner:
    """A copy of a Word package without its macro parts and attached template."""

    def __init__(self, archive: zipfile.ZipFile, path: Path):
        self.archive, self.path = archive, path
        self.parts: dict[str, bytes] = {}
        for info in archive.infolist():
            if info.is_dir():
                continue
            try:
                data = archive.read(info)
            except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, zlib.error) as error:
                raise damaged_part(info.filename, error, path) from None
            if info.filename.lower().endswith((".xml", ".rels")) or looks_like_xml(data[:512]):
                parse(data, info.filename, path)  # every XML part under the one policy, read or not
            self.parts[info.filename] = data

    def package(self) -> bytes:
        dropped = self._drop_macros()
        self._drop_attached_template()
        self._fix_content_types(dropped)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for name, data in self.parts.items():
                target.writestr(name, data)
        return out.getvalue()

    def _rels(self) -> list[str]:
        return [name for name in self.parts if name.endswith(".rels")]

    def _source_of(self, rels_part: str) -> str:
        """The part a relationships part belongs to: word/_rels/document.xml.rels -> word/document.xml."""
        folder = posixpath.dirname(posixpath.dirname(rels_part))
        return posixpath.join(folder, posixpath.basename(rels_part)[: -len(".rels")])

    def _drop_macros(self) -> set[str]:
        """Remove the macro relationships and the parts they lead to (with those parts' own relationships)."""
        dropped: set[str] = set()
        for rels_part in self._rels():
            if rels_part not in self.parts:
                continue
            root = parse(self.parts[rels_part], rels_part, self.path)
            base = posixpath.dirname(self._source_of(rels_part))
            macro = [r for r in root if (r.get("Type") or "").endswith(MACRO_RELATIONSHIPS)]
            for rel in macro:
                if rel.get("TargetMode") != "External":
                    target = posixpath.normpath(posixpath.join(base, rel.get("Target", "")))
                    dropped.add(target.lstrip("/"))
                root.remove(rel)
            if macro:
                self.parts[rels_part] = _serialise(root)
        for part in list(dropped):
            own_rels = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
            for name in (part, own_rels):
                if self.parts.pop(name, None) is not None:
                    dropped.add(name)
        for name in [n for n in self.parts if n.lower().endswith("vbaproject.bin")]:  # unrelated, but no less a macro
            del self.parts[name]
            dropped.add(name)
        return dropped

    def _drop_attached_template(self) -> None:
        for rels_part in self._rels():
            root = parse(self.parts[rels_part], rels_part, self.path)
            attached = [r for r in root if (r.get("Type") or "").endswith(ATTACHED_TEMPLATE)]
            if not attached:
                continue
            for rel in attached:
                root.remove(rel)
            self.parts[rels_part] = _serialise(root)
            source = self._source_of(rels_part)
            if source in self.parts:
                settings = parse(self.parts[source], source, self.path)
                for element in settings.findall(f"{{{W_MAIN}}}attachedTemplate"):
                    settings.remove(element)
                self.parts[source] = _serialise(settings)

    def _fix_content_types(self, dropped: set[str]) -> None:
        name = "[Content_Types].xml"
        if name not in self.parts:
            return
        types = parse(self.parts[name], name, self.path)
        for override in list(types.findall(f"{{{CONTENT_TYPES}}}Override")):
            part = (override.get("PartName") or "").lstrip("/")
            if part in dropped:
                types.remove(override)
            elif override.get("ContentType") in MAIN_TYPES:
                override.set("ContentType", DOCUMENT_TYPE)  # macros gone, a template used as it is: a document
        for default in list(types.findall(f"{{{CONTENT_TYPES}}}Default")):
            if "vbaProject" in (default.get("ContentType") or ""):
                types.remove(default)
        self.parts[name] = _serialise(types)


def _serialise(root: Any) -> bytes:
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- the report --------------------------------------------------------------------------------------


def save_report(document: Any, output: Path) -> Path:
    """Write the report as a refresh writes a workbook (see the module's docstring)."""
    target = real_path(output)
    try:
        with lock(target, output):
            remove_stale_temporaries(target)
            return write_beside(target, document.save, output)
    except WorkbookError as error:
        raise ScorecardError(error.message, file=error.file) from None


# --- text for Word -----------------------------------------------------------------------------------

# What Word's XML cannot hold: C0 controls but tab, line feed and carriage return; lone surrogates; the
# two non-characters. A vertical tab or form feed (Excel's line break in some exports) becomes a line
# break, the rest go.
_NOT_FOR_WORD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BREAKS = {"\x0b": "\n", "\x0c": "\n"}


def word_text(text: str) -> str:
    if not _NOT_FOR_WORD.search(text):
        return text
    return _NOT_FOR_WORD.sub(
        lambda m: _BREAKS.get(m.group(), "\ufffd" if "\ud800" <= m.group() <= "\udfff" else ""), text
    )


def for_word(value: Any, _memo: dict[int, Any] | None = None) -> Any:
    """``value`` with every text in it made fit for Word (``word_text``): plain strings, and the strings
    inside dataclasses, tuples, lists and dicts, rebuilt only where something changed (an enum, though
    a str, is left as it is). The report is written from this copy; the workbook keeps its own text."""
    memo = {} if _memo is None else _memo
    key = id(value)
    if key in memo:
        return memo[key]
    kind = type(value)
    result = value
    if kind is str:
        result = word_text(value)
    elif kind in (tuple, list):
        items = [for_word(item, memo) for item in value]
        if any(a is not b for a, b in zip(items, value, strict=True)):
            result = kind(items)
    elif kind is dict:
        pairs = [(for_word(k, memo), for_word(v, memo)) for k, v in value.items()]
        if any(a is not k or b is not v for (a, b), (k, v) in zip(pairs, value.items(), strict=True)):
            result = dict(pairs)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for field in dataclasses.fields(value):
            if field.init:
                old = getattr(value, field.name)
                new = for_word(old, memo)
                if new is not old:
                    changes[field.name] = new
        if changes:
            result = dataclasses.replace(value, **changes)
    memo[key] = result
    return result


def report_text(result: Any, rules: Any) -> tuple[Any, Any]:
    """The evaluation and rules a report is written from, their texts fit for Word (``for_word``): the
    narrative and the scorecard (the table read, with its grid, is not the report's, and is left as it is)."""
    memo: dict[int, Any] = {}
    fitted = dataclasses.replace(
        result, narrative=for_word(result.narrative, memo), scorecard=for_word(result.scorecard, memo)
    )
    return fitted, for_word(rules, memo)
