"""MDC-style XmR charts: colours by meaning, a PNG that shows what the numbers say."""

from __future__ import annotations

import io

import pytest

from scorecard.core.model import Polarity
from scorecard.core.spc import SpcSettings, analyse
from scorecard.word import charts

BASE = [12.0, 10.0] * 7
ON_BASE = SpcSettings(baseline=14, min_points=15)


def test_point_colours_follow_the_good_side():
    spc = analyse(BASE + [17.0], Polarity.HIGHER, settings=ON_BASE)
    assert charts.point_colours(spc, Polarity.HIGHER) == [charts.COMMON] * 14 + [charts.IMPROVEMENT]
    assert charts.point_colours(spc, Polarity.LOWER)[-1] == charts.CONCERN
    assert charts.point_colours(spc, None)[-1] == charts.NEITHER


@pytest.mark.slow
def test_the_chart_is_a_png_with_the_special_point_in_blue(tmp_path):
    pytest.importorskip("matplotlib")
    from PIL import Image

    spc = analyse(BASE + [17.0], Polarity.HIGHER, settings=ON_BASE)
    png = charts.xmr_chart(spc, Polarity.HIGHER, title="CIC02", labels=[f"M{i}" for i in range(15)], target=14.0)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(png)).convert("RGB")
    blue = tuple(int(charts.IMPROVEMENT[i : i + 2], 16) for i in (1, 3, 5))
    pixels = [image.getpixel((x, y)) for y in range(image.height) for x in range(image.width)]
    assert (
        sum(1 for p in pixels if all(abs(a - b) < 8 for a, b in zip(p, blue, strict=True))) > 10
    )  # the one special point
    orange = tuple(int(charts.CONCERN[i : i + 2], 16) for i in (1, 3, 5))
    assert not any(all(abs(a - b) < 8 for a, b in zip(p, orange, strict=True)) for p in pixels)
    (tmp_path / "chart.png").write_bytes(png)


def test_no_limits_no_chart():
    spc = analyse([1.0, 2.0], Polarity.HIGHER)
    with pytest.raises(ValueError, match="fewer than the 15"):
        charts.xmr_chart(spc, Polarity.HIGHER, title="t", labels=[])


def test_available_says_whether_matplotlib_is_there(monkeypatch):
    import sys

    pytest.importorskip("matplotlib")
    assert charts.available() is True
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # an import of it now fails
    assert charts.available() is False
