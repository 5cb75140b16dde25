"""The features relating works on, made in one pass over each article's text:
a weighted term vector, canonical entities, the publication day and the shingle
hashes for near-duplicates."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from operator import mul

import numpy as np

from marsad.model import Article
from marsad.relate.background import idf
from marsad.relate.markers import markers
from marsad.relate.text import SHINGLE, VOCABULARY, Shingled, shingled, term_ids

_NONE = np.empty(0, np.uint64)
LEAD_PARAGRAPHS = 2  # the paragraphs whose dates may give an undated report its day
TOP_TERMS = 60  # a vector keeps its heaviest terms: enough to tell events apart, small to store


@dataclass(slots=True)
class Doc:
    id: str
    title: str
    day: int | None  # days since 1970-01-01 of the publication date, when known
    vec: dict[str, float]  # L2-normalized TF-IDF weights of the top terms
    entities: frozenset[str]  # canonical entity names, when the article was enriched
    shingles: np.ndarray  # sorted unique shingle hashes of the body (see text.shingled)
    opening: np.ndarray | None = None  # those of the opening (see text.shingled)
    numbers: np.ndarray | None = None  # the codes of the numbers it states (see text.shingled)
    outlet: str | None = None
    stems: np.ndarray | None = None  # its pairs of content terms, and those of its lead (see text.Shingled)
    lead: np.ndarray | None = None
    quoted: np.ndarray | None = None  # its shingles found only inside quotations (see text.Shingled)
    top: np.ndarray | None = None  # the shingles of its top, when it is longer (see text.Shingled)
    marks: frozenset[str] = frozenset()  # the time its text states (see markers.markers)

    def copy_text(self) -> Shingled:
        opening = self.opening if self.opening is not None else self.shingles
        arrays = (_NONE if x is None else x for x in (self.numbers, self.stems, self.lead, self.quoted))
        return Shingled(self.shingles, opening, *arrays, self.top)


def article_text(a: Article) -> str:
    return "\n".join(x for x in (a.headline, a.deck, *a.paragraphs) if x)


def day_number(published: str | None) -> int | None:
    if not isinstance(published, str) or len(published) < 10:
        return None
    try:
        return date.fromisoformat(published[:10]).toordinal() - 719163
    except ValueError:
        return None


def text_day(a: Article) -> int | None:
    """For an undated article: the latest full date its headline or lead states (found by enrichment),
    if any. Reports state the day of their event up front ("on Monday 27 June 2022"); dates further
    down are background (a birth, an earlier round, the start of a war)."""
    days = [day_number(d.iso) for d in a.dates or ()
            if len(d.iso) == 10 and not d.relative and d.paragraph < LEAD_PARAGRAPHS]
    return max((d for d in days if d is not None), default=None)


class _TermWeights:
    """Background IDF of each term id of the vocabulary, kept level with it as it grows."""

    def __init__(self):
        self.idf = np.zeros(0)

    def __call__(self, tids: np.ndarray) -> np.ndarray:
        known = len(self.idf)
        if len(VOCABULARY.terms) > known:
            w = idf()
            self.idf = np.concatenate([self.idf, np.fromiter(
                map(w, VOCABULARY.terms[known:]), float, len(VOCABULARY.terms) - known)])
        return self.idf[tids]


_IDF = _TermWeights()


def weigh(tids: np.ndarray, top: int = TOP_TERMS) -> dict[str, float]:
    """Sublinear TF times background IDF of term ids, cut to the ``top`` terms and L2-normalized.
    Ties keep the order in which the terms first occur."""
    uniq, first, counts = np.unique(tids, return_index=True, return_counts=True)
    weights = (1.0 + np.log(counts)) * _IDF(uniq)
    kept = np.lexsort((first, -weights))[:top]
    weights = weights[kept]
    norm = float(np.sqrt(weights @ weights)) or 1.0
    names = map(VOCABULARY.terms.__getitem__, uniq[kept].tolist())
    return dict(zip(names, (weights / norm).tolist(), strict=True))


def entity_names(a: Article) -> frozenset[str]:
    return frozenset(e.canonical for e in a.entities or () if e.canonical)


def copy_text(head: np.ndarray, body: str) -> tuple[Shingled, np.ndarray]:
    """What tells copies of a text, and its body's word ids. The body's shingles tell them, so that the
    same headline (or deck: an outlet's summary, a series' tagline) over other text is no copy; the
    headline's and deck's too when the body is too short to have shingles."""
    ids, quoted = VOCABULARY.quoted_ids(body)
    if len(ids) >= SHINGLE:
        return shingled(ids, quoted), ids
    return shingled(np.concatenate([head, ids])), ids


def make_doc(a: Article) -> Doc:
    head = VOCABULARY.text_ids("\n".join(x for x in (a.headline, a.deck) if x))
    analyzed = a.analyzed_body()
    text, body = copy_text(head, analyzed)
    ids = np.concatenate([head, body])
    day = day_number(a.published)
    return Doc(id=a.id or "", title=a.headline, day=text_day(a) if day is None else day,
               vec=weigh(term_ids(ids)), entities=entity_names(a), shingles=text.all, opening=text.opening,
               numbers=text.numbers, outlet=a.outlet, stems=text.stems, lead=text.lead, quoted=text.quoted,
               top=text.top,
               marks=markers(a.headline, "\n".join(x for x in (a.deck, analyzed) if x)))


def interned(vec: dict[str, float]) -> dict[str, float]:
    """``vec`` with its terms interned: the vectors a clusterer holds (thousands, read back from JSON
    or from a worker) then share one string per term instead of one per vector."""
    return dict(zip(map(sys.intern, vec), vec.values(), strict=True))


def norm(vec: dict[str, float]) -> float:
    """The L2 norm of a sparse vector (1.0 for an empty one, so that it can divide)."""
    return sum(v * v for v in vec.values()) ** 0.5 or 1.0


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Dot product of two sparse vectors (their cosine when both are L2-normalized)."""
    common = a.keys() & b.keys()
    return sum(map(mul, map(a.__getitem__, common), map(b.__getitem__, common)))
