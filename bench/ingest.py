"""Ingest speed, memory and search latency on all of ant-multisource (31.5k articles).

Each stage runs in its own child process so that its peak RSS is its own:
  1. ingest everything into a fresh archive (parse + analysis + indexing + relating, no NER): the default;
  2. the same with --no-relate (parse + analysis + indexing), then `marsad relate` on that archive;
  3. ingest a 1,000-article slice with enrichment on (when marsad.enrich is installed);
  4. index the stored articles again in one process (analysis + FTS inserts), beside Lucene's 6.4 s
     on the same bodies (../shared/tools/README.md);
  5. search the archive with headline and 1–3-word queries; p50/p99 latency.
CPU seconds of the storing process and of the parse workers are given beside wall time because the
machine may be shared; from them, "idle est." is the speed an idle machine of this many cores allows
(see idle_seconds).
Peak RSS is given for each process (the parse worker analyzes ahead, so it holds the word caches).
Usage: python3 bench/ingest.py [--queries 400] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import lzma
import os
import resource
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

from common import ROOT, SOURCE, ServerCPU, StageFailed, archive_mb, is_url, make_queries, percentile
from common import run_child as _run_child

LUCENE_INDEX_SECONDS = 6.4
BROAD = ["على", "في", "قال", "الرئيس"]  # words that tens of thousands of articles hold
TARGETS = {"articles/s": ">= 1,000", "peak RSS MB": "< 500", "p50 ms": "< 10", "p99 ms": "< 50"}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stage_ingest(db: str | Path, src: Path | None, enrich: bool, relate_as_it_goes: bool = True) -> dict:
    """Ingest ``src`` into ``db``; with ``src`` None, relate what an ingest without relating stored."""
    sys.path.insert(0, str(ROOT))
    from marsad.archive import open_archive

    server = ServerCPU(str(db)) if is_url(db) else nullcontext()
    with server:
        arc = open_archive(db)
        try:
            spent = _time_index_hooks(arc)
            relate = _time_relate(arc)
            start, cpu = time.perf_counter(), _cpu_seconds()
            if src is None:
                report = arc.relate_all()
                report.new = len(report.ids)
            else:
                report = arc.ingest([src], enrich=enrich, relate=relate_as_it_goes)
        finally:
            arc.close()  # measured: a PostgreSQL load may build its index when closed
        seconds = time.perf_counter() - start
        cpu = [after - before for after, before in zip(_cpu_seconds(), cpu, strict=True)]
    from marsad.pipeline.workers import worker_count

    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"articles": report.new + report.updated + report.unchanged, "new": report.new,
            "failed": len(report.failed), "seconds": seconds, "cpu_main": cpu[0], "cpu_worker": cpu[1],
            "cpu_server": getattr(server, "seconds", None),
            "index_seconds": spent[0], "relate_seconds": relate[0], "rss_mb": peak_rss_mb(),
            "worker_rss_mb": worker, "workers": worker_count(enrich) if src is not None else 0,
            "db_mb": archive_mb(db)}


def _time_relate(arc) -> list[float]:
    """Count apart the time of the relate stage."""
    spent = [0.0]
    relate = arc.pipeline.relate

    def timed(report):
        t = time.perf_counter()
        relate(report)
        spent[0] += time.perf_counter() - t

    arc.pipeline.relate = timed
    return spent


def _cpu_seconds() -> tuple[float, float]:
    """CPU time of this process and of its finished children (the parse worker)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def _time_index_hooks(arc) -> list[float]:
    """Count apart the time of the search index's add (the pipeline's index step)."""
    spent = [0.0]
    add = arc.backend.index.add

    def timed(rows, prepared=None):
        t = time.perf_counter()
        add(rows, prepared)
        spent[0] += time.perf_counter() - t

    arc.backend.index.add = timed
    return spent


def stage_index(db: Path) -> dict:
    """Analyze and index every stored article again into a fresh in-memory index, in one process."""
    import sqlite3

    sys.path.insert(0, str(ROOT))
    from marsad.archive import open_archive
    from marsad.archive.sqlite import search as sqlite_search
    from marsad.search import index

    with open_archive(db, readonly=True) as arc:
        articles = list(enumerate(arc.iter_articles(), 1))
    conn = sqlite3.connect(":memory:")
    conn.execute(sqlite_search.create_sql())
    cpu = time.process_time()
    rows = {a.id: index.prepare(a) for _, a in articles}
    analysis = time.process_time() - cpu
    with conn:
        sqlite_search.add(conn, articles, prepared=rows)
    return {"articles": len(articles), "analysis_s": analysis, "total_s": time.process_time() - cpu}


