"""The PostgreSQL search index against SQLite's FTS5 on the same real articles: the same rows match
and bm25 scores agree, for words, column filters, phrases, prefixes, OR, AND and NOT.

Needs a PostgreSQL 15 server: MARSAD_TEST_PG is the URL of a database where the tests may create
(and drop) schemas of their own. Without it the tests skip (in CI that fails the run).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sqlite3
import uuid
from contextlib import contextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marsad.archive.sqlite import search as fts
from marsad.archive.sqlite.search import fts5_match
from marsad.model import Article
from marsad.search.analyze import DEFAULT_SCHEME as SCHEME
from marsad.search.budget import OverBudget
from marsad.search.expr import AllOf, AnyOf, Exclude, Phrase
from marsad.search.index import prepare
from marsad.search.query import compile
from marsad.search.rank import Filters

psycopg = pytest.importorskip("psycopg")
from marsad.archive.postgres import search as pgsearch  # noqa: E402

URL = os.environ.get("MARSAD_TEST_PG")
OUTLETS = ("alpha", "beta", "gamma")


@pytest.fixture
def pg():
    if not URL:
        pytest.skip("MARSAD_TEST_PG (a PostgreSQL database URL for tests) is not set")
    schema = "t_" + uuid.uuid4().hex[:12]
    conn = psycopg.connect(URL, autocommit=True)
    conn.execute(f"CREATE SCHEMA {schema}")
    conn.execute(f"SET search_path = {schema}")
    for _, ddl in pgsearch.MIGRATIONS:
        conn.execute(ddl)
    # The store's and the relate stage's tables, as far as the index reads them.
    conn.execute("CREATE TABLE articles (rowid bigint PRIMARY KEY, id text NOT NULL, url text, headline text,"
                 " outlet text, section text, published text, body text)")
    conn.execute("CREATE TABLE duplicates (article_rowid bigint PRIMARY KEY, group_id bigint NOT NULL)")
    try:
        yield conn
    finally:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")
        conn.close()


class OneConnection:
    """What the index needs of a backend: a connection (here always the same one)."""

    def __init__(self, conn):
        self.conn = conn

    @contextmanager
    def connection(self):
        yield self.conn


def load(shared, name: str, n: int) -> list[Article]:
    if name == "arqa":
        path, title, text = shared / "data/ir/arqa-passages/corpus.jsonl", "title", "text"
    else:
        path, title, text = shared / "data/news/ant-multisource/sample.jsonl", "title", "text"
    with open(path, encoding="utf-8") as f:
        records = [json.loads(line) for line in itertools.islice(f, n)]
    return [Article(r.get(title) or "", [r[text]], id=r["id"], outlet=OUTLETS[i % 3], section=f"s{i % 2}",
                    published=f"2018-0{1 + i % 9}-1{i % 10}") for i, r in enumerate(records)]


def both(pg, articles: list[Article]):
    """The same articles indexed by FTS5 and by PostgreSQL; keys 1, 2, ..."""
    rows = [(k, a) for k, a in enumerate(articles, 1)]
    lite = sqlite3.connect(":memory:")
    lite.execute(fts.create_sql())
    fts.add(lite, rows)
    with pg.cursor() as cur:
        cur.executemany("INSERT INTO articles VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                        [(k, a.id, f"https://x/{k}", a.headline, a.outlet, a.section, a.published, a.body)
                         for k, a in rows])
    index = pgsearch.PostgresSearchIndex(OneConnection(pg))
    index.add(rows[: len(rows) // 2])
    index.add(rows[len(rows) // 2:], {a.id: prepare(a) for _, a in rows})
    index.compact()
    return lite, index


def fts5_scores(lite, e) -> dict[int, float]:
    weights = ", ".join(f"{w:g}" for w in SCHEME.weights)
    return dict(lite.execute(f"SELECT rowid, bm25({fts.TABLE}, {weights}) FROM {fts.TABLE} "
                             f"WHERE {fts.TABLE} MATCH ?", (fts5_match(e),)))


def trees(articles: list[Article], n: int, seed: int) -> list:
    """Query trees of every kind, made of the articles' own terms."""
    rng = random.Random(seed)
    care, clit = SCHEME.columns_of("careful"), SCHEME.columns_of("clitics")
    out = []
    for _ in range(n):
        toks = prepare(rng.choice(articles))[2].split() or ["x"]
        at = rng.randrange(len(toks))
        a, b, c, d = (rng.choice(toks) for _ in range(4))
        pair = tuple(toks[at:at + 2])
        out += [Phrase((a,)), Phrase((a,), care), AnyOf((Phrase((a,), clit), Phrase((b,)))),
                AllOf((Phrase((a,)), AnyOf((Phrase((b,)), Phrase((c,)))))),
                Exclude(AnyOf((Phrase((a,)), Phrase((b,)))), Phrase((c,))),
                Phrase(pair), Phrase(pair, care), Phrase(pair, prefix=True),
                Phrase((a[:3],), prefix=True), AnyOf((AllOf((Phrase((a,)), Phrase((d,)))), Phrase(pair))),
                AnyOf((Phrase(pair), Phrase((pair[0],)), Phrase((pair[-1],))))]
    return out


