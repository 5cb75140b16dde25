"""Web reader speed: article and search pages under load, against a real server on 127.0.0.1.

Builds (once) an archive of all of ant-multisource with `marsad ingest`, starts `marsad serve` on a free
port, and loads it with wrk (Debian package `wrk`), or with an asyncio/httpx loop when wrk is absent.
Targets: at 10 connections p50 < 25 ms and p99 < 150 ms with zero errors; throughput at 50 connections.
"cold" runs read thousands of distinct pages (the server's result cache cannot help); "warm" runs read
the same 50 pages again and again. Before them the server reads other pages of the same kind for a
while (--warm-up seconds; not reported), as a server that has been up a while has: its caches of
word analyses and SQLite's pages are filled, the pages measured are still ones it never rendered.
Each row also gives the server's CPU time per request (all its processes), the steadier figure when
other work shares the machine; the load average is printed.
Usage: python3 bench/web.py [--db bench/out/web-ant.db] [--seconds 15] [--warm-up 10] [--workers 2]
       [--no-enrich] [--rebuild]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from common import ROOT, SOURCE, percentile

WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""
_UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3}
WARM = 50  # pages read again and again in the warm runs
WARM_UP = 3000  # other pages read before the measured runs


def build(db: Path, enrich: bool) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    cmd = ["nice", sys.executable, "-m", "marsad", "ingest", str(SOURCE), "--db", str(db), "--quiet"]
    if not enrich:
        cmd.append("--no-enrich")
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=False)
    print(f"built {db} in {time.perf_counter() - start:.0f} s", file=sys.stderr)


def sample_paths(db: str | Path, n: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """Article page paths and search page paths (1–2 words of real headlines) to cycle through;
    ``db`` is an archive file or a postgresql:// URL."""
    from marsad.archive import open_archive

    with open_archive(db, readonly=True) as arc:
        rows = [(a.id, a.headline) for a in arc.iter_articles()]
    rng = random.Random(seed)
    picked = rng.sample(rows, min(n, len(rows)))
    articles = [f"/articles/{quote(id, safe='')}" for id, _ in picked]
    searches = []
    for _, headline in picked:
        words = [w for w in re.findall(r"[\u0621-\u064A]{3,}", headline or "")]
        if words:
            k = rng.choice((1, 2))
            start = rng.randrange(max(1, len(words) - k + 1))
            searches.append("/search?q=" + quote(" ".join(words[start:start + k])))
    return articles, list(dict.fromkeys(searches))  # each query once: a repeat would be a cached page


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: str | Path, port: int, workers: int, src: Path = ROOT) -> subprocess.Popen:
    """`marsad serve` from the source folder ``src`` (this checkout unless another is named)."""
    proc = subprocess.Popen([sys.executable, "-m", "marsad", "serve", "--db", str(db), "--port", str(port),
                             "--workers", str(workers)], cwd=src)
    deadline = time.monotonic() + 120  # a loaded machine builds the related index slowly at start
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def prime(base: str, paths: list[str]) -> None:
    import httpx

    with httpx.Client(base_url=base, timeout=30) as client:
        for path in paths:
            client.get(path)


def run_wrk(base: str, paths: list[str], conns: int, seconds: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        script, listing = Path(tmp) / "paths.lua", Path(tmp) / "paths.txt"
        script.write_text(WRK_SCRIPT)
        listing.write_text("\n".join(paths) + "\n")
        out = subprocess.run(["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "--latency", "--timeout", "5s",
                              "-s", str(script), base], capture_output=True, text=True,
                             env={**os.environ, "WRK_PATHS": str(listing)}, check=True).stdout
    found = re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    pct = {p: float(v) * _UNIT[u] for p, v, u in found}
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"p50": pct.get("50"), "p99": pct.get("99"),
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "errors": (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0)}


