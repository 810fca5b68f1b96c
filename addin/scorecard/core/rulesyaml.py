"""YAML with line numbers, read within bounds: the loading half of the rules file (``rules`` builds on it).

A rules file arrives by email like a workbook, so the YAML is read as untrusted: with PyYAML's safe
loader only, duplicate keys refused, and what the file can make the loader build bounded. Aliases
(``*name``) make a node count again wherever they point to it, so a few lines can stand for billions
of values (the "billion laughs"): the document is measured as aliases expand it, on the composed nodes
before anything is built from them. Nesting, the file's length, numbers too long to read and control
characters are refused naming the YAML line; a value quoted in a message is cut short (``quote``).
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterator
from typing import Any

import yaml

from ..errors import RulesError


class Map(dict[Any, Any]):
    """A YAML mapping that remembers the line of each key."""

    line: int = 0
    lines: dict[Any, int]


class Seq(list[Any]):
    line: int = 0
    lines: list[int]


# Bounds on what a rules file may make the loader build: a rules file of a thousand KPIs is some tens of
# thousands of nodes and a handful of levels deep. Aliases (*name) make a node count again wherever they
# point to it, so a few lines can stand for billions of values (the "billion laughs"): the count is of
# the document as aliases expand it, made on the composed nodes before anything is built from them.
MAX_NODES = 200_000
MAX_RULES_CHARACTERS = 1_000_000  # PyYAML reads some hundreds of kilobytes a second: a bound on the time too
MAX_DEPTH = 64
QUOTE_LIMIT = 60  # characters of a value from the rules quoted in a message
MAX_PROBLEMS = 20  # problems listed in one error; the rest are counted


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records lines and refuses duplicate keys (PyYAML keeps the last silently).

    It also keeps the problems only the YAML text shows (``problems``): an id written 1.10 without
    quotes reaches Python as the number 1.1, so it is caught here, where the text is still at hand.
    Nesting deeper than ``MAX_DEPTH`` is refused as it is read, naming the line.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self.problems: list[RulesError] = []
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                line = self.peek_event().start_mark.line + 1
                raise RulesError(
                    f"the rules are nested more than {MAX_DEPTH} levels deep here; a rules file needs a handful "
                    "(is a bracket or an indentation out of place?)",
                    line=line,
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a document that aliases expand past ``MAX_NODES`` values or ``MAX_DEPTH`` levels, or that
    an alias makes contain itself; each node's expanded size is worked out once (no expansion is made)."""
    measured: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth) as aliases expand it
    pending: set[int] = set()  # the nodes being measured: the current node's ancestors
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            children = [measured[id(child)] for child in _children(node)]
            size = 1 + sum(c[0] for c in children)
            depth = 1 + max((c[1] for c in children), default=0)
            measured[key] = (size, depth)
            pending.discard(key)
            if size > MAX_NODES or depth > MAX_DEPTH:
                raise RulesError(
                    f"the aliases here (*name) expand to more than {MAX_NODES:,} values or {MAX_DEPTH} levels; "
                    "a rules file needs far fewer: write the values out, or alias less",
                    line=node.start_mark.line + 1,
                )
            continue
        if key in measured:
            continue
        if key in pending:
            raise RulesError(
                "an alias (*name) here refers to a mapping or list that contains it, which has no end",
                line=node.start_mark.line + 1,
            )
        pending.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in measured)


def _construct_int(loader: _LineLoader, node: yaml.ScalarNode) -> int:
    """YAML's integers, with one too long for Python to read (thousands of digits) refused on its line."""
    try:
        return loader.construct_yaml_int(node)
    except ValueError:
        raise RulesError(
            f"the number {quote(node.value)} has too many digits to be read", line=node.start_mark.line + 1
        ) from None


