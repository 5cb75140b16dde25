"""Folders: files that are not pages are skipped and counted, never failures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from marsad.cli import main
from marsad.model import Failure
from marsad.parse import iter_pages
from marsad.parse.folders import folder_files, not_a_page


def test_which_files_are_not_pages() -> None:
    for name in ("README.md", "PROVENANCE.md", "readme.txt", "LICENSE", "page.expected.txt", "page.gold.json",
                 "photo.JPG", "logo.svg", "qrels.tsv"):
        assert not_a_page(Path(name)), name
    for name in ("page.txt", "page.html", "articles.jsonl.xz", "crawl.warc.gz", "feed.rss", "record.json",
                 "markdown-news.txt"):
        assert not not_a_page(Path(name)), name


def _folder(tmp_path: Path, shared: Path) -> Path:
    folder = tmp_path / "pages"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(shared / "fixtures/aawsat-page-2025.txt", folder / "sub/page.txt")
    (folder / "README.md").write_text("# Pages\nSaved pages of an outlet.\n", "utf-8")
    (folder / "PROVENANCE.md").write_text("Where the pages come from.\n", "utf-8")
    (folder / "sub/page.expected.txt").write_text("النص المتوقع للصفحة.\n", "utf-8")
    (folder / "sub/photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (folder / ".gitattributes").write_text("* -text\n", "utf-8")
    return folder


def test_folder_walk_skips_files_that_are_not_pages(tmp_path: Path, shared: Path) -> None:
    folder = _folder(tmp_path, shared)
    files, skipped = folder_files(folder)
    assert [p.name for p in files] == ["page.txt"]
    assert sorted(p.name for p in skipped) == ["PROVENANCE.md", "README.md", "page.expected.txt", "photo.png"]
    items = list(iter_pages([folder]))
    assert not any(isinstance(i, Failure) for i in items) and len(items) == 1


def test_ingest_of_a_folder_says_what_it_skipped_and_succeeds(tmp_path: Path, shared: Path) -> None:
    folder = _folder(tmp_path, shared)
    result = CliRunner().invoke(main, ["ingest", "--db", str(tmp_path / "a.db"), "--no-enrich", "--no-relate",
                                       str(folder)])
    assert result.exit_code == 0, result.output
    assert "new 4" in result.stdout and "failed 0" in result.stdout
    assert "skipped 4 file(s) that are not pages" in result.stdout


def test_a_file_named_on_its_own_is_read(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# About\n", "utf-8")
    (item,) = iter_pages([readme])
    assert isinstance(item, Failure)  # asked for by name: read, and reported when it holds no news


def test_parse_of_a_folder_says_what_it_skipped(tmp_path: Path, shared: Path) -> None:
    folder = _folder(tmp_path, shared)
    result = CliRunner().invoke(main, ["parse", "--json", str(folder)])
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)["articles"]) == 4
    assert result.stderr.startswith("marsad: skipped 4 file(s) that are not pages")
