"""Requests a careless or hostile client sends: each answers a clear 4xx, never a 500 or a stall."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.search.test_budget import CRAFTED
from tests.web.conftest import copy_archive
from tests.web.test_api import assert_error


@pytest.fixture
def auth(settings):
    return {"Authorization": f"Bearer {settings.ingest_token}"}


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


class TestClientErrorsAre4xx:
    @pytest.mark.parametrize("url", ["/api/articles?offset=99999999999999999999",
                                     "/api/stories?offset=99999999999999999999", "/api/articles?limit=-1"])
    def test_out_of_range_numbers(self, client, url):
        assert_error(client.get(url), 400, "E100")

    def test_the_largest_offset_is_still_answered(self, client):
        from marsad.web.api import MAX_OFFSET

        assert client.get("/api/articles", params={"offset": MAX_OFFSET}).json()["articles"] == []

    @pytest.mark.parametrize("body", [
        b'{"pages": [{"text": "\\ud800 \xd9\x86\xd8\xb5"}]}',
        b'{"pages": [{"text": "ok", "outlet": "\\udfff"}]}',
        b'{"pages": [{"text": "ok", "\\ud800": 1}]}', b"[" * 100_000, b'{"pages": [' * 15_000,
        b'{"pages": [{"text": "ok", "published": 2018}]}', b"", b"\xff\xfe not json"],
        ids=["surrogate-text", "surrogate-field", "surrogate-key", "deep-list", "deep-pages", "number-field",
             "empty", "not-utf8"])
    def test_bad_json_bodies(self, client, auth, body, arc):
        before = arc.count()
        r = client.post("/api/pages", content=body, headers={**auth, "Content-Type": "application/json"})
        assert_error(r, 400, "E100")
        assert arc.count() == before

    @pytest.mark.parametrize("header", ["test-ingest-token", "Basic test-ingest-token",
                                        "Bearertest-ingest-token", "Bearer  wrong", "Bearer"])
    def test_a_token_needs_the_bearer_scheme(self, client, header):
        r = client.post("/api/pages", json={"pages": [{"text": "نص"}]}, headers={"Authorization": header})
        assert_error(r, 403, "E403")

    def test_the_scheme_is_case_insensitive(self, client, settings):
        r = client.post("/api/pages", json={"pages": [{"text": "x"}]},
                        headers={"Authorization": f"bearer {settings.ingest_token}"})
        assert r.status_code == 200

    def test_a_large_body_is_spooled_not_held(self, client, auth, monkeypatch):
        from marsad.web import ingest

        seen = []
        real = ingest.spool

        async def spy(*args):
            body = await real(*args)
            seen.append(body)
            return body

        monkeypatch.setattr(ingest, "spool", spy)
        paragraphs = "".join(f"<p>قال المتحدث في الفقرة {i} إن الاقتصاد ينمو.</p>" for i in range(1000))
        page = f"<html><body><article><h1>عنوان طويل لخبر اقتصادي</h1>{paragraphs}</article></body></html>"
        r = client.post("/api/pages?name=big.html", content=page.encode(), headers={
            **auth, "Content-Type": "text/html"})
        assert r.status_code == 200 and r.json()["new"] + r.json()["updated"] + r.json()["unchanged"] == 1
        assert seen[0].closed and not Path(seen[0].name).exists()  # a file on disk, gone once stored


class TestRedirects:
    def test_the_host_header_is_not_reflected(self, client):
        r = client.get("/api/stories/", headers={"Host": "evil.example"}, follow_redirects=False)
        assert r.status_code in (307, 308)
        assert r.headers["location"] == "/api/stories"

    def test_a_double_slash_path_stays_on_this_host(self):
        from marsad.web.headers import _relative

        assert _relative(b"http://evil.example//evil.example/x?q=1") == b"/evil.example/x?q=1"


class TestOutput:
    def test_control_characters_never_reach_the_page(self, client, settings):
        from marsad.archive import open_archive
        from marsad.model import Article

        with open_archive(settings.db) as arc:
            arc.put([Article("عنوان\x00 فيه\x02 تحكم\x1b[31m", ["فقرة\x07 أولى\x7f"], id="ctl-1",
                             outlet="منفذ\x0b", published="2018-01-01")])
        r = client.get("/articles/ctl-1")
        assert r.status_code == 200 and "عنوان فيه تحكم[31m" in r.text
        assert not any(ch in r.text for ch in "\x00\x02\x1b\x07\x7f\x0b")
        # The archive validates every article before storing it: the controls never reach it either.
        assert client.get("/api/articles/ctl-1").json()["headline"] == "عنوان فيه تحكم[31m"

    def test_source_names_no_server_folder(self, client, settings):
        from marsad.archive import open_archive
        from marsad.model import Article

        with open_archive(settings.db) as arc:
            arc.put([Article("خبر من ملف", ["نص."], id="src-1", source="/srv/exports/2018/feed.jsonl#3")])
        assert client.get("/api/articles/src-1").json()["source"] == "feed.jsonl#3"

    @pytest.mark.parametrize(("stored", "shown"), [
        ("/srv/data/2018/export.jsonl.xz#12", "export.jsonl.xz#12"), ("C:\\data\\a.html", "a.html"),
        ("https://example.com/a/b", "https://example.com/a/b"), ("api:page-0", "api:page-0"), (None, None)])
    def test_public_source(self, stored, shown):
        from marsad.web.load import public

        assert public({"source": stored})["source"] == shown


class TestArchiveFile:
    def test_deleted_then_replaced_archive(self, demo_db, tmp_path):
        from fastapi.testclient import TestClient

        from marsad.archive import open_archive
        from marsad.model import Article
        from marsad.settings import load as settings_of
        from marsad.web import create_app

        db = tmp_path / "live.db"
        copy_archive(demo_db, db)
        with TestClient(create_app(settings_of(db))) as c:
            total = c.get("/api/articles").json()["total"]
            assert c.get("/api/search", params={"q": "روسيا"}).json()["total"] > 0
            db.unlink()
            for url in ("/api/articles", "/api/search?q=روسيا", "/"):
                r = c.get(url)
                assert r.status_code == 503 and str(tmp_path) not in r.text
            with open_archive(db) as arc:  # another archive at the same path
                arc.put([Article("خبر وحيد", ["نص الخبر الوحيد في الأرشيف الجديد."], id="only-1")])
            assert c.get("/api/articles").json()["total"] == 1 != total
            assert c.get("/api/search", params={"q": "الوحيد"}).json()["hits"][0]["id"] == "only-1"
            assert c.get("/api/search", params={"q": "روسيا"}).json()["total"] == 0


class TestSlowClients:
    @pytest.fixture
    def live(self, settings, monkeypatch):
        """The app under uvicorn with marsad's protocol, on a free loopback port, headers due in 0.3 s."""
        import socket
        import time

        import uvicorn

        from marsad.web import create_app, server

        monkeypatch.setattr(server, "HEADER_SECONDS", 0.3)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        app_server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                                   http=server.PROTOCOL, log_level="warning"))
        thread = threading.Thread(target=app_server.run, daemon=True)
        thread.start()
        while not app_server.started:
            time.sleep(0.02)
        yield port
        app_server.should_exit = True
        thread.join(10)

    @staticmethod
    def _closed(sock) -> bool:
        """Whether the server closed the connection (a generous bound, not a timing test)."""

        sock.settimeout(15)
        try:
            return sock.recv(1024) == b""
        except (TimeoutError, ConnectionResetError):
            return False

    def test_unfinished_headers_are_cut(self, live):
        import socket

        socks = [socket.create_connection(("127.0.0.1", live)) for _ in range(20)]
        for i, s in enumerate(socks):
            if i % 2:  # half send part of a request; the others nothing at all
                s.sendall(b"GET /api/stories HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        assert all(self._closed(s) for s in socks)
        for s in socks:
            s.close()

    def test_a_kept_alive_connection_is_cut_between_requests_too(self, live):
        import socket

        with socket.create_connection(("127.0.0.1", live)) as s:
            s.sendall(b"GET /api/stories?limit=1 HTTP/1.1\r\nHost: x\r\n\r\n")
            assert s.recv(12) == b"HTTP/1.1 200"
            s.sendall(b"GET /api/stories HTTP/1.1\r\n")  # the next request, never finished
            s.settimeout(15)
            while s.recv(65536):
                pass  # the rest of the first response, then the close


class TestReadersDuringIngest:
    def test_pages_never_wait_for_the_related_index(self, demo_db, tmp_path):
        import time

        from marsad.archive import open_archive
        from marsad.model import Article
        from marsad.relate import neighbours

        db = tmp_path / "busy.db"
        copy_archive(demo_db, db)
        reader = open_archive(db, readonly=True)
        reader.may_lag = True  # as the web reader's connections are
        before = neighbours.index_of(reader)
        with open_archive(db) as writer:
            body = "بحث القادة في موسكو التعاون الاقتصادي والأمني بين روسيا ودول آسيا الوسطى."
            writer.put([Article("قمة روسيا وآسيا الوسطى تبحث التعاون", [body], id="late-1")])
        assert neighbours.index_of(reader) is before  # the old index at once, while it catches up
        deadline = time.monotonic() + 60  # a bound for a loaded machine, not a timing assertion
        while (after := neighbours.index_of(reader)) is before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert after is not before and "late-1" in after.ids + [d.id for d in after.extra]
        reader.close()


def test_threads_asking_for_one_missing_value_compute_it_once(demo_db):
    from concurrent.futures import ThreadPoolExecutor

    from marsad.archive import open_archive
    from marsad.web import cache

    calls, gate = [], threading.Event()

    def slow():
        calls.append(1)
        gate.wait(5)
        return len(calls)

    readers = [open_archive(demo_db, readonly=True) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(cache.cached, r, ("test-flight",), slow) for r in readers]
        while not calls:
            threading.Event().wait(0.01)
        gate.set()
        assert [f.result() for f in futures] == [1, 1, 1, 1] and len(calls) == 1
    for r in readers:
        r.close()


def test_archive_errors_name_no_server_folder(tmp_path):
    from fastapi.testclient import TestClient

    from marsad.settings import load as settings_of
    from marsad.web import create_app

    bad = tmp_path / "broken.db"
    bad.write_bytes(b"not an archive at all" * 100)
    with TestClient(create_app(settings_of(bad))) as c:
        for url in ("/api/articles", "/"):
            r = c.get(url)
            assert r.status_code == 503 and "broken.db" in r.text and str(tmp_path) not in r.text


def test_a_killed_ingest_process_is_replaced(client, auth):
    page = {"pages": [{"name": "k.txt", "text": "عنوان الخبر\n\nنص الخبر عن الاقتصاد في تونس اليوم."}]}
    assert client.post("/api/pages", json=page, headers=auth).status_code == 200
    pool = client.app.state.pool
    for process in list(pool._ingester._processes.values()):
        process.kill()
        process.join()
    r = client.post("/api/pages", json=page, headers=auth)
    assert r.status_code in (200, 503)  # 503 when the executor had not yet seen its process die
    if r.status_code == 503:
        assert "send them again" in r.json()["error"]["message"]
        r = client.post("/api/pages", json=page, headers=auth)
    assert r.status_code == 200


@contextmanager
def slow_request(client, monkeypatch, function: str, path: str):
    """``client.get(path)`` on a thread of its own, held inside ``marsad.web.load.<function>`` for as
    long as the block runs; the block ends with the thread still waiting (else it fails)."""
    from marsad.web import load

    started, release, real = threading.Event(), threading.Event(), getattr(load, function)

    def slow(*args, **kwargs):
        started.set()
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(load, function, slow)
    waiting = threading.Thread(target=client.get, args=(path,))
    waiting.start()
    try:
        assert started.wait(30)
        yield
        assert waiting.is_alive()  # everything in the block answered while that request was still running
    finally:
        release.set()
        waiting.join()


def test_a_slow_search_never_holds_up_pages(client, monkeypatch, aawsat_id):
    with slow_request(client, monkeypatch, "search", "/api/search?q=موسكو"):
        assert client.get(f"/api/articles/{aawsat_id}").status_code == 200
        assert client.get("/api/stories?limit=1").status_code == 200