def run_httpx(base: str, paths: list[str], conns: int, seconds: int) -> dict:
    import httpx

    async def main() -> dict:
        latencies, errors = [], 0
        stop = time.perf_counter() + seconds

        async def worker(client: httpx.AsyncClient, i: int) -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                t = time.perf_counter()
                r = await client.get(paths[i % len(paths)])
                latencies.append((time.perf_counter() - t) * 1e3)
                errors += r.status_code != 200
                i += conns

        limits = httpx.Limits(max_connections=conns)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=5) as client:
            await asyncio.gather(*(worker(client, i) for i in range(conns)))
        return {"p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99),
                "rps": len(latencies) / seconds, "requests": len(latencies), "errors": errors}

    return asyncio.run(main())


def _processes(pid: int) -> list[int]:
    return [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]


def peak_rss_mb(pid: int) -> float:
    """Peak RSS of the server and its worker processes, summed."""
    total = 0
    for p in _processes(pid):
        status = Path(f"/proc/{p}/status").read_text()
        total += int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server and its worker processes so far."""
    ticks = 0
    for p in _processes(pid):
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def measured(load, server: subprocess.Popen, base: str, paths: list[str], conns: int, seconds: int) -> dict:
    """One load run, with the server's CPU milliseconds per request."""
    start = cpu_seconds(server.pid)
    r = load(base, paths, conns, seconds)
    return {**r, "cpu_ms": (cpu_seconds(server.pid) - start) * 1e3 / max(1, r["requests"])}


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=ROOT / "bench" / "out" / "web-ant.db")
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--warm-up", type=int, default=10, help="seconds of other pages read first")
    ap.add_argument("--paths", type=int, default=20000,
                    help="distinct articles (and searches) to cycle through")
    ap.add_argument("--workers", type=int, default=2,
                    help="server processes (marsad serve --workers; one per core)")
    ap.add_argument("--no-enrich", action="store_true", help="build the archive without enrichment")
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    if args.rebuild and args.db.exists():
        args.db.unlink()
    if not args.db.exists():
        build(args.db, enrich=not args.no_enrich)
    articles, searches = sample_paths(args.db, args.paths)
    load = run_wrk if shutil.which("wrk") else run_httpx
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(args.db, port, args.workers)
    loads = [load_average()]
    try:
        prime(base, articles[-WARM:] + searches[-WARM:])  # imports, first connections
        rows = []
        for name, paths in (("article page", articles), ("search page", searches)):
            # Cold: distinct pages the server has never rendered (its result cache cannot help).
            warm, warm_up, cold = paths[:WARM], paths[WARM:WARM + WARM_UP], paths[WARM + WARM_UP:]
            if args.warm_up:
                load(base, warm_up, 10, args.warm_up)
            rows.append((name, "cold", 10, measured(load, server, base, cold[0::2], 10, args.seconds)))
            prime(base, warm)  # then a few pages read again and again
            rows.append((name, "warm", 10, measured(load, server, base, warm, 10, args.seconds)))
            rows.append((name, "cold", 50, measured(load, server, base, cold[1::2], 50, args.seconds)))
        rss = peak_rss_mb(server.pid)
        loads.append(load_average())
    finally:
        server.terminate()
        server.wait(10)
    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    count = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    conn.close()
    tool = load.__name__.removeprefix("run_")
    print(f"\nweb reader over {count:,} articles ({tool}, {args.seconds} s per run, {args.workers} workers, "
          f"{os.cpu_count()} cores, server peak RSS {rss:.0f} MB)")
    print(f"load average (1, 5, 15 min) before: {loads[0]}; after: {loads[-1]}")
    print(f"{'page':<14}{'cache':>6}{'conns':>6}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>9}{'requests':>10}"
          f"{'errors':>8}{'CPU ms/req':>12}  target")
    for name, cache, conns, r in rows:
        target = "p50 < 25, p99 < 150, 0 errors" if conns == 10 else "throughput, 0 errors"
        print(f"{name:<14}{cache:>6}{conns:>6}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['rps']:>9.0f}"
              f"{r['requests']:>10}{r['errors']:>8}{r['cpu_ms']:>12.2f}  {target}")


if __name__ == "__main__":
    main()
