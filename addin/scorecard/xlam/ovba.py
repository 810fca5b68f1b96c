"""A VBA project (``vbaProject.bin``) from module source text, following [MS-OVBA].

Why our own: the ``ms-ovba`` package (0.0.1) was judged and rejected. Its compressor disagrees
with oletools' decompressor from byte 590 of xlwings' own module, so the add-in's code would come
out garbled, and it writes scratch files into the working directory. This module writes exactly
what the spec asks of a writer: source code only (``_VBA_PROJECT`` version 0xFFFF, no performance
cache), so the VBA host compiles the modules from source on first load. The result is checked in
the test suite by oletools (olevba decodes every module) and olefile (the compound file).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .cfb import Storage, Stream, write_compound_file

CODEPAGE = 1252
LCID = 0x0409

# The references xlwings' own ribbon add-in carries: OLE Automation, and the Office library that
# defines IRibbonControl for ribbon callbacks. Excel resolves them by GUID and version.
REFERENCES = [
    ("stdole", "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\\Windows\\System32\\stdole2.tlb#OLE Automation"),
    ("Office", "*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\\Program Files\\Common Files\\Microsoft Shared"
               "\\OFFICE16\\MSO.DLL#Microsoft Office 16.0 Object Library"),
]

# --- 2.4.1 compression ---------------------------------------------------------------------------

_CHUNK = 4096


def _copy_token_shape(difference: int) -> tuple[int, int]:
    """(bit count of the offset, maximum length) for a copy token at this chunk position."""
    bit_count = max((difference - 1).bit_length(), 4)
    return bit_count, (0xFFFF >> bit_count) + 3


def _compress_chunk(data: bytes) -> bytes:
    out = bytearray()
    position, end = 0, len(data)
    candidates: dict[bytes, list[int]] = {}
    while position < end:
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if position >= end:
                break
            best_length, best_offset = 0, 0
            if position > 0 and position + 3 <= end:
                bit_count, maximum = _copy_token_shape(position)
                limit = min(maximum, end - position)
                for start in reversed(candidates.get(data[position : position + 3], ())[-64:]):
                    length = 3
                    while length < limit and data[start + length] == data[position + length]:
                        length += 1
                    if length > best_length:
                        best_length, best_offset = length, position - start
                        if length == limit:
                            break
            if best_length >= 3:
                bit_count, _ = _copy_token_shape(position)
                token = ((best_offset - 1) << (16 - bit_count)) | (best_length - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                step = best_length
            else:
                out.append(data[position])
                step = 1
            for p in range(position, position + step):
                if p + 3 <= end:
                    candidates.setdefault(data[p : p + 3], []).append(p)
            position += step
        out[flag_index] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """[MS-OVBA] 2.4.1.3.6: a CompressedContainer holding ``data``."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), _CHUNK):
        chunk = data[start : start + _CHUNK]
        body = _compress_chunk(chunk)
        if len(body) + 2 > 4098:  # incompressible: a raw chunk is 4096 bytes, padded (2.4.1.3.10)
            header = 0x3000 | 0x0FFF
            body = chunk.ljust(_CHUNK, b"\x00")
        else:
            header = 0x8000 | 0x3000 | (len(body) + 2 - 3)
        out += struct.pack("<H", header) + body
    return bytes(out)


# --- 2.4.3 data encryption (the PROJECT stream's CMG, DPB and GC) ----------------------------------


def encrypt(data: bytes, project_id: str, seed: int = 0x5D) -> str:
    """[MS-OVBA] 2.4.3.2, with a fixed seed so the build is reproducible."""
    version, key = 2, sum(project_id.encode("ascii")) & 0xFF
    out = bytearray([seed, seed ^ version, seed ^ key])
    unencrypted1, encrypted1, encrypted2 = key, seed ^ key, seed ^ version
    ignored = (seed & 6) // 2
    for byte in bytes(ignored) + struct.pack("<I", len(data)) + data:
        encrypted = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(encrypted)
        encrypted2, encrypted1, unencrypted1 = encrypted1, encrypted, byte
    return out.hex().upper()


