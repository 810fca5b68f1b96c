"""The hostile-input corpus: generators of the workbooks, rules files and Word templates a hostile or
careless sender might send (issue 17), each built from the bundled sample or a small workbook written
by XlsxWriter, changed in one way. Every generator returns the bytes of the file (or writes it), so a
test can say in one line what it sends and what must come back."""

from __future__ import annotations

import io
import re
import shutil
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import xlsxwriter

from conftest import SAMPLE, SAMPLE_RULES
from zipparts import rewrite

ROOT = Path(__file__).resolve().parents[2]
SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RULES_TEXT = SAMPLE_RULES.read_text(encoding="utf-8")


# --- packages ------------------------------------------------------------------------------------


def parts_of(data: bytes | Path) -> dict[str, bytes]:
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    with zipfile.ZipFile(source) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def package(parts: dict[str, bytes] | list[tuple[str, bytes]]) -> bytes:
    """A zip of ``parts`` (a list may repeat a name: a package no Office program writes)."""
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of a duplicate name: that is the point
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for name, data in parts.items() if isinstance(parts, dict) else parts:
                target.writestr(name, data)
    return out.getvalue()


def edited(source: bytes | Path = SAMPLE, **changes: Callable[[bytes], bytes] | bytes | None) -> bytes:
    """``source`` with parts changed: name -> new bytes, a function of the old bytes, or None (removed).
    Part names are given with / as __ and . as _ (xl__workbook_xml), or through ``edit_parts``."""
    return edit_parts(source, {_name(k): v for k, v in changes.items()})


def edit_parts(source: bytes | Path, changes: dict[str, Callable[[bytes], bytes] | bytes | None]) -> bytes:
    return rewrite(source, changes)


def _name(key: str) -> str:
    special = {"content_types": "[Content_Types].xml", "root_rels": "_rels/.rels"}
    return special.get(key) or key.replace("__", "/").replace("_xml", ".xml").replace("_rels", ".rels")


def sheet_rows(extra: str) -> Callable[[bytes], bytes]:
    """Add rows (XML text) at the end of the sheet's cell table."""
    return lambda data: data.replace(b"</sheetData>", extra.encode() + b"</sheetData>")


def after_sheet_data(extra: str) -> Callable[[bytes], bytes]:
    return lambda data: data.replace(b"</sheetData>", b"</sheetData>" + extra.encode())


def far_cell(reference: str, row: str | None = None) -> bytes:
    """The sample with one more cell, at ``reference`` (beyond Excel's last cell, or at it)."""
    number = row or re.sub(r"^\$?[A-Za-z]+\$?", "", reference)
    return edited(
        **{"xl__worksheets__sheet1_xml": sheet_rows(f'<row r="{number}"><c r="{reference}"><v>1</v></c></row>')}
    )


def beyond_excel_cases() -> dict[str, bytes]:
    """Cell references past XFD1048576, in each place a sheet gives coordinates."""
    sheet = "xl__worksheets__sheet1_xml"
    return {
        "row-50-million": far_cell("A50000000"),
        "row-1048577": far_cell("B1048577"),
        "column-ZZZZZZ": far_cell("ZZZZZZ40", "40"),
        "column-XFE": far_cell("XFE40", "40"),
        "thousand-digit-row": far_cell("A" + "9" * 1000),
        "row-number-not-a-number": edited(**{sheet: sheet_rows('<row r="x9"><c r="A9"><v>1</v></c></row>')}),
        "cell-reference-not-one": edited(**{sheet: sheet_rows('<row r="40"><c r="1A40"><v>1</v></c></row>')}),
        "row-without-number-after-last": edited(
            **{sheet: sheet_rows('<row r="1048576"><c r="A1048576"><v>1</v></c></row><row><c><v>2</v></c></row>')}
        ),
        "merge-beyond": edited(
            **{sheet: after_sheet_data('<mergeCells count="1"><mergeCell ref="A40:A2000000"/></mergeCells>')}
        ),
        "merge-beyond-columns": edited(
            **{sheet: after_sheet_data('<mergeCells count="1"><mergeCell ref="A40:AAAA40"/></mergeCells>')}
        ),
        "dimension-beyond": edited(
            **{sheet: lambda d: d.replace(b'<dimension ref="A1:M34"/>', b'<dimension ref="A1:M99999999"/>')}
        ),
        "dimension-beyond-columns": edited(
            **{sheet: lambda d: d.replace(b'<dimension ref="A1:M34"/>', b'<dimension ref="A1:ZZZZ34"/>')}
        ),
    }


