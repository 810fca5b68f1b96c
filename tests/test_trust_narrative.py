"""The narrative never says anything false: worked examples, then a property test whose oracle is
the JSON (`summary.as_dict`) read by code of its own, not by the narrative's helpers."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clirun import run_cli
from scorecard.core.engine import evaluate
from scorecard.core.model import Kpi, Period, Polarity
from scorecard.core.narrative import write_narrative
from scorecard.core.spc import SpcSettings
from scorecard.core.summary import as_dict

H, L, T = Polarity.HIGHER, Polarity.LOWER, Polarity.TARGET
JUNE = Period("June 2018", "May 2018")


def kpi(id, current, previous, target=85.0, floor=75.0, polarity=H, unit="percent", **kw):
    return Kpi(
        id=id,
        name=kw.pop("name", f"Measure {id}"),
        polarity=polarity,
        current=current,
        previous=previous,
        target=target,
        floor=floor,
        unit=unit,
        **kw,
    )


def lines(*kpis, period=JUNE):
    return write_narrative(evaluate(kpis, title="T", period=period, section=3)).lines()


def line_of(all_lines, name):
    found = [line for line in all_lines if re.match(rf"^[\d.]+ {re.escape(name)}\. ", line)]
    assert len(found) == 1, (name, all_lines)
    return found[0]


# --- worked examples ------------------------------------------------------------------------------


def test_a_two_sided_kpi_as_far_from_target_moved_it_did_not_remain():
    # 96.5% -> 103.5% against 100%: 3.5 points away both times, so the same performance, not the same figure.
    text = "\n".join(lines(kpi("A", 103.5, 96.5, target=100, floor=90, polarity=T)))
    assert "remained" not in text
    assert (
        "Performance moved from 96.5% in May 2018 to 103.5% in June 2018, as far from the target as before, "
        "against a target of 100.0%."
    ) in text
    assert "This KPI shows the same performance in May and June 2018:" in text


def test_remained_at_only_for_equal_figures():
    text = "\n".join(lines(kpi("A", 80.04, 79.96)))  # both show 80.0%
    assert "Performance remained at 80.0% in May and June 2018, against a target of 85.0%." in text


def test_exact_comparison_below_the_shown_precision_does_not_say_remained():
    # compare: exact rates 79.98 above 79.96, though both show as 80.0%
    text = "\n".join(lines(kpi("A", 79.98, 79.96, compare="exact")))
    assert "remained" not in text
    assert "Performance improved slightly, showing 80.0% in May and June 2018" in text


def test_the_rag_status_of_several_kpis_has_changed():
    text = "\n".join(lines(kpi("A", 90, 80), kpi("B", 70, 80), kpi("C", 80, 90)))
    assert (
        "Since May 2018 the RAG status of 3 KPIs has changed. The details of these changes are provided below:" in text
    )
    assert "have changed" not in text


def test_amber_from_green_without_a_floor_names_the_band_not_none():
    # two-sided, Green within 2 of 100, Amber within 5: 101 (Green) -> 104 (Amber)
    all_lines = lines(kpi("A", 104, 101, target=100, floor=None, polarity=T, green_within=2, amber_within=5))
    change = next(line for line in all_lines if line.startswith("3.3.1"))
    assert change == "3.3.1 Measure A. Rated Amber for June 2018, from Green for May 2018: see 3.4.1."
    update = next(line for line in all_lines if line.startswith("3.4.1"))
    assert update == (
        "3.4.1 Measure A. Performance declined from 101.0% in May 2018 to 104.0% in June 2018, "
        "missing the target of 100.0% (plus or minus 2.0%) but staying within 5.0% of it."
    )


def test_a_floor_without_a_target():
    # higher is better, floor 75 only: 70 is Red, 80 Amber (at or above the floor); there is no Green.
    text = "\n".join(lines(kpi("A", 80, 70, target=None)))
    assert "3.3.1 Measure A. Rated Amber for June 2018, from Red for May 2018: see 3.4.1." in text
    assert (
        "3.4.1 Measure A. Performance improved from 70.0% in May 2018 to 80.0% in June 2018, "
        "meeting the floor standard of 75.0% (this measure has no target)."
    ) in text
    assert "• 1 is rated Amber – at or above the floor standard" in text and "rated Green" not in text
    steady = "\n".join(lines(kpi("A", 80, 79, target=None)))  # no change: the update names the floor
    assert (
        "3.4.1 Measure A. Performance improved from 79.0% in May 2018 to 80.0% in June 2018, against a floor "
        "standard of 75.0%." in steady
    )


def test_a_target_without_a_floor_goes_straight_to_red():
    text = "\n".join(lines(kpi("A", 80, 90, target=85, floor=None)))
    assert (
        "declined from 90.0% in May 2018 to 80.0% in June 2018, missing the target of 85.0%." in text
        and "from Green for May 2018: see 3.5.1." in text
    )
    assert "• 1 is rated Red – below target" in text and "floor" not in text and "Amber –" not in text


@pytest.mark.parametrize(
    "kw, now, before, reason",
    [
        (
            dict(floor=90),
            111,
            105,
            "further from the target of 100.0% than the floor standard of 90.0%",
        ),  # Amber -> Red
        (
            dict(floor=90),
            105,
            111,
            "missing the target of 100.0% but now no further from it than the floor standard of 90.0%",
        ),  # Red -> Amber: it came within the floor's distance, it did not stay there
        (dict(floor=None, amber_within=5), 94, 97, "more than 5.0% from the target of 100.0%"),
        (dict(floor=90), 100, 95, "meeting the target of 100.0%"),
    ],
)
def test_two_sided_reasons(kw, now, before, reason):
    text = "\n".join(lines(kpi("A", now, before, polarity=T, target=100, **kw)))
    assert reason in text
    assert "None" not in text


def test_commentary_is_quoted_once():
    say = "Caseloads rose after two teams merged."
    text = "\n".join(lines(kpi("A", 80, 90, commentary=say)))  # Green -> Amber: a change, and an Amber update
    assert text.count(say) == 1
    quoted = [line for line in lines(kpi("A", 80, 90, commentary=say)) if say in line]
    assert quoted[0].startswith("3.4.1 Measure A.")  # in the Amber update, not in the change
    green = "\n".join(lines(kpi("A", 90, 80, commentary=say)))  # Amber -> Green: only the change paragraph
    assert green.count(say) == 1


def test_no_doubled_brackets_for_a_name_in_brackets():
    text = "\n".join(lines(kpi("A", None, 80, name="Care leavers in touch (new measure)"), kpi("B", 80, None)))
    assert ") (" not in text
    assert "Care leavers in touch (new measure), with no data for June 2018; Measure B (no data for May 2018)." in text


def test_a_kpi_with_no_polarity_but_a_target_moves_as_it_is_rated():
    # rated as higher is better (as the rating reads it), so its direction is improved, not "increased"
    text = "\n".join(lines(kpi("A", 80, 78, polarity=None)))
    assert "This KPI shows improved performance between May and June 2018:" in text
    assert "Performance improved from 78.0% in May 2018 to 80.0% in June 2018" in text


def test_only_activity_indicators():
    text = "\n".join(lines(kpi("A", 12, 10, target=None, floor=None, unit="count", decimals=0)))
    assert "3.2 No KPI has a target or floor standard, so none is rated for June 2018." in text
    assert "Of the 0" not in text


@pytest.mark.parametrize(
    "unit, decimals, now, before, shown",
    [
        ("pounds", 2, -1234.5, -1200, ("-£1,200.00", "-£1,234.50")),
        ("fte", 1, 89.4, 91.1, ("91.1 FTE", "89.4 FTE")),
        ("days", 0, 1, 3, ("3 days", "1 day")),
        ("rate", 3, 0.1235, 0.2, ("0.200", "0.124")),
    ],
)
def test_units_in_sentences(unit, decimals, now, before, shown):
    text = "\n".join(lines(kpi("A", now, before, target=1000, floor=-5000, unit=unit, decimals=decimals)))
    assert f"declined from {shown[0]} in May 2018 to {shown[1]} in June 2018" in text


# --- the property: every sentence states only what the JSON holds ------------------------------

WORDS = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda omicron sigma omega").split()
UNITS = ("percent", "number", "count", "fte", "days", "pounds", "rate")
PERIODS = (
    ("June 2018", "May 2018"),
    ("January 2019", "December 2018"),
    ("March 2020", "December 2019"),
)  # read_table always names both
MONTH_NAMES = ("January February March April May June July August September October November December").split()
NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        (
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
            "sixteen seventeen "
            "eighteen nineteen twenty"
        ).split()
    )
}
HISTORY_NAMES = {
    "month": [f"{m} 2017" for m in MONTH_NAMES] + [f"{m} 2018" for m in MONTH_NAMES],
    "quarter": [f"Q{q} {y}/{str(y + 1)[2:]}" for y in range(2013, 2019) for q in (1, 2, 3, 4)],
    "year": [f"{y}/{str(y + 1)[2:]}" for y in range(1995, 2019)],
}
BENCHMARK_LABELS = ["England", "Statistical neighbours", "Region", "Shire counties", "London"]
RANKS = [None, "3", "12", "113", "=4", "n/a", "7 of 9", "150 out of 152", "0/5"]
QUARTILES = [None, "1", "4", "Q2", "3rd", "Top", "bottom quartile", "Upper middle", "Lower-middle", "A", "n/a"]
value = st.integers(min_value=-20000, max_value=160000).map(lambda i: i / 1000)


@st.composite
def kpis(draw):
    n = draw(st.integers(min_value=1, max_value=8))
    words = draw(st.permutations(WORDS))[:n]
    out = []
    for i, word in enumerate(words):
        polarity = draw(st.sampled_from([H, L, T, None]))
        unit, decimals = draw(st.sampled_from(UNITS)), draw(st.integers(min_value=0, max_value=3))
        a, b = sorted([draw(value), draw(value)])
        kind = draw(st.sampled_from(["both", "target", "floor", "activity"]))
        if polarity is T:
            kind = draw(st.sampled_from(["both", "target"]))  # the reader refuses a two-sided KPI without target
        target, floor = (b, a) if polarity is not L else (a, b)  # floor on the bad side, or on the target
        if draw(st.booleans()):
            floor = target  # a tie: target and floor the same
        target = None if kind in ("floor", "activity") else target
        floor = None if kind in ("target", "activity") else floor
        green = amber = None
        if polarity is T:
            green = draw(st.one_of(st.none(), st.integers(0, 3000).map(lambda i: i / 1000)))
            if draw(st.booleans()):
                amber = (green or 0) + draw(st.integers(0, 9000)) / 1000
        pool = [value] + [st.just(x) for x in (target, floor) if x is not None]
        current = draw(st.one_of(st.none(), *pool))
        choices = [st.none(), st.just(current), *pool]
        if polarity is T and current is not None and target is not None:
            choices.append(st.just(2 * target - current))  # as far from the target, on the other side
        previous = draw(st.one_of(*choices))
        name = f"Measure {word}" + (" (new measure)" if draw(st.booleans()) else "")
        commentary = draw(st.sampled_from(["", f"Comment on {word}: work continues with partners."]))
        history, periods = (), ()
        if draw(st.booleans()):  # a history (layout.history) ending in the current and previous figures
            level = draw(st.integers(-50, 150))  # few distinct figures, so runs, trends and outliers are common
            older = draw(
                st.lists(
                    st.one_of(
                        st.none(),
                        st.integers(level - 3, level + 3).map(float),
                        st.sampled_from([level + 40.0, level - 40.0]),
                    ),
                    max_size=18,
                )
            )
            history = (*older, previous, current)
            kind = draw(st.sampled_from(sorted(HISTORY_NAMES)))
            periods = tuple(HISTORY_NAMES[kind][-len(history) :])
        benchmarks = None
        if draw(st.booleans()):
            labels = draw(st.lists(st.sampled_from(BENCHMARK_LABELS), min_size=1, max_size=3, unique=True))
            near = [st.just(x) for x in (current, target) if x is not None]  # ties as displayed, too
            benchmarks = {label: draw(st.one_of(st.none(), value, *near)) for label in labels}
        rank = draw(st.sampled_from(RANKS + [f"{n}/{m}" for n, m in ((1, 152), (11, 12), (22, 150), (103, 151))]))
        quartile = draw(st.sampled_from(QUARTILES))
        out.append(
            Kpi(
                id=f"K{i}",
                name=name,
                polarity=polarity,
                current=current,
                previous=previous,
                target=target,
                floor=floor,
                unit=unit,
                decimals=decimals,
                compare=draw(st.sampled_from(["displayed", "exact"])),
                green_within=green,
                amber_within=amber,
                commentary=commentary,
                row=i + 5,
                history=history,
                history_periods=periods,
                benchmarks=benchmarks,
                rank=rank,
                quartile=quartile,
            )
        )
    return out


def shown(number, decimals):
    """The oracle's own formatting: half-up at the KPI's decimals, thousands separated, no '-0'."""
    q = Decimal(repr(float(number))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = format(q, f",.{decimals}f")
    return text.lstrip("-") if set(text) <= set("-0.,") else text


NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
FIGURE = re.compile(rf"(-?)(£?)({NUMBER})(%?)")
FIELDS = ("current", "previous", "target", "floor", "green_within", "amber_within")


def check_against_the_json(data):
    kpis_ = data["kpis"]
    counts, changes = data["counts"], data["changes"]
    period = data["period"]
    years = {y for p in period.values() if p for y in re.findall(r"\d{4}", p)}
    months = {w for p in period.values() if p for w in p.split() if w in MONTH_NAMES}
    rated = len(kpis_) - counts["Not rated"]
    gaps = sum(
        1 for k in kpis_ if (k["rag"] == "No data") != (k["previous_rag"] == "No data") and k["rag"] != "Not rated"
    )
    special = {
        k["id"]
        for k in kpis_
        if k["spc"]
        and k["spc"]["variation"] in ("improvement", "concern", "neither")
        and k["rag"] not in ("Amber", "Red")
        and k["current"] is not None
    }  # each in a "real change" paragraph
    plain_counts = {*counts.values(), len(kpis_), rated, len(changes), gaps, len(special)}
    by_line = [re.sub(r"^(\d+(\.\d+)+ |• )", "", line) for line in data["narrative"]]
    owners = {}
    for n, text in enumerate(by_line):
        assert not re.search(r"\b(None|nan|NaN|inf|Infinity|null)\b", text), text
        assert "{" not in text and "}" not in text and ") (" not in text and "  " not in text, text
        assert not re.search(r"\b1 KPIs\b|\b(0|[2-9]|\d\d+) KPI\b", text), text
        assert not re.search(r"(^|: |, and )(1 (are|have)|(0|[2-9]|\d\d+) (is|has)) ", text), text
        assert "have changed" not in text, text
        for word in re.findall(r"\b(" + "|".join(MONTH_NAMES) + r")\b", text):
            assert word in months, (word, period, text)
        owner = next((k for k in kpis_ if text.startswith(k["name"].rstrip(". ") + ". ")), None)
        if owner is not None:
            owners.setdefault(owner["id"], []).append(n)
            text = check_cross_reference(text, owner, data)
            fmt = {f: shown(owner[f], owner["decimals"]) for f in FIELDS if owner[f] is not None}
            fmt.update(check_spc_sentence(text, owner, fmt))
            text = check_standing(owner, text)  # rank and quartile checked, and taken out of the text
            fmt.update(check_benchmarks(owner, text))
            if owner["compare"] == "exact":  # its figures, target and floor may be sharpened to read apart
                fmt.update(
                    {
                        f"{f} at {d}": shown(owner[f], d)
                        for f in ("current", "previous", "target", "floor")
                        if owner[f] is not None
                        for d in range(owner["decimals"], 7)
                    }
                )
            for sign, pound, digits, percent in FIGURE.findall(text):
                token = sign + digits
                if token in years and not (pound or percent):
                    continue
                assert token in fmt.values(), (token, fmt, text)
                assert bool(percent) == (owner["unit"] == "percent"), text
                assert bool(pound) == (owner["unit"] == "pounds"), text

            def same(token, field, owner=owner):  # the printed figure is the field's, rounded as printed
                number, places = _printed(token)
                return places >= owner["decimals"] and number == Decimal(shown(owner[field], places).replace(",", ""))

            said = re.search(rf"remained at (-?£?{NUMBER})", text)
            if said:
                assert "previous" in fmt and "current" in fmt, text
                assert same(said.group(1), "current") and same(said.group(1), "previous"), text
            moved = re.search(
                rf"(improved|declined|moved) from (-?£?{NUMBER})\S*(?: FTE| days?)? in .+? to (-?£?{NUMBER})", text
            )
            if moved:
                verb, before, now = moved.groups()
                assert same(before, "previous") and same(now, "current"), text
                assert before != now, text
                assert {"improved": "improved", "declined": "declined", "moved": "same"}[verb] == owner["direction"], (
                    text
                )
            for verb in ("improved", "declined"):
                if f"Performance {verb}" in text or f"measure {verb}" in text:
                    assert owner["direction"] == verb, text
            if owner["commentary"]:
                assert text.count(owner["commentary"]) <= 1
        else:
            for sign, pound, digits, percent in FIGURE.findall(text):
                token = sign + digits
                assert not (pound or percent), text
                assert token in years or int(token.replace(",", "")) in plain_counts, (token, text)
            for n_, rag in re.findall(r"^(\d+) (?:is|are) rated (Green|Amber|Red) – ", text):
                assert int(n_) == counts[rag], text
                rated_kpis = [k for k in kpis_ if k["rag"] != "Not rated"]
                if "floor standard" in text:  # the legend's words follow what the KPIs have
                    assert any(k["floor"] is not None or k["polarity"] == "target" for k in rated_kpis), text
                if "target" in text:
                    assert any(k["target"] is not None for k in rated_kpis), text
            for n_ in re.findall(r"^(\d+) (?:has|have) no data for", text):
                assert int(n_) == counts["No data"], text
            for n_, rag in re.findall(r"^For the (\d+) KPIs rated as (Amber|Red)", text):
                assert int(n_) == counts[rag], text
            if re.match(r"^For the KPI rated as (Amber|Red)", text):
                assert counts[re.match(r"^For the KPI rated as (\w+)", text).group(1)] == 1
            for rag in re.findall(r"^No KPI is rated (Amber|Red)", text):
                assert counts[rag] == 0, text
            for n_ in re.findall(r"the RAG status of (\d+) KPIs? has changed", text):
                assert int(n_) == len(changes), text
            if "the RAG status of no KPI has changed" in text:
                assert changes == [], text
            for n_ in re.findall(r" for (\d+) (?:KPIs?|Key Performance Indicators?)\b", text):
                assert int(n_) == len(kpis_), text
            for n_ in re.findall(r"real change, not normal variation, for these (\d+) KPIs", text):
                assert int(n_) == len(special), text
            if "real change, not normal variation, for this KPI" in text:
                assert len(special) == 1, text
            lead = re.match(r"^(\w+) of these KPIs", text)
            if lead:
                listed = 0
                for following in data["narrative"][n + 1 :]:
                    if not re.match(r"^\d+\.\d+\.\d+ ", following):
                        break
                    listed += 1
                assert NUMBER_WORDS[lead.group(1).lower()] == listed, text
    # every change and every Amber or Red KPI has its paragraph, and none has more than one per section
    amber_red = {k["id"] for k in kpis_ if k["rag"] in ("Amber", "Red")}
    changed = {c["id"] for c in changes}
    for k in kpis_:
        expected = (k["id"] in amber_red) + (k["id"] in changed) + (k["id"] in special)
        assert len(owners.get(k["id"], [])) == expected, (k, data["narrative"])
        if k["commentary"] and (k["id"] in amber_red or k["id"] in changed):  # a "real change" paragraph quotes none
            assert sum(line.count(k["commentary"]) for line in data["narrative"]) == 1, k


def _printed(token):
    """A printed figure ('-£1,234.50', '0.70%') as a Decimal, and its number of decimals."""
    digits = token.replace("£", "").replace(",", "").rstrip("%")
    return Decimal(digits), len(digits.split(".")[1]) if "." in digits else 0


def check_cross_reference(text, owner, data):
    """A pointer from the list of changes ("see 3.4.2") names the KPI's own update, and says the change the
    JSON holds; returns the text without the pointer's number."""
    pointer = re.search(r": see (\d+(?:\.\d+)+)\.$", text)
    if not pointer:
        return text
    target = [line for line in data["narrative"] if line.startswith(pointer.group(1) + " ")]
    assert len(target) == 1 and target[0][len(pointer.group(1)) + 1 :].startswith(owner["name"].rstrip(". ") + ". ")
    assert owner["rag"] in ("Amber", "Red") and owner["previous_rag"] in ("Green", "Amber", "Red"), text
    said = f"Rated {owner['rag']} for {data['period']['current']}, from {owner['previous_rag']} for "
    assert said in text, text
    return text[: pointer.start()]