def decrypt(text: str) -> tuple[int, int, bytes]:
    """The inverse of ``encrypt``: (version, project key, data). Used to check our output and Excel's."""
    raw = bytes.fromhex(text)
    seed, version_enc, key_enc = raw[:3]
    unencrypted1, encrypted1, encrypted2 = seed ^ key_enc, key_enc, version_enc
    plain = bytearray()
    for encrypted in raw[3:]:
        byte = encrypted ^ ((encrypted2 + unencrypted1) & 0xFF)
        plain.append(byte)
        encrypted2, encrypted1, unencrypted1 = encrypted1, encrypted, byte
    plain = plain[(seed & 6) // 2 :]
    length = struct.unpack("<I", plain[:4])[0]
    return seed ^ version_enc, seed ^ key_enc, bytes(plain[4 : 4 + length])


# --- modules and the project ---------------------------------------------------------------------

DOCUMENT_BASES = {"workbook": "0{00020819-0000-0000-C000-000000000046}", "worksheet": "0{00020820-0000-0000-C000-000000000046}"}


@dataclass(frozen=True)
class Module:
    """One VBA module. ``kind`` is standard, class, or document (with ``base`` for documents)."""

    name: str
    code: str  # the module's code, without the Attribute lines this writer adds
    kind: str = "standard"
    base: str | None = None

    def source(self) -> bytes:
        lines = [f'Attribute VB_Name = "{self.name}"']
        if self.kind == "document":
            lines += [f'Attribute VB_Base = "{self.base}"', "Attribute VB_GlobalNameSpace = False",
                      "Attribute VB_Creatable = False", "Attribute VB_PredeclaredId = True",
                      "Attribute VB_Exposed = True", "Attribute VB_TemplateDerived = False",
                      "Attribute VB_Customizable = True"]  # fmt: skip
        elif self.kind == "class":
            lines += ["Attribute VB_GlobalNameSpace = False", "Attribute VB_Creatable = False",
                      "Attribute VB_PredeclaredId = False", "Attribute VB_Exposed = False"]  # fmt: skip
        code = self.code.replace("\r\n", "\n").replace("\n", "\r\n")
        text = "\r\n".join(lines) + "\r\n" + code
        if not text.endswith("\r\n"):
            text += "\r\n"
        return text.encode("cp1252")


def module_from_export(name: str, text: str, kind: str = "standard") -> Module:
    """A module from an exported .bas/.cls file: drops the export header and Attribute lines."""
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[0].startswith("VERSION 1.0 CLASS"):
        end = lines.index("END")
        lines = lines[end + 1 :]
    body = [line for line in lines if not line.startswith("Attribute VB_")]
    while body and not body[0].strip():
        body.pop(0)
    return Module(name=name, code="\n".join(body), kind=kind)


def _record(record_id: int, data: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(data)) + data


def _text_record(record_id: int, text: str, unicode_id: int | None = None) -> bytes:
    out = _record(record_id, text.encode("cp1252"))
    if unicode_id is not None:
        out += _record(unicode_id, text.encode("utf-16-le"))
    return out


def _dir_stream(name: str, modules: list[Module]) -> bytes:
    """[MS-OVBA] 2.3.4.2: project information, references and modules."""
    out = bytearray()
    out += _record(0x0001, struct.pack("<I", 1))  # SYSKIND: 32-bit Windows, as Excel writes it
    out += _record(0x0002, struct.pack("<I", LCID))
    out += _record(0x0014, struct.pack("<I", LCID))
    out += _record(0x0003, struct.pack("<H", CODEPAGE))
    out += _record(0x0004, name.encode("cp1252"))
    out += _text_record(0x0005, "", 0x0040)  # doc string
    out += _text_record(0x0006, "", 0x003D)  # help file
    out += _record(0x0007, struct.pack("<I", 0))  # help context
    out += _record(0x0008, struct.pack("<I", 0))  # lib flags
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)  # version: Reserved=4, major, minor
    out += _text_record(0x000C, "", 0x003C)  # constants
    for reference_name, libid in REFERENCES:
        out += _text_record(0x0016, reference_name, 0x003E)
        registered = struct.pack("<I", len(libid)) + libid.encode("cp1252") + struct.pack("<IH", 0, 0)
        out += _record(0x000D, registered)
    out += struct.pack("<HIH", 0x000F, 2, len(modules))
    out += struct.pack("<HIH", 0x0013, 2, 0xFFFF)  # project cookie
    for module in modules:
        out += _record(0x0019, module.name.encode("cp1252"))
        out += _record(0x0047, module.name.encode("utf-16-le"))
        out += _text_record(0x001A, module.name, 0x0032)  # stream name
        out += _text_record(0x001C, "", 0x0048)  # doc string
        out += _record(0x0031, struct.pack("<I", 0))  # source starts at offset 0: no performance cache
        out += _record(0x001E, struct.pack("<I", 0))  # help context
        out += _record(0x002C, struct.pack("<H", 0xFFFF))  # cookie
        out += struct.pack("<HI", 0x0021 if module.kind == "standard" else 0x0022, 0)
        out += struct.pack("<HI", 0x002B, 0)  # module terminator
    out += struct.pack("<HI", 0x0010, 0)  # dir terminator
    return bytes(out)


def _project_stream(name: str, project_id: str, modules: list[Module]) -> bytes:
    """[MS-OVBA] 2.3.1: the PROJECT stream, text in the project's code page."""
    lines = [f'ID="{project_id}"']
    for module in modules:
        if module.kind == "document":
            lines.append(f"Document={module.name}/&H00000000")
        elif module.kind == "class":
            lines.append(f"Class={module.name}")
        else:
            lines.append(f"Module={module.name}")
    lines += [
        f'Name="{name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{encrypt(bytes(4), project_id)}"',  # protection state: none
        f'DPB="{encrypt(bytes(1), project_id)}"',  # password: none
        f'GC="{encrypt(bytes([0xFF]), project_id)}"',  # visibility: visible
        "",
        "[Host Extender Info]",
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
        "",
        "[Workspace]",
        *[f"{module.name}=0, 0, 0, 0, C" for module in modules],
        "",
    ]
    return "\r\n".join(lines).encode("cp1252")


def _project_wm(modules: list[Module]) -> bytes:
    out = bytearray()
    for module in modules:
        out += module.name.encode("cp1252") + b"\x00" + module.name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


def build_project(name: str, project_id: str, modules: list[Module]) -> bytes:
    """The bytes of a vbaProject.bin holding ``modules`` (source only; the host compiles them)."""
    names = [m.name.casefold() for m in modules]
    if len(set(names)) != len(names):
        raise ValueError("two VBA modules have the same name")
    vba = Storage("VBA", [
        Stream("_VBA_PROJECT", struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0000)),
        Stream("dir", compress(_dir_stream(name, modules))),
        *[Stream(m.name, compress(m.source())) for m in modules],
    ])  # fmt: skip
    root = Storage("Root Entry", [
        vba,
        Stream("PROJECT", _project_stream(name, project_id, modules)),
        Stream("PROJECTwm", _project_wm(modules)),
    ])  # fmt: skip
    return write_compound_file(root)
