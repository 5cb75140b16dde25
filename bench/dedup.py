"""Copies (syndicated, republished or lightly edited agency text), measured on the path users run:
``Archive.ingest`` (what ``marsad ingest`` calls) relates as it stores, then the stored groups are read.

    python3 bench/dedup.py                 # labelled pairs: stories-dev and bench/data/copies-ant.tsv
    python3 bench/dedup.py --ant [--db F]  # all of ant-multisource: chains, duplicates.tsv, labelled pairs
    python3 bench/dedup.py --arqa          # arqa passages: groups of passages (same titles, other text)

Labelled sets. ``stories-dev/near_duplicates.jsonl``: 10 near-duplicate pairs and 10 pairs of one event
in other wording (counted as tuned on), and ``bench/data/copies-stories-dev.tsv``: 194 more pairs of one
event written apart. ``bench/data/copies-ant.tsv``: 412 ant-multisource pairs read by a person (168 copies
of agency or official text, verbatim or reworded; same event in other words, same topic, shared background),
in a ``tune`` part thresholds may be chosen on and a ``held`` part reported apart.
A pair counts as found when both articles sit in one stored group. ``--ant`` also measures, over every
pair of every group, the share of grouped articles whose group holds two members sharing less than a
tenth of the shorter one's word 3-grams (a chain), and the corpus's own same-text duplicates found.
Peers in the same run: plain MinHash Jaccard >= 0.5, the usual syndication cut, judged on each pair.
"""

from __future__ import annotations

import argparse
import json
import lzma
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

from datasketch import MinHash

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.archive import open_archive  # noqa: E402
from marsad.parse.records import record_to_article  # noqa: E402
from marsad.relate import dedup, duplicate_groups  # noqa: E402
from marsad.relate.features import make_doc  # noqa: E402
from marsad.relate.text import words  # noqa: E402

SHARED = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared"))
DEV = SHARED / "data" / "stories-dev"
ANT = SHARED / "data" / "news" / "ant-multisource"
ARQA = SHARED / "data" / "ir" / "arqa-passages" / "corpus.jsonl"
LABELLED = ROOT / "bench" / "data" / "copies-ant.tsv"
DEV_LABELLED = ROOT / "bench" / "data" / "copies-stories-dev.tsv"


def row(name: str, predicted: list[bool], truth: list[bool]) -> None:
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    p, r = tp / (sum(predicted) or 1), tp / (sum(truth) or 1)
    print(f"| {name:<44} | {p:.2f} | {r:.2f} | {sum(predicted):>3} of {len(truth):>3} |")


def jaccard(a, b) -> float:
    sig = []
    for doc in (a, b):
        mh = MinHash(num_perm=dedup.NUM_PERM, hashfunc=int, scheme="affine64")
        mh.update_batch(doc.shingles.tolist())
        sig.append(mh)
    return sig[0].jaccard(sig[1])


def labelled(path: Path = LABELLED) -> list[dict[str, str]]:
    lines = [x for x in path.read_text(encoding="utf-8").splitlines() if x and not x.startswith("#")]
    head = lines[0].split("\t")
    return [dict(zip(head, x.split("\t"), strict=True)) for x in lines[1:]]


def read_ant(ids: set[str] | None = None) -> dict[str, dict]:
    with lzma.open(ANT / "articles.jsonl.xz", "rt", encoding="utf-8") as f:
        recs = (json.loads(line) for line in f)
        return {r["id"]: r for r in recs if ids is None or r["id"] in ids}


def same_group(groups: list[list[str]]):
    group_of = {i: n for n, g in enumerate(groups) for i in g}
    return lambda a, b: a in group_of and group_of[a] == group_of.get(b)


def split_rows(name: str, pairs: list[dict[str, str]], together) -> Counter:
    """Rows for labelled pairs found by ``together``: the tune part, the held part, all; returns the
    not-copy pairs found, by kind."""
    truth = [p["label"] == "copy" for p in pairs]
    for split in ("tune", "held"):
        part = [(p, t) for p, t in zip(pairs, truth, strict=True) if p["split"] == split]
        row(f"{name} ({split})", [together(p["a"], p["b"]) for p, _ in part], [t for _, t in part])
    row(f"{name} (all)", [together(p["a"], p["b"]) for p in pairs], truth)
    return Counter(p["kind"] for p in pairs if p["label"] == "not" and together(p["a"], p["b"]))


def pair_rows(pairs: list[dict[str, str]], together, docs: dict, how: str = "archive groups") -> None:
    """Rows for the labelled ant pairs: found ``how``, each part apart, and the peer."""
    wrong = split_rows(f"ant pairs, {how}", pairs, together)
    peer = [jaccard(docs[p["a"]], docs[p["b"]]) >= 0.5 for p in pairs]
    row("ant pairs, peer: MinHash Jaccard >= 0.5", peer, [p["label"] == "copy" for p in pairs])
    print(f"\nnot-copy ant pairs grouped, by kind: {dict(wrong) or 'none'}")


