"""Richly formatted scorecards, written by XlsxWriter as Excel lays them out, one feature at a time or all.

Parts XlsxWriter cannot write (custom XML, a ribbon customisation) are added to the package the way
Excel stores them. Each fixture is a realistic scorecard: a KPI table (inside an Excel table when
asked), a hidden lookup sheet, and whatever features it is built with.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import xlsxwriter

from xlwings_vba import vba_project
from zipparts import rewrite

FEATURES = [
    "chart",
    "sparklines",
    "image",
    "validation",
    "conditional",
    "comments",
    "hyperlinks",
    "names",
    "hidden_sheet",
    "table",
    "protection",
    "print",
    "custom_xml",
    "formulas",
]
MACRO_FEATURES = ["macros", "ribbon"]

RULES = """\
version: 1
title: Corpus Scorecard
layout:
  sheet: Scorecard
  columns: {id: Ref, name: Indicator, polarity: Polarity, target: Target, floor: Floor,
            previous: May-18, current: Jun-18, rag: RAG, direction: DOT}
"""

HEADER = ["Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18", "RAG", "DOT", "Trend", "Source"]
ROWS = [
    (
        f"K{i:02d}",
        f"Indicator {i}",
        "H" if i % 3 else "L",
        80.0 if i % 3 else 70.0,
        70.0 if i % 3 else 80.0,
        60.0 + i * 3,
        62.0 + i * 3.5,
    )
    for i in range(1, 11)
]


def png() -> bytes:
    """A 4x4 red PNG, made here so no image file is needed."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def build(path: Path, features: set[str]) -> Path:
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    book.set_properties({"created": __import__("datetime").datetime(2024, 1, 1)})
    ws = book.add_worksheet("Scorecard")
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    number = book.add_format({"num_format": "0.0", "border": 1})
    ws.set_column("A:A", 8)
    ws.set_column("B:B", 30)
    ws.set_column("C:K", 11)
    ws.freeze_panes(1, 1)
    last = len(ROWS) + 1
    if "table" in features:
        ws.add_table(
            0,
            0,
            last - 1,
            len(HEADER) - 1,
            {"name": "KpiTable", "style": "Table Style Light 9", "columns": [{"header": h} for h in HEADER]},
        )
    else:
        ws.write_row(0, 0, HEADER, bold)
    for r, (kid, name, pol, target, floor, may, jun) in enumerate(ROWS, start=1):
        ws.write_row(r, 0, [kid, name, pol])
        for c, v in enumerate((target, floor, may, jun), start=3):
            ws.write_number(r, c, v, number)
        ws.write_string(r, 10, "Team return")
    lookup = book.add_worksheet("Lookup")
    lookup.write_column(0, 0, ["H", "L", "T"])
    if "hidden_sheet" in features:
        lookup.hide()
    if "protection" in features:
        lookup.protect("secret")
    if "chart" in features:
        chart = book.add_chart({"type": "line"})
        chart.add_series(
            {"name": "May-18", "categories": f"=Scorecard!$A$2:$A${last}", "values": f"=Scorecard!$F$2:$F${last}"}
        )
        chart.add_series(
            {"name": "Jun-18", "categories": f"=Scorecard!$A$2:$A${last}", "values": f"=Scorecard!$G$2:$G${last}"}
        )
        ws.insert_chart("M2", chart)
    if "sparklines" in features:
        for r in range(2, last + 1):
            ws.add_sparkline(f"J{r}", {"range": f"Scorecard!F{r}:G{r}", "markers": True})
    if "image" in features:
        ws.insert_image("M20", "logo.png", {"image_data": io.BytesIO(png())})
    if "validation" in features:
        ws.data_validation(1, 2, last - 1, 2, {"validate": "list", "source": "=Lookup!$A$1:$A$3"})
        ws.data_validation(
            1, 3, last - 1, 4, {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100}
        )
    if "conditional" in features:
        ws.conditional_format(
            f"G2:G{last}", {"type": "data_bar", "bar_negative_color": "#FF0000", "data_bar_2010": True}
        )
        ws.conditional_format(f"F2:F{last}", {"type": "icon_set", "icon_style": "3_arrows"})
        ws.conditional_format(f"D2:E{last}", {"type": "3_color_scale"})
    if "comments" in features:
        ws.write_comment("B2", "Definition agreed with the Corporate Parenting Panel, 2018.", {"author": "Analyst"})
        ws.write_comment("G3", "Provisional figure.")
    if "hyperlinks" in features:
        ws.write_url(f"K{last}", "https://www.example.org/cic-report", string="Published report")
        ws.write_url("K2", "internal:Lookup!A1", string="Polarity codes")
    if "names" in features:
        book.define_name("Targets", f"=Scorecard!$D$2:$D${last}")
        book.define_name("Lookup!Codes", "=Lookup!$A$1:$A$3")
    if "print" in features:
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
        ws.print_area(0, 0, last - 1, len(HEADER) - 1)
        ws.set_header("&LChildren in Care&RPage &P of &N")
        ws.set_footer("&CConfidential")
    if "formulas" in features:  # a summary counting the RAG column, as analysts build them
        summary = book.add_worksheet("Summary")
        for r, status in enumerate(("Green", "Amber", "Red")):
            summary.write_string(r, 0, status)
            summary.write_formula(r, 1, f'=COUNTIF(Scorecard!$H$2:$H${last},"{status}")', None, 0)
    if "macros" in features:
        book.add_vba_project(str(vba_project()))
    book.close()
    if "formulas" in features:  # saved as Excel saves it: no full recalculation pending (XlsxWriter asks for one)
        _edit(
            path,
            "xl/workbook.xml",
            lambda xml: xml.replace(b'<calcPr calcId="124519" fullCalcOnLoad="1"/>', b'<calcPr calcId="191029"/>'),
        )
    if "custom_xml" in features:
        _inject(
            path,
            {
                "customXml/item1.xml": b'<?xml version="1.0" encoding="UTF-8"?><scorecard '
                b'xmlns="urn:example:scorecard"><owner>Performance Team</owner></scorecard>'
            },
            rels=(
                "xl/_rels/workbook.xml.rels",
                "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml",
                "../customXml/item1.xml",
            ),
        )
    if "ribbon" in features:
        ribbon = (
            b'<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui"><ribbon><tabs>'
            b'<tab id="teamTab" label="Team"><group id="g" label="Team"><button id="b" label="Hello" onAction="Hello"/>'
            b"</group></tab></tabs></ribbon></customUI>"
        )
        _inject(
            path,
            {"customUI/customUI14.xml": ribbon},
            rels=(
                "_rels/.rels",
                "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility",
                "customUI/customUI14.xml",
            ),
        )
    return path


def _edit(path: Path, part: str, change) -> None:
    def edited(data: bytes) -> bytes:
        new = change(data)
        assert new != data, f"{part} not edited"
        return new

    path.write_bytes(rewrite(path, {part: edited}))


def _inject(path: Path, parts: dict[str, bytes], rels: tuple[str, str, str]) -> None:
    rels_part, kind, target = rels
    relationship = f'<Relationship Id="rIdInjected" Type="{kind}" Target="{target}"/></Relationships>'.encode()
    changes = {rels_part: lambda data: data.replace(b"</Relationships>", relationship), **parts}
    path.write_bytes(rewrite(path, changes))


def fixtures() -> list[tuple[str, set[str], str]]:
    """(name, features, suffix): every feature alone, in .xlsx, and all together in .xlsx and .xlsm."""
    out = [(feature, {feature}, ".xlsx") for feature in FEATURES]
    out += [("macros", {"macros"}, ".xlsm"), ("ribbon", {"macros", "ribbon"}, ".xlsm")]
    out += [("everything", set(FEATURES), ".xlsx"), ("everything-macros", set(FEATURES) | set(MACRO_FEATURES), ".xlsm")]
    return out
