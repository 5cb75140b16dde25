from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.enrich import enrich_article, enrich_page, ner_available
from marsad.model import Article, Page


def _check_spans(article: Article) -> None:
    for item in [*article.entities, *article.dates, *article.figures]:
        assert article.paragraphs[item.paragraph][item.start:item.end] == item.text
    for q in article.quotes:
        assert q.text in article.paragraphs[q.paragraph]


def test_enrich_fills_every_list_and_keeps_the_input(aawsat, tagger):
    original = aawsat[0]
    enriched = enrich_article(original, tagger)
    assert original.entities is None  # the input is left as it was
    assert enriched.paragraphs == original.paragraphs and enriched.headline == original.headline
    assert enriched.entities and enriched.dates and enriched.figures and enriched.quotes
    _check_spans(enriched)


def test_relative_dates_use_the_publication_date(aawsat, tagger):
    korea = enrich_article(aawsat[1], tagger)
    assert ("اليوم (الأربعاء)", "2025-12-03") in [(d.text, d.iso) for d in korea.dates]
    undated = enrich_article(Article(headline="x", paragraphs=aawsat[1].paragraphs), tagger)
    assert all(not d.relative for d in undated.dates)


def test_page_figures_and_dates_together(aawsat, tagger):
    page = enrich_page(Page(articles=aawsat), tagger)
    figures = {(f.text, f.value, f.unit) for a in page.articles for f in a.figures}
    assert {("22.6 في المائة", 22.6, "%"), ("1.5 مليار دولار", 1.5e9, "USD"),
            ("سبعة مليارات دولار", 7e9, "USD"), ("14 شخصاً", 14.0, None)} <= figures
    dates = {(d.text, d.iso) for a in page.articles for d in a.dates}
    assert {("ديسمبر (كانون الأول) 2024", "2024-12"), ("يوليو (تموز) الماضي", "2025-07")} <= dates
    assert all(f.value != 2024 for a in page.articles for f in a.figures)


def test_json_shape_round_trips(aawsat, tagger):
    enriched = enrich_article(aawsat[0], tagger)
    d = enriched.to_dict()
    assert set(d["entities"][0]) == {"text", "type", "start", "end", "paragraph", "canonical"}
    assert {"text", "speaker", "paragraph"} <= set(d["quotes"][0])
    assert Article.from_dict(d) == enriched


def test_without_a_model_the_other_extractors_still_run(aawsat):
    enriched = enrich_article(aawsat[0], lambda text: [])
    assert enriched.figures and enriched.dates and enriched.quotes
    # Only office holders named by their role remain (الرئيس الروسي → فلاديمير بوتين).
    assert {m.canonical for m in enriched.entities} == {"فلاديمير بوتين", "إمام علي رحمون", "دميتري بيسكوف"}


@pytest.mark.skipif(not ner_available(), reason="no trained NER model installed")
def test_with_the_trained_tagger(aawsat):
    enriched = enrich_article(aawsat[0])
    _check_spans(enriched)
    canon = {m.canonical for m in enriched.entities}
    assert "فلاديمير بوتين" in canon and "طاجيكستان" in canon


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=120), max_size=4), st.sampled_from([None, "2025-10-09", "garbage"]))
def test_never_raises_on_any_text(paragraphs, published):
    article = enrich_article(Article(headline="", paragraphs=paragraphs, published=published), lambda t: [])
    _check_spans(article)


def test_the_tagger_sees_the_whole_article_and_offsets_map_back():
    seen = []

    def tagger(text):
        seen.append(text)
        at = [i for i in range(len(text)) if text.startswith("بوتين", i)]
        return [(i, i + 5, "PERS", "بوتين") for i in at] + [(0, len(text), "MISC", text)]

    article = Article(headline="", paragraphs=["قال بوتين", "وأضاف بوتين إن"])
    enriched = enrich_article(article, tagger)
    assert len(seen) == 1
    assert [(m.paragraph, m.start, m.text) for m in enriched.entities] == [(0, 4, "بوتين"), (1, 6, "بوتين")]
