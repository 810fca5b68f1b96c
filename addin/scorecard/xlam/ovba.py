"""A VBA project (``vbaProject.bin``) from module source text, following [MS-OVBA].

Why our own: the ``ms-ovba`` package (0.0.1) was judged and rejected. Its compressor disagrees
with oletools' decompressor from byte 590 of xlwings' own module, so the add-in's code would come
out garbled, and it writes scratch files into the working directory. This module writes exactly
what the spec asks of a writer for our own modules: source code only, so the VBA host compiles them
from source on first load. Everything else (the document modules, the Dictionary class, the
references, ``_VBA_PROJECT``) is taken byte for byte from a VBA project Excel wrote (``Template``):
every add-in xlwings ships is laid out that way. The result is checked in the test suite by
oletools (olevba decodes every module) and olefile (the compound file).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .cfb import Storage, Stream, write_compound_file

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


def decompress(container: bytes) -> bytes:
    """[MS-OVBA] 2.4.1.3.1: the bytes a CompressedContainer holds (to read Excel's dir stream)."""
    if not container or container[0] != 1:
        raise ValueError("not a compressed container")
    out = bytearray()
    position = 1
    while position < len(container):
        header = struct.unpack_from("<H", container, position)[0]
        size, compressed = (header & 0x0FFF) + 3, bool(header & 0x8000)
        end = min(position + size, len(container))
        position += 2
        chunk_start = len(out)
        if not compressed:
            out += container[position : position + _CHUNK]
            position += _CHUNK
            continue
        while position < end:
            flags = container[position]
            position += 1
            for bit in range(8):
                if position >= end:
                    break
                if flags & (1 << bit):
                    token = struct.unpack_from("<H", container, position)[0]
                    bit_count, _ = _copy_token_shape(len(out) - chunk_start)
                    length_mask = 0xFFFF >> bit_count
                    offset = (token >> (16 - bit_count)) + 1
                    for _ in range((token & length_mask) + 3):
                        out.append(out[-offset])
                    position += 2
                else:
                    out.append(container[position])
                    position += 1
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


@dataclass(frozen=True)
class Module:
    """One standard (procedural) VBA module, written as source only."""

    name: str
    code: str  # the module's code, without the Attribute line this writer adds

    def source(self) -> bytes:
        code = self.code.replace("\r\n", "\n").replace("\n", "\r\n")
        text = f'Attribute VB_Name = "{self.name}"\r\n' + code
        if not text.endswith("\r\n"):
            text += "\r\n"
        return text.encode("cp1252")


def module_from_export(name: str, text: str) -> Module:
    """A module from an exported .bas file: drops the Attribute lines."""
    lines = text.replace("\r\n", "\n").split("\n")
    body = [line for line in lines if not line.startswith("Attribute VB_")]
    while body and not body[0].strip():
        body.pop(0)
    return Module(name=name, code="\n".join(body))


def _record(record_id: int, data: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(data)) + data


def _text_record(record_id: int, text: str, unicode_id: int | None = None) -> bytes:
    out = _record(record_id, text.encode("cp1252"))
    if unicode_id is not None:
        out += _record(unicode_id, text.encode("utf-16-le"))
    return out


def dir_records(data: bytes) -> list[tuple[int, bytes]]:
    """The records of a decompressed dir stream, each as (id, its bytes, header included)."""
    records, position = [], 0
    while position < len(data):
        record_id, size = struct.unpack_from("<HI", data, position)
        if record_id == 0x0009:  # PROJECTVERSION: its size field is a constant 4, six bytes follow
            size = 6
        records.append((record_id, data[position : position + 6 + size]))
        position += 6 + size
    return records


@dataclass(frozen=True)
class Template:
    """An Excel-made VBA project, split into the parts a new project is built from."""

    information: list[tuple[int, bytes]]  # PROJECTINFORMATION records
    references: bytes  # PROJECTREFERENCES, verbatim
    cookie: bytes  # the PROJECTCOOKIE record, verbatim
    modules: dict[str, bytes]  # module name -> its MODULE record, verbatim, in the template's order
    streams: dict[str, bytes]  # module name -> its module stream (compiled part and source), verbatim
    project_lines: dict[str, str]  # module name -> its line in the PROJECT stream (Document=, Class=, Module=)
    vba_project: bytes  # the _VBA_PROJECT stream

    @classmethod
    def read(cls, vba_project_bin: bytes) -> Template:
        from .cfb import read_compound_file

        streams = read_compound_file(vba_project_bin)
        records = dir_records(decompress(streams["VBA/dir"]))
        ids = [r for r, _ in records]
        first_reference = next(i for i, r in enumerate(ids) if r in (0x0016, 0x000F))
        count = ids.index(0x000F)
        modules: dict[str, bytes] = {}
        position = count + 2  # PROJECTMODULES count, then PROJECTCOOKIE
        while ids[position] == 0x0019:
            end = ids.index(0x002B, position)
            raw = b"".join(b for _, b in records[position : end + 1])
            name = records[position][1][6:].decode("cp1252")
            stream_name = next(b[6:] for r, b in records[position:end] if r == 0x001A).decode("cp1252")
            modules[name] = raw
            streams[f"module:{name}"] = streams[f"VBA/{stream_name}"]
            position = end + 1
        if ids[position] != 0x0010:
            raise ValueError("unexpected record in the template's dir stream")
        code_page = next(struct.unpack("<H", b[6:])[0] for r, b in records if r == 0x0003)
        if code_page != 1252:  # our modules' source is written in code page 1252
            raise ValueError(f"the template's code page is {code_page}, not 1252")
        project = streams["PROJECT"].decode("cp1252").split("\r\n")
        lines = {}
        for line in project:
            key, _, value = line.partition("=")
            if key in ("Document", "Class", "Module", "BaseClass"):
                lines[value.split("/")[0]] = line
        return cls(
            information=records[:first_reference],
            references=b"".join(b for _, b in records[first_reference:count]),
            cookie=records[count + 1][1],
            modules=modules,
            streams={name: streams[f"module:{name}"] for name in modules},
            project_lines=lines,
            vba_project=streams["VBA/_VBA_PROJECT"],
        )


def _module_record(module: Module) -> bytes:
    """A MODULE record (2.3.4.2.3.2) for a source-only standard module."""
    out = _record(0x0019, module.name.encode("cp1252"))
    out += _record(0x0047, module.name.encode("utf-16-le"))
    out += _text_record(0x001A, module.name, 0x0032)  # stream name
    out += _text_record(0x001C, "", 0x0048)  # doc string
    out += _record(0x0031, struct.pack("<I", 0))  # source starts at offset 0: no compiled part
    out += _record(0x001E, struct.pack("<I", 0))  # help context
    out += _record(0x002C, struct.pack("<H", 0xFFFF))  # cookie, as the spec asks of a writer
    out += struct.pack("<HI", 0x0021, 0)  # procedural module
    out += struct.pack("<HI", 0x002B, 0)  # module terminator
    return out


def _dir_stream(name: str, template: Template, keep: list[str], modules: list[Module]) -> bytes:
    """[MS-OVBA] 2.3.4.2: the template's information (with our name) and references, its kept
    modules' records as Excel wrote them, then ours."""
    out = bytearray()
    for record_id, raw in template.information:
        out += _record(0x0004, name.encode("cp1252")) if record_id == 0x0004 else raw
    out += template.references
    out += struct.pack("<HIH", 0x000F, 2, len(keep) + len(modules))
    out += template.cookie
    for kept in keep:
        out += template.modules[kept]
    for module in modules:
        out += _module_record(module)
    out += struct.pack("<HI", 0x0010, 0)  # dir terminator
    return bytes(out)


def _project_stream(name: str, project_id: str, template: Template, keep: list[str], modules: list[Module]) -> bytes:
    """[MS-OVBA] 2.3.1: the PROJECT stream, text in the project's code page, laid out as Excel writes it."""
    lines = [f'ID="{project_id}"']
    lines += [template.project_lines[kept] for kept in keep]
    lines += [f"Module={module.name}" for module in modules]
    names = keep + [module.name for module in modules]
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
        *[f"{n}=0, 0, 0, 0, C" for n in names],
        "",
    ]
    return "\r\n".join(lines).encode("cp1252")


