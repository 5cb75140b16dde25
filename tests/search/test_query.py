"""The query language: compiled trees, and the FTS5 MATCH strings the SQLite backend renders of them
(the same strings, and so the same bm25 ranking, as before queries became trees)."""

import hashlib
import json
import lzma
import sqlite3
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.archive.sqlite.search import create_sql, fts5_match
from marsad.search.analyze import DEFAULT_SCHEME, Scheme
from marsad.search.expr import AllOf, AnyOf, Exclude, Phrase, phrases
from marsad.search.query import compile

ONE = Scheme(("careful",))  # one column set keeps the expected strings short
LIGHT_COLS = "{headline_careful deck_careful body_careful captions_careful}"
CLITIC_COLS = "{headline_clitics deck_clitics body_clitics captions_clitics}"
GOLDEN = Path(__file__).parent / "golden" / "fts5_match.jsonl"


def to_match(text: str, *, scheme: Scheme = DEFAULT_SCHEME, mode: str = "all") -> str | None:
    """What the SQLite backend runs for ``text``."""
    expr = compile(text, scheme=scheme, mode=mode)
    return None if expr is None else fts5_match(expr)


def test_compile_builds_the_tree():
    clitics = DEFAULT_SCHEME.columns_of("clitics")
    assert compile("للاتحاد") == AllOf((Phrase(("اتحاد",)),))
    assert compile('"الاتحاد الأوروبي" -بريطانيا OR لندن*') == Exclude(
        AllOf((Phrase(("اتحاد", "اوروبي"), clitics), Phrase(("لندن",), prefix=True))),
        AnyOf((Phrase(("بريطانيا",)),)))  # OR never joins an excluded word: لندن* is one more required
    any_ = compile('"الاتحاد الأوروبي"', mode="any")
    assert isinstance(any_, AnyOf) and [p.terms for p in phrases(any_)] == [
        ("اتحاد", "اوروبي"), ("اتحاد",), ("اوروب",), ("اوروبي",)]
    assert compile("اقتصا*", scheme=ONE) == AllOf((Phrase(("اقتصا",), None, prefix=True),))
    assert compile("؟!") is None


def test_plain_words_are_analyzed_and_all_required():
    assert to_match("الاتحاد الأوروبي", scheme=ONE) == '"اتحاد" AND "اوروب"'
    assert to_match("الاتحاد الأوروبي", scheme=ONE, mode="any") == '"اتحاد" OR "اوروب"'
    # Ranked: a phrase of several words also counts by its words (it ranks first, not filters).
    assert to_match('"نظرة ما" مهرجان', scheme=ONE, mode="any") == '("نظر ما" OR "نظر") OR "مهرج"'


def test_default_scheme_searches_stems_and_clitic_forms():
    assert to_match("الأوروبي") == f'({LIGHT_COLS} : "اوروب" OR {CLITIC_COLS} : "اوروبي")'
    assert to_match("للاتحاد") == '"اتحاد"'  # both analyzers agree: no column filter needed


def test_quoted_phrases_match_word_forms_exactly():
    # Only the clitic-stripped columns: "عمان" never reaches a stem shared with عم, عمها, عمة.
    assert to_match('"عمان"') == f'{CLITIC_COLS} : "عمان"'
    assert to_match('"الاتحاد الأوروبي"') == f'{CLITIC_COLS} : "اتحاد اوروبي"'
    assert to_match('"الاتحاد الأوروبي"', mode="any").startswith(f'({CLITIC_COLS} : "اتحاد اوروبي" OR ')
    assert to_match('"عمان"', mode="any") == f'{CLITIC_COLS} : "عمان"'


def test_phrase_exclusion_or_prefix():
    assert to_match('"الاتحاد الأوروبي" -بريطانيا', scheme=ONE) == '("اتحاد اوروب") NOT ("بريطانيا")'
    assert to_match("غزة OR رفح مساعدات", scheme=ONE) == '("غزه" OR "رفح") AND "مساعد"'
    assert to_match("اقتصا*", scheme=ONE) == '"اقتصا"*'
    assert to_match("فيه..وهذه 1-صفر", scheme=ONE) == '"هذه" AND "1" AND "صفر"'  # فيه is a stop word
    assert to_match("غزة OR (رفح", scheme=ONE) == '("غزه" OR "رفح")'
    assert to_match("٢٠٢٥", scheme=ONE) == '"2025"'


