"""The workbook package: opened with care, its parts read and replaced, saved atomically.

A workbook is a zip of XML parts. Before any parser sees one, ``check_file`` and ``open_zip`` refuse what
must not be read (an .xls, an encrypted file, a zip bomb, a DTD), and ``Workbook`` refuses Strict Open
XML. ``Package`` then keeps every part it does not change as the bytes it read, so a save copies them
unchanged, and writes the result to a temporary file beside the target before moving it into place.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, NamedTuple

from lxml import etree

from ..errors import WorkbookError
from .files import write_beside
from .ooxml import (
    CONTENT_TYPES,
    PKG_REL,
    REL,
    STRICT,
    WORKSHEET_REL,
    WORKSHEET_TYPE,
    check_written,
    dtd_refusal,
    iterparse,
    looks_like_xml,
    parse,
    prolog,
    q,
    serialise,
)

SUFFIXES = {".xlsx", ".xlsm"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

# Parts larger than this, or compressed more than MAX_RATIO to one, are refused before reading:
# a scorecard is kilobytes to a few megabytes, a zip bomb is gigabytes.
MAX_PART_BYTES = 512 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 200


# --- opening -------------------------------------------------------------------------------------


def check_file(path: Path) -> None:
    """Refuse what we cannot read or must not touch, before any library sees the file."""
    if not path.exists():
        raise WorkbookError("file not found", file=path)
    if path.is_dir():
        raise WorkbookError("is a folder, not a workbook", file=path)
    suffix = path.suffix.lower()
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as error:
        raise WorkbookError(f"cannot read the file: {error.strerror}", file=path) from None
    if head.startswith(OLE_MAGIC):
        if suffix == ".xls":
            raise WorkbookError("is an Excel 97-2003 .xls workbook: open it in Excel and save it as .xlsx", file=path)
        raise WorkbookError(
            "is password-protected (encrypted) or not an Open XML workbook; remove the password "
            "(File > Info > Protect Workbook) and save as .xlsx",
            file=path,
        )
    if suffix == ".xlam":
        raise WorkbookError("is an add-in (.xlam), not a scorecard workbook", file=path)
    if suffix not in SUFFIXES:
        raise WorkbookError(
            f"is a {suffix or 'file without extension'}; scorecard reads .xlsx and .xlsm workbooks", file=path
        )
    if not head.startswith(ZIP_MAGIC):
        raise WorkbookError("is not an Excel workbook (not a zip package), though it is named like one", file=path)


def check_writable(destination: Path) -> None:
    """Refuse to replace a read-only file, as Excel refuses to save over one.

    The permission bits are checked, not only ``os.access``: an administrator (root) may write any
    file, yet a file marked read-only was marked so by someone who meant it to stay as it is."""
    try:
        mode = destination.stat().st_mode
    except OSError:
        return  # not there yet (a new --output file), or unreadable: reported when it is opened
    if not stat.S_ISREG(mode):
        return
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(destination, os.W_OK):
        raise WorkbookError(
            "is read-only, so it was not refreshed (Excel would not save over it either); make it writable "
            "(Windows: Properties, untick Read-only; elsewhere: chmod u+w) or refresh into another file with "
            "--output. Nothing was changed",
            file=destination,
        )


def open_zip(path: Path) -> zipfile.ZipFile:
    """The workbook's zip, refused before any part is parsed when it must not be read (see ``check_archive``)."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise WorkbookError(f"is damaged: not a readable zip package ({error})", file=path) from None
    except OSError as error:
        raise WorkbookError(f"cannot read the file: {error.strerror}", file=path) from None
    try:
        check_archive(archive, path, "workbook")
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names and "[Content_Types].xml" not in names:
            raise WorkbookError("is not an Excel workbook: the zip has no xl/workbook.xml", file=path)
    except BaseException:
        archive.close()
        raise
    return archive


