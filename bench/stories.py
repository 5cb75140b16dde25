"""Story clustering on stories-dev (B-cubed against the event labels), and relate speed on ant-multisource.

    python3 bench/stories.py            # quality: ingest stories-dev through the archive, score B-cubed
    python3 bench/stories.py --speed    # speed: features + dedup + clustering over ant-multisource (31.5k)
    python3 bench/stories.py --speed --sample 6000   # the same over its first 6,000 reports by date
    python3 bench/stories.py --speed --archive   # the same through an archive: relate.update on all ids
                                                 # in calls of RELATE_EVERY (--every 0: one call)
    python3 bench/stories.py --ant              # own checks: same people at another time, undated
    python3 bench/stories.py --largest [--db F]  # the 20 largest stories of all of ant-multisource, ingested
                                                 # as ``marsad ingest`` does (F: kept, reused when it exists)

Quality rows: ``archive`` is the real path (``Archive.ingest`` of the JSONL, which calls
``marsad.relate.update``); the sensitivity rows recluster the same stored articles with the
pure library at other join thresholds; the ``shuffled`` row averages five random ingest orders, and the
``outlet by outlet`` row takes each outlet's reports in turn (as a bulk load of per-outlet exports).
Every distractor (``distractor-N``) is its own event; the table is followed by each distractor
that joined an event. Peers in the same run: the ``one story per article`` and ``one story for
everything`` baselines bound the score from both sides. ``--largest`` prints each story's size, days,
outlets and headlines spread over its reports, for a person to judge whether it is one event.
"""

from __future__ import annotations

import argparse
import json
import lzma
import os
import random
import resource
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.archive import open_archive  # noqa: E402
from marsad.model import Article  # noqa: E402
from marsad.pipeline import RELATE_EVERY  # noqa: E402
from marsad.relate import cluster as clustering  # noqa: E402
from marsad.relate import stories  # noqa: E402
from marsad.relate.dedup import group  # noqa: E402
from marsad.relate.features import make_doc  # noqa: E402

SHARED = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared"))
DEV = SHARED / "data" / "stories-dev" / "stories.jsonl"
ANT = SHARED / "data" / "news" / "ant-multisource" / "articles.jsonl.xz"
CASES = ROOT / "bench" / "data" / "stories-ant.tsv"
THRESHOLDS = (0.10, 0.15, 0.175, 0.20, 0.225, 0.25, 0.30, 0.35)


