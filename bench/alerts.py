"""Matching saved searches (alerts) against a round's new articles, on SQLite and PostgreSQL.

An archive of the first ``--articles`` ant-multisource articles is built (``marsad ingest``'s
pipeline, no enrichment, no relating: neither changes what the index holds), ``--alerts`` saved
searches are made of 1-3 consecutive body words of other articles (the fixed random sample of
bench/common.py's queries), then a round stores the next ``--round`` articles and:

- **among**: what ``marsad.watch.alerts.after_round`` runs for each alert, the query compiled with
  every word required and run on the round's new articles only (``SearchIndex.among``);
- **whole index** (the peer): the same compiled query run over the whole index
  (``SearchIndex.matches``, unscored), its matches then narrowed to the round's articles;
- **after_round**: the library call end to end (match, record, queue; no alert has a target, so
  nothing is sent).

Reports per backend: the matches found (both ways must agree: ``agree``), milliseconds per round for
all alerts, microseconds per alert, and the ratio of the peer's time to among's, same run.

    python3 bench/alerts.py [--pg postgresql://user@host:port/dbname] [--articles 20000] [--alerts 300]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import OUT, SOURCE, fresh_archive, make_queries, read_records  # noqa: E402

from marsad.archive import open_archive  # noqa: E402
from marsad.model import Alert  # noqa: E402
from marsad.search import query as parser  # noqa: E402
from marsad.search.rank import Filters  # noqa: E402
from marsad.settings import load  # noqa: E402
from marsad.watch import alerts  # noqa: E402

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def build(target: str, n: int, extra: int) -> list[str]:
    """An archive of the first ``n`` records; the next ``extra`` are stored as the round; their ids."""
    fresh_archive(target)
    records = list(islice(read_records(SOURCE), n + extra))
    with tempfile.TemporaryDirectory() as tmp:
        old, new = Path(tmp, "old.jsonl"), Path(tmp, "new.jsonl")
        for path, part in ((old, records[:n]), (new, records[n:])):
            path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part), encoding="utf-8")
        with open_archive(target) as arc:
            arc.ingest([old], enrich=False, relate=False)
            arc.backend.index.compact()
            return arc.ingest([new], enrich=False, relate=False).ids


def run(target: str, queries: list[str], ids: list[str]) -> dict:
    with open_archive(target) as arc:
        index = arc.backend.index
        exprs = [parser.compile(q, scheme=index.scheme, mode=alerts.MODE) for q in queries]
        wanted = set(ids)
        for e in exprs:  # the index's pages in the caches for both ways alike
            index.among(e, Filters(), ids)
            index.matches(e, Filters(), scored=False)
        start = time.perf_counter()
        among = [index.among(e, Filters(), ids) for e in exprs]
        t_among = time.perf_counter() - start
        start = time.perf_counter()
        whole = [[k for k, _ in index.matches(e, Filters(), scored=False)] for e in exprs]
        t_whole = time.perf_counter() - start
        hits = index.hits(sorted({k for ks in whole for k in ks}), body=False)
        peer = [sorted(i for i in (hits[k][1] for k in ks) if i in wanted) for ks in whole]
        agree = sum(sorted(a) == p for a, p in zip(among, peer, strict=True)) / len(exprs)
        for n, q in enumerate(queries):
            alerts.add(arc, Alert(f"a{n}", q), NOW)
        start = time.perf_counter()
        counts = alerts.after_round(arc, ids, NOW, load(target))
        t_round = time.perf_counter() - start
    return {"matches": sum(map(len, among)), "agree": agree, "among_ms": t_among * 1000,
            "whole_ms": t_whole * 1000, "round_ms": t_round * 1000, "recorded": counts["matched"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", help="a PostgreSQL database of your own (dropped and made again)")
    ap.add_argument("--articles", type=int, default=20000)
    ap.add_argument("--round", type=int, default=100)
    ap.add_argument("--alerts", type=int, default=300)
    args = ap.parse_args()
    queries = [q for q in make_queries(SOURCE, 2 * args.alerts)[args.alerts:]]  # the body-word half
    OUT.mkdir(parents=True, exist_ok=True)
    targets = {"sqlite": str(OUT / "alerts.db"), **({"postgres": args.pg} if args.pg else {})}
    print(f"{len(queries)} alerts, a round of {args.round} new articles over {args.articles:,} stored")
    print("| backend | matches | agree | among ms/round | µs/alert | whole index ms/round | whole/among "
          "| after_round ms |")
    print("|---|---|---|---|---|---|---|---|")
    for name, target in targets.items():
        ids = build(target, args.articles, args.round)
        r = run(target, queries, ids)
        assert r["recorded"] == r["matches"], r
        print(f"| {name} | {r['matches']} | {r['agree']:.3f} | {r['among_ms']:.1f} | "
              f"{1000 * r['among_ms'] / len(queries):.0f} | {r['whole_ms']:.1f} | "
              f"{r['whole_ms'] / r['among_ms']:.1f}× | {r['round_ms']:.1f} |")


if __name__ == "__main__":
    main()