def quick() -> None:
    with open(DEV / "near_duplicates.jsonl", encoding="utf-8") as f:
        dev_pairs = [json.loads(line) for line in f]
    pairs = labelled()
    ant = read_ant({i for p in pairs for i in (p["a"], p["b"])})
    with tempfile.TemporaryDirectory() as tmp, open_archive(Path(tmp) / "dev.db") as arc:
        arc.ingest([DEV / "stories.jsonl"], enrich=False)
        dev_together = same_group(duplicate_groups(arc))
    truth = [p["kind"] == "near-duplicate" for p in dev_pairs]
    print("| run | precision | recall | predicted |\n|---|---|---|---|")
    row("stories-dev pairs, archive groups", [dev_together(p["a_id"], p["b_id"]) for p in dev_pairs], truth)
    docs = [(make_doc(record_to_article({"id": p["a_id"], "text": p["a_text"]})),
             make_doc(record_to_article({"id": p["b_id"], "text": p["b_text"]}))) for p in dev_pairs]
    row("stories-dev pairs, peer: Jaccard >= 0.5", [jaccard(a, b) >= 0.5 for a, b in docs], truth)
    same_event = [{"a": p["a_id"], "b": p["b_id"], "label": "copy" if t else "not", "kind": p["kind"],
                   "split": "tune"} for p, t in zip(dev_pairs, truth, strict=True)] + labelled(DEV_LABELLED)
    wrong = split_rows("stories-dev, every labelled pair", same_event, dev_together)
    print(f"stories-dev same-event pairs grouped: {sum(wrong.values())} of "
          f"{sum(p['label'] == 'not' for p in same_event)}")
    # The labelled ant pairs, each pair alone in an archive of its own two articles.
    docs_ant = {i: make_doc(record_to_article(r)) for i, r in ant.items()}
    alone = {(p["a"], p["b"]) for p in pairs if dedup.group([docs_ant[p["a"]], docs_ant[p["b"]]])}
    pair_rows(pairs, lambda a, b: (a, b) in alone, docs_ant, "each pair alone")


def grams(text: str) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[k:k + 3]) for k in range(len(w) - 2)}


def chains(groups: list[list[str]], text: dict[str, str]) -> tuple[int, int, list]:
    """(grouped articles, those in a group with a pair sharing < 1/10 of the shorter's 3-grams, worst)."""
    bad, worst = 0, []
    for g in groups:
        sets = {i: grams(text[i]) for i in g}
        low = min(len(sets[a] & sets[b]) / (min(len(sets[a]), len(sets[b])) or 1)
                  for a, b in combinations(g, 2))
        if low < 0.1:
            bad += len(g)
            worst.append((low, g))
    return sum(map(len, groups)), bad, worst


def full_ant(db: Path | None) -> None:
    pairs = labelled()
    recs = read_ant()
    with tempfile.TemporaryDirectory() as tmp:
        path = db or Path(tmp) / "ant.db"
        fresh = not path.exists()
        with open_archive(path) as arc:
            start, cpu = time.perf_counter(), time.process_time()
            report = arc.ingest([ANT / "articles.jsonl.xz"], enrich=False) if fresh else None
            took, cpu = time.perf_counter() - start, time.process_time() - cpu
            groups = duplicate_groups(arc)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if report:
        print(f"ingest of {report.new} articles (relating as batches commit): {took:.1f} s wall, "
              f"{cpu:.1f} s CPU in the main process, peak RSS {rss:.0f} MB")
    grouped, bad, worst = chains(groups, {i: r.get("text") or "" for i, r in recs.items()})
    sizes = Counter(min(len(g), 10) for g in groups)
    print(f"\n{len(groups)} groups, {grouped} articles grouped, largest {max(map(len, groups))}; "
          f"sizes (10 = 10 or more): {dict(sorted(sizes.items()))}")
    print(f"articles in a group holding two members that share < 1/10 of the shorter's word 3-grams: "
          f"{bad} ({bad / (grouped or 1):.2%})  [target <= 2 %]")
    for low, g in sorted(worst, key=lambda x: -len(x[1]))[:5]:
        titles = " | ".join(recs[i]["title"][:40] for i in g[:3])
        print(f"   {len(g)} articles, lowest pair {low:.2f}: {titles}")
    together = same_group(groups)
    with open(ANT / "duplicates.tsv", encoding="utf-8") as f:
        dups = [x.rstrip("\n").split("\t") for x in f][1:]
    same_text = [(a, b) for a, b, why in dups if "same_text" in why]
    found = sum(together(a, b) for a, b in same_text)
    print(f"duplicates.tsv same-text pairs found: {found} of {len(same_text)} "
          f"({found / len(same_text):.3f})  [target >= 0.95]\n")
    print("| run | precision | recall | predicted |\n|---|---|---|---|")
    docs = {i: make_doc(record_to_article(recs[i])) for p in pairs for i in (p["a"], p["b"])}
    pair_rows(pairs, together, docs)


def arqa() -> None:
    with open(ARQA, encoding="utf-8") as f:
        recs = {r["id"]: r for r in map(json.loads, f)}
    with tempfile.TemporaryDirectory() as tmp, open_archive(Path(tmp) / "arqa.db") as arc:
        arc.ingest([ARQA], enrich=False)
        groups = duplicate_groups(arc)
    print(f"arqa passages: {len(recs)} passages of {len({r['title'] for r in recs.values()})} titles; "
          f"{len(groups)} copy groups. Each, for a person to judge (a real copy repeats a passage's text):")
    for g in groups:
        a, b = (grams(recs[i]["text"]) for i in g[:2])
        share = len(a & b) / (min(len(a), len(b)) or 1)
        same_title = len({recs[i]["title"] for i in g}) == 1
        print(f"  {' '.join(g)}  3-grams shared {share:.2f}, {'same' if same_title else 'other'} title: "
              f"{recs[g[0]]['text'][:60]} … | {recs[g[1]]['text'][:60]} …")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ant", action="store_true", help="all of ant-multisource through an archive")
    ap.add_argument("--db", type=Path, help="with --ant: keep the archive here (reused when it exists)")
    ap.add_argument("--arqa", action="store_true", help="the arqa passages through an archive")
    args = ap.parse_args()
    if args.ant:
        full_ant(args.db)
    elif args.arqa:
        arqa()
    else:
        quick()
