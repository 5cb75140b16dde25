"""What the search index holds of an article: its analyzed text, one column per field and analyzer.

Text is analyzed in Python (normalize, tokenize, stem), so that every backend
indexes the very terms that :func:`marsad.search.query.compile` puts in a
query. The backends store these columns (the SQLite one in an FTS5 table,
:mod:`marsad.archive.sqlite.search`).
"""

from __future__ import annotations

from marsad.model import Article
from marsad.search.analyze import DEFAULT_SCHEME, Scheme


def fields(article: Article) -> tuple[str, str, str, str]:
    """The texts of an article in :data:`marsad.search.analyze.FIELDS` order (of a huge body, its start:
    :meth:`~marsad.model.Article.analyzed_body`)."""
    captions = "\n".join(i.caption for i in article.images if i.caption)
    return article.headline or "", article.deck or "", article.analyzed_body(), captions


def prepare(article: Article, scheme: Scheme = DEFAULT_SCHEME) -> list[str]:
    """The index columns of one article, space-separated terms each. Pure, so that an ingest's parse
    worker can analyze ahead while the archive writes, and hand the result to the index's ``add``."""
    return scheme.row(fields(article))
