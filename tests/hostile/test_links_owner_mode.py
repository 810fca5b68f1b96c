"""Issue 17, class 5: links, owner and mode. A symlinked workbook has its target refreshed (the link stays
a link); a workbook with hard links is refused clearly (replacing it would split them); the refreshed
file keeps its owner and mode; the Word report gets the same mode policy as a refresh (never 0600)."""

from __future__ import annotations

import os
import stat
import sys
import zipfile
from pathlib import Path

import pytest

from clirun import run_cli
from hostile import corpus

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links, owners and modes")


def _refreshed(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        return b"Narrative" in archive.read("xl/workbook.xml")


@pytest.mark.parametrize("relative", [True, False])
def test_a_symlinks_target_is_refreshed_and_the_link_stays(relative, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    real = corpus.copy_sample(shared, "district.xlsx")
    link = tmp_path / "district.xlsx"
    link.symlink_to(Path("shared/district.xlsx") if relative else real)
    assert run_cli("refresh", link, "--rules", corpus.SAMPLE_RULES).returncode == 0
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert _refreshed(real)
    assert corpus.hidden_leftovers(tmp_path) == [] and corpus.hidden_leftovers(shared) == []


def test_a_chain_of_symlinks_is_followed_to_the_file(tmp_path):
    real = corpus.copy_sample(tmp_path, "real.xlsx")
    (tmp_path / "one.xlsx").symlink_to(real)
    (tmp_path / "two.xlsx").symlink_to(tmp_path / "one.xlsx")
    assert run_cli("refresh", tmp_path / "two.xlsx", "--rules", corpus.SAMPLE_RULES).returncode == 0
    assert (tmp_path / "two.xlsx").is_symlink() and (tmp_path / "one.xlsx").is_symlink() and _refreshed(real)


def test_hard_links_are_refused_clearly_and_kept(tmp_path):
    book = corpus.copy_sample(tmp_path)
    other = tmp_path / "other-name.xlsx"
    os.link(book, other)
    before = book.read_bytes()
    for args in (
        ["refresh", str(book), "--rules", str(corpus.SAMPLE_RULES)],
        ["rules", "embed", str(book), "--rules", str(corpus.SAMPLE_RULES)],
    ):
        code, _, err = run_cli(*args)
        assert code == 1, err
        assert "book.xlsx: has 1 other hard link (other names for the same file)" in err, err
    assert os.stat(book).st_ino == os.stat(other).st_ino and book.read_bytes() == before
    # written elsewhere, the linked file is only read
    out = tmp_path / "refreshed.xlsx"
    assert run_cli("refresh", book, "--rules", corpus.SAMPLE_RULES, "--output", out).returncode == 0
    assert _refreshed(out) and os.stat(book).st_nlink == 2


@pytest.mark.parametrize("mode", [0o640, 0o664, 0o600, 0o644])
def test_the_mode_is_kept(mode, tmp_path):
    book = corpus.copy_sample(tmp_path)
    book.chmod(mode)
    assert run_cli("refresh", book, "--rules", corpus.SAMPLE_RULES).returncode == 0
    assert stat.S_IMODE(book.stat().st_mode) == mode and _refreshed(book)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only an administrator gives a file away")
def test_the_owner_is_kept_when_an_administrator_refreshes(tmp_path):
    book = corpus.copy_sample(tmp_path)
    os.chown(book, 4242, 4343)
    assert run_cli("refresh", book, "--rules", corpus.SAMPLE_RULES).returncode == 0
    status = book.stat()
    assert (status.st_uid, status.st_gid) == (4242, 4343) and _refreshed(book)


def _report(book: Path, output: Path) -> int:
    return run_cli("report", book, "--rules", corpus.SAMPLE_RULES, "--output", output).returncode


@pytest.mark.slow
def test_a_new_report_gets_the_usual_mode_not_0600(tmp_path):
    book = corpus.copy_sample(tmp_path)
    previous = os.umask(0o022)
    try:
        assert _report(book, tmp_path / "paper.docx") == 0
        new_book = tmp_path / "new.xlsx"
        assert run_cli("refresh", book, "--rules", corpus.SAMPLE_RULES, "--output", new_book).returncode == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "paper.docx").stat().st_mode) == 0o644
    assert stat.S_IMODE(new_book.stat().st_mode) == 0o644  # the same policy for both


@pytest.mark.slow
def test_a_report_written_again_keeps_its_mode_and_its_link(tmp_path):
    book = corpus.copy_sample(tmp_path)
    papers = tmp_path / "papers"
    papers.mkdir()
    assert _report(book, papers / "paper.docx") == 0
    (papers / "paper.docx").chmod(0o660)
    link = tmp_path / "paper.docx"
    link.symlink_to(papers / "paper.docx")
    assert _report(book, link) == 0
    assert link.is_symlink() and stat.S_IMODE((papers / "paper.docx").stat().st_mode) == 0o660
    assert corpus.hidden_leftovers(tmp_path) == [] and corpus.hidden_leftovers(papers) == []
