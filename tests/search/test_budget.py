"""The search budget, and property tests of the query parser on random and mutated real queries."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.archive import open_archive
from marsad.errors import InputError
from marsad.model import Article
from marsad.search import budget, index, search
from marsad.search.budget import Budget, OverBudget, check
from marsad.search.query import compile
from marsad.search.rank import Filters
from tests.conftest import SHARED

WORDS = "كتاب كتابة كتابات كتبت الكاتب مكتبة الاقتصاد الاقتصادي اقتصادية الحكومة حكومات مصر السعودية"
DOCS = [Article(f"عنوان {i}", [WORDS.split()[i % 13] + " " + WORDS], id=f"a{i}") for i in range(20)]
# The crafted query: two-letter prefixes up to the length limit.
CRAFTED = " ".join(["ال*", "وا*", "في*", "بت*", "من*", "عل*", "لل*", "مع*"] * 16)[:500]


@pytest.fixture(scope="module")
def arc(tmp_path_factory):
    db = tmp_path_factory.mktemp("budget") / "a.db"
    with open_archive(db) as writer:
        writer.put(DOCS)
    with open_archive(db, readonly=True) as reader:
        yield reader


def _index_terms(start: str) -> set[str]:
    return {t for a in DOCS for col in index.prepare(a) for t in col.split() if t.startswith(start)}


def test_a_normal_query_is_within_budget(arc):
    for q in ("الاقتصاد المصري", '"الحكومة السعودية" -مصر', "كتاب OR مكتبة", "اقتص*"):
        check(arc, q)


@pytest.mark.parametrize(("query", "said"), [
    (CRAFTED, "words"), ("ال* وا*", "too short a prefix"), ("x" * 501, "501 characters"),
    ("كتا* اقت* حكو* سعو* مصر*", "words ending in *"), (" ".join(["كلمة"] * 33), "33 words")])
def test_over_budget_is_one_clear_input_error(arc, query, said):
    with pytest.raises(OverBudget, match=said) as e:
        check(arc, query)
    assert isinstance(e.value, InputError) and e.value.status == 400


def test_prefix_expansions_are_counted_in_the_index(arc):
    start = arc.backend.index.scheme.analyzers[0].term("كتا")
    terms = _index_terms(start)
    assert len(terms) >= 2
    assert arc.backend.index.expansions(start, 100) == len(terms)  # on a read-only archive too
    assert arc.backend.index.expansions(start, 1) == 1  # counting stops at the cap
    check(arc, "كتا*", Budget(max_expansions=2 * len(terms)))
    with pytest.raises(OverBudget, match="more than 1 indexed words"):
        check(arc, "كتا*", Budget(max_expansions=1))


def test_deadline_stops_a_statement_and_says_so(arc):
    endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    conn = arc.backend.conn  # a statement that never ends, which no search makes
    with pytest.raises(OverBudget, match="took more than"), arc.backend.index.deadline(0.05):
        conn.execute(endless).fetchone()
    with arc.backend.index.deadline(60):
        assert search(arc, "كتاب").total == len(DOCS)
    assert conn.execute("SELECT 1").fetchone() == (1,)  # the handler is gone afterwards


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


def _runs(arc, text: str, mode: str = "all") -> bool:
    """The compiled query runs on the archive's index (an invalid one would raise)."""
    expr = compile(text, scheme=arc.backend.index.scheme, mode=mode)
    return expr is None or arc.backend.index.count(expr, Filters()) >= 0


@settings(max_examples=300)
@given(st.sampled_from(_real_queries()), st.lists(Mutation, max_size=6), st.sampled_from(["all", "any"]))
def test_mutated_real_queries_run_on_the_index(arc, query, edits, mode):
    assert _runs(arc, _mutate(query, edits), mode)


@settings(max_examples=300)
@given(st.lists(st.text(max_size=4) | st.sampled_from(HOSTILE), max_size=20).map("".join))
def test_any_text_is_searched_or_refused_with_our_error(arc, text):
    try:
        check(arc, text, Budget(max_expansions=50))
        assert _runs(arc, text)
        search(arc, text)
    except InputError:
        pass  # over budget, said in one line: the only refusal allowed


def test_the_web_budget_allows_what_the_form_allows():
    assert budget.WEB.max_chars == 500 and budget.WEB.min_prefix >= 3
