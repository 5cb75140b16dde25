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


def text_day(a: Article) -> int | None:
    """For an undated article: the latest full date its text states (found by enrichment), if any.
    Reports state the day of their event ("on Monday 27 June 2022"); older dates are background."""
    days = [day_number(d.iso) for d in a.dates or () if len(d.iso) == 10 and not d.relative]
    return max((d for d in days if d is not None), default=None)


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
    day = day_number(a.published)
    return Doc(id=a.id or "", title=a.headline, day=text_day(a) if day is None else day,
               vec=weigh(terms(tokens)), entities=entity_names(a), shingles=shingle_hashes(tokens))


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Dot product of two sparse vectors (their cosine when both are L2-normalized)."""
    return sum(a[t] * b[t] for t in a.keys() & b.keys())
