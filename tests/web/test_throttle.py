"""A client that keeps sending searches over the budget is held back; other readers are not. Costly
queries are refused before any archive work."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from marsad.web import create_app, throttle
from marsad.web.deps import ArchivePool
from marsad.web.throttle import REFUSALS, WINDOW, Refusals
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
    app.state.refusals.clock = Clock()
    return app


def _client(app, address: str) -> TestClient:
    return TestClient(app, client=(address, 40000))


class TestRefusals:
    def test_the_nth_refusal_within_the_window_holds_back(self):
        clock = Clock()
        r = Refusals(most=3, window=10, clock=clock)
        for _ in range(2):
            r.refused("a")
            assert r.wait("a") == 0
        r.refused("a")
        assert r.wait("a") == 10 and r.wait("b") == 0
        clock.now += 9.5
        assert r.wait("a") == pytest.approx(0.5)
        clock.now += 1
        assert r.wait("a") == 0

    def test_refusals_spread_out_never_hold_back(self):
        clock = Clock()
        r = Refusals(most=3, window=10, clock=clock)
        for _ in range(20):
            r.refused("a")
            clock.now += 6  # two within any window, never three
            assert r.wait("a") == 0

    def test_memory_is_bounded_by_the_clients_remembered(self, monkeypatch):
        monkeypatch.setattr(throttle, "MAX_CLIENTS", 50)
        r = Refusals(most=2, window=10, clock=Clock())
        for i in range(500):
            r.refused(f"10.0.{i // 256}.{i % 256}")
        assert len(r._seen) <= 50
        for i in range(500):
            r.refused(f"10.0.{i // 256}.{i % 256}")
        assert len(r._held) <= 50


class TestHeldBack:
    def test_an_abuser_gets_429_with_retry_after_and_a_reader_does_not(self, app):
        with _client(app, "192.0.2.7") as abuser, _client(app, "198.51.100.1") as reader:
            for _ in range(REFUSALS):
                assert_error(abuser.get("/api/search", params={"q": CRAFTED}), 400, "E110")
            held = abuser.get("/api/search", params={"q": "موسكو"})  # even a normal query, for a while
            assert_error(held, 429, "E429")
            assert held.headers["Retry-After"] == str(int(WINDOW))
            assert "content-security-policy" in held.headers
            page = abuser.get("/search", params={"q": "موسكو"})
            assert page.status_code == 429 and "E429" in page.text and "<html" in page.text
            assert abuser.get("/articles/no-such").status_code == 404  # only searches are held back
            assert reader.get("/api/search", params={"q": "موسكو"}).status_code == 200
            app.state.refusals.clock.now += WINDOW + 1
            assert abuser.get("/api/search", params={"q": "موسكو"}).status_code == 200

    def test_a_few_mistakes_are_only_400s(self, app):
        with _client(app, "192.0.2.8") as c:
            for _ in range(REFUSALS - 1):
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
