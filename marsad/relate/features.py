"""The features relating works on, made in one pass over each article's text:
a weighted term vector, canonical entities, the publication day and the shingle
hashes for near-duplicates."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date

import numpy as np

from marsad.model import Article
from marsad.relate.background import idf
from marsad.relate.text import shingle_hashes, terms, words

TOP_TERMS = 60  # a vector keeps its heaviest terms: enough to tell events apart, small to store


@dataclass(slots=True)
class Doc:
    id: str
    title: str
    day: int | None  # days since 1970-01-01 of the publication date, when known
    vec: dict[str, float]  # L2-normalized TF-IDF weights of the top terms
    entities: frozenset[str]  # canonical entity names, when the article was enriched
    shingles: np.ndarray  # sorted unique shingle hashes (see text.shingle_hashes)


def article_text(a: Article) -> str:
    return "\n".join(x for x in (a.headline, a.deck, *a.paragraphs) if x)


def day_number(published: str | None) -> int | None:
    if not published or len(published) < 10:
        return None
    try:
        return date.fromisoformat(published[:10]).toordinal() - 719163
    except ValueError:
        return None


def weigh(tokens: list[str], top: int = TOP_TERMS) -> dict[str, float]:
    """Sublinear TF times background IDF, cut to the ``top`` terms and L2-normalized."""
    w = idf()
    weights = {t: (1.0 + math.log(n)) * w(t) for t, n in Counter(tokens).items()}
    kept = sorted(weights.items(), key=lambda kv: -kv[1])[:top]
    norm = math.sqrt(sum(v * v for _, v in kept)) or 1.0
    return {t: v / norm for t, v in kept}


def entity_names(a: Article) -> frozenset[str]:
    return frozenset(e.canonical for e in a.entities or () if e.canonical)


def make_doc(a: Article) -> Doc:
    tokens = words(article_text(a))
    return Doc(id=a.id or "", title=a.headline, day=day_number(a.published), vec=weigh(terms(tokens)),
               entities=entity_names(a), shingles=shingle_hashes(tokens))


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())
