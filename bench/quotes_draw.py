"""Draw paragraphs for a hand-labelled quote test set (tests/enrich/golden/ant-quotes.md, "The fifth draw").

Articles of no earlier draw, not listed in duplicates.tsv and not repeating an earlier article's text,
one paragraph each, split as `marsad ingest` splits the record (CNN Arabic's appended leads taken out).
Kinds: `verb` (a speech verb or participle at most 90 characters before an opening mark), `carried`
(opens with a continuing speech verb, a mark within 25 characters after it), `indirect` (a speech verb,
إن/أن within seven words, then a mark), `mark` (any opening mark). The words come from the quote
finder's word list, read as data; the quote finder itself is never run on the draw.

    python bench/quotes_draw.py --seed 2031 --batch a > draw-a.jsonl
    python bench/quotes_draw.py --seed 2032 --batch b --min-inside 25 --plan verb=3,carried=3 \
        --jawhara verb=6,carried=6 > draw-b.jsonl

It prints rows with empty `quotes`, to be labelled by reading.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys

from common import ROOT, SHARED, read_records

from marsad.arabic.normalize import normalize_for_matching
from marsad.parse.records import record_to_article

NEWS = SHARED / "data" / "news"
GOLDEN = ROOT / "tests" / "enrich" / "golden"
SPEECH = ROOT / "marsad" / "enrich" / "data" / "speech.json"
OUTLETS = ("AL", "BB", "CN", "FR", "SK")
KINDS = ("verb", "carried", "indirect", "mark")
OPENING = "«\"“"
PAIRS = re.compile(r"«([^»]*)»|\"([^\"]*)\"|“([^”]*)”")
WORD = re.compile(r"\S+")


def _fold(word: str) -> str:
    word = normalize_for_matching(word.strip("،,.:؛;!؟?()«»\"“”"))
    return word[1:] if len(word) > 3 and word[0] in "وف" else word


def _words() -> tuple[set[str], set[str], set[str]]:
    data = json.loads(SPEECH.read_text("utf-8"))
    speech = {normalize_for_matching(w) for w in data["verbs"] + data["participles"]}
    carried = {normalize_for_matching(w) for w in data["continuers"] + data["verbs"]}
    return speech, carried, {normalize_for_matching(w) for w in data["complementizers"]}


SPEECH_WORDS, CARRIED_WORDS, THAT = _words()


def kinds(paragraph: str) -> set[str]:
    """The kinds a paragraph is of (empty when it holds no opening mark)."""
    marks = [i for i, c in enumerate(paragraph) if c in OPENING]
    if not marks:
        return set()
    found = {"mark"}
    words = [(m.start(), _fold(m.group())) for m in WORD.finditer(paragraph)]
    for k, (at, word) in enumerate(words):
        if word not in SPEECH_WORDS:
            continue
        if any(0 <= m - at <= 90 for m in marks):
            found.add("verb")
        that = next((s for s, w in words[k + 1:k + 8] if w in THAT), None)
        if that is not None and any(m > that for m in marks):
            found.add("indirect")
    first = words[0]
    if first[1] in CARRIED_WORDS and any(0 < m - first[0] - len(paragraph.split()[0]) <= 25 for m in marks):
        found.add("carried")
    return found


def inside(paragraph: str) -> int:
    """Characters inside the paragraph's longest paired mark."""
    spans = (next(g for g in m.groups() if g is not None) for m in PAIRS.finditer(paragraph))
    return max(map(len, spans), default=0)


def _earlier(draw: int, batch: str) -> set[str]:
    """The ids of every labelled row drawn before this batch."""
    paths = GOLDEN.glob("ant-quotes*.jsonl")
    rows = (json.loads(line) for path in paths for line in path.open(encoding="utf-8"))
    return {r["id"] for r in rows if (r.get("draw", 1), r.get("batch") or "") < (draw, batch)}


def _text_key(record: dict) -> str:
    return hashlib.sha1(" ".join(str(record.get("text") or "").split()).encode()).hexdigest()


def candidates(corpus: str, excluded: set[str], min_inside: int) -> dict[str, list[tuple[dict, list]]]:
    """Per outlet prefix, the eligible articles with their paragraphs' kinds."""
    duplicates = set()
    if corpus == "ant-multisource":
        rows = (NEWS / corpus / "duplicates.tsv").read_text("utf-8").splitlines()[1:]
        duplicates = {row.split("\t")[0] for row in rows}
    records = list(read_records(NEWS / corpus / "articles.jsonl.xz"))
    seen_texts = {_text_key(r) for r in records if r["id"] in excluded}
    skip = excluded | duplicates
    out: dict[str, list] = {}
    for record in records:
        key = _text_key(record)
        if record["id"] in skip or key in seen_texts or not record.get("text"):
            continue
        seen_texts.add(key)  # one article per text
        paragraphs = record_to_article(record).paragraphs
        found = [(i, kinds(p)) for i, p in enumerate(paragraphs) if inside(p) >= min_inside]
        found = [(i, k) for i, k in found if k]
        if found:
            out.setdefault(record["id"][:2], []).append((record, paragraphs, found))
    return out


def draw(pool: list, plan: dict[str, int], rng: random.Random, taken: set[str]) -> list[tuple]:
    """``plan[kind]`` articles per kind, each with one paragraph of that kind chosen at random."""
    picks = []
    for kind in KINDS:
        eligible = [a for a in pool if a[0]["id"] not in taken and any(kind in k for _, k in a[2])]
        for record, paragraphs, found in rng.sample(eligible, min(plan.get(kind, 0), len(eligible))):
            index = rng.choice([i for i, k in found if kind in k])
            taken.add(record["id"])
            picks.append((record, index, paragraphs[index], kind))
    return picks


def _plan(text: str) -> dict[str, int]:
    return {k: int(n) for k, n in (part.split("=") for part in text.split(","))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--batch", required=True)
    ap.add_argument("--draw", type=int, default=5)
    ap.add_argument("--plan", default="verb=6,carried=4,indirect=3,mark=3", help="per multi-source outlet")
    ap.add_argument("--jawhara", default="verb=18,carried=12,indirect=10,mark=10")
    ap.add_argument("--min-inside", type=int, default=0, help="characters inside a mark, at least")
    args = ap.parse_args()
    excluded = _earlier(args.draw, args.batch)
    rng, taken, rows = random.Random(args.seed), set(), []
    multi = candidates("ant-multisource", excluded, args.min_inside)
    for prefix in OUTLETS:
        rows += [("ant-multisource", p) for p in draw(multi[prefix], _plan(args.plan), rng, taken)]
    jawhara = candidates("ant-jawharafm", excluded, args.min_inside)
    pool = [a for articles in jawhara.values() for a in articles]
    rows += [("ant-jawharafm", p) for p in draw(pool, _plan(args.jawhara), rng, taken)]
    for corpus, (record, index, text, kind) in rows:
        print(json.dumps({"id": record["id"], "corpus": corpus, "draw": args.draw, "batch": args.batch,
                          "kind": kind, "paragraph": index, "split": "test", "text": text, "quotes": []},
                         ensure_ascii=False))
    print(f"{len(rows)} paragraphs", file=sys.stderr)


if __name__ == "__main__":
    main()
