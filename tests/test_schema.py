"""core/schema.py against the jsonschema package as the oracle: on the rules schema and on documents
made by breaking valid rules in every way hypothesis finds, the same violations (where, which keyword,
what message) in the same order."""

from __future__ import annotations

import copy
import subprocess
import sys

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SAMPLE_RULES
from scorecard.core import schema as checker
from scorecard.core.rules import schema

RULES = schema()
VALID = yaml.safe_load(SAMPLE_RULES.read_text("utf-8"))
FULL = {  # every block of the schema in use, so mutations reach each keyword
    **VALID,
    "period": {"current": "June 2018", "previous": "May 2018"},
    "defaults": {"decimals": 1},
    "colours": {"Green": "#00B050"},
    "spc": {"min_points": 15},
    "narrative": {"sheet": "Narrative"},
    "sparklines": {"markers": ["last", "high"]},
}


def _described(error):
    """What the rules module reads of a violation: where, which keyword, the message, and for anyOf the
    alternatives' own violations (a mapping given where a text or a mapping may stand)."""
    context = tuple((tuple(c.absolute_path), c.validator, c.message) for c in error.context or ())
    return (list(error.absolute_path), error.validator, error.message, context)


def oracle(document):
    validator = jsonschema.Draft202012Validator(RULES)
    return [_described(e) for e in validator.iter_errors(document)]


def ours(document):
    return [_described(e) for e in checker.iter_errors(RULES, document)]


def _key(item):
    return [str(p) for p in item[0]], item[1], item[2], str(item[3])


def test_every_keyword_of_the_rules_schema_is_applied():
    def keywords(node, in_names=False):
        if isinstance(node, dict):
            for key, value in node.items():
                if not in_names:
                    yield key
                yield from keywords(
                    value, in_names=key in ("properties", "patternProperties", "$defs") and not in_names
                )
        elif isinstance(node, list):
            for item in node:
                yield from keywords(item)

    used = set(keywords(RULES))
    assert used <= checker.KEYWORDS | checker.ANNOTATIONS, used - checker.KEYWORDS - checker.ANNOTATIONS
    jsonschema.Draft202012Validator.check_schema(RULES)


def test_an_unknown_keyword_is_refused_not_skipped():
    with pytest.raises(checker.UnsupportedKeyword):
        list(checker.iter_errors({"dependentRequired": {"a": ["b"]}}, {"a": 1}))


def test_the_valid_rules_have_no_violations():
    assert ours(VALID) == oracle(VALID) == []
    assert ours(FULL) == oracle(FULL) == []


values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-5, 200),
        st.floats(allow_nan=False, allow_infinity=False, width=32),
        st.sampled_from(["", " ", "H", "higher", "85%", "8 5", "abc", "#00B050", "last", "Green", "x" * 40]),
        st.text(max_size=8),
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["id", "name", "x", "sheet", "column", "header"]), inner)
    ),
    max_leaves=6,
)


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


PATHS = list(_paths(FULL))


@st.composite
def broken(draw):
    document = copy.deepcopy(FULL)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PATHS))
        parent, node = None, document
        for step in path:
            parent, node = node, node[step] if isinstance(node, (dict, list)) and _has(node, step) else None
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if not path or parent is None or not _has(parent, path[-1]):
            continue
        if action == "replace":
            parent[path[-1]] = draw(values)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "add" and isinstance(node, dict):
            node[draw(st.sampled_from(["unknown", "Target", "id", "sheet", "min_points", "benchmarks"]))] = draw(values)
    return document


def _has(node, step):
    return (isinstance(node, dict) and step in node) or (
        isinstance(node, list) and isinstance(step, int) and step < len(node)
    )


@pytest.mark.slow
@given(broken())
@settings(max_examples=1500, deadline=None)
def test_broken_rules_give_the_violations_jsonschema_gives(document):
    mine, theirs = ours(document), oracle(document)
    assert sorted(mine, key=_key) == sorted(theirs, key=_key)
    # and in the same order, but for the extra keys an additionalProperties schema checks (benchmarks'
    # column names), which jsonschema visits in set order, varying from run to run
    in_order = [e for e in theirs if e[0][:3] != ["layout", "columns", "benchmarks"]]
    assert [e for e in mine if e[0][:3] != ["layout", "columns", "benchmarks"]] == in_order


@pytest.mark.parametrize(
    ("schema_part", "instance"),
    [
        ({"type": "integer"}, True),
        ({"type": "integer"}, 3.0),
        ({"type": "number"}, False),
        ({"enum": [1, "a"]}, True),
        ({"const": 1}, 1.0),
        ({"const": 0}, False),
        ({"uniqueItems": True}, [1, True]),
        ({"uniqueItems": True}, [1, 1.0]),
        ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, 3),
        ({"not": {"type": "string"}}, "x"),
        ({"allOf": [{"minimum": 3}, {"maximum": 1}]}, 2),
        ({"patternProperties": {"^a": {"type": "string"}}, "additionalProperties": False}, {"ab": 1, "b": 2}),
        ({"exclusiveMinimum": 1, "exclusiveMaximum": 1}, 1),
        ({"minItems": 2, "maxItems": 0, "minProperties": 2}, [1]),
        ({"maxProperties": 1, "minProperties": 3}, {"a": 1, "b": 2}),
        ({"maxLength": 0}, "x"),
        (False, 1),
        ({"$defs": {"a~/b": {"type": "string"}}, "properties": {"k": {"$ref": "#/$defs/a~0~1b"}}}, {"k": 1}),
        ({"anyOf": [{"type": "string"}, {"type": "object", "required": ["column"]}]}, {"header": "x"}),
    ],
)
def test_keywords_the_rules_schema_may_come_to_use(schema_part, instance):
    validator = jsonschema.Draft202012Validator(schema_part)
    theirs = [_described(e) for e in validator.iter_errors(instance)]
    mine = [_described(e) for e in checker.iter_errors(schema_part, instance)]
    if schema_part is False:  # jsonschema names no keyword for a false schema
        theirs = [(p, "false", m, c) for p, _, m, c in theirs]
    assert mine == theirs


def test_loading_rules_imports_no_jsonschema():
    code = (
        "import sys\nfrom scorecard.core.rules import load_rules\nload_rules(sys.argv[1])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jsonschema', 'referencing', 'rpds')))"
    )
    done = subprocess.run([sys.executable, "-c", code, str(SAMPLE_RULES)], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
