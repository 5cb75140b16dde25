"""What is rising on a real archive: what it flags on given days, and how long it takes.

Usage: python3 bench/trends.py --db ARCHIVE [--days 2018-03-19,2018-03-31,2018-04-08] [--top 8]

For each day (the window ends at the day's end, UTC), the entities and stories flagged in the day
(against four weeks) and in its busiest hour (against a week of hours), to be read by a person; then
a table of time per call of :func:`marsad.watch.trends.rising` (median over the days), beside the
peer the grouped queries replace: reading every article of the archive and counting in Python.
Build an archive of ant-multisource with `marsad ingest` (with enrichment, for entities).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from marsad.archive import open_archive  # noqa: E402
from marsad.watch.trends import rising  # noqa: E402


def show(report, top: int) -> None:
    print(f"  {report.kind} {report.window} to {report.now}: {report.articles} reports")
    for t in report.items[:top]:
        mark = " BREAKING" if t.breaking else ""
        print(f"    z {t.z:5.1f} {t.count:>4} ({t.share:5.1%}, was {t.baseline:5.2%}){mark}  {t.name[:70]}")


def busiest_hour(arc, day: datetime) -> datetime:
    """The end of the hour (UTC) of ``day`` with the most articles published."""
    hours: Counter = Counter()
    for a in arc.iter_articles(since=(day - timedelta(days=1)).date().isoformat()):
        try:
            when = datetime.fromisoformat(a.published or "").astimezone(UTC)
        except ValueError:
            continue
        if when.date() == day.date():
            hours[when.hour] += 1
    hour = hours.most_common(1)[0][0] if hours else 12
    return day.replace(hour=hour) + timedelta(hours=1)


def naive_counts(arc, end: datetime) -> int:
    """The peer: every article read, its entities counted in Python per day of the four weeks."""
    start = (end - timedelta(days=29)).date().isoformat()
    counts: Counter = Counter()
    for a in arc.iter_articles(since=start):
        for m in a.entities or ():
            counts[(m.key or m.text, (a.published or "")[:10])] += 1
    return len(counts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--days", default="2018-03-19,2018-03-31,2018-04-08")
    ap.add_argument("--top", type=int, default=8)
    args = ap.parse_args()
    days = [datetime.fromisoformat(d).replace(tzinfo=UTC) for d in args.days.split(",")]
    spent: dict[str, list[float]] = {}
    with open_archive(args.db, readonly=True) as arc:
        print(f"archive: {arc.count():,} articles")
        for day in days:
            print(day.date())
            for kind in ("entity", "story"):
                for window, end in (("1d", day + timedelta(days=1)), ("1h", busiest_hour(arc, day))):
                    t = time.perf_counter()
                    report = rising(arc, kind, window, end)
                    spent.setdefault(f"rising {kind} {window}", []).append(time.perf_counter() - t)
                    show(report, args.top)
            t = time.perf_counter()
            naive_counts(arc, day + timedelta(days=1))
            peer = "peer: read the articles, count in Python (1d)"
            spent.setdefault(peer, []).append(time.perf_counter() - t)
    print("\n| call | median s | calls |\n|---|---|---|")
    for name, times in spent.items():
        print(f"| {name} | {statistics.median(times):.3f} | {len(times)} |")


if __name__ == "__main__":
    main()
