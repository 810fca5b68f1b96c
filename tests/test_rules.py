"""The rules file: the sample loads, the schema is the one shipped, and every error names its line."""

from __future__ import annotations

import json
import textwrap

import jsonschema
import pytest
import yaml

from conftest import ROOT, SAMPLE_RULES
from scorecard.core.model import Polarity, Rag
from scorecard.core.rules import load_rules, load_rules_cached, parse_rules, schema
from scorecard.errors import RulesError


def rules(text: str):
    return parse_rules(textwrap.dedent(text), source="rules.yaml")


BASE = """\
version: 1
layout:
  columns: {id: Ref, current: Jun-18, previous: May-18}
"""


def error_of(text: str) -> str:
    with pytest.raises(RulesError) as caught:
        rules(text)
    return str(caught.value)


def test_sample_rules_load():
    loaded = load_rules(SAMPLE_RULES)
    assert loaded.title == "Children in Care Scorecard"
    assert len(loaded.kpis) == 24
    assert loaded.kpis["CIC12"].polarity is Polarity.LOWER
    assert loaded.kpis["CIC23"].unit == "fte"
    assert loaded.colours[Rag.AMBER] == "FFEB9C"
    assert loaded.section == 3
    assert len(loaded.sha256) == 64


def test_the_issue_example_is_valid():
    example = """\
    version: 1
    title: Children in Care Scorecard
    layout:
      sheet: Scorecard
      header_row: 4
      history: false
      columns:
        id: Ref
        name: Indicator
        current: Jun-18
        previous: May-18
        polarity: Polarity
        target: Target
        floor: Floor
        numerator: Numerator
        denominator: Denominator
        commentary: Commentary
        rag: RAG
        direction: DOT
    period:
      current: June 2018
      previous: May 2018
    defaults:
      decimals: 1
      compare: displayed
    colours: {Green: C6EFCE, Amber: FFEB9C, Red: FFC7CE, No data: D9D9D9}
    kpis:
      - id: CIC01
        name: Percentage of CIC who turned 18 during the month with a health history
        polarity: higher
        unit: percent
        decimals: 1
        target: 100
        floor: 90
      - id: CIC13
        polarity: target
        target: 50
        green_within: 2
        amber_within: 5
    """
    loaded = rules(example)
    assert loaded.kpis["CIC13"].polarity is Polarity.TARGET
    assert loaded.kpis["CIC01"].target == 100.0


@pytest.mark.parametrize(
    "word, polarity",
    [
        ("H", Polarity.HIGHER),
        ("Low", Polarity.LOWER),
        ("T", Polarity.TARGET),
        ("higher", Polarity.HIGHER),
        ("LOWER", Polarity.LOWER),
    ],
)
def test_polarity_spellings(word, polarity):
    loaded = rules(
        BASE
        + f"kpis:\n  - {{id: A, polarity: {word}, target: 5, floor: {3 if polarity is not Polarity.LOWER else 7}}}\n"
    )
    assert loaded.kpis["A"].polarity is polarity


def test_percent_strings_mean_percent_points():
    loaded = rules(BASE + 'kpis:\n  - {id: A, polarity: higher, target: "85%", floor: "75.5 %"}\n')
    assert (loaded.kpis["A"].target, loaded.kpis["A"].floor) == (85.0, 75.5)


def test_yaml_syntax_error_names_the_line():
    message = error_of(BASE + "kpis:\n  - id: A\n    target: [1, 2\n")
    assert message.startswith("rules.yaml, line ")
    assert "not valid YAML" in message


def test_unknown_key_suggests_the_right_one():
    message = error_of(BASE + "kpis:\n  - id: A\n    polarity: higher\n    tagret: 5\n")
    assert "rules.yaml, line 7: unknown key 'tagret' in kpis[0] (A) (did you mean 'target'?)" in message


def test_unknown_top_level_key():
    assert "unknown key 'colors' in the top level (did you mean 'colours'?)" in error_of(
        BASE + "colors: {Green: 00FF00}\n"
    )


def test_bad_polarity_names_line_and_choices():
    message = error_of(BASE + "kpis:\n  - id: A\n    polarity: hihger\n")
    assert (
        "line 6" in message
        and "'hihger' is not one of higher, lower, target" in message
        and "did you mean 'higher'" in message
    )


