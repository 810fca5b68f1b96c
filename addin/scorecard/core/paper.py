"""The committee paper's particulars: the rules' ``report:`` block, read and checked.

A council's performance paper is more than its summary of performance: a box with its purpose and
recommendation, an introduction and the context, the recommendations and the background documents,
and the meeting it goes to and the one before. The ``report:`` block of the rules gives them::

    report:
      committee: Corporate Parenting Panel
      meeting: 2018-09-18
      previous_meeting: {date: 2018-07-17, period: May 2018}   # or only the date
      author: Jane Smith, Performance and Information Manager
      contact: jane.smith@kent.gov.uk, 03000 000000
      purpose: The latest performance Scorecard for {period} is attached to this report.
      recommendation: Members of the {committee} are asked to NOTE and COMMENT on the performance data.
      introduction: [Performance scorecards have been developed to ..., This report includes ... {period}.]
      context: The Children in Care Scorecard has been developed to ...
      background: [None]
      commentary: hold          # or flag: what the paper does with commentary the figures contradict
      nouns: {CIC12: cases}     # the word a count's figures are written with: "15.8 cases"

Texts may name ``{period}``, ``{previous}``, ``{title}``, ``{committee}``, ``{meeting}`` and
``{previous_meeting}``; any other name in braces is refused, naming the YAML line. Every key is optional:
without one the paper says what the figures support and ``check`` notes what is missing (``notes``).
Pure: no file is read here; ``rules`` hands over the parsed block with its line numbers.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import RulesError
from .findings import Finding, Where
from .periods import MONTHS

FIELDS = ("period", "previous", "title", "committee", "meeting", "previous_meeting")
TEXT_KEYS = ("committee", "author", "contact", "purpose", "recommendation", "subject", "classification")
LIST_KEYS = ("introduction", "context", "background")
# what a paper is poorer without, in the order check notes them
WANTED = ("committee", "meeting", "previous_meeting", "author", "contact", "purpose", "recommendation")
WANTED_WHY = {
    "committee": "the paper names no committee",
    "meeting": "the paper gives no meeting date",
    "previous_meeting": "section 3 cannot name the meeting the last scorecard went to",
    "author": "the paper names no author",
    "contact": "the paper gives no contact details",
    "purpose": "the summary box gives a purpose worded from the figures",
    "recommendation": "the paper recommends that members note and comment on the performance data",
}

_DATE = re.compile(r"^\s*(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\s+(\d{4})\s*$")


@dataclass(frozen=True)
class Paper:
    """What the rules say of the paper; every part optional. ``lines`` keeps each key's YAML line."""

    committee: str | None = None
    meeting: dt.date | None = None
    previous_meeting: dt.date | None = None
    previous_period: str | None = None  # the period the scorecard at the previous meeting was for
    author: str | None = None
    contact: str | None = None
    subject: str | None = None  # default: the rules' title
    classification: str | None = None
    purpose: str | None = None
    recommendation: str | None = None
    introduction: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    background: tuple[str, ...] = ()
    commentary: Literal["hold", "flag"] = "hold"
    nouns: Mapping[str, str] = field(default_factory=dict)  # KPI id -> the plural noun its counts are written with
    given: bool = False  # the rules have a report: block at all
    line: int | None = field(default=None, compare=False)  # the block's own line
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, hash=False)

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key, self.line)

    def noun(self, kpi_id: str) -> str | None:
        return self.nouns.get(kpi_id)


DEFAULT = Paper()


def long_date(day: dt.date) -> str:
    """17 July 2018: the date as a council paper writes it."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _date(value: Any, key: str, source: str, line: int | None) -> dt.date:
    """A YAML date (2018-07-17, read as a date) or a text one: "2018-07-17", "17 July 2018", "17th July 2018"."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
        match = _DATE.match(value)
        if match:
            month = next((i for i, m in enumerate(MONTHS, 1) if m.lower().startswith(match.group(2).lower()[:3])), 0)
            if month and len(match.group(2)) >= 3:
                try:
                    return dt.date(int(match.group(3)), month, int(match.group(1)))
                except ValueError:
                    pass
    raise RulesError(
        f"report.{key}: {value!r} is not a date; write it as 2018-07-17 or 17 July 2018", file=source, line=line
    )


