"""How ingest time, search latency and disk grow with the archive, from ant-multisource's 31,525 articles
to 1,000,000, on each backend.

The corpus: ant-multisource replicated to N articles (default 1,000,000), streamed to .jsonl.gz parts in
bench/out/scale/ (one per step; a part already built is reused). Copy 0 is the corpus as it is. Copy r of
an article has the id `<id>.r<r>` and a url of its own, its dates moved by a shift of that copy (up to
twelve years back or eight ahead), and in its headline, deck and each paragraph a few words (one in 25,
at least one) swapped for words drawn from the corpus by frequency. One swap in four takes a spelling of
that word new to the copy (one letter changed), so copies are not exact duplicates and the vocabulary
keeps growing, as an archive's does.

The run: for each backend, one archive grown step by step. Each part is ingested without enrichment and
without relating (with --relate, then related), then 400 searches (bench/ingest.py's set, made from the
original corpus; top 10 each) and the archive's size on disk. Each stage runs in its own process through
bench/ingest.py's stages, that is the library calls the CLI makes. Per step: the part's articles/s and CPU
seconds (on PostgreSQL also the server's, serving the ingest), search p50/p99 and the searching process's
CPU milliseconds at p50 (steadier on a shared machine; for PostgreSQL the server's work is not in it), MB.
With --relate, relating's CPU seconds in all and per part: making the features (the article's Doc and copy
keys), copies (finding the stored articles that share copy keys and comparing them), stories (joining or
opening a story, with reading the open stories back) and writing the rows, each also as a share of the
features' cost (a cost an article that does not depend on the archive, so the share's growth is steadier
than CPU seconds on a machine whose load changes); then the related-articles index built over the whole
archive (CPU s) and the CPU milliseconds at p50 of `related` for 100 articles of the part. Then each
measure's growth exponent k between steps (cost ~ N^k: 1 is linear, above 1 faster than linear; for ingest
and relating, from the cost of an article of each step: it stays the same when the stage is linear).
Usage: python3 bench/scale.py [--sqlite] [--postgres URL] [--articles 1000000]
       [--sizes 31525,100000,300000] [--source N] [--relate] [--queries 400] [--build-only] [--keep]
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import random
import re
import statistics
import sys
import time
import zlib
from collections import Counter
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path

from common import OUT, ROOT, SOURCE, StageFailed, archive_mb, drop_archive, fresh_archive, read_records
from common import run_child as run_script
from ingest import run_child

SIZES = (31_525, 100_000, 300_000)
SWAP_EVERY = 25  # words per swapped word in a paragraph
NEW_SPELLING = 0.25  # share of the swaps that take a spelling new to the copy
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
ARABIC_WORD = re.compile(r"[\u0621-\u064A]{2,}")


class Replicator:
    """Article ``g`` of the replicated corpus: copy ``g // n`` of source article ``g % n``."""

    def __init__(self, records: list[dict], seed: int = 7):
        self.records, self.seed = records, seed
        counts = Counter(w for r in records for w in ARABIC_WORD.findall(r["title"] + " " + r["text"]))
        self.words = list(counts)
        self.cum = list(_cumulative(counts[w] for w in self.words))

    def __len__(self) -> int:
        return len(self.records)

    def article(self, g: int) -> dict:
        copy, record = divmod(g, len(self.records))
        source = self.records[record]
        if copy == 0:
            return source
        rng = random.Random(self.seed * 1_000_003 + g)
        out = dict(source, id=f"{source['id']}.r{copy}", url=f"{source.get('url') or ''}#r{copy}")
        out.pop("published_raw", None)  # the raw date would disagree with the moved one
        shift = timedelta(days=random.Random(self.seed * 7_919 + copy).randrange(-12 * 365, 8 * 365))
        if out.get("published"):
            out["published"] = _moved(out["published"], shift)
        for key in ("title", "abstract", "text"):
            if isinstance(out.get(key), str):
                out[key] = "\n".join(self._swap(p, rng, copy) for p in out[key].split("\n"))
        return out

    def _swap(self, paragraph: str, rng: random.Random, copy: int) -> str:
        words = paragraph.split(" ")
        if len(words) < 2:
            return paragraph
        picks = rng.choices(self.words, cum_weights=self.cum, k=max(1, len(words) // SWAP_EVERY))
        for at, word in zip(rng.sample(range(len(words)), len(picks)), picks, strict=True):
            words[at] = _respelled(word, copy) if rng.random() < NEW_SPELLING else word
        return " ".join(words)


def _cumulative(values):
    total = 0
    for v in values:
        total += v
        yield total


def _respelled(word: str, copy: int) -> str:
    """The word with one letter changed, the same way every time in one copy."""
    h = zlib.crc32(f"{word}\t{copy}".encode())
    at = h % len(word)
    return word[:at] + LETTERS[(h >> 8) % len(LETTERS)] + word[at + 1:]


def _moved(value: str, shift: timedelta) -> str:
    try:
        return (datetime.fromisoformat(value) + shift).isoformat()
    except (TypeError, ValueError):
        return value


def parts(sizes: list[int], seed: int, source: int | None = None) -> list[tuple[int, int, Path]]:
    """(first, end, file) of each step's part: articles first..end-1 of the replicated corpus (of the
    corpus's first ``source`` articles when given)."""
    starts, of = [0, *sizes[:-1]], f"first{source}-" if source else ""
    return [(a, b, OUT / "scale" / f"seed{seed}-{of}{a}-{b}.jsonl.gz")
            for a, b in zip(starts, sizes, strict=True)]


def build(sizes: list[int], seed: int, source: int | None = None) -> list[Path]:
    """Write the parts not written yet (a half-written part is never left under its name)."""
    todo = [p for p in parts(sizes, seed, source) if not p[2].exists()]
    if todo:
        rep = Replicator(list(islice(read_records(SOURCE), source)), seed)
        for first, end, path in todo:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=1) as out:
                for g in range(first, end):
                    out.write(json.dumps(rep.article(g), ensure_ascii=False) + "\n")
            tmp.rename(path)
            print(f"built {path.name}", flush=True)
    return [p for _, _, p in parts(sizes, seed, source)]


def grow(target: str, files: list[Path], queries: int, relate: bool) -> list[dict]:
    """Ingest the parts one after another into one fresh archive, measuring after each. A stage
    that fails after the ingest (a backend without it yet) is reported and left out."""
    fresh_archive(target)
    steps: list[dict] = []
    stages = {"search": lambda: run_child("search", target, str(SOURCE), str(queries))}
    if relate:
        stages = {"relate": lambda: run_script(__file__, "relate", target), **stages}
    for path in files:
        try:
            step = {"ingest": run_child("ingest-no-relate", target, str(path))}
        except StageFailed as e:  # the steps measured so far are still reported
            print(f"{path.name}: {e}", flush=True)
            break
        for stage, run in stages.items():
            try:
                step[stage] = run()
            except StageFailed as e:
                print(f"{path.name}: {str(e).strip().splitlines()[-1]}", flush=True)
        step["mb"] = archive_mb(target)
        step["load"] = os.getloadavg()[0]
        step["articles"] = (steps[-1]["articles"] if steps else 0) + step["ingest"]["articles"]
        steps.append(step)
        shown = {k: v for k, v in step.items() if k != "search"}  # progress, without the top 10s
        search = step.get("search", {})
        print(json.dumps(shown | {k: search.get(k) for k in ("p50_ms", "p99_ms", "cpu_p50_ms")}), flush=True)
    return steps


RELATE_PARTS = ("features", "copies", "stories", "writes")


def _timed(spent: dict[str, float], part: str, owner, name: str) -> None:
    """Count the CPU seconds of ``owner.name`` under ``part``."""
    call = getattr(owner, name)

    def timed(*args, **kw):
        start = time.process_time()
        try:
            return call(*args, **kw)
        finally:
            spent[part] += time.process_time() - start

    setattr(owner, name, timed)


def stage_relate(target: str) -> dict:
    """Relate what the ingests stored, timing relating's parts; then the related-articles index and
    `related` for 100 of the articles just related."""
    sys.path.insert(0, str(ROOT))
    from marsad import relate
    from marsad.archive import open_archive
    from marsad.relate import cluster, incremental, neighbours

    spent = dict.fromkeys(RELATE_PARTS, 0.0)
    with open_archive(target) as arc:
        state = type(arc.backend.relate)
        batch = incremental.Batch
        for part, owner, name in (
                ("features", incremental, "features"), ("copies", batch, "__init__"),
                ("copies", batch, "copies"), ("stories", cluster.Clusterer, "add"),
                ("stories", incremental, "open_stories"), ("writes", batch, "write"),
                ("writes", state, "save_stories"), ("writes", state, "refresh_stories")):
            _timed(spent, part, owner, name)
        start, cpu = time.perf_counter(), time.process_time()
        report = arc.relate_all()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        index_cpu = time.process_time()
        neighbours.index_of(arc)
        index_cpu = time.process_time() - index_cpu
        times = []
        for id_ in random.Random(7).sample(report.ids, min(100, len(report.ids))):
            c = time.process_time()
            relate.related(arc, id_)
            times.append((time.process_time() - c) * 1000)
    return {"articles": len(report.ids), "seconds": seconds, "cpu": cpu, "parts": spent,
            "index_cpu": index_cpu, "related_cpu_p50_ms": statistics.median(times) if times else 0.0}


def _share(parts: dict[str, float], part: str) -> float:
    return parts[part] / parts["features"]


MEASURES = {  # label: (value of a step, format)
    "ingest s": (lambda s: s["ingest"]["seconds"], "{:.1f}"),
    "articles/s": (lambda s: s["ingest"]["articles"] / s["ingest"]["seconds"], "{:,.0f}"),
    "ingest CPU s": (lambda s: s["ingest"]["cpu_main"] + s["ingest"]["cpu_worker"], "{:.1f}"),
    "server CPU s": (lambda s: s["ingest"]["cpu_server"], "{:.1f}"),  # PostgreSQL's, serving the ingest
    "relate s": (lambda s: s["relate"]["seconds"], "{:.1f}"),
    "relate CPU s": (lambda s: s["relate"]["cpu"], "{:.1f}"),
    **{f"{part} CPU s": (lambda s, part=part: s["relate"]["parts"][part], "{:.1f}") for part in RELATE_PARTS},
    # Each part of relating against making the features, whose cost an article does not depend on the
    # archive: steadier than CPU seconds when the machine's load changes between steps.
    **{f"{part} / features": (lambda s, part=part: _share(s["relate"]["parts"], part), "{:.2f}")
       for part in RELATE_PARTS[1:]},
    "related index CPU s": (lambda s: s["relate"]["index_cpu"], "{:.1f}"),
    "related p50 CPU ms": (lambda s: s["relate"]["related_cpu_p50_ms"], "{:.1f}"),
    "search p50 ms": (lambda s: s["search"]["p50_ms"], "{:.1f}"),
    "search p99 ms": (lambda s: s["search"]["p99_ms"], "{:.1f}"),
    "search p50 CPU ms": (lambda s: s["search"]["cpu_p50_ms"], "{:.1f}"),
    "MB": (lambda s: s["mb"], "{:,.0f}"),
    "KB/article": (lambda s: s["mb"] * 1024 / s["articles"], "{:.1f}"),
    "load": (lambda s: s["load"], "{:.1f}"),
}
# Measures whose growth is read from each step's cost an article (its part differs in size), the rest
# from the archive's size.
PER_ARTICLE = ("ingest s", "ingest CPU s", "server CPU s", "relate s", "relate CPU s",
               *(f"{p} CPU s" for p in RELATE_PARTS))
RELATIVE = tuple(f"{p} / features" for p in RELATE_PARTS[1:])  # already a cost an article
GROWTH = (*PER_ARTICLE, *RELATIVE, "related index CPU s", "related p50 CPU ms", "search p50 ms",
          "search p99 ms", "search p50 CPU ms", "MB")


def _value(label: str, step: dict) -> float | None:
    try:
        return MEASURES[label][0](step)
    except KeyError:  # that stage did not run
        return None


def _growth(label: str, a: dict, b: dict) -> float | None:
    """k in cost ~ N^k from step a to step b, N the archive's size after each."""
    va, vb = _value(label, a), _value(label, b)
    if not (va and vb):
        return None
    if label in PER_ARTICLE:  # the last article's cost grows as N^(k-1)
        va, vb = va / a["ingest"]["articles"], vb / b["ingest"]["articles"]
    return math.log(vb / va) / math.log(b["articles"] / a["articles"]) + (label in PER_ARTICLE + RELATIVE)


def table(name: str, steps: list[dict]) -> None:
    columns = [c for c in MEASURES if any(_value(c, s) is not None for s in steps)]
    print(f"\n{name}\n| articles | step | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 2) + "|")
    for s in steps:
        cells = [MEASURES[c][1].format(v) if (v := _value(c, s)) is not None else "-" for c in columns]
        print(f"| {s['articles']:,} | {s['ingest']['articles']:,} | " + " | ".join(cells) + " |")
    print("growth exponent k between steps, cost ~ N^k (1 is linear; ingest and relate from each "
          "step's cost an article):")
    for label in GROWTH:
        ks = [k for a, b in zip(steps, steps[1:], strict=False) if (k := _growth(label, a, b)) is not None]
        if ks:
            print(f"  {label}: " + ", ".join(f"{k:.2f}" for k in ks))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sqlite", action="store_true", help="grow a SQLite archive (bench/out/scale/scale.db)")
    ap.add_argument("--postgres", metavar="URL", help="grow this PostgreSQL database (dropped and created)")
    ap.add_argument("--articles", type=int, default=1_000_000, help="the largest archive")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)),
                    help="the smaller archives measured on the way")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--source", type=int, help="replicate the corpus's first SOURCE articles only: with "
                    "sizes that are multiples of it, each step adds copies at other dates, so that the "
                    "archive grows while the articles a day stay the same")
    ap.add_argument("--queries", type=int, default=400)
    ap.add_argument("--relate", action="store_true", help="relate each part after ingesting it")
    ap.add_argument("--build-only", action="store_true", help="write the corpus parts and stop")
    ap.add_argument("--keep", action="store_true", help="keep the archives")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:  # relate, TARGET
        print(json.dumps(stage_relate(args.child[1])))
        return
    sizes = sorted({n for n in map(int, args.sizes.split(",")) if n < args.articles} | {args.articles})
    files = build(sizes, args.seed, args.source)
    if args.build_only:
        return
    targets = {"SQLite": str(OUT / "scale" / "scale.db")} if args.sqlite else {}
    if args.postgres:
        targets["PostgreSQL"] = args.postgres
    results = {}
    for name, target in targets.items():
        try:
            results[name] = grow(target, files, args.queries, args.relate)
        finally:
            if not args.keep:
                drop_archive(target)
    for name, steps in results.items():
        if steps:
            table(name, steps)


if __name__ == "__main__":
    main()
