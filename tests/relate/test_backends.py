"""Relating on a server database gives what it gives on SQLite: stories, copies and related articles."""

from __future__ import annotations

import pytest

from marsad import relate
from marsad.archive import open_archive


@pytest.mark.backends("postgres")
def test_the_same_stories_copies_and_related_articles(dev, dev_arc, new_db, archive_backend):
    with open_archive(new_db("dev")) as arc:
        report = arc.ingest([dev / "stories.jsonl"], enrich=False)
        assert report.new == 126 and not report.failed
        assert relate.stories(arc, min_size=1) == relate.stories(dev_arc, min_size=1)
        assert relate.copy_groups(arc) == relate.copy_groups(dev_arc)
        assert relate.duplicate_groups(arc) == relate.duplicate_groups(dev_arc)
        assert relate.unrelated(arc) == [] and arc.relate_all().ids == []
        for id_ in sorted(report.ids):
            assert relate.related(arc, id_, 8) == relate.related(dev_arc, id_, 8), id_
            assert relate.copies(arc, id_) == relate.copies(dev_arc, id_), id_
            assert relate.story_of(arc, id_) == relate.story_of(dev_arc, id_), id_
