"""``marsad demo``: ingest the bundled sample into a fresh archive, then serve it."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from marsad.errors import ArchiveError
from marsad.model import IngestReport
from marsad.settings import load

SAMPLE_FILES = ("aawsat-page-2025.jsonl", "ant-multisource-sample.jsonl.gz")


def sample_paths() -> list[Path]:
    """The sample inputs shipped as package data (see marsad/data/sample/SOURCES.txt)."""
    root = Path(__file__).resolve().parents[1] / "data" / "sample"
    return [root / name for name in SAMPLE_FILES]


def build_demo(db: Path) -> IngestReport:
    """Ingest the sample into a new archive at ``db``; an existing file is never overwritten."""
    from marsad.archive import open_archive

    if db.exists():
        raise ArchiveError(f"{db} already exists; the demo builds a fresh archive, give a new --db path")
    with open_archive(db) as arc:
        return arc.ingest(sample_paths())


def run_demo(db: Path | None = None, host: str = "127.0.0.1", port: int = 8000, serve: bool = True) -> Path:
    """Build the demo archive (in a new temporary folder unless ``db`` is given) and serve it."""
    from marsad.web import serve as serve_app

    db = db or Path(tempfile.mkdtemp(prefix="marsad-demo-")) / "demo.db"
    print(f"marsad demo: parsing and enriching the sample into {db} (about a minute)…", file=sys.stderr)
    report = build_demo(db)
    print(f"marsad demo: {report.new} articles stored in {db} ({len(report.failed)} failed)", file=sys.stderr)
    if serve:
        serve_app(load(db), host=host, port=port)
    return db
