"""Alerts end to end: matching a round's new articles as `marsad search` does, webhook calls to a real
local receiver, once-only delivery across a reopen, retries with backoff, digests when their period ends."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import socket
from datetime import datetime, timedelta

import pytest
from werkzeug import Response

from marsad.archive import open_archive
from marsad.errors import InputError
from marsad.model import Alert
from marsad.watch import alerts
from marsad.watch.deliver import SIGNATURE
from tests.watch.alert_data import BASE_URL, NOW, archive_of_old, run_round, sample, settings

QUERIES = ["ترامب", '"كوريا الشمالية"', "النفط -إيران", "سوري*", "كأس العالم", "اليمن OR السعودية"]
NEW = sample(200)


@pytest.fixture
def db(new_db):
    return archive_of_old(new_db())



def _received(httpserver) -> list[tuple[dict, dict]]:
    return [(dict(req.headers), json.loads(req.get_data())) for req, _ in httpserver.log]


def test_instant_alerts_match_the_new_articles_as_search_does(db):
    conf = settings(db)
    new = {a.id for a in NEW}
    with open_archive(db) as arc:
        for n, q in enumerate(QUERIES):
            alerts.add(arc, Alert(f"q{n}", q), NOW)
        alerts.add(arc, Alert("saudi-region", "السعودية", section="middleeast"), NOW)
        counts = run_round(arc, conf)
        state = arc.backend.alerts
        total = 0
        for n, q in enumerate(QUERIES):
            hits = arc.search(q, mode="all", limit=1000, fold=False, snippets=False).hits
            expected = {h.id for h in hits} & new
            got = [i for i, _ in state.matches(f"q{n}")]
            assert set(got) == expected and len(got) == len(expected), q
            assert all(when == alerts.stamp(NOW) for _, when in state.matches(f"q{n}"))
            total += len(got)
        region = {a.id for a in NEW if a.section == "middleEast"}
        saudi = [i for i, _ in state.matches("saudi-region")]
        assert set(saudi) <= region and len(saudi) == 2
        assert total > 20 and counts == {"matched": total + len(saudi), "delivered": 0, "failed": 0}


def test_a_webhook_gets_each_match_once_signed_across_a_reopen(db, httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    conf = settings(db)
    with open_archive(db) as arc:
        alerts.add(arc, Alert("trump", "ترامب", webhook=httpserver.url_for("/hook"), secret="s3cret"), NOW)
        assert run_round(arc, conf) == {"matched": 8, "delivered": 1, "failed": 0}
    [(headers, payload)] = _received(httpserver)
    req = httpserver.log[0][0]
    assert req.content_type.startswith("application/json")
    expected = "sha256=" + hmac.new(b"s3cret", req.get_data(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers[SIGNATURE], expected)
    assert payload["alert"] == "trump" and payload["query"] == "ترامب" and len(payload["articles"]) == 8
    first = payload["articles"][0]
    assert set(first) == {"id", "headline", "url", "outlet", "published", "snippet"}
    stored = {a.id: a for a in NEW}[first["id"]]
    assert (first["headline"], first["url"], first["outlet"]) == (stored.headline, stored.url, stored.outlet)
    assert "ترامب" in first["snippet"] and "<mark>" not in first["snippet"]
    # A restart that runs the same round again, and a later round given them again: nothing is sent twice.
    with open_archive(db) as arc:
        assert run_round(arc, conf, NOW + timedelta(minutes=5)) == {"matched": 0, "delivered": 0, "failed": 0}
        assert run_round(arc, conf, NOW + timedelta(days=2), NEW[::-1]) == \
            {"matched": 0, "delivered": 0, "failed": 0}
    assert len(httpserver.log) == 1


def test_an_unsigned_webhook_has_no_signature(db, httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    with open_archive(db) as arc:
        alerts.add(arc, Alert("yemen", "اليمن", webhook=httpserver.url_for("/hook")), NOW)
        run_round(arc, settings(db))
    [(headers, payload)] = _received(httpserver)
    assert SIGNATURE not in headers and len(payload["articles"]) == 5


def test_a_failed_call_is_retried_with_backoff_and_logged(db, httpserver):
    httpserver.expect_ordered_request("/hook").respond_with_response(Response("down", status=503))
    httpserver.expect_ordered_request("/hook").respond_with_response(Response("moved", status=302))
    httpserver.expect_ordered_request("/hook").respond_with_data("ok")
    conf = settings(db)
    with open_archive(db) as arc:
        alerts.add(arc, Alert("korea", '"كوريا الشمالية"', webhook=httpserver.url_for("/hook")), NOW)
        assert run_round(arc, conf) == {"matched": 3, "delivered": 0, "failed": 1}
        state = arc.backend.alerts
        [entry] = state.log()
        assert "HTTP 503" in entry.error
        assert entry.delivery.next_try == alerts.stamp(NOW + timedelta(minutes=1))
        # Not due yet: nothing is sent; then the retry times double.
        assert alerts.after_round(arc, [], NOW + timedelta(seconds=59), conf)["failed"] == 0
        assert alerts.after_round(arc, [], NOW + timedelta(minutes=1), conf)["failed"] == 1
        assert state.log()[0].delivery.next_try == alerts.stamp(NOW + timedelta(minutes=3))
        assert "HTTP 302" in state.log()[0].error
        assert alerts.after_round(arc, [], NOW + timedelta(minutes=3), conf)["delivered"] == 1
        assert [e.error is None for e in state.log()] == [True, False, False]
        assert state.log()[0].delivery.status == "sent" and state.log()[0].delivery.attempts == 3
    payloads = [p for _, p in _received(httpserver)]
    assert len(payloads) == 3 and payloads[0] == payloads[2]
    assert len({h["X-Marsad-Delivery"] for h, _ in _received(httpserver)}) == 1


def test_a_receiver_that_stays_down_is_given_up_after_the_last_attempt(db):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/hook"
    conf = settings(db)
    with open_archive(db) as arc:
        alerts.add(arc, Alert("yemen", "اليمن", webhook=url), NOW)
        run_round(arc, conf)
        state = arc.backend.alerts
        while (due := state.log()[0].delivery.next_try) is not None:
            early = datetime.fromisoformat(due) - timedelta(seconds=1)
            assert alerts.after_round(arc, [], early, conf)["failed"] == 0  # not before its time
            alerts.after_round(arc, [], datetime.fromisoformat(due), conf)
        log = state.log()
        assert alerts.after_round(arc, [], NOW + timedelta(days=30), conf)["failed"] == 0  # given up
    assert len(log) == alerts.MAX_ATTEMPTS and all("ConnectError" in e.error for e in log)
    assert log[0].delivery.status == "failed"
    times = [datetime.fromisoformat(e.at) for e in reversed(log)]
    waits = [(b - a) // timedelta(minutes=1) for a, b in itertools.pairwise(times)]
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360]  # doubling, at most six hours


def test_hourly_alerts_wait_for_the_hour_to_end(db, httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    conf = settings(db)
    with open_archive(db) as arc:
        alerts.add(arc, Alert("cup", "كأس العالم", every="hourly", webhook=httpserver.url_for("/hook")), NOW)
        assert run_round(arc, conf, NOW + timedelta(minutes=10), NEW[:30])["delivered"] == 0
        assert run_round(arc, conf, NOW + timedelta(minutes=20), NEW[30:])["delivered"] == 0
        assert not httpserver.log
        later = NOW.replace(minute=0) + timedelta(hours=1, seconds=5)
        assert alerts.after_round(arc, [], later, conf)["delivered"] == 1
        assert alerts.after_round(arc, [], later + timedelta(hours=1), conf)["delivered"] == 0
    [(_, payload)] = _received(httpserver)
    assert len(payload["articles"]) == 6


def test_bad_alerts_are_refused_with_a_reason(db):
    with open_archive(db) as arc:
        for bad, reason in [(Alert("a/b", "x"), "name"), (Alert("x", "x", every="weekly"), "every"),
                            (Alert("x", "؟! ..."), "no word"),
                            (Alert("x", "x", webhook="ftp://h/"), "webhook"),
                            (Alert("x", "x", webhook="http://[::1/x"), "webhook"),
                            (Alert("x", "x", email="a@b\nBcc: c@d.e"), "email"),
                            (Alert("x", "x", secret="s"), "--webhook"),
                            (Alert("x", "x", kind="odd"), "kind")]:
            with pytest.raises(InputError, match=reason):
                alerts.add(arc, bad, NOW)
        alerts.add(arc, Alert("أخبار غزة", "غزة"), NOW)
        with pytest.raises(InputError, match="exists"):
            alerts.add(arc, Alert("أخبار غزة", "غزة"), NOW)


def test_what_an_alert_would_match_now(db):
    with open_archive(db) as arc:
        alerts.add(arc, Alert("russia", "روسيا", outlet="al arabiya"), NOW)
        found = alerts.test(arc, "russia", limit=100)
        assert found.total == len(found.hits) > 0 and {h.outlet for h in found.hits} == {"Al Arabiya"}
        assert found.total == arc.search("روسيا", mode="all", outlet="Al Arabiya", fold=False).total


def test_links_point_at_the_reader(db, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    with open_archive(db) as arc:
        alerts.add(arc, Alert("yemen", "اليمن", webhook=httpserver.url_for("/hook")), NOW)
        run_round(arc, settings(db))
        from marsad.watch import deliver

        items = deliver.articles(arc, arc.backend.alerts.get("yemen"), [NEW[0].id, "gone"], settings(db))
    assert [i["reader"] for i in items] == [f"{BASE_URL}/articles/{NEW[0].id}"]


def test_a_receiver_down_costs_a_round_one_attempt(db):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        host = f"http://127.0.0.1:{s.getsockname()[1]}"
    conf = settings(db)
    with open_archive(db) as arc:
        alerts.add(arc, Alert("yemen", "اليمن", webhook=f"{host}/a"), NOW)
        alerts.add(arc, Alert("trump", "ترامب", webhook=f"{host}/b"), NOW)
        assert run_round(arc, conf)["failed"] == 1
        state = arc.backend.alerts
        assert [d.attempts for d in state.due(alerts.stamp(NOW))] == [0]
        assert alerts.after_round(arc, [], NOW + timedelta(seconds=1), conf)["failed"] == 1
        assert len(state.log()) == 2 and len({e.delivery.id for e in state.log()}) == 2
