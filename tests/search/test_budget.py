"""The search budget, and property tests of the query parser on random and mutated real queries."""

from __future__ import annotations

import json
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.archive.sqlite import migrations
from marsad.archive.sqlite import search as sqlite_search
from marsad.errors import InputError
from marsad.model import Article
from marsad.search import budget, index, search
from marsad.search.analyze import DEFAULT_SCHEME
from marsad.search.budget import Budget, OverBudget, check, deadline, expansions
from tests.conftest import SHARED
from tests.search.test_query import to_match

WORDS = "كتاب كتابة كتابات كتبت الكاتب مكتبة الاقتصاد الاقتصادي اقتصادية الحكومة حكومات مصر السعودية"
DOCS = [Article(f"عنوان {i}", [WORDS.split()[i % 13] + " " + WORDS], id=f"a{i}") for i in range(20)]
# The crafted query: two-letter prefixes up to the length limit.
CRAFTED = " ".join(["ال*", "وا*", "في*", "بت*", "من*", "عل*", "لل*", "مع*"] * 16)[:500]


def _archive() -> sqlite3.Connection:
    c = sqlite3.connect(":memory:", check_same_thread=False)
    c.execute("CREATE TABLE articles (rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, url, headline, deck, outlet,"
              " section, published, body, data)")
    migrations.apply(c, sqlite_search.MIGRATIONS)
    rows = [(c.execute("INSERT INTO articles(id, headline, body) VALUES (?, ?, ?)",
                       (a.id, a.headline, a.body)).lastrowid, a) for a in DOCS]
    index.add(c, rows)
    c.commit()
    return c


CONN = _archive()


def _index_terms(start: str) -> set[str]:
    return {t for a in DOCS for col in index.prepare(a) for t in col.split() if t.startswith(start)}


def test_a_normal_query_is_within_budget():
    for q in ("الاقتصاد المصري", '"الحكومة السعودية" -مصر', "كتاب OR مكتبة", "اقتص*"):
        check(CONN, q)


@pytest.mark.parametrize(("query", "said"), [
    (CRAFTED, "words"), ("ال* وا*", "too short a prefix"), ("x" * 501, "501 characters"),
    ("كتا* اقت* حكو* سعو* مصر*", "words ending in *"), (" ".join(["كلمة"] * 33), "33 words")])
def test_over_budget_is_one_clear_input_error(query, said):
    with pytest.raises(OverBudget, match=said) as e:
        check(CONN, query)
    assert isinstance(e.value, InputError) and e.value.status == 400


def test_prefix_expansions_are_counted_in_the_index():
    start = DEFAULT_SCHEME.analyzers[0].term("كتا")
    terms = _index_terms(start)
    assert len(terms) >= 2
    assert expansions(CONN, start, 100) == len(terms)
    assert expansions(CONN, start, 1) == 1  # counting stops at the cap
    check(CONN, "كتا*", Budget(max_expansions=2 * len(terms)))
    with pytest.raises(OverBudget, match="more than 1 indexed words"):
        check(CONN, "كتا*", Budget(max_expansions=1))


def test_expansions_on_a_read_only_archive(tmp_path):
    db = tmp_path / "a.db"
    disk = sqlite3.connect(db)
    CONN.backup(disk)
    disk.close()
    ro = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    assert expansions(ro, DEFAULT_SCHEME.analyzers[0].term("كتا"), 100) >= 2


def test_deadline_stops_a_statement_and_says_so():
    endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    with pytest.raises(OverBudget, match="took more than"), deadline(CONN, 0.05):
        CONN.execute(endless).fetchone()
    with deadline(CONN, 60):
        assert search(CONN, "كتاب").total == len(DOCS)
    assert CONN.execute("SELECT 1").fetchone() == (1,)  # the handler is gone afterwards


def _real_queries() -> list[str]:
    """Queries people typed: the retrieval set's (when the shared data is there) and a few of our own."""
    own = ["الاتحاد الأوروبي -بريطانيا", '"ولي العهد" السعودي', "ترامب OR بوتين قمة", "اقتصا* مصر",
           "- من هو جمال أحمد حمزة خاشقجي؟", "كأس العالم 2018", "٢٠٢٥ تحويلات 22.6 مليار"]
    path = SHARED / "data" / "ir" / "arqa-passages" / "queries.jsonl"
    if not path.is_file():
        return own
    with path.open(encoding="utf-8") as f:
        return own + [json.loads(line)["text"] for _, line in zip(range(300), f, strict=False)]


HOSTILE = ['"', "*", "-", "(", ")", " OR ", " AND ", " NOT ", ":", "^", "{", "}", "NEAR(", "\x00", "\ud800",
           "'", ";", "+", "ـ", "\u200f", " ", "\\", "*\"", "-\""]
Mutation = st.tuples(st.integers(0, 500), st.sampled_from(HOSTILE) | st.text(max_size=3))


def _mutate(query: str, edits: list[tuple[int, str]]) -> str:
    for at, piece in edits:
        at %= len(query) + 1
        query = query[:at] + piece + query[at:]
    return query


def _is_valid_fts(expr: str) -> bool:
    CONN.execute(f"SELECT count(*) FROM {index.TABLE} WHERE {index.TABLE} MATCH ?", (expr,)).fetchone()
    return True


@settings(max_examples=300)
@given(st.sampled_from(_real_queries()), st.lists(Mutation, max_size=6), st.sampled_from(["all", "any"]))
def test_mutated_real_queries_give_valid_fts5(query, edits, mode):
    text = _mutate(query, edits)
    expr = to_match(text, mode=mode)
    assert expr is None or _is_valid_fts(expr)


@settings(max_examples=300)
@given(st.lists(st.text(max_size=4) | st.sampled_from(HOSTILE), max_size=20).map("".join))
def test_any_text_is_searched_or_refused_with_our_error(text):
    try:
        check(CONN, text, Budget(max_expansions=50))
        expr = to_match(text)
        assert expr is None or _is_valid_fts(expr)
        search(CONN, text)
    except InputError:
        pass  # over budget, said in one line: the only refusal allowed


def test_the_web_budget_allows_what_the_form_allows():
    assert budget.WEB.max_chars == 500 and budget.WEB.min_prefix >= 3