def check_spc_sentence(text, owner, fmt):
    """A KPI's statistical process control sentence says only what its JSON ``spc`` holds: each limit and
    average is the true one rounded at the decimals printed (the KPI's, or more), and every comparison it
    makes holds of the figures as printed. Returns the figures it printed, for the figure check."""
    spc = owner["spc"]
    said = re.findall(
        r"no real change|a real (improvement|cause for concern|change)|only (\w+) \w+ of figures|"
        r"normal range of|its average of",
        text,
    )
    if not said:
        return {}
    assert spc is not None, text
    if "only" in text and " of figures, fewer than the " in text:
        points = re.search(r"only (\w+) (?:months?|quarters?|years?) of figures", text).group(1)
        assert NUMBER_WORDS[points] == spc["points"] and spc["variation"] is None, text
        return {}
    verdicts = {
        "a real improvement": "improvement",
        "a real cause for concern": "concern",
        "a real change": "neither",
        "no real change": "common cause",
    }
    found = [v for phrase, v in verdicts.items() if phrase in text]
    assert found == [spc["variation"]], (found, spc, text)
    printed = {}
    decimals = owner["decimals"]

    def true_value(token, value, name):
        number, places = _printed(token)
        assert places >= decimals, (name, token, text)
        assert number == Decimal(shown(value, places).replace(",", "")), (name, token, value, text)
        printed[f"{name} {token}"] = token.replace("£", "").rstrip("%")
        return number

    tail = r"\S*(?: FTE| days?| weeks?| months?| hours?)?"
    for low, high in re.findall(rf"normal range of (-?£?{NUMBER}){tail} to (-?£?{NUMBER})", text):
        assert true_value(low, spc["lower"], "lower") < true_value(high, spc["upper"], "upper"), text
    for mean in re.findall(rf"(?:its average of|not varied from) (-?£?{NUMBER})", text):
        true_value(mean, spc["mean"], "mean")
    latest = re.search(
        rf"Its latest figure, (-?£?{NUMBER}){tail}, is (above|below|within) its normal range of "
        rf"(-?£?{NUMBER}){tail} to (-?£?{NUMBER})",
        text,
    )
    if latest:
        figure_ = true_value(latest.group(1), owner["current"], "latest")
        low, high = _printed(latest.group(3))[0], _printed(latest.group(4))[0]
        where = latest.group(2)
        assert {"above": figure_ > high, "below": figure_ < low, "within": low <= figure_ <= high}[where], text
        assert {"above": owner["current"] > spc["upper"], "below": owner["current"] < spc["lower"]}.get(
            where, spc["lower"] <= owner["current"] <= spc["upper"]
        ), text
    over = re.search(r"Over the last (\w+) ", text) or re.search(r"All (\w+) of its figures", text)
    if over:
        assert NUMBER_WORDS[over.group(1)] == spc["points"] - (spc["recalculated_from"] or 0), text
    return printed


