"""Search on PostgreSQL beside SQLite's FTS5: the same articles, the same parsed queries.

For each set the articles are prepared once (analyzed, as the ingest's workers do ahead of the
store) and indexed by both backends' search indexes: SQLite's FTS5 table, then PostgreSQL's
postings in batches of 1,000, each batch one transaction as the store writes them, then their
``compact``. Each query is compiled (:func:`marsad.search.query.compile`, the default mode) and run
on both by :func:`marsad.search.search` itself (fold off, no snippets, 10 hits) over each
backend's search index.

Reports, per set and backend: nDCG@10 and MRR@10 (sets with judgments), top-10 overlap with
SQLite, query p50/p99 in ms, index build in articles/s, and the index's size on disk.

Sets: arqa (../shared/data/ir/arqa-passages), news (the known-item set of bench/retrieval.py,
made from ant-multisource) and ant (all of ant-multisource, headline and body; half headline,
half 1-3 body word queries as bench/ingest.py makes them; no judgments).

    python3 bench/pg_search.py --db postgresql://user@host:port/dbname [--sets arqa,news,ant] [--queries 400]

The database must exist; the bench works in a schema of its own there and drops it at the end
(``--keep`` leaves it, to look at the plans of queries).
"""

from __future__ import annotations

import argparse
import json
import lzma
import os
import sqlite3
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
SHARED = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared"))
sys.path.insert(0, str(SHARED / "tools"))

import psycopg  # noqa: E402
from ingest import SOURCE, make_queries  # noqa: E402
from ir_eval import evaluate, load_qrels  # noqa: E402
from retrieval import dataset, read_jsonl  # noqa: E402

from marsad.archive.postgres import search as pgsearch  # noqa: E402
from marsad.archive.sqlite import search as fts5  # noqa: E402
from marsad.model import Article  # noqa: E402
from marsad.search import search  # noqa: E402
from marsad.search.index import prepare  # noqa: E402
from marsad.search.query import DEFAULT_MODE  # noqa: E402

SCHEMA = "bench_pg_search"
# What the search index reads of the store's articles, on each backend.
ARTICLES = ("articles ({key} PRIMARY KEY, id text NOT NULL, url text, headline text, outlet text,"
            " section text, published text, body text)")
DUPLICATES = "CREATE TABLE duplicates (article_rowid bigint PRIMARY KEY, group_id bigint NOT NULL)"
BATCH = 1000


class OneConnection:
    """The part of a backend the index uses: a connection."""

    def __init__(self, conn: psycopg.Connection):
        self.conn = conn

    @contextmanager
    def connection(self):
        yield self.conn


def load(name: str, n_queries: int) -> tuple[list[Article], list[tuple[str, str]], dict | None]:
    """Articles, (query id, text) and judgments (None for ant)."""
    if name == "ant":
        with lzma.open(SOURCE, "rt", encoding="utf-8") as f:
            records = [json.loads(line) for line in f]
        texts = make_queries(SOURCE, n_queries)
        articles = [Article(r.get("title") or "", [r["text"]], id=r["id"], outlet=r.get("outlet"))
                    for r in records]
        return articles, [(str(i), t) for i, t in enumerate(texts)], None
    folder = dataset(name)
    articles = [Article(d.get("title") or "", [d["text"]], id=d["id"])
                for d in read_jsonl(folder / "corpus.jsonl")]
    queries = [(q["id"], q["text"]) for q in read_jsonl(folder / "queries.jsonl")]
    if n_queries and name != "arqa":  # arqa's questions are all run: its figure is compared with Lucene's
        queries = queries[:n_queries]
    qrels = load_qrels(folder / "qrels.tsv")
    return articles, queries, {q: qrels[q] for q, _ in queries if q in qrels}


def build_sqlite(articles: list[Article], prepared: dict) -> tuple[sqlite3.Connection, float, float]:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE " + ARTICLES.format(key="rowid INTEGER"))
    conn.execute(fts5.create_sql())
    rows = []
    for a in articles:
        cur = conn.execute("INSERT INTO articles(id, url, headline, outlet, body) VALUES (?, ?, ?, ?, ?)",
                           (a.id, a.url, a.headline, a.outlet, a.body))
        rows.append((cur.lastrowid, a))
    t = time.perf_counter()
    for i in range(0, len(rows), BATCH):
        fts5.add(conn, rows[i:i + BATCH], prepared=prepared)
        conn.commit()
    fts5.merge(conn)
    conn.commit()
    seconds = time.perf_counter() - t
    pages = conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_fts%'").fetchone()[0] \
        if _has_dbstat(conn) else None
    return conn, seconds, (pages or 0) / 2**20


