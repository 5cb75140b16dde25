"""Headless Chromium (Debian's /usr/bin/chromium, never a download) over a real server on the demo archive.

Screenshots of every kind of page go to ``screenshots/`` (git-ignored) for review.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from marsad import relate

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(settings):
    import uvicorn

    from marsad.web import create_app

    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail("Debian's chromium is not installed (apt-get install chromium chromium-driver)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def url_of(kind: str, arc, aawsat_id: str) -> str:
    if kind == "entity":
        top = arc.entities(limit=1)
        assert top, "no entities in the demo archive: is enrichment installed?"
        return f"/entities/{top[0].id}"
    if kind == "story":
        return f"/stories/{max(relate.stories(arc), key=lambda s: len(s.outlets)).id}"
    return {"home": "/", "article": f"/articles/{aawsat_id}", "search": "/search?q=الرئيس",
            "error": "/articles/no-such-article"}[kind]


def open_page(browser, base: str, url: str, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems: list[str] = []
    # Console errors include CSP violations; a failed subresource (font, stylesheet) is reported by URL.
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on("response", lambda r: problems.append(f"{r.status}: {r.url}")
            if r.status >= 400 and r.request.resource_type != "document" else None)
    page.goto(base + url)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")
    return page, problems


@pytest.mark.parametrize("kind", ["home", "article", "search", "entity", "story", "error"])
@pytest.mark.parametrize("width", [1280, 390])
def test_page_renders_rtl(browser, server, arc, aawsat_id, kind, width):
    page, problems = open_page(browser, server, url_of(kind, arc, aawsat_id), width)
    try:
        assert page.evaluate("document.documentElement.dir") == "rtl"
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        h1 = page.locator("main h1").first
        assert h1.is_visible()
        assert page.evaluate("el => getComputedStyle(el).direction", h1.element_handle()) == "rtl"
        # The heading starts at the right: its box ends where the content column ends.
        main = page.locator("main").bounding_box()
        box = h1.bounding_box()
        padding = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main')).paddingRight)")
        assert abs((box["x"] + box["width"]) - (main["x"] + main["width"] - padding)) < 2
        # Nothing overflows sideways, even on a phone.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert page.evaluate("document.fonts.check('16px \"Noto Sans Arabic\"', 'ع')")
        assert not problems, problems  # CSP violations and missing files show up here
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{kind}-{width}.png"), full_page=True)
    finally:
        page.close()


def test_article_text_is_right_aligned(browser, server, aawsat_id):
    page, _ = open_page(browser, server, f"/articles/{aawsat_id}", 1280)
    try:
        para = page.locator(".body p").first
        body = page.locator(".body").bounding_box()
        box = para.bounding_box()
        assert abs((box["x"] + box["width"]) - (body["x"] + body["width"])) < 2
        assert page.evaluate("el => getComputedStyle(el).fontFamily", para.element_handle()).startswith(
            '"Noto Naskh Arabic"')
        # The margin (related box, entities) sits to the left of the article on a wide screen.
        aside = page.locator("aside.side-col").bounding_box()
        assert aside["x"] + aside["width"] <= body["x"]
    finally:
        page.close()


def test_search_form_submits(browser, server):
    page, problems = open_page(browser, server, "/", 1280)
    try:
        page.fill("#q-top", "روسيا")
        page.press("#q-top", "Enter")
        page.wait_for_url("**/search?q=*")
        assert page.locator("li.hit").count() > 0
        assert page.locator(".snippet mark").count() > 0
        assert not problems, problems
    finally:
        page.close()
