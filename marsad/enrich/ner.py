"""Named-entity tagger: persons, locations, organizations and misc (ANERcorp types).

A CRF (python-crfsuite) over word, clitic-stripped stem, affix, word-cluster and gazetteer
features. The model, cluster table and gazetteer ship in ``marsad/enrich/data`` and are
loaded once, on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from marsad.enrich.nerfeatures import sentence_features, tokenize
from marsad.errors import InputError

DATA = Path(__file__).resolve().parent / "data"
_LOCK = threading.Lock()  # a crfsuite Tagger is not safe to share between threads
_SENTENCE_END = {".", "!", "?", "؟", "…"}
_MAX_SENTENCE = 200


class _Model:
    def __init__(self, data: Path):
        import pycrfsuite

        from marsad.enrich.nerclusters import load_clusters
        from marsad.enrich.nertrain import load_gazetteer

        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(data / "ner.crfsuite"))
        self.clusters = load_clusters(data / "ner_clusters.tsv.gz")
        self.gazetteer = load_gazetteer(data / "ner_gazetteer.tsv.gz")
        self.longest = max((len(k) for k in self.gazetteer), default=1)

    def tag(self, tokens: Sequence[str]) -> list[str]:
        feats = sentence_features(tokens, self.clusters, self.gazetteer, self.longest)
        with _LOCK:
            return self.tagger.tag(feats)


@lru_cache(maxsize=4)
def _model(data: Path = DATA) -> _Model:
    if not (data / "ner.crfsuite").is_file():
        raise InputError(f"no NER model in {data}; run `marsad train-ner`")
    return _Model(data)


def tag(tokens: Sequence[str], model_dir: Path | None = None) -> list[str]:
    """IOB2 tags (B-PERS, I-LOC, O, ...) for one sentence of ANERcorp-style tokens."""
    if not tokens:
        return []
    return _model(model_dir or DATA).tag(list(tokens))


def _sentences(spans: list[tuple[int, int, str]]) -> list[list[tuple[int, int, str]]]:
    out: list[list[tuple[int, int, str]]] = [[]]
    for span in spans:
        out[-1].append(span)
        if span[2] in _SENTENCE_END or len(out[-1]) >= _MAX_SENTENCE:
            out.append([])
    return [s for s in out if s]


def find_entities(text: str, model_dir: Path | None = None) -> list[tuple[int, int, str, str]]:
    """(start, end, type, surface) of every entity in raw text; offsets index into ``text``."""
    from marsad.enrich.nercorpus import entities

    found = []
    for sent in _sentences(tokenize(text)):
        tags = tag([t for _, _, t in sent], model_dir)
        for kind, a, b in entities(tags):
            start, end = sent[a][0], sent[b - 1][1]
            found.append((start, end, kind, text[start:end]))
    return found


def tag_conll(text: str, model_dir: Path | None = None) -> list[str]:
    """One output line per input line: ``token TAG`` for a token line, blank for a blank line."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    out: list[str] = []
    block: list[str] = []
    for line in [*lines, None]:
        if line is not None and line.strip():
            block.append(line.split()[0])
            continue
        out.extend(f"{t} {g}" for t, g in zip(block, tag(block, model_dir), strict=True))
        block = []
        if line is not None:
            out.append("")
    return out
