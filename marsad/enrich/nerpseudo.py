"""News tagged by trained networks, to train another network on (self-training / distillation).

ANERcorp's train part is small: most names a reader meets are not in it. Networks trained on it
(the teachers) tag whole news articles, and the next network learns from their tags as well as
from ANERcorp. With several teachers, one network learns what their average knows and tags at
one network's speed. Training-time only.
"""

from __future__ import annotations

import json
import lzma
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from marsad.enrich.ner import Model, sentence_spans
from marsad.enrich.nercorpus import Sentence
from marsad.enrich.nerfeatures import Gazetteer, tokenize
from marsad.enrich.nernet import Encoder
from marsad.enrich.nernettrain import Encoded, tag_ids

NEWS = "news/ant-multisource/articles.jsonl.xz"  # five outlets, every section
STRIDE = 7  # every 7th article: all outlets and sections, in file order


def news_articles(shared: Path, stride: int = STRIDE) -> Iterator[list[list[str]]]:
    """Every ``stride``-th article of the news corpus as sentences of tokens (split as at run time)."""
    with lzma.open(shared / "data" / NEWS, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i % stride:
                continue
            art = json.loads(line)
            paras = [art.get("title") or "", *(art.get("text") or "").split("\n")]
            sents = [[t for _, _, t in s] for para in paras for s in sentence_spans(tokenize(para))]
            if sents:
                yield sents


def pseudo_labelled(shared: Path, teacher: Path, tokens: int) -> list[Sentence]:
    """Whole articles tagged by the model in ``teacher`` (a folder), about ``tokens`` tokens."""
    model = Model(teacher)
    out: list[Sentence] = []
    total = 0
    for sents in news_articles(shared):
        for toks, tags in zip(sents, model.tag_document(sents), strict=True):
            out.append(list(zip(toks, tags, strict=True)))
        total += sum(len(s) for s in sents)
        if total >= tokens:
            break
    return out


def encode_plain(sents: Sequence[Sentence], vocabs, gazetteer: Gazetteer) -> Encoded:
    """Sentences encoded as text to tag is: the whole gazetteer, nothing hidden."""
    enc = Encoder(vocabs, gazetteer)
    ids = [enc.sentence([t for t, _ in s]) for s in sents]
    return Encoded(ids, tag_ids(sents), [np.zeros(len(x), dtype=bool) for x in ids])


def joined(a: Encoded, b: Encoded) -> Encoded:
    return Encoded(a.ids + b.ids, a.tags + b.tags, a.unseen + b.unseen)
