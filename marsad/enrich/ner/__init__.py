"""Named-entity tagger: persons, locations, organizations and misc (ANERcorp types).

A small convolutional network with a CRF output layer (``ner.net``), run with numpy; then each
name it tagged is carried to its other mentions nearby (``ner.consistency``). Its weights and the
gazetteer it reads ship in ``marsad/enrich/data`` and are loaded once, on first use. Training
(``marsad train-ner``, the ``train`` extra) lives in ``ner.train``; nothing here imports it.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from marsad.enrich.ner.consistency import spread
from marsad.enrich.ner.features import entities, gazetteer_heads, tokenize
from marsad.errors import InputError

DATA = Path(__file__).resolve().parents[1] / "data"
NET = "ner_net.npz"
GAZETTEER = "ner_gazetteer.tsv.gz"
_LOCK = threading.Lock()  # guards the encoder's word cache
_SENTENCE_END = {".", "!", "?", "؟", "…"}
_MAX_SENTENCE = 200


class Model:
    """The network with the gazetteer it was trained with."""

    def __init__(self, data: Path):
        from marsad.enrich.ner.net import Encoder, load_net

        self.net = load_net(data / NET)
        phrases = load_gazetteer(data / GAZETTEER)
        self.encoder = Encoder(self.net.vocabs(), (phrases, gazetteer_heads(phrases)))

    def tag_document(self, sents: Sequence[Sequence[str]]) -> list[list[str]]:
        """IOB2 tags for consecutive sentences of one text; names recur across its sentences."""
        return self.tag_scored(sents, probabilities=False)[0]

    def tag_scored(self, sents: Sequence[Sequence[str]], probabilities: bool = True
                   ) -> tuple[list[list[str]], list[list[float]]]:
        """Tags as ``tag_document`` gives them, and each token's probability of being part of a name
        (1 - the network's probability of O), as the network scored it before names were carried."""
        with _LOCK:
            ids = [self.encoder.sentence(s) for s in sents]
        tags, probs = self.net.tag_scored(ids, probabilities)
        named = [(1.0 - p[:, 0]).tolist() for p in probs]
        return spread(sents, tags), named


def load_gazetteer(path: Path = DATA / GAZETTEER) -> dict[tuple[str, ...], str]:
    """Folded name (as a tuple of tokens) → type, as the network was trained with."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return {tuple(p.split(" ")): k for p, k in (line.rstrip("\n").split("\t") for line in fh)}


@lru_cache(maxsize=4)
def load_model(data: Path = DATA) -> Model:
    if not (data / NET).is_file():
        raise InputError(f"no NER model in {data}; run `marsad train-ner`")
    return Model(data)


def tag(tokens: Sequence[str], model_dir: Path | None = None) -> list[str]:
    """IOB2 tags (B-PERS, I-LOC, O, ...) for one sentence of ANERcorp-style tokens."""
    return tag_document([tokens], model_dir)[0]


def tag_document(sents: Sequence[Sequence[str]], model_dir: Path | None = None) -> list[list[str]]:
    """IOB2 tags for the sentences of one document, in order (better than one sentence at a time)."""
    return load_model(model_dir or DATA).tag_document([list(s) for s in sents])


def _sentences(spans: list[tuple[int, int, str]]) -> list[list[tuple[int, int, str]]]:
    out: list[list[tuple[int, int, str]]] = [[]]
    for span in spans:
        out[-1].append(span)
        if span[2] in _SENTENCE_END or len(out[-1]) >= _MAX_SENTENCE:
            out.append([])
    return [s for s in out if s]


def find_entities(text: str, model_dir: Path | None = None) -> list[tuple[int, int, str, str]]:
    """(start, end, type, surface) of every entity in raw text; offsets index into ``text``.

    Pass a whole article (or paragraph) at once: the tagger uses names repeated across sentences.
    """
    return [found[:4] for found in find_scored_entities(text, model_dir, probabilities=False)]


def find_scored_entities(text: str, model_dir: Path | None = None, probabilities: bool = True
                         ) -> list[tuple[int, int, str, str, float | None]]:
    """``find_entities`` with the tagger's confidence in each: the lowest probability, over its
    tokens, that the network gives the token a name's tag rather than O. A name carried to a mention
    the network did not tag there (``ner.consistency``) gets that mention's own, low, figure."""
    sents = _sentences(tokenize(text))
    words = [[t for _, _, t in s] for s in sents]
    tags, named = load_model(model_dir or DATA).tag_scored(words, probabilities)
    found = []
    for sent, sent_tags, probs in zip(sents, tags, named, strict=True):
        for kind, a, b in entities(sent_tags):
            start, end = sent[a][0], sent[b - 1][1]
            found.append((start, end, kind, text[start:end], min(probs[a:b]) if probs else None))
    return found


def tag_conll(text: str, model_dir: Path | None = None) -> list[str]:
    """One output line per input line: ``token TAG`` for a token line, blank for a blank line."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line.split()[0])
        elif blocks[-1]:
            blocks.append([])
    tags = iter(t for sent in tag_document([b for b in blocks if b], model_dir) for t in sent)
    return [f"{line.split()[0]} {next(tags)}" if line.strip() else "" for line in lines]
