"""The same workbook spelled other legal ways: each function rewrites a package's XML parts.

Every rewrite keeps the XML's meaning (its infoset) and changes only how it is written, as other
writers do: single-quoted attributes, an ``x:`` prefix on the main namespace (the Open XML SDK's
habit), whitespace and newlines inside tags, character references for plain characters, CDATA
sections, comments and processing instructions between elements. Tags are rewritten by patterns
that rely on the input being XlsxWriter's or openpyxl's spelling (double quotes, no ">" in values),
which is what the tests feed them.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from zipparts import rewrite

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_TAG = re.compile(rb"<([A-Za-z_][^<>]*)>")  # start and empty tags (not </..., <?..., <!...)
_ATTRIBUTE = re.compile(rb'(\s)([\w:.-]+)="([^"]*)"')


def _in_tags(data: bytes, change: Callable[[bytes], bytes]) -> bytes:
    return _TAG.sub(lambda m: b"<" + change(m.group(1)) + b">", data)


def single_quotes(data: bytes) -> bytes:
    """name="value" -> name='value' (an apostrophe in a value becomes &apos;)."""
    return _in_tags(
        data,
        lambda tag: _ATTRIBUTE.sub(
            lambda m: m.group(1) + m.group(2) + b"='" + m.group(3).replace(b"'", b"&apos;") + b"'", tag
        ),
    )


def spaced(data: bytes) -> bytes:
    """Newlines and tabs between attributes, spaces around "=", before "/>" and in end tags."""

    def tag(text: bytes) -> bytes:
        empty = text.endswith(b"/")
        text = _ATTRIBUTE.sub(
            lambda m: b"\n\t " + m.group(2) + b' =\t"' + m.group(3) + b'"', text[:-1] if empty else text
        )
        return text + (b"\n/" if empty else b"\n")

    return re.sub(rb"</([\w:.-]+)>", rb"</\1 \n>", _in_tags(data, tag))


def prefixed(data: bytes, prefix: bytes = b"x") -> bytes:
    """The main namespace bound to a prefix instead of being the default, as the Open XML SDK writes."""
    if b'xmlns="' + MAIN + b'"' not in data:
        return data
    data = data.replace(b'xmlns="' + MAIN + b'"', b"xmlns:" + prefix + b'="' + MAIN + b'"')
    return re.sub(rb"<(/?)([A-Za-z_][\w.-]*)(?=[\s/>])", lambda m: b"<" + m.group(1) + prefix + b":" + m.group(2), data)


def _references(text: bytes) -> bytes:
    """Letters and digits of a text as character references, entities already there kept."""
    pieces = re.split(rb"(&[^;]+;)", text)
    return b"".join(
        p if p.startswith(b"&") else re.sub(rb"[0-9A-Za-z]", lambda m: b"&#%d;" % m.group()[0], p) for p in pieces
    )


def references(data: bytes) -> bytes:
    """Values and texts (v and t elements) with their letters and digits as &#NN; references."""
    data = re.sub(
        rb"(<(?:\w+:)?v>)([^<]*)(</(?:\w+:)?v>)", lambda m: m.group(1) + _references(m.group(2)) + m.group(3), data
    )
    return re.sub(
        rb"(<(?:\w+:)?t(?:\s[^>]*)?>)([^<]*)(</(?:\w+:)?t>)",
        lambda m: m.group(1) + _references(m.group(2)) + m.group(3),
        data,
    )


def cdata(data: bytes) -> bytes:
    """Values and texts as CDATA sections (a text holding "&..." keeps its entities but is split around them)."""

    def wrap(m: re.Match) -> bytes:
        pieces = re.split(rb"(&[^;]+;)", m.group(2))
        body = b"".join(p if p.startswith(b"&") else (b"<![CDATA[" + p + b"]]>" if p else b"") for p in pieces)
        return m.group(1) + body + m.group(3)

    data = re.sub(rb"(<(?:\w+:)?v>)([^<]*)(</(?:\w+:)?v>)", wrap, data)
    return re.sub(rb"(<(?:\w+:)?t(?:\s[^>]*)?>)([^<]*)(</(?:\w+:)?t>)", wrap, data)


def commented(data: bytes) -> bytes:
    """Comments and processing instructions that look like rows, cells and formulas, between real ones."""
    data = re.sub(rb"(<(?:\w+:)?c [^>]*?[^/]>)", rb"\1<!-- <f>SUM(A1)</f> -->", data)
    data = re.sub(rb"(</(?:\w+:)?row>)", rb"\1<!-- </row></sheetData> -->", data)
    return re.sub(
        rb"(<(?:\w+:)?sheetData>)",
        rb'\1<!-- <row r="1"><c r="A1"><v>99</v></c></row> --><?scorecard <row r="2"/>?>',
        data,
    )


SPELLINGS: dict[str, Callable[[bytes], bytes]] = {
    "single-quotes": single_quotes,
    "x-prefix": prefixed,
    "whitespace": spaced,
    "references": references,
    "cdata": cdata,
    "comments": commented,
    "everything": lambda data: single_quotes(spaced(prefixed(commented(references(data))))),
}


def respell(source: Path, target: Path, spelling: Callable[[bytes], bytes]) -> Path:
    """A copy of the package with every XML part rewritten by ``spelling``; other parts copied."""
    with zipfile.ZipFile(source) as archive:
        names = [name for name in archive.namelist() if name.endswith((".xml", ".rels"))]
    target.write_bytes(rewrite(source, dict.fromkeys(names, spelling)))
    return target
