"""The alert state's contract on every backend: alerts, once-only matches, deliveries and their log."""

from __future__ import annotations

import pytest

from marsad.archive import open_archive
from marsad.errors import InputError, NotFound
from marsad.model import Alert, Article
from marsad.search.query import compile
from marsad.search.rank import Filters

T0, T1, T2 = "2026-03-01T10:00:00+00:00", "2026-03-01T11:00:00+00:00", "2026-03-02T09:00:00+00:00"



def test_alerts_are_kept_by_name(arc):
    state = arc.backend.alerts
    state.add(Alert("gaza", "غزة", every="daily", email="desk@example.org", secret="s3", created=T0))
    state.add(Alert("aden", '"ميناء عدن"', webhook="http://127.0.0.1:9/hook", outlet="Aawsat", created=T0))
    with pytest.raises(InputError, match="exists"):
        state.add(Alert("gaza", "x", created=T0))
    assert [a.name for a in state.alerts()] == ["aden", "gaza"]
    got = state.get("gaza")
    assert (got.query, got.every, got.email, got.secret, got.kind) == \
        ("غزة", "daily", "desk@example.org", "s3", "search")
    assert state.get("aden").outlet == "Aawsat" and state.get("aden").last_digest is None
    state.set_digested(["gaza"], T1)
    assert state.get("gaza").last_digest == T1
    state.remove("aden")
    with pytest.raises(NotFound):
        state.get("aden")
    with pytest.raises(NotFound):
        state.remove("aden")


def test_a_match_is_recorded_once_across_a_reopen(new_db):
    db = new_db()
    with open_archive(db) as arc:
        state = arc.backend.alerts
        state.add(Alert("a", "q", created=T0))
        assert state.record("a", ["x2", "x1", "x2"], T0) == ["x2", "x1"]
    with open_archive(db) as arc:
        state = arc.backend.alerts
        assert state.record("a", ["x1", "x3"], T1) == ["x3"]
        assert state.matches("a") == [("x3", T1), ("x1", T0), ("x2", T0)]
        assert state.matches("a", since=T1) == [("x3", T1)]
        assert state.matches("a", until=T1, limit=1) == [("x1", T0)]
        assert state.match_days("a") == [("2026-03-01", 3)]
        assert state.match_counts(since=T1) == {"a": 1}


def test_deliveries_queue_matches_and_log_every_attempt(arc):
    state = arc.backend.alerts
    for name in ("a", "b"):
        state.add(Alert(name, "q", every="hourly", email="desk@example.org", created=T0))
    state.record("a", ["x1", "x2"], T0)
    state.record("b", ["x3"], T0)
    assert state.unqueued("a") == ["x1", "x2"]
    id_ = state.enqueue("email", "desk@example.org", {"b": ["x3"], "a": ["x1", "x2"]}, T1)
    assert state.unqueued("a") == [] and state.unqueued("b") == []
    assert state.due(T0) == []
    [due] = state.due(T1)
    assert (due.id, due.channel, due.target, due.status) == (id_, "email", "desk@example.org", "pending")
    assert list(due.articles) == ["b", "a"] and due.articles["a"] == ["x1", "x2"]
    state.attempted(id_, T1, "connection refused", T2)
    assert state.due(T1) == [] and state.due(T2)[0].attempts == 1
    state.attempted(id_, T2, None, None)
    assert state.due(T2) == []
    log = state.log()
    assert [(e.at, e.error, e.delivery.status) for e in log] == \
        [(T2, None, "sent"), (T1, "connection refused", "sent")]
    assert log[0].delivery.sent == T2 and log[0].delivery.attempts == 2
    other = state.enqueue("webhook", "http://127.0.0.1:9/", {"b": ["x3"]}, T2)
    state.attempted(other, T2, "HTTP 500", None)
    assert state.log(alert="a") == log
    assert [e.delivery.status for e in state.log(alert="b")] == ["failed", "sent", "sent"]


def test_the_index_matches_a_query_among_given_articles_only(arc):
    arts = [Article(id=f"n{i}", headline=h, paragraphs=[b], outlet=o)
            for i, (h, b, o) in enumerate([("قصف على غزة", "غارات على القطاع", "Aawsat"),
                                           ("ميناء عدن", "السفن في عدن", "Aawsat"),
                                           ("غزة تحت الحصار", "حصار القطاع", "Other"),
                                           ("اقتصاد", "أسعار النفط", "Aawsat")])]
    arc.put(arts)
    index = arc.backend.index
    expr = compile("غزة", scheme=index.scheme)
    assert index.among(expr, Filters(), ["n3", "n2", "n0", "n1", "nope", "n2"]) == ["n2", "n0"]
    assert index.among(expr, Filters(), ["n1", "n3"]) == []
    assert index.among(expr, Filters(outlet="aawsat"), ["n0", "n2"]) == ["n0"]
    phrase = compile('"ميناء عدن" -نفط', scheme=index.scheme)
    assert index.among(phrase, Filters(), ["n0", "n1", "n2", "n3"]) == ["n1"]
    prefix = compile("حصا*", scheme=index.scheme)
    assert index.among(prefix, Filters(), ["n0", "n1", "n2"]) == ["n2"]