RELATIONS = (
    "better than",
    "worse than",
    "the same as",
    "higher than",
    "lower than",
    "closer to the target than",
    "further from the target than",
    "as close to the target as",
)


def _ordinal(n):
    return f"{n}th" if n % 100 in (11, 12, 13) else f"{n}" + {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def check_standing(owner, text):
    """The rank and quartile words say what their cells say, and only in an Amber or Red update."""
    rank, quartile = owner["rank"], owner["quartile"]
    said = re.findall(r"ranked (\d+)(st|nd|rd|th)(?: of (\d+))?", text)
    expected = []
    if rank and owner["rag"] in ("Amber", "Red") and "RAG rating from" not in text and ". Rated " not in text:
        numbers = re.findall(r"\d+", rank)
        if re.fullmatch(r"\d+", rank) and int(rank) > 0:
            expected = [(_ordinal(int(rank)), "")]
        elif not rank.startswith("=") and len(numbers) == 2 and 0 < int(numbers[0]) <= int(numbers[1]):
            expected = [(_ordinal(int(numbers[0])), numbers[1])]
    assert [(a + b, c) for a, b, c in said] == expected, (rank, text)
    words = {
        "top": "the top quartile",
        "upper": "the top quartile",
        "bottom": "the bottom quartile",
        "lower": "the bottom quartile",
        "upper middle": "the upper middle quartile",
        "lower middle": "the lower middle quartile",
        **{
            f"{q}{n}{th}": f"quartile {n}"
            for q in ("", "q")
            for n, th in zip("1234", ("st", "nd", "rd", "th"), strict=True)
        },
        **{f"{q}{n}": f"quartile {n}" for q in ("", "q") for n in "1234"},
    }
    said_quartile = words.get(" ".join((quartile or "").lower().replace("-", " ").replace("quartile", "").split()))
    found = re.findall(r"\bin (quartile \d|the \w+(?: middle)? quartile)", text)
    if said_quartile and owner["rag"] in ("Amber", "Red") and "RAG rating from" not in text and ". Rated " not in text:
        assert found == [said_quartile], (quartile, text)
    else:
        assert found == [], (quartile, text)
    text = re.sub(r"ranked \d+(st|nd|rd|th)( of \d+)?", "ranked", text)
    return re.sub(r"\bin quartile \d", "in quartile", text)


def check_benchmarks(owner, text):
    """Each benchmark with a figure is named once in the KPI's Amber or Red update, with the right
    relation; returns the benchmark figures as shown, so the figure check accepts them."""
    benchmarks = owner["benchmarks"] or {}
    decimals = owner["decimals"]
    update = owner["rag"] in ("Amber", "Red") and "RAG rating from" not in text and ". Rated " not in text
    shown_figures = {}
    for label, v in benchmarks.items():
        mention = (label + ("'" if label.endswith("s") else "'s")) + " "
        if v is None or not update:
            assert mention not in text, (label, text)
            continue
        assert text.count(mention) == 1, (label, text)
        shown_figures[f"benchmark {label}"] = shown(v, decimals)
        at = text.index(mention)
        assert text[at + len(mention) :].lstrip("-£").startswith(shown(v, decimals).lstrip("-")), (label, text)
        relation = max(RELATIONS, key=lambda r: text.rfind(r, 0, at))  # the relation phrase governing the mention
        now, other = (
            Decimal(shown(owner["current"], decimals).replace(",", "")),
            Decimal(shown(v, decimals).replace(",", "")),
        )
        if owner["polarity"] == "target":
            goal = Decimal(shown(owner["target"], decimals).replace(",", ""))
            gap = abs(now - goal) - abs(other - goal)
            expected = (
                "as close to the target as"
                if gap == 0
                else "closer to the target than"
                if gap < 0
                else "further from the target than"
            )
        elif now == other:
            expected = "the same as"
        elif owner["polarity"] is None:
            expected = "higher than" if now > other else "lower than"
        else:
            expected = "better than" if (now > other) == (owner["polarity"] == "higher") else "worse than"
        assert relation == expected, (label, relation, expected, text)
    return shown_figures


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kpis=kpis(),
    period=st.sampled_from(PERIODS),
    spc=st.builds(SpcSettings, min_points=st.integers(3, 12), run_length=st.integers(3, 7)),
)
def test_every_sentence_states_only_what_the_json_holds(kpis, period, spc):
    card = evaluate(kpis, title="T", period=Period(*period), section=3, spc=spc)
    narrative = write_narrative(card)
    check_against_the_json(as_dict(card, narrative))
    for whole in (narrative.to_text(), narrative.to_markdown()):  # the heading too
        assert not re.search(r"\b(None|nan|NaN|inf|null)\b|[{}]", whole), whole


