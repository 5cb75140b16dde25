"""A real news site on loopback for the watch tests: feeds, sitemaps, section pages, robots.txt and article
pages built from ant-multisource articles, served by a threaded HTTP server that changes between rounds.

    with NewsSite(articles, clock=clock) as site:   # or the ``news_site`` / ``make_site`` fixtures
        site.publish(5)                             # five more articles appear in every listing
        site.url("/rss.xml")                        # also /atom.xml, /news-sitemap.xml, /sitemap.xml,
                                                    # /rss/<category>.xml, /section/<category>, / (home)
        site.serve("/rss.xml", status=429, headers={"Retry-After": "30"}, times=1)
        site.redirect("/old.xml", "/rss.xml")
        site.hits("/rss.xml")                       # what the server received, with the clock's time

Listings answer conditional GETs (ETag and Last-Modified, 304) unless ``site.conditional`` is False.
Sites on 127.0.0.2, 127.0.0.3, … are other hosts for the fetcher (pass ``host=``).
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

SAMPLE = Path("data/news/ant-multisource/sample.jsonl")
ROBOTS = "User-agent: *\nDisallow: /private/\n\nUser-agent: GreedyBot\nDisallow: /\n"
FEED_SIZE = 20  # items in each feed and sitemap
_TRACKING = "?utm_source=rss&utm_medium=feed"  # feed links carry these, as many outlets' do


def load_articles(shared: Path) -> list[dict]:
    """The ant-multisource sample (260 articles of five outlets and six sections)."""
    with open(shared / SAMPLE, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


class FakeClock:
    """A clock for the Fetcher and the site: sleeping moves time forward at once."""

    def __init__(self, start: float = 1000.0):
        self.now = start
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Rule:
    """How one path answers instead of its normal page."""

    status: int = 200
    body: bytes | None = None  # None: the normal page's body
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # real seconds before answering (a slow server)
    stream: int | None = None  # send this many bytes of feed-like XML, without Content-Length
    drip: float = 0.0  # with stream: real seconds between its pieces (a server that trickles)
    barrier: threading.Barrier | None = None  # wait for the other parties (across sites) before answering
    drop: bool = False  # hang up without answering
    times: int | None = None  # answer this way this many times, then normally again


@dataclass
class Hit:
    """One request the site received."""

    method: str
    path: str  # with its query
    headers: dict[str, str]  # lower-case names
    at: float  # the site's clock when it arrived
    sent: int = 0  # body bytes written before the answer ended or the client hung up
    # Real time (time.monotonic) when it arrived and just before its answer was written (so, before the
    # client could have it): which requests overlapped.
    began: float = 0.0
    answered: float = 0.0


class NewsSite:
    def __init__(self, articles: list[dict], *, host: str = "127.0.0.1", clock=None,
                 robots: str = ROBOTS, crawl_delay: float | None = None, name: str = "أخبار مرصد"):
        self.articles = sorted(articles, key=lambda a: (a["published"], a["id"]))
        self.name = name
        self.clock = clock
        self.robots = robots + (f"\nUser-agent: *\nCrawl-delay: {crawl_delay:g}\n" if crawl_delay else "")
        self.conditional = True
        self.visible = 0  # the first ``visible`` articles by date are published
        self.log: list[Hit] = []
        self.max_in_flight = 0
        self._in_flight = 0
        self._rules: dict[str, Rule] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer((host, 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    # --- running ---
    def start(self) -> NewsSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():  # shutdown() waits for a serving loop that never started
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> NewsSite:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    # --- content, changed between rounds ---
    def publish(self, n: int = 5) -> list[dict]:
        """Publish the next ``n`` articles by date; they appear in every feed, sitemap and section page."""
        with self._lock:
            new = self.articles[self.visible:self.visible + n]
            self.visible += len(new)
        return new

    @property
    def published(self) -> list[dict]:
        """Published articles, newest first."""
        return self.articles[:self.visible][::-1]

    def article_path(self, article: dict) -> str:
        return "/" + article["published"][:10].replace("-", "/") + f"/{article['id']}.html"

    def article_url(self, article: dict) -> str:
        return self.url(self.article_path(article))

    def categories(self) -> list[str]:
        return sorted({a["category"] for a in self.articles})

    # --- behaviour, changed between rounds ---
    def serve(self, path: str, **rule) -> None:
        """Answer ``path`` by ``Rule(**rule)``: status, body, headers, delay, stream, drip, barrier, drop,
        times."""
        with self._lock:
            self._rules[path] = Rule(**rule)

    def redirect(self, path: str, to: str, status: int = 301, times: int | None = None) -> None:
        """``to`` is a path of this site or a whole URL (another host)."""
        self.serve(path, status=status, body=b"", headers={"Location": to}, times=times)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def hits(self, path: str | None = None) -> list[Hit]:
        with self._lock:
            return [h for h in self.log if path is None or h.path == path]

    # --- serving (the server's threads) ---
    def _now(self) -> float:
        return self.clock.monotonic() if self.clock is not None else time.monotonic()

    def _take_rule(self, path: str) -> Rule | None:
        with self._lock:
            rule = self._rules.get(path.split("?", 1)[0])
            if rule is not None and rule.times is not None:
                rule.times -= 1
                if rule.times <= 0:
                    del self._rules[path.split("?", 1)[0]]
            return rule

    def _enter(self, hit: Hit) -> None:
        with self._lock:
            self.log.append(hit)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def page(self, path: str) -> tuple[int, str, str, datetime | None]:
        """The normal answer to ``path``: status, content type, body, and when it last changed."""
        route = path.split("?", 1)[0]
        with self._lock:
            items = self.articles[:self.visible][::-1]
        changed = _when(items[0]) if items else None
        for prefix, make in self._routes():
            if route == prefix or (prefix.endswith("/") and route.startswith(prefix)):
                found = make(route.removeprefix(prefix), items)
                if found is not None:
                    kind, body = found
                    return 200, kind, body, changed
        return 404, "text/html; charset=utf-8", "<html><body><h1>404</h1></body></html>", None

    def _routes(self) -> list[tuple[str, Callable[[str, list[dict]], tuple[str, str] | None]]]:
        xml, text = "application/xml; charset=utf-8", "text/plain; charset=utf-8"
        return [
            ("/robots.txt", lambda _, items: (text, self.robots)),
            ("/rss.xml", lambda _, items: ("application/rss+xml; charset=utf-8", self._rss(items))),
            ("/rss/", lambda rest, items: self._category_feed(rest, items)),
            ("/atom.xml", lambda _, items: ("application/atom+xml; charset=utf-8", self._atom(items))),
            ("/news-sitemap.xml", lambda _, items: (xml, self._news_sitemap(items))),
            ("/sitemap.xml", lambda _, items: (xml, self._sitemap_index())),
            ("/section/", lambda rest, items: self._section(rest, items)),
            ("/private/", lambda rest, items: ("text/html; charset=utf-8", "<html><body>خاص</body></html>")),
            ("/", lambda rest, items: self._article(rest, items) if rest else self._section("", items)),
        ]

    # --- pages ---
    def _item_link(self, a: dict) -> str:
        return escape(self.article_url(a) + _TRACKING)

    def _rss(self, items: list[dict], title: str | None = None) -> str:
        entries = "".join(
            f"<item><title>{escape(a['title'])}</title><link>{self._item_link(a)}</link>"
            f"<guid isPermaLink=\"false\">{a['id']}</guid><pubDate>{format_datetime(_when(a))}</pubDate>"
            f"<category>{a['category']}</category><description>{escape(a['abstract'])}</description></item>"
            for a in items[:FEED_SIZE])
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                f"<title>{escape(title or self.name)}</title><link>{self.base}/</link>"
                f"<description>{escape(self.name)}</description><language>ar</language>{entries}</channel></rss>")

    def _category_feed(self, rest: str, items: list[dict]) -> tuple[str, str] | None:
        category = rest.removesuffix(".xml")
        if category not in self.categories():
            return None
        chosen = [a for a in items if a["category"] == category]
        return "application/rss+xml; charset=utf-8", self._rss(chosen, f"{self.name} — {category}")

    def _atom(self, items: list[dict]) -> str:
        updated = _when(items[0]).isoformat() if items else "2018-01-01T00:00:00+00:00"
        entries = "".join(
            f"<entry><title>{escape(a['title'])}</title>"
            f"<link rel=\"alternate\" href=\"{self._item_link(a)}\"/>"
            f"<id>tag:marsad-test,2018:{a['id']}</id><published>{_when(a).isoformat()}</published>"
            f"<updated>{_when(a).isoformat()}</updated><summary>{escape(a['abstract'])}</summary></entry>"
            for a in items[:FEED_SIZE])
        return ('<?xml version="1.0" encoding="utf-8"?>\n'
                '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">'
                f"<title>{escape(self.name)}</title><id>{self.base}/</id><updated>{updated}</updated>"
                f'<link rel="self" href="{self.base}/atom.xml"/>{entries}</feed>')

    def _news_sitemap(self, items: list[dict]) -> str:
        urls = "".join(
            f"<url><loc>{escape(self.article_url(a))}</loc><news:news><news:publication>"
            f"<news:name>{escape(self.name)}</news:name><news:language>ar</news:language></news:publication>"
            f"<news:publication_date>{_when(a).isoformat()}</news:publication_date>"
            f"<news:title>{escape(a['title'])}</news:title></news:news></url>"
            for a in items[:FEED_SIZE])
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
                f' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>')

    def _sitemap_index(self) -> str:
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{self.base}/news-sitemap.xml</loc></sitemap></sitemapindex>")

    def _section(self, category: str, items: list[dict]) -> tuple[str, str] | None:
        """A section's page (the home page for the category ""): its newest articles' cards in chrome."""
        if category and category not in self.categories():
            return None
        chosen = [a for a in items if a["category"] == category or not category][:FEED_SIZE]
        cards = "".join(
            f'<article class="card"><a href="{escape(self.article_path(a))}">'
            f'<img src="/img/{a["id"]}.jpg" alt=""></a>'
            f'<h3><a href="{escape(self.article_path(a))}">{escape(a["title"])}</a></h3>'
            f'<a class="tag" href="/tag/{escape(a["category"])}">{escape(a["category"])}</a></article>'
            for a in chosen)
        body = (f"<header>{self._nav()}</header><main><h1>{escape(category)}</h1>{cards}"
                f'<a href="/section/{category}?page=2">الصفحة التالية</a></main>'
                f'<footer><a href="/about/contact-us-and-advertise">اتصل بنا</a>'
                f'<a href="/privacy-policy-and-terms">الخصوصية</a></footer>')
        return "text/html; charset=utf-8", _html(f"{category or 'الرئيسية'} — {self.name}", "", body)

    def _nav(self) -> str:
        links = "".join(f'<a href="/section/{c}">{c}</a>' for c in self.categories())
        return f'<nav><a href="/">الرئيسية</a>{links}</nav>'

    def _article(self, rest: str, items: list[dict]) -> tuple[str, str] | None:
        found = next((a for a in items if self.article_path(a) == "/" + rest), None)
        if found is None:
            return None
        a = found
        paragraphs = "".join(f"<p>{escape(p)}</p>" for p in a["text"].splitlines() if p.strip())
        meta = (f'<meta property="og:title" content="{html.escape(a["title"])}">'
                f'<meta property="og:type" content="article">'
                f'<meta property="og:site_name" content="{html.escape(a["outlet"])}">'
                f'<meta property="og:url" content="{html.escape(self.article_url(a))}">'
                f'<meta property="article:published_time" content="{_when(a).isoformat()}">'
                f'<meta property="article:section" content="{html.escape(a["category"])}">'
                f'<meta name="description" content="{html.escape(a["abstract"])}">')
        body = (f"<header>{self._nav()}</header><main><article><h1>{escape(a['title'])}</h1>"
                f'<time datetime="{_when(a).isoformat()}">{a["published"][:10]}</time>'
                f"{paragraphs}</article></main><footer>{escape(self.name)}</footer>")
        return "text/html; charset=utf-8", _html(a["title"], meta, body)


def _html(title: str, meta: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="ar" dir="rtl"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title>{meta}</head><body>{body}</body></html>")


def _when(article: dict) -> datetime:
    return datetime.fromisoformat(article["published"])


def _handler(site: NewsSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (the http.server name)
            hit = Hit("GET", self.path, {k.lower(): v for k, v in self.headers.items()}, site._now(),
                      began=time.monotonic())
            site._enter(hit)
            try:
                _answer(site, self, hit)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
            finally:
                site._leave()

        def log_message(self, *args) -> None:  # quiet: the tests read ``site.log``
            pass

    return Handler


def _answer(site: NewsSite, req: BaseHTTPRequestHandler, hit: Hit) -> None:
    rule = site._take_rule(hit.path)
    if rule is not None and rule.barrier is not None:
        rule.barrier.wait()
    if rule is not None and rule.delay:
        site._stopping.wait(rule.delay)
    hit.answered = time.monotonic()
    if rule is not None and rule.drop:
        req.close_connection = True
        return
    if rule is not None and rule.stream is not None:
        _stream(site, req, hit, rule)
        return
    status, kind, text, changed = site.page(hit.path)
    body = text.encode("utf-8")
    headers = {"Content-Type": kind}
    if status == 200 and changed is not None:
        headers["ETag"] = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        headers["Last-Modified"] = format_datetime(changed.astimezone(UTC), usegmt=True)
        if site.conditional and rule is None and _unchanged(hit.headers, headers, changed):
            status, body = 304, b""
    if rule is not None:
        status = rule.status
        body = rule.body if rule.body is not None else body
        headers.update(rule.headers)
    _send(req, hit, status, headers, body)


def _unchanged(asked: dict[str, str], headers: dict[str, str], changed: datetime) -> bool:
    if "if-none-match" in asked:
        return headers["ETag"] in [t.strip() for t in asked["if-none-match"].split(",")]
    since = asked.get("if-modified-since")
    try:
        return since is not None and parsedate_to_datetime(since) >= changed.replace(microsecond=0)
    except (TypeError, ValueError):
        return False


def _send(req: BaseHTTPRequestHandler, hit: Hit, status: int, headers: dict[str, str], body: bytes) -> None:
    req.send_response_only(status)
    headers = {"Date": req.date_time_string(), **headers}  # a rule may set its own Date
    for name, value in headers.items():
        req.send_header(name, value)
    req.send_header("Content-Length", str(len(body)))
    req.end_headers()
    if status != 304:
        req.wfile.write(body)
        hit.sent = len(body)


def _stream(site: NewsSite, req: BaseHTTPRequestHandler, hit: Hit, rule: Rule) -> None:
    """A huge feed sent in pieces with no length given; stops when the client hangs up."""
    req.send_response(rule.status)
    req.send_header("Content-Type", "application/rss+xml; charset=utf-8")
    req.send_header("Connection", "close")
    req.end_headers()
    req.close_connection = True
    item = "<item><title>خبر</title><link>http://example.org/a</link></item>".encode() * 200
    req.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
    while hit.sent < rule.stream and not site._stopping.is_set():
        if rule.drip:
            site._stopping.wait(rule.drip)
        piece = item[:rule.stream - hit.sent]
        req.wfile.write(piece)
        hit.sent += len(piece)
