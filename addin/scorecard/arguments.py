"""The ``scorecard`` command's arguments: each command, its options and their help, and --help's examples.

Only the standard library is imported here, so ``scorecard --help`` answers at once; ``cli`` runs the
commands.
"""

from __future__ import annotations

import argparse

from .version import __version__

EXAMPLES = """\
examples:
  scorecard refresh scorecard.xlsx --rules rules.yaml
  scorecard refresh districts/*.xlsx --rules rules.yaml --output refreshed/
  scorecard narrative scorecard.xlsx --rules rules.yaml --format markdown
  scorecard check scorecard.xlsx --rules rules.yaml
  scorecard report scorecard.xlsx --rules rules.yaml --output cover-report.docx --template council.docx
  scorecard rules embed scorecard.xlsx --rules rules.yaml    # then --rules may be left out:
  scorecard refresh scorecard.xlsx                           # uses the rules embedded in the workbook
"""


# (option, metavar, help) of the options several commands take
COMMON = (
    ("--rules", "RULES", "the rules file (YAML); default: the rules embedded in the workbook (scorecard rules embed)"),
    ("--period", "NAME", 'the current period, e.g. "June 2018" or "Q2 2018/19" (overrides the rules and headers)'),
)
PREVIOUS = (
    "--previous",
    "LAST_MONTH.xlsx",
    "last month's workbook: warn where a KPI's commentary is word for word the same while its figure moved",
)


def command_line() -> argparse.ArgumentParser:
    """The scorecard command's parser: every command, its options and their help."""
    parser = argparse.ArgumentParser(
        prog="scorecard",
        description="RAG ratings, direction of travel and a narrative for KPI scorecard workbooks, from YAML rules.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"scorecard {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def even_if_open(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--even-if-open",
            action="store_true",
            help="write a workbook even though Excel's owner file (~$NAME beside it) says it is open, e.g. one "
            "Excel left behind when it closed badly",
        )

    refresh = commands.add_parser(
        "refresh",
        help="write RAG, direction of travel and the Narrative sheet into workbooks",
        description="Refresh workbooks in place (or into --output). One bad workbook is reported and the rest still "
        "done.",
    )
    refresh.add_argument("books", nargs="+", metavar="BOOK", help=".xlsx or .xlsm workbooks")
    _options(refresh, *COMMON)
    refresh.add_argument(
        "--output", metavar="PATH_OR_DIR", help="write here instead of in place: a folder, or a file for one workbook"
    )
    refresh.add_argument("--json", action="store_true", help="print each workbook's result as a line of JSON")
    refresh.add_argument(
        "--jobs", type=_jobs, default=1, metavar="N", help="workbooks refreshed at once (default 1; 0 = one per core)"
    )
    refresh.add_argument(
        "--strict", action="store_true", help="treat warnings as errors: such a workbook is not written"
    )
    even_if_open(refresh)
    _options(refresh, PREVIOUS)

    narrative = commands.add_parser("narrative", help="print the narrative without writing anything")
    narrative.add_argument("book", metavar="BOOK")
    _options(narrative, *COMMON)
    narrative.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    _options(narrative, PREVIOUS)

    check = commands.add_parser("check", help="validate the rules and the workbook; writes nothing")
    check.add_argument("book", metavar="BOOK", nargs="?", help="optional: check the rules alone when omitted")
    _options(check, *COMMON)
    check.add_argument("--strict", action="store_true", help="exit 1 when there are warnings")
    check.add_argument(
        "--explain",
        action="store_true",
        help="also show how the workbook was read: header, each column's field, periods, rows, and where each "
        "KPI's figures came from (* marks what scorecard worked out rather than read from the rules)",
    )
    check.add_argument("--format", choices=("text", "json"), default="text", help="json: findings and the reading")
    _options(check, PREVIOUS)

    report = commands.add_parser(
        "report",
        help="write the cover report as a Word document",
        description="The cover report as a .docx: title, numbered narrative, RAG table. Writes nothing into the "
        "workbook.",
    )
    report.add_argument("book", metavar="BOOK")
    _options(report, *COMMON)
    _options(
        report,
        ("--output", "REPORT.docx", "where to write it (default: beside the workbook, BOOK.docx)"),
        ("--template", "TEMPLATE.docx", "a Word document whose styles, header, footer and page set-up to use"),
    )
    report.add_argument(
        "--pdf", action="store_true", help="also write the paper as PDF beside the .docx (needs LibreOffice)"
    )

    commands.add_parser("schema", help="print the JSON Schema of the rules file (for editors)")

    rules = commands.add_parser(
        "rules", help="embed rules in a workbook (a hidden sheet ScorecardRules), or print them back"
    )
    rule_actions = rules.add_subparsers(dest="action", metavar="ACTION", required=True)
    embed = rule_actions.add_parser(
        "embed", help="store the rules in the workbook, so every engine (and xlwings Lite) finds them"
    )
    embed.add_argument("book", metavar="BOOK")
    embed.add_argument(
        "--rules", required=True, metavar="RULES", help="the rules file (YAML) to embed; it is validated first"
    )
    embed.add_argument("--output", metavar="OUT", help="write here instead of in place")
    even_if_open(embed)
    extract = rule_actions.add_parser("extract", help="print the rules embedded in the workbook")
    extract.add_argument("book", metavar="BOOK")

    addin = commands.add_parser("addin", help="build, install or uninstall the Excel add-in (scorecard.xlam)")
    actions = addin.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="build scorecard.xlam from its sources")
    build.add_argument("--output", default="build/scorecard.xlam", metavar="PATH")
    for name, text in (
        ("install", "build the add-in into Excel's XLSTART folder and record this Python"),
        ("uninstall", "remove the add-in and the recorded interpreter"),
    ):
        sub = actions.add_parser(name, help=text)
        _options(
            sub,
            ("--dir", "XLSTART", "the folder Excel loads add-ins from (default: the user's XLSTART)"),
            ("--config", "FILE", "the add-in's configuration file (default: ~/.scorecard/scorecard.conf on Windows)"),
        )
        if name == "install":
            sub.add_argument(
                "--persistent-python",
                action=argparse.BooleanOptionalAction,
                default=None,
                help="Windows: run the buttons in one Python kept for the Excel session (xlwings' UDF server), so "
                "only the first click pays Python's start-up; --no-persistent-python: a fresh Python per click "
                "(the default)",
            )
    selftest = actions.add_parser(
        "selftest",
        help="run the installed add-in's Self-test in desktop Excel, as its button does: Check, Word report, "
        "Refresh and worksheet functions on a copy of the sample",
    )
    selftest.add_argument(
        "--dir", metavar="XLSTART", help="where the add-in is installed (default: the user's XLSTART)"
    )
    return parser


def _options(parser: argparse.ArgumentParser, *options: tuple[str, str, str]) -> None:
    """Options that each take one value: (option, its metavar, its help)."""
    for option, metavar, text in options:
        parser.add_argument(option, metavar=metavar, help=text)


def _jobs(text: str) -> int:
    """--jobs: 0 (one per core) or a positive count; anything else is a malformed command (exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative: give 0 (one per core) or a number of workbooks")
    return value
