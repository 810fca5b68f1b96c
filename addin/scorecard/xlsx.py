"""Workbook files without Excel: read with openpyxl, write by editing the package in place.

Reading uses openpyxl in read-only mode (cached formula results, number formats). Writing does
not re-save through openpyxl, which drops sparklines, x14 extensions, shapes and a ribbon's
relationship: it edits only the parts a refresh must change (the scorecard sheet's RAG and
direction cells, the styles they need, the Narrative sheet and the entries that list it) with
lxml, copies every other part unchanged, and replaces the file atomically.
"""

from __future__ import annotations

import copy
import os
import posixpath
import re
import tempfile
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from lxml import etree

from .errors import WorkbookError, column_letter
from .plan import NARRATIVE_WIDTHS, PROVENANCE_PREFIX, NarrativeCell, WritePlan
from .table import EXCEL_ERRORS, CellError, Grid

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

SUFFIXES = {".xlsx", ".xlsm"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

# Parts larger than this, or compressed more than MAX_RATIO to one, are refused before reading:
# a scorecard is kilobytes to a few megabytes, a zip bomb is gigabytes.
MAX_PART_BYTES = 512 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 200

# No entity expansion, no network, libxml2's size limits on: a crafted part cannot blow up memory.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)


def q(tag: str) -> str:
    return f"{{{MAIN}}}{tag}"


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
        raise WorkbookError(f"is a {suffix or 'file without extension'}; scorecard reads .xlsx and .xlsm workbooks", file=path)
    if not head.startswith(ZIP_MAGIC):
        raise WorkbookError("is not an Excel workbook (not a zip package), though it is named like one", file=path)


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise WorkbookError(f"is damaged: not a readable zip package ({error})", file=path) from None
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_PART_BYTES or total > MAX_TOTAL_BYTES or (info.file_size > 10_000_000 and ratio > MAX_RATIO):
            archive.close()
            raise WorkbookError(
                f"refused: part {info.filename} expands to {info.file_size:,} bytes "
                f"({ratio:,.0f} times its compressed size); this is not a normal workbook",
                file=path,
            )
    for info in archive.infolist():
        if info.filename.endswith((".xml", ".rels", ".vml")) and _declares_dtd(archive, info):
            archive.close()
            raise WorkbookError(
                f"refused: part {info.filename} declares a DTD, which no workbook needs (it is how XML "
                "entity bombs are built)",
                file=path,
            )
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names and "[Content_Types].xml" not in names:
        archive.close()
        raise WorkbookError("is not an Excel workbook: the zip has no xl/workbook.xml", file=path)
    return archive


_ROOT_TAG = re.compile(rb"<[A-Za-z_]")


def _declares_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """True when the part's prolog (what comes before its root element) holds a <!DOCTYPE>."""
    try:
        with archive.open(info) as stream:
            seen = b""
            while True:
                chunk = stream.read(65536)
                if not chunk:
                    return False
                seen = seen[-16:] + chunk
                doctype, root = seen.find(b"<!DOCTYPE"), _ROOT_TAG.search(seen)
                if doctype >= 0 and (root is None or doctype < root.start()):
                    return True
                if root is not None:
                    return False
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError):
        return False  # damaged parts are reported when read


# --- reading ---------------------------------------------------------------------------------


def read_grid(path: str | Path, sheet: str | None) -> Grid:
    """The sheet's values (cached results for formulas) and number formats, from A1."""
    path = Path(path)
    check_file(path)
    archive = _open_zip(path)
    try:
        Workbook(Package(path, archive))  # refuses Strict Open XML and a package without its workbook part
    finally:
        archive.close()
    with warnings.catch_warnings():
        # openpyxl warns that extensions it cannot model (sparklines, x14 validation) "will be removed";
        # that is true of its writer, which we never use, so the warning would only mislead
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        return _read_grid(path, sheet)