def test_stop_words_dropped_unless_alone_or_quoted():
    assert to_match("في غزة", scheme=ONE) == '"غزه"'
    assert to_match("من هو", scheme=ONE) == '"من" AND "هو"'
    assert to_match('"في" غزة', scheme=ONE) == '"في" AND "غزه"'


def test_hostile_input_falls_back_to_words():
    assert to_match("-بريطانيا", scheme=ONE) == '"بريطانيا"'
    assert to_match('"unclosed phrase', scheme=ONE) == '"unclosed phrase"'
    assert to_match("'; DROP TABLE articles; --", scheme=ONE) == '"drop" AND "table" AND "articles"'
    assert to_match("x AND (y OR", scheme=ONE) == '"x" AND "y"'
    assert to_match('NEAR(a b) {body}: c^ "', scheme=ONE) == '"near" AND "a" AND "b" AND "body" AND "c"'
    assert to_match("OR", scheme=ONE) == '"or"'  # a lone operator is a word
    for nothing in ("", "   ", "*", "-", '""', "()", "؟!"):
        assert to_match(nothing, scheme=ONE) is None


def _fts():
    conn = sqlite3.connect(":memory:")
    conn.execute(create_sql())
    conn.execute("INSERT INTO search_fts(headline_careful) VALUES ('اتحاد')")
    return conn


CONN = _fts()
QUERYISH = st.text(st.sampled_from(list('"()*-+:^{}[]|&\'; ORNEADTالاتحدوربي٢٠a1.,\\')), max_size=30)


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=40), QUERYISH), st.sampled_from(["all", "any"]))
def test_never_raises_always_valid_fts5(text, mode):
    match = to_match(text, mode=mode)
    if match is not None:
        CONN.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", (match,)).fetchone()


# The one-stemmer scheme's strings are kept readable; the other schemes' by a digest.
OTHER_SCHEMES = [(s, m) for s in (DEFAULT_SCHEME, Scheme(("light", "clitics")),
                                  Scheme(("snowball", "none", "clitics"))) for m in ("all", "any")]


def _digest(values: list, size: int) -> str:
    return hashlib.blake2b(json.dumps(values, ensure_ascii=False).encode(), digest_size=size).hexdigest()


def test_match_strings_are_those_of_before_the_tree():
    """1,000 random queries (words, phrases, OR, exclusions, prefixes, stray syntax) under four schemes,
    against the MATCH strings that the query parser rendered itself before it built trees."""
    with GOLDEN.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    assert len(rows) == 1000
    for row in rows:
        assert to_match(row["q"], scheme=ONE) == row["all"], row["q"]
        assert to_match(row["q"], scheme=ONE, mode="any") == row["any"], row["q"]
        others = [to_match(row["q"], scheme=s, mode=m) for s, m in OTHER_SCHEMES]
        assert _digest(others, 8) == row["others"], row["q"]


def test_match_strings_of_real_queries_are_those_of_before_the_tree(shared):
    """Every retrieval-set question and 3,000 news headlines: the same MATCH strings as before."""
    texts = [json.loads(line)["text"] for line in
             (shared / "data/ir/arqa-passages/queries.jsonl").open(encoding="utf-8")]
    with lzma.open(shared / "data/news/ant-multisource/articles.jsonl.xz", "rt", encoding="utf-8") as f:
        texts += [json.loads(line)["title"] for _, line in zip(range(3000), f, strict=False)]
    texts = list(dict.fromkeys(texts))
    assert _digest([to_match(t) for t in texts], 16) == "3461939312a233d8a0f2cea748d745d3"
    assert _digest([to_match(t, mode="any") for t in texts], 16) == "fb3f4830d74b7b797dbfdbc40627f81c"