def check_archive(archive: zipfile.ZipFile, path: Path, kind: str) -> None:
    """Refuse a package (a workbook, a Word template) that no Office program would write: a part too
    big or compressed too far (a zip bomb), two entries of one name, or an XML part declaring a DTD,
    whatever the part is named (``ooxml``'s one policy)."""
    total = 0
    seen: dict[str, str] = {}
    for info in archive.infolist():
        folded = info.filename.casefold()  # part names are equal ignoring case (Open Packaging Conventions)
        if folded in seen:
            same = "" if seen[folded] == info.filename else f" (and {seen[folded]}: part names ignore case)"
            raise WorkbookError(
                f"is damaged: its zip holds two entries named {info.filename}{same}; no Office program writes "
                f"that. Open it in Office and save it again",
                file=path,
            )
        seen[folded] = info.filename
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if (
            info.file_size > MAX_PART_BYTES
            or total > MAX_TOTAL_BYTES
            or (info.file_size > 10_000_000 and ratio > MAX_RATIO)
        ):
            raise WorkbookError(
                f"refused: part {info.filename} expands to {info.file_size:,} bytes "
                f"({ratio:,.0f} times its compressed size); this is not a normal {kind}",
                file=path,
            )
    for info in archive.infolist():
        if _declares_dtd(archive, info):
            raise dtd_refusal(info.filename, path)


def _declares_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """True when the part is XML (by its name or its first bytes) and its prolog declares a DTD."""
    try:
        with archive.open(info) as stream:
            head = stream.read(512)
            if not (info.filename.lower().endswith((".xml", ".rels", ".vml")) or looks_like_xml(head)):
                return False

            def pieces() -> Iterator[bytes]:
                yield head
                while chunk := stream.read(65536):
                    yield chunk

            return prolog(pieces()) == "dtd"
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError):
        return False  # a damaged part is named when it is read, or when a save copies it


# --- the package ---------------------------------------------------------------------------------


