"""Peak memory of `marsad ingest` against page size: one text page of 1, 5, 20 and 50 MB.

Each page is one article made of real news paragraphs (the bundled ANT sample, repeated), as a text
dump with one paragraph a line and as one single line. Every run is a fresh `marsad ingest` process
into a fresh archive; its peak RSS is the largest of the process and its parse workers (wait4), as
/usr/bin/time reports it. "growth" is the peak above that of a 10 KB page, in multiples of the page
size (bounded caches, such as SQLite's 64 MB page cache, weigh on small pages); "slope" is the growth
from the next smaller page, per MB added, and the last lines give it from the smallest page to the
largest. Targets: about 5 at most, and under 1.5 GB at 20 MB. ``--src`` runs `marsad ingest` from
another checkout's source folder as well (e.g. the commit before a change, `git worktree add
../marsad-before COMMIT`), page by page beside this one, so that both are measured under the same load.

    python3 bench/memory.py                      # 1, 5, 20, 50 MB without enrichment; 1, 5, 20 with
    python3 bench/memory.py --sizes 1 5 --enrich-up-to 5
    python3 bench/memory.py --sizes 1 50 --enrich-up-to 0 --src ../marsad-before
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

MB = 2**20
HEADLINE = "خطة حكومية جديدة لدعم المزارعين في المناطق الريفية"


def paragraphs() -> list[str]:
    sample = resources.files("marsad.data.sample").joinpath("ant-multisource-sample.jsonl.gz")
    with gzip.open(sample.open("rb"), "rt", encoding="utf-8") as f:
        return [p for line in f for p in json.loads(line)["text"].split("\n") if len(p) > 40]


def write_page(path: Path, size: int, one_line: bool, paras: list[str]) -> None:
    """A page of about ``size`` bytes: the headline, then paragraphs (or one line of them)."""
    sep = " " if one_line else "\n\n"
    written, i = 0, 0
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADLINE + "\n\n")
        while written < size:
            piece = paras[i % len(paras)] + sep
            f.write(piece)
            written += len(piece.encode())
            i += 1


def peak_of_ingest(page: Path, db: Path, enrich: bool, src: Path | None = None) -> tuple[float, float, int]:
    """(peak RSS in MB, wall seconds, exit status) of one `marsad ingest` run (from the source folder
    ``src``, when given)."""
    cmd = [sys.executable, "-m", "marsad", "ingest", str(page), "--db", str(db), "--quiet"]
    if not enrich:
        cmd.append("--no-enrich")
    env = {**os.environ, "MARSAD_MAX_PAGE_BYTES": str(2 * page.stat().st_size + MB)}  # 50 MB is the default
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=src)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, time.perf_counter() - start, proc.returncode


def measure(args, codes: dict[str, Path | None]) -> tuple[dict, list]:
    """Baselines by (code, enrich) and one row per code, page and mode; each page is written once
    and ingested by every code in turn."""
    paras = paragraphs()
    rows, base = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_page(work / "base.txt", 10_000, False, paras)
        for code, src in codes.items():
            for enrich in (False, True)[:2 if args.enrich_up_to > 0 else 1]:
                base[code, enrich] = peak_of_ingest(work / "base.txt", work / f"base-{code}-{enrich}.db",
                                                    enrich, src)[0]
        for shape in args.shapes:
            for mb in args.sizes:
                page = work / f"{shape}-{mb}.txt"
                write_page(page, int(mb * MB), shape == "one-line", paras)
                for enrich in (False, True):
                    if enrich and mb > args.enrich_up_to:
                        continue
                    for code, src in codes.items():
                        db = work / f"{shape}-{mb}-{enrich}-{code}.db"
                        peak, wall, status = peak_of_ingest(page, db, enrich, src)
                        growth = (peak - base[code, enrich]) / (page.stat().st_size / MB)
                        mode = "enrich" if enrich else "no-enrich"
                        rows.append((code, shape, mb, mode, peak, growth, wall, status))
                        print(f"  {code} {shape} {mb} MB {mode}: {peak:,.0f} MB, {wall:.1f} s",
                              file=sys.stderr)
                        db.unlink(missing_ok=True)
                page.unlink()
    return base, rows


def report(base: dict, rows: list) -> None:
    for code in dict.fromkeys(c for c, _ in base):
        enriched = f", {base[code, True]:,.0f} MB with" if (code, True) in base else ""
        print(f"baseline of {code} (10 KB page): {base[code, False]:,.0f} MB without enrichment{enriched}")
    print(f"{'code':>7} {'page':>9} {'MB':>4} {'mode':>10} {'peak RSS MB':>12} {'growth ×size':>13} "
          f"{'slope ×size':>12} {'wall s':>7} {'exit':>5}")
    last: dict[tuple[str, str, str], tuple[float, float]] = {}
    first: dict[tuple[str, str, str], tuple[float, float]] = {}
    for code, shape, mb, mode, peak, growth, wall, status in rows:
        before = last.get((code, shape, mode))
        slope = f"{(peak - before[1]) / (mb - before[0]):.1f}" if before else "-"
        last[code, shape, mode] = (mb, peak)
        first.setdefault((code, shape, mode), (mb, peak))
        print(f"{code:>7} {shape:>9} {mb:>4g} {mode:>10} {peak:>12,.0f} {growth:>13.1f} {slope:>12}"
              f" {wall:>7.1f} {status:>5}")
    for key, (mb0, peak0) in first.items():
        mb1, peak1 = last[key]
        if mb1 > mb0:
            print(f"slope {mb0:g}→{mb1:g} MB, {' '.join(key)}: {(peak1 - peak0) / (mb1 - mb0):.1f} MB of "
                  "peak per MB of page")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=float, nargs="+", default=[1, 5, 20, 50], help="page sizes in MB")
    ap.add_argument("--enrich-up-to", type=float, default=20,
                    help="largest page size also run with enrichment")
    ap.add_argument("--shapes", nargs="+", default=["lines", "one-line"], choices=["lines", "one-line"])
    ap.add_argument("--src", type=Path, help="also run `marsad ingest` from this source folder ('other')")
    args = ap.parse_args()
    codes = {"this": None, **({"other": args.src.resolve()} if args.src else {})}
    report(*measure(args, codes))


if __name__ == "__main__":
    main()
