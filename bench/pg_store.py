"""The store alone on SQLite and on PostgreSQL: the same parsed articles, the same batches.

Articles of ant-multisource are parsed once (no enrichment), then written by each backend's
``Store.put_batch`` in batches of 500, each batch one unit of work, as the ingest pipeline writes
them but without the search index and relating (their costs are measured by bench/pg_search.py
and bench/stories.py). Then the same batches again, which must all come back unchanged (the
idempotent rerun), and the reads a reader makes: ``get`` of every id, ``latest``, ``facets``.

Reports per backend: articles/s written, articles/s of the rerun, gets/s, and the ratio to SQLite.

    python3 bench/pg_store.py --db postgresql://user@host:port/dbname [--articles 10000]

The database must exist; the bench works in a schema of its own there and drops it at the end.
"""

from __future__ import annotations

import argparse
import itertools
import lzma
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared"))
ANT = SHARED / "data/news/ant-multisource/articles.jsonl.xz"
BATCH = 500


def articles(n: int) -> list:
    from marsad.parse import iter_pages

    with lzma.open(ANT, "rt", encoding="utf-8") as f, tempfile.NamedTemporaryFile(
            "w", suffix=".jsonl", encoding="utf-8", delete=False) as out:
        out.writelines(itertools.islice(f, n))
    try:
        return [a for page in iter_pages([out.name]) if not isinstance(page, Exception)
                for a in getattr(page, "articles", [])]
    finally:
        os.unlink(out.name)


def run(name: str, arc, items: list) -> dict:
    backend = arc.backend
    batches = [items[i:i + BATCH] for i in range(0, len(items), BATCH)]
    out = {"backend": name}
    for label in ("write", "rerun"):
        t = time.perf_counter()
        new = unchanged = 0
        for batch in batches:
            with backend.unit_of_work():
                result = backend.store.put_batch(list(batch))
            new, unchanged = new + result.new, unchanged + result.unchanged
        out[label] = len(items) / (time.perf_counter() - t)
        out[f"{label}_counts"] = (new, unchanged)
    ids = [a.id for a in items]
    t = time.perf_counter()
    for i in ids:
        arc.get(i)
    arc.latest(50)
    arc.facets()
    out["gets"] = len(ids) / (time.perf_counter() - t)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a PostgreSQL database URL (it must exist)")
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    import psycopg

    from marsad.archive import open_archive
    from tests.conftest import pg_schema_url

    items = articles(args.articles)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(args.db, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            targets = (("sqlite", str(Path(tmp) / "a.db")), ("postgresql", pg_schema_url(args.db, schema)))
            for name, target in targets:
                with open_archive(target) as arc:
                    rows.append(run(name, arc, items))
    finally:
        with psycopg.connect(args.db, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    base = rows[0]
    print(f"{len(items):,} articles, batches of {BATCH}")
    print(f"{'backend':<11} {'write/s':>8} {'rerun/s':>8} {'get/s':>8}  vs sqlite (write, rerun, get)  "
          "rerun new/unchanged")
    for r in rows:
        ratios = ", ".join(f"{r[k] / base[k]:.2f}" for k in ("write", "rerun", "gets"))
        print(f"{r['backend']:<11} {r['write']:>8,.0f} {r['rerun']:>8,.0f} {r['gets']:>8,.0f}  {ratios:<29}"
              f"{r['rerun_counts'][0]}/{r['rerun_counts'][1]}")


if __name__ == "__main__":
    main()
