"""`marsad watch` end to end: a round's speed beside `marsad ingest`, politeness per host, memory over rounds.

A local site of 50 feeds × 20 items: 50 news sites (tests/watch/site.py) on the loopback hosts 127.0.0.2,
127.0.0.3, …, run in a process of their own, each with one RSS feed of 20 ant-multisource articles (no
article in two feeds: 1,000 in all). Each stage runs in a process of its own:
  1. round: the 50 sources added, then one round (`marsad watch --once`: fetch, parse, enrich, store,
     copies and stories) into a fresh archive, with the default politeness (one request at a time per host,
     1 s apart): articles/s end to end, CPU seconds per article of the watching process, its peak RSS;
  2. peer: `marsad ingest` of the same 1,000 article pages saved to disk (the same pipeline, no fetching);
  3. politeness, from the sites' own logs: requests in flight at once per host (must be 1), the shortest
     gap between two requests to one host (must be ≥ the interval), hosts fetched within the round's
     first second (concurrency across hosts);
  4. memory: one feed, unchanged, watched for 1,000 rounds in one process (a conditional GET answered 304
     each round; no pacing, the interval is what stage 3 checks): RSS after rounds 10, 100, 500 and 1,000.
     Target: no growth from round 100 to round 1,000 beyond noise (1 MB).

Usage: python3 bench/watch.py [--feeds 50] [--rounds 1000] [--interval 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

from common import ROOT, SOURCE, read_records, run_child

ITEMS = 20  # per feed: the site's feed size
MEMORY_MARKS = (10, 100, 500, 1000)


def rss_mb() -> float:
    """The resident set size now (not the peak), in MB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the sites' process ------------------------------------------------------------------------------

def serve(feeds: int) -> None:
    """Serve ``feeds`` sites; answer "save DIR", "stats" and "quit" lines on stdin with JSON lines."""
    sys.path.insert(0, str(ROOT))
    from tests.watch.site import NewsSite

    records = list(islice(read_records(SOURCE), feeds * ITEMS))
    for r in records:  # the site dates its feeds in UTC
        r["published"] = datetime.fromisoformat(r["published"]).astimezone(UTC).isoformat()
    sites = [NewsSite(records[i * ITEMS:(i + 1) * ITEMS], host=f"127.0.0.{i + 2}").start()
             for i in range(feeds)]
    for site in sites:
        site.publish(ITEMS)
    print(json.dumps({"feeds": [s.url("/rss.xml") for s in sites]}), flush=True)
    for command in sys.stdin:
        verb, _, arg = command.strip().partition(" ")
        if verb == "save":
            for site in sites:
                for a in site.published:
                    page = site.page(site.article_path(a))[2]
                    Path(arg, f"{a['id']}.html").write_text(page, encoding="utf-8")
            print(json.dumps({"saved": len(sites) * ITEMS}), flush=True)
        elif verb == "stats":
            print(json.dumps(politeness(sites)), flush=True)
        else:
            break
    for site in sites:
        site.stop()


def politeness(sites) -> dict:
    """What the sites saw: the most requests one host had in flight, the shortest gap between two
    requests to one host, and how many hosts were asked within a second of the first request."""
    gaps, first = [], []
    for site in sites:
        times = sorted(h.at for h in site.hits())
        gaps += [b - a for a, b in zip(times, times[1:], strict=False)]
        first.append(times[0] if times else float("inf"))
    start = min(first)
    return {"requests": sum(len(s.hits()) for s in sites), "in_flight": max(s.max_in_flight for s in sites),
            "min_gap": min(gaps) if gaps else None,
            "hosts_in_first_second": sum(t - start < 1 for t in first)}


# -- stages ------------------------------------------------------------------------------------------

def stage_round(feeds_json: str, db: str, interval: str) -> dict:
    """Add the sources, then one round of watching."""
    sys.path.insert(0, str(ROOT))
    from marsad.archive import open_archive
    from marsad.settings import WatchSettings, load
    from marsad.watch import sources as src
    from marsad.watch.loop import Watcher, line

    settings = load(db, watch=WatchSettings(host_interval=float(interval)))
    now = datetime.now(UTC)
    with open_archive(db) as arc:
        for url in json.loads(feeds_json):
            src.add(arc, url, settings=settings.watch, now=now, kind="rss")
        watcher = Watcher(arc, settings, log=lambda report: print(line(report), file=sys.stderr))
        start, cpu = time.perf_counter(), time.process_time()
        report = asyncio.run(watcher.run(rounds=1))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"articles": report.stored, "failed": report.failed, "seconds": seconds, "cpu": cpu,
            "peak_mb": peak_mb()}


def stage_ingest(pages: str, db: str) -> dict:
    """The same pages through `marsad ingest` (enrichment on, as the watch does)."""
    sys.path.insert(0, str(ROOT))
    from marsad.archive import open_archive

    with open_archive(db) as arc:
        start, cpu = time.perf_counter(), time.process_time()
        report = arc.ingest([pages])
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"articles": report.new, "failed": len(report.failed), "seconds": seconds,
            "cpu": cpu + workers.ru_utime + workers.ru_stime, "peak_mb": peak_mb()}