def test_bm25_scores_and_matches_equal_fts5(pg, shared):
    articles = load(shared, "news", 260)
    lite, index = both(pg, articles)
    for e in trees(articles, 12, seed=1):
        want = fts5_scores(lite, e)
        got = dict(index.matches(e, Filters()))
        assert set(got) == set(want), fts5_match(e)
        assert all(abs(got[k] - want[k]) < 1e-6 for k in want), fts5_match(e)
        assert index.count(e, Filters()) == len(want)


@given(st.text(alphabet=st.sampled_from("aZ.9-_ \t\n\"\\'%*\u0627\u0628\u00a0\u200f"), max_size=30))
def test_tokens_are_those_of_fts5s_ascii_tokenizer(text):
    lite = sqlite3.connect(":memory:")
    lite.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize=\"ascii tokenchars '.'\")")
    lite.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    lite.execute("INSERT INTO t VALUES (?)", (text,))
    assert pgsearch.tokens(text) == [r[0] for r in lite.execute("SELECT term FROM v ORDER BY offset")]


def test_repeated_and_overlapping_phrases(pg):
    arts = [Article("w w w", ["w x w x w", "z"], id="a"), Article("x", ["w w", "q"], id="b"),
            Article("q", ["Some ASCII-text, 22.6 and more"], id="c")]
    lite, index = both(pg, arts)
    for e in [Phrase(("w", "w")), Phrase(("w", "x", "w")), AnyOf((Phrase(("w",)), Phrase(("w",)))),
              Phrase(("ascii", "text")), Phrase(("22.6",)), Phrase(("ascii-text",)),
              Phrase(("w", "x"), prefix=True)]:
        want = fts5_scores(lite, e)
        got = dict(index.matches(e, Filters()))
        assert set(got) == set(want) and all(abs(got[k] - want[k]) < 1e-6 for k in want), fts5_match(e)


def test_real_queries_rank_the_same_top_ten(pg, shared):
    articles = load(shared, "arqa", 2000)
    lite, index = both(pg, articles)
    with open(shared / "data/ir/arqa-passages/queries.jsonl", encoding="utf-8") as f:
        queries = [json.loads(line)["text"] for line in itertools.islice(f, 300)]
    overlaps = []
    for text in queries[::3]:
        for mode in ("any", "all"):
            e = compile(text, mode=mode)
            want = sorted(fts5_scores(lite, e).items(), key=lambda r: (r[1], r[0]))[:10]
            got = index.matches(e, Filters(), best=10)
            assert [k for k, _ in got] == [k for k, _ in want]  # scores equal, ties broken by key
            assert all(abs(g - w) < 1e-6 for (_, g), (_, w) in zip(got, want, strict=True))
            if want:
                overlaps.append(len({k for k, _ in want} & {k for k, _ in got}) / len(want))
    assert len(overlaps) >= 100 and sum(overlaps) / len(overlaps) >= 0.95


