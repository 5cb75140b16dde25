"""Near-duplicate detection on stories-dev's labelled pairs: precision and recall.

    python3 bench/dedup.py

``near_duplicates.jsonl`` holds 10 near-duplicate pairs (wire copy, including partial
syndication) and 10 same-event pairs written independently. A pair is predicted a copy when
both ids land in one group. Rows: ``archive`` groups all of ``stories.jsonl`` through the real
ingest path (``marsad.relate.duplicate_groups``); the sensitivity rows judge each pair alone with
the library at other containment thresholds. Peer in the same run: plain MinHash Jaccard ≥ 0.5
(datasketch's estimate), the usual syndication cut.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from datasketch import MinHash

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.archive import open_archive  # noqa: E402
from marsad.parse.records import record_to_article  # noqa: E402
from marsad.relate import dedup, duplicate_groups  # noqa: E402
from marsad.relate.features import make_doc  # noqa: E402

SHARED = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared"))
DEV = SHARED / "data" / "stories-dev"
THRESHOLDS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)


def pr(predicted: list[bool], truth: list[bool]) -> tuple[float, float]:
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    return tp / (sum(predicted) or 1), tp / (sum(truth) or 1)


def row(name: str, predicted: list[bool], truth: list[bool]) -> None:
    p, r = pr(predicted, truth)
    print(f"| {name:<36} | {p:.2f} | {r:.2f} | {sum(predicted):>2} |")


def jaccard(a, b) -> float:
    sig = []
    for doc in (a, b):
        mh = MinHash(num_perm=dedup.NUM_PERM, hashfunc=int, scheme="affine64")
        mh.update_batch(doc.shingles.tolist())
        sig.append(mh)
    return sig[0].jaccard(sig[1])


def main() -> None:
    with open(DEV / "near_duplicates.jsonl", encoding="utf-8") as f:
        pairs = [json.loads(line) for line in f]
    truth = [p["kind"] == "near-duplicate" for p in pairs]
    with tempfile.TemporaryDirectory() as tmp, open_archive(Path(tmp) / "dev.db") as arc:
        arc.ingest([DEV / "stories.jsonl"], enrich=False)
        group_of = {i: n for n, g in enumerate(duplicate_groups(arc)) for i in g}
    print(f"{len(pairs)} pairs: {sum(truth)} near-duplicate, "
          f"{len(truth) - sum(truth)} same event in other wording\n")
    print("| run | precision | recall | predicted |\n|---|---|---|---|")
    row(f"archive (containment {dedup.CONTAIN})",
        [p["a_id"] in group_of and group_of[p["a_id"]] == group_of.get(p["b_id"]) for p in pairs], truth)
    docs = [(make_doc(record_to_article({"id": p["a_id"], "text": p["a_text"]})),
             make_doc(record_to_article({"id": p["b_id"], "text": p["b_text"]}))) for p in pairs]
    for t in THRESHOLDS:
        row(f"library, containment {t}", [bool(dedup.group([a, b], contain=t)) for a, b in docs], truth)
    row("peer: MinHash Jaccard >= 0.5", [jaccard(a, b) >= 0.5 for a, b in docs], truth)


if __name__ == "__main__":
    main()
