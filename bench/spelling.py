"""Spelling: do orthographic variants find each other, and do look-alike words stay apart?

Both lists come from ant-multisource and live in ``bench/data/spelling_pairs.tsv``
(kind, query word, other word, category, split):

- ``variant``: two spellings outlets print for one word, both seen in the corpus:
  hamza seats, ta marbuta and alif maqsura (``seat``), a preposition before a hamza
  (``hamza-clitic``: لإيران / إيران), and transliterated names (``name``: سوريا / سورية);
- ``distinct``: a place or person name and a word the old light stemmer made of the
  same letters (``name``: لبنان / لبن, عمان / عمها), each seen in the corpus.

``split`` puts every pair in ``dev`` (looked at while writing the rules and the data
tables) or ``held`` (never looked at: held out from tuning), by a hash of the pair.

The measure runs the user path: for each pair, in each direction, a real sentence of
the corpus holding the other word (and not the query word) is ingested with the call
``marsad ingest`` makes, and the query word is searched with the call ``marsad
search --no-fold`` makes (default matching). A variant is found when its sentence
is among the hits; a distinct pair is kept apart when it is not.

    python3 bench/spelling.py            # rates per kind, category and split
    python3 bench/spelling.py --mine     # candidate pairs from the corpus, for the list
"""

from __future__ import annotations

import argparse
import collections
import csv
import hashlib
import json
import lzma
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "data/news/ant-multisource/articles.jsonl.xz"
PAIRS = ROOT / "bench/data/spelling_pairs.tsv"

from marsad.arabic.normalize import normalize_for_matching  # noqa: E402
from marsad.arabic.stem import clitic_stem, light_stem, stopwords  # noqa: E402
from marsad.archive import open_archive  # noqa: E402
from marsad.search import search  # noqa: E402
from marsad.search.analyze import words  # noqa: E402

_WORD = re.compile(r"[\u0621-\u064a]+")
_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_SENTENCE = re.compile(r"[^.!?؟\n]+")


def split_of(a: str, b: str) -> str:
    return "dev" if hashlib.sha1(f"{a}\t{b}".encode()).digest()[0] % 2 == 0 else "held"


def read_pairs(path: Path = PAIRS) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"))