def test_filters_newest_best_groups_hits_and_facets(pg, shared):
    articles = load(shared, "news", 120)
    lite, index = both(pg, articles)
    e = Phrase((prepare(articles[0])[2].split()[0],))
    scores = fts5_scores(lite, e)
    by_outlet = Filters(outlet="ALPHA", since="2018-02", until="2018-05")
    keep = {k for k, a in enumerate(articles, 1)
            if a.outlet == "alpha" and "2018-02" <= a.published[:7] <= "2018-05"}
    assert {k for k, _ in index.matches(e, by_outlet)} == keep & set(scores)
    assert index.count(e, by_outlet) == len(keep & set(scores))
    assert [k for k, _ in index.matches(e, Filters(), newest=3)] == sorted(scores, reverse=True)[:3]
    best = index.matches(e, Filters(), best=4)
    assert [k for k, _ in best] == [k for k, _ in sorted(scores.items(), key=lambda r: (r[1], r[0]))[:4]]
    assert all(s is None for _, s in index.matches(e, Filters(), scored=False))
    first, second = sorted(scores)[:2]
    pg.execute("INSERT INTO duplicates VALUES (%s, 7), (%s, 7)", (first, second))
    groups = {k: g for k, _, g in index.matches(e, Filters(), groups=True)}
    assert groups[first] == groups[second] == 7 and list(groups.values()).count(None) == len(scores) - 2
    hits = index.hits([first], body=False)
    assert hits[first][:3] == (first, articles[first - 1].id, f"https://x/{first}") and hits[first][6] is None
    outlets = index.facets(e, Filters(), 0).outlets
    assert sum(n for _, n in outlets) == len(scores)
    assert outlets == sorted(outlets, key=lambda r: (-r[1], r[0]))


def test_replace_remove_and_expansions(pg):
    arts = [Article("alpha", ["beta gamma"], id="a"), Article("alpine", ["beta"], id="b")]
    lite, index = both(pg, arts)
    assert index.expansions("alp", 10) == 2 and index.expansions("alp", 1) == 1
    assert index.expansions("zz", 10) == 0
    index.add([(1, Article("delta", ["beta"], id="a"))])  # a new version replaces the old
    assert index.count(Phrase(("alpha",)), Filters()) == 0
    assert index.count(Phrase(("delta",)), Filters()) == 1
    index.remove([2])
    assert index.count(Phrase(("beta",)), Filters()) == 1
    lite.execute(f"DELETE FROM {fts.TABLE}")
    fts.add(lite, [(1, Article("delta", ["beta"], id="a"))])
    assert index.matches(Phrase(("beta",)), Filters()) == list(fts5_scores(lite, Phrase(("beta",))).items())


def test_deadline_stops_a_query_and_leaves_the_connection_usable(pg):
    _, index = both(pg, [Article("alpha", ["beta"], id="a")])
    with pytest.raises(OverBudget), index.deadline(0.0):
        index.count(Phrase(("alpha",)), Filters())
    with index.deadline(5.0):
        assert index.count(Phrase(("alpha",)), Filters()) == 1
    assert index.count(Phrase(("beta",)), Filters()) == 1


def test_results_kept_between_calls_follow_writes(pg):
    arts = [Article("alpha", ["beta " * (i + 1)], id=str(i)) for i in range(6)]
    lite, index = both(pg, arts)
    e = AnyOf((Phrase(("alpha",)), Phrase(("beta",))))
    ranked = sorted(fts5_scores(lite, e).items(), key=lambda r: (r[1], r[0]))
    assert [k for k, _ in index.matches(e, Filters(), newest=2)] == [6, 5]
    assert index.matches(e, Filters(), best=3) == ranked[:3]
    assert index.count(e, Filters()) == 6
    new = Article("alpha alpha", ["beta"], id="new")
    index.add([(7, new)])
    fts.add(lite, [(7, new)])
    ranked = sorted(fts5_scores(lite, e).items(), key=lambda r: (r[1], r[0]))
    assert index.count(e, Filters()) == 7
    assert index.matches(e, Filters(), best=3) == ranked[:3]