def stage_search(db: str | Path, src: Path, n: int) -> dict:
    """``n`` queries made from ``src``, through the archive's search (top 10 each); ``tops`` holds
    the ids each query found, to compare backends. Then the same queries as the reader's search page
    loads them (``marsad.web.load.search``: the hits, the count and every facet), and the broad
    queries of :data:`BROAD` that way."""
    sys.path.insert(0, str(ROOT))
    from marsad.archive import open_archive
    from marsad.web import load

    queries = make_queries(src, n)
    with open_archive(db, readonly=True) as arc:
        times, cpu, totals, tops = [], [], [], []
        for q in queries:
            c = time.process_time()
            t = time.perf_counter()
            result = arc.search(q, limit=10)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            totals.append(result.total)
            tops.append([h.id for h in result.hits])
        page, broad = [], []
        for q in [*queries, *BROAD]:
            t = time.perf_counter()
            load.search(arc, q)  # distinct queries: the page cache does not help
            (broad if q in BROAD else page).append((time.perf_counter() - t) * 1000)
    return {"queries": len(queries), "p50_ms": statistics.median(times), "p99_ms": percentile(times, 0.99),
            "cpu_p50_ms": statistics.median(cpu),  # this process only: a database server's work is not in it
            "zero_hits": sum(1 for t in totals if not t), "rss_mb": peak_rss_mb(), "tops": tops,
            "page_p50_ms": statistics.median(page), "page_p99_ms": percentile(page, 0.99),
            "broad_ms": statistics.median(broad)}


def run_child(*args: str) -> dict:
    return _run_child(__file__, *args)


def write_slice(src: Path, dest: Path, n: int) -> Path:
    with lzma.open(src, "rt", encoding="utf-8") as f, dest.open("w", encoding="utf-8") as out:
        for i, line in enumerate(f):
            if i >= n:
                break
            out.write(line)
    return dest


def idle_seconds(r: dict) -> float:
    """The least wall time the run's CPU seconds allow on an idle machine of this many cores: the
    storing process is one core, the parse workers share the work among themselves."""
    cores = os.cpu_count() or 1
    workers = max(1, r["workers"])
    return max(r["cpu_main"], r["cpu_worker"] / workers, (r["cpu_main"] + r["cpu_worker"]) / cores)


def has_enrich() -> bool:
    sys.path.insert(0, str(ROOT))
    try:
        from marsad.enrich import enrich_article  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--queries", type=int, default=400)
    ap.add_argument("--keep", type=Path, help="build the archive in this folder and keep it")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        stage, db, src, *rest = args.child  # db: a file, or a postgresql:// URL (kept as given)
        if stage == "search":
            result = stage_search(db, Path(src), int(rest[0]))
        elif stage == "index":
            result = stage_index(Path(db))
        else:
            source = None if stage == "relate" else Path(src)
            result = stage_ingest(db, source, enrich=stage == "enrich",
                                  relate_as_it_goes=stage != "ingest-no-relate")
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            report(folder, args.queries)
        except StageFailed as e:
            sys.exit(str(e))


def report(folder: Path, queries: int) -> None:
    db = folder / "bench.db"
    for p in folder.glob("bench.db*"):
        p.unlink()
    full = run_child("ingest", str(db), str(SOURCE))
    rows = [("ingest, no NER (relating as batches commit)", full)]
    bulk = folder / "bulk.db"
    for p in folder.glob("bulk.db*"):
        p.unlink()
    rows.append(("ingest --no-relate, no NER", run_child("ingest-no-relate", str(bulk), str(SOURCE))))
    rows.append(("then `marsad relate` on it", run_child("relate", str(bulk), "-")))
    if has_enrich():
        slice_db = folder / "enrich.db"
        for p in folder.glob("enrich.db*"):
            p.unlink()
        sliced = write_slice(SOURCE, folder / "slice.jsonl", 1000)
        rows.append(("ingest + enrich, 1k slice", run_child("enrich", str(slice_db), str(sliced))))
    print("| run | articles | failed | wall s | articles/s | CPU s store + parse | idle est. articles/s "
          "| peak RSS MB store + parse (each) | index s | relate s | archive MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, r in rows:
        busiest = idle_seconds(r)
        print(f"| {name} | {r['articles']:,} | {r['failed']} | {r['seconds']:.1f} | "
              f"{r['articles'] / r['seconds']:,.0f} | {r['cpu_main']:.1f} + {r['cpu_worker']:.1f} | "
              f"{r['articles'] / busiest:,.0f} | {r['rss_mb']:.0f} + {r['worker_rss_mb']:.0f} | "
              f"{r['index_seconds']:.1f} | {r['relate_seconds']:.1f} | {r['db_mb']:.0f} |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    ix = run_child("index", str(db), "-")
    print(f"\nindexing in one process: marsad {ix['total_s']:.1f} CPU s for {ix['articles']:,} articles "
          f"(analysis {ix['analysis_s']:.1f} s, FTS5 inserts {ix['total_s'] - ix['analysis_s']:.1f} s; "
          f"headline, deck, body, captions, two analyzers each) · "
          f"Lucene {LUCENE_INDEX_SECONDS} s (29,377 bodies)")
    s = run_child("search", str(db), str(SOURCE), str(queries))
    print(f"search: {s['queries']} queries · p50 {s['p50_ms']:.2f} ms · p99 {s['p99_ms']:.2f} ms · "
          f"{s['zero_hits']} without hits · peak RSS {s['rss_mb']:.0f} MB")
    print(f"search page (hits, count, outlet, section and entity facets): p50 {s['page_p50_ms']:.2f} ms · "
          f"p99 {s['page_p99_ms']:.2f} ms · broad words ({' '.join(BROAD)}) median {s['broad_ms']:.0f} ms")
    print("targets: " + " · ".join(f"{k} {v}" for k, v in TARGETS.items()))


if __name__ == "__main__":
    main()
