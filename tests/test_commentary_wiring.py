"""Commentary checks as a user meets them: warnings from check, refresh, narrative and the ribbon's Check,
refused by --strict, with the analyst's words never edited; and --previous, last month's workbook."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

import openpyxl
import pytest

from clirun import run_cli
from conftest import write_book
from expect import printed
from remote import run_macro
from scorecard.core.commentary import contradictions
from scorecard.core.engine import evaluate
from scorecard.core.model import Kpi, Period, Polarity
from scorecard.excel import ribbon

HEADERS = ["Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18", "Commentary"]
RULES = (
    "version: 1\nlayout:\n  columns: {id: Ref, name: Indicator, polarity: Polarity, target: Target, floor: Floor, "
    "previous: May-18, current: Jun-18, commentary: Commentary}\n"
)
CLAIM = "Performance improved this month."  # K1 declined: contradicted
CLAIM_WARNING = (
    "sheet 'Scorecard', cell H2: KPI 'K1': the commentary says \"Performance improved this month.\", "
    "but it declined; check the commentary"
)


def book_rows(k1_words=f"Staff sickness is high. {CLAIM}", k2_words="Two new posts were filled.", k1_now=44.0):
    return [
        HEADERS,
        ["K1", "Visits on time", "H", 65, 40, 46.0, k1_now, k1_words],
        ["K2", "Average caseload", "L", 15, 18, 16.0, 17.0, k2_words],
        ["K3", "Care leavers in touch", "H", 90, 80, 85.0, 85.0, "Performance remained at 85.0%."],
    ]


@pytest.fixture
def files(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    return tmp_path / "book.xlsx", rules


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- check, refresh, narrative, the ribbon ---------------------------------------------------------


def test_check_warns_and_strict_refuses(files):
    book, rules = files
    write_book(book, book_rows())
    code, out, _ = run_cli("check", book, "--rules", rules)
    assert code == 0
    assert f"  warning SC701 {CLAIM_WARNING}" in out.splitlines()
    assert printed(out) == ["SC701"]  # K3's "remained at 85.0%" is true; K2 makes no claim
    code, _, _ = run_cli("check", book, "--rules", rules, "--strict")
    assert code == 1


def test_a_true_commentary_is_no_warning(files):
    book, rules = files
    write_book(book, book_rows(k1_words="Performance declined this month.", k1_now=44.0))
    code, out, _ = run_cli("check", book, "--rules", rules, "--strict")
    assert code == 0 and "warning" not in out


def test_refresh_warns_writes_and_leaves_the_words_alone(files):
    book, rules = files
    write_book(book, book_rows())
    code, _, err = run_cli("refresh", book, "--rules", rules)
    assert code == 0
    assert f"  warning SC701 {CLAIM_WARNING}" in err.splitlines()
    sheet = openpyxl.load_workbook(book)["Scorecard"]
    assert sheet["H2"].value == f"Staff sickness is high. {CLAIM}"  # never edited
    assert sheet["I2"].value == "Amber"


def test_refresh_strict_refuses_and_leaves_the_file_untouched(files):
    book, rules = files
    write_book(book, book_rows())
    before = digest(book)
    code, out, err = run_cli("refresh", book, "--rules", rules, "--strict", "--json")
    assert code == 1
    assert "not refreshed (--strict)" in err and "Performance improved this month." in err
    assert json.loads(out)["ok"] is False
    assert digest(book) == before


def test_narrative_prints_the_warning_and_holds_the_contradicted_sentence_back(files):
    """The warning names the sentence; the narrative keeps the rest of the words verbatim and leaves out the
    sentence the figures contradict (report.commentary: hold, the default), or flags it (flag)."""
    book, rules = files
    write_book(book, book_rows())
    code, out, err = run_cli("narrative", book, "--rules", rules, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["warnings"] == [CLAIM_WARNING]
    assert f"  warning SC701 {CLAIM_WARNING}" in err.splitlines()
    assert sum(line.count("Staff sickness is high.") for line in data["narrative"]) == 1
    assert not any(CLAIM in line for line in data["narrative"])
    rules.write_text(RULES + "report: {commentary: flag}\n")
    code, out, err = run_cli("narrative", book, "--rules", rules, "--format", "json")
    flagged = f"Staff sickness is high. {CLAIM} [The figures show that it declined.]"
    assert sum(line.count(flagged) for line in json.loads(out)["narrative"]) == 1


def test_the_ribbons_check_shows_it(files):
    book, rules = files
    write_book(book, book_rows())
    message, actions = run_macro(book, ribbon.check, rules=rules)
    assert [a["func"] for a in actions] == ["alert"]
    assert f"warning SC701 {CLAIM_WARNING}" in message and "No problems found." not in message


def test_without_a_commentary_column_nothing_is_checked(tmp_path):
    write_book(tmp_path / "book.xlsx", [row[:-1] for row in book_rows()])
    (tmp_path / "rules.yaml").write_text(RULES.replace(", commentary: Commentary", ""))
    code, _, _ = run_cli("check", tmp_path / "book.xlsx", "--rules", tmp_path / "rules.yaml", "--strict")
    assert code == 0


# --- --previous -----------------------------------------------------------------------------------


def last_month(path: Path, k1_words: str, k1_then: float = 46.0, k2_words: str = "Two new posts were filled.") -> Path:
    return write_book(
        path,
        [
            HEADERS,
            ["K1", "Visits on time", "H", 65, 40, 47.0, k1_then, k1_words],
            ["K2", "Average caseload", "L", 15, 18, 15.0, 17.0, k2_words],
            ["K9", "A measure dropped since", "H", 65, 40, 47.0, 50.0, "Gone."],
        ],
    )


def test_previous_warns_where_the_words_are_copied_and_the_figure_moved(files):
    book, rules = files
    write_book(book, book_rows(k1_words="Staffing  remains a concern.", k2_words="Two new posts were filled."))
    previous = last_month(
        book.parent / "may.xlsx", "Staffing remains a concern.", k2_words="Two new posts were filled."
    )
    code, out, _ = run_cli("check", book, "--rules", rules, "--previous", previous)
    assert code == 0
    warnings = [line for line in out.splitlines() if line.lstrip().startswith("warning ")]
    # K1 moved from 46 to 44 (whole numbers in General cells show no decimals) with the same words, spacing
    # aside; K2 shows 17 both months: no warning
    assert warnings == [
        "  warning SC702 sheet 'Scorecard', cell H2: KPI 'K1': the commentary is word for word last month's, but "
        "the figure "
        f"moved from 46 to 44; check that it still holds (last month: {previous})"
    ]
    assert run_cli("check", book, "--rules", rules, "--previous", previous, "--strict")[0] == 1
    assert run_cli("check", book, "--rules", rules, "--strict")[0] == 0  # without --previous: nothing to compare


def test_previous_with_new_words_is_quiet(files):
    book, rules = files
    write_book(book, book_rows(k1_words="Sickness fell in June."))
    previous = last_month(book.parent / "may.xlsx", "Sickness was high in May.")
    assert run_cli("check", book, "--rules", rules, "--previous", previous, "--strict")[0] == 0


def test_refresh_and_narrative_take_previous(files):
    book, rules = files
    write_book(book, book_rows(k1_words="Staffing remains a concern."))
    previous = last_month(book.parent / "may.xlsx", "Staffing remains a concern.")
    before = digest(book)
    code, _, err = run_cli("refresh", book, "--rules", rules, "--previous", previous, "--strict")
    assert code == 1 and "word for word last month's" in err and digest(book) == before
    code, out, _ = run_cli("narrative", book, "--rules", rules, "--previous", previous, "--format", "json")
    assert code == 0 and any("word for word" in w for w in json.loads(out)["warnings"])
    code, _, err = run_cli("refresh", book, "--rules", rules, "--previous", previous)
    assert code == 0 and "word for word last month's" in err


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda p: None, "last month's workbook (--previous)"),  # missing
        (lambda p: p.write_text("not a workbook"), "is not an Excel workbook"),
        (lambda p: write_book(p, [["Code", "Name"], ["K1", "x"]]), "no header cell reading 'Ref'"),
    ],
)
def test_a_bad_previous_file_is_an_error_naming_it(files, make, words):
    book, rules = files
    write_book(book, book_rows())
    previous = book.parent / "may.xlsx"
    make(previous)
    before = digest(book)
    for command in (["check"], ["refresh"], ["narrative"]):
        code, _, err = run_cli(*command, book, "--rules", rules, "--previous", previous)
        assert code == 1, err
        [line] = err.strip().splitlines()[-1:]
        assert line.startswith("scorecard: error: may.xlsx") and words in line, line
    assert digest(book) == before


def test_previous_takes_one_workbook(files):
    book, rules = files
    write_book(book, book_rows())
    other = write_book(book.parent / "other.xlsx", book_rows())
    code, _, err = run_cli("refresh", book, other, "--rules", rules, "--previous", book)
    assert code == 1 and "--previous names last month's copy of one workbook" in err
    code, _, err = run_cli("check", "--rules", rules, "--previous", book)
    assert code == 1 and "--previous needs a workbook" in err


# --- the words: varied commentary, generated -------------------------------------------------------

PERIODS = ("June 2018", "May 2018")


def rated(words: str, current: float, previous: float, polarity=Polarity.HIGHER):
    target, floor = (65.0, 40.0) if polarity is Polarity.HIGHER else (40.0, 65.0)
    kpi = Kpi(
        id="K1",
        name="Average caseload" if polarity is Polarity.LOWER else "m",  # "Caseloads have reduced": its own name
        polarity=polarity,
        current=current,
        previous=previous,
        target=target,
        floor=floor,
        unit="percent",
        commentary=words,
    )
    return evaluate([kpi], title="t", period=Period(*PERIODS)).kpis[0]


SUBJECTS = ["Performance", "The rate", "This measure", "It"]
IMPROVED = ["improved", "has improved", "improved slightly", "has improved again", "has shown an improvement"]
TAILS = ["", " this month", " in June 2018", " to 46.0%", " from 48.4%", " on May"]


@pytest.mark.parametrize("subject, verb, tail", list(itertools.product(SUBJECTS, IMPROVED, TAILS)))
def test_a_claim_of_improvement_on_a_decline_is_caught_however_worded(subject, verb, tail):
    found = contradictions(rated(f"{subject} {verb}{tail}.", 46.0, 48.4), PERIODS)
    assert [c.claim for c in found] == ["improved"]


# sentences analysts write beside a KPI that declined (48.4% -> 46.0%, higher is better): none states that it improved
INNOCENT = [
    "Improved data recording should lift performance next month.",
    "We expect performance to improve over the summer.",
    "An improvement plan is in place and will be reviewed in July.",
    "Through improved supervision, practice quality has been maintained.",
    "Audit findings show improved quality of plans.",
    "Reduced caseloads have helped social workers visit more often.",
    "Performance improved in the North area.",
    "The East team improved again.",
    "The team remains at full establishment.",
    "Staffing remained stable in June.",
    "Performance remains a priority for the service.",
    "Performance has improved compared to the same period last year.",
    "Compared with last June, performance improved.",
    "Performance is better than statistical neighbours.",
    "Performance improved year on year since 2015.",
    "Performance is better than the England average.",
    "Further improvement is needed to meet the target.",
    "We are on track to meet the target by March.",
    "Target met for the East team.",
    "Performance will improve once the new system is live.",
    "Performance improved from 44.0% in March to 48.4% in May.",
    "The number of late visits fell from 12 to 9.",
]


@pytest.mark.parametrize("words", INNOCENT)
@pytest.mark.parametrize("joined", [False, True], ids=["alone", "after-another-sentence"])
def test_no_false_alarm_on_what_analysts_write(words, joined):
    text = f"Visits are tracked weekly. {words}" if joined else words
    assert contradictions(rated(text, 46.0, 48.4), PERIODS) == []


@pytest.mark.parametrize(
    "words, current, previous, polarity, claim",
    [
        ("Performance has remained stable.", 46.0, 48.4, Polarity.HIGHER, "same"),
        ("The rate remained at 48.4%.", 46.0, 48.4, Polarity.HIGHER, "same"),
        (
            "Caseloads have reduced this month.",
            46.0,
            44.0,
            Polarity.LOWER,
            "improved",
        ),  # lower is better, and they rose
        ("Performance deteriorated in June.", 48.4, 46.0, Polarity.HIGHER, "declined"),
        ("The target was met.", 46.0, 48.4, Polarity.HIGHER, "met"),
    ],
)
def test_other_contradictions_are_still_caught(words, current, previous, polarity, claim):
    assert [c.claim for c in contradictions(rated(words, current, previous, polarity), PERIODS)] == [claim]
