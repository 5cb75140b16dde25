"""Enrichment: who, where, when, how much and who said what, for each article.

``enrich_article`` fills an article's ``entities`` (with canonical names and entity keys),
``dates``, ``figures`` and ``quotes``; every offset indexes into the paragraph it names (for an
entity, paragraph -1 is the headline: ``Article.text_at``). Entities come from the NER tagger
(``marsad.enrich.ner``), merged with the names of the alias table (``known``); when no trained
model is installed, articles get only the latter, and the other extractors still run.
``enrich_many`` enriches a batch over a process pool.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from datetime import date
from functools import cache

from marsad.enrich.canonical import canonical_key, entity_key, join_hashtags, resolve, with_keys
from marsad.enrich.dates import find_dates, parse_published
from marsad.enrich.figures import article_currencies, find_figures
from marsad.enrich.junk import Scores, drop_unsure, filter_entities, with_scores
from marsad.enrich.known import merge_known
from marsad.enrich.quotes import find_quotes
from marsad.enrich.roles import find_roles
from marsad.errors import MarsadError
from marsad.model import Article, EntityMention, Failure, Page

__all__ = ["canonical_key", "enrich_article", "enrich_many", "enrich_page", "entity_key", "ner_available",
           "with_keys"]

# (start, end, type, text), maybe with the tagger's confidence after them
Tagger = Callable[[str], list[tuple]]


# The tagger multiplies small matrices: BLAS threads only spin, and cost several times the tagging
# itself in CPU (more still with a pool of processes on a busy machine). A caller's own setting wins.
_ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _one_blas_thread() -> None:
    if any(name in os.environ for name in _ONE_THREAD):
        return
    if "numpy" not in sys.modules:  # read when numpy loads
        for name in _ONE_THREAD:
            os.environ[name] = "1"
        return
    # numpy is loaded already (by another stage): limit the BLAS it loaded.
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


@cache
def _tagger() -> Tagger | None:
    _one_blas_thread()
    try:
        from marsad.enrich.ner import find_scored_entities, tag
    except ImportError:
        return None
    try:
        tag(["x"])  # loads the model once
    except (MarsadError, OSError):  # no trained model installed: reported by ner_available()
        return None
    return find_scored_entities


def ner_available() -> bool:
    """Whether a trained NER model is installed, so that articles get entities."""
    return _tagger() is not None


def enrich_article(article: Article, tagger: Tagger | None = None,
                   timings: dict[str, float] | None = None) -> Article:
    """A copy of ``article`` with entities, dates, figures and quotes filled in.

    Of a text longer than MAX_ENRICH_CHARS (no news article is), only that much is read, with a
    warning on the article: enrichment's time and memory stay bounded whatever the input.
    With ``timings``, the CPU seconds of each stage (ner, dates, figures, canonical, quotes) are
    added to it, for benchmarks."""
    kept = _within_budget(article.paragraphs)
    if kept is None:
        return _enrich(article, tagger, timings)
    done = _enrich(replace(article, paragraphs=kept), tagger, timings)
    size = sum(map(len, article.paragraphs))
    note = f"enrichment read the first {MAX_ENRICH_CHARS:,} of {size:,} characters"
    return replace(article, entities=done.entities, dates=done.dates, figures=done.figures,
                   quotes=done.quotes, warnings=[*article.warnings, note])


MAX_ENRICH_CHARS = 100_000


def _within_budget(paragraphs: list[str]) -> list[str] | None:
    """The leading paragraphs that fit MAX_ENRICH_CHARS (the last one cut at a space), or None when
    all of them fit. Offsets found in a cut paragraph are those of the whole one."""
    kept, left = [], MAX_ENRICH_CHARS
    for p in paragraphs:
        if len(p) > left:
            cut = p.rfind(" ", 0, left)
            kept.append(p[:cut if cut > 0 else left])
            return kept
        kept.append(p)
        left -= len(p)
    return None


def _enrich(article: Article, tagger: Tagger | None, timings: dict[str, float] | None) -> Article:
    tagger = tagger or _tagger()
    pub = parse_published(article.published)
    paragraphs = article.paragraphs
    with _stage(timings, "dates"):
        dates = [find_dates(p, i, pub) for i, p in enumerate(paragraphs)]
    with _stage(timings, "figures"):  # numbers inside dates are no figures
        local = article_currencies(article)  # whose دينار: the country the article names, its outlet's
        figures = [f for i, p in enumerate(paragraphs)
                   for f in find_figures(p, i, [(d.start, d.end) for d in dates[i]], local)]
    texts = [article.headline or "", *paragraphs]  # the headline names entities too: paragraph -1
    with _stage(timings, "ner"):
        raw, scores = _tag(texts, tagger) if tagger is not None else ([], {})
    with _stage(timings, "canonical"):
        spans = [[], *([(d.start, d.end) for d in found] for found in dates)]  # as texts: headline first
        named = filter_entities(resolve(merge_known(join_hashtags(raw, texts), texts)), texts, spans)
        named = drop_unsure(with_scores(named, scores), texts)
        # Each mention gets its entity's key here, once: the archive and the reader use it as given.
        entities = with_keys([replace(e, paragraph=e.paragraph - 1) for e in _with_roles(named, texts, pub)])
    with _stage(timings, "quotes"):
        quotes = with_keys(find_quotes(paragraphs, [e for e in entities if e.paragraph >= 0]))
    return replace(article, entities=entities, dates=[d for found in dates for d in found], figures=figures,
                   quotes=quotes)


def _stage(timings: dict[str, float] | None, name: str):
    return nullcontext() if timings is None else _timed(timings, name)


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    start = time.process_time()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.process_time() - start


# Paragraphs are tagged as one text, so that the tagger sees names repeated across them; the
# separator ends a sentence, so that no sentence runs from one paragraph into the next.
_PARAGRAPH_BREAK = "\n.\n"


def _tag(paragraphs: list[str], tagger: Tagger) -> tuple[list[tuple[int, int, int, str, str]], Scores]:
    """(paragraph, start, end, type, text) of every entity the tagger finds in the article, and the
    tagger's confidence in each (when it gives one) by paragraph and span."""
    starts, pos = [], 0
    for p in paragraphs:
        starts.append(pos)
        pos += len(p) + len(_PARAGRAPH_BREAK)
    out, scores = [], {}
    for s, e, kind, _, *score in tagger(_PARAGRAPH_BREAK.join(paragraphs)):
        i = bisect_right(starts, s) - 1
        s, e = s - starts[i], e - starts[i]
        if e <= len(paragraphs[i]):  # never across a paragraph break
            out.append((i, s, e, kind, paragraphs[i][s:e]))
            if score and score[0] is not None:
                scores.setdefault(i, []).append((s, e, score[0]))
    return out, scores


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


