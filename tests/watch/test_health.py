"""Ingest health: per source per day counts, and a flag on a source that fell far below its own norm."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from marsad.archive import open_archive
from marsad.model import Source, SourceDay
from marsad.watch.health import health

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # noon: half of today gone by


def _add(state, name: str, added: str = "2026-01-15T08:00:00Z", **kw) -> str:
    url = f"http://{name}.test/rss.xml"
    state.add_source(Source(url=url, name=name, kind="rss", every=900, added=added, **kw))
    return url


def _history(state, url: str, per_day, days: int = 30) -> None:
    """``per_day(n)`` stored (and discovered) n days before yesterday, for ``days`` days."""
    yesterday = NOW.date() - timedelta(days=1)
    for n in range(1, days + 1):
        stored = per_day(n)
        state.count(SourceDay(url, (yesterday - timedelta(days=n)).isoformat(), stored, stored, stored, 0))


def _recent(state, url: str, yesterday: int, today: int, found: int | None = None) -> None:
    for day, stored in ((NOW.date() - timedelta(days=1), yesterday), (NOW.date(), today)):
        n = stored if found is None else found
        state.count(SourceDay(url, day.isoformat(), n, stored, stored, 0))


@pytest.fixture
def state(new_db):
    with open_archive(new_db()) as arc:
        yield arc, arc.backend.watch


def _by_name(arc) -> dict:
    return {h.source.name: h for h in health(arc, NOW)}


def test_a_source_far_below_its_norm_is_flagged_and_a_steady_one_is_not(state):
    arc, st = state
    quiet, steady = _add(st, "quiet"), _add(st, "steady")
    _history(st, quiet, lambda n: 20)
    _history(st, steady, lambda n: 10 if n % 7 in (0, 1) else 30)  # weekends are slower: the median holds
    _recent(st, quiet, yesterday=3, today=1)
    _recent(st, steady, yesterday=12, today=9)
    got = _by_name(arc)
    assert got["quiet"].norm == 20 and got["quiet"].flagged
    assert got["quiet"].reason == "4 articles stored since yesterday, against 30 expected (20 a day)"
    assert got["steady"].norm == 30 and not got["steady"].flagged and got["steady"].reason is None
    assert got["quiet"].today == SourceDay(quiet, NOW.date().isoformat(), 1, 1, 1, 0)
    assert got["quiet"].total.stored == 20 * 30 + 4
    assert [d.day for d in got["quiet"].days][-1] == "2026-03-10" and len(got["quiet"].days) == 14


def test_a_source_whose_links_are_found_but_not_stored_is_flagged(state):
    arc, st = state
    url = _add(st, "broken", added="2026-03-08T08:00:00Z")  # too new for a norm
    _recent(st, url, yesterday=0, today=1, found=20)
    got = _by_name(arc)["broken"]
    assert got.norm is None and got.flagged and got.reason == "40 articles found since yesterday but 1 stored"


def test_new_paused_and_small_sources_are_not_flagged_but_a_disabled_one_is(state):
    arc, st = state
    new = _add(st, "new", added=(NOW - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    paused = _add(st, "paused", paused=True)
    small = _add(st, "small")
    _add(st, "dead", status="disabled", last_error="HTTP 404 from dead.test")
    _history(st, new, lambda n: 50, days=2)
    _history(st, paused, lambda n: 50)
    _history(st, small, lambda n: 1 if n % 2 else 2)  # one or two a day: a quiet day tells nothing
    got = _by_name(arc)
    assert [n for n, h in got.items() if h.flagged] == ["dead"]
    assert got["dead"].reason == "disabled after repeated failures: HTTP 404 from dead.test"
    assert got["new"].norm is None and got["paused"].norm == 50


def test_the_day_a_source_was_added_is_left_out_of_its_norm(state):
    arc, st = state
    for name, added in (("six-days", date(2026, 3, 2)), ("seven-days", date(2026, 3, 1))):
        url = _add(st, name, added=f"{added.isoformat()}T09:00:00Z")
        st.count(SourceDay(url, added.isoformat(), 500, 500, 500, 0))  # a whole feed on its first day
        for n in range(1, (NOW.date() - added).days - 1):
            st.count(SourceDay(url, (added + timedelta(days=n)).isoformat(), 3, 3, 3, 0))
    got = _by_name(arc)
    assert got["six-days"].norm is None and got["seven-days"].norm == 3


@pytest.mark.backends("sqlite")
def test_the_sources_page_shows_each_source_the_flagged_first(new_db):
    from fastapi.testclient import TestClient
    from selectolax.lexbor import LexborHTMLParser

    from marsad.settings import load
    from marsad.web import create_app

    db = new_db()
    today = datetime.now(UTC).date()
    with open_archive(db) as arc:
        st = arc.backend.watch
        fine = _add(st, "<b>fine</b>")
        quiet = _add(st, "quiet")
        for n in range(2, 31):
            day = (today - timedelta(days=n)).isoformat()
            st.count(SourceDay(fine, day, 9, 9, 9, 0))
            st.count(SourceDay(quiet, day, 40, 40, 40, 1))
        st.count(SourceDay(fine, today.isoformat(), 12, 12, 11, 1))
    with TestClient(create_app(load(db))) as client:
        r = client.get("/sources")
    assert r.status_code == 200
    tree = LexborHTMLParser(r.text)
    rows = tree.css("table.health tbody tr:not(.health-why)")
    # Names escaped, the flagged source first.
    assert [row.css_first("td span").text() for row in rows] == ["quiet", "<b>fine</b>"]
    assert "flagged" in rows[0].attributes["class"] and "flagged" not in (rows[1].attributes["class"] or "")
    cells = [td.text(strip=True) for td in rows[1].css("td")]
    assert cells[3:9] == ["12", "12", "11", "1", "9", "0"]
    # Why, in the reader's language, with the figures of the line the API gives.
    why = tree.css_first("tr.health-why").text()
    assert "خُزّن 0 مقالاً منذ أمس" in why and "معدله 40 في اليوم" in why and "expected" not in why
    assert len(rows[1].css("svg.spark rect")) == 14 and tree.css_first("a[href='/sources']") is not None
