"""Fixtures for the relate tests: stories-dev records, their features, and an archive of them."""

from __future__ import annotations

import json
import lzma
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


ANT_IDS = ["AL-internationalNews-1545-20180610", "FR-internationalNews-1731-20180610",  # G7 communiqué
           "CN-internationalNews-359-20180518", "CN-internationalNews-406-20180527"]  # one CNN video series


def labelled_ant_pairs() -> list[dict[str, str]]:
    """The labelled ant-multisource pairs of bench/data/copies-ant.tsv (see its header)."""
    path = Path(__file__).resolve().parents[2] / "bench" / "data" / "copies-ant.tsv"
    lines = [x for x in path.read_text(encoding="utf-8").splitlines() if x and not x.startswith("#")]
    head = lines[0].split("\t")
    return [dict(zip(head, x.split("\t"), strict=True)) for x in lines[1:]]


@pytest.fixture(scope="session")
def ant(shared: Path) -> dict[str, dict]:
    """The ant-multisource records the copy tests quote, by id, plus Al Arabiya's Lebanon election items."""
    wanted = set(ANT_IDS) | {i for p in labelled_ant_pairs() for i in (p["a"], p["b"])}
    out = {}
    path = shared / "data" / "news" / "ant-multisource" / "articles.jsonl.xz"
    with lzma.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            title = rec["title"]
            lebanon = rec["id"].startswith("AL-internationalNews") and "لبنان" in title and "انتخاب" in title
            if rec["id"] in wanted or lebanon:
                out[rec["id"]] = rec
    return out


@pytest.fixture(scope="session")
def ant_docs(ant: dict[str, dict]) -> dict[str, Doc]:
    return {i: make_doc(record_to_article(r)) for i, r in ant.items()}


@pytest.fixture
def relate_backend(new_db, archive_backend):
    """An empty archive's backend, on each backend in turn, for the relate state's contract."""
    with open_archive(new_db("state.db")) as arc:
        yield arc.backend
