"""SQLite and PostgreSQL side by side on all of ant-multisource (31,525 articles), in the same run.

For each backend given, into a fresh archive, through the library calls the CLI makes (each stage in its
own process, as bench/ingest.py runs them):
  1. ingest without enrichment and without relating (`marsad ingest --no-enrich --no-relate`): articles/s;
  2. relate everything stored (`marsad relate`): seconds;
  3. 400 searches made from the corpus (bench/ingest.py's set, fixed seed), top 10 each: p50/p99, and
     how much the two backends' top 10s overlap;
  4. reader latency at 10 connections against `marsad serve --db TARGET` on a loopback port (article
     pages, then search pages, none rendered before; wrk, or httpx when wrk is absent), as bench/web.py;
  5. the archive's size on disk (its files; pg_database_size).
The PostgreSQL database the URL names is dropped and created again at the start, and dropped at the end
(unless --keep): name one of your own.
Usage: python3 bench/backends.py [--sqlite] [--postgres postgresql://user@host:port/dbname]
       [--queries 400] [--seconds 15] [--workers 2] [--stages ingest,relate,search,reader] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from common import SOURCE, StageFailed, archive_mb, drop_archive, fresh_archive
from ingest import run_child
from web import (
    WARM_UP,
    free_port,
    load_average,
    measured,
    prime,
    run_httpx,
    run_wrk,
    sample_paths,
    start_server,
)

CONNECTIONS = 10


STAGES = ("ingest", "relate", "search", "reader")


def run_backend(target: str, source: Path, queries: int, seconds: int, workers: int,
                only: tuple[str, ...] = STAGES) -> dict:
    """Every stage (of ``only``) on one fresh archive."""
    fresh_archive(target)
    stages = {"ingest": lambda: run_child("ingest-no-relate", target, str(source)),
              "relate": lambda: run_child("relate", target, "-"),
              "search": lambda: run_child("search", target, str(source), str(queries)),
              "reader": lambda: reader(target, seconds, workers)}
    out = {"errors": {}}
    for stage, run in ((k, v) for k, v in stages.items() if k in only):
        try:
            out[stage] = run()
            if stage == "ingest" and not out[stage]["new"]:
                raise StageFailed(f"ingest stored nothing ({out[stage]['failed']} inputs failed)")
        except (Exception, SystemExit) as e:  # noqa: BLE001 - shown in the table; the other stages go on
            out["errors"][stage] = (str(e).strip().splitlines() or [type(e).__name__])[-1]
            if stage == "ingest":
                break
    out["mb"] = archive_mb(target)
    return out


def reader(target: str, seconds: int, workers: int) -> dict[str, dict]:
    """p50/p99 of article and search pages the server never rendered, at 10 connections, each after
    a warm-up on other pages of the same kind (as a server that has been up a while)."""
    articles, searches = sample_paths(target, 20000)
    load = run_wrk if shutil.which("wrk") else run_httpx
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(target, port, workers)
    try:
        prime(base, articles[:50] + searches[:50])  # imports, first connections
        out = {}
        for name, paths in (("article", articles[50:]), ("search", searches[50:])):
            cut = min(WARM_UP, len(paths) // 2)  # a small archive keeps half its pages to measure
            load(base, paths[:cut], CONNECTIONS, max(1, seconds // 3))
            out[name] = measured(load, server, base, paths[cut:], CONNECTIONS, seconds)
    finally:
        server.terminate()
        server.wait(10)
    out["tool"] = load.__name__.removeprefix("run_")
    return out


def idle_bounds(r: dict) -> tuple[float, float]:
    """The least and the most wall seconds the ingest's CPU seconds allow on an idle machine of this
    many cores: one parse worker, the storing process and the database server each on a core at a time,
    the storing process waiting for the server (most) or not (least)."""
    cores = os.cpu_count() or 1
    main, worker, server = r["cpu_main"], r["cpu_worker"], r.get("cpu_server") or 0.0
    least = max(main, worker, server, (main + worker + server) / cores)
    return least, max(least, worker, main + server)


def overlap(a: list[list[str]], b: list[list[str]]) -> float:
    """Mean share of one top 10 found in the other's, over the queries (both empty counts as 1)."""
    shares = [len(set(x) & set(y)) / max(len(x), len(y)) if x or y else 1.0
              for x, y in zip(a, b, strict=True)]
    return sum(shares) / len(shares)


