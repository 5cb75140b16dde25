"""How search latency grows with the archive, measured in one window: the same queries alternate between
two archives (a small and a big one, say 31.5k and 100k articles), so that both meet the same load on a
shared machine and their ratio is steadier than two runs apart.

The queries are bench/ingest.py's set (made from ant-multisource, fixed seed), run through the archive's
search as the CLI runs it (top 10). Prints per archive: p50 and p99 wall ms, the searching process's CPU
ms at p50 (the server's work is not in it), and the big archive's p50 over the small one's.

To compare two versions of the code in the same window, run one copy of this script per version at once
(each with PYTHONPATH pointing at its checkout), on archives each version built or converted.

Usage: python3 bench/pg_growth.py SMALL BIG [--queries 400]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from common import ROOT, SOURCE, make_queries, percentile


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("small", help="the smaller archive (a file or a postgresql:// URL)")
    ap.add_argument("big", help="the bigger archive")
    ap.add_argument("--queries", type=int, default=400)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from marsad.archive import open_archive

    queries = make_queries(SOURCE, args.queries)
    wall: dict[str, list[float]] = {"small": [], "big": []}
    cpu: dict[str, list[float]] = {"small": [], "big": []}
    with open_archive(args.small, readonly=True) as small, open_archive(args.big, readonly=True) as big:
        archives = {"small": small, "big": big}
        for arc in archives.values():
            arc.search(queries[0], limit=10)  # connections and caches warm for both
        for q in queries:
            for name, arc in archives.items():
                c, t = time.process_time(), time.perf_counter()
                arc.search(q, limit=10)
                wall[name].append((time.perf_counter() - t) * 1000)
                cpu[name].append((time.process_time() - c) * 1000)
    print("| archive | p50 ms | p99 ms | CPU ms at p50 |")
    print("|---|---|---|---|")
    for name, target in (("small", args.small), ("big", args.big)):
        print(f"| {name}: {target.split('@')[-1]} | {statistics.median(wall[name]):.1f} | "
              f"{percentile(wall[name], 0.99):.1f} | {statistics.median(cpu[name]):.1f} |")
    print(f"\nbig / small p50: {statistics.median(wall['big']) / statistics.median(wall['small']):.2f}")


if __name__ == "__main__":
    main()
