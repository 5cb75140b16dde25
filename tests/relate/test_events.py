"""Stories are events, on the ant-multisource reports the issue quoted: clustered as an ingest does (in the
file's order), over every outlet's reports of the days around them."""

from __future__ import annotations

import dataclasses
import json
import lzma
from datetime import date
from itertools import combinations
from pathlib import Path

import pytest

from marsad.model import Article
from marsad.parse.records import record_to_article
from marsad.relate.cluster import EXTEND, JOIN, MAX_SPAN, WINDOW, Clusterer, StoryState, cluster
from marsad.relate.features import Doc, cosine, make_doc
from marsad.relate.threads import THREAD

SUMMIT = "FR-internationalNews-1768-20180612"  # «قمة تاريخية بين ترامب وكيم جونغ أون…»
DEFECTOR = "AL-internationalNews-1543-20180609"  # «هارب من كوريا الشمالية يصف بلاده…»
GULF_AID_BAHRAIN = "AL-economy-898-20180627"  # «برنامج خليجي لدعم الإصلاحات واستقرار مالية البحرين»
IMF_EGYPT = "AL-economy-927-20180630"  # «صندوق النقد يعلن صرف ملياري دولار لمصر»


def reports(shared: Path, *spans: tuple[str, str]) -> dict[str, dict]:
    """Every ant-multisource report published within one of the (first, last) day ``spans``, by id."""
    out = {}
    with lzma.open(shared / "data" / "news" / "ant-multisource" / "articles.jsonl.xz", "rt",
                   encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if any(first <= rec["published"][:10] <= last for first, last in spans):
                out[rec["id"]] = rec
    return out


@pytest.fixture(scope="module")
def june(shared: Path) -> dict[str, dict]:
    """Every report published from 5 to 16 June 2018 and from 25 June to 2 July."""
    return reports(shared, ("2018-06-05", "2018-06-16"), ("2018-06-25", "2018-07-02"))


@pytest.fixture(scope="module")
def stories(june: dict[str, dict]) -> dict[str, frozenset[str]]:
    found = cluster(make_doc(record_to_article(r)) for r in june.values())
    return {i: frozenset(s) for s in found for i in s}


def test_summit_story_holds_no_g7_report_nor_the_defector(june, stories):
    summit = stories[SUMMIT]
    assert len(summit) >= 5
    g7 = {i for i, r in june.items() if "السبع" in r["title"] and "كيم" not in r["title"]}
    assert len(g7) > 20 and not summit & g7
    assert DEFECTOR not in summit


def test_gulf_aid_to_bahrain_is_not_imf_money_for_egypt(stories):
    assert IMF_EGYPT not in stories[GULF_AID_BAHRAIN]


@pytest.fixture(scope="module")
def october(shared: Path) -> dict[str, dict]:
    """Every report published from 28 September to 5 November 2018."""
    return reports(shared, ("2018-09-28", "2018-11-05"))


def test_khashoggi_is_not_cut_at_a_date_boundary(october):
    """Jamal Khashoggi's disappearance in Istanbul was reported every day for weeks by several outlets:
    ingested in time order (as a crawl brings them), the story opened by the first reports (3 October)
    still takes strongly matching reports after its seventh day, where a fixed span used to close it,
    and takes no other event's reports meanwhile (but CNN's, see below)."""
    docs = sorted((make_doc(record_to_article(r)) for r in october.values()), key=lambda d: (d.day, d.id))
    stories = cluster(docs)
    khashoggi = {i for i, r in october.items() if "خاشقجي" in r["title"]}
    first = min(khashoggi, key=lambda i: october[i]["published"])
    story = next(s for s in stories if first in s)
    days = sorted(october[i]["published"][:10] for i in story if i in khashoggi)
    assert days[0] <= "2018-10-04" and days[-1] > "2018-10-10"
    # CNN Arabic's bodies in ant-multisource end with other articles' leads (often Khashoggi's, that
    # month), which pulls its unrelated items in; the other outlets' reports are the event's.
    others = [i for i in story if october[i]["outlet"] != "CNN Arabic"]
    assert len(set(others) & khashoggi) >= 0.9 * len(others) and len(story) >= 20


def _daily(c: Clusterer, days: range, outlets: tuple[str, ...]) -> None:
    """One report a day of the same event, by turns from each of ``outlets``."""
    for day in days:
        c.add(Doc(f"d{day}", "", 100 + day, {"event": 0.8, "place": 0.6}, frozenset(), None,
                  outlet=outlets[day % len(outlets)]))


def test_a_weak_match_after_the_first_week_opens_a_story():
    """Past MAX_SPAN days a story takes only strong matches: a report as close to it as a
    follow-up (above JOIN, below EXTEND) opens a story of its own, a near repeat still joins."""
    c = Clusterer()
    _daily(c, range(10), ("a", "b"))
    near = c.add(Doc("near", "", 110, {"event": 0.8, "place": 0.6}, frozenset(), None, outlet="a"))
    assert near.id == "d0"
    # cosine 0.8 * 0.296 = 0.237: joins a story of the week, not one already past its first week
    weak = Doc("weak", "", 111, {"event": 0.296, "other": (1 - 0.296 ** 2) ** 0.5}, frozenset(), None,
               outlet="b")
    assert JOIN < 0.8 * 0.296 < EXTEND
    assert c.add(weak).id == "weak"
    fresh = Clusterer()
    _daily(fresh, range(3), ("a", "b"))
    assert fresh.add(dataclasses.replace(weak, day=103)).id == "d0"


def test_one_outlets_daily_series_is_no_event_past_a_week():
    """The same daily report of one outlet (an oil market report) matches itself every day: its story
    ends after MAX_SPAN days, and the next report opens another."""
    c = Clusterer()
    _daily(c, range(12), ("Sky News Arabia",))
    assert [len(s.members) for s in c.stories.values()] == [MAX_SPAN + 1, 12 - MAX_SPAN - 1]


def test_no_single_outlet_story_outlasts_a_week(june):
    """On real reports (June 2018: Sky News Arabia's daily oil market reports among them), only
    stories that several outlets carry run past MAX_SPAN days."""
    for s in cluster(make_doc(record_to_article(r)) for r in june.values()):
        days = sorted(june[i]["published"][:10] for i in s)
        span = (date.fromisoformat(days[-1]) - date.fromisoformat(days[0])).days
        assert span <= MAX_SPAN or len({june[i]["outlet"] for i in s}) > 1


def test_khashoggi_outlet_by_outlet_is_a_thread_of_events_not_a_chain(october):
    """Ingested outlet by outlet (a bulk load of per-outlet exports), each outlet's reports of the first
    days open a story that the next outlet's reports of later days cannot join. Stories whose days lie
    within each other's merge; stories that follow one another (the disappearance, 3-10 October; the
    inquiry and Pompeo's visit, from 11 October) stay events of their own, linked as one thread, and no
    merge chains them into a storyline of weeks."""
    docs = sorted((make_doc(record_to_article(r)) for r in october.values()),
                  key=lambda d: (d.outlet, d.day, d.id))
    c = Clusterer()
    for d in docs:
        c.add(d)
    khashoggi = {i for i, r in october.items() if "خاشقجي" in r["title"]}
    big = sorted((s for s in c.stories.values() if len(set(s.members) & khashoggi) >= 10),
                 key=lambda s: -len(set(s.members) & khashoggi))
    assert len(big) >= 2 and sum(len(set(s.members) & khashoggi) for s in big) >= 0.6 * len(khashoggi)
    for s in big:
        days = sorted(october[i]["published"][:10] for i in s.members)
        assert (date.fromisoformat(days[-1]) - date.fromisoformat(days[0])).days <= MAX_SPAN + 2 * WINDOW
    for s in big[:2]:  # (smaller ones hold CNN Arabic items on the Saudi response, titled without the name)
        assert len(set(s.members) & khashoggi) >= 0.75 * len(s.members)
    for a, b in combinations(big, 2):
        assert cosine(a.centroid, b.centroid) / (a.norm * b.norm) >= THREAD  # one thread links them


def _report(i: int, day: int, outlet: str) -> Article:
    words = "انفجار ميناء المدينة الساحلية ضحايا الحريق فرق الإنقاذ المستودع المواد الكيميائية الحكومة"
    return Article(headline=f"انفجار ميناء المدينة الساحلية {i}", paragraphs=[words, words],
                   id=f"r{i}", outlet=outlet, published=f"2024-03-{day:02d}T10:00:00")


def test_a_late_report_between_two_stories_of_one_event_merges_them(new_db, archive_backend):
    """Reports of days 1-2 make a story that those of days 6-7 are too late to join; a report of day 4
    loaded last fits both: the two stories are one event and become one, in the archive as in memory."""
    from marsad.archive import open_archive
    from marsad.relate import stories

    articles = [_report(0, 1, "a"), _report(1, 2, "b"), _report(2, 6, "a"), _report(3, 7, "b")]
    assert len(cluster(make_doc(a) for a in articles)) == 2
    articles.append(_report(4, 4, "c"))
    assert cluster(make_doc(a) for a in articles) == [["r0", "r1", "r4", "r2", "r3"]]
    with open_archive(new_db()) as arc:
        arc.put(articles[:4])
        assert len(stories(arc, min_size=1)) == 2
        arc.put(articles[4:])
        found = stories(arc, min_size=1)
    assert [sorted(s.articles) for s in found] == [["r0", "r1", "r2", "r3", "r4"]]
    assert found[0].id == "r0" and found[0].first_seen.startswith("2024-03-01")


def _other(i: int, day: int, outlet: str) -> Article:
    words = "الدوري الكرة المباراة الهدف الفريق المدرب الملعب الجماهير البطولة اللاعبين"
    return Article(headline=f"المباراة الفريق {i}", paragraphs=[words, words], id=f"o{i}", outlet=outlet,
                   published=f"2024-03-{day:02d}T12:00:00")


def test_a_thread_links_the_stories_of_a_storyline_without_merging_them(new_db, archive_backend):
    """The port blast of 1-2 March and its follow-up reports of 20-21 March are two stories (too far
    apart to be one event) of one thread; a football story of the same days is in neither."""
    from marsad.archive import open_archive
    from marsad.relate import stories, thread

    articles = [_report(0, 1, "a"), _report(1, 2, "b"), _report(2, 20, "a"), _report(3, 21, "b"),
                _other(0, 2, "a"), _other(1, 2, "b")]
    with open_archive(new_db()) as arc:
        arc.put(articles)
        found = {s.id: s for s in stories(arc)}
        assert sorted(map(sorted, (s.articles for s in found.values()))) == [
            ["o0", "o1"], ["r0", "r1"], ["r2", "r3"]]
        assert [t.id for t in thread(arc, "r0")] == ["r2"]
        assert [t.id for t in thread(arc, "r2")] == ["r0"]
        assert thread(arc, "o0") == []


def test_a_merge_never_chains_stories_that_follow_one_another():
    """The Trump–Kim summit called off (24 May), back on, prepared (June): stories of days that follow
    one another do not merge past MAX_SPAN days; a story whose days lie within another's does."""
    def story(sid: str, first: int, last: int) -> StoryState:
        return StoryState(sid, first=first, last=last, outlets=["a", "a", "b", "b"])

    assert not Clusterer._may_span(story("s1", 100, 106), story("s2", 105, 111))  # a chain of 12 days
    assert Clusterer._may_span(story("s1", 100, 109), story("s2", 103, 111))  # within its joinable days
    assert Clusterer._may_span(story("s1", 100, 104), story("s2", 103, 106))  # within MAX_SPAN
