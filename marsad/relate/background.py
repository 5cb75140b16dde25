"""Background document frequencies: how common each term is in Arabic news at large.

Story clustering and related-article scoring weigh terms by inverse document
frequency. An archive's own counts are unstable while it is small and shift as
it grows, which would make incremental clustering depend on ingest order; a
fixed table counted once over a large general news corpus gives every archive
the same, stable weights. Terms missing from it are rare, so they weigh most.

Rebuild (after changing the analyzer in ``text.py``)::

    python3 -m marsad.relate.background CORPUS.jsonl[.xz] marsad/relate/data/background_df.tsv.gz
"""

from __future__ import annotations

import gzip
import json
import lzma
import math
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

from marsad.relate.text import terms, words

DATA = Path(__file__).with_name("data") / "background_df.tsv.gz"
MIN_DF = 3  # rarer terms are left out: they would weigh the same as unseen ones anyway


class Idf:
    """Inverse document frequency from the background table; unseen terms get the maximum."""

    def __init__(self, total: int, df: dict[str, int]):
        self.total = total
        self.df = df
        self.max = math.log(total + 1)
        self.weights = {t: math.log((total + 1) / (n + 1)) for t, n in df.items()}

    def __call__(self, term: str) -> float:
        return self.weights.get(term, self.max)


@lru_cache(maxsize=1)
def idf() -> Idf:
    with gzip.open(DATA, "rt", encoding="utf-8") as f:
        total = int(f.readline().split("\t")[1])
        df = {t: int(n) for t, n in (line.rstrip("\n").split("\t") for line in f)}
    return Idf(total, df)


def build(src: Path, out: Path) -> int:
    opener = lzma.open if src.suffix == ".xz" else open
    df: Counter[str] = Counter()
    total = 0
    with opener(src, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            df.update(set(terms(words(f"{rec.get('title') or ''}\n{rec.get('text') or ''}"))))
            total += 1
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as f:
        f.write(f"__documents__\t{total}\n")
        for t, n in sorted(df.items(), key=lambda kv: (-kv[1], kv[0])):
            if n >= MIN_DF:
                f.write(f"{t}\t{n}\n")
    return total


if __name__ == "__main__":
    print(build(Path(sys.argv[1]), Path(sys.argv[2])), "documents")
