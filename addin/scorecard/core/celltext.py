"""What one Excel cell can hold: a refresh never writes more.

An Excel cell holds at most 32,767 characters (counted as Excel counts them, in UTF-16 code units: an
emoji is two). A narrative paragraph quoting a long commentary can pass that; Excel then refuses the
whole file ("We found a problem with some content"). ``fit_cell`` cuts such a text, ending it with a
marker that says so, and ``cut_finding`` is the finding that names the cell (SC850). Both the file writer and
the Excel writer take their text from the plan, so both write the same cut text.
"""

from __future__ import annotations

from .findings import Finding, Where

MAX_CELL_CHARACTERS = 32_767


def excel_length(text: str) -> int:
    """The text's length as Excel counts it (UTF-16 code units)."""
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF) if not text.isascii() else len(text)


def cut_mark(length: int) -> str:
    return f" [… cut here: the full text is {length:,} characters, more than the {MAX_CELL_CHARACTERS:,} a cell holds]"


def fit_cell(text: str) -> str:
    """``text``, or when it is longer than a cell holds, its start and ``cut_mark``: at most
    ``MAX_CELL_CHARACTERS`` in all, cut between characters (never inside a surrogate pair)."""
    length = excel_length(text)
    if length <= MAX_CELL_CHARACTERS:
        return text
    mark = cut_mark(length)
    room = MAX_CELL_CHARACTERS - excel_length(mark)
    kept, used = [], 0
    for character in text:
        used += 2 if ord(character) > 0xFFFF else 1
        if used > room:
            break
        kept.append(character)
    return "".join(kept).rstrip() + mark


def cut_finding(sheet: str, cell: str, length: int) -> Finding:
    return Finding(
        "SC850",
        f"the text is {length:,} characters, more than the {MAX_CELL_CHARACTERS:,} an Excel cell holds; it is cut "
        "there, with a note saying so. The whole text is in the narrative command's output and the Word report; "
        "shorten the commentary it quotes to keep it whole in the workbook",
        Where(sheet=sheet, cell=cell),
    )