def test_wrong_type_names_the_key():
    message = error_of(BASE + "kpis:\n  - id: A\n    decimals: one\n")
    assert "line 6" in message and "kpis[0] (A).decimals should be an integer, not 'one'" in message


def test_bad_target_text():
    assert "line 6" in error_of(BASE + "kpis:\n  - id: A\n    target: eighty\n")


def test_version_must_be_1():
    assert "rules.yaml, line 1: version must be 1, not 2" in error_of(BASE.replace("version: 1", "version: 2"))


def test_missing_id_column():
    message = error_of("version: 1\nlayout:\n  columns: {current: A, previous: B}\n")
    assert "line 3" in message and "layout.columns is missing the required key 'id'" in message


def test_current_needed_unless_history_and_previous_unless_a_first_return():
    message = error_of("version: 1\nlayout:\n  columns: {id: Ref}\n")
    assert "needs 'current'" in message and "'previous' too, unless this is a first return" in message
    first = rules("version: 1\nlayout:\n  columns: {id: Ref, current: Q1 2024/25}\n")
    assert first.layout.names("current") and not first.layout.names("previous")
    assert rules("version: 1\nlayout:\n  history: true\n  columns: {id: Ref}\n").layout.history


def test_duplicate_kpi_in_rules():
    message = error_of(BASE + "kpis:\n  - {id: A}\n  - {id: A}\n")
    assert "rules.yaml, line 6: KPI 'A' is listed twice (first on line 5)" in message


def test_duplicate_yaml_key():
    assert "rules.yaml, line 4: duplicate key 'layout' (first given on line 2)" in error_of(BASE + "layout: {}\n")


@pytest.mark.parametrize(
    "polarity, target, floor, words",
    [("higher", 80, 90, "floor 90 is above target 80"), ("lower", 15, 10, "floor 10 is below target 15")],
)
def test_floor_on_the_wrong_side(polarity, target, floor, words):
    message = error_of(BASE + f"kpis:\n  - id: A\n    polarity: {polarity}\n    target: {target}\n    floor: {floor}\n")
    assert "line 8" in message and words in message


def test_target_polarity_checks():
    assert "has polarity target but no target" in error_of(BASE + "kpis:\n  - {id: A, polarity: target}\n")
    assert "green_within 5 is wider than amber_within 2" in error_of(
        BASE + "kpis:\n  - {id: A, polarity: target, target: 50, green_within: 5, amber_within: 2}\n"
    )
    assert "applies only to polarity target" in error_of(
        BASE + "kpis:\n  - {id: A, polarity: higher, green_within: 5}\n"
    )


def test_several_problems_are_reported_together():
    message = error_of(BASE + "kpis:\n  - {id: A, polarity: sideways}\n  - {id: B, decimals: -1}\n")
    assert len(message.splitlines()) == 2


def test_empty_and_non_mapping_files():
    assert "is empty" in error_of("")
    assert "must be a mapping" in error_of("- a\n- b\n")


def test_unsafe_yaml_is_refused():
    message = error_of(BASE + "title: !!python/object/apply:os.system ['echo owned']\n")
    assert "not valid YAML" in message


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(RulesError, match="rules file not found"):
        load_rules(tmp_path / "nope.yaml")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(BASE.encode() + "title: caf\xe9\n".encode("latin-1"))
    with pytest.raises(RulesError, match="not UTF-8"):
        load_rules(bad)


def test_cache_follows_the_file(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(BASE + "title: One\n")
    assert load_rules_cached(path) is load_rules_cached(path)
    path.write_text(BASE + "title: Two, longer\n")
    assert load_rules_cached(path).title == "Two, longer"


def test_shipped_schema_is_a_valid_json_schema_and_accepts_the_sample():
    jsonschema.Draft202012Validator.check_schema(schema())
    document = yaml.safe_load(SAMPLE_RULES.read_text())
    jsonschema.validate(document, schema())
    on_disk = json.loads((ROOT / "addin" / "scorecard" / "core" / "rules.schema.json").read_text())
    assert on_disk == schema()
