"""Search through an archive, as the CLI and the reader call it."""

import dataclasses
import json

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.archive import open_archive
from marsad.cli import main
from marsad.errors import InputError
from marsad.model import Article, Image
from marsad.search import read_queries, search, search_many
from marsad.search.query import compile
from marsad.search.rank import Filters

DOCS = [
    Article("قمة في بروكسل", ["قال مسؤولون إن والاتحاد الاوروبي سيجتمع غدا لبحث الهجرة."], id="eu1",
            outlet="BBC", section="world", published="2025-01-02T10:00:00"),
    Article("تحويلات مالية", ["بلغت تحويلات للاتحاد الأوربي 22.6 مليار دولار في عام ٢٠٢٥ <script>"], id="eu2",
            outlet="CNN", section="economy", published="2025-03-02T08:00:00"),
    Article("الإتحاد الأوروبى يقرر", ["قرار جديد بشأن بريطانيا والهجرة."], id="eu3", outlet="BBC",
            published="2025-02-10", images=[Image("صورة للرئيس الفرنسي")]),
    Article("كرة القدم", ["فاز الفريق في المباراة النهائية بثلاثة أهداف في 2024."], id="sport",
            outlet="CNN", section="sport", published="2024-06-01"),
    Article("اقتصاد مصر", ["نمو الاقتصاد المصري بنسبة 1,500 نقطة والاقتصادية"], id="eco",
            outlet="BBC", section="economy", published="2024-12-30"),
]


# A copy of eu1 from another outlet: the relate stage groups the two, so search folds them.
COPY = dataclasses.replace(DOCS[0], id="eu1b", outlet="CNN", published="2025-01-02T12:00:00")


def _archive(path, docs=DOCS):
    with open_archive(path) as arc:
        arc.put(docs)
    return open_archive(path, readonly=True)


@pytest.fixture(scope="module")
def shared_arc(tmp_path_factory):
    with _archive(tmp_path_factory.mktemp("search") / "a.db") as arc:
        yield arc


@pytest.fixture
def conn(tmp_path):
    """An archive of DOCS that a test may change."""
    with open_archive(tmp_path / "a.db") as arc:
        arc.put(DOCS)
        yield arc


@pytest.fixture
def copies(tmp_path):
    with _archive(tmp_path / "a.db", [*DOCS, COPY]) as arc:
        yield arc


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.sampled_from(["auto", "any"]))
def test_any_text_searches_without_error(shared_arc, text, mode):
    result = search(shared_arc, text, mode=mode)
    assert result.total >= len(result.hits)


def ids(result):
    return {h.id for h in result.hits}


def test_arabic_spellings_meet(conn):
    for q in ("الاتحاد الأوروبي", "والاتحاد الاوروبي", "للاتحاد الأوربي", "الإتحاد الأوروبى"):
        assert ids(search(conn, q)) == {"eu1", "eu2", "eu3"}, q


def test_digits_fold_both_ways(conn):
    assert ids(search(conn, "2025")) == {"eu2"}
    assert ids(search(conn, "٢٠٢٤")) == {"sport"}
    assert ids(search(conn, "22.6")) == {"eu2"}
    assert ids(search(conn, "1500")) == {"eco"}


def test_syntax(conn):
    assert ids(search(conn, '"الاتحاد الأوروبي" -بريطانيا')) == {"eu1", "eu2"}
    assert ids(search(conn, "بروكسل OR المباراة")) == {"eu1", "sport"}
    assert ids(search(conn, "الاقتص*")) == {"eco"}
    assert ids(search(conn, "الرئيس")) == {"eu3"}  # image captions are indexed


def test_any_word_by_default_all_words_first(conn):
    ranked = search(conn, "الهجرة بروكسل")
    assert [h.id for h in ranked.hits][0] == "eu1" and ids(ranked) == {"eu1", "eu3"}
    assert ids(search(conn, "الهجرة بروكسل", mode="all")) == {"eu1"}
    assert ids(search(conn, "الهجرة بروكسل", mode="auto")) == {"eu1"}
    # No article has both: "auto" relaxes to any.
    assert ids(search(conn, "بروكسل المباراة", mode="auto")) == {"eu1", "sport"}


def test_filters_and_paging(conn):
    assert ids(search(conn, "الاتحاد", outlet="bbc")) == {"eu1", "eu3"}
    assert ids(search(conn, "الاتحاد", since="2025-02")) == {"eu2", "eu3"}
    assert ids(search(conn, "الاتحاد", until="2025-02-10")) == {"eu1", "eu3"}
    assert ids(search(conn, "الاقتصاد", section="economy")) == {"eco"}
    page = search(conn, "الاتحاد", limit=2, offset=2)
    assert page.total == 3 and len(page.hits) == 1
    assert search(conn, "الاتحاد", offset=50).total == 3


