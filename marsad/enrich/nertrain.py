"""Train and evaluate the NER model (``marsad train-ner``).

Train data: the rebuilt ANERcorp train part, optionally AQMAR. Gazetteer features on the
training sentences come from the OTHER folds (jackknife), so the model does not learn to
trust a list that was built from the very sentences it is reading.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from marsad.enrich.nerclusters import build_clusters, load_clusters
from marsad.enrich.nercorpus import (
    TYPES,
    Sentence,
    anercorp_split,
    aqmar,
    country_names,
    derive_gazetteer,
    entities,
    official_test,
    phrase_key,
)
from marsad.enrich.nerfeatures import sentence_features

DATA = Path(__file__).resolve().parent / "data"
MODEL = DATA / "ner.crfsuite"
CLUSTERS = DATA / "ner_clusters.tsv.gz"
GAZETTEER = DATA / "ner_gazetteer.tsv.gz"
FOLDS = 5


@dataclass
class TrainConfig:
    c1: float = 0.05
    c2: float = 0.01
    iterations: int = 150
    use_aqmar: bool = False  # AQMAR's Wikipedia MISC differs from ANERcorp's; it lowered dev F1
    dev: bool = False  # hold out the last tenth of train and report on it instead of the test file
    rebuild_clusters: bool = False  # relearn the word clusters from the news corpora first (~1 min)
    features: dict = field(default_factory=dict)


def load_gazetteer(path: Path = GAZETTEER) -> dict[tuple[str, ...], str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return {tuple(p.split(" ")): k for p, k in (line.rstrip("\n").split("\t") for line in fh)}


def write_gazetteer(gaz: dict[tuple[str, ...], str], path: Path) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        for key in sorted(gaz):
            fh.write(" ".join(key) + "\t" + gaz[key] + "\n")


def base_gazetteer(shared: Path) -> dict[tuple[str, ...], str]:
    """Lists that come from outside the ANERcorp train part: countries and AQMAR entities."""
    return {**derive_gazetteer(aqmar(shared)), **countries(shared)}


def countries(shared: Path) -> dict[tuple[str, ...], str]:
    return {phrase_key(name): "LOC" for name in country_names(shared)}


def longest(gaz: dict) -> int:
    return max((len(k) for k in gaz), default=1)


def featurize(sents: Sequence[Sentence], clusters, gaz) -> list[list[dict]]:
    n = longest(gaz)
    return [sentence_features([t for t, _ in s], clusters, gaz, n) for s in sents]


def jackknife_features(sents: Sequence[Sentence], clusters, base: dict) -> list[list[dict]]:
    """Featurize each fold with a gazetteer derived from the other folds plus the base lists."""
    out: list[list[dict]] = [[] for _ in sents]
    for k in range(FOLDS):
        held = [i for i in range(len(sents)) if i % FOLDS == k]
        others = [s for i, s in enumerate(sents) if i % FOLDS != k]
        gaz = {**base, **derive_gazetteer(others)}
        for i, feats in zip(held, featurize([sents[i] for i in held], clusters, gaz), strict=True):
            out[i] = feats
    return out


def train_model(xs, ys, out: Path, cfg: TrainConfig) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for x, y in zip(xs, ys, strict=True):
        trainer.append(x, y)
    trainer.set_params({
        "c1": cfg.c1,
        "c2": cfg.c2,
        "max_iterations": cfg.iterations,
        "feature.possible_transitions": True,
    })
    trainer.train(str(out))


def score(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict[str, dict[str, float]]:
    """Entity-level precision/recall/F1 per type and micro (seqeval default mode)."""
    counts = {k: [0, 0, 0] for k in TYPES}  # true positives, predicted, gold
    for g, p in zip(gold, pred, strict=True):
        ge, pe = set(entities(g)), set(entities(p))
        for kind, *_ in ge:
            counts.setdefault(kind, [0, 0, 0])[2] += 1
        for kind, *_ in pe:
            counts.setdefault(kind, [0, 0, 0])[1] += 1
        for kind, *_ in ge & pe:
            counts[kind][0] += 1
    counts["micro"] = [sum(c[j] for k, c in counts.items() if k != "micro") for j in range(3)]
    return {k: _prf(*c) for k, c in counts.items()}


def _prf(tp: int, npred: int, ngold: int) -> dict[str, float]:
    p = tp / npred if npred else 0.0
    r = tp / ngold if ngold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "support": ngold}


def evaluate(model: Path, sents: Sequence[Sentence], clusters, gaz) -> dict[str, dict[str, float]]:
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    pred = [tagger.tag(x) for x in featurize(sents, clusters, gaz)]
    return score([[g for _, g in s] for s in sents], pred)


def train_ner(shared: Path, out: Path = MODEL, cfg: TrainConfig | None = None) -> dict:
    """Rebuild the train part, train the CRF, write model + gazetteer, and score it.

    Scores the held-out dev tenth when ``cfg.dev`` is set, else the official test file.
    """
    cfg = cfg or TrainConfig()
    t0 = time.time()
    train, _ = anercorp_split(shared)
    dev: list[Sentence] = []
    if cfg.dev:
        cut = len(train) * 9 // 10
        train, dev = train[:cut], train[cut:]
    if cfg.rebuild_clusters:
        build_clusters(shared, CLUSTERS)
    clusters = load_clusters(CLUSTERS)
    base = base_gazetteer(shared)
    xs = jackknife_features(train, clusters, base)
    ys = [[g for _, g in s] for s in train]
    if cfg.use_aqmar:
        extra = aqmar(shared)
        xs += featurize(extra, clusters, {**countries(shared), **derive_gazetteer(train)})
        ys += [[g for _, g in s] for s in extra]
    gaz = {**base, **derive_gazetteer(train)}
    out.parent.mkdir(parents=True, exist_ok=True)
    train_model(xs, ys, out, cfg)
    gaz_path = out.parent / GAZETTEER.name
    write_gazetteer(gaz, gaz_path)
    result = evaluate(out, dev if cfg.dev else official_test(shared), clusters, gaz)
    return {"model": str(out), "seconds": round(time.time() - t0, 1), "scores": result}
