"""The committee paper as LibreOffice prints it, page by page, against reference images kept in
tests/reference/ (looked at by eye when they were made): the first page (summary box, introduction, the
glance summary), the first page of Appendix A (the RAG table) and the first page of charts. A page that
drifts beyond the tolerance fails; SCORECARD_UPDATE_REFERENCE=1 writes the pages afresh, to be looked at
before they are committed.

Skipped on a developer machine without LibreOffice; on CI (CI=true) a missing LibreOffice fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import paper_case
from scorecard.word.cover_report import write_report

# the paper printed by LibreOffice and compared page by page with the reference images: seconds
pytestmark = pytest.mark.slow

PAGES = {1: "paper-page-1.png", 4: "paper-appendix-a.png", 6: "paper-charts.png"}
DPI = 50
TOLERANCE = 6.0  # mean absolute difference of grey levels (0-255) over the page, after both are aligned in size
INK = 250  # a pixel darker than this is ink


def need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is needed under CI")
        pytest.skip(f"{tool} is not installed")
    return found


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> list[Path]:
    soffice, pdftoppm = need("soffice"), need("pdftoppm")
    folder = tmp_path_factory.mktemp("rendered")
    rules = paper_case.rules()
    docx = write_report(paper_case.evaluation(rules), rules, folder / "paper.docx")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = folder / "paper.pdf"
    if not pdf.exists():  # soffice without its Writer module converts no Word document
        if os.environ.get("CI"):
            pytest.fail("LibreOffice Writer (libreoffice-writer-nogui) is needed under CI")
        pytest.skip("LibreOffice Writer is not installed")
    subprocess.run([pdftoppm, "-png", "-gray", "-r", str(DPI), str(pdf), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


def _grey(path: Path):
    from PIL import Image

    return Image.open(path).convert("L")


def difference(a, b) -> float:
    """The mean absolute difference of grey levels, the rendered page scaled to the reference's size."""
    from PIL import ImageChops, ImageStat

    if a.size != b.size:
        a = a.resize(b.size)
    return ImageStat.Stat(ImageChops.difference(a, b)).mean[0]


def test_every_page_is_printed_and_none_is_blank(pages):
    assert len(pages) == 7
    for page in pages:
        image = _grey(page)
        body = image.crop((0, 0, image.width, int(image.height * 0.9)))  # above the footer
        inked = sum(body.histogram()[:INK])
        assert inked > 500, f"{page.name} is blank but for its footer"


@pytest.mark.parametrize("number, name", sorted(PAGES.items()))
def test_pages_match_their_reference_images(pages, number, name):
    rendered = _grey(pages[number - 1])
    reference = paper_case.REFERENCE / name
    if os.environ.get("SCORECARD_UPDATE_REFERENCE"):
        reference.parent.mkdir(exist_ok=True)
        rendered.save(reference, optimize=True)
    assert reference.is_file(), f"no reference image {reference}: run with SCORECARD_UPDATE_REFERENCE=1"
    wanted = _grey(reference)
    assert abs(rendered.width / rendered.height - wanted.width / wanted.height) < 0.01, "the page turned"
    assert difference(rendered, wanted) < TOLERANCE


def test_the_comparison_can_fail(pages):
    """A page is told from another: the reference of page 1 does not match the Appendix A page."""
    first = _grey(paper_case.REFERENCE / PAGES[1])
    table = _grey(paper_case.REFERENCE / PAGES[4]).resize(first.size)
    assert difference(first, table) > TOLERANCE