# Fork on Linux: children inherit the loaded NER model and any tagger function (a lambda too), and a
# script without a __main__ guard is not run again in each child.
_START_METHOD = "fork" if sys.platform.startswith("linux") else "spawn"
_CHUNK = 16  # articles sent to a child at a time: few round trips, little left over at the end
_pool_tagger: Tagger | None = None


def enrich_many(articles: Iterable[Article], workers: int | None = None,
                tagger: Tagger | None = None) -> tuple[list[Article], list[Failure]]:
    """Enrich a batch of articles over ``workers`` processes (default: one per core), in input order.

    An article that fails is returned as it was given (its lists left ``None``) and reported in the
    failures, with its source (or id, or headline) and the reason; the others go on."""
    articles = list(articles)
    workers = min(workers or os.cpu_count() or 1, -(-len(articles) // _CHUNK))
    tagger = tagger or _tagger()  # loaded once, before the children fork
    if workers <= 1:
        results = [_enrich_or_fail(a, tagger) for a in articles]
    else:
        ctx = mp.get_context(_START_METHOD)
        with ctx.Pool(workers, initializer=_set_pool_tagger, initargs=(tagger,)) as pool:
            results = pool.map(_pool_enrich, articles, chunksize=_CHUNK)
    out, failures = [], []
    for article, result in zip(articles, results, strict=True):
        if isinstance(result, str):
            failures.append(Failure(_name(article), "enrich", result))
            out.append(article)
        else:
            out.append(result)
    return out, failures


def _set_pool_tagger(tagger: Tagger | None) -> None:
    global _pool_tagger
    _pool_tagger = tagger


def _pool_enrich(article: Article) -> Article | str:
    return _enrich_or_fail(article, _pool_tagger)


def _enrich_or_fail(article: Article, tagger: Tagger | None) -> Article | str:
    """The enriched article, or why it could not be enriched (a bad article must not stop a batch)."""
    try:
        return enrich_article(article, tagger)
    except Exception as e:  # noqa: BLE001 - reported per article by enrich_many
        return f"{type(e).__name__}: {e}"


def _name(article: Article) -> str:
    return article.source or article.id or article.url or article.headline[:80] or "(untitled article)"
