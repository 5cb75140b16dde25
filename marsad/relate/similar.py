"""Related articles: what else to read about the same people, places and matter.

A candidate's score mixes lexical similarity (cosine of the term vectors),
shared canonical entities (Jaccard) and closeness in time. The article's own
near-duplicates and the other reports of its story are left out by the caller:
they are shown apart. Each hit carries the words that explain it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from marsad.relate.features import Doc, cosine

W_TEXT, W_ENTITIES, W_TIME = 0.65, 0.2, 0.15
HALF_LIFE = 30  # days after which closeness in time counts half
MIN_SCORE = 0.03
REASON_ITEMS = 3


@dataclass(slots=True)
class Match:
    doc: Doc
    score: float
    terms: list[str]  # shared terms, heaviest first
    entities: list[str]  # shared canonical entities


def closeness(a: int | None, b: int | None) -> float:
    """1 on the same day, 0.5 at ``HALF_LIFE`` days apart; 0.5 when either date is unknown."""
    if a is None or b is None:
        return 0.5
    return math.pow(0.5, abs(a - b) / HALF_LIFE)


def combine(text, ents, close):
    """The score from text cosine, entity Jaccard and closeness in time: of floats, or of arrays
    of them (ranking many candidates at once). Time counts only as far as the texts agree."""
    return W_TEXT * text + W_ENTITIES * ents + W_TIME * close * np.minimum(1.0, 4 * text)


def score(doc: Doc, other: Doc) -> Match:
    text = cosine(doc.vec, other.vec)
    shared = doc.entities & other.entities
    union = doc.entities | other.entities
    ents = len(shared) / len(union) if union else 0.0
    value = float(combine(text, ents, closeness(doc.day, other.day)))
    terms = sorted((t for t in doc.vec if t in other.vec), key=lambda t: -doc.vec[t] * other.vec[t])
    return Match(other, value, terms[:REASON_ITEMS], sorted(shared)[:REASON_ITEMS])


def rank(doc: Doc, candidates: list[Doc], exclude: set[str], limit: int = 10) -> list[Match]:
    """The ``limit`` best candidates for ``doc``, those in ``exclude`` (and ``doc`` itself) left out."""
    matches = (score(doc, c) for c in candidates if c.id != doc.id and c.id not in exclude)
    kept = [m for m in matches if m.score >= MIN_SCORE and (m.terms or m.entities)]
    return sorted(kept, key=lambda m: (-m.score, m.doc.id))[:limit]


def reason(match: Match, surface: dict[str, str]) -> str:
    """A few words saying why: shared entities if known, else the heaviest shared words."""
    items = match.entities or [surface.get(t, t) for t in match.terms]
    return "مشترك: " + "، ".join(items)  # readers are Arabic: "shared: …"