def quote(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """A value from the rules as a message quotes it (its repr), cut to ``limit`` characters: a message
    names the value, it does not reprint a megabyte of it."""
    if isinstance(value, (dict, list)):
        kind = "mapping" if isinstance(value, dict) else "list"
        shown = f"a {kind} of {len(value)}"
        text = _bounded_repr(value, limit)
        return text if len(text) <= limit else f"{text[:limit]}... ({shown})"
    text = repr(value) if not isinstance(value, str) or len(value) <= 10 * limit else repr(value[: 2 * limit])
    if len(text) <= limit:
        return text
    length = f"{len(value):,} characters" if isinstance(value, str) else "cut"
    return f"{text[:limit]}... ({length})"


def _bounded_repr(value: Any, limit: int) -> str:
    """The start of a container's repr, without making the whole of it (an aliased value can be huge)."""
    shortener = reprlib.Repr()
    shortener.maxstring = shortener.maxother = limit
    shortener.maxlevel, shortener.maxdict, shortener.maxlist = 3, 4, 4
    return shortener.repr(value)


_NUMBER_TAGS = {f"tag:yaml.org,2002:{name}": name for name in ("int", "float", "bool", "null", "timestamp")}


def _check_id_text(loader: _LineLoader, value_node: yaml.Node, value: Any) -> None:
    """An id YAML would read as a number, a date, true/false or null, unless its text survives: ask for quotes."""
    if not isinstance(value_node, yaml.ScalarNode) or value_node.style or value_node.tag not in _NUMBER_TAGS:
        return
    kind = _NUMBER_TAGS[value_node.tag]
    if kind == "int" and str(value) == value_node.value:
        return  # 12 stays "12"
    if kind == "null" and not value_node.value:
        return  # "id:" with nothing after it: the schema says the id is missing
    if kind == "null":
        read = "nothing"
    elif kind == "bool":
        read = "true" if value else "false"
    elif kind == "timestamp":
        read = "a date"
    else:
        read = "a number" if str(value) == value_node.value else f"the number {value!r}"
    loader.problems.append(
        RulesError(
            f"write the id in quotes: '{value_node.value}' (without quotes YAML reads it as {read})",
            line=value_node.start_mark.line + 1,
        )
    )


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Map:
    loader.flatten_mapping(node)
    result = Map()
    result.line, result.lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            duplicate = key in result
        except TypeError:
            raise RulesError("a key must be a plain value, not a list or mapping", line=line) from None
        if duplicate:
            raise RulesError(f"duplicate key {quote(key)} (first given on line {result.lines[key]})", line=line)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
        if key == "id":
            _check_id_text(loader, value_node, result[key])
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> Seq:
    result = Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.line, result.lines = node.start_mark.line + 1, [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> str:
    """A date written in the rules (a header "2024-08-12", period.current: 2018-06-30) as it is written: the
    rules name headers and periods by their text, and a date object would be neither."""
    return str(node.value)


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def line_of(document: Any, path: Iterator[Any] | list[Any]) -> int | None:
    line, node = getattr(document, "line", None), document
    for step in path:
        if isinstance(node, Map) and step in node:
            line, node = node.lines[step], node[step]
        elif isinstance(node, Seq) and isinstance(step, int) and step < len(node):
            line, node = node.lines[step], node[step]
        else:
            break
    return line


def load_document(text: str, source: str) -> Any:
    """The YAML document in ``text``, mappings as ``Map`` and lists as ``Seq`` (with their lines); a
    RulesError naming the line for anything YAML refuses or the bounds do not allow."""
    if len(text) > MAX_RULES_CHARACTERS:
        raise RulesError(
            f"the rules are {len(text):,} characters long; a rules file is a few thousand (at most "
            f"{MAX_RULES_CHARACTERS:,} are read): is this the right file?",
            file=source,
        )
    try:
        loader = _LineLoader(text)
    except yaml.reader.ReaderError as error:
        raise reader_problem(text, error, source) from None
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_expansion(node)
        document = loader.construct_document(node) if node is not None else None
    except RulesError as error:
        error.file = source
        raise
    except yaml.reader.ReaderError as error:
        raise reader_problem(text, error, source) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        if ("\t" in (error.problem or "") or "'\\t'" in (error.problem or "")) and line is not None:
            raise RulesError(tab_problem(text, line), file=source, line=line) from None
        problem = " ".join(p for p in (error.context, error.problem) if p)
        raise RulesError(f"not valid YAML: {problem}", file=source, line=line) from None
    except yaml.YAMLError as error:
        raise RulesError(f"not valid YAML: {error}", file=source) from None
    finally:
        loader.dispose()
    if loader.problems:
        for found in loader.problems:
            found.file = source
        raise combine(loader.problems)
    return document


def cut(text: str, limit: int = 4 * QUOTE_LIMIT) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def reader_problem(text: str, error: yaml.reader.ReaderError, source: str) -> RulesError:
    """YAML's refusal of a character it does not allow in a file (NUL, ESC, a vertical tab...), naming
    the character, its line and column."""
    if isinstance(error.character, (int, str)) and error.encoding == "unicode":
        position = error.position
        code = error.character if isinstance(error.character, int) else ord(error.character)
    else:  # bytes that are not text: cannot come from a decoded file, but say so if they do
        return RulesError(f"not valid YAML: {cut(str(error))}", file=source)
    before = text[:position]
    line = before.count("\n") + 1
    column = position - (before.rfind("\n") + 1) + 1
    name = _CONTROL_NAMES.get(code, "a control character")
    return RulesError(
        f"column {column} holds {name} (U+{code:04X}), which a YAML file may not contain; delete it (it is "
        "invisible in most editors: retype the line)",
        file=source,
        line=line,
    )


_CONTROL_NAMES = {
    0x00: "a NUL character",
    0x07: "a bell character",
    0x08: "a backspace",
    0x0B: "a vertical tab",
    0x0C: "a form feed",
    0x1B: "an escape character (ESC)",
    0x7F: "a delete character",
    0xFFFE: "a non-character",
    0xFFFF: "a non-character",
}


def tab_problem(text: str, line: int) -> str:
    """What PyYAML calls "found character '\\t' that cannot start any token", as a person would say it."""
    lines = text.splitlines()
    content = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in content[: len(content) - len(content.lstrip(" \t"))]:
        return "a tab is used for indentation; YAML needs spaces"
    return "a tab separates the words or values on this line; YAML needs spaces (or put the text in quotes)"


def combine(problems: list[RulesError]) -> RulesError:
    """One error carrying every problem, each on its own line, so a user fixes all in one pass (the first
    ``MAX_PROBLEMS``, and how many more there are)."""
    return problems[0] if len(problems) == 1 else _MultiRulesError(problems)


class _MultiRulesError(RulesError):
    def __init__(self, problems: list[RulesError]):
        super().__init__(problems[0].message, file=problems[0].file, line=problems[0].line)
        self.problems = problems

    def __str__(self) -> str:
        shown = [str(p) for p in self.problems[:MAX_PROBLEMS]]
        more = len(self.problems) - MAX_PROBLEMS
        if more > 0:
            shown.append(f"... and {more:,} more problems of the same kinds; correct these and check again")
        return "\n".join(shown)
