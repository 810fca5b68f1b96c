"""The scorecard as a DataFrame: one row per KPI, the JSON's fields as columns."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import scorecard
from clirun import run_cli
from conftest import SAMPLE, SAMPLE_RULES
from scorecard.frame import flatten


def test_one_row_per_kpi_with_the_jsons_fields():
    frame = scorecard.read_scorecard(SAMPLE, rules=SAMPLE_RULES)
    run = run_cli("narrative", SAMPLE, "--rules", SAMPLE_RULES, "--format", "json")
    assert run.returncode == 0, run.stderr
    data = run.json()
    assert list(frame.index) == [k["id"] for k in data["kpis"]] and frame.index.name == "id"
    assert list(frame.columns) == [key for key in data["kpis"][0] if key != "id"]
    for kpi in data["kpis"]:
        row = frame.loc[kpi["id"]]
        for key, value in kpi.items():
            if key == "id":
                continue
            if value is None:
                assert pd.isna(row[key]), (kpi["id"], key)
            else:
                assert row[key] == value, (kpi["id"], key)
    assert (frame["rag"] == "Green").sum() == 14 and (frame["rag"] == "Amber").sum() == 10
    assert frame.attrs["period"] == {"current": "June 2018", "previous": "May 2018"}


def test_rules_may_be_given_loaded():
    from scorecard.core.rules import load_rules

    frame = scorecard.read_scorecard(SAMPLE, rules=load_rules(SAMPLE_RULES))
    assert frame.loc["CIC01", "previous_rag"] == "Amber"


def test_nested_objects_are_flattened():
    rows = flatten(
        [
            {"id": "A", "spc": {"mean": 71.4, "variation": "improvement"}, "benchmarks": {"England": 58.9, "SN": 60.2}},
            {"id": "B", "spc": None, "benchmarks": None},
        ]
    )
    frame = pd.DataFrame(rows).set_index("id")
    assert frame.loc["A", "spc.mean"] == 71.4 and frame.loc["A", "benchmarks.England"] == 58.9
    assert pd.isna(frame.loc["B", "spc.mean"]) and pd.isna(frame.loc["B", "benchmarks.SN"])


def test_importing_scorecard_does_not_import_pandas():
    code = "import sys, scorecard, scorecard.cli; print('pandas' in sys.modules)"
    assert subprocess.check_output([sys.executable, "-c", code], text=True).strip() == "False"


def test_an_unknown_attribute_is_still_an_attribute_error():
    with pytest.raises(AttributeError):
        scorecard.no_such_thing  # noqa: B018


def test_without_pandas_read_scorecard_says_which_extra_to_install():
    code = (
        "import sys\n"
        "sys.modules['pandas'] = None  # as if not installed: pandas is an extra\n"
        "import scorecard\n"
        "from scorecard.errors import ScorecardError\n"
        "try:\n"
        "    scorecard.read_scorecard(sys.argv[1], sys.argv[2])\n"
        "except ScorecardError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(SAMPLE), str(SAMPLE_RULES)], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "read_scorecard needs pandas: pip install 'scorecard[pandas]'"
