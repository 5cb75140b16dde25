"""The polite fetcher and link discovery of `marsad watch`, on local news sites built from ant-multisource.

1. Discovery: all of ant-multisource as feeds of 20 items (RSS, Atom, news sitemap, section pages, as the
   test news site serves them), read by ``discover``: documents/s and links/s; the peer is feedparser
   alone on the same RSS and Atom bytes (discover runs feedparser after its safety checks).
2. Fetching: HOSTS local hosts (127.0.0.x), each with its feeds, fetched in full once, then conditionally
   (304) for ROUNDS rounds, all hosts at once: requests/s and CPU ms per request; the peer is plain httpx
   GETs of the same URLs with no politeness (one client, the same concurrency). Run once with no pause
   between requests (the fetcher's own cost), once with ``--interval`` (politeness checked from the sites'
   logs: the smallest gap between two requests to one host, and the most requests one host saw at once).
3. Memory: traced Python memory after 1,000 and after 2,000 conditional GETs of an unchanged feed.
Usage: python3 bench/fetch.py [--hosts 10] [--rounds 20] [--interval 0.05] [--limit 31525]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import sys
import time
import tracemalloc
from itertools import islice, pairwise

import feedparser
import httpx
from common import ROOT, SOURCE, read_records

sys.path.insert(0, str(ROOT))
from marsad.settings import WatchSettings  # noqa: E402
from marsad.watch.discover import discover  # noqa: E402
from marsad.watch.fetch import Fetcher  # noqa: E402
from tests.watch.site import FEED_SIZE, NewsSite  # noqa: E402

BASE = "http://news.example.org/"


def feeds_of(site: NewsSite) -> list[str]:
    """Seven documents a watch would follow on one site: its feeds, its news sitemap, two section pages."""
    first, second = site.categories()[:2]
    return ["/rss.xml", "/atom.xml", "/news-sitemap.xml", f"/rss/{first}.xml", f"/rss/{second}.xml",
            f"/section/{first}", f"/section/{second}"]


def discovery(articles: list[dict]) -> list[tuple]:
    """Each kind of document over the whole corpus, 20 items each."""
    site = NewsSite(articles)
    kinds = {"rss": "/rss.xml", "atom": "/atom.xml", "sitemap": "/news-sitemap.xml",
             "page": feeds_of(site)[-1]}
    docs: dict[str, list[bytes]] = {kind: [] for kind in kinds}
    while site.visible < len(articles):
        site.publish(FEED_SIZE)
        for kind, path in kinds.items():
            if kind != "page" or site.visible % (FEED_SIZE * 6) == 0:  # a section page fills up slower
                docs[kind].append(site.page(path)[2].encode("utf-8"))
    site.stop()
    rows = []
    for kind, bodies in docs.items():
        rows.append(("discover", kind, *_read_all(bodies, lambda b: discover(b, None, BASE).links)))
        if kind in ("rss", "atom"):
            rows.append(("feedparser", kind, *_read_all(bodies, lambda b: feedparser.parse(b).entries)))
    return rows


def _read_all(bodies: list[bytes], read) -> tuple:
    """Documents, documents/s, links/s and CPU ms per document of one reader."""
    start, cpu = time.perf_counter(), time.process_time()
    links = sum(len(read(b)) for b in bodies)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return len(bodies), len(bodies) / wall, links / wall, 1000 * cpu / len(bodies)


async def rounds_of(fetcher, sites: list[NewsSite], rounds: int) -> int:
    """Every feed of every site, ``rounds`` times, hosts at once; conditional after the first round."""
    stored: dict[str, tuple] = {}

    async def host(site: NewsSite) -> int:
        done = 0
        for _ in range(rounds):
            for path in feeds_of(site):
                url = site.url(path)
                etag, modified = stored.get(url, (None, None))
                result = await fetcher.get(url, etag=etag, last_modified=modified)
                if result.error:
                    raise SystemExit(result.error)
                stored[url] = (result.etag, result.last_modified)
                done += 1
        return done
    return sum(await asyncio.gather(*(host(site) for site in sites)))


class PlainClient:
    """The peer: httpx GETs with conditional headers, no robots.txt, no pacing."""

    def __init__(self):
        self.client = httpx.AsyncClient(trust_env=False)

    async def get(self, url, *, etag=None, last_modified=None):
        headers = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v}
        response = await self.client.get(url, headers=headers)
        return type("R", (), {"error": None, "etag": response.headers.get("etag"),
                              "last_modified": response.headers.get("last-modified")})

    async def aclose(self):
        await self.client.aclose()


def fetching(articles: list[dict], hosts: int, rounds: int, interval: float) -> list[tuple]:
    sites = [NewsSite(articles, host=f"127.0.0.{n + 1}").start() for n in range(hosts)]
    for site in sites:
        site.publish(len(articles))
    rows = []
    for name, pause in (("Fetcher", 0.0), ("plain httpx", None), ("Fetcher", interval)):
        for site in sites:
            site.log.clear()
            site.max_in_flight = 0
        client = PlainClient() if pause is None else Fetcher(WatchSettings(host_interval=pause))
        start, cpu = time.perf_counter(), time.process_time()
        done = asyncio.run(_timed(client, sites, rounds))
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        gap = min((b.at - a.at for s in sites for a, b in pairwise(s.log)), default=0.0)
        most = max(s.max_in_flight for s in sites)
        label = name if pause is None else f"{name} (interval {pause:g} s)"
        rows.append((label, done, done / wall, 1000 * cpu / done, gap, most))
    for site in sites:
        site.stop()
    return rows


async def _timed(client, sites, rounds) -> int:
    try:
        return await rounds_of(client, sites, rounds)
    finally:
        await client.aclose()


def memory(articles: list[dict]) -> tuple[float, float]:
    """Traced MB of this process after 1,000 and after 2,000 conditional GETs of one unchanged feed (the
    first thousand warm the caches of re, httpx and asyncio), the site serving it in a process of its own."""
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_serve, args=(articles, theirs), daemon=True)
    server.start()
    url = ours.recv()

    async def run() -> tuple[float, float]:
        async with Fetcher(WatchSettings(host_interval=0.0)) as fetcher:
            first = await fetcher.get(url)
            marks = []
            for n in range(1, 2001):
                result = await fetcher.get(url, etag=first.etag, last_modified=first.last_modified)
                assert result.not_modified, result.error
                if n in (1000, 2000):
                    gc.collect()
                    marks.append(tracemalloc.get_traced_memory()[0] / 1e6)
            return marks[0], marks[1]
    tracemalloc.start()
    try:
        return asyncio.run(run())
    finally:
        tracemalloc.stop()
        ours.send("stop")
        server.join()


def _serve(articles: list[dict], conn) -> None:
    with NewsSite(articles) as site:
        site.publish(FEED_SIZE)
        conn.send(site.url("/rss.xml"))
        conn.recv()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--interval", type=float, default=0.05)
    ap.add_argument("--limit", type=int, default=None, help="read only the first N articles")
    args = ap.parse_args()
    articles = list(islice(read_records(SOURCE), args.limit))
    print(f"discovery over {len(articles):,} articles, {FEED_SIZE} items per document")
    print(f"{'reader':<12}{'kind':<9}{'docs':>7}{'docs/s':>10}{'links/s':>11}{'CPU ms/doc':>12}")
    for reader, kind, docs, per_s, links_s, cpu in discovery(articles):
        print(f"{reader:<12}{kind:<9}{docs:>7,}{per_s:>10,.0f}{links_s:>11,.0f}{cpu:>12.2f}")
    sample = articles[::max(1, len(articles) // 400)]
    print(f"\nfetching: {args.hosts} hosts x 7 documents x {args.rounds} rounds (the first in full, "
          "then 304s)")
    print(f"{'client':<32}{'requests':>9}{'req/s':>8}{'CPU ms/req':>12}{'min gap s':>11}{'in flight':>10}")
    for label, done, per_s, cpu, gap, most in fetching(sample, args.hosts, args.rounds, args.interval):
        print(f"{label:<32}{done:>9,}{per_s:>8,.0f}{cpu:>12.2f}{gap:>11.3f}{most:>10}")
    after_1000, after_2000 = memory(sample)
    print(f"\nmemory (traced): {after_1000:.3f} MB after 1,000 conditional GETs of one unchanged feed, "
          f"{after_2000:.3f} MB after 2,000")


if __name__ == "__main__":
    main()
