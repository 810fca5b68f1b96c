"""A sheet's list data validations: the words a cell may hold, as the validation lists them.

Councils give a RAG column a drop-down (Data > Data Validation > List) of G, A, R or Green, Amber, Red,
and summary cells count it in those words (``=COUNTIF(H:H,"G")``). A refresh writes the column in the
list's own words, so the file reader hands the lists to the reading as ``Grid.choices``.

A list is written three ways, all read here: inline (``"G,A,R"``), a range (``$Z$1:$Z$3`` or
``Lists!$A$1:$A$3``, on this sheet or another; Excel 2010 writes one on another sheet as an x14
extension), or a defined name standing for such a range.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..core.a1 import Area, parse_range, within_excel
from .ooxml import X14, XM, q

MAIN_TAG, X14_TAG = q("dataValidation"), f"{{{X14}}}dataValidation"
_SHEET_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^!'\s]+))!(.+)$")
MAX_CHOICES = 1000  # a list longer than this is not a short list of statuses: not read


@dataclass(frozen=True)
class ListValidation:
    """One list validation: the ranges it covers (sqref) and its source as written (formula1)."""

    sqref: str
    source: str


def read(element: etree._Element) -> ListValidation | None:
    """A ``dataValidation`` element (of the main namespace or x14) as a list validation, or None."""
    if element.get("type") != "list":
        return None
    if element.tag == X14_TAG:
        formula = element.find(f"{{{X14}}}formula1/{{{XM}}}f")
        sqref = element.findtext(f"{{{XM}}}sqref") or ""
    else:
        formula = element.find(q("formula1"))
        sqref = element.get("sqref", "")
    source = (formula.text or "").strip() if formula is not None else ""
    return ListValidation(sqref, source) if source and sqref else None


def choices(
    validations: Sequence[ListValidation],
    own_sheet: str,
    value_at: Callable[[str, int, int], Any],
    defined_names: dict[str, str],
) -> dict[int, tuple[str, ...]]:
    """Column -> the words its list validation allows, for every column a list covers. ``value_at(sheet,
    row, column)`` reads a cell of a list kept in a range; ``defined_names`` maps a name to its range."""
    by_column: dict[int, tuple[str, ...]] = {}
    for validation in validations:
        words = _words(validation.source, own_sheet, value_at, defined_names)
        if not words:
            continue
        for first_column, last_column in _columns(validation.sqref):
            for column in range(first_column, last_column + 1):
                by_column.setdefault(column, words)
    return by_column


def _words(
    source: str, own_sheet: str, value_at: Callable[[str, int, int], Any], defined_names: dict[str, str]
) -> tuple[str, ...]:
    source = source.lstrip("=").strip()
    if source.startswith('"') and source.endswith('"') and len(source) >= 2:
        return tuple(w.strip() for w in source[1:-1].replace('""', '"').split(",") if w.strip())
    source = defined_names.get(source.casefold(), source)
    match = _SHEET_REF.match(source)
    sheet, ref = (
        (match.group(1).replace("''", "'") if match.group(1) else match.group(2), match.group(3))
        if match
        else (own_sheet, source)
    )
    area = _area(ref)
    if area is None or (area[2] - area[0] + 1) * (area[3] - area[1] + 1) > MAX_CHOICES:
        return ()
    words = []
    for row in range(area[0], area[2] + 1):
        for column in range(area[1], area[3] + 1):
            value = value_at(sheet, row, column)
            if value is not None and str(value).strip():
                words.append(str(value).strip())
    return tuple(words)


def _area(ref: str) -> Area | None:
    area = parse_range(ref)
    if area is None or not (within_excel(area[0], area[1]) and within_excel(area[2], area[3])):
        return None
    return area


def _columns(sqref: str) -> list[tuple[int, int]]:
    spans = []
    for ref in sqref.split():
        area = _area(ref)
        if area is not None:
            spans.append((area[1], area[3]))
    return spans


def defined_names(workbook_root: etree._Element) -> dict[str, str]:
    """The workbook's defined names (global ones), by name folded to lower case -> what they stand for."""
    names = workbook_root.find(q("definedNames"))
    return {
        (n.get("name") or "").casefold(): (n.text or "").strip().lstrip("=")
        for n in (names if names is not None else ())
        if n.get("localSheetId") is None and n.get("name")
    }
