"""POST /api/pages: parse, enrich and store pages sent over HTTP, behind a token and a size limit.

The body is either JSON ``{"pages": [{"name", "content" | "html" | "text", ...metadata}]}`` (one page may
also be sent as the object itself) or one raw page whose Content-Type says what it is.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from marsad.errors import Forbidden, InputError, MarsadError, TooLarge
from marsad.model import Article, Failure

_RAW_SUFFIX = {"text/html": ".html", "application/xhtml+xml": ".html", "text/plain": ".txt",
               "application/x-ndjson": ".jsonl", "application/jsonl": ".jsonl", "application/rss+xml": ".xml",
               "application/atom+xml": ".xml", "application/xml": ".xml", "text/xml": ".xml",
               "application/warc": ".warc", "application/gzip": ".gz"}
_BODY_KEYS = (("content", ""), ("html", ".html"), ("text", ".txt"))
_META = ("id", "url", "outlet", "publisher", "section", "published")


def check_token(header: str | None, token: str) -> None:
    if not token:
        raise Forbidden("ingest over HTTP is off: set MARSAD_INGEST_TOKEN")
    given = (header or "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise Forbidden("a valid ingest token is required (Authorization: Bearer …)")


async def read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"the request body is over the limit of {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"the request body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def pages_from_body(body: bytes, content_type: str, name: str | None) -> list[tuple[str, bytes, dict]]:
    """(name, bytes, metadata) for each page in the request."""
    kind = content_type.split(";")[0].strip().lower()
    if kind != "application/json":
        return [((name or "page") + ("" if name else _RAW_SUFFIX.get(kind, "")), body, {})]
    try:
        doc = json.loads(body)
    except ValueError as e:
        raise InputError(f"the JSON body does not parse: {e}") from None
    items = doc.get("pages", [doc]) if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not items:
        raise InputError('expected {"pages": [{"name", "content"|"html"|"text"}]}')
    return [_json_page(i, item) for i, item in enumerate(items)]


def _json_page(i: int, item: Any) -> tuple[str, bytes, dict]:
    if not isinstance(item, dict):
        raise InputError(f"pages[{i}] is not an object")
    for key, suffix in _BODY_KEYS:
        if isinstance(item.get(key), str):
            name = str(item.get("name") or f"page-{i}{suffix}")
            return name, item[key].encode("utf-8"), {k: item[k] for k in _META if item.get(k)}
    raise InputError(f'pages[{i}] has no "content", "html" or "text"')


def parse_pages(items: list[tuple[str, bytes, dict]],
                max_page_bytes: int) -> tuple[list[Article], list[Failure]]:
    from marsad.enrich import enrich_article
    from marsad.parse import parse_bytes

    articles, failed = [], []
    for name, data, meta in items:
        if len(data) > max_page_bytes:
            failed.append(Failure(name, "read", f"page over {max_page_bytes} bytes"))
            continue
        try:
            for page in parse_bytes(data, name):
                for a in page.articles:
                    for key, value in meta.items():
                        setattr(a, key, getattr(a, key) or value)
                    a.source = a.source or f"api:{name}"
                    articles.append(enrich_article(a))
        except MarsadError as e:
            failed.append(Failure(name, "parse", e.message))
    return articles, failed


def store(pool, items: list[tuple[str, bytes, dict]]) -> dict[str, Any]:
    from marsad.archive import open_archive

    articles, failed = parse_pages(items, pool.settings.max_page_bytes)
    with pool.write_lock, open_archive(pool.settings.db) as arc:
        report = arc.put(articles)
    report.failed = failed + report.failed
    return {"ids": report.ids, "new": report.new, "updated": report.updated, "unchanged": report.unchanged,
            "failed": [{"source": f.source, "stage": f.stage, "reason": f.reason} for f in report.failed]}


async def handle(request: Request) -> dict[str, Any]:
    settings = request.app.state.settings
    check_token(request.headers.get("authorization"), settings.ingest_token)
    body = await read_limited(request, settings.max_ingest_bytes)
    items = pages_from_body(body, request.headers.get("content-type", ""), request.query_params.get("name"))
    return await run_in_threadpool(store, request.app.state.pool, items)
