"""Requests a careless or hostile client sends: each answers a clear 4xx, never a 500 or a stall."""

from __future__ import annotations

import threading

import pytest

from tests.search.test_budget import CRAFTED
from tests.web.test_api import assert_error


class TestSearchBudget:
    def test_the_crafted_query_is_refused_in_one_line(self, client):
        r = client.get("/api/search", params={"q": CRAFTED})
        assert_error(r, 400, "E110")
        assert "words" in r.json()["error"]["message"]
        page = client.get("/search", params={"q": CRAFTED})
        assert page.status_code == 400 and "E110" in page.text

    def test_a_short_prefix_says_how_to_ask(self, client):
        r = client.get("/api/search", params={"q": "ال* روسيا"})
        assert_error(r, 400, "E110")
        assert "at least 3 letters" in r.json()["error"]["message"]

    def test_a_prefix_within_budget_searches(self, client):
        assert client.get("/api/search", params={"q": "روسي*"}).json()["total"] > 0

    def test_searches_run_off_the_event_loop(self, client, monkeypatch):
        from marsad.web import load

        threads, real = [], load.search

        def spy(*args, **kwargs):
            threads.append(threading.get_ident())
            return real(*args, **kwargs)

        monkeypatch.setattr(load, "search", spy)
        loop_thread = client.portal.call(threading.get_ident)
        assert client.get("/api/search", params={"q": "موسكو"}).status_code == 200
        assert threads and loop_thread not in threads

    @pytest.mark.parametrize("entity", ["روسيا", "missing"])
    def test_an_entity_search_is_not_weighed_as_typed_words(self, client, arc, entity):
        top = arc.entities(limit=1)[0].id if entity == "روسيا" else "no-such-entity"
        r = client.get("/api/search", params={"q": "", "entity": top})
        assert r.status_code == (200 if entity == "روسيا" else 404)