def _project_wm(names: list[str]) -> bytes:
    out = bytearray()
    for name in names:
        out += name.encode("cp1252") + b"\x00" + name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


def build_project(name: str, project_id: str, template: Template, keep: list[str], modules: list[Module]) -> bytes:
    """The bytes of a vbaProject.bin: the template's ``keep`` modules (document modules, classes) exactly
    as Excel wrote them, compiled part, offset and cookie included, plus ``modules`` as source only.

    ``_VBA_PROJECT`` is the template's: version 0xFFFF, which tells the VBA host that no performance
    cache in the file is valid for it ([MS-OVBA] 1.6), so it compiles every module from source.
    The template's ``__SRP_`` streams, if any, are caches too and are not copied.
    """
    missing = [k for k in keep if k not in template.modules]
    if missing:
        raise ValueError(f"the template has no module {missing[0]}")
    names = keep + [m.name for m in modules]
    if len({n.casefold() for n in names}) != len(names):
        raise ValueError("two VBA modules have the same name")
    vba = Storage(
        "VBA",
        [
            Stream("_VBA_PROJECT", template.vba_project),
            Stream("dir", compress(_dir_stream(name, template, keep, modules))),
            *[Stream(k, template.streams[k]) for k in keep],
            *[Stream(m.name, compress(m.source())) for m in modules],
        ],
    )
    root = Storage(
        "Root Entry",
        [
            vba,
            Stream("PROJECT", _project_stream(name, project_id, template, keep, modules)),
            Stream("PROJECTwm", _project_wm(names)),
        ],
    )
    return write_compound_file(root)