@dataclass
class Package:
    """The zip parts of a workbook: the ones we change are held as new bytes or parsed XML."""

    path: Path
    archive: zipfile.ZipFile
    changed: dict[str, bytes] = field(default_factory=dict)
    added: dict[str, bytes] = field(default_factory=dict)
    _xml: dict[str, etree._Element] = field(default_factory=dict)
    _touched: set[str] = field(default_factory=set)
    _read: dict[str, bytes] = field(default_factory=dict)  # parts already inflated: each is read once
    removed: set[str] = field(default_factory=set)  # parts left out when saved (their references removed by the caller)

    def read(self, name: str) -> bytes:
        if name in self.added:
            return self.added[name]
        if name in self._read:
            return self._read[name]
        try:
            data = self._read[name] = self.archive.read(name)
            return data
        except KeyError:
            raise WorkbookError(f"is damaged: the package has no part {name}", file=self.path) from None
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as error:
            raise damaged_part(name, error, self.path) from None

    def xml(self, name: str) -> etree._Element:
        if name not in self._xml:
            self._xml[name] = parse(self.read(name), name, self.path)
        return self._xml[name]

    def iterparse(self, name: str, tags: tuple[str, ...]) -> Iterator[tuple[str, etree._Element]]:
        """End events for ``tags`` in a part, streamed under ``ooxml``'s one policy (no DTD, no entities,
        no network); ``ooxml.forget`` lets go of each element once read."""
        return iterparse(self.read(name), name, self.path, tags)

    def touch(self, name: str) -> None:
        """Mark a parsed part as changed; it is serialised when the package is saved."""
        self._touched.add(name)

    def replace(self, name: str, data: bytes) -> None:
        """Give a part new bytes (an added part keeps being an added one)."""
        self._xml.pop(name, None)
        self._touched.discard(name)
        self._read.pop(name, None)  # the old bytes are not written again: let them go (a sheet can be megabytes)
        (self.added if name in self.added else self.changed)[name] = data

    def save(self, destination: Path) -> None:
        """Write every part (changed ones re-serialised, each checked to be well-formed XML) to a temporary
        file beside the destination, then move it into place (``files.write_beside``: a symlink's target
        is written, mode and owner are kept). A part the save cannot read is named, and nothing written."""
        for name in self._touched:
            (self.added if name in self.added else self.changed)[name] = serialise(self._xml[name])
        for name, data in (*self.changed.items(), *self.added.items()):
            check_written(data, name, self.path)
        self.check_kind(destination)

        def write(handle: IO[bytes]) -> None:
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as out:
                for info in self.archive.infolist():
                    if info.filename in self.removed:
                        continue
                    data = self.changed.get(info.filename)
                    if data is None:
                        data = self._read.pop(info.filename, None)
                    if data is None:
                        try:
                            data = self.archive.read(info)
                        except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError) as error:
                            raise damaged_part(info.filename, error, self.path) from None
                    out.writestr(_copy_info(info), data, compress_type=info.compress_type)
                for name, data in self.added.items():
                    out.writestr(_new_info(name), data, compress_type=zipfile.ZIP_DEFLATED)

        write_beside(destination, write, self.path)

    def main_content_type(self) -> str | None:
        """The content type of the package's main part (the workbook's says .xlsx or .xlsm)."""
        root = self.xml("_rels/.rels")
        main = next((r for r in root if r.get("Type", "").endswith("/officeDocument")), None)
        if main is None:
            return None
        part = _resolve("", main.get("Target", ""))
        types = self.xml("[Content_Types].xml")
        for override in types:
            if (override.get("PartName") or "").lstrip("/").casefold() == part.casefold():
                return override.get("ContentType")
        extension = posixpath.splitext(part)[1].lstrip(".").casefold()
        for default in types:
            if (default.get("Extension") or "").casefold() == extension:
                return default.get("ContentType")
        return None

    def check_kind(self, destination: Path) -> None:
        """Refuse to write a workbook under a name whose extension says another kind (an .xlsm as .xlsx, or
        the reverse): Excel refuses to open such a file, and a macro-enabled workbook saved as .xlsx would
        lose its macros. A workbook refreshed in place keeps its own name, whatever it is."""
        suffix = destination.suffix.lower()
        if suffix == self.path.suffix.lower():
            return
        content_type = self.main_content_type() or ""
        kind = next((k for k, t in KIND_TYPES.items() if t == content_type), None)
        if kind is not None and suffix != kind:
            raise WorkbookError(
                f"is {KIND_WORDS[kind]} ({kind}), so it cannot be written as '{destination.name}': give --output "
                f"a name ending {kind}. Nothing was written",
                file=self.path,
            )


KIND_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
}
KIND_WORDS = {".xlsx": "a workbook without macros", ".xlsm": "a macro-enabled workbook"}


def damaged_part(name: str, error: BaseException, path: Path) -> WorkbookError:
    return WorkbookError(
        f"is damaged: part {name} cannot be read ({error}); open the workbook in Excel (which repairs what it can) "
        "and save it again, then refresh it",
        file=path,
    )


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    new.compress_type, new.external_attr, new.create_system = info.compress_type, info.external_attr, info.create_system
    return new