def test_ranking_prefers_the_headline(conn):
    hits = search(conn, "الاتحاد الأوروبي").hits
    assert hits[0].id == "eu3" and hits[0].score >= hits[1].score


def test_hostile_queries_never_error(conn):
    for q in ['"', "(", ")", "-", "*", "OR", "AND OR NOT", "'; DROP TABLE articles; --", 'a" OR "b',
              "NEAR(x y, 2)", "{body}: x", "^x", "x:y", "\\", "", "   ", "؟؟", "-\"الاتحاد\""]:
        search(conn, q)
    assert conn.count() == len(DOCS)


def test_snippets_mark_matches_and_escape(conn):
    hit = next(h for h in search(conn, "الأوروبي 2025").hits if h.id == "eu2")
    assert "<mark>الأوربي</mark>" in hit.snippet and "<mark>٢٠٢٥</mark>" in hit.snippet
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet


def test_bad_arguments_are_input_errors(conn):
    with pytest.raises(InputError):
        search(conn, "x", limit=0)
    with pytest.raises(InputError):
        search(conn, "x", mode="some")


def test_remove_and_replace(conn):
    index = conn.backend.index
    [(key, _)] = index.matches(compile("بروكسل", scheme=index.scheme), Filters())
    with conn.backend.unit_of_work():
        index.remove([key])
    assert ids(search(conn, "بروكسل")) == set()
    with conn.backend.unit_of_work():
        index.add([(key, DOCS[0])])
        index.add([(key, DOCS[0])])  # indexing twice keeps one entry
    assert search(conn, "بروكسل").total == 1


def test_folded_copies_stay_reachable_and_counted(copies):
    res = search(copies, "الاتحاد")
    # Four articles match; eu1 and eu1b are copies, so one of them is shown under the other.
    assert (res.total, res.folded, len(res.hits)) == (4, 1, 3)
    rep = next(h for h in res.hits if h.copies)
    assert rep.copies == 1 and {rep.id, rep.folded[0].id} == {"eu1", "eu1b"}
    assert rep.folded[0].title and {rep.outlet, rep.folded[0].outlet} == {"BBC", "CNN"}
    unfolded = search(copies, "الاتحاد", fold=False)
    assert (unfolded.total, unfolded.folded, len(unfolded.hits)) == (4, 0, 4)
    assert all(not h.folded for h in unfolded.hits)
    expanded = [x.id for h in res.hits for x in (h, *h.folded)]
    assert sorted(expanded) == sorted(h.id for h in unfolded.hits)  # folding hides no article


def test_many_queries(conn):
    lines = ["الاتحاد", "", '{"id": "q7", "text": "بروكسل"}', "{not json"]
    out = list(search_many(conn, read_queries(lines)))
    assert [(o["id"], o["total"]) for o in out] == [("1", 3), ("q7", 1), ("4", 0)]


