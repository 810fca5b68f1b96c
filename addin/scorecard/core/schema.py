"""The rules file checked against its JSON Schema (``rules.schema.json``) without a schema library.

The schema we ship for editors stays the one source of truth; this module applies the part of JSON
Schema 2020-12 it is written in, with the same results as the ``jsonschema`` package (tests hold it to
them on generated documents), in a fraction of its start-up time (jsonschema, referencing and
rpds-py take longer to import than a refresh of the sample takes to run) and with nothing compiled,
so xlwings Lite installs scorecard with PyYAML alone.

Each ``Violation`` carries what ``jsonschema.ValidationError`` carries (``absolute_path``,
``validator``, ``validator_value``, ``instance``, ``schema``, ``message``, in the same words), and
``iter_errors`` yields them in the order jsonschema does: the schema's keywords in order, depth first.
A keyword this module does not apply raises ``UnsupportedKeyword`` rather than being skipped: a rule
added to the schema is either checked or the tests fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "$defs", "title", "description", "examples", "default", "deprecated", "readOnly"}
)  # $defs holds schemas that apply only where a $ref names them
KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "const",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "properties",
        "patternProperties",
        "additionalProperties",
        "required",
        "minProperties",
        "maxProperties",
        "items",
        "minItems",
        "maxItems",
        "uniqueItems",
        "anyOf",
        "allOf",
        "oneOf",
        "not",
        "$ref",
    }
)


class UnsupportedKeyword(ValueError):
    """The schema uses a keyword this module does not apply."""


@dataclass
class Violation:
    message: str
    validator: str  # the keyword that failed, as jsonschema names it
    validator_value: Any
    instance: Any
    schema: Mapping[str, Any]
    absolute_path: list[str | int] = field(default_factory=list)
    context: list[Violation] = field(default_factory=list)  # anyOf, oneOf: each alternative's violations


def _is_type(instance: Any, kind: str) -> bool:
    if kind == "object":
        return isinstance(instance, dict)
    if kind == "array":
        return isinstance(instance, list)
    if kind == "string":
        return isinstance(instance, str)
    if kind == "boolean":
        return isinstance(instance, bool)
    if kind == "null":
        return instance is None
    if isinstance(instance, bool):
        return False
    if kind == "integer":
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    if kind == "number":
        return isinstance(instance, (int, float))
    raise UnsupportedKeyword(f"type {kind!r}")


class _Bool:
    """True and False kept apart from 1 and 0, as JSON Schema compares them."""

    def __init__(self, value: bool):
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Bool) and other.value == self.value

    def __hash__(self) -> int:
        return hash(("bool", self.value))


def _equal(one: Any, two: Any) -> bool:
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return one.keys() == two.keys() and all(_equal(one[k], two[k]) for k in one)
    return bool(_unbool(one) == _unbool(two))


def _unbool(value: Any) -> Any:
    return _Bool(value) if isinstance(value, bool) else value


def _unique(items: list[Any]) -> bool:
    seen: list[Any] = []
    for item in items:
        if any(_equal(item, other) for other in seen):
            return False
        seen.append(item)
    return True


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _extras(instance: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    properties = schema.get("properties", {})
    patterns = "|".join(schema.get("patternProperties", {}))
    return [key for key in instance if key not in properties and not (patterns and _regex(patterns).search(key))]


def is_valid(schema: Any, instance: Any, root: Any = None) -> bool:
    return next(iter_errors(schema, instance, (), root), None) is None


def _resolve(reference: str, root: Any) -> Any:
    """The schema a local reference (#/$defs/column, a JSON pointer into the root schema) names."""
    if not reference.startswith("#"):
        raise UnsupportedKeyword(f"$ref to another document: {reference}")
    node = root
    for step in [s.replace("~1", "/").replace("~0", "~") for s in reference[1:].split("/") if s]:
        node = node[int(step)] if isinstance(node, list) else node[step]
    return node


def iter_errors(schema: Any, instance: Any, path: tuple[str | int, ...] = (), root: Any = None) -> Iterator[Violation]:
    """Every way ``instance`` breaks ``schema``, in jsonschema's order (``root``: the whole schema, which
    references are resolved in; by default ``schema`` itself)."""
    root = schema if root is None else root
    if schema is True:
        return
    if schema is False:
        yield Violation(f"False schema does not allow {instance!r}", "false", False, instance, {}, list(path))
        return
    for keyword, value in schema.items():
        if keyword in ANNOTATIONS:
            continue
        if keyword not in KEYWORDS:
            raise UnsupportedKeyword(keyword)
        if keyword == "$ref":
            yield from iter_errors(_resolve(value, root), instance, path, root)
            continue
        if keyword in ("anyOf", "oneOf"):
            yield from _alternatives(keyword, value, instance, schema, path, root)
            continue
        if keyword == "not":
            if is_valid(value, instance, root):
                denied = f"{instance!r} should not be valid under {value!r}"
                yield Violation(denied, keyword, value, instance, schema, list(path))
            continue
        for message, where, subschema in _check(keyword, value, instance, schema):
            if message is None:  # a subschema's own violations, already placed
                yield from iter_errors(subschema, _at(instance, where), path + where, root)
            else:
                yield Violation(message, keyword, value, instance, schema, list(path))


def _alternatives(
    keyword: str, value: list[Any], instance: Any, schema: Mapping[str, Any], path: tuple[str | int, ...], root: Any
) -> Iterator[Violation]:
    """anyOf and oneOf, with each failing alternative's violations as the error's context."""
    context: list[Violation] = []
    valid = []
    for subschema in value:
        found = list(iter_errors(subschema, instance, path, root))
        if found:
            context.extend(found)
        else:
            valid.append(subschema)
            if keyword == "anyOf":
                return
    if not valid:
        message = f"{instance!r} is not valid under any of the given schemas"
        yield Violation(message, keyword, value, instance, schema, list(path), context)
    elif len(valid) > 1:  # oneOf
        reprs = ", ".join(repr(s) for s in [*valid[1:], valid[0]])
        yield Violation(f"{instance!r} is valid under each of {reprs}", keyword, value, instance, schema, list(path))


def _at(instance: Any, where: tuple[str | int, ...]) -> Any:
    for step in where:
        instance = instance[step]
    return instance


_Check = Iterator[tuple[str | None, tuple[str | int, ...], Any]]


def _check(keyword: str, value: Any, instance: Any, schema: Mapping[str, Any]) -> _Check:
    """(message, ()) for a violation of this keyword, or (None, path, subschema) to descend into."""
    if keyword in ("type", "enum", "const", "allOf"):
        yield from _any_instance(keyword, value, instance, schema)
    elif isinstance(instance, str):
        yield from _string(keyword, value, instance)
    elif isinstance(instance, (int, float)) and not isinstance(instance, bool):
        yield from _number(keyword, value, instance)
    elif isinstance(instance, dict):
        yield from _object(keyword, value, instance, schema)
    elif isinstance(instance, list):
        yield from _array(keyword, value, instance)


def _any_instance(keyword: str, value: Any, instance: Any, schema: Mapping[str, Any]) -> _Check:
    if keyword == "type":
        kinds = [value] if isinstance(value, str) else value
        if not any(_is_type(instance, kind) for kind in kinds):
            yield f"{instance!r} is not of type {', '.join(repr(kind) for kind in kinds)}", (), None
    elif keyword == "enum":
        if not any(_equal(choice, instance) for choice in value):
            yield f"{instance!r} is not one of {value!r}", (), None
    elif keyword == "const":
        if not _equal(instance, value):
            yield f"{value!r} was expected", (), None
    elif keyword == "allOf":
        for subschema in value:
            yield None, (), subschema


def _string(keyword: str, value: Any, instance: str) -> _Check:
    if keyword == "pattern" and not _regex(value).search(instance):
        yield f"{instance!r} does not match {value!r}", (), None
    elif keyword == "minLength" and len(instance) < value:
        yield f"{instance!r} {'should be non-empty' if value == 1 else 'is too short'}", (), None
    elif keyword == "maxLength" and len(instance) > value:
        yield f"{instance!r} {'is expected to be empty' if value == 0 else 'is too long'}", (), None


def _number(keyword: str, value: Any, instance: float) -> _Check:
    if keyword == "minimum" and instance < value:
        yield f"{instance!r} is less than the minimum of {value!r}", (), None
    elif keyword == "maximum" and instance > value:
        yield f"{instance!r} is greater than the maximum of {value!r}", (), None
    elif keyword == "exclusiveMinimum" and instance <= value:
        yield f"{instance!r} is less than or equal to the minimum of {value!r}", (), None
    elif keyword == "exclusiveMaximum" and instance >= value:
        yield f"{instance!r} is greater than or equal to the maximum of {value!r}", (), None


def _object(keyword: str, value: Any, instance: dict[str, Any], schema: Mapping[str, Any]) -> _Check:
    if keyword == "properties":
        for name, subschema in value.items():
            if name in instance:
                yield None, (name,), subschema
    elif keyword == "patternProperties":
        for pattern, subschema in value.items():
            for name in instance:
                if _regex(pattern).search(name):
                    yield None, (name,), subschema
    elif keyword == "additionalProperties":
        extras = _extras(instance, schema)
        if isinstance(value, dict):
            for name in extras:
                yield None, (name,), value
        elif value is False and extras:
            if "patternProperties" in schema:
                verb = "does" if len(extras) == 1 else "do"
                patterns = ", ".join(repr(p) for p in sorted(schema["patternProperties"]))
                joined = ", ".join(repr(e) for e in sorted(extras))
                yield f"{joined} {verb} not match any of the regexes: {patterns}", (), None
            else:
                names = ", ".join(repr(e) for e in sorted(extras, key=str))
                verb = "was" if len(extras) == 1 else "were"
                yield f"Additional properties are not allowed ({names} {verb} unexpected)", (), None
    elif keyword == "required":
        for name in value:
            if name not in instance:
                yield f"{name!r} is a required property", (), None
    elif keyword == "minProperties" and len(instance) < value:
        yield f"{instance!r} {'should be non-empty' if value == 1 else 'does not have enough properties'}", (), None
    elif keyword == "maxProperties" and len(instance) > value:
        yield f"{instance!r} {'is expected to be empty' if value == 0 else 'has too many properties'}", (), None


def _array(keyword: str, value: Any, instance: list[Any]) -> _Check:
    if keyword == "items":
        if not isinstance(value, dict):
            raise UnsupportedKeyword("items other than a schema")
        for index in range(len(instance)):
            yield None, (index,), value
    elif keyword == "minItems" and len(instance) < value:
        yield f"{instance!r} {'should be non-empty' if value == 1 else 'is too short'}", (), None
    elif keyword == "maxItems" and len(instance) > value:
        yield f"{instance!r} {'is expected to be empty' if value == 0 else 'is too long'}", (), None
    elif keyword == "uniqueItems" and value and not _unique(instance):
        yield f"{instance!r} has non-unique elements", (), None