ROWS = [  # label, value of a run, format
    ("ingest, no enrichment, no relating: articles/s",
     lambda r: r["ingest"]["articles"] / r["ingest"]["seconds"], "{:,.0f}"),
    ("  wall s", lambda r: r["ingest"]["seconds"], "{:.1f}"),
    ("  CPU s, storing process + parse worker (not a database server's)",
     lambda r: r["ingest"]["cpu_main"] + r["ingest"]["cpu_worker"], "{:.1f}"),
    ("  CPU s, database server (its processes serving this archive; none for SQLite)",
     lambda r: r["ingest"]["cpu_server"] or 0.0, "{:.1f}"),
    ("  articles/s an idle machine of these cores allows, at least (storing process waits on the server)",
     lambda r: r["ingest"]["articles"] / idle_bounds(r["ingest"])[1], "{:,.0f}"),
    ("  … at most (the server works while the storing process goes on)",
     lambda r: r["ingest"]["articles"] / idle_bounds(r["ingest"])[0], "{:,.0f}"),
    ("  peak RSS MB, storing process", lambda r: r["ingest"]["rss_mb"], "{:.0f}"),
    ("relate everything stored: s", lambda r: r["relate"]["seconds"], "{:.1f}"),
    ("  CPU s of its process", lambda r: r["relate"]["cpu_main"], "{:.1f}"),
    ("  peak RSS MB", lambda r: r["relate"]["rss_mb"], "{:.0f}"),
    ("search p50 ms", lambda r: r["search"]["p50_ms"], "{:.1f}"),
    ("search p99 ms", lambda r: r["search"]["p99_ms"], "{:.1f}"),
    ("search p50 CPU ms of the searching process", lambda r: r["search"]["cpu_p50_ms"], "{:.1f}"),
    ("reader, article page p50 ms", lambda r: r["reader"]["article"]["p50"], "{:.1f}"),
    ("reader, article page p99 ms", lambda r: r["reader"]["article"]["p99"], "{:.1f}"),
    ("reader, search page p50 ms", lambda r: r["reader"]["search"]["p50"], "{:.1f}"),
    ("reader, search page p99 ms", lambda r: r["reader"]["search"]["p99"], "{:.1f}"),
    ("reader, CPU ms a search page in marsad serve (not in a database server)",
     lambda r: r["reader"]["search"]["cpu_ms"], "{:.2f}"),
    ("archive on disk MB", lambda r: r["mb"], "{:,.0f}"),
]


def table(runs: dict[str, dict]) -> None:
    names = list(runs)
    ratio = len(names) == 2
    print("| measure | " + " | ".join(names) + (f" | {names[1]} / {names[0]} |" if ratio else " |"))
    print("|---" * (len(names) + 1 + ratio) + "|")
    for label, value, fmt in ROWS:
        values = [_value(value, runs[n]) for n in names]
        cells = [fmt.format(v) if v is not None else "did not run" for v in values]
        if ratio:
            cells.append(f"{values[1] / values[0]:.2f}" if None not in values and values[0] else "-")
        print(f"| {label} | " + " | ".join(cells) + " |")
    for n in names:
        r = runs[n]
        notes = []
        if "ingest" in r:
            notes.append(f"{r['ingest']['articles']:,} articles, {r['ingest']['failed']} failed")
        if "search" in r:
            notes.append(f"{r['search']['zero_hits']} of {r['search']['queries']} queries without hits")
        if "reader" in r:
            notes.append(f"reader {r['reader']['article']['errors'] + r['reader']['search']['errors']} "
                         f"errors ({r['reader']['tool']})")
        notes += [f"{stage} did not run: {why}" for stage, why in r["errors"].items()]
        print(f"{n}: " + "; ".join(notes))
    if ratio and all("search" in runs[n] for n in names):
        share = overlap(runs[names[0]]["search"]["tops"], runs[names[1]]["search"]["tops"])
        print(f"top-10 overlap of the two backends, mean over the queries: {share:.3f} (target >= 0.95)")


def _value(value, run: dict) -> float | None:
    try:
        return value(run)
    except KeyError:  # the stage did not run
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sqlite", action="store_true", help="measure a SQLite archive (a fresh file)")
    ap.add_argument("--postgres", metavar="URL",
                    help="measure this PostgreSQL database (dropped and created)")
    ap.add_argument("--queries", type=int, default=400)
    ap.add_argument("--source", type=Path, default=SOURCE, help="the articles (default: ant-multisource)")
    ap.add_argument("--seconds", type=int, default=15, help="of each reader load run")
    ap.add_argument("--workers", type=int, default=2, help="server processes (one per core)")
    ap.add_argument("--stages", default=",".join(STAGES),
                    help="the stages to run, of " + ",".join(STAGES) + " (ingest always runs)")
    ap.add_argument("--keep", type=Path,
                    help="build the SQLite archive in this folder and keep both archives")
    args = ap.parse_args()
    if not (args.sqlite or args.postgres):
        ap.error("give --sqlite, --postgres URL, or both")
    if not args.source.exists():
        ap.error(f"no articles at {args.source} (set MARSAD_SHARED to the shared data folder)")
    print(f"load average (1, 5, 15 min) before: {load_average()} on {os.cpu_count()} cores")
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        targets = {"SQLite": str(folder / "backends.db")} if args.sqlite else {}
        if args.postgres:
            targets["PostgreSQL"] = args.postgres
        for name, target in targets.items():
            try:
                runs[name] = run_backend(target, args.source, args.queries, args.seconds, args.workers,
                                         ("ingest", *args.stages.split(",")))
            finally:
                if not args.keep and name == "PostgreSQL":
                    drop_archive(target)
    print(f"load average after: {load_average()}\n")
    print(f"{args.source.name} on each backend; {args.queries} searches; reader at {CONNECTIONS} "
          f"connections, {args.seconds} s a run, {args.workers} server workers")
    table(runs)


if __name__ == "__main__":
    main()