def _has_dbstat(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("SELECT 1 FROM dbstat LIMIT 1")
        return True
    except sqlite3.OperationalError:
        return False


def build_postgres(url: str, articles: list[Article], prepared: dict):
    conn = psycopg.connect(url, autocommit=True)
    conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    conn.execute(f"CREATE SCHEMA {SCHEMA}")
    conn.execute(f"SET search_path = {SCHEMA}")
    conn.execute("CREATE TABLE " + ARTICLES.format(key="rowid bigint"))
    conn.execute(DUPLICATES)
    for _, ddl in pgsearch.MIGRATIONS:
        conn.execute(ddl)
    rows = list(enumerate(articles, 1))
    copy_sql = "COPY articles (rowid, id, url, headline, outlet, body) FROM STDIN"
    with conn.cursor() as cur, cur.copy(copy_sql) as copy:
        for k, a in rows:
            copy.write_row((k, a.id, a.url, a.headline, a.outlet, a.body))
    conn.execute("ANALYZE articles")
    idx = pgsearch.PostgresSearchIndex(OneConnection(conn))
    t = time.perf_counter()
    for i in range(0, len(rows), BATCH):
        with conn.transaction():
            idx.add(rows[i:i + BATCH], prepared)
    added = time.perf_counter() - t
    idx.compact()
    compacted = time.perf_counter() - t - added
    size = conn.execute("SELECT sum(pg_total_relation_size(c)) FROM unnest(%s::regclass[]) c",
                        ([pgsearch.BLOCKS, pgsearch.DOCS, pgsearch.STATS],)).fetchone()[0]
    return conn, idx, added, compacted, size / 2**20


def archive(index):
    """What :func:`marsad.search.search` reads of an Archive: its backend's search index."""
    return SimpleNamespace(backend=SimpleNamespace(index=index))


def run_queries(queries, one) -> tuple[dict[str, list], list[float]]:
    run, times = {}, []
    for qid, text in queries:
        t = time.perf_counter()
        run[qid] = one(text)
        times.append(time.perf_counter() - t)
    return run, times


def overlap(run: dict[str, list], ref: dict[str, list]) -> float:
    shares = [len(set(run[q][:10]) & set(ref[q][:10])) / len(ref[q][:10]) for q in ref if ref[q]]
    return sum(shares) / len(shares) if shares else 1.0


def ms(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return 1000 * statistics.median(times), 1000 * times[int(0.99 * (len(times) - 1))]


def bench_set(name: str, url: str, n_queries: int, keep: bool = False) -> None:
    articles, queries, qrels = load(name, n_queries)
    t = time.perf_counter()
    prepared = {a.id: prepare(a) for a in articles}
    prep_rate = len(articles) / (time.perf_counter() - t)
    lite, lite_s, lite_mb = build_sqlite(articles, prepared)
    conn, idx, pg_s, pg_compact_s, pg_mb = build_postgres(url, articles, prepared)
    lite_arc, pg_arc = archive(fts5.SQLiteSearchIndex(lite)), archive(idx)
    lite_run, lite_t = run_queries(queries, lambda q: [h.id for h in search(lite_arc, q, limit=10, fold=False,
                                                                             snippets=False).hits])
    pg_run, pg_t = run_queries(queries, lambda q: [h.id for h in search(pg_arc, q, limit=10, fold=False,
                                                                         snippets=False).hits])
    print(f"\n### {name}: {len(articles)} articles, {len(queries)} queries (mode {DEFAULT_MODE}, 10 hits,"
          f" fold off); prepare (analysis, done by the ingest's workers): {prep_rate:.0f} articles/s\n")
    print("| backend | nDCG@10 | MRR@10 | top-10 overlap with SQLite | p50 ms | p99 ms | index articles/s"
          " | compact s | index MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    systems = (("SQLite FTS5", lite_run, lite_t, lite_s, "(in build)", lite_mb),
               ("PostgreSQL postings", pg_run, pg_t, pg_s, f"{pg_compact_s:.1f}", pg_mb))
    for label, run, times, secs, extra, mb in systems:
        quality = evaluate(qrels, run) if qrels else {"nDCG@10": "-", "MRR@10": "-"}
        p50, p99 = ms(times)
        print(f"| {label} | {quality['nDCG@10']} | {quality['MRR@10']} | {overlap(run, lite_run):.4f}"
              f" | {p50:.1f} | {p99:.1f} | {len(articles) / secs:.0f} | {extra} | {mb:.0f} |", flush=True)
    if not keep:
        conn.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
    conn.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=os.environ.get("MARSAD_TEST_PG"),
                    help="PostgreSQL database URL (default: $MARSAD_TEST_PG)")
    ap.add_argument("--sets", default="arqa,news,ant")
    ap.add_argument("--queries", type=int, default=400, help="queries per set (arqa: all of them)")
    ap.add_argument("--keep", action="store_true", help=f"leave the last set's schema ({SCHEMA}) in place")
    args = ap.parse_args()
    if not args.db:
        sys.exit("give --db postgresql://... (or set MARSAD_TEST_PG)")
    for name in args.sets.split(","):
        bench_set(name, args.db, args.queries, args.keep)


if __name__ == "__main__":
    main()