def test_cli_json_and_queries(tmp_path):
    db = tmp_path / "a.db"
    with open_archive(db) as arc:
        arc.put(DOCS)
    runner = CliRunner()
    res = runner.invoke(main, ["search", "الاتحاد الأوروبي", "--db", str(db), "--json", "--limit", "2"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["total"] == 3 and len(out["hits"]) == 2
    assert set(out["hits"][0]) >= {"id", "url", "title", "outlet", "published", "score", "snippet"}
    qfile = tmp_path / "q.txt"
    qfile.write_text('{"id": "a", "text": "بروكسل"}\nالمباراة\n', encoding="utf-8")
    res = runner.invoke(main, ["search", "--db", str(db), "--queries", str(qfile)])
    assert [json.loads(line)["id"] for line in res.output.splitlines()] == ["a", "2"]
    res = runner.invoke(main, ["search", "بروكسل", "--db", str(db)])
    assert res.exit_code == 0 and "قمة في بروكسل" in res.output
    res = runner.invoke(main, ["search", "x", "--db", str(tmp_path / "missing.db")])
    assert res.exit_code == 2


def test_cli_folds_copies_and_unfolds_on_request(tmp_path):
    db = tmp_path / "a.db"
    _archive(db, [*DOCS, COPY]).close()
    runner = CliRunner()
    res = runner.invoke(main, ["search", "بروكسل", "--db", str(db)])
    assert res.exit_code == 0 and "1 other copy" in res.output and "copy:" in res.output
    folded = json.loads(runner.invoke(main, ["search", "الاتحاد", "--db", str(db), "--json"]).output)
    args = ["search", "الاتحاد", "--db", str(db), "--json", "--no-fold"]
    flat = json.loads(runner.invoke(main, args).output)
    assert (folded["total"], folded["folded"], len(folded["hits"])) == (4, 1, 3)
    assert (flat["total"], flat["folded"], len(flat["hits"])) == (4, 0, 4)


def test_snippet_window_in_a_long_text():
    from marsad.search.analyze import DEFAULT_SCHEME
    from marsad.search.snippet import Matcher, snippet

    text = " ".join(["كلام"] * 300) + " وصل الرئيس إلى بروكسل اليوم " + " ".join(["نص"] * 300)
    out = snippet(text, Matcher(DEFAULT_SCHEME, {"بروكسل"}))
    assert out.startswith("… ") and out.endswith(" …")
    assert "<mark>بروكسل</mark>" in out and len(out) < 400
    assert snippet("a <b> & c", Matcher(DEFAULT_SCHEME, {"x"})) == "a &lt;b&gt; &amp; c"



def test_snippets_mark_stems_and_prefixes_in_any_text():
    from marsad.search.analyze import DEFAULT_SCHEME
    from marsad.search.snippet import Matcher, snippet

    text = "قال مسؤول_في الاتحادات إن والاتحاد الأوروبى سيجتمع"
    assert snippet(text, Matcher(DEFAULT_SCHEME, {"الاوروبي"})) == \
        "قال مسؤول_في الاتحادات إن والاتحاد <mark>الأوروبى</mark> سيجتمع"
    assert snippet(text.replace("_", " "), Matcher(DEFAULT_SCHEME, {"اتحا"}, {"اتحا"})) == \
        "قال مسؤول في <mark>الاتحادات</mark> إن <mark>والاتحاد</mark> الأوروبى سيجتمع"
    # Each text word is analyzed once for all queries.
    assert "الأوروبى" in Matcher(DEFAULT_SCHEME, {"x"}).analyses



def test_a_window_across_the_end_of_the_head_holds_whole_words():
    from marsad.search.analyze import DEFAULT_SCHEME
    from marsad.search.snippet import _HEAD, WINDOW, Matcher, snippet

    # Both words meet near the end of the head, where the best window starts; the head ends inside it.
    filler = "والمفاوضات "
    text = "بروكسل " + filler * ((_HEAD // len(filler)) - 15) + "قمة بروكسل " + filler * 100
    out = snippet(text, Matcher(DEFAULT_SCHEME, {"بروكسل", "قمه"}))  # normalized, as queries give them
    words = out.removeprefix("… ").removesuffix(" …").replace("<mark>", "").replace("</mark>", "").split()
    assert "<mark>قمة</mark> <mark>بروكسل</mark>" in out
    assert len(words) == WINDOW and set(words) == {"قمة", "بروكسل", "والمفاوضات"}


def test_broad_all_word_queries_rank_the_newest_matches(conn, monkeypatch):
    import marsad.search

    monkeypatch.setattr(marsad.search, "BROAD", 2)
    res = search(conn, "الاتحاد", mode="all")  # three articles match: more than BROAD
    assert res.total == 3  # every matching article is counted
    assert ids(res) == {"eu2", "eu3"}  # ranked over the two stored last
    assert ids(search(conn, "بروكسل", mode="all")) == {"eu1"}  # a narrow query is unaffected
    assert ids(search(conn, "الاتحاد", outlet="bbc", mode="all")) == {"eu1", "eu3"}  # filters come first


def test_broad_any_queries_rank_every_match(copies, monkeypatch):
    import marsad.search

    narrow = search(copies, "الاتحاد مصر", mode="any")
    monkeypatch.setattr(marsad.search, "BROAD", 1)
    broad = search(copies, "الاتحاد مصر", mode="any")
    assert [h.id for h in broad.hits] == [h.id for h in narrow.hits]
    assert [h.copies for h in broad.hits] == [h.copies for h in narrow.hits] and narrow.folded == 1
    assert broad.total == 5 and narrow.total == 5  # articles, copies included


def test_fold_keeps_the_best_of_each_group():
    from marsad.search import fold

    rows = [(5, -1.0, None), (2, -3.0, 7), (9, -2.0, 7), (4, -2.0, None), (1, -2.5, 8)]
    best, groups = fold(rows)
    assert best == [(2, -3.0), (1, -2.5), (4, -2.0), (5, -1.0)]  # ties by rowid; 9 folds into 2
    assert groups == {2: [(9, -2.0)], 1: []}
    assert fold([(3, -1.0), (1, -1.0)]) == ([(1, -1.0), (3, -1.0)], {})
