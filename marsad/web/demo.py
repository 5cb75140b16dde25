"""``marsad demo``: ingest the bundled sample into a fresh archive, then serve it."""

from __future__ import annotations

import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path

from marsad.errors import ArchiveError
from marsad.model import IngestReport
from marsad.settings import Database, display, is_server, load

SAMPLE_FILES = ("aawsat-page-2025.jsonl", "ant-multisource-sample.jsonl.gz")


def sample_paths() -> list[Path]:
    """The sample inputs shipped as package data (see marsad/data/sample/SOURCES.txt)."""
    root = Path(__file__).resolve().parents[1] / "data" / "sample"
    return [root / name for name in SAMPLE_FILES]


def build_demo(db: Database) -> IngestReport:
    """Ingest the sample into a new archive at ``db``: an existing file, or a server database that holds
    articles, is never written into."""
    from marsad.archive import open_archive

    if not is_server(db) and Path(db).exists():
        raise ArchiveError(f"{db} already exists; the demo builds a fresh archive, give a new --db path")
    with open_archive(db) as arc:
        if is_server(db) and arc.count():
            raise ArchiveError(f"{display(db)} already holds articles; the demo builds a fresh archive, "
                               "give an empty database")
        return arc.ingest(sample_paths())


def run_demo(db: Database | None = None, host: str = "127.0.0.1", port: int = 8000,
             serve: bool = True) -> Database:
    """Build the demo archive and serve it. Without ``db`` it goes in a new temporary folder, removed when
    the server stops (or the build is interrupted); with ``serve=False`` it is kept, and returned."""
    from marsad.web import serve as serve_app

    folder = None if db else Path(tempfile.mkdtemp(prefix="marsad-demo-"))
    db = db or folder / "demo.db"
    kept = False
    # The server re-raises a SIGTERM once it has stopped; by default that ends the process before the
    # folder below is removed, so it is made an ordinary exit here.
    on_term = threading.current_thread() is threading.main_thread() and signal.signal(signal.SIGTERM, _exit)
    try:
        print(f"marsad demo: parsing and enriching the sample into {display(db)} (about a minute)…",
              file=sys.stderr)
        report = build_demo(db)
        print(f"marsad demo: {report.new} articles stored in {display(db)} ({len(report.failed)} failed)",
              file=sys.stderr)
        if serve:
            serve_app(load(db), host=host, port=port)
        kept = not serve
    finally:
        if on_term is not False:
            signal.signal(signal.SIGTERM, on_term)
        if folder and not kept:
            shutil.rmtree(folder, ignore_errors=True)
    return db


def _exit(signum, frame) -> None:
    sys.exit(128 + signum)
