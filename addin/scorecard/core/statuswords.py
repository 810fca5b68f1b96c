"""The words a RAG column is written in: the workbook's own.

Councils write a RAG status as the word ("Green") or its initial ("G"), in title, upper or lower case,
and their summary sheets count the column in that spelling (``=COUNTIF(H:H,"G")``). A refresh that
wrote "Green" over a column of "G" would leave such a count at zero, so the column keeps the spelling
it already has: ``read_status_words`` finds it in the statuses the column holds (typed, or a formula's
last result), and ``layout.rag_text`` in the rules chooses it for a column not yet filled. "No data" and
"Not rated" have no initials; they are written as words in the column's case.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from .model import Rag

RagText = Literal["words", "initials"]
Case = Literal["title", "upper", "lower"]
_RATINGS = (Rag.GREEN, Rag.AMBER, Rag.RED)
_WORDS = {rag.value.casefold(): rag for rag in Rag}
_INITIALS = {rag.value[0].casefold(): rag for rag in _RATINGS}


def status_of(text: object) -> Rag | None:
    """The status a RAG cell shows, in any of the spellings: "Green", "GREEN", "G", "g", "No data"."""
    if not isinstance(text, str):
        return None
    key = " ".join(text.split()).casefold()
    return _WORDS.get(key) or _INITIALS.get(key)


def status_words(text: RagText = "words", case: Case = "title") -> dict[Rag, str]:
    """What each status is written as."""
    words = {}
    for rag in Rag:
        word = rag.value[0] if text == "initials" and rag in _RATINGS else rag.value
        words[rag] = word.upper() if case == "upper" else word.lower() if case == "lower" else word
    return words


DEFAULT_WORDS = status_words()


def _style(written: str) -> tuple[RagText, Case]:
    if len(written) == 1:
        return "initials", "lower" if written.islower() else "title"  # "G" is an initial's title case
    if written.isupper():
        return "words", "upper"
    return "words", "lower" if written.islower() else "title"


def read_status_words(cells: Iterable[object], chosen: RagText | None = None) -> tuple[dict[Rag, str], str | None]:
    """The spelling a RAG column is written in, from the Green, Amber and Red it holds now (typed, or a
    formula's last result; initials only when two different ones are there), or as ``chosen`` by the rules:
    (the words, a note when the column mixes spellings and the rules' or the default spelling is used instead)."""
    seen = [
        (" ".join(cell.split()), status_of(cell))
        for cell in cells
        if isinstance(cell, str) and status_of(cell) in _RATINGS
    ]
    styles = {_style(text) for text, _ in seen}
    if {text for text, _ in styles} == {"initials"} and len({rag for _, rag in seen}) < 2:
        styles = set()  # one initial alone ("A" for Achieved?) is no evidence of a column of initials
    if chosen is not None:
        cases = {case for text, case in styles if text == chosen}
        note = (
            None
            if {text for text, _ in styles} <= {chosen}
            else f"the RAG column holds statuses spelt otherwise; they are written as layout.rag_text: {chosen} says"
        )
        return status_words(chosen, cases.pop() if len(cases) == 1 else "title"), note
    if len(styles) == 1:
        return status_words(*next(iter(styles))), None
    if styles:
        return DEFAULT_WORDS, (
            "the RAG column mixes spellings of the statuses (such as 'G' and 'Green'), so they are written "
            "as words (Green, Amber, Red); set layout.rag_text to initials or words to choose"
        )
    return DEFAULT_WORDS, None


_NO_FIGURE_CHOICES = ("no data", "n/a", "na", "nd", "-", "–", "—", "tbc", "not rated", "nr", "blank")


def listed_words(choices: Iterable[str]) -> dict[Rag, str] | None:
    """The statuses as a list data validation of the RAG column spells them (G, A, R; green, amber, red), or
    None when the list does not name Green, Amber and Red. No data and Not rated take the list's own word for
    them where it has one (No data, N/A, -), else the words in the list's case."""
    listed = [" ".join(c.split()) for c in choices if isinstance(c, str) and c.strip()]
    found = {}
    for word in listed:
        rag = status_of(word)
        if rag is not None and rag not in found:
            found[rag] = word
    if not all(rag in found for rag in _RATINGS):
        return None
    text, case = _style(found[Rag.GREEN])
    words = status_words(text, case)
    words.update(found)
    spare = next((w for w in listed if w.casefold() in _NO_FIGURE_CHOICES and status_of(w) is None), None)
    for rag in (Rag.NO_DATA, Rag.NOT_RATED):
        if rag not in found and spare is not None:
            words[rag] = spare
    return words