def _check_fields(text: str, key: str, source: str, line: int | None) -> str:
    """The text, once every {name} in it is one the paper fills in."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as error:
        raise RulesError(
            f"report.{key}: {error}; write a brace as {{{{ or }}}} when it is not a field", file=source, line=line
        ) from None
    for name in names:
        if name not in FIELDS:
            raise RulesError(
                f"report.{key}: unknown field {{{name}}}; the fields are " + ", ".join(f"{{{f}}}" for f in FIELDS),
                file=source,
                line=line,
            )
    return text


def _texts(value: Any, key: str, source: str, line: int | None) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    item_lines = getattr(value, "lines", None) or [line] * len(items)
    return tuple(
        _check_fields(" ".join(str(item).split()), key, source, at)
        for item, at in zip(items, item_lines, strict=False)
        if str(item).strip()
    )


def parse_paper(raw: Any, source: str = "<rules>") -> Paper:
    """The ``report:`` block (a mapping the rules loader made, with ``line`` and ``lines``), or None for no block.

    The schema has already checked the keys and their types; dates and {fields} are checked here."""
    if raw is None:
        return DEFAULT
    lines: dict[str, int] = dict(getattr(raw, "lines", {}) or {})
    line = getattr(raw, "line", None)

    def at(key: str) -> int | None:
        return lines.get(key, line)

    values: dict[str, Any] = {}
    for key in TEXT_KEYS:
        if raw.get(key) is not None and str(raw[key]).strip():
            values[key] = _check_fields(" ".join(str(raw[key]).split()), key, source, at(key))
    for key in LIST_KEYS:
        if raw.get(key) is not None:
            values[key] = _texts(raw[key], key, source, at(key))
    if raw.get("meeting") is not None:
        values["meeting"] = _date(raw["meeting"], "meeting", source, at("meeting"))
    previous = raw.get("previous_meeting")
    if isinstance(previous, Mapping):
        inner = getattr(previous, "lines", {}) or {}
        for key in previous:
            if key not in ("date", "period"):
                raise RulesError(
                    f"unknown key '{key}' in report.previous_meeting; allowed keys: date, period",
                    file=source,
                    line=inner.get(key, at("previous_meeting")),
                )
        if previous.get("date") is None:
            raise RulesError(
                "report.previous_meeting needs a date: {date: 2018-07-17, period: May 2018}",
                file=source,
                line=at("previous_meeting"),
            )
        values["previous_meeting"] = _date(
            previous.get("date"), "previous_meeting.date", source, inner.get("date", at("previous_meeting"))
        )
        if previous.get("period") is not None:
            values["previous_period"] = " ".join(str(previous["period"]).split())
    elif previous is not None:
        values["previous_meeting"] = _date(previous, "previous_meeting", source, at("previous_meeting"))
    meeting, before = values.get("meeting"), values.get("previous_meeting")
    if meeting and before and before >= meeting:
        raise RulesError(
            f"report.previous_meeting ({long_date(before)}) is not before report.meeting ({long_date(meeting)})",
            file=source,
            line=at("previous_meeting"),
        )
    nouns = {}
    raw_nouns = raw.get("nouns") or {}
    for kpi_id, noun in raw_nouns.items():
        if not isinstance(noun, str) or not noun.strip():
            raise RulesError(
                f"report.nouns.{kpi_id}: {noun!r} is not a word; write the noun its figures count, e.g. cases",
                file=source,
                line=(getattr(raw_nouns, "lines", None) or {}).get(kpi_id, at("nouns")),
            )
        nouns[str(kpi_id).strip()] = " ".join(noun.split())
    return Paper(
        **values,
        commentary=raw.get("commentary", "hold"),
        nouns=nouns,
        given=True,
        line=line,
        lines=lines,
    )


def fill(text: str, values: Mapping[str, str]) -> str:
    """A text of the rules with its {fields} filled in (checked when the rules were read)."""
    return text.format_map(dict(values))


def notes(paper: Paper, counted: Mapping[str, str] | None = None) -> list[Finding]:
    """What check notes of the paper: no report: block, or the keys a whole paper wants and the block lacks;
    and each KPI whose figures are a count (``counted``: id -> unit) with no noun to write them with."""
    found: list[Finding] = []
    if not paper.given:
        found.append(
            Finding(
                "SC703",  # finding: SC703
                "the rules have no report: block, so the committee paper's summary box, introduction, context and "
                "recommendation are worded from the figures alone and name no committee, meeting or author; add "
                "report: with committee, meeting, previous_meeting, author, contact, purpose and recommendation",
            )
        )
    else:
        for key in WANTED:
            if getattr(paper, key) is None:
                found.append(
                    Finding(
                        "SC704",  # finding: SC704
                        f"report.{key} is not given: {WANTED_WHY[key]}",
                        Where(line=paper.line),
                    )
                )
    for kpi_id, unit in (counted or {}).items() if paper.given else ():
        if paper.noun(kpi_id) is None:
            found.append(
                Finding(
                    "SC707",  # finding: SC707
                    f"KPI '{kpi_id}' is a {unit} with no noun: the paper writes its figures bare (\"15.8\"); "
                    f"name what it counts in report.nouns (e.g. {kpi_id}: cases)",
                    Where(line=paper.line_of("nouns")),
                )
            )
    return found
