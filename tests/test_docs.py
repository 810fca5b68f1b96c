"""Every page stays true: the README, CONTRIBUTING.md and docs/ are checked against the code they describe.

- every relative link points at a file that exists, and a ``#heading`` at a heading of it;
- every key of the rules' JSON Schema is in docs/rules.md's table of keys, and every key there is in the schema;
- every ```yaml block is a rules file that loads, or (after ``<!-- refused: TEXT -->``) one refused with TEXT;
- every ```sh or ```python block after ``<!-- run -->`` runs in a scratch folder and exits as it says, and a
  ```text block after ``<!-- output -->`` is found in what the run before it printed;
- every ``--option`` the pages give in backticks or commands is one the scorecard command accepts.

How to mark a block is in CONTRIBUTING.md, "The documentation".
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from clirun import run_cli
from scorecard import cli
from scorecard.core.rules import parse_rules
from scorecard.errors import RulesError

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").glob("*.md")])
SCHEMA = ROOT / "addin" / "scorecard" / "core" / "rules.schema.json"

# Pages another branch is writing: links to them are allowed while they are absent, and the test below fails
# once they exist, so the entry is removed and their links are checked like any other.
PENDING: dict[str, str] = {}

# Options of other programs that the pages mention: pip, tests/council/show.py, ruff, pytest.
FOREIGN_OPTIONS = {"--no-deps", "--into", "--check", "--durations", "--strict-markers"}


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # the fence's line, 1-based
    lang: str
    text: str
    marker: str | None  # the HTML comment on the line before the fence (blank lines between allowed)


FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*([\w+-]*)")
MARKER = re.compile(r"^\s*<!--\s*(.*?)\s*-->\s*$")


def blocks(page: Path) -> list[Block]:
    found: list[Block] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence, lang = opening.group(1), opening.group(2)
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            body.append(lines[j])
            j += 1
        before = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
        marker = MARKER.match(before)
        found.append(Block(page, i + 1, lang, "\n".join(body) + "\n", marker.group(1) if marker else None))
        i = j + 1
    return found


def prose(page: Path) -> str:
    """The page without its fenced blocks."""
    out, fence = [], None
    for line in page.read_text(encoding="utf-8").splitlines():
        opening = FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
        elif fence is not None and line.strip().startswith(fence):
            fence = None
        elif fence is None:
            out.append(line)
    return "\n".join(out)


def _name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def _id(block: Block) -> str:
    return f"{_name(block.page)}:{block.line}"


# --- links ---------------------------------------------------------------------------------------------------

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`([^`]*)`", r"\1", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for line in prose(page).splitlines():
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            base = slug(heading.group(1))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def links() -> Iterator[tuple[Path, str]]:
    for page in PAGES:
        text = re.sub(r"`[^`\n]*`", "", prose(page))  # a link written as code is not a link
        for target in LINK.findall(text):
            if not re.match(r"^[a-z]+:", target):  # https:, mailto: are not checked here
                yield page, target


@pytest.mark.parametrize("page, target", list(links()), ids=lambda v: v if isinstance(v, str) else _name(v))
def test_relative_links_point_at_files_and_headings_that_exist(page: Path, target: str):
    path, _, anchor = target.partition("#")
    file = (page.parent / path).resolve() if path else page
    shown = file.relative_to(ROOT).as_posix() if file.is_relative_to(ROOT) else str(file)
    if shown in PENDING and not file.exists():
        return
    assert file.exists(), f"{_name(page)} links to {target}, which does not exist"
    if anchor:
        assert file.suffix == ".md", f"{_name(page)}: #{anchor} into a file that is not a page"
        assert anchor in anchors(file), f"{_name(page)} links to {target}: no such heading in {shown}"


def test_pages_written_elsewhere_are_still_pending():
    """Once a page of PENDING exists, take it out of PENDING so its links are checked."""
    arrived = [name for name in PENDING if (ROOT / name).exists()]
    assert not arrived, f"remove {arrived} from PENDING in tests/test_docs.py: the page exists now"


# --- the rules' keys -----------------------------------------------------------------------------------------


def schema_keys() -> set[str]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    column = schema["$defs"]["column"]
    keys: set[str] = set()

    def walk(node: dict[str, Any], path: str) -> None:
        if node.get("$ref") == "#/$defs/column":
            for name in column["anyOf"][1]["properties"]:
                keys.add(f"layout.columns.<field>.{name}")
            return
        for name, child in node.get("properties", {}).items():
            keys.add(f"{path}{name}")
            walk(child, f"{path}{name}.")
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            keys.add(f"{path}<label>")
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            walk(node["items"], f"{path.rstrip('.')}[].")

    walk(schema, "")
    return keys


def documented_keys() -> set[str]:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- keys -->(.*?)<!-- /keys -->", text, re.S)
    assert table, "docs/rules.md has no table of keys between <!-- keys --> and <!-- /keys -->"
    keys = set()
    for row in table.group(1).splitlines():
        cells = row.split("|")
        if len(cells) > 2 and not set(cells[1].strip()) <= set("-: "):
            keys |= set(re.findall(r"`([^`]+)`", cells[1]))
    return keys


def test_every_rules_key_is_documented_and_every_documented_key_exists():
    in_schema, in_docs = schema_keys(), documented_keys()
    assert (sorted(in_schema - in_docs), sorted(in_docs - in_schema)) == ([], []), (
        "(keys of rules.schema.json missing from docs/rules.md, keys there that the schema does not know)"
    )


# --- rules snippets ------------------------------------------------------------------------------------------


def yaml_blocks() -> list[Block]:
    return [b for p in PAGES for b in blocks(p) if b.lang in ("yaml", "yml") and b.marker != "not rules"]


@pytest.mark.parametrize("block", yaml_blocks(), ids=_id)
def test_rules_snippets_load_or_are_refused_as_the_page_says(block: Block):
    refused = re.match(r"^refused:\s*(.+)$", block.marker or "")
    if refused is None:
        parse_rules(block.text, source=_id(block))  # raises RulesError naming the line
        return
    with pytest.raises(RulesError) as error:
        parse_rules(block.text, source=_id(block))
    assert refused.group(1) in str(error.value)


# --- commands ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def environment() -> Path:
    """The environment the commands name as .venv: the one running these tests."""
    venv = Path(sys.prefix)
    if not (venv / "bin" / "scorecard").exists():
        pytest.skip(f"the scorecard command is not installed in {venv} (run make install)")
    return venv


def scratch(folder: Path, venv: Path) -> Path:
    """A folder to run a page's commands in: copies of what they may write over, links to the rest."""
    for name in ("rules", "workbook_templates"):
        shutil.copytree(ROOT / name, folder / name)
    for name in ("tests", "addin"):
        (folder / name).symlink_to(ROOT / name)
    (folder / ".venv").symlink_to(venv)
    return folder


