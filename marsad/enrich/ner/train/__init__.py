"""Train and evaluate the NER model (``marsad train-ner``).

Train data: the rebuilt ANERcorp train part. WikiFANE and AQMAR (Wikipedia) tag by other guidelines
(their MISC is not ANERcorp's), so they train the shared layers through an output layer and CRF of
their own, which the shipped model leaves out; their entity lists are also a gazetteer. Word
vectors are learned from the news corpora first; the network (``ner.train.net``, needs the ``train``
extra: torch) learns everything else. Deterministic: one thread per network, fixed seeds; the
networks of an ensemble train in parallel, one process each.
"""

from __future__ import annotations

import gzip
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from marsad.enrich.ner import DATA
from marsad.enrich.ner import GAZETTEER as _GAZ
from marsad.enrich.ner import NET as _NET
from marsad.enrich.ner.features import entities
from marsad.enrich.ner.train.corpus import (
    TYPES,
    Sentence,
    anercorp_split,
    aqmar,
    country_names,
    derive_gazetteer,
    official_test,
    phrase_key,
    rejoin_clitics,
    wikifane,
)
from marsad.enrich.ner.train.net import (
    Encoded,
    NetConfig,
    build_vocabs,
    encode_jackknifed,
    ensemble,
    save,
    train_net,
)
from marsad.enrich.ner.train.vectors import news_vectors

GAZETTEER = DATA / _GAZ
NET = DATA / _NET
VECTORS = {"n_words": 100_000, "n_contexts": 10_000, "dim": 128}


@dataclass
class TrainConfig:
    dev: bool = False  # hold out the last tenth of train and report on it instead of the test file
    net: NetConfig = field(default_factory=NetConfig)
    members: int = 1  # networks from seeds net.seed, net.seed + 1, ...; their scores are averaged


def write_gazetteer(gaz: dict[tuple[str, ...], str], path: Path) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        for key in sorted(gaz):
            fh.write(" ".join(key) + "\t" + gaz[key] + "\n")


def base_gazetteer(shared: Path) -> dict[tuple[str, ...], str]:
    """Lists from outside the ANERcorp train part: WikiFANE and AQMAR entities, countries."""
    return {**derive_gazetteer(wikifane(shared)), **derive_gazetteer(aqmar(shared)), **countries(shared)}


def countries(shared: Path) -> dict[tuple[str, ...], str]:
    return {phrase_key(name): "LOC" for name in country_names(shared)}


def auxiliary(shared: Path, train: Sequence[Sentence], vocabs) -> Encoded:
    """WikiFANE (clitics joined back) and AQMAR, encoded. Their gazetteer ids come from lists
    without their own entities (the ANERcorp train part, countries, and the other folds of the
    same corpus), as for the train part. Their words are looked up in the train part's
    vocabulary, which never saw them, so none needs hiding."""
    sents = [rejoin_clitics(s) for s in wikifane(shared)] + aqmar(shared)
    base = {**countries(shared), **derive_gazetteer(train)}
    return encode_jackknifed(sents, vocabs, base, own_vocab=False)


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


def evaluate(model_dir: Path, sents: Sequence[Sentence]) -> dict[str, dict]:
    from marsad.enrich.ner import Model

    model = Model(model_dir)
    pred = model.tag_document([[t for t, _ in s] for s in sents])
    return score([[g for _, g in s] for s in sents], pred)


def _train_members(configs, data: Encoded, vocabs, vectors, aux: Encoded | None) -> list[dict]:
    """One network per config. Each trains on one thread, so several train in parallel, one process
    per core; a single one trains here, without copying the data into another process."""
    if len(configs) == 1:
        return [train_net(data, vocabs, vectors, configs[0], aux)]
    with ProcessPoolExecutor(min(len(configs), os.cpu_count() or 1)) as pool:
        jobs = [pool.submit(train_net, data, vocabs, vectors, c, aux) for c in configs]
        return [job.result() for job in jobs]


def train_ner(shared: Path, out: Path = DATA, cfg: TrainConfig | None = None) -> dict:
    """Rebuild the train part, learn the word vectors and the network into ``out`` (a folder),
    and score the result on the held-out dev tenth (``cfg.dev``) or else the official test file."""
    cfg = cfg or TrainConfig()
    t0 = time.time()
    train, _ = anercorp_split(shared)
    dev: list[Sentence] = []
    if cfg.dev:
        cut = len(train) * 9 // 10
        train, dev = train[:cut], train[cut:]
    out.mkdir(parents=True, exist_ok=True)
    base = base_gazetteer(shared)
    gaz = {**base, **derive_gazetteer(train)}
    write_gazetteer(gaz, out / GAZETTEER.name)
    words, vectors = news_vectors(shared, **VECTORS)
    vocabs = build_vocabs(train, words, gaz)
    data = encode_jackknifed(train, vocabs, base)
    aux = auxiliary(shared, train, vocabs) if cfg.net.aux_ratio else None
    configs = [replace(cfg.net, seed=cfg.net.seed + i) for i in range(cfg.members)]
    save(ensemble(_train_members(configs, data, vocabs, vectors, aux)), out / NET.name)
    scores = evaluate(out, dev if cfg.dev else official_test(shared))
    return {"model": str(out / NET.name), "seconds": round(time.time() - t0, 1), "scores": scores}
