from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.enrich import enrich_article, enrich_many, enrich_page, ner_available
from marsad.model import Article, Page


def _check_spans(article: Article) -> None:
    for item in [*article.entities, *article.dates, *article.figures]:
        assert article.text_at(item.paragraph)[item.start:item.end] == item.text
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
    assert set(d["entities"][0]) == {"text", "type", "start", "end", "paragraph", "canonical", "key"}
    assert {"text", "speaker", "paragraph"} <= set(d["quotes"][0])
    assert Article.from_dict(d) == enriched


def test_without_a_model_the_other_extractors_still_run(aawsat):
    enriched = enrich_article(aawsat[0], lambda text: [])
    assert enriched.figures and enriched.dates and enriched.quotes
    # Only the names of the alias table remain, and office holders named by their role alone.
    canon = {m.canonical for m in enriched.entities}
    assert {"فلاديمير بوتين", "طاجيكستان", "دوشنبه", "الكرملين"} <= canon
    assert all(m.type != "PERS" or m.canonical in {"فلاديمير بوتين", "إمام علي رحمون", "إلهام علييف",
                                                   "دميتري بيسكوف"} for m in enriched.entities)


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


def test_the_tagger_sees_the_whole_article_headline_included_and_offsets_map_back():
    seen = []

    def tagger(text):
        seen.append(text)
        at = [i for i in range(len(text)) if text.startswith("بوتين", i)]
        return [(i, i + 5, "PERS", "بوتين") for i in at] + [(0, len(text), "MISC", text)]

    article = Article(headline="بوتين يصل", paragraphs=["قال بوتين", "وأضاف بوتين إن"])
    enriched = enrich_article(article, tagger)
    assert len(seen) == 1
    assert [(m.paragraph, m.start, m.text) for m in enriched.entities] == [
        (-1, 0, "بوتين"), (0, 4, "بوتين"), (1, 6, "بوتين")]
    assert all(enriched.text_at(m.paragraph)[m.start:m.end] == m.text for m in enriched.entities)


def _batch(aawsat) -> list[Article]:
    """The page's articles many times over, one bad article in the middle (a paragraph that is no text)."""
    bad = Article(headline="bad", paragraphs=[None], source="bad.html#3")  # type: ignore[list-item]
    return [*aawsat * 10, bad, *aawsat * 10]


@pytest.mark.parametrize("workers", [1, 2])
def test_enrich_many_keeps_the_order_and_reports_a_bad_article(aawsat, tagger, workers):
    articles = _batch(aawsat)
    enriched, failures = enrich_many(articles, workers=workers, tagger=tagger)
    assert len(enriched) == len(articles)
    assert enriched[40] is articles[40] and enriched[40].entities is None  # returned as it was given
    assert [(f.source, f.stage) for f in failures] == [("bad.html#3", "enrich")]
    assert "TypeError" in failures[0].reason
    expected = [enrich_article(a, tagger) for a in articles[:4]]
    assert enriched[:4] == expected and enriched[-4:] == expected


def test_enrich_many_with_a_lambda_tagger_in_children(aawsat):
    enriched, failures = enrich_many(aawsat * 8, workers=2, tagger=lambda text: [])
    assert not failures and all(a.entities is not None and a.dates is not None for a in enriched)


def test_enrich_many_of_nothing():
    assert enrich_many([], workers=2) == ([], [])


def test_timings_name_every_stage(aawsat, tagger):
    timings: dict[str, float] = {}
    enriched = enrich_article(aawsat[0], tagger, timings)
    assert set(timings) == {"ner", "dates", "figures", "canonical", "quotes"}
    assert all(v >= 0 for v in timings.values())
    assert enriched == enrich_article(aawsat[0], tagger)


def _run(code: str, **env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[2])
    return out.stdout.split()


def test_the_tagger_loads_numpy_with_one_blas_thread():
    code = ("import os; from marsad.enrich import ner_available; ner_available(); "
            "print(os.environ.get('OPENBLAS_NUM_THREADS'), os.environ.get('OMP_NUM_THREADS'))")
    assert _run(code) == ["1", "1"]
    assert _run(code, OPENBLAS_NUM_THREADS="2") == ["2", "None"]  # a caller's own setting wins


def test_with_numpy_loaded_first_openblas_is_told_directly():
    code = ("import ctypes, numpy; from marsad.enrich import ner_available; ner_available(); "
            "libs = {l.split()[-1] for l in open('/proc/self/maps') if 'openblas' in l.lower()}; "
            "lib = ctypes.CDLL(sorted(libs)[0]) if libs else None; "
            "names = ('openblas_get_num_threads', 'scipy_openblas_get_num_threads64_'); "
            "get = [getattr(lib, n) for n in names if lib is not None and hasattr(lib, n)]; "
            "print(get[0]() if get else 'none')")
    if not Path("/proc/self/maps").exists():
        pytest.skip("reads the loaded libraries from /proc")
    assert _run(code)[0] in ("1", "none")  # "none": this numpy has no OpenBLAS


def test_every_mention_and_named_speaker_carries_its_entity_key(aawsat, tagger):
    from marsad.enrich.canonical import entity_key

    enriched = enrich_article(aawsat[0], tagger)
    mentions = enriched.entities
    assert mentions and [m.key for m in mentions] == [entity_key(m.canonical or m.text) for m in mentions]
    assert any(q.key for q in enriched.quotes)
    assert all(q.key == (entity_key(q.canonical) if q.canonical else None) for q in enriched.quotes)
    assert entity_key("بوتين") == entity_key("فلاديمير بوتين"), "a surname of the alias table is its person"