def _runs(page: Path) -> list[tuple[Block, Block | None]]:
    """Each block marked to run, with the output block that follows it, if any."""
    found: list[tuple[Block, Block | None]] = []
    for block in blocks(page):
        if block.marker == "run":
            assert block.lang in ("sh", "python"), f"{_id(block)}: only sh and python blocks run"
            found.append((block, None))
        elif block.marker == "output":
            assert found and found[-1][1] is None, f"{_id(block)}: an output block follows no run block"
            found[-1] = (found[-1][0], block)
    return found


def _run(block: Block, folder: Path) -> str:
    printed = []
    if block.lang == "python":
        commands = [([str(folder / ".venv" / "bin" / "python"), "-c", block.text], 0, "the python block")]
    else:
        commands = []
        for line in block.text.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            status = re.search(r"#\s*exit\s+(\d+)\s*$", line)
            commands.append((["bash", "-c", line], int(status.group(1)) if status else 0, line))
    for argv, expected, shown in commands:
        done = subprocess.run(argv, cwd=folder, capture_output=True, text=True, timeout=600)
        output = done.stdout + done.stderr
        assert "Traceback" not in output, f"{_id(block)}: {shown}\n{output}"
        assert done.returncode == expected, f"{_id(block)}: {shown} exited {done.returncode}\n{output}"
        printed.append(output)
    return "\n".join(printed)


