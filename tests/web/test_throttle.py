"""A client that keeps sending searches over the budget, or costly ones, is held back; other readers
are not. Queries over the budget are refused before any archive work."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from marsad.web import create_app, throttle
from marsad.web.deps import ArchivePool
from marsad.web.throttle import STRIKES, WINDOW, Strikes
from tests.search.test_budget import CRAFTED
from tests.web.test_api import assert_error


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def app(settings, monkeypatch):
    monkeypatch.setattr(throttle, "DELAY", 0)  # the late 429 is a timer; here only its answer counts
    app = create_app(settings)
    app.state.strikes.clock = Clock()
    return app


def _client(app, address: str) -> TestClient:
    return TestClient(app, client=(address, 40000))


class TestStrikes:
    def test_the_nth_strike_within_the_window_holds_back(self):
        clock = Clock()
        r = Strikes(most=3, window=10, clock=clock)
        for _ in range(2):
            r.strike("a")
            assert r.wait("a") == 0
        r.strike("a")
        assert r.wait("a") == 10 and r.wait("b") == 0
        clock.now += 9.5
        assert r.wait("a") == pytest.approx(0.5)
        clock.now += 1
        assert r.wait("a") == 0

    def test_strikes_spread_out_never_hold_back(self):
        clock = Clock()
        r = Strikes(most=3, window=10, clock=clock)
        for _ in range(20):
            r.strike("a")
            clock.now += 6  # two within any window, never three
            assert r.wait("a") == 0

    def test_memory_is_bounded_by_the_clients_remembered(self, monkeypatch):
        monkeypatch.setattr(throttle, "MAX_CLIENTS", 50)
        r = Strikes(most=2, window=10, clock=Clock())
        for i in range(500):
            r.strike(f"10.0.{i // 256}.{i % 256}")
        assert len(r._seen) <= 50
        for i in range(500):
            r.strike(f"10.0.{i // 256}.{i % 256}")
        assert len(r._held) <= 50


class TestHeldBack:
    def test_an_abuser_gets_429_with_retry_after_and_a_reader_does_not(self, app):
        with _client(app, "192.0.2.7") as abuser, _client(app, "198.51.100.1") as reader:
            for _ in range(STRIKES):
                assert_error(abuser.get("/api/search", params={"q": CRAFTED}), 400, "E110")
            held = abuser.get("/api/search", params={"q": "موسكو"})  # even a normal query, for a while
            assert_error(held, 429, "E429")
            assert held.headers["Retry-After"] == str(int(WINDOW))
            assert "content-security-policy" in held.headers
            page = abuser.get("/search", params={"q": "موسكو"})
            assert page.status_code == 429 and "E429" in page.text and "<html" in page.text
            assert abuser.get("/articles/no-such").status_code == 404  # only searches are held back
            assert reader.get("/api/search", params={"q": "موسكو"}).status_code == 200
            app.state.strikes.clock.now += WINDOW + 1
            assert abuser.get("/api/search", params={"q": "موسكو"}).status_code == 200

    def test_costly_searches_are_strikes_too(self, app, monkeypatch):
        monkeypatch.setattr(throttle, "COSTLY", -1.0)  # every search counts as costly
        with _client(app, "192.0.2.10") as abuser, _client(app, "198.51.100.2") as reader:
            for k in range(STRIKES):
                assert abuser.get("/api/search", params={"q": f"روسيا {k}"}).status_code == 200
            assert_error(abuser.get("/api/search", params={"q": "روسيا"}), 429, "E429")
            assert reader.get("/api/search", params={"q": "روسيا"}).status_code == 200

    def test_a_few_mistakes_are_only_400s(self, app):
        with _client(app, "192.0.2.8") as c:
            for _ in range(STRIKES - 1):
                assert_error(c.get("/api/search", params={"q": "ال* روسيا"}), 400, "E110")
            assert c.get("/api/search", params={"q": "روسيا"}).status_code == 200


def test_an_over_budget_query_never_borrows_an_archive(app, monkeypatch):
    lent = []
    real = ArchivePool.lent

    def spy(self):
        lent.append(1)
        return real(self)

    monkeypatch.setattr(ArchivePool, "lent", spy)
    with _client(app, "192.0.2.9") as c:
        lent.clear()  # the warm-up at start
        for q in (CRAFTED, "ال* روسيا", " ".join(["كلمة"] * 33), "كتا* اقت* حكو* سعو* مصر*"):
            assert_error(c.get("/api/search", params={"q": q}), 400, "E110")
        assert lent == []
        assert c.get("/api/search", params={"q": "روسيا"}).status_code == 200
        assert lent