def bcubed(clusters: list[list[str]], gold: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of ``clusters`` against item → event labels."""
    cluster_of = {i: frozenset(c) for c in clusters for i in c}
    events: dict[str, set[str]] = defaultdict(set)
    for i, e in gold.items():
        events[e].add(i)
    p = r = 0.0
    for i, e in gold.items():
        c = cluster_of.get(i, frozenset([i]))
        p += len(c & events[e]) / len(c)
        r += len(c & events[e]) / len(events[e])
    p, r = p / len(gold), r / len(gold)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def row(name: str, clusters: list[list[str]], gold: dict[str, str]) -> None:
    p, r, f = bcubed(clusters, gold)
    multi = sum(1 for c in clusters if len(c) > 1)
    print(f"| {name:<34} | {p:.3f} | {r:.3f} | {f:.3f} | {multi:>3} |")


def quality() -> None:
    gold = {}
    with open(DEV, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            gold[rec["id"]] = rec["event"]
    with tempfile.TemporaryDirectory() as tmp, open_archive(Path(tmp) / "dev.db") as arc:
        start = time.perf_counter()
        report = arc.ingest([DEV])
        took = time.perf_counter() - start
        found = [s.articles for s in stories(arc, min_size=1)]
        docs = [make_doc(a) for a in arc.iter_articles()]
    docs.sort(key=lambda d: d.id)  # the file's order, which is the ingest order
    print(f"stories-dev: {len(gold)} items, {len(set(gold.values()))} events; ingest {report.new} new, "
          f"{len(report.failed)} failed, {took:.1f} s\n")
    print("| run | B³ P | B³ R | B³ F1 | stories ≥2 |\n|---|---|---|---|---|")
    row(f"archive (join {clustering.JOIN})", found, gold)
    for j in THRESHOLDS:
        row(f"library, join {j}", clustering.cluster(docs, join=j), gold)
    shuffled = []
    for seed in range(5):
        order = docs[:]
        random.Random(seed).shuffle(order)
        shuffled.append(bcubed(clustering.cluster(order), gold))
    p, r, f = (sum(x[k] for x in shuffled) / len(shuffled) for k in range(3))
    print(f"| {'library, 5 shuffled orders (mean)':<34} | {p:.3f} | {r:.3f} | {f:.3f} |  -  |")
    by_outlet = sorted(docs, key=lambda d: (d.outlet or "", d.id))
    row("library, outlet by outlet", clustering.cluster(by_outlet), gold)
    row("peer: one story per article", [[d.id] for d in docs], gold)
    row("peer: one story for everything", [[d.id for d in docs]], gold)
    joined = [(i, next(gold[j] for j in s if not gold[j].startswith("distractor")))
              for s in found for i in s if gold[i].startswith("distractor") and len(s) > 1]
    print(f"\ndistractors that joined an event (archive): {len(joined)} of "
          f"{sum(e.startswith('distractor') for e in set(gold.values()))}")
    for i, event in joined:
        print(f"   {i} ({gold[i]}) joined {event}")


def same_people(parts: tuple[str, ...] = ("tune", "held-out")) -> None:
    """The labelled cases of ``CASES``, each part apart: their reports undated and ingested through an
    archive (the first event of each case first), scored by B-cubed; then every report of a case's other
    events that joined a story of its first event."""
    lines = CASES.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line[0] != "#"][1:]
    wanted = {i for *_, i, _ in rows}
    records = {}
    with lzma.open(ANT, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if rec["id"] in wanted:
                records[rec["id"]] = {**rec, "published": None, "published_raw": None}
    print("| part | cases | reports | B³ P | B³ R | B³ F1 | other-time reports joining |\n"
          "|---|---|---|---|---|---|---|")
    for part in parts:
        mine = [r for r in rows if r[3] == part]
        first = {case: next(e for c, e, *_ in mine if c == case) for case, *_ in mine}
        order = sorted(mine, key=lambda r: r[1] != first[r[0]])  # each case's first event first
        gold = {i: e for _, e, i, _ in mine}
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "cases.jsonl"
            src.write_text("".join(json.dumps(records[i], ensure_ascii=False) + "\n" for *_, i, _ in order),
                           encoding="utf-8")
            with open_archive(Path(tmp) / "cases.db") as arc:
                arc.ingest([src])
                found = [s.articles for s in stories(arc, min_size=1)]
        of = {i: s for s in found for i in s}
        joined = [(i, gold[i]) for c, e, i, _ in mine if e != first[c]
                  and any(gold[j] == first[c] for j in of.get(i, ()))]
        p, r, f = bcubed(found, gold)
        others = sum(e != first[c] for c, e, *_ in mine)
        print(f"| {part} | {len(first)} | {len(mine)} | {p:.3f} | {r:.3f} | {f:.3f} | "
              f"{len(joined)} of {others} |")
        for i, e in joined:
            print(f"|   {i} ({e}) joined its case's first event | | | | | | |")


def ant_articles() -> Iterator[Article]:
    with lzma.open(ANT, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            yield Article(headline=rec.get("title") or "", paragraphs=(rec.get("text") or "").split("\n"),
                          id=rec["id"], published=rec.get("published"), outlet=rec.get("outlet"))


def speed(sample: int = 0) -> None:
    clock = lambda: (time.perf_counter(), time.process_time())  # noqa: E731
    articles = list(ant_articles())
    if sample:  # the first reports by date: a slice of consecutive days, as a crawl brings them
        articles = sorted(articles, key=lambda a: (a.published or "", a.id))[:sample]
    t0 = clock()
    docs = sorted((make_doc(a) for a in articles), key=lambda d: (d.day or 0, d.id))
    t1 = clock()
    groups = group(docs)
    t2 = clock()
    found = clustering.cluster(docs)
    t3 = clock()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"ant-multisource: {len(docs)} articles\n\n| step | wall s | cpu s | result |\n|---|---|---|---|")
    rate = len(docs) / (t1[0] - t0[0])
    print(f"| features | {t1[0] - t0[0]:.1f} | {t1[1] - t0[1]:.1f} | {rate:.0f} articles/s |")
    print(f"| dedup (MinHash LSH) | {t2[0] - t1[0]:.1f} | {t2[1] - t1[1]:.1f} | {len(groups)} groups, "
          f"{sum(map(len, groups))} articles |")
    multi = [c for c in found if len(c) > 1]
    print(f"| clustering | {t3[0] - t2[0]:.1f} | {t3[1] - t2[1]:.1f} | {len(multi)} stories ≥2, "
          f"largest {max(map(len, found))} |")
    print(f"| total | {t3[0] - t0[0]:.1f} | {t3[1] - t0[1]:.1f} | peak RSS {rss:.0f} MB |")
    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def _time_update(arc, ids: list[str], every: int) -> tuple[float, float, int]:
    from marsad import relate

    wall, cpu, done = time.perf_counter(), time.process_time(), 0
    for i in range(0, len(ids), every):
        done += relate.update(arc, ids[i:i + every])
    return time.perf_counter() - wall, time.process_time() - cpu, done


def archive_speed(every: int) -> None:
    """Ingest ant-multisource with relating held back, then time ``update`` over every id in
    publication order (a crawl's order), in calls of ``every`` ids (0: one call). An ingest calls
    it every ``RELATE_EVERY`` articles. One variant per run: the per-word caches start cold."""
    from marsad import relate

    with tempfile.TemporaryDirectory() as tmp, open_archive(Path(tmp) / "ant.db") as arc:
        report = arc.ingest([ANT], enrich=False, relate=False)  # relating timed apart
        ids = [a.id for a in arc.iter_articles()]  # oldest published first, then in order stored
        wall, cpu, done = _time_update(arc, ids, every or len(ids))
        groups, found = relate.duplicate_groups(arc), relate.stories(arc)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    name = f"calls of {every:,} ids" if every else "all ids in one call"
    print(f"ant-multisource through the archive: {report.new} stored\n\n"
          "| relate.update (copies + stories + related index) | wall s | cpu s | result |\n|---|---|---|---|")
    print(f"| {name} | {wall:.1f} | {cpu:.1f} | {done} related, {len(groups)} duplicate groups, "
          f"{len(found)} stories ≥2 |")
    print(f"\npeak RSS {rss:.0f} MB (with ingest); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def largest(db: Path | None, top: int = 20) -> None:
    """The ``top`` largest stories of ant-multisource as the archive stores them after an ingest."""
    with tempfile.TemporaryDirectory() as tmp:
        path = db or Path(tmp) / "ant.db"
        with open_archive(path) as arc:
            if not arc.count():
                arc.ingest([ANT], enrich=False)
            found = sorted(stories(arc, min_size=2), key=lambda s: -len(s.articles))[:top]
            info = {}
            for s in found:  # id → (headline, published)
                found_ = arc.backend.relate.summaries(s.articles)
                info.update((i, (t or "", p)) for i, (t, _, p) in found_.items())
    print(f"The {top} largest stories of ant-multisource, with headlines spread over each (oldest first):")
    for n, s in enumerate(found, 1):
        days = sorted((info[i][1] or "")[:10] for i in s.articles)
        print(f"\n{n}. {len(s.articles)} reports, {days[0]} to {days[-1]}, {len(s.outlets)} outlets: "
              f"{', '.join(s.outlets)}")
        for i in s.articles[::max(1, len(s.articles) // 8)][:8]:
            print(f"     {(info[i][1] or '-')[:10]}  {info[i][0][:90]}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--speed", action="store_true", help="time relate over ant-multisource instead")
    ap.add_argument("--archive", action="store_true", help="with --speed: through an archive")
    ap.add_argument("--ant", action="store_true", help="own labelled checks on ant-multisource, undated")
    ap.add_argument("--largest", action="store_true", help="the largest stories of all of ant-multisource")
    ap.add_argument("--sample", type=int, default=0, help="with --speed: the first N reports by date only")
    ap.add_argument("--db", type=Path, help="with --largest: keep the archive here (reused when it exists)")
    ap.add_argument("--every", type=int, default=RELATE_EVERY,
                    help="with --archive: ids per update call, as an ingest (0: all in one call)")
    args = ap.parse_args()
    if args.ant:
        same_people()
    elif args.largest:
        largest(args.db)
    elif args.speed:
        archive_speed(args.every) if args.archive else speed(args.sample)
    else:
        quality()
