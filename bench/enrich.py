"""Benchmark of full enrichment (entities, dates, figures, quotes) on ANT multi-source news articles.

    python3 bench/enrich.py [--articles 2000] [--sample] [--workers 2]

Rows of the table, all in this run on the same articles:
- ``rules only``: dates, figures, quotes and canonical names, with no NER tagger;
- ``full, 1 process``: the same plus the trained NER tagger (when one is installed);
- ``full, N processes``: the full pipeline over a process pool, as a batch ingest would run it.
NER quality (entity F1 per type on the ANERcorp test file) and tagging speed come from
``bench/ner.py`` (``run_shipped``), when a trained model is installed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import lzma
import os
import resource
import sys
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.enrich import enrich_article, ner_available  # noqa: E402
from marsad.model import Article  # noqa: E402

SHARED = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "data" / "news" / "ant-multisource"


def load_articles(n: int, sample: bool) -> list[Article]:
    path = CORPUS / ("sample.jsonl" if sample else "articles.jsonl.xz")
    opener = open if sample else lzma.open
    out = []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            paragraphs = [p for p in rec.get("text", "").split("\n") if p.strip()]
            out.append(Article(headline=rec.get("title", ""), paragraphs=paragraphs,
                               published=rec.get("published")))
            if len(out) >= n:
                break
    return out


def _no_entities(text: str) -> list:
    return []


def _enrich_full(article: Article) -> Article:
    return enrich_article(article)


def _timed(fn, articles: list[Article]) -> tuple[float, float, list[Article]]:
    """(wall seconds, CPU seconds of this process, result); CPU time is steadier on a shared machine."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn(articles)
    return time.perf_counter() - t0, time.process_time() - c0, out


def run_rules(articles: list[Article]) -> list[Article]:
    return [enrich_article(a, _no_entities) for a in articles]


def run_full(articles: list[Article]) -> list[Article]:
    return [enrich_article(a) for a in articles]


def run_pool(articles: list[Article], workers: int) -> list[Article]:
    with Pool(workers) as pool:
        return pool.map(_enrich_full, articles, chunksize=32)


def _counts(enriched: list[Article]) -> str:
    n = len(enriched) or 1
    kinds = ("entities", "dates", "figures", "quotes")
    per = [sum(len(getattr(a, k) or []) for a in enriched) / n for k in kinds]
    return " ".join(f"{v:.1f}" for v in per)


def ner_quality() -> str:
    """Entity F1 per type and tagging speed, from the NER bench (bench/ner.py) run in this process."""
    path = ROOT / "bench" / "ner.py"
    if not (path.is_file() and ner_available()):
        return "NER F1: no trained model or no bench/ner.py"
    spec = importlib.util.spec_from_file_location("bench_ner", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    scores, speed = module.run_shipped(module.official_test(SHARED))
    cells = ", ".join(f"{k} {v['f1'] * 100:.1f}" for k, v in scores.items())
    speeds = speed.items() if isinstance(speed, dict) else [("", speed)]  # older benches gave one number
    tagging = ", ".join(f"{v:,.0f} {k}".rstrip() for k, v in speeds)
    return f"NER F1 on ANERcorp test: {cells}; tagging tokens/s: {tagging}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--sample", action="store_true", help="read sample.jsonl (260 articles), not the xz")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    articles = load_articles(args.articles, args.sample)
    words = sum(len(p.split()) for a in articles for p in a.paragraphs)
    print(f"{len(articles)} articles, {words} words ({words / len(articles):.0f} per article)")
    print(f"{'run':<22} {'art/s wall':>10} {'art/s CPU':>10} {'words/s CPU':>12}  "
          "entities dates figures quotes per article")
    rows = [("rules only", run_rules)]
    if ner_available():
        run_full(articles[:5])  # load the model outside the timing
        rows += [("full, 1 process", run_full),
                 (f"full, {args.workers} processes", lambda a: run_pool(a, args.workers))]
    for name, fn in rows:
        wall, cpu, enriched = _timed(fn, articles)
        # A pool's work is done in its children, so only its wall time means something.
        pooled = "processes" in name
        cpu_rate = f"{'-':>10} {'-':>12}" if pooled else f"{len(articles) / cpu:>10.0f} {words / cpu:>12.0f}"
        print(f"{name:<22} {len(articles) / wall:>10.0f} {cpu_rate}  {_counts(enriched)}")
    if not ner_available():
        print("no trained NER model installed: only the rules row was run")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(ner_quality())


if __name__ == "__main__":
    main()