def corpus_texts():
    with lzma.open(CORPUS, "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            yield _MARKS.sub("", f"{d.get('title') or ''}\n{d.get('text') or ''}")


# -- mining candidates --------------------------------------------------------------------------

def _folded(w: str) -> str:
    return normalize_for_matching(w)


def mine() -> None:
    counts = collections.Counter(w for t in corpus_texts() for w in _WORD.findall(t))
    frequent = {w: n for w, n in counts.items() if n >= 20}
    stop = stopwords()
    by_fold = collections.defaultdict(list)
    for w in frequent:
        by_fold[_folded(w)].append(w)
    seats = []  # spellings that differ only in what normalization folds (hamza seat, ة/ه, ى/ي)
    for forms in by_fold.values():
        forms = sorted(forms, key=lambda w: -frequent[w])
        if len(forms) > 1 and _folded(forms[0]) not in stop and len(forms[0]) >= 4:
            seats.append((frequent[forms[1]], forms[0], forms[1]))
    clitic = []  # ب ل ك before hamza, the rest a frequent word of its own
    for w, n in frequent.items():
        m = re.match("^([وف]?[بلك])([أإآ].{2,})$", w)
        if m and frequent.get(m.group(2), 0) >= 20 and _folded(m.group(2)) not in stop:
            clitic.append((min(n, frequent[m.group(2)]), w, m.group(2)))
    for kind, rows in (("seat", seats), ("hamza-clitic", clitic)):
        for _, a, b in sorted(rows, reverse=True)[:70]:
            print(f"variant\t{a}\t{b}\t{kind}\t{split_of(a, b)}")
    _mine_lookalikes(counts)


def _mine_lookalikes(counts: collections.Counter) -> None:
    """Country names (CLDR, as the enrichment stage lists them) and a word of other letters that
    the Lucene-style light stemmer gives the same stem."""
    names = {}
    for line in (ROOT / "marsad/enrich/data/countries.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name = line.split("\t")[1]
            if " " not in name and counts.get(name, 0) >= 20:
                names[name] = clitic_stem(_folded(name))
    by_stem = collections.defaultdict(list)
    for w, n in counts.items():
        if n >= 5:
            by_stem[light_stem(_folded(w))].append(w)
    for name, core in sorted(names.items()):
        for w in sorted(by_stem.get(light_stem(core), []), key=lambda w: -counts[w])[:6]:
            if core not in _folded(w):  # not a form of the name itself
                print(f"distinct\t{name}\t{w}\tname\t{split_of(name, w)}")


# -- measuring ----------------------------------------------------------------------------------

def _matches(query: str, text: str, skip: str) -> bool:
    """Whether a word of ``text`` other than ``skip`` (as written) has an index term of ``query``."""
    from marsad.search.analyze import DEFAULT_SCHEME

    def terms(word: str) -> set[str]:
        return {a.term(w) for a in DEFAULT_SCHEME.analyzers for w in words(word)}

    wanted = terms(query)
    return any(terms(t) & wanted for t in set(_WORD.findall(text)) if t != skip)


def sentences(needed: set[str], per_word: int = 8) -> dict[str, list[str]]:
    """Up to ``per_word`` corpus sentences (8 to 40 words) holding each needed word as written."""
    found: dict[str, list[str]] = collections.defaultdict(list)
    for text in corpus_texts():
        for s in _SENTENCE.findall(text):
            tokens = set(_WORD.findall(s))
            hits = tokens & needed
            if not hits or not 8 <= len(s.split()) <= 40:
                continue
            for w in hits:
                if len(found[w]) < per_word:
                    found[w].append(s.strip())
        if all(len(found[w]) >= per_word for w in needed):
            break
    return found


def cases(pairs: list[dict], found: dict[str, list[str]]) -> list[dict]:
    """One case per pair and direction: query word, and a sentence with the other word but not the
    query word as written (a variant) or in any spelling (a distinct pair)."""
    out = []
    for p in pairs:
        for query, other in ((p["a"], p["b"]), (p["b"], p["a"])):
            if p["kind"] == "variant":
                ok = lambda s, q=query: q not in s  # noqa: E731
            else:
                ok = lambda s, q=query, o=other: not _matches(q, s, o)  # noqa: E731
            text = next((s for s in found.get(other, []) if ok(s)), None)
            if text is not None:
                out.append({**p, "query": query, "text": text, "id": f"case{len(out)}"})
    return out


def measure(cs: list[dict], verbose: bool = False) -> dict[tuple, list[int]]:
    """(kind, category, split) → [cases, right answers], through ingest and search."""
    with tempfile.TemporaryDirectory() as tmp:
        src, db = Path(tmp) / "cases.jsonl", Path(tmp) / "cases.db"
        with open(src, "w", encoding="utf-8") as f:
            for c in cs:
                f.write(json.dumps({"id": c["id"], "title": c["text"][:60], "text": c["text"]},
                                   ensure_ascii=False) + "\n")
        with open_archive(db) as arc:
            report = arc.ingest([src], enrich=False)
        refused = {f.source.rsplit("#", 1)[-1] for f in report.failed}
        tally: dict[tuple, list[int]] = collections.defaultdict(lambda: [0, 0])
        with open_archive(db, readonly=True) as arc:
            for n, c in enumerate(cs, 1):
                if str(n) in refused:
                    continue
                ids = {h.id for h in search(arc, c["query"], limit=1000, fold=False).hits}
                right = (c["id"] in ids) == (c["kind"] == "variant")
                if verbose and not right and c["split"] == "dev":
                    print(f"wrong: {c['kind']} {c['query']} / {c['b'] if c['query'] == c['a'] else c['a']}")
                for key in ((c["kind"], c["category"], c["split"]), (c["kind"], "all", c["split"])):
                    tally[key][0] += 1
                    tally[key][1] += right
    return tally


def report(tally: dict[tuple, list[int]], pairs: list[dict]) -> None:
    sizes = collections.Counter(p["kind"] for p in pairs)
    print(f"pairs: {sizes['variant']} variant, {sizes['distinct']} distinct (each searched both ways)\n")
    print("| kind | category | dev: cases, rate | held out: cases, rate |")
    print("|---|---|---|---|")
    for kind, category in sorted({k[:2] for k in tally}):
        cells = []
        for split in ("dev", "held"):
            n, right = tally.get((kind, category, split), [0, 0])
            cells.append(f"{n}, {right / n:.3f}" if n else "0, -")
        what = "found" if kind == "variant" else "kept apart"
        print(f"| {kind} ({what}) | {category} | {cells[0]} | {cells[1]} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mine", action="store_true", help="print candidate pairs mined from the corpus")
    ap.add_argument("--wrong", action="store_true", help="list the dev pairs answered wrongly")
    args = ap.parse_args()
    if args.mine:
        mine()
        return
    pairs = read_pairs()
    found = sentences({w for p in pairs for w in (p["a"], p["b"])})
    report(measure(cases(pairs, found), args.wrong), pairs)


if __name__ == "__main__":
    main()
