"""What tests assert of findings: their codes and places, not their wording (core/findings.py)."""

from __future__ import annotations

from collections.abc import Iterable

from scorecard.core.findings import Finding


def codes(findings: Iterable[Finding]) -> list[str]:
    """The findings' codes, in order."""
    return [f.code for f in findings]


def cells(findings: Iterable[Finding], code: str) -> list[str | None]:
    """The cells (or ranges) of the findings with this code, in order."""
    return [f.where.cell for f in findings if f.code == code]


def one(findings: Iterable[Finding], code: str) -> Finding:
    """The one finding with this code (an assertion error when there are none or several)."""
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, [f.line() for f in findings]
    return matching[0]


PAPER = tuple(f"SC7{n:02d}" for n in range(3, 100))  # notes of the committee paper check adds (core.committee)


def printed(text: str, paper: bool = False) -> list[str]:
    """The codes of the findings a command printed (``warning SC301 ...`` lines), in order; the committee
    paper's notes (SC703-SC799: no report: block, commentary held back ...) only with ``paper``."""
    found = [word for line in text.splitlines() for word in line.split()[1:2] if line.split()[0] in ("warning", "note")]
    return [code for code in found if paper or code not in PAPER]
