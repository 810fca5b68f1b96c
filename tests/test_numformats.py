"""workbook/numformats.py against openpyxl as the oracle: the built-in formats, date and duration
detection, serial dates in both date systems (with 1900's leap-year bug) and ISO 8601 cells give what
openpyxl's helpers give, which the reader used before it had its own."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

from scorecard.workbook import numformats

# Pieces real format codes are made of: digits, separators, date and time letters, literals in quotes,
# escapes, fills and space widths, colours, conditions, locales and elapsed time, sections.
PIECES = [
    "0", "#", "?", ".", ",", "%", "E+", "e-", "/", " ", "-", ":", "(", ")", "$", "£", "@", ";",
    "d", "dd", "ddd", "mmm", "m", "mm", "yy", "yyyy", "h", "hh", "s", "ss", "AM/PM", "A/P", "D", "M", "Y",
    '"days"', '"m"', '"', "\\d", "\\h", "_)", "_(", "_m", "*-", "* ", "[Red]", "[Color10]", "[>=100]",
    "[$-809]", "[$£-809]", "[h]", "[hh]", "[mm]", "[m]", "[ss]", "[s]", "[H]", "[hhh]", "[", "]", ".0", ".00",
    "General", "general", "@", "x", "B", "e", "g",
]  # fmt: skip
codes = st.lists(st.sampled_from(PIECES), max_size=10).map("".join)


def test_the_built_in_formats_are_openpyxls():
    assert numformats.BUILTIN_FORMATS == BUILTIN_FORMATS
    assert numformats.BUILTIN_LIMIT == 164


@pytest.mark.slow
@given(codes)
@settings(max_examples=3000, deadline=None)
@example("mm-dd-yy")
@example('"m"0')  # a quoted m is text
@example("[Red]0.0")  # a colour, not a date
@example("[h]:mm:ss")
@example('0.0" days";[Red]dd')  # only the first section counts
@example("#,##0_m")  # the width of an m is a space
@example('"unclosed d')
@example("[mm")
def test_date_and_duration_detection_agree_with_openpyxl(code):
    assert numformats.is_date_format(code) == is_date_format(code), code
    assert numformats.is_duration_format(code) == is_timedelta_format(code), code


def test_every_built_in_format_is_classified_as_openpyxl_does():
    for code in BUILTIN_FORMATS.values():
        assert numformats.is_date_format(code) == is_date_format(code), code
    assert numformats.is_date_format(None) is False and numformats.is_duration_format(None) is False


serials = st.one_of(
    st.integers(min_value=-700_000, max_value=2_958_465),
    st.floats(min_value=-700_000, max_value=2_958_465.99999, allow_nan=False),
    st.sampled_from([0, 0.5, 0.999999, 1, 1.5, 59, 59.75, 60, 60.25, 61, 43252, 43252.5, 2958465, 2958466]),
)


def _oracle(call):
    try:
        return call()
    except (OverflowError, ValueError) as error:
        return type(error)


@pytest.mark.slow
@given(serials, st.booleans(), st.booleans())
@settings(max_examples=3000, deadline=None)
def test_serial_dates_agree_with_openpyxl(serial, date1904, duration):
    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    assert _oracle(lambda: numformats.from_serial(serial, date1904, duration)) == _oracle(
        lambda: from_excel(serial, epoch, timedelta=duration)
    ), serial


def test_the_1900_leap_year_bug_by_hand():
    # serial 1 is 1 January 1900; 59 is 28 February; 60 is Excel's 29 February 1900, which never was;
    # 61 is 1 March. 43252 is 1 June 2018 (the sample's month); in the 1904 system the same day is 41790.
    assert numformats.from_serial(1) == dt.datetime(1900, 1, 1)
    assert numformats.from_serial(59) == dt.datetime(1900, 2, 28)
    assert numformats.from_serial(61) == dt.datetime(1900, 3, 1)
    assert numformats.from_serial(43252) == dt.datetime(2018, 6, 1)
    assert numformats.from_serial(41790, date1904=True) == dt.datetime(2018, 6, 1)
    assert numformats.from_serial(0.75) == dt.time(18, 0)
    assert numformats.from_serial(1.5, duration=True) == dt.timedelta(hours=36)


iso_texts = st.one_of(
    st.builds(
        lambda d, t, z: f"{d}{t}{z}",
        st.sampled_from(["", "2018-06-01", "1999-12-31", "2018-13-01"]),
        st.sampled_from(["", "T", "T09:30", "T09:30:15", "T09:30:15.5", "T09:30:15.123", "T25:00"]),
        st.sampled_from(["", "Z"]),
    ),
    st.sampled_from(["PT1H", "PT1H30M", "PT45M10.5S", "PT", "P1D", "nonsense", "12:00"]),
    st.text(alphabet="0123456789-:TZ.PHMS", max_size=20),
)


@pytest.mark.slow
@given(iso_texts)
@settings(max_examples=2000, deadline=None)
def test_iso_8601_cells_agree_with_openpyxl(text):
    assert _oracle(lambda: numformats.from_iso8601(text)) == _oracle(lambda: from_ISO8601(text)), text


@pytest.mark.slow
@pytest.mark.parametrize("module", ["scorecard.workbook.reader", "scorecard.usecases", "scorecard.cli"])
def test_reading_a_workbook_imports_no_openpyxl(module, tmp_path):
    code = (
        f"import sys, {module}\n"
        "from scorecard.workbook.book import read_grid\n"
        f"read_grid(sys.argv[1], None)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'numpy', 'pandas', 'jsonschema')))"
    )
    from conftest import SAMPLE

    done = subprocess.run([sys.executable, "-c", code, str(SAMPLE)], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ('£#,##0.0,,"m"', (2, 1, "m")),
        ('£#,##0,"k"', (1, 0, "k")),
        ("#,##0,,\\m", (2, 0, "m")),
        ('£#,##0.0,,"m";[Red]-£#,##0.0,,"m"', (2, 1, "m")),
        ("#,##0", None),
        ("0.0%", None),
    ],
)
def test_formats_that_show_thousands_or_millions(code, shown):
    from scorecard.core.numfmt import scaled_format

    found = scaled_format(code)
    assert (None if found is None else (found.thousands, found.decimals, found.suffix)) == shown


def test_money_is_written_as_the_sheet_shows_it_unless_that_would_blur_it_with_its_target():
    from scorecard.core.model import Kpi, Polarity
    from scorecard.core.phrasing import figure

    kpi = Kpi("MP01", "Savings", Polarity.HIGHER, 1420000, 1180000, 1500000, None, "pounds", 1, scaled=(2, 1, "m"))
    assert [figure(v, kpi) for v in (1420000, 1500000)] == ["£1.4m", "£1.5m"]
    blurred = Kpi("MP01", "Savings", Polarity.HIGHER, 1460000, 1180000, 1500000, None, "pounds", 1, scaled=(2, 1, "m"))
    assert figure(1460000, blurred) == "£1,460,000.0"  # never "£1.5m, missing the target of £1.5m"
