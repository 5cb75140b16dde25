"""Fixtures for the relate tests: stories-dev records, their features, and an archive of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from marsad.archive import open_archive
from marsad.parse.records import record_to_article
from marsad.relate.features import Doc, make_doc


@pytest.fixture(scope="session")
def dev(shared: Path) -> Path:
    return shared / "data" / "stories-dev"


@pytest.fixture(scope="session")
def records(dev: Path) -> dict[str, dict]:
    with open(dev / "stories.jsonl", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return {r["id"]: r for r in rows}


@pytest.fixture(scope="session")
def docs(records: dict[str, dict]) -> dict[str, Doc]:
    return {i: make_doc(record_to_article(r)) for i, r in records.items()}


@pytest.fixture(scope="session")
def pairs(dev: Path) -> list[dict]:
    with open(dev / "near_duplicates.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="session")
def dev_db(dev: Path, tmp_path_factory) -> Path:
    """An archive holding all of stories.jsonl, ingested through the real path (no enrichment)."""
    path = tmp_path_factory.mktemp("relate") / "dev.db"
    with open_archive(path) as arc:
        report = arc.ingest([dev / "stories.jsonl"], enrich=False)
    assert report.new == 126 and not report.failed
    return path


@pytest.fixture
def dev_arc(dev_db: Path):
    with open_archive(dev_db, readonly=True) as arc:
        yield arc
