"""Benchmark of quote extraction on the hand-labelled ANT quote set, through ``enrich_article``.

    python3 bench/quotes.py [--errors] [--dev] [--fit] [--speed 2000]

The development data is draws 1-3 (tests/enrich/golden/ant-quotes.jsonl, described in ant-quotes.md
beside it) and draw 4 (ant-quotes-4.jsonl, a test set once, scored once, then read for its mistakes):
"dev 1-4". The test set is draw 5 (ant-quotes-5.jsonl, labelled by reading only), scored, never read
for mistakes nor fitted on. For each part: quotes in the gold, span precision / recall / F1, speaker
accuracy of the quotes found with the right span, the same for quotes whose speaker is not named in
their paragraph before them (وأضاف: «…»), and articles per second of the whole enrichment (the
labelled articles, one process, the installed tagger). ``--fit`` refits the weights of the speaker
choice (``marsad.enrich.speakerfit``: cross-validated by article hash on draws 1-4) and writes them to
``marsad/enrich/data/speaker_weights.json`` before scoring. ``--speed N`` also enriches the first N
articles of the corpus and prints the CPU time of the quote stage per article beside the others.
``--errors`` prints the mistakes of draws 1-4, ``--dev`` leaves the test draw out.
"""

from __future__ import annotations

import argparse
import json
import lzma
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.enrich import enrich_article, ner_available  # noqa: E402
from marsad.enrich.quotescoring import load_quote_set, score_quotes, set_articles  # noqa: E402
from marsad.enrich.speakerchoice import weights  # noqa: E402
from marsad.enrich.speakerfit import choose_and_fit, groups  # noqa: E402
from marsad.parse.records import record_to_article  # noqa: E402

SHARED = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "data" / "news" / "ant-multisource" / "articles.jsonl.xz"
SET = ROOT / "tests" / "enrich" / "golden" / "ant-quotes.jsonl"
DRAW4 = ROOT / "tests" / "enrich" / "golden" / "ant-quotes-4.jsonl"
TEST = ROOT / "tests" / "enrich" / "golden" / "ant-quotes-5.jsonl"
WEIGHTS = ROOT / "marsad" / "enrich" / "data" / "speaker_weights.json"
PARTS = {  # name: which rows
    "dev 1-4": lambda r: r["draw"] < 5,
    "dev 1-3": lambda r: r["draw"] < 4,
    "dev 4": lambda r: r["draw"] == 4,
    "dev 4 JA": lambda r: r["draw"] == 4 and r.get("corpus") == "ant-jawharafm",
    "test 5": lambda r: r["draw"] == 5,
    "test 5 JA": lambda r: r["draw"] == 5 and r.get("corpus") == "ant-jawharafm",
}
STAGES = ("ner", "dates", "figures", "canonical", "quotes")


def run(rows: list[dict]) -> tuple[object, float]:
    """(score, articles per wall second) of one part of the set."""
    articles = set_articles(SHARED / "data" / "news", rows)
    t0 = time.perf_counter()
    enriched = {i: enrich_article(a) for i, a in articles.items()}
    return score_quotes(rows, enriched), len(articles) / (time.perf_counter() - t0)


def speed(n: int) -> str:
    """CPU ms per article of each enrichment stage over the first ``n`` articles of the corpus."""
    with lzma.open(CORPUS, "rt", encoding="utf-8") as f:
        articles = [record_to_article(json.loads(line), "") for line, _ in zip(f, range(n), strict=False)]
    timings: dict[str, float] = {}
    quotes = sum(len(enrich_article(a, timings=timings).quotes) for a in articles)
    cells = ", ".join(f"{s} {timings.get(s, 0) * 1000 / n:.2f}" for s in STAGES)
    share = timings.get("quotes", 0) / sum(timings.values())
    return f"{n} articles, {quotes} quotes; CPU ms per article: {cells} (quotes {share:.1%} of enrichment)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", action="store_true", help="print the mistakes of draws 1-4")
    ap.add_argument("--dev", action="store_true",
                    help="score draws 1-4 only, leaving the test draw unread")
    ap.add_argument("--fit", action="store_true",
                    help="refit the speaker choice's weights on draws 1-4 (cross-validated), then score")
    ap.add_argument("--speed", type=int, default=0, metavar="N", help="time the stages on N corpus articles")
    args = ap.parse_args()
    if not ner_available():
        print("no trained NER model installed: speakers come from the alias table and the words after verbs")
    dev = load_quote_set(SET) + load_quote_set(DRAW4)
    if args.fit:
        choose_and_fit(groups(dev, SHARED / "data" / "news"), WEIGHTS)
        weights.cache_clear()
    test = [] if args.dev or not TEST.is_file() else load_quote_set(TEST)
    if not args.dev and not test:
        print(f"no test draw ({TEST.name}) yet: development draws only")
    rows = dev + test
    enrich_article(record_to_article({"title": "x", "text": "قال: «نعم»"}))  # load the model outside timing
    print(f"{'part':<10} {'quotes':>6} {'span P':>7} {'span R':>7} {'span F1':>7} {'speaker':>8} "
          f"{'carried':>12} {'art/s':>6}")
    for part, chosen in PARTS.items():
        if not (part_rows := [r for r in rows if chosen(r)]):
            continue
        score, rate = run(part_rows)
        carried = f"{score.right_carried / max(score.carried, 1):.3f} ({score.carried})"
        print(f"{part:<10} {score.gold:>6} {score.precision:>7.3f} {score.recall:>7.3f} {score.f1:>7.3f} "
              f"{score.speaker_accuracy:>8.3f} {carried:>12} {rate:>6.0f}")
        if args.errors and part == "dev 1-4":
            for kind in ("wrong", "missed", "wrong_speaker"):
                for item in getattr(score, kind):
                    print(f"  {kind}: {item}")
    if args.speed:
        print(speed(args.speed))


if __name__ == "__main__":
    main()