def book_with_table(ref: str | None = None) -> bytes:
    """A small scorecard whose KPIs are an Excel Table, its range ``ref`` written over when given."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Scorecard")
    rows = [["K1", "Calls answered", "H", 85, 75, 80, 90], ["K2", "Complaints", "L", 5, 9, 4, 6]]
    sheet.add_table(1, 0, 2, 6, {"data": rows, "columns": [{"header": h} for h in TABLE_HEADER], "name": "KPIs"})
    book.close()
    data = out.getvalue()
    if ref is None:
        return data
    return edit_parts(
        data, {"xl/tables/table1.xml": lambda d: re.sub(rb'ref="[^"]*"', f'ref="{ref}"'.encode(), d, count=1)}
    )


TABLE_HEADER = ["Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18"]
TABLE_RULES = (
    "version: 1\nlayout:\n  columns: {id: Ref, name: Indicator, polarity: Polarity, target: Target, floor: Floor, "
    "current: Jun-18, previous: May-18}\n"
)


# --- XML with a DTD, however it is dressed ----------------------------------------------------------

ENTITY_BOMB = (
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    + "]>"
)
EXTERNAL = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def with_dtd(data: bytes, how: str, doctype: str = ENTITY_BOMB) -> bytes:
    """``data`` (an XML part) with a DTD put in its prolog: after a comment, after a processing
    instruction, plainly, or the whole part in UTF-16. The entity is used in the root's first text or
    attribute where the part has one, so a reader that expanded it would show it."""
    text = data.decode("utf-8")
    declaration = re.match(r"<\?xml[^>]*\?>\s*", text)
    head = declaration.group(0) if declaration else ""
    body = text[len(head) :]
    prolog = {
        "plain": doctype,
        "after-comment": "<!-- <b>made</b> by a partner's tool -->" + doctype,
        "after-pi": '<?mso-application progid="Excel.Sheet" note="<x/>"?>' + doctype,
        "utf-16": doctype,
        "external": EXTERNAL,
    }[how]
    if how == "utf-16":
        return ('<?xml version="1.0" encoding="UTF-16"?>' + prolog + body).encode("utf-16")
    return (head + prolog + body).encode("utf-8")


DTD_WAYS = ("plain", "after-comment", "after-pi", "utf-16", "external")
DTD_PARTS = ("xl/workbook.xml", "xl/styles.xml", "xl/sharedStrings.xml", SHEET, "[Content_Types].xml", "_rels/.rels")


def workbook_part_renamed(new_name: str, how: str = "after-comment") -> bytes:
    """The sample with its workbook part moved to ``new_name`` (xl/workbook.bin, xl/WORKBOOK.XML), with a DTD."""
    parts = parts_of(SAMPLE)
    data = parts.pop("xl/workbook.xml")
    parts[new_name] = with_dtd(data, how)
    rels = parts.pop("xl/_rels/workbook.xml.rels")
    parts[f"xl/_rels/{new_name.split('/')[-1]}.rels"] = rels
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(b"xl/workbook.xml", new_name.encode())
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"/xl/workbook.xml", b"/" + new_name.encode())
    return package(parts)


# --- Word templates ----------------------------------------------------------------------------------


def docx_template() -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph("Council letterhead")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
ATTACHED_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"


def template_with_macros_and_remote_template() -> bytes:
    """A .docx carrying a VBA project (as a .docm does) and an attached template on a remote server."""
    parts = parts_of(docx_template())
    parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    parts["word/_rels/document.xml.rels"] = parts["word/_rels/document.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="rIdVba" Type="{VBA_REL}" Target="vbaProject.bin"/></Relationships>'.encode(),
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>'
    )
    parts["word/_rels/settings.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rIdT" Type="{ATTACHED_REL}" Target="https://templates.example.net/council.dotm" '
        'TargetMode="External"/></Relationships>'
    ).encode()
    parts["word/settings.xml"] = re.sub(
        rb"(<w:settings[^>]*>)",
        rb'\1<w:attachedTemplate r:id="rIdT"/>',
        parts["word/settings.xml"],
        count=1,
    )
    if b'xmlns:r="' not in parts["word/settings.xml"][:2000]:
        parts["word/settings.xml"] = parts["word/settings.xml"].replace(
            b"<w:settings ",
            b'<w:settings xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ',
            1,
        )
    return package(parts)


def zip_bomb(source: bytes, part: str, size: int = 600_000_000) -> bytes:
    """``source`` with ``part`` grown to ``size`` bytes of spaces: some hundreds of kilobytes compressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as archive, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in archive.infolist():
            if info.filename != part:
                target.writestr(info, archive.read(info))
        with target.open(part, "w", force_zip64=True) as stream:
            block = b" " * 1_000_000
            for _ in range(size // len(block)):
                stream.write(block)
    return out.getvalue()


# --- damaged zips --------------------------------------------------------------------------------


def damaged_deflate(source: bytes | Path, part: str) -> bytes:
    """``source`` with the compressed bytes of ``part`` overwritten in the middle (its CRC then fails)."""
    data = bytearray(source if isinstance(source, bytes) else source.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 3
    data[middle : middle + max(8, info.compress_size // 4)] = b"\xff" * max(8, info.compress_size // 4)
    return bytes(data)


def stored(source: bytes | Path = SAMPLE) -> bytes:
    """``source`` re-zipped with every part deflated (so a part's bytes can be damaged in place)."""
    return package(parts_of(source))


# --- Excel's owner file ------------------------------------------------------------------------------


def owner_file(user: str) -> bytes:
    """What Excel writes beside a workbook it has open (~$NAME, 165 bytes): the user name in the code page
    then, at byte 55, its length and the name again in UTF-16."""
    data = bytearray(b" " * 165)
    data[0] = len(user)
    data[1 : 1 + len(user)] = user.encode("cp1252")
    data[55:57] = len(user).to_bytes(2, "little")
    data[57 : 57 + 2 * len(user)] = user.encode("utf-16-le")
    return bytes(data)


def copy_sample(folder: Path, name: str = "book.xlsx") -> Path:
    target = folder / name
    shutil.copyfile(SAMPLE, target)
    return target


def rules_file(folder: Path, text: str = RULES_TEXT, name: str = "rules.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def hidden_leftovers(folder: Path) -> list[str]:
    """Files a run must not leave behind: its temporary files and lock files."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~"))


def big_book(path: Path, kpis: int = 3000) -> Path:
    """A scorecard of ``kpis`` rows (TABLE_HEADER's columns, TABLE_RULES's layout): a refresh of it takes
    long enough for another command to run while it works."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Scorecard")
    sheet.write_row(0, 0, TABLE_HEADER)
    for row in range(1, kpis + 1):
        sheet.write_row(row, 0, [f"K{row:05d}", f"Indicator {row}", "H", 85, 75, 60 + row % 40, 60 + row * 7 % 40])
    book.close()
    return path
