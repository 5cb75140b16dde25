"""Fixtures for the engine's tests: a few hundred real articles in two kinds of input, and what an
archive holds of them, to compare an engine's archive with a plain ingest's."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from marsad.archive import open_archive
from marsad.archive.base import encode


@pytest.fixture(scope="session")
def inputs(shared: Path) -> list[Path]:
    """stories-dev (126 reports of shared events, uncompressed JSONL: byte ranges) and the packaged
    ant-multisource sample (260 articles, gzipped JSONL: record ranges)."""
    sample = Path(str(resources.files("marsad.data").joinpath("sample/ant-multisource-sample.jsonl.gz")))
    return [shared / "data" / "stories-dev" / "stories.jsonl", sample]


def snapshot(db: str) -> tuple[dict[str, str], list[tuple[str, tuple[str, ...]]]]:
    """Each stored article's content hash by id, and each story with its reports."""
    with open_archive(db) as arc:
        hashes = {a.id: encode(a)[1] for a in arc.iter_articles()}
        stories = sorted((s.id, tuple(sorted(s.articles))) for s in arc.stories(min_size=1))
    return hashes, stories


@pytest.fixture(scope="session")
def plain(inputs, tmp_path_factory) -> tuple[dict[str, str], list]:
    """What a plain ingest (the pipeline, in this process) of the inputs stores, without enrichment
    (the same on every backend: tests/web/test_postgres_reader.py)."""
    db = str(tmp_path_factory.mktemp("plain") / "plain.db")
    with open_archive(db) as arc:
        report = arc.ingest(inputs, enrich=False, parallel=False)
    assert report.new == 386 and not report.failed
    got = snapshot(db)
    assert any(len(members) > 2 for _, members in got[1])  # stories worth comparing
    return got
