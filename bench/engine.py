"""The batch engine (marsad ingest --engine dask) against the plain pipeline, and where its time goes.

Runs, each in its own process, into each archive given (a fresh SQLite file, a fresh PostgreSQL database):
- plain: `marsad ingest` as it is (the pipeline, with its parse workers);
- dask-1, dask-2: the Dask engine on a local cluster of 1 and 2 worker processes;
over the first N ant-multisource articles (uncompressed JSONL: byte-range partitions) without
enrichment, and over the first M with enrichment (enrichment costs ~30x more per article). Every run
relates, as users run it. Then: the overhead of a partition (the same no-enrichment ingest on dask-2 with
small and large partitions), the cost per article of each stage in one process (what a worker does
without and with enrichment; storing and indexing, the one database writer on SQLite; relating, the
client's single-writer step), and from these the speed to expect per added core and its bottleneck.
Optionally a synthetic backfill (bench/scale.py's perturbed replicas), dask-2 against plain, without
enrichment and relating.

Runs give wall-clock seconds and CPU seconds (the client and the worker processes, not a PostgreSQL
server's); stages give CPU seconds. On a shared machine state the cores and the load beside them, and
prefer the CPU figures and ratios within one run.
Usage: python3 bench/engine.py [--sqlite] [--postgres URL] [--articles 31525] [--enriched 3000]
       [--workers 1,2] [--partition 2000] [--stages 5000] [--backfill 300000] [--idle 60]
       [--out rows.jsonl]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import sys
import time
from pathlib import Path

from common import OUT, SOURCE, drop_archive, fresh_archive, read_records, run_child

HERE = Path(__file__).resolve()


def corpus(n: int) -> Path:
    """The first ``n`` ant-multisource records as one uncompressed JSONL file (built once)."""
    path = OUT / "engine" / f"ant-{n}.jsonl"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_suffix(".tmp"), "w", encoding="utf-8") as out:
            for record in itertools.islice(read_records(SOURCE), n):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        path.with_suffix(".tmp").rename(path)
    return path


# -- children: one measured run each ------------------------------------------------------------

def child_ingest(target: str, path: str, runner: str, enrich: bool, relate: bool, partition: int) -> dict:
    from marsad import engine
    from marsad.archive import open_archive

    start, cpu, startup = time.perf_counter(), _cpu(), 0.0
    if runner == "plain":
        with open_archive(target) as arc:
            report = arc.ingest([path], enrich=enrich, relate=relate)
    else:
        executor = engine.executor("dask", workers=int(runner.split("-")[1]))
        startup = time.perf_counter() - start  # the cluster's start, in the run's time: users wait for it
        try:
            report = engine.ingest(target, [path], executor, enrich=enrich, relate=relate,
                                   partition=partition)
        finally:
            executor.close()
    return {"seconds": time.perf_counter() - start, "startup": startup,
            "articles": report.new + report.updated + report.unchanged, "failed": len(report.failed),
            "partitions": getattr(report, "partitions", 0), "cpu": _cpu() - cpu}


def _cpu() -> float:
    """CPU seconds of this process and of its children that ended (parse workers, the local cluster's
    processes once closed); a PostgreSQL server's are not in it."""
    return sum(r.ru_utime + r.ru_stime for r in map(resource.getrusage, (resource.RUSAGE_SELF,
                                                                         resource.RUSAGE_CHILDREN)))


def child_stages(target: str, path: str, n: int, enriched: int) -> dict:
    """CPU seconds per article of each stage, in this one process (wall time on a loaded machine
    counts the waits for a core)."""
    from marsad.archive import open_archive
    from marsad.enrich import enrich_article
    from marsad.model import IngestReport
    from marsad.parse import iter_pages
    from marsad.pipeline.stages import batches, prepare, preparers

    report = IngestReport()
    start = time.process_time()
    done = []
    for batch in batches(itertools.islice(iter_pages([path]), n), 500, report, None):
        done.append((batch, prepare(batch, preparers(True))))
    worker = (time.process_time() - start) / n
    sample = [a for b, _ in done for a in b][:enriched]
    start = time.process_time()
    for article in sample:
        enrich_article(article)
    enrich = (time.process_time() - start) / len(sample)
    with open_archive(target) as arc:
        pipeline, start = arc.pipeline, time.process_time()
        for batch, prepared in done:
            pipeline.store_batch(batch, report, prepared, relate=False)
        store = (time.process_time() - start) / n
        start = time.process_time()
        pipeline.relate(report)
        relate = (time.process_time() - start) / n
    return {"worker": worker, "enrich": enrich, "store": store, "relate": relate}


