"""A minimal [MS-CFB] compound file writer (version 3, 512-byte sectors), for vbaProject.bin, and the
reader the add-in build needs to take streams out of an Excel-made vbaProject.bin.

The writer writes storages and streams, puts streams under 4,096 bytes in the mini stream as the format
requires, and builds each storage's directory tree as a valid red-black tree. Timestamps are
zero, so the same input always gives the same bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

SECTOR = 512
MINI = 64
MINI_CUTOFF = 4096
FREE, END, FAT_SECTOR, NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


@dataclass
class Stream:
    name: str
    data: bytes


@dataclass
class Storage:
    name: str
    children: list[Stream | Storage] = field(default_factory=list)


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[int] = field(default_factory=list)
    left: int = NONE
    right: int = NONE
    child: int = NONE
    black: bool = True
    start: int = END
    size: int = 0


def _key(name: str) -> tuple[int, str]:
    """[MS-CFB] 2.6.4: shorter names sort first, then by upper-cased characters."""
    return len(name), name.upper()


def _tree(entries: list[_Entry], ids: list[int], depth: int = 0, deepest: int | None = None) -> int:
    """A balanced tree of ``ids`` (sorted); nodes on the deepest level red, others black."""
    if not ids:
        return NONE
    if deepest is None:
        deepest = (len(ids)).bit_length() - 1
    middle = len(ids) // 2
    node = ids[middle]
    entries[node].black = depth < deepest or depth == 0
    entries[node].left = _tree(entries, ids[:middle], depth + 1, deepest)
    entries[node].right = _tree(entries, ids[middle + 1 :], depth + 1, deepest)
    return node


def _flatten(root: Storage) -> list[_Entry]:
    entries = [_Entry(root.name, 5)]

    def add(storage: Storage, index: int) -> None:
        for child in storage.children:
            if len(child.name) > 31:
                raise ValueError(f"compound file names are at most 31 characters: {child.name}")
            entries.append(_Entry(child.name, 1 if isinstance(child, Storage) else 2, data=getattr(child, "data", b"")))
            entries[index].children.append(len(entries) - 1)
            if isinstance(child, Storage):
                add(child, len(entries) - 1)

    add(root, 0)
    for entry in entries:
        ordered = sorted(entry.children, key=lambda i: _key(entries[i].name))
        entry.child = _tree(entries, ordered)
    return entries


def write_compound_file(root: Storage) -> bytes:
    entries = _flatten(root)
    # small streams live in the mini stream, chained in the mini FAT
    mini_fat: list[int] = []
    mini_stream = bytearray()
    large: list[_Entry] = []
    for entry in entries:
        if entry.kind != 2:
            continue
        entry.size = len(entry.data)
        if entry.size == 0:
            entry.start = END
        elif entry.size < MINI_CUTOFF:
            first = len(mini_fat)
            count = -(-entry.size // MINI)
            mini_fat += [first + i + 1 for i in range(count - 1)] + [END]
            mini_stream += entry.data.ljust(count * MINI, b"\x00")
            entry.start = first
        else:
            large.append(entry)

    def sectors(n: int) -> int:
        return -(-n // SECTOR)

    directory = bytearray()
    # regular sectors, in order: directory, mini FAT, mini stream, large streams, then the FAT
    directory_count = sectors(len(entries) * 128)
    mini_fat_bytes = b"".join(struct.pack("<I", v) for v in mini_fat)
    chains: list[tuple[int, int]] = []  # (first sector, count)
    next_sector = 0

    def allocate(count: int) -> int:
        nonlocal next_sector
        first = next_sector
        chains.append((first, count))
        next_sector += count
        return first

    directory_start = allocate(directory_count)
    mini_fat_start = allocate(sectors(len(mini_fat_bytes))) if mini_fat else END
    mini_stream_start = allocate(sectors(len(mini_stream))) if mini_stream else END
    for entry in large:
        entry.start = allocate(sectors(entry.size))
    entries[0].start, entries[0].size = mini_stream_start, len(mini_stream)

    used = next_sector
    fat_count = 1
    while fat_count * (SECTOR // 4) < used + fat_count:
        fat_count += 1
    if fat_count > 109:
        raise ValueError("vbaProject too large for this writer (over 109 FAT sectors)")
    fat = [FREE] * (fat_count * (SECTOR // 4))
    for first, count in chains:
        for i in range(count):
            fat[first + i] = first + i + 1 if i < count - 1 else END
    fat_start = used
    for i in range(fat_count):
        fat[fat_start + i] = FAT_SECTOR

    for entry in entries:
        name = entry.name.encode("utf-16-le") + b"\x00\x00"
        directory += struct.pack(
            "<64sHBBIII16sIQQIQ",
            name,
            len(name),
            entry.kind,
            1 if entry.black else 0,
            entry.left,
            entry.right,
            entry.child,
            b"\x00" * 16,
            0,
            0,
            0,
            entry.start if entry.kind != 1 else 0,
            entry.size,
        )
    while len(directory) % SECTOR:
        directory += struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NONE, NONE, NONE, b"\x00" * 16, 0, 0, 0, 0, 0)

    difat = [fat_start + i for i in range(fat_count)] + [FREE] * (109 - fat_count)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("D0CF11E0A1B11AE1"),
        b"\x00" * 16,
        0x003E,
        0x0003,
        0xFFFE,
        9,
        6,
        b"\x00" * 6,
        0,
        fat_count,
        directory_start,
        0,
        MINI_CUTOFF,
        mini_fat_start,
        sectors(len(mini_fat_bytes)),
        END,
        0,
    ) + b"".join(struct.pack("<I", v) for v in difat)

    def pad(data: bytes | bytearray) -> bytes:
        return bytes(data) + b"\x00" * (-len(data) % SECTOR)

    body = bytearray()
    body += pad(directory)
    if mini_fat:
        body += pad(mini_fat_bytes + struct.pack("<I", FREE) * ((-len(mini_fat_bytes) % SECTOR) // 4))
    if mini_stream:
        body += pad(mini_stream)
    for entry in large:
        body += pad(entry.data)
    body += b"".join(struct.pack("<I", v) for v in fat)
    return header + bytes(body)


def read_compound_file(data: bytes) -> dict[str, bytes]:
    """Every stream of a compound file (version 3 or 4), by path ("VBA/dir"), as [MS-CFB] 2 lays it out."""
    if data[:8] != bytes.fromhex("D0CF11E0A1B11AE1"):
        raise ValueError("not a compound file")
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    sector_size, mini_size = 1 << shift, 1 << mini_shift
    (directory_start, _, cutoff, mini_fat_start, _, difat_start, difat_count) = struct.unpack_from(
        "<IIIIIII", data, 0x30
    )

    def sector(index: int) -> bytes:
        offset = (index + 1) * sector_size
        return data[offset : offset + sector_size]

    fat_sectors = [v for v in struct.unpack_from("<109I", data, 0x4C) if v not in (FREE, END)]
    while difat_count and difat_start not in (FREE, END):
        values = struct.unpack(f"<{sector_size // 4}I", sector(difat_start))
        fat_sectors += [v for v in values[:-1] if v not in (FREE, END)]
        difat_start, difat_count = values[-1], difat_count - 1
    fat = [v for s in fat_sectors for v in struct.unpack(f"<{sector_size // 4}I", sector(s))]

    def chain(start: int, table: list[int]) -> list[int]:
        out: list[int] = []
        while start not in (END, FREE):
            if len(out) > len(table):
                raise ValueError("a sector chain loops")
            out.append(start)
            start = table[start]
        return out

    def read(start: int) -> bytes:
        return b"".join(sector(s) for s in chain(start, fat))

    directory = read(directory_start)
    entries = [struct.unpack_from("<64sHBBIII16sIQQIQ", directory, i) for i in range(0, len(directory), 128)]
    mini_fat_bytes = read(mini_fat_start) if mini_fat_start not in (END, FREE) else b""
    mini_fat = list(struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes))
    root = entries[0]
    mini_stream = read(root[11])[: root[12]] if root[11] not in (END, FREE) else b""

    def content(entry: tuple[Any, ...]) -> bytes:
        start, size = entry[11], entry[12] & 0xFFFFFFFF if shift == 9 else entry[12]
        if size < cutoff:
            return b"".join(mini_stream[s * mini_size : (s + 1) * mini_size] for s in chain(start, mini_fat))[:size]
        return read(start)[:size]

    streams: dict[str, bytes] = {}

    def walk(index: int, prefix: str) -> None:
        if index == NONE:
            return
        entry = entries[index]
        name = entry[0][: max(entry[1] - 2, 0)].decode("utf-16-le")
        walk(entry[4], prefix)
        walk(entry[5], prefix)
        if entry[2] == 2:
            streams[prefix + name] = content(entry)
        elif entry[2] == 1:
            walk(entry[6], prefix + name + "/")

    walk(root[6], "")
    return streams
