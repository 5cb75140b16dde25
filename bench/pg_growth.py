"""How search latency grows with the archive, and how two versions of the code compare, measured in one
window: the same queries alternate between two archives (a small and a big one, say 31.5k and 1M
articles), so that both meet the same load on a shared machine and their ratio is steadier than two
runs apart.

The queries are bench/ingest.py's set (made from ant-multisource, fixed seed), run through the archive's
search as the CLI runs it (top 10). Each archive is searched by a process of its own, which times each
search itself (the pipe that hands it the query is not timed). Prints per archive: p50 and p99 wall ms,
the searching process's CPU ms at p50 (the server's work is not in it), and the big archive's p50 over
the small one's.

``--base CHECKOUT``: each archive is also searched by the code of another checkout of marsad (say the
commit before a change, from ``git worktree add``), query by query in turn with this checkout's code;
prints both codes' figures, this code's p50 over the base's, and whether both give the same results:
the top 10's overlap (ids in common over 10) and how many queries' totals differ.

Usage: python3 bench/pg_growth.py SMALL BIG [--queries 400] [--base CHECKOUT]
       (SMALL and BIG may be the same archive, to compare codes only)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, SOURCE, make_queries, percentile


def serve(target: str) -> None:
    """A searching process: a query per line of stdin, a JSON line of its figures and results out."""
    from marsad.archive import open_archive

    with open_archive(target, readonly=True) as arc:
        for line in sys.stdin:
            q = json.loads(line)
            c, t = time.process_time(), time.perf_counter()
            result = arc.search(q, limit=10)
            wall, cpu = (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000
            print(json.dumps({"wall": wall, "cpu": cpu, "total": result.total,
                              "ids": [h.id for h in result.hits]}), flush=True)


class Searcher:
    """One archive searched by one checkout's code, in a process of its own."""

    def __init__(self, label: str, target: str, code: Path):
        self.label, self.target = label, target
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(code), os.environ.get("PYTHONPATH", "")])}
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve", target], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env, cwd=code)
        self.runs: list[dict] = []

    def ask(self, query: str, keep: bool = True) -> None:
        self.proc.stdin.write(json.dumps(query) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"the searching process of {self.label} ended (see its error above)")
        if keep:
            self.runs.append(json.loads(line))

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()

    def row(self) -> str:
        wall = [r["wall"] for r in self.runs]
        return (f"| {self.label}: {self.target.split('@')[-1]} | {statistics.median(wall):.1f} | "
                f"{percentile(wall, 0.99):.1f} | {statistics.median(r['cpu'] for r in self.runs):.1f} |")


def p50(s: Searcher) -> float:
    return statistics.median(r["wall"] for r in s.runs)


def agreement(new: Searcher, base: Searcher) -> str:
    overlap = [len(set(a["ids"]) & set(b["ids"])) / max(1, min(10, len(b["ids"])))
               for a, b in zip(new.runs, base.runs, strict=True)]
    totals = sum(a["total"] != b["total"] for a, b in zip(new.runs, base.runs, strict=True))
    return (f"{new.label}: this code / base p50 {p50(new) / p50(base):.2f}; top-10 overlap "
            f"{statistics.mean(overlap):.3f}; totals differing in {totals} of {len(new.runs)} queries")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("small", nargs="?", help="the smaller archive (a file or a postgresql:// URL)")
    ap.add_argument("big", nargs="?", help="the bigger archive")
    ap.add_argument("--queries", type=int, default=400)
    ap.add_argument("--base", type=Path, help="another checkout of marsad, whose code searches too")
    ap.add_argument("--serve", help=argparse.SUPPRESS)  # a searching process (see serve)
    args = ap.parse_args()
    if args.serve:
        return serve(args.serve)
    if not args.big:
        ap.error("give SMALL and BIG")
    queries = make_queries(SOURCE, args.queries)
    codes = {"": ROOT} | ({"base ": args.base.resolve()} if args.base else {})
    sizes = (("small", args.small), ("big", args.big))
    searchers = {(code, size): Searcher(f"{code}{size}", target, path)
                 for code, path in codes.items() for size, target in sizes}
    try:
        for s in searchers.values():
            s.ask(queries[0], keep=False)  # connections and caches warm for all
        for i, q in enumerate(queries):
            for s in list(searchers.values())[::1 if i % 2 else -1]:  # none always first after the pause
                s.ask(q)
    finally:
        for s in searchers.values():
            s.close()
    print("| archive | p50 ms | p99 ms | CPU ms at p50 |")
    print("|---|---|---|---|")
    for s in searchers.values():
        print(s.row())
    print(f"\nbig / small p50: {p50(searchers['', 'big']) / p50(searchers['', 'small']):.2f}")
    if args.base:
        for size in ("small", "big"):
            print(agreement(searchers["", size], searchers["base ", size]))


if __name__ == "__main__":
    main()
