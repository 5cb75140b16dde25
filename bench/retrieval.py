"""Retrieval quality and speed of marsad search, through the path users run, beside Lucene.

The user path: the set's corpus.jsonl is ingested into a new archive with the call
``marsad ingest`` makes (``Archive.ingest``: parse, store, index, relate, so copies
are grouped; enrichment off, since it changes no indexed text), then every query
is run with the call ``marsad search --queries`` makes (``search_many``), with
the CLI's defaults, k=100 without snippets (they do not change the ranking), folding
on and off, and each matching mode; and timed once more as a results page (k=10 with
snippets). With
folding on, a hit's folded copies follow it in the ranked list (the reader
expands them), so folding cannot lower recall by hiding an article.

Sets:

- arqa: ../shared/data/ir/arqa-passages (Wikipedia passages, questions);
- news: the known-item set made by ../shared/tools/make_knownitem.py from
  ant-multisource (built into bench/out/knownitem on first run).

Quality is given on the whole query set and on its two halves (A: the half used
to choose the defaults, B: held out). Lucene runs in the same run when --lucene
names a Python that has pyserini (JAVA_HOME must point to a JDK 21+); otherwise
its published figures are shown. ``--diagnostic`` adds the index-only runs (the
corpus stored without ingest or relate, indexed again for each stemmer): a
diagnostic, not the path users run.

    python3 bench/retrieval.py [--sets arqa,news] [--lucene VENV/bin/python] [--diagnostic] [--grid]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(SHARED / "tools"))

from ir_eval import evaluate, load_qrels  # noqa: E402

from marsad.archive import Archive, open_archive  # noqa: E402
from marsad.model import Article  # noqa: E402
from marsad.search import DEFAULT_MODE, read_queries, search, search_many  # noqa: E402
from marsad.search.analyze import Scheme  # noqa: E402

PUBLISHED = {"arqa": {"nDCG@10": 0.831, "MRR@10": 0.802}, "news": {"nDCG@10": 0.693, "MRR@10": 0.646}}
# (name, stems, field weights, stem weights): single stemmers, then the combination kept as default.
RUNS = [
    ("none", ("none",), (3.0, 1.5, 1.0, 1.0), (1.0,)),
    ("snowball", ("snowball",), (3.0, 1.5, 1.0, 1.0), (1.0,)),
    ("clitics only", ("clitics",), (3.0, 1.5, 1.0, 1.0), (1.0,)),
    ("light (Lucene-style)", ("light",), (3.0, 1.5, 1.0, 1.0), (1.0,)),
    ("careful", ("careful",), (3.0, 1.5, 1.0, 1.0), (1.0,)),
    ("light + clitics (before)", ("light", "clitics"), (3.0, 1.5, 1.0, 1.0), (1.0, 0.5)),
    ("careful + clitics (default)", ("careful", "clitics"), None, None),
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


def store(folder: Path, db: Path) -> Archive:
    """An archive holding the corpus as stored articles only (no ingest, no relate)."""
    arc = open_archive(db)
    docs = [Article(d.get("title") or "", [d["text"]], id=d["id"])
            for d in read_jsonl(folder / "corpus.jsonl")]
    for i in range(0, len(docs), 500):
        arc.store.put_batch(docs[i:i + 500])
    return arc


def build(arc: Archive, scheme: Scheme) -> float:
    """Index the stored corpus again by ``scheme`` (SQLite backend); the seconds it took."""
    t = time.perf_counter()
    with arc.backend.unit_of_work():
        arc.backend.index.rebuild(scheme)
    return time.perf_counter() - t


def run_queries(arc, queries, mode="any"):
    """Diagnostic: queries on a bare index, top 10, no folding."""
    run, times = {}, []
    for q in queries:
        t = time.perf_counter()
        res = search(arc, q["text"], limit=10, mode=mode, fold=False)
        times.append(time.perf_counter() - t)
        run[q["id"]] = [h.id for h in res.hits]
    return run, times


def ingest(folder: Path, db: Path) -> tuple[float, str]:
    """The corpus ingested as ``marsad ingest --no-enrich corpus.jsonl`` does; seconds, and what
    was stored (documents ingest refuses, e.g. passages mostly in another script, count as misses)."""
    t = time.perf_counter()
    with open_archive(db) as arc:
        report = arc.ingest([folder / "corpus.jsonl"], enrich=False)
        secs = time.perf_counter() - t
        groups = arc.duplicate_groups()
        grouped = sum(map(len, groups))
    reasons = sorted({f.reason for f in report.failed})
    return secs, (f"{report.new} stored, {len(report.failed)} refused ({'; '.join(reasons)}), "
                  f"{grouped} articles in {len(groups)} copy groups")


def cli_run(db: Path, folder: Path, fold: bool, mode: str, k: int = 100,
            snippets: bool = False) -> tuple[dict, list[float]]:
    """What ``marsad search --queries queries.jsonl --limit k [--no-fold]`` finds, as a run: each
    hit followed by the copies folded under it, cut at ``k``; and the seconds of each query.
    Snippets do not change the ranking: they are made only when timing a results page."""
    with open(folder / "queries.jsonl", encoding="utf-8") as f:
        queries = list(read_queries(f))
    run, times = {}, []
    with open_archive(db, readonly=True) as arc:
        out = search_many(arc, queries, limit=k, fold=fold, mode=mode, snippets=snippets)
        for qid, _ in queries:
            t = time.perf_counter()
            res = next(out)
            times.append(time.perf_counter() - t)
            run[qid] = [x["id"] for h in res["hits"] for x in (h, *h["folded"])][:k]
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
            "R@100": full["R@100"], "A nDCG": ea["nDCG@10"], "B nDCG": eb["nDCG@10"]}


def timing(times: list[float]) -> dict:
    times = sorted(times)
    return {"ms/q": round(1000 * statistics.median(times), 2),
            "p99 ms": round(1000 * times[int(0.99 * (len(times) - 1))], 2),
            "mean ms": round(1000 * statistics.fmean(times), 2)}


def lucene(python: str, folder: Path) -> dict:
    out = subprocess.run([python, str(SHARED / "tools/lucene_baseline.py"), str(folder)],
                         check=True, capture_output=True, text=True).stdout
    res = json.loads(out.strip().splitlines()[-1])
    return {"nDCG@10": res["nDCG@10"], "MRR@10": res["MRR@10"], "R@10": res["R@10"], "R@100": res["R@100"],
            "index_s": res["index_s"], "mean ms": res["ms_per_query_k100"]}


def row(name: str, m: dict) -> str:
    quality = ("nDCG@10", "MRR@10", "R@10", "R@100", "A nDCG", "B nDCG")
    cells = [f"{m[k]:.4f}" if k in quality and k in m else str(m.get(k, "")) for k in
             (*quality, "index_s", "ms/q", "p99 ms", "mean ms")]
    return f"| {name} | " + " | ".join(cells) + " |"


def bench_set(name: str, args) -> None:
    folder = dataset(name)
    qrels = load_qrels(folder / "qrels.tsv")
    queries = read_jsonl(folder / "queries.jsonl")
    print(f"\n### {name}: {len(queries)} queries\n")
    print("| system | nDCG@10 | MRR@10 | R@10 | R@100 | half A nDCG | half B nDCG | index s | ms/query p50"
          " | p99 ms | mean ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    if args.lucene:
        print(row("Lucene BM25 Arabic (this run; mean ms only)", lucene(args.lucene, folder)), flush=True)
    else:
        print(row("Lucene BM25 Arabic (published)", PUBLISHED[name]), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        secs, stored = ingest(folder, db)
        print(f"| (ingest: {secs:.1f} s with relating; {stored}) |", flush=True)
        others = [m for m in ("all", "auto", "any") if m != DEFAULT_MODE] if args.modes else []
        for mode in [DEFAULT_MODE, *others]:
            for fold in (True, False):
                run, times = cli_run(db, folder, fold, mode)
                label = (f"marsad CLI, {mode}{' (default)' if mode == DEFAULT_MODE else ''}, "
                         f"fold {'on' if fold else 'off'}")
                m = {**score(qrels, run), "index_s": round(secs, 1), **timing(times)}
                print(row(label + ", k=100", m), flush=True)
        _, times = cli_run(db, folder, True, DEFAULT_MODE, k=10, snippets=True)
        print(row(f"marsad CLI, {DEFAULT_MODE}, fold on: a results page (k=10, snippets)", timing(times)))
    if args.diagnostic:
        with tempfile.TemporaryDirectory() as tmp, store(folder, Path(tmp) / "diagnostic.db") as arc:
            diagnostic(arc, qrels, queries, name, args.grid)


def diagnostic(arc: Archive, qrels: dict, queries: list[dict], name: str, grid: bool) -> None:
    """Index-only runs: the stored corpus indexed again per stemmer, no ingest or relate (not the
    path users run)."""
    for label, stems, fw, sw in RUNS:
        schemes = [(label, Scheme(stems) if fw is None else Scheme(stems, fw, sw))]
        if grid and len(stems) > 1:
            schemes += [(f"  headline×{hw:g}, clitics×{w:g}",
                         Scheme(stems, (hw, hw / 2, 1.0, 1.0), (1.0, w))) for hw, w in GRID[name]]
        secs = build(arc, schemes[0][1])
        for lab, sch in schemes:
            arc.backend.index.scheme = sch  # the grid's weights: the same columns, scored otherwise
            run, times = run_queries(arc, queries)
            m = {**score(qrels, run), "index_s": round(secs, 1), **timing(times)}
            print(row(f"diagnostic, index only: {lab}", m), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="arqa,news")
    ap.add_argument("--modes", action="store_true", help="also run the other matching modes")
    ap.add_argument("--diagnostic", action="store_true", help="also run the index-only diagnostic")
    ap.add_argument("--grid", action="store_true", help="with --diagnostic: headline and clitic weights")
    ap.add_argument("--lucene", metavar="PYTHON", help="a Python with pyserini, to run Lucene in this run")
    args = ap.parse_args()
    for name in args.sets.split(","):
        bench_set(name, args)


if __name__ == "__main__":
    main()
