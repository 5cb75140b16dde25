"""The reader under stress, against a real `marsad serve` on 127.0.0.1 over the ant-multisource archive.

crafted: the latency of normal searches (each a distinct query, so the result cache cannot help) alone,
  and while 8 clients send crafted queries of two-letter prefixes (`ال* وا* في* …`, 500 characters,
  a new order each time so that no cache answers them) over and over, without heeding a 429's
  Retry-After. The 8 come from another address (127.0.0.2) than the normal searches, as an abuser and
  a reader would: the server holds back a client by its address. Beside it, what that query costs
  the library when no budget stops it, and what a normal query costs. Target: a normal search during
  the 8 crafted queries answers in < 100 ms.
ingest: reader latency at 10 connections (article pages, then search pages) with the server idle, then
  while `marsad ingest` stores the 10,161 ant-jawharafm articles with enrichment into the same archive
  (a copy of the benchmark archive). Target: p99 < 150 ms during the ingest.
Loads with wrk (Debian package `wrk`: `apt-get install wrk`), or an asyncio/httpx loop when it is absent.
--server-src runs the server (and the ingest) from another checkout's source folder, e.g. the commit
before the search budget (`git worktree add ../marsad-before COMMIT`), to compare in the same conditions.
Usage: python3 bench/web_stress.py [crafted|ingest|all] [--db bench/out/web-ant.db] [--seconds 20]
       [--searches 200] [--server-src DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote

from common import SHARED, percentile
from web import ROOT, build, free_port, load_average, run_httpx, run_wrk, sample_paths, start_server

CRAFTED = " ".join(["ال*", "وا*", "في*", "بت*", "من*", "عل*", "لل*", "مع*"] * 16)[:500]
# Two-letter prefixes the crafted queries are drawn from: each query is new, so no cache can answer it.
PREFIXES = ["ال", "وا", "في", "بت", "من", "عل", "لل", "مع", "كا", "ها", "قا", "يت", "تم", "اس", "ان", "مس",
            "مت", "لا", "با", "فا", "سا", "حا", "ما", "شا"]
ATTACKERS = 8
ATTACKER_ADDRESS = "127.0.0.2"  # Linux answers on all of 127.0.0.0/8
INGESTED = SHARED / "data" / "news" / "ant-jawharafm" / "articles.jsonl.xz"
SRC = ROOT  # where the server and the ingest are run from (--server-src)


async def _normal_searches(client, paths: list[str], failed: list[int]) -> list[float]:
    """Milliseconds of each normal search, one after another; the status of each that failed goes to
    ``failed`` (a search stopped by its deadline answers 400)."""
    out = []
    for path in paths:
        t = time.perf_counter()
        r = await client.get(path)
        out.append((time.perf_counter() - t) * 1e3)
        if r.status_code != 200:
            failed.append(r.status_code)
    return out


def crafted_query(rng: random.Random) -> str:
    """500 characters of two-letter prefixes, in a new order each time."""
    return " ".join(f"{rng.choice(PREFIXES)}*" for _ in range(125))[:500]


async def _attack(client, stop: asyncio.Event, seen: list[tuple[int, float]], seed: int) -> None:
    rng = random.Random(seed)
    while not stop.is_set():
        t = time.perf_counter()
        r = await client.get("/api/search", params={"q": crafted_query(rng)})
        seen.append((r.status_code, (time.perf_counter() - t) * 1e3))


async def _crafted_run(base: str, alone: list[str], during: list[str]) -> dict:
    import httpx

    transport = httpx.AsyncHTTPTransport(local_address=ATTACKER_ADDRESS,
                                         limits=httpx.Limits(max_connections=ATTACKERS))
    async with httpx.AsyncClient(base_url=base, timeout=120) as client, \
            httpx.AsyncClient(base_url=base, timeout=120, transport=transport) as abuser:
        failed: dict[str, list[int]] = {"alone": [], "during": []}
        quiet = await _normal_searches(client, alone, failed["alone"])
        stop, seen = asyncio.Event(), []
        attackers = [asyncio.create_task(_attack(abuser, stop, seen, i)) for i in range(ATTACKERS)]
        await asyncio.sleep(1)  # all 8 in flight
        loaded = await _normal_searches(client, during, failed["during"])
        stop.set()
        await asyncio.gather(*attackers)
    return {"alone": quiet, "during": loaded, "crafted": seen, "failed": failed}


def _library_cost(db: Path, queries: list[str]) -> tuple[float, float]:
    """Milliseconds the library takes for the crafted query (no budget) and, at the median, a normal one."""
    from marsad.archive import open_archive
    from marsad.search import search

    with open_archive(db, readonly=True) as arc:
        search(arc, queries[0])  # the first query reads the index from disk
        t = time.perf_counter()
        search(arc, CRAFTED)
        crafted = (time.perf_counter() - t) * 1e3
        normal = []
        for q in queries[:20]:
            t = time.perf_counter()
            search(arc, q)
            normal.append((time.perf_counter() - t) * 1e3)
    return crafted, statistics.median(normal)


def crafted(db: Path, during: int) -> None:
    _, searches = sample_paths(db, 400)
    paths = ["/api" + s for s in searches]  # /search?q=… → the JSON twin
    port = free_port()
    server = start_server(db, port, 1, SRC)
    try:
        r = asyncio.run(_crafted_run(f"http://127.0.0.1:{port}", paths[:60], paths[60:60 + during]))
    finally:
        server.terminate()
        server.wait(10)
    queries = [s.split("q=", 1)[1] for s in searches]
    lib_crafted, lib_normal = _library_cost(db, [unquote(q) for q in queries])
    statuses = sorted({s for s, _ in r["crafted"]})
    print(f"\nnormal searches against `marsad serve` (1 worker), {ATTACKERS} clients sending the crafted "
          f"query meanwhile")
    print(f"{'normal search':<32}{'n':>5}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'failed':>8}  target")
    for name, key in (("alone", "alone"), (f"during {ATTACKERS} crafted", "during")):
        v, failed = r[key], r["failed"][key]
        print(f"{name:<32}{len(v):>5}{percentile(v, .5):>9.1f}{percentile(v, .99):>9.1f}{max(v):>9.1f}"
              f"{len(failed):>8}  {'< 100 ms, none failed' if key == 'during' else ''}")
    for status in statuses:
        ms = [m for s, m in r["crafted"] if s == status]
        print(f"{f'crafted query, answered {status}':<32}{len(ms):>5}"
              f"{percentile(ms, .5):>9.1f}{percentile(ms, .99):>9.1f}{max(ms):>9.1f}")
    print(f"library, no budget: crafted query {lib_crafted:.0f} ms, normal query {lib_normal:.1f} ms "
          f"(median), ratio {lib_crafted / lib_normal:.0f}x")


def _ingest_into(db: Path) -> subprocess.Popen:
    # Not niced: the writer competes for the cores as a real ingest does.
    # A session of its own, so that stopping it stops its parse workers too.
    return subprocess.Popen([sys.executable, "-m", "marsad", "ingest", str(INGESTED), "--db", str(db),
                             "--quiet"], cwd=SRC, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def _first_commit(db: Path, before: int, most: float = 300) -> None:
    """Wait until the ingest has stored its first batch: past model loading, into its writes."""
    end = time.monotonic() + most
    while _count(db) == before and time.monotonic() < end:
        time.sleep(0.5)


def _count(db: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        conn.close()


def ingest(db: Path, seconds: int) -> None:
    load = run_wrk if shutil.which("wrk") else run_httpx
    articles, searches = sample_paths(db, 20000)
    with tempfile.TemporaryDirectory(dir=db.parent) as tmp:
        live = Path(tmp) / "live.db"
        shutil.copy(db, live)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(live, port, 1, SRC)
        rows, writer = [], None
        try:
            load(base, articles[:2000], 10, 5)  # first connections, imports, index
            for name, paths in (("article page", articles[2000:10000]), ("search page", searches[2000:])):
                rows.append((name, "idle", load(base, paths[0::2], 10, seconds)))
            before = _count(live)
            writer = _ingest_into(live)
            _first_commit(live, before)
            stored = _count(live)
            for name, paths in (("article page", articles[10000:]), ("search page", searches[1::2])):
                rows.append((name, "ingesting", load(base, paths, 10, seconds)))
            still = writer.poll() is None
            stored = (_count(live) - stored, _count(live) - before)
        finally:
            if writer is not None:
                os.killpg(writer.pid, signal.SIGKILL)
            server.terminate()
            server.wait(10)
    tool = load.__name__.removeprefix("run_")
    print(f"\nreader latency at 10 connections ({tool}, {seconds} s a run, 1 worker), idle and while an "
          f"enriched ingest writes ({'still running at the end' if still else 'ended before the last run'}; "
          f"{stored[0]:,} articles stored during the two runs, {stored[1]:,} in all)")
    print(f"{'page':<14}{'server':>11}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>9}{'errors':>8}  target")
    for name, state, r in rows:
        print(f"{name:<14}{state:>11}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['rps']:>9.0f}{r['errors']:>8}  "
              f"{'p99 < 150' if state == 'ingesting' else ''}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("case", nargs="?", default="all", choices=("crafted", "ingest", "all"))
    ap.add_argument("--db", type=Path, default=ROOT / "bench" / "out" / "web-ant.db")
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--searches", type=int, default=200, help="normal searches during the crafted ones")
    ap.add_argument("--server-src", type=Path, help="run the server and the ingest from this source folder")
    args = ap.parse_args()
    if not args.db.exists():
        build(args.db, enrich=True)
    if args.server_src:
        global SRC
        SRC = args.server_src.resolve()
        print(f"server and ingest from {SRC}", file=sys.stderr)
    if not shutil.which("wrk"):
        print("wrk is absent (Debian: apt-get install wrk); loading with httpx instead", file=sys.stderr)
    print(f"load average (1, 5, 15 min) before: {load_average()}")
    if args.case in ("crafted", "all"):
        crafted(args.db, args.searches)
    if args.case in ("ingest", "all"):
        ingest(args.db, args.seconds)
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