def _new_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # fixed: refresh is repeatable
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _resolve(base_part: str, target: str) -> str:
    """The part a relationship of ``base_part`` targets (relative targets resolved, absolute ones kept)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _rels_name(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


part_path, rels_name = _resolve, _rels_name


class SheetEntry(NamedTuple):
    """A sheet as the workbook part lists it: its name, kind ("worksheet", "chart sheet", ...) and part."""

    name: str
    kind: str
    part: str | None


_SHEET_KINDS = {
    "/worksheet": "worksheet",
    "/chartsheet": "chart sheet",
    "/dialogsheet": "dialog sheet",
    "/xlMacrosheet": "macro sheet",
    "/xlIntlMacrosheet": "macro sheet",
}


class Workbook:
    """The workbook part and its sheet list, as the package records them."""

    def __init__(self, package: Package):
        self.package = package
        self.part = self._main_part()
        self.root = package.xml(self.part)
        if self.root.tag.startswith(f"{{{STRICT}}}"):
            raise WorkbookError(
                "is saved as Strict Open XML, which scorecard does not edit; save it as an ordinary Excel Workbook",
                file=package.path,
            )
        self.rels_part = _rels_name(self.part)
        self.rels = package.xml(self.rels_part)

    def _main_part(self) -> str:
        root_rels = self.package.xml("_rels/.rels")
        for rel in root_rels:
            if rel.get("Type", "").endswith("/officeDocument"):
                return _resolve("", rel.get("Target", ""))
        return "xl/workbook.xml"

    @property
    def sheets(self) -> list[etree._Element]:
        found = self.root.find(q("sheets"))
        return [] if found is None else list(found)

    @property
    def date1904(self) -> bool:
        """True when the workbook counts dates from 1904 (``workbookPr date1904``), as old Mac workbooks do."""
        properties = self.root.find(q("workbookPr"))
        return properties is not None and properties.get("date1904", "0").strip() in ("1", "true")

    def related_part(self, type_suffix: str) -> str | None:
        """The workbook's related part whose relationship type ends with ``type_suffix`` (e.g. "/styles")."""
        for rel in self.rels:
            if rel.get("Type", "").endswith(type_suffix) and rel.get("TargetMode") != "External":
                return _resolve(self.part, rel.get("Target", ""))
        return None

    def sheet_entries(self) -> list[SheetEntry]:
        """Every sheet in the workbook's order, with its kind from its relationship's type."""
        rels = {rel.get("Id"): rel for rel in self.rels}
        entries = []
        for sheet in self.sheets:
            rel = rels.get(sheet.get(f"{{{REL}}}id"))
            kind, part = "worksheet", None
            if rel is not None:
                rel_type = rel.get("Type", "")
                kind = next(
                    (k for suffix, k in _SHEET_KINDS.items() if rel_type.endswith(suffix)), "sheet of an unknown kind"
                )
                part = _resolve(self.part, rel.get("Target", ""))
            entries.append(SheetEntry(sheet.get("name", ""), kind, part))
        return entries

    def sheet_part(self, name: str) -> str | None:
        for sheet in self.sheets:  # Excel's sheet names are unique ignoring case
            if sheet.get("name", "").casefold() == name.casefold():
                rid = sheet.get(f"{{{REL}}}id")
                for rel in self.rels:
                    if rel.get("Id") == rid:
                        return _resolve(self.part, rel.get("Target", ""))
        return None

    # CT_Workbook's children after calcPr, in schema order: a new calcPr goes before the first present
    AFTER_CALC = [
        "oleSize",
        "customWorkbookViews",
        "pivotCaches",
        "smartTagPr",
        "smartTagTypes",
        "webPublishing",
        "fileRecoveryPr",
        "webPublishObjects",
        "extLst",
    ]
    SHEET_TYPES = ("/worksheet", "/xlMacrosheet", "/xlIntlMacrosheet")

    def has_formulas(self) -> bool:
        """Whether any worksheet (or macro sheet) of the workbook holds a formula cell, as it will be saved."""
        for rel in self.rels:
            if not rel.get("Type", "").endswith(self.SHEET_TYPES) or rel.get("TargetMode") == "External":
                continue
            part = _resolve(self.part, rel.get("Target", ""))
            data = self.package.changed.get(part)
            if data is None:
                try:
                    data = self.package.read(part)
                except WorkbookError:
                    continue  # a dangling relationship: nothing to recalculate there
            start, end = data.find(b"sheetData"), data.rfind(b"sheetData")
            if start >= 0 and _formula_tag(data, start, end):
                return True
        return False

    def recalculate_on_load(self) -> None:
        """Mark the workbook for a full recalculation when it is next opened (calcPr fullCalcOnLoad="1"),
        keeping calcPr's other settings; calcPr is created in its schema place when absent."""
        calc = self.root.find(q("calcPr"))
        if calc is not None and calc.get("fullCalcOnLoad") in ("1", "true"):
            return
        if calc is None:
            calc = etree.Element(q("calcPr"))
            anchor = next((e for e in (self.root.find(q(n)) for n in self.AFTER_CALC) if e is not None), None)
            (anchor.addprevious(calc) if anchor is not None else self.root.append(calc))
        calc.set("fullCalcOnLoad", "1")
        self.package.touch(self.part)

    def drop_calc_chain(self) -> bool:
        """Leave out the calculation chain (``xl/calcChain.xml``): the order Excel last calculated the formula
        cells in, which it rebuilds when the part is absent (ECMA-376: it may be read, it is not required).
        A chain listing a formula cell that is no longer one is a fault Excel repairs. Returns whether there was one."""
        part = self.related_part("/calcChain")
        if part is None:
            return False
        for rel in [r for r in self.rels if r.get("Type", "").endswith("/calcChain")]:
            self.rels.remove(rel)
        types = self.package.xml("[Content_Types].xml")
        for override in [o for o in types if (o.get("PartName") or "").lstrip("/") == part]:
            types.remove(override)
        self.package.removed.add(part)
        for touched in (self.rels_part, "[Content_Types].xml"):
            self.package.touch(touched)
        return True

    def keep_another_sheet_active(self, element: etree._Element) -> None:
        """A hidden sheet (``element``) must not be the one the workbook opens on: Excel would repair the file."""
        index = self.sheets.index(element)
        views = self.root.find(q("bookViews"))
        for view in [] if views is None else views:
            for key in ("activeTab", "firstSheet"):
                if int(view.get(key, 0)) == index:
                    visible = [i for i, s in enumerate(self.sheets) if s.get("state") not in ("hidden", "veryHidden")]
                    view.set(key, str(visible[0] if visible else 0))
                    self.package.touch(self.part)

    def add_sheet(self, name: str, part_xml: bytes) -> str:
        existing = set(self.package.archive.namelist()) | set(self.package.added)
        number = 1
        while f"xl/worksheets/sheet{number}.xml" in existing:
            number += 1
        part = f"xl/worksheets/sheet{number}.xml"
        self.package.added[part] = part_xml
        ids = {rel.get("Id") for rel in self.rels}
        n = 1
        while f"rId{n}" in ids:
            n += 1
        rid = f"rId{n}"
        rel = etree.SubElement(self.rels, f"{{{PKG_REL}}}Relationship")
        rel.set("Id", rid)
        rel.set("Type", WORKSHEET_REL)
        rel.set("Target", posixpath.relpath(part, posixpath.dirname(self.part)))
        sheets = self.root.find(q("sheets"))
        if sheets is None:
            raise WorkbookError("is damaged: its workbook part lists no sheets", file=self.package.path)
        sheet = etree.SubElement(sheets, q("sheet"))
        sheet.set("name", name)
        sheet.set("sheetId", str(max((int(s.get("sheetId", 0)) for s in self.sheets), default=0) + 1))
        sheet.set(f"{{{REL}}}id", rid)
        types = self.package.xml("[Content_Types].xml")
        override = etree.SubElement(types, f"{{{CONTENT_TYPES}}}Override")
        override.set("PartName", "/" + part)
        override.set("ContentType", WORKSHEET_TYPE)
        for touched in (self.part, self.rels_part, "[Content_Types].xml"):
            self.package.touch(touched)
        return part


_BARE_FORMULA = re.compile(rb"<f[\s/>]")
_PREFIXED_FORMULA = re.compile(rb":f[\s/>]")
_NAME = re.compile(rb"[\w.-]+")


def _formula_tag(data: bytes, start: int, end: int) -> bool:
    """Whether ``data[start:end]`` holds a tag <f> (the formula element), with or without a prefix.

    The same test as one search for ``<(?:[\\w.-]+:)?f[\\s/>]``, made as two searches for literal
    text (several times faster over a sheet of many cells): <f itself, then each :f checked for the
    <prefix just before it."""
    if _BARE_FORMULA.search(data, start, end):
        return True
    for match in _PREFIXED_FORMULA.finditer(data, start, end):
        opening = data.rfind(b"<", start, match.start())
        if opening >= 0 and _NAME.fullmatch(data, opening + 1, match.start()):
            return True
    return False