def _words(text: str) -> str:
    return " ".join(text.split())


def _found_in_order(expected: Block, output: str) -> None:
    parts = re.split(r"^\s*\.\.\.\s*$", expected.text, flags=re.M)
    said, at = _words(output), 0
    for part in filter(None, map(_words, parts)):
        where = said.find(part, at)
        assert where >= 0, f"{_id(expected)}: not in what the command printed:\n{part}\n--- printed:\n{output}"
        at = where + len(part)


PAGES_THAT_RUN = [p for p in PAGES if _runs(p)]


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES_THAT_RUN, ids=_name)
def test_commands_marked_to_run_run_and_print_what_the_page_shows(page: Path, environment: Path, tmp_path: Path):
    folder = scratch(tmp_path, environment)
    for block, expected in _runs(page):
        output = _run(block, folder)
        if expected is not None:
            _found_in_order(expected, output)


def test_the_readme_runs_something():
    """The README's tour is checked by running it, so a page with no run block there would be a slip."""
    assert ROOT / "README.md" in PAGES_THAT_RUN


# --- options -------------------------------------------------------------------------------------------------

OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def accepted_options() -> set[str]:
    """Every option the scorecard command and its subcommands accept, as their --help lists them."""
    commands = [[], *([c] for c in cli.COMMANDS), ["rules", "embed"], ["rules", "extract"]]
    commands += [["addin", action] for action in ("build", "install", "uninstall", "selftest")]
    found: set[str] = set()
    for command in commands:
        found |= set(OPTION.findall(run_cli(*command, "--help").stdout))
    return found


def mentioned_options() -> Iterator[tuple[str, str]]:
    for page in PAGES:
        for span in re.findall(r"`([^`\n]+)`", prose(page)):
            for option in OPTION.findall(span):
                yield _name(page), option
        for block in blocks(page):
            if block.lang == "sh":
                for line in block.text.splitlines():
                    for option in OPTION.findall(line.split("#")[0]):
                        yield _id(block), option


def test_every_option_the_pages_give_is_one_the_command_accepts():
    accepted = accepted_options() | FOREIGN_OPTIONS
    unknown = sorted({(where, option) for where, option in mentioned_options() if option not in accepted})
    assert not unknown, f"options the scorecard command does not accept: {unknown}"


def test_the_markers_are_spelled_as_the_test_reads_them():
    """A marker misspelled would quietly turn a check off."""
    known = re.compile(r"^(run|output|not rules|keys|/keys|refused: .+)$")
    for page in PAGES:
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
            marker = MARKER.match(line)
            if marker:
                assert known.match(marker.group(1)), f"{_name(page)}:{number}: unknown marker {line.strip()!r}"


def test_the_docs_environment_is_the_one_running_the_tests():
    """The commands run with the package under test, not another install of it."""
    assert Path(cli.__file__).resolve().is_relative_to(ROOT)


def test_the_code_map_names_every_module_of_the_package_and_no_other():
    """CONTRIBUTING.md's code map is how a newcomer finds their way: every module is in it, under its folder,
    and nothing it names has gone."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    start = text.index("addin/scorecard/\n")
    named: set[str] = set()
    folders: list[tuple[int, str]] = []
    for line in text[start : text.index("\n```", start)].splitlines()[1:]:
        indent = len(line) - len(line.lstrip())
        first = line.strip().split("  ")[0]  # the names, before the words about them
        if indent == 0:
            break  # the package's folder ends: addin/lite/, bench/ ...
        folders = [(i, f) for i, f in folders if i < indent]
        if first.endswith("/"):
            folders.append((indent, first))
            continue
        where = "".join(f for _, f in folders)
        named |= {where + n.strip() for n in first.split(",") if n.strip().endswith(".py")}
    package = ROOT / "addin" / "scorecard"
    present = {str(p.relative_to(package)) for p in package.rglob("*.py")}
    assert present - named - {p for p in present if p.endswith("__init__.py")} == set(), "missing from the code map"
    assert named - present == set(), "the code map names modules that do not exist"