def test_the_oracle_catches_a_false_figure():
    """The property test can fail: a narrative line with a figure the JSON lacks is caught."""
    card = evaluate([kpi("A", 80, 90)], title="T", period=JUNE, section=3)
    data = as_dict(card, write_narrative(card))
    data["narrative"] = [line.replace("80.0%", "81.0%") for line in data["narrative"]]
    with pytest.raises(AssertionError):
        check_against_the_json(data)
    data = as_dict(card, write_narrative(card))
    data["narrative"] = [line.replace("declined from 90.0%", "remained at 90.0%") for line in data["narrative"]]
    with pytest.raises(AssertionError):
        check_against_the_json(data)


@pytest.mark.slow
def test_the_oracle_catches_a_false_spc_sentence():
    """A verdict or a normal range the JSON does not hold is caught too."""
    # 16 figures alternating 80 and 90, then 99: mean 1459/17 = 85.82, mean moving range (15 x 10 + 9)/16 = 9.9375,
    # limits 85.82 -+ 26.43 = 59.39 to 112.26; two sigma 103.45, so nothing beyond it: common cause
    history = (80.0, 90.0) * 8 + (99.0,)
    card = evaluate(
        [kpi("A", 99, 90, target=100, floor=95, history=history, history_periods=HISTORY_NAMES["month"][-17:])],
        title="T",
        period=JUNE,
        section=3,
    )
    data = as_dict(card, write_narrative(card))
    check_against_the_json(data)
    assert (
        "Over the last seventeen months it has stayed within its normal range of 59.4% to 112.3%: no real change."
        in ("\n".join(data["narrative"]))
    )
    for wrong, right in (("no real change", "a real improvement"), ("59.4%", "59.5%"), ("seventeen", "eighteen")):
        data = as_dict(card, write_narrative(card))
        data["narrative"] = [line.replace(wrong, right) for line in data["narrative"]]
        with pytest.raises((AssertionError, KeyError)):
            check_against_the_json(data)


