"""Enrichment reads at most MAX_ENRICH_CHARS of an article: bounded time and memory on any input."""

from __future__ import annotations

import marsad.enrich
from marsad.enrich import enrich_article
from marsad.model import Article

PARAGRAPH = "قال الرئيس الروسي فلاديمير بوتين في موسكو يوم 5 يونيو 2018 إن النمو بلغ 3 في المئة."


def test_a_huge_article_is_enriched_up_to_the_budget_with_a_warning(monkeypatch):
    monkeypatch.setattr(marsad.enrich, "MAX_ENRICH_CHARS", 3 * len(PARAGRAPH) + 40)
    article = Article(headline="بوتين في موسكو", paragraphs=[PARAGRAPH] * 10 + [PARAGRAPH * 50])
    done = enrich_article(article)
    assert done.paragraphs == article.paragraphs  # the article itself is whole
    assert {e.paragraph for e in done.entities} <= {-1, 0, 1, 2, 3}
    assert {d.paragraph for d in done.dates} == {0, 1, 2}
    assert any(e.text == "فلاديمير بوتين" for e in done.entities if e.paragraph == 0)
    for m in [*done.entities, *done.dates, *done.figures]:
        assert done.text_at(m.paragraph)[m.start:m.end] == m.text
    assert done.warnings == [f"enrichment read the first {marsad.enrich.MAX_ENRICH_CHARS:,} of "
                             f"{sum(map(len, article.paragraphs)):,} characters"]


def test_one_huge_line_is_cut_at_a_space():
    article = Article(headline="عنوان", paragraphs=[PARAGRAPH * 2000])
    done = enrich_article(article)
    assert done.dates and all(d.end <= marsad.enrich.MAX_ENRICH_CHARS for d in done.dates)
    assert done.warnings and not enrich_article(Article(headline="عنوان", paragraphs=[PARAGRAPH])).warnings
