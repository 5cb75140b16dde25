"""Enrichment: who, where, when, how much and who said what, for each article.

``enrich_article`` fills an article's ``entities`` (with canonical names), ``dates``, ``figures``
and ``quotes``; every offset indexes into the paragraph it names. Entities come from the NER
tagger (``marsad.enrich.ner``); when no trained model is installed, articles get no entities
and the other extractors still run.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import cache

from marsad.enrich.canonical import canonical_key, resolve
from marsad.enrich.dates import find_dates, parse_published
from marsad.enrich.figures import find_figures
from marsad.enrich.quotes import find_quotes
from marsad.enrich.roles import find_roles
from marsad.errors import MarsadError
from marsad.model import Article, EntityMention, Page

__all__ = ["canonical_key", "enrich_article", "enrich_page", "ner_available"]

Tagger = Callable[[str], list[tuple[int, int, str, str]]]


@cache
def _tagger() -> Tagger | None:
    try:
        from marsad.enrich.ner import find_entities, tag
    except ImportError:
        return None
    try:
        tag(["x"])  # loads the model once
    except (MarsadError, OSError):  # no trained model installed: reported by ner_available()
        return None
    return find_entities


def ner_available() -> bool:
    """Whether a trained NER model is installed, so that articles get entities."""
    return _tagger() is not None


def enrich_article(article: Article, tagger: Tagger | None = None) -> Article:
    """A copy of ``article`` with entities, dates, figures and quotes filled in."""
    tagger = tagger or _tagger()
    pub = parse_published(article.published)
    dates, figures = [], []
    for i, paragraph in enumerate(article.paragraphs):
        found = find_dates(paragraph, i, pub)
        dates.extend(found)
        figures.extend(find_figures(paragraph, i, [(d.start, d.end) for d in found]))
    raw = _tag(article.paragraphs, tagger) if tagger is not None else []
    entities = _with_roles(resolve(raw), article.paragraphs, pub)
    quotes = find_quotes(article.paragraphs, entities)
    return replace(article, entities=entities, dates=dates, figures=figures, quotes=quotes)


# Paragraphs are tagged as one text, so that the tagger sees names repeated across them; the
# separator ends a sentence, so that no sentence runs from one paragraph into the next.
_PARAGRAPH_BREAK = "\n.\n"


def _tag(paragraphs: list[str], tagger: Tagger) -> list[tuple[int, int, int, str, str]]:
    """(paragraph, start, end, type, text) of every entity the tagger finds in the article."""
    starts, pos = [], 0
    for p in paragraphs:
        starts.append(pos)
        pos += len(p) + len(_PARAGRAPH_BREAK)
    out = []
    for s, e, kind, _ in tagger(_PARAGRAPH_BREAK.join(paragraphs)):
        i = bisect_right(starts, s) - 1
        s, e = s - starts[i], e - starts[i]
        if e <= len(paragraphs[i]):  # never across a paragraph break
            out.append((i, s, e, kind, paragraphs[i][s:e]))
    return out


def _with_roles(entities: list[EntityMention], paragraphs: list[str],
                pub: date | None) -> list[EntityMention]:
    """Add office holders named by their role alone (الرئيس الروسي), in text order."""
    out = list(entities)
    for i, paragraph in enumerate(paragraphs):
        out.extend(find_roles(paragraph, i, pub, [e for e in entities if e.paragraph == i]))
    return sorted(out, key=lambda e: (e.paragraph, e.start))


def enrich_page(page: Page, tagger: Tagger | None = None) -> Page:
    """A copy of ``page`` with every article enriched."""
    return replace(page, articles=[enrich_article(a, tagger) for a in page.articles])