# -- the parent: runs and tables -------------------------------------------------------------------

def measure(target: str, *args) -> dict:
    fresh_archive(target)
    try:
        return run_child(HERE, *args)
    finally:
        drop_archive(target)


ROWS: Path | None = None  # --out: each run appended as one JSON line as it ends (long runs)


def ingest_runs(name: str, target: str, path: Path, enrich: bool, runners: list[str], partition: int,
                relate: bool = True) -> list[dict]:
    rows = []
    for runner in runners:
        got = measure(target, "ingest", target, str(path), runner, str(int(enrich)), str(int(relate)),
                      str(partition))
        got.update(backend=name, runner=runner, enrich=enrich, relate=relate, partition=partition,
                   load=os.getloadavg()[0], ended=time.strftime("%H:%M:%S", time.gmtime()))
        rows.append(got)
        if ROWS:
            with open(ROWS, "a", encoding="utf-8") as out:
                out.write(json.dumps(got) + "\n")
        print(f"  {name} {runner} enrich={enrich}: {got['articles']:,} articles in {got['seconds']:.1f} s",
              flush=True)
    return rows


def runs_table(rows: list[dict]) -> None:
    print("\n| archive | input | run | articles | partitions | s (cluster start) | articles/s | vs plain | "
          "CPU ms/article | vs plain |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    plain = {}
    for r in rows:
        key = (r["backend"], r["enrich"], r["relate"], r["articles"])
        rate = r["articles"] / r["seconds"]
        cpu = r["cpu"] / r["articles"]
        if r["runner"] == "plain":
            plain[key] = (rate, cpu)
        what = ("enriched" if r["enrich"] else "not enriched") + ("" if r["relate"] else ", not related")
        ratios = [f"{a / b:.2f}" if key in plain else "-" for a, b in zip((rate, cpu), plain.get(key, (1, 1)),
                                                                           strict=True)]
        print(f"| {r['backend']} | {what} | {r['runner']} | {r['articles']:,} | {r['partitions'] or '-'} | "
              f"{r['seconds']:.1f} ({r['startup']:.1f}) | {rate:,.0f} | {ratios[0]} | {cpu * 1e3:.1f} | "
              f"{ratios[1]} |")


def stage_table(name: str, s: dict) -> None:
    """The stage costs and what they predict per core: workers scale, the writer and relating do not."""
    ms = {k: f"{v * 1e3:.2f}" for k, v in s.items()}
    print(f"\n{name}: CPU ms per article: worker without enrichment {ms['worker']}, enrichment "
          f"{ms['enrich']}, store+index (writer; not the server's) {ms['store']}, relate {ms['relate']}")
    print("| cores for workers | enriched | predicted articles/s | bottleneck |")
    print("|---:|---|---:|---|")
    for enrich, cores in itertools.product((False, True), (1, 2, 4, 8, 16)):
        per = {"workers (parse, enrich, analyze)": (s["worker"] + enrich * s["enrich"]) / cores,
               "database writer": s["store"] if name == "SQLite" else s["store"] / cores,
               "relating (single writer)": s["relate"]}
        neck = max(per, key=per.get)
        print(f"| {cores} | {'yes' if enrich else 'no'} | {1 / per[neck]:,.0f} | {neck} |")


def overhead(name: str, target: str, path: Path, small: int, large: int) -> None:
    rows = [measure(target, "ingest", target, str(path), "dask-2", "0", "0", str(size))
            for size in (small, large)]
    more = max(1, rows[0]["partitions"] - rows[1]["partitions"])
    wall, cpu = ((rows[0][k] - rows[1][k]) / more * 1e3 for k in ("seconds", "cpu"))
    print(f"\n{name}: overhead per partition (dask-2, not enriched, not related): {wall:.0f} ms wall, "
          f"{cpu:.0f} ms CPU ({rows[0]['partitions']} partitions in {rows[0]['seconds']:.1f} s, "
          f"{rows[0]['cpu']:.1f} s CPU; {rows[1]['partitions']} in {rows[1]['seconds']:.1f} s, "
          f"{rows[1]['cpu']:.1f} s CPU)")


def idle_cluster(workers: list[str], keep: int) -> None:
    """CPU a local cluster costs while it waits (heartbeats, event loops): the same cluster kept 5 s
    and ``keep`` s, so that starting and stopping it cancel out. A run pays it for its whole wall time,
    so on a loaded machine, where runs take longer, Dask's CPU an article grows."""
    for w in workers:
        got = [run_child(HERE, "idle", w, str(k)) for k in (5, keep)]
        rate = (got[1]["cpu"] - got[0]["cpu"]) / (got[1]["seconds"] - got[0]["seconds"])
        print(f"\nidle local cluster of {w} worker(s): {rate:.3f} CPU-s a wall second; started and stopped "
              f"{got[0]['cpu']:.2f} CPU-s", flush=True)


def child_idle(workers: int, keep: int) -> dict:
    from marsad import engine

    start, cpu = time.perf_counter(), _cpu()
    executor = engine.executor("dask", workers=workers)
    time.sleep(keep)
    executor.close()
    return {"seconds": time.perf_counter() - start, "cpu": _cpu() - cpu}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sqlite", action="store_true")
    ap.add_argument("--postgres", metavar="URL", help="a database of your own: dropped and created per run")
    ap.add_argument("--articles", type=int, default=31_525,
                    help="articles of the runs without enrichment (0: none, nor overhead and stages)")
    ap.add_argument("--enriched", type=int, default=3000, help="articles of the runs with enrichment")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--partition", type=int, default=2000)
    ap.add_argument("--stages", type=int, default=5000, help="articles of the per-stage measure")
    ap.add_argument("--backfill", type=int, default=0, help="articles of a synthetic backfill (0: none)")
    ap.add_argument("--idle", type=int, default=0, metavar="SECONDS",
                    help="also measure an idle local cluster of each --workers kept this long")
    ap.add_argument("--out", type=Path, help="append each run's row to this JSONL file as it ends")
    args = ap.parse_args()
    global ROWS
    ROWS = args.out
    # one file per invocation: two invocations at once never share an archive
    targets = {"SQLite": str(OUT / "engine" / f"engine-{os.getpid()}.db")} if args.sqlite else {}
    if args.postgres:
        targets["PostgreSQL"] = args.postgres
    runners = ["plain", *(f"dask-{w}" for w in args.workers.split(","))]
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    rows = []
    for name, target in targets.items():
        if args.articles:
            rows += ingest_runs(name, target, corpus(args.articles), False, runners, args.partition)
        if args.enriched:  # partitions enough for every worker to have some
            rows += ingest_runs(name, target, corpus(args.enriched), True, runners,
                                min(args.partition, max(25, args.enriched // 8)))
        if args.backfill:
            sys.path.insert(0, str(HERE.parent))
            from scale import build

            path = build([args.backfill], 7)[-1]
            rows += ingest_runs(name, target, path, False, ["plain", "dask-2"], args.partition, relate=False)
    runs_table(rows)
    for name, target in targets.items() if args.articles else ():
        overhead(name, target, corpus(args.articles), max(50, args.partition // 8), args.partition)
        stage_table(name, measure(target, "stages", target, str(corpus(args.articles)), str(args.stages),
                                  str(min(500, args.enriched or 500))))
    if args.idle:
        idle_cluster(args.workers.split(","), args.idle)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


def child(argv: list[str]) -> None:
    kind, target, path, *rest = argv
    if kind == "idle":
        print(json.dumps(child_idle(int(target), int(path))))
        return
    if kind == "ingest":
        runner, enrich, relate, partition = rest
        out = child_ingest(target, path, runner, enrich == "1", relate == "1", int(partition))
    else:
        out = child_stages(target, path, int(rest[0]), int(rest[1]))
    print(json.dumps(out))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2:])
    else:
        main()