def test_the_oracle_catches_a_false_benchmark_or_rank():
    """Benchmark relations, figures, and rank words are checked by the oracle, not taken on trust."""
    measure = kpi(
        "A",
        79.4,
        80.1,
        benchmarks={"England": 81.5, "Statistical neighbours": 78.0, "London": None},
        rank="120/152",
        quartile="Bottom",
    )
    card = evaluate([measure], title="T", period=JUNE, section=3)
    good = as_dict(card, write_narrative(card))
    check_against_the_json(good)
    update = next(line for line in good["narrative"] if "England's" in line)
    assert "worse than England's 81.5% and better than Statistical neighbours' 78.0%" in update
    assert "ranked 120th of 152 and in the bottom quartile" in update
    for wrong, right in (
        ("worse than England", "better than England"),
        ("81.5%", "81.6%"),
        ("120th", "121st"),
        ("bottom quartile", "top quartile"),
        ("78.0%;", "78.0% and London's 80.0%;"),
    ):
        data = as_dict(card, write_narrative(card))
        data["narrative"] = [line.replace(wrong, right) for line in data["narrative"]]
        with pytest.raises(AssertionError):
            check_against_the_json(data)


def test_the_command_lines_json_meets_the_oracle(tmp_path):
    """End to end: a workbook with the awkward rows, through `scorecard narrative --format json`."""
    import json

    from conftest import write_book

    rows = [
        ["Ref", "Indicator", "Polarity", "Target", "Floor", "May-18", "Jun-18", "Commentary"],
        ["K1", "Floor only", "Higher is better", None, 75, 70, 80, "Recovering."],
        ["K2", "Target only", "H", 85, None, 90, 80, None],
        ["K3", "Two-sided placement (new measure)", "Close to target", 100, 90, 96.5, 103.5, None],
        ["K4", "Referrals received", None, None, None, 120, 131, None],
        ["K5", "New measure (pilot)", "Up", 60, 40, 50, None, None],
        ["K6", "Caseload", "Lower is better", 15, 18, 17, 19, "Two teams merged."],
        ["K7", "Budget variance", "Down", -1000, 0, -1500, -800, None],
    ]
    book = write_book(tmp_path / "book.xlsx", rows)
    (tmp_path / "rules.yaml").write_text(
        "version: 1\nlayout:\n  columns: {id: Ref, name: Indicator, polarity: Polarity, target: Target, floor: Floor, "
        "current: Jun-18, previous: May-18, commentary: Commentary}\nnarrative: {section: 3}\n"
    )
    code, out, err = run_cli("narrative", book, "--rules", tmp_path / "rules.yaml", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    check_against_the_json(data)
    text = "\n".join(data["narrative"])
    assert "moved from 96.5 in May 2018 to 103.5 in June 2018, as far from the target as before" in text
    assert (
        "meeting the floor standard of 75 (this measure has no target)" in text
    )  # General cells holding whole numbers show no decimals
    assert "New measure (pilot), with no data for June 2018" in text
    assert text.count("Two teams merged.") == 1
