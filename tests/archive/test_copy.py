"""``marsad copy``: an archive moved from SQLite to PostgreSQL and back, counts checked."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from marsad.archive import open_archive
from marsad.archive.transfer import copy_archive
from marsad.cli import main
from marsad.errors import ArchiveError
from tests.archive.conftest import make_article, moscow, putin

pytestmark = pytest.mark.backends("postgres")


def _fill(name: str) -> None:
    with open_archive(name) as arc:
        arc.put([make_article(i, entities=[putin(), moscow()] if i % 2 else [moscow()]) for i in range(30)])
        arc.correct_entity("rename", ["موسكو", "موسكو العاصمة"])


def _snapshot(name: str) -> tuple:
    with open_archive(name, readonly=True) as arc:
        return ([a.to_dict() for a in arc.iter_articles()], arc.entities(), arc.facets(),
                arc.export_entity_corrections().splitlines()[1:])


def test_sqlite_to_postgresql_and_back_keeps_everything(tmp_path, new_db):
    lite, pg, back = str(tmp_path / "a.db"), new_db("pg"), str(tmp_path / "back.db")
    _fill(lite)
    with open_archive(lite, readonly=True) as src, open_archive(pg) as dst:
        report = copy_archive(src, dst, relate=False)
    assert (report.read, report.stored.new, report.source_count, report.destination_count) == (30, 30, 30, 30)
    assert report.corrections == 1
    assert _snapshot(pg) == _snapshot(lite)
    with open_archive(pg, readonly=True) as src, open_archive(back) as dst:
        copy_archive(src, dst, relate=False)
    assert _snapshot(back) == _snapshot(lite)


def test_copying_again_adds_nothing(tmp_path, new_db):
    lite, pg = str(tmp_path / "a.db"), new_db("pg")
    _fill(lite)
    runner = CliRunner()
    first = runner.invoke(main, ["copy", lite, pg, "--no-relate"])
    assert first.exit_code == 0, first.output
    assert "copied 30 articles" in first.output and "30 new" in first.output
    assert "counts checked: source 30, destination 30" in first.output
    again = runner.invoke(main, ["copy", lite, pg, "--no-relate"])
    assert again.exit_code == 0 and "30 unchanged; 0 entity corrections" in again.output


def test_a_copy_that_loses_articles_is_an_error(tmp_path, new_db):
    lite, pg = str(tmp_path / "a.db"), new_db("pg")
    _fill(lite)
    with open_archive(lite, readonly=True) as src, open_archive(pg) as dst:
        dst.pipeline.store_batch = lambda batch, report, *a, **k: None  # stores nothing
        with pytest.raises(ArchiveError, match="copy incomplete"):
            copy_archive(src, dst, relate=False)


def test_a_missing_source_is_one_line(tmp_path, new_db):
    result = CliRunner().invoke(main, ["copy", str(tmp_path / "none.db"), new_db("pg")])
    assert result.exit_code == 2 and result.output.startswith("marsad: E200: no archive at")
