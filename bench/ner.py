"""NER quality and speed on the official ANERcorp CAMeL Lab test file.

Prints entity-level P/R/F1 per type and micro (seqeval default mode) for the shipped model (and
for it without name spreading, and with each sentence tagged alone), tagging speed on one core
(tokens/s, best of 3 passes; BLAS limited to one thread), peak RSS and the size of the shipped
model data. ``--baseline`` also trains and scores a plain word-shape CRF in the same run.
Usage: python3 bench/ner.py [--baseline]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core: before numpy loads
ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared"))
ANCHOR = {"CAMeLBERT-MSA (GPU, published)": 82.4, "AraBERTv0.2-base third-party micro": 81.27}
sys.path.insert(0, str(ROOT))

from marsad.enrich import ner  # noqa: E402
from marsad.enrich.ner.train import score  # noqa: E402
from marsad.enrich.ner.train.corpus import anercorp_split, official_test  # noqa: E402


def run_shipped(test) -> tuple[dict, dict[str, float]]:
    """Scores, and tokens/s: first pass (cold word cache) and best of 3, in CPU and wall time.

    CPU time is this process's own time on its one core, so other jobs on a busy machine do not
    count against it; wall time is what a user waits here and now.
    """
    ner.tag(["x"])  # load the model outside the timing
    sents = [[t for t, _ in s] for s in test]
    n = sum(map(len, sents))
    speeds: dict[str, float] = {}
    for run in range(3):
        cpu, wall = time.process_time(), time.perf_counter()
        pred = ner.tag_document(sents)  # the file is in corpus order, like one long story
        cpu, wall = n / (time.process_time() - cpu), n / (time.perf_counter() - wall)
        if run == 0:
            speeds["cold cpu"], speeds["cold wall"] = cpu, wall
        speeds["cpu"], speeds["wall"] = max(speeds.get("cpu", 0), cpu), max(speeds.get("wall", 0), wall)
    return score([[g for _, g in s] for s in test], pred), speeds


def run_ablations(test) -> dict[str, dict]:
    """The shipped tagger without its parts that read beyond the sentence: the network alone (no
    name spreading), and every sentence tagged on its own (no neighbouring sentences at all)."""
    model = ner.load_model()
    sents, gold = [[t for t, _ in s] for s in test], [[g for _, g in s] for s in test]
    net_alone = model.net.tag([model.encoder.sentence(s) for s in sents])
    return {"network alone, no name spreading": score(gold, net_alone),
            "each sentence tagged alone": score(gold, [ner.tag(s) for s in sents])}


def shape_features(tokens: list[str]) -> list[dict]:
    from marsad.enrich.ner.features import shape

    out = []
    for i, tok in enumerate(tokens):
        d = {"w": tok, "shape": shape(tok), "p2": tok[:2], "s2": tok[-2:]}
        for off in (-1, 1):
            j = i + off
            d[f"{off}w"] = tokens[j] if 0 <= j < len(tokens) else "<pad>"
        out.append(d)
    return out


def run_baseline(test) -> dict:
    """A plain CRF on word identity, shape and 2-letter affixes with a ±1 window."""
    try:
        import pycrfsuite
    except ImportError:
        sys.exit("--baseline needs python-crfsuite: pip install 'marsad[bench]'")

    train, _ = anercorp_split(SHARED)
    trainer = pycrfsuite.Trainer(verbose=False)
    for s in train:
        trainer.append(shape_features([t for t, _ in s]), [g for _, g in s])
    trainer.set_params({"c1": 0.1, "c2": 0.01, "max_iterations": 100})
    with tempfile.TemporaryDirectory() as tmp:
        trainer.train(f"{tmp}/base.crfsuite")
        tagger = pycrfsuite.Tagger()
        tagger.open(f"{tmp}/base.crfsuite")
        pred = [tagger.tag(shape_features([t for t, _ in s])) for s in test]
    return score([[g for _, g in s] for s in test], pred)


def print_scores(name: str, scores: dict) -> None:
    cells = "  ".join(f"{k} {v['f1'] * 100:5.1f}" for k, v in scores.items() if k != "micro")
    m = scores["micro"]
    print(f"{name:34} {cells}  micro P {m['precision'] * 100:5.1f} R {m['recall'] * 100:5.1f} "
          f"F1 {m['f1'] * 100:5.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", action="store_true", help="also train the plain word-shape CRF")
    args = ap.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    test = official_test(SHARED)
    scores, speed = run_shipped(test)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = sum((ner.DATA / f).stat().st_size for f in (ner.NET, ner.GAZETTEER)) / 2**20
    print(f"ANERcorp CAMeL Lab test: {sum(map(len, test))} tokens, {scores['micro']['support']} entities")
    print_scores("marsad conv net + CRF (shipped)", scores)
    for name, ablated in run_ablations(test).items():
        print_scores(f"  {name}", ablated)
    if args.baseline:
        print_scores("plain word-shape CRF (this run)", run_baseline(test))
    for name, f1 in ANCHOR.items():
        print(f"{name:34} micro F1 {f1:5.1f}")
    print(f"tokens/s on one core: {speed['cpu']:,.0f} per CPU-second ({speed['cold cpu']:,.0f} with a cold "
          f"word cache), {speed['wall']:,.0f} wall-clock (load average {os.getloadavg()[0]:.1f})")
    print(f"peak RSS {rss:.0f} MB · model data {size:.1f} MB")


if __name__ == "__main__":
    main()
