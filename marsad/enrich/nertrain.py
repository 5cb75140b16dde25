"""Train and evaluate the NER model (``marsad train-ner``).

Train data: the rebuilt ANERcorp train part (training on AQMAR too lowered dev F1: its Wikipedia
MISC is not ANERcorp's; its entity lists are used as a gazetteer). Gazetteer features on the
training sentences come from the OTHER folds (jackknife), so the model does not learn to trust
a list that was built from the very sentences it is reading. Two passes: the second sees the
first pass's tags and the types the first pass gave the same name elsewhere in the story.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
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
    wikifane,
)
from marsad.enrich.nerfeatures import REACH, Featurizer, add_context_features, gazetteer_heads

DATA = Path(__file__).resolve().parent / "data"
MODEL = DATA / "ner.crfsuite"  # second pass
FIRST = DATA / "ner1.crfsuite"  # first pass
CLUSTERS = DATA / "ner_clusters.tsv.gz"
GAZETTEER = DATA / "ner_gazetteer.tsv.gz"
FOLDS = 5  # gazetteer jackknife
STACK_FOLDS = 2  # out-of-fold first-pass tags for the second pass


@dataclass
class TrainConfig:
    c1: float = 0.05
    c2: float = 0.01
    iterations: int = 150
    dev: bool = False  # hold out the last tenth of train and report on it instead of the test file
    second_pass: bool = True  # False: quicker runs for tuning (the shipped model needs both)
    rebuild_clusters: bool = False  # relearn the word clusters from the news corpora first (~1 min)


def load_gazetteer(path: Path = GAZETTEER) -> dict[tuple[str, ...], str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return {tuple(p.split(" ")): k for p, k in (line.rstrip("\n").split("\t") for line in fh)}


def write_gazetteer(gaz: dict[tuple[str, ...], str], path: Path) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        for key in sorted(gaz):
            fh.write(" ".join(key) + "\t" + gaz[key] + "\n")


def base_gazetteer(shared: Path) -> dict[tuple[str, ...], str]:
    """Lists from outside the ANERcorp train part: WikiFANE and AQMAR entities, countries."""
    return {**derive_gazetteer(wikifane(shared)), **derive_gazetteer(aqmar(shared)), **countries(shared)}


def countries(shared: Path) -> dict[tuple[str, ...], str]:
    return {phrase_key(name): "LOC" for name in country_names(shared)}


def featurize(sents: Sequence[Sentence], clusters, gaz) -> list[list[dict]]:
    featurizer = Featurizer(clusters, (gaz, gazetteer_heads(gaz)))
    return [featurizer.sentence([t for t, _ in s]) for s in sents]


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


def out_of_fold_tags(xs, ys, cfg: TrainConfig, work: Path) -> list[list[str]]:
    """First-pass tags of every training sentence from a model that did not see its block."""
    import pycrfsuite

    tags: list[list[str]] = []
    n = len(xs)
    for k in range(STACK_FOLDS):
        a, b = n * k // STACK_FOLDS, n * (k + 1) // STACK_FOLDS
        path = work / f"fold{k}.crfsuite"
        train_model(xs[:a] + xs[b:], ys[:a] + ys[b:], path, cfg)
        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        tags.extend(tagger.tag(x) for x in xs[a:b])
        tagger.close()
    return tags


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


def evaluate(model_dir: Path, sents: Sequence[Sentence], passes: int = 2) -> dict[str, dict]:
    """Scores of the first pass alone and of both passes."""
    from marsad.enrich.ner import Model

    model = Model(model_dir, passes)
    tokens = [[t for t, _ in s] for s in sents]
    gold = [[g for _, g in s] for s in sents]
    first = [model.first.tag(model.featurizer.sentence(s)) for s in tokens]
    if passes == 1:
        return {"first_pass": score(gold, first)}
    return {"first_pass": score(gold, first), "two_pass": score(gold, model.tag_document(tokens))}


def train_ner(shared: Path, out: Path = DATA, cfg: TrainConfig | None = None) -> dict:
    """Rebuild the train part, train both CRF passes into ``out`` (a folder), and score them.

    Scores the held-out dev tenth when ``cfg.dev`` is set, else the official test file.
    """
    cfg = cfg or TrainConfig()
    t0 = time.time()
    train, _ = anercorp_split(shared)
    dev: list[Sentence] = []
    if cfg.dev:
        cut = len(train) * 9 // 10
        train, dev = train[:cut], train[cut:]
    out.mkdir(parents=True, exist_ok=True)
    if cfg.rebuild_clusters:
        build_clusters(shared, CLUSTERS)
    if out.resolve() != DATA:
        shutil.copyfile(CLUSTERS, out / CLUSTERS.name)
    clusters = load_clusters(CLUSTERS)
    base = base_gazetteer(shared)
    write_gazetteer({**base, **derive_gazetteer(train)}, out / GAZETTEER.name)
    xs = jackknife_features(train, clusters, base)
    ys = [[g for _, g in s] for s in train]
    if cfg.second_pass:
        with tempfile.TemporaryDirectory(dir=out) as work:  # beside the output, not in a shared /tmp
            first = out_of_fold_tags(xs, ys, cfg, Path(work))
    train_model(xs, ys, out / FIRST.name, cfg)
    held_out = dev if cfg.dev else official_test(shared)
    if not cfg.second_pass:
        return {"seconds": round(time.time() - t0, 1), "scores": evaluate(out, held_out, 1)}
    add_context_features([[t for t, _ in s] for s in train], xs, first, REACH)
    train_model(xs, ys, out / MODEL.name, cfg)
    result = evaluate(out, held_out)
    return {"model": str(out / MODEL.name), "seconds": round(time.time() - t0, 1), "scores": result}
