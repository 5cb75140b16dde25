"""The alerts on the reader: the list, each alert's page, and its Atom feed read back with feedparser."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import feedparser
import pytest
from fastapi.testclient import TestClient
from lxml import html as lxml_html

from marsad.archive import open_archive
from marsad.model import Alert
from marsad.watch import alerts
from marsad.web import create_app
from tests.watch.alert_data import BASE_URL, NOW, OLD, sample, settings

SECRET, ADDRESS = "s3cret-never-shown", "desk@example.org"
HOOK = "https://hooks.example.org/T0KEN-never-shown"
NAME = "أخبار اليمن"


@pytest.fixture
def served(new_db):
    """A reader over an archive whose alerts matched two rounds, an hour apart; (client, matches)."""
    db = new_db()
    conf = settings(db, smtp_port=1, password="smtp-password-never-shown")
    with open_archive(db) as arc:
        arc.put(sample(OLD, 200))
        alerts.add(arc, Alert(NAME, "اليمن OR السعودية", webhook=HOOK, secret=SECRET, email=ADDRESS,
                              every="daily"), NOW)
        alerts.add(arc, Alert("quiet", "زلزال"), NOW)
        for n, part in enumerate((sample(200, 230), sample(230))):
            arc.put(part)
            alerts.after_round(arc, [a.id for a in part], NOW + timedelta(hours=n), conf)
        found = arc.backend.alerts.matches(NAME)
    assert len({when for _, when in found}) == 2
    with TestClient(create_app(conf)) as client:
        yield client, found


def test_the_feed_is_valid_atom_newest_first(served):
    client, found = served
    answer = client.get(f"/alerts/{quote(NAME)}.atom")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(answer.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10" and NAME in feed.feed.title
    assert feed.feed.link == f"{BASE_URL}/alerts/{quote(NAME)}"
    assert [e.link for e in feed.entries] == [f"{BASE_URL}/articles/{i}" for i, _ in found]
    updated = [e.updated_parsed for e in feed.entries]
    assert updated == sorted(updated, reverse=True) and updated[0] > updated[-1]
    stored = {a.id: a for a in sample(200)}
    first = feed.entries[0]
    assert first.title == stored[found[0][0]].headline and first.author == stored[found[0][0]].outlet
    assert any(link.rel == "related" and link.href == stored[found[0][0]].url for link in first.links)
    empty = feedparser.parse(client.get("/alerts/quiet.atom").content)
    assert not empty.bozo and empty.entries == []


def test_pages_list_the_alerts_and_their_matches_and_keep_secrets(served):
    client, found = served
    listing = client.get("/alerts")
    assert listing.status_code == 200
    page = lxml_html.fromstring(listing.text)
    links = [a.get("href") for a in page.iter("a")]
    assert {f"/alerts/{quote(NAME)}", f"/alerts/{quote(NAME)}.atom", "/alerts/quiet"} <= set(links)
    one = client.get(f"/alerts/{quote(NAME)}")
    assert one.status_code == 200
    page = lxml_html.fromstring(one.text)
    cards = [a.get("href") for a in page.xpath('//h3[@class="card-title"]/a')]
    assert cards == [f"/articles/{i}" for i, _ in found]
    assert page.xpath('//svg[@class="chart"]//rect[@class="bar"]') and NAME in page.findtext(".//h1")

    assert client.get("/alerts/nope").status_code == 404
    assert client.get("/alerts/nope.atom").status_code == 404
    # What readers see never holds a secret, a webhook address, an email address or the SMTP password.
    for path in ("/alerts", f"/alerts/{quote(NAME)}", f"/alerts/{quote(NAME)}.atom", "/alerts/quiet.atom"):
        body = client.get(path).text
        for private in (SECRET, HOOK, "T0KEN", ADDRESS, "smtp-password"):
            assert private not in body, (path, private)