def stage_memory(feed: str, db: str, rounds: str) -> dict:
    """One unchanged feed watched for ``rounds`` rounds in one process; RSS at the marks."""
    sys.path.insert(0, str(ROOT))
    from marsad.archive import open_archive
    from marsad.settings import WatchSettings, load
    from marsad.watch import sources as src
    from marsad.watch.loop import Watcher

    settings = load(db, watch=WatchSettings(host_interval=0.0))
    total = int(rounds)
    start_at = datetime(2026, 3, 5, tzinfo=UTC)
    ticks = iter(range(10**9))  # every reading of the clock is 16 minutes on: the feed is due each round
    seen = {"rounds": 0, "unchanged": 0}
    marks: dict[str, float] = {}

    def log(report) -> None:  # called once a round
        seen["rounds"] += 1
        seen["unchanged"] += report.unchanged
        if seen["rounds"] in MEMORY_MARKS or seen["rounds"] == total:
            marks[str(seen["rounds"])] = round(rss_mb(), 1)

    with open_archive(db) as arc:
        src.add(arc, feed, settings=settings.watch, now=start_at, kind="rss")
        clock = lambda: start_at + timedelta(minutes=16 * next(ticks))  # noqa: E731
        watcher = Watcher(arc, settings, clock=clock, log=log)
        began = time.perf_counter()
        asyncio.run(watcher.run(rounds=total))
        seconds = time.perf_counter() - began
        stored = arc.count()
    return {"rss": marks, **seen, "stored": stored, "seconds": seconds}


# -- the run -----------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between requests to one host")
    args = parser.parse_args()
    script = Path(__file__).resolve()
    sites = subprocess.Popen([sys.executable, str(script), "--serve", str(args.feeds)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        feeds = json.loads(sites.stdout.readline())["feeds"]
        with tempfile.TemporaryDirectory(prefix="marsad-watch-bench-") as tmp:
            watched = run_child(script, "round", json.dumps(feeds), f"{tmp}/watch.db", str(args.interval))
            sites.stdin.write("stats\n")
            sites.stdin.flush()
            polite = json.loads(sites.stdout.readline())
            os.mkdir(f"{tmp}/pages")
            sites.stdin.write(f"save {tmp}/pages\n")
            sites.stdin.flush()
            sites.stdout.readline()
            ingested = run_child(script, "ingest", f"{tmp}/pages", f"{tmp}/ingest.db")
            memory = run_child(script, "memory", feeds[0], f"{tmp}/memory.db", str(args.rounds))
    finally:
        if sites.stdin and not sites.stdin.closed:
            sites.stdin.write("quit\n")
            sites.stdin.close()
        sites.wait(timeout=60)
    report(args, watched, ingested, polite, memory)


def report(args, watched: dict, ingested: dict, polite: dict, memory: dict) -> None:
    rate = {k: r["articles"] / r["seconds"] for k, r in (("watch", watched), ("ingest", ingested))}
    print(f"{args.feeds} feeds × {ITEMS} items on {args.feeds} hosts, "
          f"{args.interval:g} s between requests to a host")
    print(f"{'':<28}{'articles':>9}{'failed':>8}{'wall s':>9}{'articles/s':>12}{'CPU ms/article':>16}"
          f"{'peak MB':>9}")
    for name, r in (("watch round (fetch+ingest)", watched), ("ingest, same pages on disk", ingested)):
        cpu = 1000 * r["cpu"] / max(r["articles"], 1)
        print(f"{name:<28}{r['articles']:>9,}{r['failed']:>8}{r['seconds']:>9.1f}"
              f"{r['articles'] / r['seconds']:>12.1f}{cpu:>16.1f}{r['peak_mb']:>9.0f}")
    print(f"watch/ingest articles/s: {rate['watch'] / rate['ingest']:.2f}")
    ok = polite["in_flight"] == 1 and (polite["min_gap"] or 0) >= args.interval
    print(f"politeness: {polite['requests']} requests, at most {polite['in_flight']} in flight per host, "
          f"shortest gap {polite['min_gap']:.3f} s (interval {args.interval:g} s), "
          f"{polite['hosts_in_first_second']} hosts asked in the first second: {'OK' if ok else 'BROKEN'}")
    rss = memory["rss"]
    growth = rss[str(args.rounds)] - rss.get("100", rss[min(rss, key=int)])
    marks = ", ".join(f"round {k}: {v}" for k, v in rss.items())
    print(f"memory over {memory['rounds']} rounds of one unchanged feed "
          f"({memory['unchanged']} rounds found it "
          f"unchanged, {memory['seconds']:.1f} s): RSS MB {marks}; growth from round 100: {growth:+.1f} MB "
          f"({'OK' if growth <= 1.0 else 'GROWS'})")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]))
    elif sys.argv[1:2] == ["--child"]:
        stage = {"round": stage_round, "ingest": stage_ingest, "memory": stage_memory}[sys.argv[2]]
        print(json.dumps(stage(*sys.argv[3:])))
    else:
        main()
