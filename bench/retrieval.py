"""Retrieval quality of marsad search against Lucene's BM25 with its Arabic analyzer.

Runs the real path (articles table → marsad.search.index.add → SQLite FTS5 →
marsad.search.search) on two sets:

- arqa: ../shared/data/ir/arqa-passages (Wikipedia passages, questions);
- news: the known-item set made by ../shared/tools/make_knownitem.py from
  ant-multisource (built into bench/out/knownitem on first run).

Each analyzer (stemmer) and weighting is scored on the whole query set and on its
two halves (A: the half used to choose the defaults, B: held out).
Lucene runs in the same process when --lucene names a Python that has pyserini
(JAVA_HOME must point to a JDK 21+); otherwise its published figures are shown.

    python3 bench/retrieval.py [--sets arqa,news] [--grid] [--lucene VENV/bin/python]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(SHARED / "tools"))

from ir_eval import evaluate, load_qrels  # noqa: E402

from marsad.model import Article  # noqa: E402
from marsad.search import index, search  # noqa: E402
from marsad.search.analyze import Scheme  # noqa: E402

ARTICLES = ("CREATE TABLE articles (rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, url, headline, deck,"
            " outlet, publisher, section, published, author, kind, dateline, body, data, source,"
            " content_hash, ingested_at)")
PUBLISHED = {"arqa": {"nDCG@10": 0.831, "MRR@10": 0.802}, "news": {"nDCG@10": 0.693, "MRR@10": 0.646}}
# (name, stems, field weights, stem weights): single stemmers, then the combination kept as default.
RUNS = [
    ("none", ("none",), (3.0, 1.5, 1.0, 1.0), (1.0,)),
    ("snowball", ("snowball",), (3.0, 1.5, 1.0, 1.0), (1.0,)),
    ("clitics only", ("clitics",), (3.0, 1.5, 1.0, 1.0), (1.0,)),
    ("light (Lucene-style)", ("light",), (3.0, 1.5, 1.0, 1.0), (1.0,)),
    ("light + clitics (default)", ("light", "clitics"), None, None),
]
# Weights tried by --grid: (headline, clitic columns). The news set has no headlines in its corpus.
GRID = {"arqa": [(hw, sw) for hw in (1.0, 2.0, 3.0) for sw in (0.3, 0.5, 1.0)],
        "news": [(3.0, sw) for sw in (0.3, 0.5, 1.0)]}


def dataset(name: str) -> Path:
    if name == "arqa":
        return SHARED / "data/ir/arqa-passages"
    out = ROOT / "bench/out/knownitem"
    if not (out / "qrels.tsv").exists():
        subprocess.run([sys.executable, str(SHARED / "tools/make_knownitem.py"),
                        str(SHARED / "data/news/ant-multisource"), str(out)], check=True)
    return out


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def build(folder: Path, scheme: Scheme) -> tuple[sqlite3.Connection, float]:
    """An in-memory archive holding the corpus, indexed by ``scheme``; and the seconds it took."""
    conn = sqlite3.connect(":memory:")
    conn.execute(ARTICLES)
    conn.execute(index.create_sql(scheme))
    docs = read_jsonl(folder / "corpus.jsonl")
    t = time.perf_counter()
    rows = []
    for d in docs:
        art = Article(d.get("title") or "", [d["text"]], id=d["id"])
        cur = conn.execute("INSERT INTO articles(id, headline, body) VALUES (?, ?, ?)",
                           (art.id, art.headline, art.body))
        rows.append((cur.lastrowid, art))
    index.add(conn, rows, scheme=scheme)
    conn.commit()
    return conn, time.perf_counter() - t


def run_queries(conn, queries, scheme, mode="any"):
    run, times = {}, []
    for q in queries:
        t = time.perf_counter()
        res = search(conn, q["text"], limit=10, mode=mode, scheme=scheme, collapse=False)
        times.append(time.perf_counter() - t)
        run[q["id"]] = [h.id for h in res.hits]
    return run, times


def halves(qrels: dict) -> tuple[dict, dict]:
    ids = sorted(qrels)
    random.Random(1).shuffle(ids)
    a = set(ids[: len(ids) // 2])
    return {k: v for k, v in qrels.items() if k in a}, {k: v for k, v in qrels.items() if k not in a}


def score(qrels, run) -> dict:
    qa, qb = halves(qrels)
    full, ea, eb = evaluate(qrels, run), evaluate(qa, run), evaluate(qb, run)
    return {"nDCG@10": full["nDCG@10"], "MRR@10": full["MRR@10"], "R@10": full["R@10"],
            "A nDCG": ea["nDCG@10"], "B nDCG": eb["nDCG@10"]}


def lucene(python: str, folder: Path) -> dict:
    out = subprocess.run([python, str(SHARED / "tools/lucene_baseline.py"), str(folder)],
                         check=True, capture_output=True, text=True).stdout
    res = json.loads(out.strip().splitlines()[-1])
    return {"nDCG@10": res["nDCG@10"], "MRR@10": res["MRR@10"], "R@10": res["R@10"],
            "index_s": res["index_s"], "ms/q": res["ms_per_query_k100"]}


def row(name: str, m: dict) -> str:
    quality = ("nDCG@10", "MRR@10", "R@10", "A nDCG", "B nDCG")
    cells = [f"{m[k]:.4f}" if k in quality and k in m else str(m.get(k, "")) for k in
             (*quality, "index_s", "ms/q", "p99 ms")]
    return f"| {name} | " + " | ".join(cells) + " |"


def bench_set(name: str, grid: bool, lucene_python: str | None) -> None:
    folder = dataset(name)
    qrels = load_qrels(folder / "qrels.tsv")
    queries = read_jsonl(folder / "queries.jsonl")
    print(f"\n### {name}: {len(queries)} queries\n")
    print("| system | nDCG@10 | MRR@10 | R@10 | half A nDCG | half B nDCG | index s | ms/query p50"
          " | p99 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    if lucene_python:
        print(row("Lucene BM25 Arabic (this run)", lucene(lucene_python, folder)), flush=True)
    else:
        print(row("Lucene BM25 Arabic (published)", PUBLISHED[name]), flush=True)
    for label, stems, fw, sw in RUNS:
        scheme = Scheme(stems) if fw is None else Scheme(stems, fw, sw)
        conn, secs = build(folder, scheme)
        schemes = [(label, scheme)]
        if grid and len(stems) > 1:
            schemes += [(f"  headline×{hw:g}, clitics×{w:g}", Scheme(stems, (hw, hw / 2, 1.0, 1.0), (1.0, w)))
                        for hw, w in GRID[name]]
        for lab, sch in schemes:
            run, times = run_queries(conn, queries, sch)
            m = score(qrels, run)
            times.sort()
            m.update({"index_s": round(secs, 1), "ms/q": round(1000 * statistics.median(times), 2),
                      "p99 ms": round(1000 * times[int(0.99 * (len(times) - 1))], 2)})
            print(row(lab, m), flush=True)
        conn.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="arqa,news")
    ap.add_argument("--grid", action="store_true", help="also try headline and clitic-column weights")
    ap.add_argument("--lucene", metavar="PYTHON", help="a Python with pyserini, to run Lucene in this run")
    args = ap.parse_args()
    for name in args.sets.split(","):
        bench_set(name, args.grid, args.lucene)


if __name__ == "__main__":
    main()