def _read_grid(path: Path, sheet: str | None) -> Grid:
    import openpyxl  # heavy: imported only when a workbook is read
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, KeyError, InvalidFileException, etree.XMLSyntaxError, ValueError, EOFError, zlib.error) as error:
        first_line = str(error).split("\n")[0].replace(str(path), path.name)
        raise WorkbookError(f"is damaged or not a workbook: {first_line}", file=path) from None
    except Exception as error:  # defusedxml's refusals (DTDForbidden, EntitiesForbidden) and parse errors
        if type(error).__module__.startswith(("defusedxml", "xml.")):
            raise WorkbookError(f"refused: a part of the package holds an XML construct not allowed in a workbook ({type(error).__name__})", file=path) from None
        raise
    try:
        if not book.sheetnames:
            raise WorkbookError("has no worksheets", file=path)
        if sheet is None:
            worksheet = book.worksheets[0]
        elif sheet in book.sheetnames:
            worksheet = book[sheet]
        else:
            by_case = {name.casefold(): name for name in book.sheetnames}
            if sheet.casefold() in by_case:
                worksheet = book[by_case[sheet.casefold()]]
            else:
                import difflib

                close = difflib.get_close_matches(sheet, book.sheetnames, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise WorkbookError(
                    f"no sheet named '{sheet}' (layout.sheet){hint}; sheets: {', '.join(book.sheetnames)}", file=path
                )
        if not hasattr(worksheet, "iter_rows") or worksheet.__class__.__name__ == "ReadOnlyChartsheet":
            raise WorkbookError(f"sheet '{worksheet.title}' is a chart sheet, not a worksheet", file=path)
        worksheet.reset_dimensions()
        return _grid_of(path, worksheet)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise WorkbookError(f"is damaged: {error}", file=path) from None
    finally:
        book.close()


def _grid_of(path: Path, worksheet: Any) -> Grid:
    """Values and number formats row by row from A1; rows absent from the file are empty."""
    values: list[list[Any]] = []
    formats: list[list[str | None]] = []
    last_row = 0
    for row in worksheet.iter_rows():
        if not row:
            values.append([])
            formats.append([])
            continue
        r = row[0].row if hasattr(row[0], "row") else len(values) + 1
        while len(values) < r - 1:
            values.append([])
            formats.append([])
        values.append([_cell_value(c) for c in row])
        formats.append([getattr(c, "number_format", None) for c in row])
        last_row = r
    del values[last_row:], formats[last_row:]
    merged, uncalculated = _sheet_facts(path, worksheet.title)
    return Grid(sheet=worksheet.title, values=values, formats=formats, merged=merged, uncalculated=uncalculated)


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_UNCALCULATED = re.compile(
    rb'<(?:\w+:)?c\b[^>]*\br="([A-Z]+)(\d+)"[^>]*>\s*<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>)'
    rb'\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>'
)


def _sheet_facts(path: Path, sheet: str) -> tuple[list[tuple[int, int, int, int]], frozenset[tuple[int, int]]]:
    """What openpyxl's read-only reader does not tell: merged cells, and formulas saved without a result."""
    with zipfile.ZipFile(path) as archive:
        package = Package(path, archive)
        part = Workbook(package).sheet_part(sheet)
        data = archive.read(part) if part else b""
    merged = []
    for m in _MERGE.finditer(data):
        first_col, first_row = _column_number(m.group(1).decode()), int(m.group(2))
        last_col = _column_number(m.group(3).decode()) if m.group(3) else first_col
        last_row = int(m.group(4)) if m.group(4) else first_row
        merged.append((first_row, first_col, last_row, last_col))
    uncalculated = frozenset((int(m.group(2)), _column_number(m.group(1).decode())) for m in _UNCALCULATED.finditer(data))
    return merged, uncalculated


def _cell_value(cell: Any) -> Any:
    value = cell.value
    if getattr(cell, "data_type", None) == "e" or (isinstance(value, str) and value in EXCEL_ERRORS):
        return CellError(str(value))
    return value


# --- the package ---------------------------------------------------------------------------------


@dataclass
class Package:
    """The zip parts of a workbook, with the ones we change held as parsed XML."""

    path: Path
    archive: zipfile.ZipFile
    changed: dict[str, bytes] = field(default_factory=dict)
    added: dict[str, bytes] = field(default_factory=dict)
    _xml: dict[str, etree._Element] = field(default_factory=dict)

    def xml(self, name: str) -> etree._Element:
        if name not in self._xml:
            try:
                data = self.added.get(name) or self.archive.read(name)
            except KeyError:
                raise WorkbookError(f"is damaged: the package has no part {name}", file=self.path) from None
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
                raise WorkbookError(f"is damaged: part {name} cannot be read ({error})", file=self.path) from None
            try:
                self._xml[name] = etree.fromstring(data, _PARSER)
            except etree.XMLSyntaxError as error:
                raise WorkbookError(f"is damaged: part {name} is not well-formed XML ({error})", file=self.path) from None
        return self._xml[name]

    def touch(self, name: str) -> None:
        """Mark a parsed part as changed; it is serialised when the package is saved."""
        self.changed[name] = b""

    def exists(self, name: str) -> bool:
        return name in self.added or name in self.archive.NameToInfo

    def save(self, destination: Path) -> None:
        """Write every part (changed ones re-serialised) to a temporary file, then replace."""
        for name in self.changed:
            self.changed[name] = _serialise(self._xml[name])
        for name in list(self.added):
            if name in self._xml:
                self.added[name] = _serialise(self._xml[name])
        directory = destination.parent
        try:
            handle = tempfile.NamedTemporaryFile(prefix=f".~{destination.name}.", suffix=".tmp", dir=directory, delete=False)
        except OSError as error:
            raise WorkbookError(f"cannot write into the folder {directory}: {error.strerror}", file=self.path) from None
        temporary = Path(handle.name)
        try:
            with handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as out:
                for info in self.archive.infolist():
                    data = self.changed.get(info.filename) or self.archive.read(info)
                    out.writestr(_copy_info(info), data, compress_type=info.compress_type)
                for name, data in self.added.items():
                    out.writestr(_new_info(name), data, compress_type=zipfile.ZIP_DEFLATED)
                handle.flush()
                os.fsync(handle.fileno())
            if destination.exists():
                os.chmod(temporary, destination.stat().st_mode & 0o7777)
            else:  # a temporary file is private (0600); a new workbook gets the usual mode
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(temporary, 0o666 & ~umask)
            os.replace(temporary, destination)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise WorkbookError(f"could not write {destination}: {error.strerror}; the original is unchanged", file=self.path) from None
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    new.compress_type, new.external_attr, new.create_system = info.compress_type, info.external_attr, info.create_system
    return new


def _new_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # fixed: refresh is repeatable
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _resolve(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _rels_name(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


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
                return _resolve("", rel.get("Target"))
        return "xl/workbook.xml"

    @property
    def sheets(self) -> list[etree._Element]:
        found = self.root.find(q("sheets"))
        return [] if found is None else list(found)

    def sheet_part(self, name: str) -> str | None:
        for sheet in self.sheets:  # Excel's sheet names are unique ignoring case
            if sheet.get("name", "").casefold() == name.casefold():
                rid = sheet.get(f"{{{REL}}}id")
                for rel in self.rels:
                    if rel.get("Id") == rid:
                        return _resolve(self.part, rel.get("Target"))
        return None

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


# --- styles ------------------------------------------------------------------------------------


def _canonical(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n")


class Styles:
    """Adds fills, fonts and cell formats to styles.xml, reusing ones already there.

    Reuse is what makes a second refresh leave styles.xml as the first one left it.
    """

    ORDER = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
             "tableStyles", "colors", "extLst"]  # fmt: skip

    def __init__(self, package: Package, workbook: Workbook):
        self.package = package
        self.part = None
        for rel in workbook.rels:
            if rel.get("Type", "").endswith("/styles"):
                self.part = _resolve(workbook.part, rel.get("Target"))
        if self.part is None:
            raise WorkbookError("has no styles part; open and save it in Excel first", file=package.path)
        self.root = package.xml(self.part)
        self._cache: dict[tuple, int] = {}

    def _list(self, name: str) -> etree._Element:
        found = self.root.find(q(name))
        if found is None:
            found = etree.Element(q(name))
            position = self.ORDER.index(name)
            later = [self.root.find(q(n)) for n in self.ORDER[position + 1 :]]
            anchor = next((e for e in later if e is not None), None)
            if anchor is None:
                self.root.append(found)
            else:
                anchor.addprevious(found)
        return found

    def _add(self, list_name: str, element: etree._Element) -> int:
        container = self._list(list_name)
        wanted = _canonical(element)
        for index, existing in enumerate(container):
            if _canonical(existing) == wanted:
                return index
        container.append(element)
        container.set("count", str(len(container)))
        self.package.touch(self.part)
        return len(container) - 1

    def _el(self, xml: str) -> etree._Element:
        return etree.fromstring(f'<x xmlns="{MAIN}">{xml}</x>', _PARSER)[0]

    def fill(self, rgb: str) -> int:
        return self._add("fills", self._el(
            f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/><bgColor indexed="64"/></patternFill></fill>'))

    def font(self, *, bold=False, italic=False, size: float | None = None, colour: str | None = None) -> int:
        fonts = self._list("fonts")
        base = copy.deepcopy(fonts[0]) if len(fonts) else self._el('<font><sz val="11"/><name val="Calibri"/></font>')
        for tag in ("b", "i", "color"):
            for old in base.findall(q(tag)):
                base.remove(old)
        if size is not None:
            sz = base.find(q("sz"))
            if sz is None:
                sz = etree.SubElement(base, q("sz"))
            sz.set("val", f"{size:g}")
        # CT_Font children are a sequence: b, i, ... color, sz, ... name: insert at the front in order
        position = 0
        for flag, tag in ((bold, "b"), (italic, "i")):
            if flag:
                base.insert(position, etree.Element(q(tag)))
                position += 1
        if colour:
            sz = base.find(q("sz"))
            element = etree.Element(q("color"))
            element.set("rgb", f"FF{colour}")
            (sz.addprevious(element) if sz is not None else base.append(element))
        return self._add("fonts", base)

    def cell_format(self, base: int, *, fill: int | None = None, font: int | None = None, wrap: bool = False) -> int:
        key = (base, fill, font, wrap)
        if key in self._cache:
            return self._cache[key]
        xfs = self._list("cellXfs")
        if len(xfs) == 0:
            xfs.append(self._el('<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'))
            xfs.set("count", "1")
        xf = copy.deepcopy(xfs[base] if base < len(xfs) else xfs[0])
        if fill is not None:
            xf.set("fillId", str(fill))
            xf.set("applyFill", "1")
        if font is not None:
            xf.set("fontId", str(font))
            xf.set("applyFont", "1")
        if wrap:
            alignment = xf.find(q("alignment"))
            if alignment is None:
                alignment = etree.Element(q("alignment"))
                xf.insert(0, alignment)
            alignment.set("wrapText", "1")
            alignment.set("vertical", "top")
            xf.set("applyAlignment", "1")
        index = self._add("cellXfs", xf)
        self._cache[key] = index
        return index

    def dxf(self, rgb: str) -> int:
        return self._add("dxfs", self._el(f'<dxf><fill><patternFill><bgColor rgb="FF{rgb}"/></patternFill></fill></dxf>'))


# --- the scorecard sheet -------------------------------------------------------------------------

_REF = re.compile(r"^([A-Z]+)(\d+)$")


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


class Sheet:
    """Cells of one worksheet part, found and created in the order the format requires."""

    def __init__(self, root: etree._Element):
        self.root = root
        self.data = root.find(q("sheetData"))
        if self.data is None:
            self.data = etree.SubElement(root, q("sheetData"))
        self.rows: dict[int, etree._Element] = {}
        number = 0
        for row in self.data.iterfind(q("row")):
            number = int(row.get("r") or number + 1)
            row.set("r", str(number)) if row.get("r") is None else None
            self.rows[number] = row

    def row(self, number: int) -> etree._Element:
        if number in self.rows:
            return self.rows[number]
        element = etree.Element(q("row"))
        element.set("r", str(number))
        later = [n for n in self.rows if n > number]
        if later:
            self.rows[min(later)].addprevious(element)
        else:
            self.data.append(element)
        self.rows[number] = element
        return element

    def cell(self, row_number: int, column: int) -> tuple[etree._Element, bool]:
        """The cell element (created if absent) and whether it existed."""
        row = self.row(row_number)
        ref = f"{column_letter(column)}{row_number}"
        position = 0
        for child in row.iterfind(q("c")):
            position += 1
            child_ref = child.get("r")
            if child_ref is None:
                child.set("r", f"{column_letter(position)}{row_number}")
                child_ref = child.get("r")
            match = _REF.match(child_ref)
            child_col = _column_number(match.group(1)) if match else position
            position = child_col
            if child_col == column:
                return child, True
            if child_col > column:
                element = etree.Element(q("c"))
                element.set("r", ref)
                child.addprevious(element)
                return element, False
        element = etree.SubElement(row, q("c"))
        element.set("r", ref)
        spans = row.get("spans")
        if spans and ":" in spans:
            low, high = spans.split(":", 1)
            if high.isdigit() and column > int(high):
                row.set("spans", f"{low}:{column}")
        return element, False

    def has_cell(self, row_number: int, column: int) -> bool:
        row = self.rows.get(row_number)
        ref = f"{column_letter(column)}{row_number}"
        return row is not None and any(c.get("r") == ref for c in row.iterfind(q("c")))

    def implicit_style(self, row_number: int, column: int) -> int:
        row = self.rows.get(row_number)
        if row is not None and row.get("customFormat") in ("1", "true"):
            return int(row.get("s", 0))
        cols = self.root.find(q("cols"))
        for col in (() if cols is None else cols):
            if int(col.get("min", 0)) <= column <= int(col.get("max", -1)):
                return int(col.get("style", 0))
        return 0

    def style_of(self, row_number: int, column: int) -> int:
        row = self.rows.get(row_number)
        if row is None:
            return 0
        ref = f"{column_letter(column)}{row_number}"
        for child in row.iterfind(q("c")):
            if child.get("r") == ref:
                return int(child.get("s", 0))
        return int(row.get("s", 0)) if row.get("customFormat") == "1" else 0


def set_text(cell: etree._Element, text: str, style: int | None) -> None:
    """Write text as an inline string: it can never become a formula, and sharedStrings stays as it was."""
    for child in list(cell):
        cell.remove(child)
    for attribute in ("t", "cm", "vm"):
        cell.attrib.pop(attribute, None)
    if style is not None:
        cell.set("s", str(style))
    if text:
        cell.set("t", "inlineStr")
        inline = etree.SubElement(cell, q("is"))
        t = etree.SubElement(inline, q("t"))
        t.text = _xml_safe(text)
        if text != text.strip() or "\n" in text:
            t.set(XML_SPACE, "preserve")


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_safe(text: str) -> str:
    return _CONTROL.sub("", text)


_AFTER_CF = ["dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
             "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing",
             "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
             "tableParts", "extLst"]  # fmt: skip


def _insert_before_any(root: etree._Element, element: etree._Element, names: Iterable[str]) -> None:
    for name in names:
        anchor = root.find(q(name))
        if anchor is not None:
            anchor.addprevious(element)
            return
    root.append(element)


def _is_ours(block: etree._Element, statuses: set[str]) -> bool:
    rules = block.findall(q("cfRule"))
    return bool(rules) and all(
        r.get("type") == "cellIs" and r.get("operator") == "equal" and r.findtext(q("formula"), "").strip('"') in statuses
        for r in rules
    )


def _status_formatting(root: etree._Element, styles: Styles, plan: WritePlan, sqref: str) -> None:
    """Colour formula-driven RAG cells with conditional formatting, replacing what we added before."""
    statuses = set(plan.colours)
    for block in root.findall(q("conditionalFormatting")):
        if block.get("sqref") == sqref and _is_ours(block, statuses):
            root.remove(block)
    priority = max((int(r.get("priority", 0)) for r in root.iter(q("cfRule"))), default=0)
    block = etree.Element(q("conditionalFormatting"))
    block.set("sqref", sqref)
    for status, rgb in plan.colours.items():
        priority += 1
        rule = etree.SubElement(block, q("cfRule"))
        rule.set("type", "cellIs")
        rule.set("dxfId", str(styles.dxf(rgb)))
        rule.set("priority", str(priority))
        rule.set("operator", "equal")
        formula = etree.SubElement(rule, q("formula"))
        formula.text = f'"{status}"'
    _insert_before_any(root, block, _AFTER_CF)


def _write_scorecard_sheet(package: Package, workbook: Workbook, styles: Styles, plan: WritePlan) -> None:
    part = workbook.sheet_part(plan.sheet)
    if part is None:
        raise WorkbookError(f"no sheet named '{plan.sheet}' in the package", file=package.path)
    root = package.xml(part)
    sheet = Sheet(root)
    writes = (*plan.headers, *plan.rag, *plan.direction)
    # Styles are taken before anything is written, so a new column copies the original look of
    # its left neighbour, not the fill we have just given that neighbour.
    bases = {(w.row, w.column): _base_style(sheet, plan, w.row, w.column) for w in writes}
    formula_rows = []
    for write in writes:
        cell, _ = sheet.cell(write.row, write.column)
        base = bases[(write.row, write.column)]
        if write.column == plan.rag_column and not write.header and cell.find(q("f")) is not None:
            formula_rows.append(write.row)  # the analyst's formula stays; colour follows it
            continue
        set_text(cell, write.text, styles.cell_format(base, fill=styles.fill(write.fill)) if write.fill else base)
    if formula_rows:
        col = column_letter(plan.rag_column)
        _status_formatting(root, styles, plan, f"{col}{plan.first_row}:{col}{plan.last_row}")
    _widen(root, plan)
    package.touch(part)


def _base_style(sheet: Sheet, plan: WritePlan, row: int, column: int) -> int:
    """The style a written cell keeps: its own; in a column we create, that of the plan's
    ``style_source`` column in the same row (as the Excel macros copy it); else what Excel gives
    a new cell there (the row's style, then the column's)."""
    created = {w.column for w in plan.headers}
    if column in created:
        column = plan.style_source
    if sheet.has_cell(row, column):
        return sheet.style_of(row, column)
    return sheet.implicit_style(row, column)


def _widen(root: etree._Element, plan: WritePlan) -> None:
    """Keep the dimension covering every cell, and give columns we created a readable width."""
    dimension = root.find(q("dimension"))
    highest = max(plan.rag_column, plan.direction_column)
    if dimension is not None:
        ref = dimension.get("ref", "A1")
        first, _, last = ref.partition(":")
        last = last or first
        match = _REF.match(last)
        if match and _column_number(match.group(1)) < highest:
            dimension.set("ref", f"{first}:{column_letter(highest)}{match.group(2)}")
    created = [w.column for w in plan.headers]
    if not created:
        return
    cols = root.find(q("cols"))
    if cols is None:
        cols = etree.Element(q("cols"))
        root.find(q("sheetData")).addprevious(cols)
    covered = {c for col in cols for c in range(int(col.get("min", 0)), int(col.get("max", -1)) + 1)}
    for column in created:
        if column not in covered:
            col = etree.Element(q("col"))
            for key, value in (("min", column), ("max", column), ("width", 12), ("customWidth", 1)):
                col.set(key, str(value))
            later = [c for c in cols if int(c.get("min", 0)) > column]
            (later[0].addprevious(col) if later else cols.append(col))


# --- the narrative sheet -------------------------------------------------------------------------


def row_height(text: str, width: float, line_height: float = 15.0) -> float:
    """Points needed to show wrapped text in a column ``width`` characters wide.

    Spreadsheet programs do not all fit row heights when they open a file (LibreOffice does
    not), so the heights are written. Proportional text averages about 1.1 characters per
    width unit in Calibri 11; the estimate errs towards a spare line rather than a cut one.
    """
    per_line = max(int(width * 1.1), 1)
    lines = 0
    for paragraph in text.split("\n"):
        words, length, count = paragraph.split(), 0, 1
        for word in words:
            if length and length + 1 + len(word) > per_line:
                count, length = count + 1, len(word)
            else:
                length += (1 if length else 0) + len(word)
        lines += count
    return lines * line_height + 3


def _narrative_xml(styles: Styles, cells: list[NarrativeCell]) -> bytes:
    base = 0
    formats = {
        "title": styles.cell_format(base, font=styles.font(bold=True, size=14)),
        "heading": styles.cell_format(base, font=styles.font(bold=True, size=12)),
        "body": styles.cell_format(base, wrap=True),
        "bullet": styles.cell_format(base, wrap=True),
        "lead": styles.cell_format(base, font=styles.font(italic=True), wrap=True),
        "note": styles.cell_format(base, font=styles.font(italic=True, colour="595959"), wrap=True),
        "number": styles.cell_format(base, font=styles.font(bold=True), wrap=True),
    }
    root = etree.Element(q("worksheet"), nsmap={None: MAIN, "r": REL})
    pr = etree.SubElement(root, q("sheetPr"))
    etree.SubElement(pr, q("pageSetUpPr")).set("fitToPage", "1")
    etree.SubElement(root, q("dimension")).set("ref", f"A1:B{max(c.row for c in cells)}")
    views = etree.SubElement(root, q("sheetViews"))
    view = etree.SubElement(views, q("sheetView"))
    view.set("showGridLines", "0")
    view.set("workbookViewId", "0")
    etree.SubElement(root, q("sheetFormatPr")).set("defaultRowHeight", "15")
    cols = etree.SubElement(root, q("cols"))
    for index, width in enumerate(NARRATIVE_WIDTHS, start=1):
        col = etree.SubElement(cols, q("col"))
        for key, value in (("min", index), ("max", index), ("width", width), ("customWidth", 1)):
            col.set(key, str(value))
    etree.SubElement(root, q("sheetData"))
    sheet = Sheet(root)
    for cell in cells:
        set_text(sheet.cell(cell.row, cell.column)[0], cell.text, formats[cell.style])
        if cell.column == 2 and cell.style not in ("title", "heading"):
            row = sheet.row(cell.row)
            row.set("ht", f"{row_height(cell.text, NARRATIVE_WIDTHS[1]):g}")
            row.set("customHeight", "1")
    margins = etree.SubElement(root, q("pageMargins"))
    for key, value in (("left", 0.7), ("right", 0.7), ("top", 0.75), ("bottom", 0.75), ("header", 0.3), ("footer", 0.3)):
        margins.set(key, str(value))
    setup = etree.SubElement(root, q("pageSetup"))
    setup.set("paperSize", "9")  # A4
    setup.set("orientation", "portrait")
    setup.set("fitToWidth", "1")
    setup.set("fitToHeight", "0")
    return _serialise(root)


def _write_narrative_sheet(package: Package, workbook: Workbook, styles: Styles, plan: WritePlan) -> None:
    xml = _narrative_xml(styles, plan.narrative_cells)
    part = workbook.sheet_part(plan.narrative_sheet)
    if part is None:
        workbook.add_sheet(plan.narrative_sheet, xml)
        return
    if plan.narrative_sheet.casefold() == plan.sheet.casefold():
        raise WorkbookError(f"the narrative sheet '{plan.narrative_sheet}' is the scorecard sheet itself; set narrative.sheet", file=package.path)
    existing = package.xml(part)
    texts = "".join(existing.itertext())
    if PROVENANCE_PREFIX not in texts:
        raise WorkbookError(
            f"already has a sheet named '{plan.narrative_sheet}' that scorecard did not write; rename that sheet "
            "or set narrative.sheet in the rules to another name. Nothing was changed.",
            file=package.path,
        )
    package._xml[part] = etree.fromstring(xml, _PARSER)
    package.touch(part)


# --- refresh -----------------------------------------------------------------------------------------


def write_plan(source: str | Path, destination: str | Path, plan: WritePlan) -> None:
    """Apply the plan to a copy of ``source`` and atomically put it at ``destination``."""
    source, destination = Path(source), Path(destination)
    check_file(source)
    archive = _open_zip(source)
    try:
        package = Package(source, archive)
        workbook = Workbook(package)
        styles = Styles(package, workbook)
        _write_scorecard_sheet(package, workbook, styles, plan)
        _write_narrative_sheet(package, workbook, styles, plan)
        package.save(destination)
    finally:
        archive.close()
